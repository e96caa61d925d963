/* SPDX-License-Identifier: MIT */
/* util/utf8: well-formedness, counting, control characters, decoding. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "util/utf8.h"

#define VALID(lit) utf8_valid((lit), sizeof(lit) - 1)
#define COUNT(lit) utf8_count((lit), sizeof(lit) - 1)
#define CTRL(lit, sp) utf8_has_control((lit), sizeof(lit) - 1, (sp))

static void
valid_ascii_and_empty(void **state)
{
	(void)state;
	assert_true(utf8_valid("", 0));
	assert_true(VALID("hello, world"));
	assert_true(VALID("\x7F"));
	/* the length is what counts, not the NUL */
	assert_true(utf8_valid("a\0b", 3));
}

static void
valid_cjk(void **state)
{
	(void)state;
	assert_true(VALID("繁體"));
	assert_true(VALID("简体"));
	assert_true(VALID("繁體 简体 中文 日本語 한국어"));
	assert_true(VALID("\xC2\x80"));		/* U+0080, smallest 2-byte */
	assert_true(VALID("\xDF\xBF"));		/* U+07FF */
	assert_true(VALID("\xE0\xA0\x80"));	/* U+0800, smallest 3-byte */
	assert_true(VALID("\xED\x9F\xBF"));	/* U+D7FF, just below surrogates */
	assert_true(VALID("\xEE\x80\x80"));	/* U+E000, just above */
	assert_true(VALID("\xEF\xBF\xBF"));	/* U+FFFF */
}

static void
valid_emoji(void **state)
{
	(void)state;
	assert_true(VALID("😀"));
	assert_true(VALID("👍🏽"));
	assert_true(VALID("👨‍👩‍👧"));	/* ZWJ sequence */
	assert_true(VALID("\xF0\x90\x80\x80"));	/* U+10000 */
	assert_true(VALID("\xF4\x8F\xBF\xBF"));	/* U+10FFFF */
}

static void
invalid_overlongs(void **state)
{
	(void)state;
	assert_false(VALID("\xC0\x80"));		/* NUL, 2 bytes */
	assert_false(VALID("\xC1\xBF"));
	assert_false(VALID("\xE0\x80\x80"));		/* NUL, 3 bytes */
	assert_false(VALID("\xE0\x9F\xBF"));		/* U+07FF, 3 bytes */
	assert_false(VALID("\xF0\x80\x80\x80"));
	assert_false(VALID("\xF0\x8F\xBF\xBF"));	/* U+FFFF, 4 bytes */
	assert_false(VALID("ok \xC0\xAF then"));	/* overlong '/' */
}

static void
invalid_surrogates(void **state)
{
	(void)state;
	assert_false(VALID("\xED\xA0\x80"));	/* U+D800 */
	assert_false(VALID("\xED\xAF\xBF"));	/* U+DBFF */
	assert_false(VALID("\xED\xB0\x80"));	/* U+DC00 */
	assert_false(VALID("\xED\xBF\xBF"));	/* U+DFFF */
	assert_false(VALID("\xED\xA0\xBD\xED\xB8\x80"));	/* CESU-8 emoji */
}

static void
invalid_beyond_max(void **state)
{
	(void)state;
	assert_false(VALID("\xF4\x90\x80\x80"));	/* U+110000 */
	assert_false(VALID("\xF5\x80\x80\x80"));
	assert_false(VALID("\xF7\xBF\xBF\xBF"));
	assert_false(VALID("\xF8\x88\x80\x80\x80"));	/* old 5-byte form */
	assert_false(VALID("\xFC\x84\x80\x80\x80\x80"));
	assert_false(VALID("\xFE"));
	assert_false(VALID("\xFF"));
}

static void
invalid_truncated(void **state)
{
	(void)state;
	assert_false(VALID("\xC3"));
	assert_false(VALID("\xE7\xB9"));		/* 繁 cut after 2 of 3 */
	assert_false(VALID("\xF0\x9F\x98"));		/* 😀 cut after 3 of 4 */
	assert_false(VALID("abc\xE4"));
	/* cut short by a following ASCII byte */
	assert_false(VALID("\xE7\xB9x"));
	assert_false(VALID("\xF0\x9F\x98!"));
	/* a valid string whose length is cut short */
	const char *s = "繁體";
	assert_true(utf8_valid(s, 6));
	assert_false(utf8_valid(s, 5));
	assert_false(utf8_valid(s, 4));
	assert_true(utf8_valid(s, 3));
}

static void
invalid_lone_continuation(void **state)
{
	(void)state;
	assert_false(VALID("\x80"));
	assert_false(VALID("\xBF"));
	assert_false(VALID("a\x80" "b"));
	assert_false(VALID("繁\x80"));
	assert_false(VALID("\xC3\xA9\xA9"));	/* é + stray continuation */
}

static void
count_code_points(void **state)
{
	(void)state;
	assert_int_equal(utf8_count("", 0), 0);
	assert_int_equal(COUNT("abc"), 3);
	assert_int_equal(COUNT("繁體"), 2);
	assert_int_equal(COUNT("😀"), 1);
	assert_int_equal(COUNT("a繁😀é b"), 6);
	assert_int_equal(COUNT("张三 Zhang San 😀"), 14);
	assert_int_equal(COUNT("\xC2\x80\xDF\xBF\xF4\x8F\xBF\xBF"), 3);
}

static void
control_chars(void **state)
{
	(void)state;
	assert_false(CTRL("plain 繁體 😀", false));
	assert_false(CTRL("plain 繁體 😀", true));
	/* tab, LF, CR: control on one line, allowed in multi-line text */
	assert_true(CTRL("a\tb", false));
	assert_true(CTRL("a\nb", false));
	assert_true(CTRL("a\rb", false));
	assert_false(CTRL("a\tb", true));
	assert_false(CTRL("line1\r\nline2\n", true));
	/* other C0, DEL and C1 are never allowed */
	assert_true(utf8_has_control("a\0b", 3, true));
	assert_true(CTRL("\x01", true));
	assert_true(CTRL("\x1B[31m", true));
	assert_true(CTRL("\x1F", false));
	assert_true(CTRL("x\x7Fy", true));
	assert_true(CTRL("\xC2\x80", true));	/* U+0080 */
	assert_true(CTRL("\xC2\x9F", true));	/* U+009F */
	assert_true(CTRL("繁\xC2\x85體", true));	/* NEL */
	/* just outside the ranges */
	assert_false(CTRL(" ", false));		/* U+0020 */
	assert_false(CTRL("~", false));		/* U+007E */
	assert_false(CTRL("\xC2\xA0", false));	/* U+00A0 no-break space */
	assert_false(utf8_has_control("", 0, false));
}

static void
decode_lengths(void **state)
{
	(void)state;
	unsigned cp;

	assert_int_equal(utf8_decode("A", &cp), 1);
	assert_int_equal(cp, 0x41);
	assert_int_equal(utf8_decode("\xC3\xA9", &cp), 2);
	assert_int_equal(cp, 0xE9);
	assert_int_equal(utf8_decode("繁", &cp), 3);
	assert_int_equal(cp, 0x7E41);
	assert_int_equal(utf8_decode("體", &cp), 3);
	assert_int_equal(cp, 0x9AD4);
	assert_int_equal(utf8_decode("😀", &cp), 4);
	assert_int_equal(cp, 0x1F600);
	assert_int_equal(utf8_decode("\xF4\x8F\xBF\xBF", &cp), 4);
	assert_int_equal(cp, 0x10FFFF);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_ascii_and_empty),
		cmocka_unit_test(valid_cjk),
		cmocka_unit_test(valid_emoji),
		cmocka_unit_test(invalid_overlongs),
		cmocka_unit_test(invalid_surrogates),
		cmocka_unit_test(invalid_beyond_max),
		cmocka_unit_test(invalid_truncated),
		cmocka_unit_test(invalid_lone_continuation),
		cmocka_unit_test(count_code_points),
		cmocka_unit_test(control_chars),
		cmocka_unit_test(decode_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
