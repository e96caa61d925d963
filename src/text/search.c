/* SPDX-License-Identifier: MIT */
/* Search keys through ICU (normalisation, transliteration) and OpenCC
 * (Traditional → Simplified). The converters are opened once, on first
 * use; OpenCC and ICU transliterators are not documented as safe to share
 * between threads, so each is used under its own lock (both are fast, and
 * the pinyin one runs only on the writer thread). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <opencc.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include "text/search.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/utf8.h"

/* Character-level Traditional → Simplified: TSCharacters alone, both to
 * segment and to convert (OpenCC's own t2s.json also converts phrases). */
#define OPENCC_DICT "/usr/share/opencc/TSCharacters.ocd2"
#define OPENCC_CONFIG \
	"{\"name\":\"guanxi t2s characters\"," \
	"\"segmentation\":{\"type\":\"mmseg\",\"dict\":{\"type\":\"ocd2\",\"file\":\"" OPENCC_DICT "\"}}," \
	"\"conversion_chain\":[{\"dict\":{\"type\":\"ocd2\",\"file\":\"" OPENCC_DICT "\"}}]}"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t t2s_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t pinyin_lock = PTHREAD_MUTEX_INITIALIZER;
static opencc_t t2s = (opencc_t)-1;
static UTransliterator *pinyin;

/* OpenCC reads its configuration from a file: write ours to a temporary
 * one, open it, remove it. */
static opencc_t
open_t2s(void)
{
	char path[] = "/tmp/guanxi-opencc-XXXXXX";
	int fd = mkstemp(path);
	opencc_t oc = (opencc_t)-1;

	if (fd < 0) {
		log_error("search: cannot write the OpenCC configuration: %m");
		return oc;
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
	} else if (fputs(OPENCC_CONFIG, f) >= 0 && fclose(f) == 0) {
		oc = opencc_open(path);
	}
	unlink(path);
	if (oc == (opencc_t)-1)
		log_error("search: OpenCC unavailable (%s); Traditional and Simplified "
			 "will not find each other", opencc_error());
	return oc;
}

static void
open_converters(void)
{
	static const char id[] = "Han-Latin/Names; Latin-ASCII; Lower";
	UChar uid[sizeof(id)];
	UErrorCode st = U_ZERO_ERROR;

	t2s = open_t2s();
	u_charsToUChars(id, uid, (int32_t)sizeof(id));
	pinyin = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
	if (U_FAILURE(st)) {
		log_error("search: no Han-Latin transliterator (%s); pinyin search is off",
			 u_errorName(st));
		pinyin = NULL;
	}
}

void
text_search_shutdown(void)
{
	if (t2s != (opencc_t)-1)
		opencc_close(t2s);
	t2s = (opencc_t)-1;
	if (pinyin)
		utrans_close(pinyin);
	pinyin = NULL;
}

bool
text_is_cjk(unsigned cp)
{
	return (cp >= 0x2E80 && cp <= 0x9FFF) ||	/* radicals, kana, CJK ideographs */
	       (cp >= 0xAC00 && cp <= 0xD7AF) ||	/* Hangul syllables */
	       (cp >= 0xF900 && cp <= 0xFAFF) ||	/* compatibility ideographs */
	       (cp >= 0x20000 && cp <= 0x3134F);	/* extensions B-H */
}

bool
text_has_cjk(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned cp;
		i += utf8_decode(s + i, &cp);
		if (text_is_cjk(cp))
			return true;
	}
	return false;
}

/* ---- UTF-16 steps ---- */

struct ustr {
	UChar *s;
	int32_t len;
};

static bool
ustr_from_utf8(struct ustr *u, const char *s, size_t n)
{
	UErrorCode st = U_ZERO_ERROR;

	u->s = xmalloc((n + 1) * sizeof(UChar));	/* never more units than bytes */
	u_strFromUTF8(u->s, (int32_t)n + 1, &u->len, s, (int32_t)n, &st);
	return U_SUCCESS(st);
}

static char *
ustr_to_utf8(const struct ustr *u, size_t *outlen)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t need = 0;

	u_strToUTF8(NULL, 0, &need, u->s, u->len, &st);
	char *out = xmalloc((size_t)need + 1);
	st = U_ZERO_ERROR;
	u_strToUTF8(out, need + 1, &need, u->s, u->len, &st);
	if (U_FAILURE(st)) {
		free(out);
		return NULL;
	}
	if (outlen)
		*outlen = (size_t)need;
	return out;
}

/* Replace u by its normalisation under nf. */
static bool
ustr_normalize(struct ustr *u, const UNormalizer2 *nf)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t need = unorm2_normalize(nf, u->s, u->len, NULL, 0, &st);

	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		return false;
	UChar *out = xmalloc(((size_t)need + 1) * sizeof(UChar));
	st = U_ZERO_ERROR;
	need = unorm2_normalize(nf, u->s, u->len, out, need + 1, &st);
	free(u->s);
	u->s = out;
	u->len = need;
	return U_SUCCESS(st);
}

/* Drop the combining marks of a decomposed string (accents). */
static void
ustr_strip_marks(struct ustr *u)
{
	int32_t i = 0, j = 0;

	while (i < u->len) {
		int32_t start = i;
		UChar32 c;
		U16_NEXT(u->s, i, u->len, c);
		if (u_charType(c) == U_NON_SPACING_MARK)
			continue;
		while (start < i)
			u->s[j++] = u->s[start++];
	}
	u->len = j;
}

static char *
fold_unicode(const char *s, size_t n, size_t *outlen)
{
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *nfkc_cf = unorm2_getNFKCCasefoldInstance(&st);
	const UNormalizer2 *nfd = unorm2_getNFDInstance(&st);
	const UNormalizer2 *nfc = unorm2_getNFCInstance(&st);
	struct ustr u;
	char *out = NULL;

	if (U_FAILURE(st) || n > INT32_MAX / 4)
		return NULL;
	if (ustr_from_utf8(&u, s, n) && ustr_normalize(&u, nfkc_cf) && ustr_normalize(&u, nfd)) {
		ustr_strip_marks(&u);
		if (ustr_normalize(&u, nfc))
			out = ustr_to_utf8(&u, outlen);
	}
	free(u.s);
	return out;
}

static char *
to_simplified(char *s, size_t *len)
{
	if (t2s == (opencc_t)-1 || !text_has_cjk(s, *len))
		return s;
	pthread_mutex_lock(&t2s_lock);
	char *conv = opencc_convert_utf8(t2s, s, *len);
	pthread_mutex_unlock(&t2s_lock);
	if (!conv)
		return s;	/* left as it was: still matches itself */
	free(s);
	*len = strlen(conv);
	char *out = xstrdup(conv);
	opencc_convert_utf8_free(conv);
	return out;
}

char *
text_search_fold(const char *s, size_t n, size_t *outlen)
{
	size_t len = 0;

	if (!utf8_valid(s, n))
		return NULL;
	pthread_once(&once, open_converters);
	char *out = fold_unicode(s, n, &len);
	if (!out)
		return NULL;
	out = to_simplified(out, &len);
	if (outlen)
		*outlen = len;
	return out;
}

/* ---- pinyin ---- */

static char *
transliterate(const char *s, size_t n)
{
	struct ustr u;
	char *out = NULL;

	if (!ustr_from_utf8(&u, s, n)) {
		free(u.s);
		return NULL;
	}
	/* room for the Latin: a syllable is at most 6 letters and a space */
	int32_t cap = u.len * 8 + 16, limit = u.len;
	UChar *buf = xmalloc((size_t)cap * sizeof(UChar));
	UErrorCode st = U_ZERO_ERROR;
	memcpy(buf, u.s, (size_t)u.len * sizeof(UChar));
	int32_t len = u.len;
	pthread_mutex_lock(&pinyin_lock);
	utrans_transUChars(pinyin, buf, &len, cap, 0, &limit, &st);
	pthread_mutex_unlock(&pinyin_lock);
	if (U_SUCCESS(st)) {
		free(u.s);
		u.s = buf;
		u.len = len;
		out = ustr_to_utf8(&u, NULL);
	} else {
		free(buf);
	}
	free(u.s);
	return out;
}

char *
text_pinyin(const char *s, size_t n)
{
	if (!utf8_valid(s, n) || !text_has_cjk(s, n))
		return NULL;
	pthread_once(&once, open_converters);
	if (!pinyin)
		return NULL;
	char *latin = transliterate(s, n);
	if (!latin)
		return NULL;
	struct buf whole, initials;
	buf_init(&whole, strlen(latin) * 2 + 2);
	buf_init(&initials, strlen(latin) + 1);
	bool word_start = true;
	for (const char *p = latin; *p; p++) {
		bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9');
		if (alnum) {
			buf_addc(&whole, *p);
			if (word_start)
				buf_addc(&initials, *p);
		}
		word_start = !alnum;
	}
	free(latin);
	buf_addc(&whole, ' ');
	buf_add(&whole, initials.data ? initials.data : "", initials.len);
	buf_release(&initials);
	return buf_detach(&whole, NULL);
}
