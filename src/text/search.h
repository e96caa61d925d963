/* SPDX-License-Identifier: MIT */
/* Search keys: the one normal form in which records are indexed and
 * queries are asked, so that each finds the other however it was typed.
 *
 *   full-width → half-width and case folded    ＡＢＣ１２３ → abc123 (ICU NFKC_Casefold)
 *   accents removed                            Müller → muller
 *   Traditional → Simplified, per character    陳 客戶 → 陈 客户 (OpenCC's TSCharacters)
 *
 * Per character, not per phrase, so that a part of a word folds as the
 * whole word does (乾隆 and 乾 both fold their 乾 the same way). */
#ifndef GX_TEXT_SEARCH_H
#define GX_TEXT_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

/* s (valid UTF-8, n bytes) in search form, malloc'd and NUL-terminated,
 * its length in *outlen (may be NULL); NULL if s is not valid UTF-8. */
char *text_search_fold(const char *s, size_t n, size_t *outlen);

/* Pinyin keys of a name holding Han characters: the syllables run
 * together, a space, then their initials ("wangxiaoming wxm" for 王小明);
 * NULL if s holds no Han character. */
char *text_pinyin(const char *s, size_t n);

/* Does s hold a Han, kana or Hangul character? */
bool text_has_cjk(const char *s, size_t n);
/* Is code point cp a Han, kana or Hangul character? */
bool text_is_cjk(unsigned cp);

/* Release the converters (at exit, so leak checkers stay quiet). */
void text_search_shutdown(void);

#endif
