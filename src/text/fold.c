/* SPDX-License-Identifier: MIT */
/* Case folding through ICU: UTF-8 -> UTF-16, u_strFoldCase, back. Short
 * strings use stack buffers; long ones the heap. */
#include <stdlib.h>
#include <string.h>
#include <unicode/ustring.h>
#include <unicode/uchar.h>
#include "text/fold.h"
#include "util/mem.h"

#define STACK_UNITS 256

/* UTF-8 -> UTF-16 in *buf (cap units), growing on the heap if needed. */
static UChar *
to_utf16(const char *s, size_t n, UChar *stack, int32_t cap, int32_t *len)
{
	UErrorCode st = U_ZERO_ERROR;

	u_strFromUTF8(stack, cap, len, s, (int32_t)n, &st);
	if (st == U_BUFFER_OVERFLOW_ERROR) {
		UChar *heap = xmalloc(((size_t)*len + 1) * sizeof(UChar));
		st = U_ZERO_ERROR;
		u_strFromUTF8(heap, *len + 1, len, s, (int32_t)n, &st);
		if (U_FAILURE(st)) {
			free(heap);
			return NULL;
		}
		return heap;
	}
	return U_FAILURE(st) ? NULL : stack;
}

char *
text_casefold(const char *s, size_t n, size_t *outlen)
{
	UChar in_stack[STACK_UNITS], fold_stack[STACK_UNITS];
	UChar *in, *folded = fold_stack;
	int32_t in_len, fold_len;
	UErrorCode st = U_ZERO_ERROR;
	char *out = NULL;

	if (n > INT32_MAX / 4)
		return NULL;
	if (!(in = to_utf16(s, n, in_stack, STACK_UNITS, &in_len)))
		return NULL;
	fold_len = u_strFoldCase(folded, STACK_UNITS, in, in_len, U_FOLD_CASE_DEFAULT, &st);
	if (st == U_BUFFER_OVERFLOW_ERROR) {
		folded = xmalloc(((size_t)fold_len + 1) * sizeof(UChar));
		st = U_ZERO_ERROR;
		fold_len = u_strFoldCase(folded, fold_len + 1, in, in_len, U_FOLD_CASE_DEFAULT, &st);
	}
	if (U_SUCCESS(st)) {
		int32_t need = 0;
		UErrorCode st2 = U_ZERO_ERROR;
		u_strToUTF8(NULL, 0, &need, folded, fold_len, &st2);
		out = xmalloc((size_t)need + 1);
		st2 = U_ZERO_ERROR;
		u_strToUTF8(out, need + 1, &need, folded, fold_len, &st2);
		if (U_FAILURE(st2)) {
			free(out);
			out = NULL;
		} else if (outlen) {
			*outlen = (size_t)need;
		}
	}
	if (in != in_stack)
		free(in);
	if (folded != fold_stack)
		free(folded);
	return out;
}
