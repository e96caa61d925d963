/* SPDX-License-Identifier: MIT */
/* Where a search matched inside a value, as ranges of the value's own
 * characters, so that a screen can mark them: 客户 marks 客戶 in 王客戶,
 * ＡＢＣ marks abc, a phone number typed any way marks the digits of the
 * number as written.
 *
 * The value is put in search form (text/search.h) one character at a
 * time, remembering which character each folded byte came from; a needle
 * found in the folded text then maps back to the characters it covers,
 * however folding changed their length (ß → ss, ﬁ → fi, 陳 → 陈). */
#ifndef GX_TEXT_HIGHLIGHT_H
#define GX_TEXT_HIGHLIGHT_H

#include <stddef.h>

/* Characters [start, end) of a value, counted in code points. */
struct text_range {
	size_t start, end;
};

#define HIGHLIGHT_MAX_CHARS 4000	/* characters of a value looked at */

/* Ranges of text (valid UTF-8) where any needle (in search form) occurs,
 * sorted and merged, at most max of them; returns how many. Only the
 * first HIGHLIGHT_MAX_CHARS characters are looked at. */
size_t text_highlight(const char *text, const char *const *needles, size_t nneedles,
		      struct text_range *out, size_t max);

/* The same for digit strings (phone numbers): digits match digits, the
 * rest of text is skipped; a needle that ends with all the digits of text
 * (the number typed with its calling code) marks them all. */
size_t text_highlight_digits(const char *text, const char *const *needles, size_t nneedles,
			     struct text_range *out, size_t max);

#endif
