/* SPDX-License-Identifier: MIT */
/* UTF-8 checks used by validation: well-formedness (no overlongs, no
 * surrogates, nothing past U+10FFFF), code point counts, control chars. */
#ifndef GX_UTF8_H
#define GX_UTF8_H

#include <stdbool.h>
#include <stddef.h>

bool utf8_valid(const char *s, size_t n);
/* Code points in a valid UTF-8 string. */
size_t utf8_count(const char *s, size_t n);
/* True if s holds a C0/C1 control or DEL; with allow_space, tab, LF and CR
 * are allowed (multi-line text). s must be valid UTF-8. */
bool utf8_has_control(const char *s, size_t n, bool allow_space);
/* Decode one code point at s (valid UTF-8); returns its byte length. */
size_t utf8_decode(const char *s, unsigned *cp);
/* Encode code point cp (at most U+10FFFF) at out; returns its byte length. */
size_t utf8_encode(unsigned cp, char *out);

#endif
