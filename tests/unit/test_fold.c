/* SPDX-License-Identifier: MIT */
/* text/fold: Unicode case folding (ICU), and the SQL substring test built
 * on it (store_sql_icontains). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "store/store.h"
#include "text/fold.h"

static void
check(const char *in, const char *want)
{
	size_t n = 0;
	char *got = text_casefold(in, strlen(in), &n);

	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(n, strlen(want));
	free(got);
}

static void
folds_ascii_and_beyond(void **state)
{
	(void)state;
	check("MÜLLER", "müller");
	check("Müller GmbH", "müller gmbh");
	check("ΣΊΣΥΦΟΣ", "σίσυφοσ");	/* final sigma folds to σ too */
	check("Straße", "strasse");	/* full folding: ß -> ss */
	check("ÅNGSTRÖM", "ångström");
}

static void
leaves_cjk_alone(void **state)
{
	(void)state;
	check("陳大文", "陳大文");
	check("王小明 Wang", "王小明 wang");
	check("", "");
}

static void
long_text_uses_the_heap(void **state)
{
	(void)state;
	size_t n = 3000;
	char *in = malloc(n + 1), *want = malloc(n + 1);
	assert_non_null(in);
	assert_non_null(want);
	for (size_t i = 0; i < n; i++) {
		in[i] = (char)('A' + i % 26);
		want[i] = (char)('a' + i % 26);
	}
	in[n] = want[n] = '\0';
	check(in, want);
	free(in);
	free(want);
}

static void
rejects_invalid_utf8(void **state)
{
	(void)state;
	size_t n;
	assert_null(text_casefold("\xff\xfe", 2, &n));
	assert_null(text_casefold("a\xc0\x80", 3, &n));
}

static void
icontains_is_literal(void **state)
{
	(void)state;
	struct buf b;

	buf_init(&b, 1024);
	store_sql_icontains(&b, "name");
	/* no LIKE: % and _ in the parameter are plain characters */
	assert_null(strstr(b.data, "LIKE"));
	assert_non_null(strstr(b.data, "casefold(name)"));
	assert_non_null(strstr(b.data, "?"));
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(folds_ascii_and_beyond),
		cmocka_unit_test(leaves_cjk_alone),
		cmocka_unit_test(long_text_uses_the_heap),
		cmocka_unit_test(rejects_invalid_utf8),
		cmocka_unit_test(icontains_is_literal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
