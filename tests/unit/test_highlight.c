/* SPDX-License-Identifier: MIT */
/* text/highlight: a match in search form maps back to the characters of
 * the value as written (script, width, case, accents, lengths that fold
 * differently), and phone digits however punctuated. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "text/highlight.h"
#include "text/search.h"

/* The ranges of text for one query term (folded as a query is), as
 * "start-end,start-end". */
static void
marks_are(const char *text, const char *term, const char *want)
{
	char *needle = text_search_fold(term, strlen(term), NULL);
	const char *needles[] = { needle };
	struct text_range r[8];
	size_t n = text_highlight(text, needles, 1, r, 8);
	char got[128] = "";

	for (size_t i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%zu-%zu", i ? "," : "", r[i].start, r[i].end);
	assert_string_equal(got, want);
	free(needle);
}

static void
marks_across_scripts_width_and_case(void **state)
{
	(void)state;
	marks_are("王客戶", "客户", "1-3");		/* 简体 finds 繁體 */
	marks_are("王客户", "客戶", "1-3");		/* and back */
	marks_are("陳大文", "陈", "0-1");
	marks_are("abc Trading", "ＡＢＣ", "0-3");	/* full width */
	marks_are("ＡＢＣ商行", "abc", "0-3");		/* and half width in the value */
	marks_are("Anna Müller", "muller", "5-11");	/* accents */
	marks_are("MÜLLER", "Mül", "0-3");
	marks_are("Wang Xiaoming", "xiao", "5-9");
	marks_are("客戶貿易有限公司 客戶部", "客户", "0-2,9-11");	/* every occurrence */
	marks_are("王小明", "wxm", "");			/* not written there */
	marks_are("", "abc", "");
}

static void
marks_characters_whose_folded_length_differs(void **state)
{
	(void)state;
	marks_are("Straße 5", "strasse", "0-6");	/* ß folds to two letters */
	marks_are("Große Straße", "ss", "3-4,10-11");
	marks_are("ﬁne", "fine", "0-3");		/* the ligature folds to two */
	marks_are("㈱王客戶", "客户", "2-4");		/* ㈱ folds to (株): three */
}

static void
merges_overlaps_and_many_terms(void **state)
{
	(void)state;
	const char *needles[] = { "wang", "ng x", "ming", "" };
	struct text_range r[8];
	size_t n = text_highlight("Wang Xiaoming", needles, 4, r, 8);

	assert_int_equal(n, 2);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].end, 6);	/* wang + ng x merged */
	assert_int_equal(r[1].start, 9);
	assert_int_equal(r[1].end, 13);
	assert_int_equal(text_highlight("aaaa", needles, 0, r, 8), 0);
	const char *a[] = { "a" };
	assert_int_equal(text_highlight("aaaa", a, 1, r, 2), 1);	/* at most max, merged */
	assert_int_equal(r[0].end, 4);
	const char *ab[] = { "ab" };
	assert_int_equal(text_highlight("ab ab ab ab", ab, 1, r, 2), 2);	/* more than fit: the first */
	assert_int_equal(r[1].start, 3);
	assert_int_equal(text_highlight("\xff", a, 1, r, 2), 0);	/* not UTF-8 */
}

static void
marks_phone_digits_however_written(void **state)
{
	(void)state;
	struct text_range r[4];
	const char *whole[] = { "8613800138000" };
	const char *local[] = { "13800138000" };
	const char *trunk[] = { "912345678" };

	/* the digits typed without the calling code */
	assert_int_equal(text_highlight_digits("+86 138-0013-8000", local, 1, r, 4), 1);
	assert_int_equal(r[0].start, 4);
	assert_int_equal(r[0].end, 17);
	/* with it, against a number written without */
	assert_int_equal(text_highlight_digits("138 0013 8000", whole, 1, r, 4), 1);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].end, 13);
	/* without the trunk 0 */
	assert_int_equal(text_highlight_digits("0912 345 678", trunk, 1, r, 4), 1);
	assert_int_equal(r[0].start, 1);
	assert_int_equal(r[0].end, 12);
	assert_int_equal(text_highlight_digits("(02) 2345 6789", trunk, 1, r, 4), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(marks_across_scripts_width_and_case),
		cmocka_unit_test(marks_characters_whose_folded_length_differs),
		cmocka_unit_test(merges_overlaps_and_many_terms),
		cmocka_unit_test(marks_phone_digits_however_written),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	text_search_shutdown();
	return rc;
}
