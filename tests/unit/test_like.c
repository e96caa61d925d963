/* SPDX-License-Identifier: MIT */
/* store/store_like_pattern: a LIKE pattern "%s%" with the wildcards and
 * the escape character itself escaped (used with ESCAPE '\'). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store/store.h"
#include "util/buf.h"

static int
setup(void **state)
{
	(void)state;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return 0;
}

static void
pattern_is(const char *in, const char *want)
{
	char *got = store_like_pattern(in);

	assert_non_null(got);
	if (strcmp(got, want) != 0) {
		print_error("pattern('%s') = '%s', want '%s'\n", in, got, want);
		free(got);
		fail();
	}
	free(got);
}

static void
plain_text_wrapped(void **state)
{
	(void)state;
	pattern_is("", "%%");
	pattern_is("abc", "%abc%");
	pattern_is("张三", "%张三%");
	pattern_is("it's", "%it's%");		/* quotes are bound, not escaped */
}

static void
wildcards_escaped(void **state)
{
	(void)state;
	pattern_is("%", "%\\%%");
	pattern_is("_", "%\\_%");
	pattern_is("\\", "%\\\\%");
	pattern_is("50%_off\\now", "%50\\%\\_off\\\\now%");
	pattern_is("%%__\\\\", "%\\%\\%\\_\\_\\\\\\\\%");
	pattern_is("a_b", "%a\\_b%");
}

static void
long_input(void **state)
{
	(void)state;
	char *in = malloc(10001);
	memset(in, '%', 10000);
	in[10000] = '\0';
	char *got = store_like_pattern(in);
	assert_int_equal(strlen(got), 20002);
	assert_int_equal(got[0], '%');
	assert_int_equal(got[1], '\\');
	assert_int_equal(got[2], '%');
	assert_int_equal(got[20001], '%');
	free(got);
	free(in);
}

static void
icontains_sql(void **state)
{
	(void)state;
	struct buf b;

	buf_init(&b, 1024);
	store_sql_icontains(&b, "name");
	assert_non_null(strstr(b.data, "name"));
	assert_non_null(strstr(b.data, "?"));
	assert_non_null(strstr(b.data, "ESCAPE '\\'"));
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_text_wrapped),
		cmocka_unit_test(wildcards_escaped),
		cmocka_unit_test(long_input),
		cmocka_unit_test(icontains_sql),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
