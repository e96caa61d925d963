/* SPDX-License-Identifier: MIT */
/* domain/identifiers identifier_normalize: the matching key per kind. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain/identifiers.h"

static void
norm_is(const char *kind, const char *value, const char *want)
{
	char *got = identifier_normalize(kind, value);

	assert_non_null(got);
	if (strcmp(got, want) != 0) {
		print_error("normalize(%s, '%s') = '%s', want '%s'\n", kind, value, got, want);
		free(got);
		fail();
	}
	free(got);
}

static void
kinds_list(void **state)
{
	(void)state;
	size_t n = 0;
	bool phone = false, email = false;

	for (const char *const *k = identifier_kinds; *k; k++, n++) {
		phone = phone || strcmp(*k, "phone") == 0;
		email = email || strcmp(*k, "email") == 0;
	}
	assert_true(phone);
	assert_true(email);
	assert_true(n >= 3);
}

static void
email_lower_cased(void **state)
{
	(void)state;
	norm_is("email", "Zhang.San@Example.COM", "zhang.san@example.com");
	norm_is("email", "a@b.cn", "a@b.cn");
	/* nothing else is touched: dots and plus signs matter in e-mail */
	norm_is("email", "A.B+Tag@X.Y", "a.b+tag@x.y");
	/* non-ASCII bytes pass through */
	norm_is("email", "张三@例子.中国", "张三@例子.中国");
	norm_is("email", "", "");
}

static void
phone_digits(void **state)
{
	(void)state;
	norm_is("phone", "+86 138-0013-8000", "+8613800138000");
	norm_is("phone", "(02) 2345.6789", "0223456789");
	norm_is("phone", "138 0013 8000", "13800138000");
	/* only a leading + survives */
	norm_is("phone", "86+138", "86138");
	norm_is("phone", "++86 1", "+861");
	norm_is("phone", " +86 1", "+861");		/* leading in digits, not bytes */
	norm_is("phone", "(+852) 9123 4567", "+85291234567");
	/* letters and other marks vanish */
	norm_is("phone", "tel: 555-1234 ext", "5551234");
	norm_is("phone", "---", "");
	/* full-width digits are not ASCII digits */
	norm_is("phone", "１２３", "");
	/* the same number written two ways matches */
	char *a = identifier_normalize("phone", "+86 (138) 0013-8000");
	char *b = identifier_normalize("phone", "+86.138.0013.8000");
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void
others_upper_without_separators(void **state)
{
	(void)state;
	norm_is("member_card", "ab-12 34.cd", "AB1234CD");
	norm_is("plate", "京A·12345", "京A·12345");	/* non-ASCII untouched */
	norm_is("plate", "ABC-123", "ABC123");
	norm_is("policy_no", "p.2026-0001", "P20260001");
	norm_is("national_id", "a123456789", "A123456789");
	norm_is("external_id", "\tx y\t", "XY");
	/* other marks are kept: only space, tab, dash and dot go */
	norm_is("external_id", "a_b/c#1", "A_B/C#1");
	norm_is("member_card", " - . ", "");
	/* an unknown kind is handled like the others */
	norm_is("whatever", "a-b", "AB");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kinds_list),
		cmocka_unit_test(email_lower_cased),
		cmocka_unit_test(phone_digits),
		cmocka_unit_test(others_upper_without_separators),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
