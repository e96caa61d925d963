/* SPDX-License-Identifier: MIT */
/* io/encoding: detection of UTF-8 (BOM or not), GB18030 and Big5, streamed
 * decoding to UTF-8 across chunk edges, and encoding back with a clear
 * error for a character the encoding lacks. Byte strings are written out
 * here (checked against iconv) so the test needs no converter of its own. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "io/encoding.h"

/* "王小明,上海市\n" in GB18030 and "陳大文,台北市\n" in Big5 (iconv) */
static const char gb[] = "\xcd\xf5\xd0\xa1\xc3\xf7,\xc9\xcf\xba\xa3\xca\xd0\n";
static const char big5[] = "\xb3\xaf\xa4\x6a\xa4\xe5,\xa5\x78\xa5\x5f\xa5\xab\n";
/* "陈" (U+9648) is in GB18030 only; "€" four-byte in GB18030: A2E3 */

static void
detect(void **state)
{
	(void)state;
	assert_int_equal(encoding_detect("\xEF\xBB\xBFname\n", 8), ENC_UTF8);
	assert_int_equal(encoding_detect("王小明,陳大文\n", strlen("王小明,陳大文\n")), ENC_UTF8);
	assert_int_equal(encoding_detect("plain ascii\n", 12), ENC_UTF8);
	assert_int_equal(encoding_detect(gb, strlen(gb)), ENC_GB18030);
	assert_int_equal(encoding_detect(big5, strlen(big5)), ENC_BIG5);
	/* a UTF-8 sample cut inside a character is still UTF-8 */
	const char *s = "名稱,電話\n王";
	assert_int_equal(encoding_detect(s, strlen(s) - 1), ENC_UTF8);
	/* GB18030 four-byte sequences settle it: À (U+00C0) is 81 30 86 38 */
	assert_int_equal(encoding_detect("\xa4\x6a\x81\x30\x86\x38\n", 7), ENC_GB18030);
}

static void
names(void **state)
{
	enum text_encoding e;

	(void)state;
	assert_true(encoding_parse("GBK", &e));
	assert_int_equal(e, ENC_GB18030);
	assert_true(encoding_parse("big5", &e));
	assert_int_equal(e, ENC_BIG5);
	assert_true(encoding_parse("UTF8", &e));
	assert_int_equal(e, ENC_UTF8);
	assert_false(encoding_parse("latin1", &e));
	assert_string_equal(encoding_name(ENC_BIG5), "Big5");
}

static ssize_t
trickle(void *ctx, char *p, size_t n)
{
	(void)n;
	return csv_mem_read(ctx, p, 1);
}

/* Decode all of text through a decoder, reading out in small pieces. */
static char *
decode_all(enum text_encoding enc, const char *text, size_t n, bool one_byte,
	   enum text_encoding *found)
{
	struct csv_mem m = { text, n, 0 };
	struct decoder *d = decoder_new(enc, one_byte ? trickle : csv_mem_read, &m);
	struct buf out;
	char piece[3];
	ssize_t k;

	buf_init(&out, 1 << 20);
	while ((k = decoder_read(d, piece, sizeof(piece))) > 0)
		buf_add(&out, piece, (size_t)k);
	assert_int_equal(k, 0);
	*found = decoder_encoding(d);
	decoder_free(d);
	return buf_detach(&out, NULL) ?: strdup("");
}

static void
decode(void **state)
{
	enum text_encoding found;
	char *s;

	(void)state;
	for (int one = 0; one < 2; one++) {
		s = decode_all(ENC_AUTO, gb, strlen(gb), one, &found);
		assert_int_equal(found, ENC_GB18030);
		assert_string_equal(s, "王小明,上海市\n");
		free(s);
		s = decode_all(ENC_AUTO, big5, strlen(big5), one, &found);
		assert_int_equal(found, ENC_BIG5);
		assert_string_equal(s, "陳大文,台北市\n");
		free(s);
		s = decode_all(ENC_AUTO, "\xEF\xBB\xBFid,名\n", strlen("\xEF\xBB\xBFid,名\n"), one, &found);
		assert_string_equal(s, "id,名\n");	/* the BOM is dropped */
		free(s);
	}
	/* bytes an encoding has no use for become a substitute, not a lost
	 * row (the importer rejects that row): U+FFFD in GB18030, a
	 * private-use character (U+F8F8) in ICU's Big5 (windows-950) */
	s = decode_all(ENC_GB18030, "a\xFF\xFF" "b\n", 5, false, &found);
	assert_non_null(strstr(s, "\xEF\xBF\xBD"));
	assert_non_null(strchr(s, 'b'));
	free(s);
	s = decode_all(ENC_BIG5, "a\xFF\xFF" "b\n", 5, false, &found);
	assert_non_null(strstr(s, "\xEF\xA3\xB8"));
	assert_non_null(strchr(s, 'b'));
	free(s);
	s = decode_all(ENC_AUTO, "", 0, false, &found);
	assert_string_equal(s, "");
	free(s);
}

static void
encode(void **state)
{
	struct buf b;
	struct err e = { 0 };
	struct encoder *x = encoder_new(ENC_BIG5);

	(void)state;
	assert_non_null(x);
	buf_init(&b, 1024);
	assert_int_equal(encoder_write(x, "陳大文,台北市\n", strlen("陳大文,台北市\n"), &b, &e), ERR_OK);
	assert_int_equal(b.len, strlen(big5));
	assert_memory_equal(b.data, big5, b.len);
	buf_reset(&b);
	assert_int_equal(encoder_write(x, "陈伟", strlen("陈伟"), &b, &e), ERR_INVALID);
	assert_non_null(strstr(e.msg, "陈 (U+9648)"));
	assert_int_equal(b.len, 0);
	err_clear(&e);
	encoder_free(x);
	x = encoder_new(ENC_GB18030);
	assert_int_equal(encoder_write(x, "王小明,上海市\n陈", strlen("王小明,上海市\n陈"), &b, &e), ERR_OK);
	assert_memory_equal(b.data, gb, strlen(gb));
	encoder_free(x);
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(detect),
		cmocka_unit_test(names),
		cmocka_unit_test(decode),
		cmocka_unit_test(encode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
