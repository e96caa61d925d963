/* SPDX-License-Identifier: MIT */
/* text/search and text/phone: the one form records are indexed in and
 * queries asked in (width, case, accents, Traditional/Simplified), pinyin
 * keys of names, and phone numbers as international digits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "text/phone.h"
#include "text/search.h"

static void
fold_is(const char *in, const char *want)
{
	size_t n = 0;
	char *got = text_search_fold(in, strlen(in), &n);

	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(n, strlen(want));
	free(got);
}

static void
folds_width_case_and_accents(void **state)
{
	(void)state;
	fold_is("ＡＢＣ１２３", "abc123");
	fold_is("Müller", "muller");
	fold_is("ZOË Ångström", "zoe angstrom");
	fold_is("Straße", "strasse");
	fold_is("　全形空格", " 全形空格");	/* the ideographic space is a space */
	fold_is("", "");
}

static void
folds_traditional_to_simplified(void **state)
{
	(void)state;
	fold_is("陳大文", "陈大文");
	fold_is("客戶", "客户");
	fold_is("客户", "客户");	/* Simplified stays */
	fold_is("乾隆", "干隆");	/* per character: 乾 folds alone as in a phrase */
	fold_is("乾", "干");
	fold_is("頭髮 發財", "头发 发财");
	fold_is("張偉 Wong", "张伟 wong");
}

static void
refuses_invalid_utf8(void **state)
{
	(void)state;
	assert_null(text_search_fold("\xff\xfe", 2, NULL));
	assert_null(text_search_fold("a\xc3", 2, NULL));
	assert_null(text_pinyin("\xe9\x99", 2));
}

/* got (malloc'd, freed here) is want; NULL if want is NULL. */
static void
owned_is(char *got, const char *want)
{
	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
pinyin_is(const char *in, const char *want)
{
	owned_is(text_pinyin(in, strlen(in)), want);
}

static void
pinyin_of_names(void **state)
{
	(void)state;
	pinyin_is("王小明", "wangxiaoming wxm");
	pinyin_is("陳大文", "chendawen cdw");
	pinyin_is("陈大文", "chendawen cdw");
	pinyin_is("曾志偉", "zengzhiwei zzw");	/* 曾 as a surname: zeng */
	pinyin_is("Lisa 黃", "lisahuang lh");
	pinyin_is("Smith", NULL);	/* no Han: no keys */
}

static void
phone_is(const char *in, const char *country, const char *want)
{
	owned_is(phone_international(in, country), want);
}

static void
phones_in_international_form(void **state)
{
	(void)state;
	phone_is("+86 138-0013-8000", NULL, "8613800138000");
	phone_is("+86 138-0013-8000", "HK", "8613800138000");	/* '+' wins over country */
	phone_is("138 0013 8000", "CN", "8613800138000");
	phone_is("13800138000", NULL, "13800138000");	/* no country: as written */
	phone_is("(852) 9123 4567", "HK", "85291234567");
	phone_is("9123 4567", "HK", "85291234567");
	phone_is("00852 9123 4567", "CN", "85291234567");
	phone_is("02 2345 6789", "TW", "886223456789");	/* trunk 0 dropped */
	phone_is("020 7946 0958", "GB", "442079460958");
	phone_is("(415) 555-0100", "US", "14155550100");
	phone_is("12345", "ZZ", "12345");
	phone_is("no digits", "CN", NULL);
}

static void
phone_queries(void **state)
{
	char *trunk, *d;

	(void)state;
	d = phone_query_digits("+86 138-0013-8000", &trunk);
	assert_string_equal(d, "8613800138000");
	assert_null(trunk);
	free(d);
	d = phone_query_digits("02-2345-6789", &trunk);
	assert_string_equal(d, "0223456789");
	assert_string_equal(trunk, "223456789");
	free(d);
	free(trunk);
	assert_null(phone_query_digits("123", &trunk));	/* too short to be a number */
	assert_null(phone_query_digits("AB-1234", &trunk));	/* letters: not a phone */
	assert_string_equal(phone_national("85291234567"), "91234567");
	assert_string_equal(phone_national("8613800138000"), "13800138000");
	assert_string_equal(phone_national("99912"), "99912");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(folds_width_case_and_accents),
		cmocka_unit_test(folds_traditional_to_simplified),
		cmocka_unit_test(refuses_invalid_utf8),
		cmocka_unit_test(pinyin_of_names),
		cmocka_unit_test(phones_in_international_form),
		cmocka_unit_test(phone_queries),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	text_search_shutdown();
	return rc;
}
