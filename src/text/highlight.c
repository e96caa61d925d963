/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "text/highlight.h"
#include "text/search.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/utf8.h"

/* A value in search form (or its digits), with, for each byte, the
 * character of the value it came from. */
struct folded {
	struct buf b;
	size_t *owner;		/* b.len entries used */
	size_t owner_cap;
};

static void
add_piece(struct folded *f, const char *p, size_t n, size_t ch)
{
	size_t at = f->b.len;

	if (buf_add(&f->b, p, n) != 0)
		return;	/* past the cap: the rest is not looked at */
	if (f->owner_cap < f->b.len) {	/* grows as the text does */
		f->owner_cap = f->b.cap;
		f->owner = xrealloc(f->owner, f->owner_cap * sizeof(*f->owner));
	}
	for (size_t k = 0; k < n; k++)
		f->owner[at + k] = ch;
}

static void
fold_each(struct folded *f, const char *text, bool digits)
{
	size_t n = strlen(text);

	buf_init(&f->b, 1 << 20);
	f->owner = NULL;
	f->owner_cap = 0;
	for (size_t i = 0, chars = 0; i < n && chars < HIGHLIGHT_MAX_CHARS; chars++) {
		unsigned cp;
		size_t len = utf8_decode(text + i, &cp);
		if (digits) {
			if (cp >= '0' && cp <= '9')
				add_piece(f, text + i, 1, chars);
		} else if (cp < 0x80) {
			char c = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
			add_piece(f, &c, 1, chars);
		} else {
			size_t flen = 0;
			char *one = text_search_fold(text + i, len, &flen);
			if (one)
				add_piece(f, one, flen, chars);
			free(one);
		}
		i += len;
	}
}

static int
by_start(const void *a, const void *b)
{
	const struct text_range *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* Sort and merge the n ranges of r in place; the count left. */
static size_t
merge(struct text_range *r, size_t n)
{
	size_t k = 0;

	qsort(r, n, sizeof(*r), by_start);
	for (size_t i = 0; i < n; i++) {
		if (k && r[i].start <= r[k - 1].end) {
			if (r[i].end > r[k - 1].end)
				r[k - 1].end = r[i].end;
		} else {
			r[k++] = r[i];
		}
	}
	return k;
}

/* Add range r to out (n of max), merging when it is full; false once
 * even merged ranges fill it. */
static bool
add_range(struct text_range *out, size_t *n, size_t max, struct text_range r)
{
	if (*n == max && (*n = merge(out, *n)) == max)
		return false;
	out[(*n)++] = r;
	return true;
}

/* Every occurrence of each needle in f, as ranges of characters. */
static size_t
find_all(const struct folded *f, const char *const *needles, size_t nneedles, bool digits,
	 struct text_range *out, size_t max)
{
	const char *hay = f->b.data ? f->b.data : "";
	size_t n = 0;
	bool room = true;

	for (size_t k = 0; k < nneedles && room; k++) {
		const char *nd = needles[k];
		size_t len = nd ? strlen(nd) : 0;
		if (!len)
			continue;
		for (const char *p = strstr(hay, nd); p && room; p = strstr(p + 1, nd)) {
			size_t at = (size_t)(p - hay);
			room = add_range(out, &n, max, (struct text_range){ f->owner[at], f->owner[at + len - 1] + 1 });
		}
		/* the number typed whole, calling code and all, ends with ours */
		if (digits && f->b.len && len > f->b.len && strcmp(nd + len - f->b.len, hay) == 0)
			room = add_range(out, &n, max, (struct text_range){ f->owner[0], f->owner[f->b.len - 1] + 1 });
	}
	return merge(out, n);
}

static size_t
highlight(const char *text, const char *const *needles, size_t nneedles, bool digits,
	  struct text_range *out, size_t max)
{
	struct folded f;

	if (!text || !max || !utf8_valid(text, strlen(text)))
		return 0;
	fold_each(&f, text, digits);
	size_t n = find_all(&f, needles, nneedles, digits, out, max);
	buf_release(&f.b);
	free(f.owner);
	return n;
}

size_t
text_highlight(const char *text, const char *const *needles, size_t nneedles,
	       struct text_range *out, size_t max)
{
	return highlight(text, needles, nneedles, false, out, max);
}

size_t
text_highlight_digits(const char *text, const char *const *needles, size_t nneedles,
		      struct text_range *out, size_t max)
{
	return highlight(text, needles, nneedles, true, out, max);
}
