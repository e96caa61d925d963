/* SPDX-License-Identifier: MIT */
/* Unicode text folding for matching (ICU): case folding, so that "MÜLLER"
 * matches "Müller" and "ΣΊΣΥΦΟΣ" matches "σίσυφος". */
#ifndef GX_FOLD_H
#define GX_FOLD_H

#include <stddef.h>

/* Fold valid UTF-8 s (n bytes) to its case-folded UTF-8, malloc'd and
 * NUL-terminated, its length in *outlen; NULL if s is not valid UTF-8. */
char *text_casefold(const char *s, size_t n, size_t *outlen);

#endif
