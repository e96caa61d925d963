/* SPDX-License-Identifier: MIT */
/* text/mask: what a caller without the personal-data permission sees. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "text/mask.h"

static void
check(enum mask_kind kind, const char *in, const char *want)
{
	char *got = text_mask(kind, in);

	assert_string_equal(got, want);
	free(got);
}

static void
phones_keep_three_and_four_digits(void **state)
{
	(void)state;
	check(MASK_PHONE, "13800138000", "138****8000");
	check(MASK_PHONE, "+86 138-0013-8000", "861****8000");
	check(MASK_PHONE, "(852) 9123 4567", "852****4567");
	check(MASK_PHONE, "1234567", "****");	/* too short to show any */
	check(MASK_PHONE, "", "****");
}

static void
emails_keep_the_first_character_and_domain(void **state)
{
	(void)state;
	check(MASK_EMAIL, "wang@example.com", "w***@example.com");
	check(MASK_EMAIL, "陳大文@例子.台灣", "陳***@例子.台灣");
	check(MASK_EMAIL, "not-an-email", "***");
	check(MASK_EMAIL, "@example.com", "***");
}

static void
text_keeps_the_first_character(void **state)
{
	(void)state;
	check(MASK_TEXT, "台北市信義區松仁路100號", "台***");
	check(MASK_TEXT, "1985-06-15", "1***");
	check(MASK_TEXT, "A", "A***");
	check(MASK_TEXT, "", "***");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(phones_keep_three_and_four_digits),
		cmocka_unit_test(emails_keep_the_first_character_and_domain),
		cmocka_unit_test(text_keeps_the_first_character),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
