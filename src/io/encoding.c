/* SPDX-License-Identifier: MIT */
/* Encoding detection and conversion with ICU converters (see encoding.h). */
#include <string.h>
#include <strings.h>
#include <unicode/ucnv.h>
#include "io/encoding.h"
#include "util/mem.h"
#include "util/utf8.h"

static const char *const icu_names[] = {
	[ENC_AUTO] = "UTF-8", [ENC_UTF8] = "UTF-8", [ENC_GB18030] = "GB18030", [ENC_BIG5] = "Big5",
};

bool
encoding_parse(const char *name, enum text_encoding *out)
{
	static const struct {
		const char *name;
		enum text_encoding enc;
	} names[] = {
		{ "auto", ENC_AUTO }, { "utf-8", ENC_UTF8 }, { "utf8", ENC_UTF8 },
		{ "gb18030", ENC_GB18030 }, { "gbk", ENC_GB18030 }, { "gb2312", ENC_GB18030 },
		{ "big5", ENC_BIG5 },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(names[i].name, name) == 0) {
			*out = names[i].enc;
			return true;
		}
	}
	return false;
}

const char *
encoding_name(enum text_encoding enc)
{
	return enc == ENC_AUTO ? "auto" : icu_names[enc];
}

/* The length of p[0..n) without a UTF-8 sequence cut short at its end. */
static size_t
whole_utf8(const unsigned char *p, size_t n)
{
	for (size_t back = 1; back <= 3 && back <= n; back++) {
		unsigned char c = p[n - back];
		if ((c & 0xC0) == 0x80)
			continue;
		size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
		return need > back ? n - back : n;
	}
	return n;
}

/* Does p[0..n) decode in the ICU encoding without an illegal sequence? */
static bool
decodes(const char *icu, const char *p, size_t n)
{
	UErrorCode err = U_ZERO_ERROR;
	UConverter *c = ucnv_open(icu, &err);
	UChar tmp[1024];
	const char *s = p;

	if (U_FAILURE(err))
		return false;
	ucnv_setToUCallBack(c, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL, &err);
	do {
		UChar *t = tmp;
		err = U_ZERO_ERROR;
		ucnv_toUnicode(c, &t, tmp + 1024, &s, p + n, NULL, false, &err);
	} while (err == U_BUFFER_OVERFLOW_ERROR);
	ucnv_close(c);
	return U_SUCCESS(err);
}

/* Double-byte characters in the frequent blocks of each encoding. */
static void
score(const unsigned char *p, size_t n, long *big5, long *gb, bool *four_byte)
{
	*big5 = *gb = 0;
	*four_byte = false;
	for (size_t i = 0; i + 1 < n;) {
		unsigned c = p[i], d = p[i + 1];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (d >= 0x30 && d <= 0x39) {	/* only GB18030 has these */
			*four_byte = true;
			i += 4;
			continue;
		}
		if (c >= 0xA4 && (c < 0xC6 || (c == 0xC6 && d < 0x7F)))
			(*big5)++;
		if (c >= 0xB0 && c <= 0xD7 && d >= 0xA1)
			(*gb)++;
		i += 2;
	}
}

enum text_encoding
encoding_detect(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;

	if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
		return ENC_UTF8;
	if (utf8_valid(p, whole_utf8(u, n)))
		return ENC_UTF8;
	/* a sample may end inside a character: leave the last two bytes out */
	size_t m = n > 2 ? n - 2 : n;
	bool big5_ok = decodes("Big5", p, m), gb_ok = decodes("GB18030", p, m);
	long big5, gb;
	bool four;
	score(u, m, &big5, &gb, &four);
	if (big5_ok && !four && (!gb_ok || big5 > gb))
		return ENC_BIG5;
	return ENC_GB18030;
}

/* ---- decoding to UTF-8, as a stream ---- */

#define PIVOT 1024

struct decoder {
	enum text_encoding enc;
	csv_read_fn *src;
	void *src_ctx;
	char *in;		/* CSV_CHUNK bytes read from src */
	size_t ipos, ilen;
	bool ieof, started, reset;
	UConverter *from, *to;	/* NULL when passing UTF-8 through */
	UChar pivot[PIVOT], *ps, *pt;
};

struct decoder *
decoder_new(enum text_encoding enc, csv_read_fn *src, void *src_ctx)
{
	struct decoder *d = xcalloc(1, sizeof(*d));

	d->enc = enc;
	d->src = src;
	d->src_ctx = src_ctx;
	d->in = xmalloc(CSV_CHUNK);
	d->ps = d->pt = d->pivot;
	d->reset = true;
	return d;
}

void
decoder_free(struct decoder *d)
{
	if (!d)
		return;
	if (d->from)
		ucnv_close(d->from);
	if (d->to)
		ucnv_close(d->to);
	free(d->in);
	free(d);
}

enum text_encoding
decoder_encoding(struct decoder *d)
{
	return d->enc;
}

/* Refill the input (keeping what is unread); -1 on a read error. */
static int
fill(struct decoder *d)
{
	if (d->ipos > 0) {
		memmove(d->in, d->in + d->ipos, d->ilen - d->ipos);
		d->ilen -= d->ipos;
		d->ipos = 0;
	}
	while (!d->ieof && d->ilen < CSV_CHUNK) {
		ssize_t k = d->src(d->src_ctx, d->in + d->ilen, CSV_CHUNK - d->ilen);
		if (k < 0)
			return -1;
		if (k == 0)
			d->ieof = true;
		d->ilen += (size_t)k;
	}
	return 0;
}

static int
start(struct decoder *d)
{
	UErrorCode err = U_ZERO_ERROR;

	d->started = true;
	if (fill(d) < 0)
		return -1;
	if (d->enc == ENC_AUTO)
		d->enc = encoding_detect(d->in, d->ilen);
	if (d->enc == ENC_UTF8) {
		if (d->ilen >= 3 && memcmp(d->in, "\xEF\xBB\xBF", 3) == 0)
			d->ipos = 3;
		return 0;
	}
	d->from = ucnv_open(icu_names[d->enc], &err);
	if (U_SUCCESS(err))
		d->to = ucnv_open("UTF-8", &err);
	return U_SUCCESS(err) ? 0 : -1;
}

ssize_t
decoder_read(void *ctx, char *p, size_t n)
{
	struct decoder *d = ctx;

	if (!d->started && start(d) < 0)
		return -1;
	for (;;) {
		if (d->ipos == d->ilen && !d->ieof && fill(d) < 0)
			return -1;
		if (!d->from) {
			size_t k = d->ilen - d->ipos < n ? d->ilen - d->ipos : n;
			if (k)
				memcpy(p, d->in + d->ipos, k);
			d->ipos += k;
			if (k || d->ieof)
				return (ssize_t)k;
			continue;
		}
		char *t = p;
		const char *s = d->in + d->ipos;
		UErrorCode err = U_ZERO_ERROR;
		ucnv_convertEx(d->to, d->from, &t, p + n, &s, d->in + d->ilen, d->pivot, &d->ps,
			       &d->pt, d->pivot + PIVOT, d->reset, d->ieof, &err);
		d->reset = false;
		d->ipos = (size_t)(s - d->in);
		size_t made = (size_t)(t - p);
		if (err == U_BUFFER_OVERFLOW_ERROR || (U_SUCCESS(err) && made))
			return (ssize_t)made;
		if (U_FAILURE(err))
			return -1;
		if (d->ieof)
			return 0;
		if (fill(d) < 0)
			return -1;
	}
}

/* ---- encoding UTF-8 into another encoding ---- */

struct encoder {
	enum text_encoding enc;
	UConverter *to, *from;
	UChar pivot[PIVOT];
	char *tmp;
	size_t tmp_cap;
};

struct encoder *
encoder_new(enum text_encoding enc)
{
	struct encoder *x = xcalloc(1, sizeof(*x));
	UErrorCode err = U_ZERO_ERROR;

	x->enc = enc == ENC_AUTO ? ENC_UTF8 : enc;
	if (x->enc == ENC_UTF8)
		return x;
	x->to = ucnv_open(icu_names[x->enc], &err);
	if (U_SUCCESS(err))
		x->from = ucnv_open("UTF-8", &err);
	if (U_SUCCESS(err))
		ucnv_setFromUCallBack(x->to, UCNV_FROM_U_CALLBACK_STOP, NULL, NULL, NULL, &err);
	if (U_FAILURE(err)) {
		encoder_free(x);
		return NULL;
	}
	return x;
}

void
encoder_free(struct encoder *x)
{
	if (!x)
		return;
	if (x->to)
		ucnv_close(x->to);
	if (x->from)
		ucnv_close(x->from);
	free(x->tmp);
	free(x);
}

/* Convert s whole into x->tmp; the output length, or -1. */
static long
convert(struct encoder *x, const char *s, size_t n)
{
	size_t need = n * 4 + 16;
	UErrorCode err = U_ZERO_ERROR;

	if (x->tmp_cap < need) {
		free(x->tmp);
		x->tmp = xmalloc(need);
		x->tmp_cap = need;
	}
	char *t = x->tmp;
	const char *src = s;
	UChar *ps = x->pivot, *pt = x->pivot;
	ucnv_convertEx(x->to, x->from, &t, x->tmp + x->tmp_cap, &src, s + n, x->pivot, &ps, &pt,
		       x->pivot + PIVOT, true, true, &err);
	return U_SUCCESS(err) ? (long)(t - x->tmp) : -1;
}

enum err_code
encoder_write(struct encoder *x, const char *s, size_t n, struct buf *out, struct err *e)
{
	if (!x->to) {
		buf_add(out, s, n);
		return ERR_OK;
	}
	long k = convert(x, s, n);
	if (k >= 0) {
		buf_add(out, x->tmp, (size_t)k);
		return ERR_OK;
	}
	/* find the character to name it */
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t len = utf8_decode(s + i, &cp);
		if (convert(x, s + i, len) < 0)
			return err_set(e, ERR_INVALID, "%.*s (U+%04X) cannot be written in %s", (int)len,
				       s + i, cp, icu_names[x->enc]);
		i += len;
	}
	return err_set(e, ERR_INVALID, "the text cannot be written in %s", icu_names[x->enc]);
}
