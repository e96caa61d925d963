/* SPDX-License-Identifier: MIT */
/* text/collate: which collation a locale gets, and sort keys that order
 * names by pinyin, by strokes and alphabetically. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "text/collate.h"

static void
locales_map_to_collations(void **state)
{
	(void)state;
	assert_int_equal(collation_for_locale(NULL), COLL_NONE);
	assert_int_equal(collation_for_locale(""), COLL_NONE);
	assert_int_equal(collation_for_locale("*"), COLL_NONE);
	assert_int_equal(collation_for_locale("zh-Hans"), COLL_ZH_HANS);
	assert_int_equal(collation_for_locale("zh-CN"), COLL_ZH_HANS);
	assert_int_equal(collation_for_locale("zh"), COLL_ZH_HANS);
	assert_int_equal(collation_for_locale("zh-Hant-TW"), COLL_ZH_HANT);
	assert_int_equal(collation_for_locale("ZH-tw"), COLL_ZH_HANT);
	assert_int_equal(collation_for_locale("zh-HK,zh;q=0.9"), COLL_ZH_HANT);
	assert_int_equal(collation_for_locale(" zh_MO"), COLL_ZH_HANT);
	assert_int_equal(collation_for_locale("en-GB"), COLL_EN);
	assert_int_equal(collation_for_locale("zhx"), COLL_EN);	/* not zh */
	assert_int_equal(collation_by_name("zh_hant"), COLL_ZH_HANT);
	assert_int_equal(collation_by_name("klingon"), COLL_NONE);
}

/* Is a before b under c? */
static int
cmp(enum collation c, const char *a, const char *b)
{
	size_t na, nb;
	uint8_t *ka = collation_key(c, a, strlen(a), &na), *kb = collation_key(c, b, strlen(b), &nb);

	assert_non_null(ka);
	assert_non_null(kb);
	int r = memcmp(ka, kb, na < nb ? na : nb);
	if (r == 0)
		r = (na > nb) - (na < nb);
	free(ka);
	free(kb);
	return r;
}

static void
keys_order_names(void **state)
{
	(void)state;
	assert_true(cmp(COLL_ZH_HANS, "阿明", "白雪") < 0);	/* a < bai */
	assert_true(cmp(COLL_ZH_HANS, "陳大文", "張三") < 0);	/* chen < zhang */
	assert_true(cmp(COLL_ZH_HANT, "王五", "李四") < 0);	/* 4 strokes < 7 */
	assert_true(cmp(COLL_ZH_HANT, "李四", "陳大文") < 0);	/* 7 < 11 */
	assert_true(cmp(COLL_EN, "apple", "Banana") < 0);	/* case second */
	assert_true(cmp(COLL_EN, "Émile", "zoe") < 0);	/* accents second */
	assert_null(collation_key(COLL_NONE, "a", 1, &(size_t){ 0 }));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(locales_map_to_collations),
		cmocka_unit_test(keys_order_names),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	collation_shutdown();
	return rc;
}
