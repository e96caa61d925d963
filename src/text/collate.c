/* SPDX-License-Identifier: MIT */
/* ICU collators are opened once and shared: after construction their
 * const operations (sort keys) are safe from any thread. */
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <unicode/ucol.h>
#include <unicode/ustring.h>
#include "text/collate.h"
#include "util/log.h"
#include "util/mem.h"

static const struct {
	const char *name, *icu_locale;
} collations[COLL_COUNT] = {
	[COLL_EN] = { "en", "en" },
	[COLL_ZH_HANS] = { "zh_hans", "zh@collation=pinyin" },
	[COLL_ZH_HANT] = { "zh_hant", "zh_Hant@collation=stroke" },
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static UCollator *collators[COLL_COUNT];

static void
open_collators(void)
{
	for (int c = COLL_EN; c < COLL_COUNT; c++) {
		UErrorCode st = U_ZERO_ERROR;
		collators[c] = ucol_open(collations[c].icu_locale, &st);
		if (U_FAILURE(st)) {
			log_error("collation %s unavailable: %s", collations[c].name, u_errorName(st));
			collators[c] = NULL;
		}
	}
}

void
collation_shutdown(void)
{
	for (int c = COLL_EN; c < COLL_COUNT; c++) {
		if (collators[c])
			ucol_close(collators[c]);
		collators[c] = NULL;
	}
}

const char *
collation_name(enum collation c)
{
	return c > COLL_NONE && c < COLL_COUNT ? collations[c].name : "";
}

enum collation
collation_by_name(const char *name)
{
	for (int c = COLL_EN; c < COLL_COUNT; c++)
		if (name && strcmp(collations[c].name, name) == 0)
			return (enum collation)c;
	return COLL_NONE;
}

/* Does tag (up to its end) start with the subtag sequence p, case-blind? */
static bool
tag_is(const char *tag, size_t n, const char *p)
{
	size_t k = strlen(p);

	return n >= k && strncasecmp(tag, p, k) == 0 && (n == k || tag[k] == '-' || tag[k] == '_');
}

enum collation
collation_for_locale(const char *locale)
{
	if (!locale || !*locale)
		return COLL_NONE;
	while (*locale == ' ')
		locale++;
	size_t n = strcspn(locale, ",; .@");	/* also POSIX: zh_TW.UTF-8 */
	if (n == 0 || (n == 1 && *locale == '*'))	/* "*": any language, no preference */
		return COLL_NONE;
	static const char *const hant[] = { "zh-Hant", "zh_Hant", "zh-TW", "zh_TW", "zh-HK", "zh_HK",
					    "zh-MO", "zh_MO", NULL };
	for (size_t i = 0; hant[i]; i++)
		if (tag_is(locale, n, hant[i]))
			return COLL_ZH_HANT;
	return tag_is(locale, n, "zh") ? COLL_ZH_HANS : COLL_EN;
}

uint8_t *
collation_key(enum collation c, const char *s, size_t n, size_t *len)
{
	UChar stack[256], *u = stack;
	int32_t ulen = 0;
	UErrorCode st = U_ZERO_ERROR;

	pthread_once(&once, open_collators);
	if (c <= COLL_NONE || c >= COLL_COUNT || !collators[c] || n > (1u << 20))
		return NULL;
	u_strFromUTF8(stack, 256, &ulen, s, (int32_t)n, &st);
	if (st == U_BUFFER_OVERFLOW_ERROR) {
		u = xmalloc(((size_t)ulen + 1) * sizeof(UChar));
		st = U_ZERO_ERROR;
		u_strFromUTF8(u, ulen + 1, &ulen, s, (int32_t)n, &st);
	}
	uint8_t *key = NULL;
	if (U_SUCCESS(st)) {
		int32_t need = ucol_getSortKey(collators[c], u, ulen, NULL, 0);
		key = xmalloc((size_t)need + 1);
		ucol_getSortKey(collators[c], u, ulen, key, need + 1);
		*len = (size_t)need;	/* without the final zero byte */
		if (need > 0 && key[need - 1] == 0)
			*len = (size_t)need - 1;
	}
	if (u != stack)
		free(u);
	return key;
}
