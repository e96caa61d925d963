/* SPDX-License-Identifier: MIT */
/* Sorting names as their readers expect (ICU collation): by pinyin for
 * Simplified Chinese, by stroke count for Traditional, alphabetically
 * (case and accents second) for English and the rest. */
#ifndef GX_TEXT_COLLATE_H
#define GX_TEXT_COLLATE_H

#include <stddef.h>
#include <stdint.h>

enum collation { COLL_NONE, COLL_EN, COLL_ZH_HANS, COLL_ZH_HANT, COLL_COUNT };

/* The collation for a BCP 47 locale or an Accept-Language value (its
 * first tag): zh-Hans, zh-CN, zh-SG → pinyin; zh-Hant, zh-TW, zh-HK,
 * zh-MO → stroke; anything else → English. COLL_NONE for NULL, "" or "*". */
enum collation collation_for_locale(const char *locale);
/* "en", "zh_hans", "zh_hant" (the name the SQL function sortkey takes). */
const char *collation_name(enum collation c);
enum collation collation_by_name(const char *name);	/* COLL_NONE if unknown */

/* The sort key of UTF-8 s under c: byte strings that compare with memcmp
 * as the texts collate. malloc'd, its length in *len; NULL on failure. */
uint8_t *collation_key(enum collation c, const char *s, size_t n, size_t *len);

void collation_shutdown(void);

#endif
