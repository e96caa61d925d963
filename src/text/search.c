/* SPDX-License-Identifier: MIT */
/* Search keys through ICU (normalisation, transliteration) and OpenCC
 * (Traditional → Simplified). The converters are opened once, on first
 * use; OpenCC and ICU transliterators are not documented as safe to share
 * between threads, so each is used under its own lock (both are fast, and
 * the pinyin one runs only on the writer thread). */
#include <pthread.h>
#include <stdatomic.h>
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
static UTransliterator *pinyin, *pinyin_names;

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

static UTransliterator *
open_transliterator(const char *id)
{
	UChar uid[64];
	UErrorCode st = U_ZERO_ERROR;

	u_charsToUChars(id, uid, (int32_t)strlen(id) + 1);
	UTransliterator *t = utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
	if (U_FAILURE(st)) {
		log_error("search: no %s transliterator (%s); pinyin search is off", id,
			  u_errorName(st));
		return NULL;
	}
	return t;
}

static void
open_converters(void)
{
	t2s = open_t2s();
	pinyin = open_transliterator("Han-Latin; Latin-ASCII; Lower");
	pinyin_names = open_transliterator("Han-Latin/Names; Latin-ASCII; Lower");
}

void
text_search_shutdown(void)
{
	if (t2s != (opencc_t)-1)
		opencc_close(t2s);
	t2s = (opencc_t)-1;
	if (pinyin)
		utrans_close(pinyin);
	if (pinyin_names)
		utrans_close(pinyin_names);
	pinyin = pinyin_names = NULL;
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

/* ---- Traditional → Simplified, per character ----
 *
 * Conversion is per character, so each character's answer is asked of
 * OpenCC once and remembered (OpenCC's own call costs microseconds). */

#define T2S_FIRST 0x3400
#define T2S_LAST 0x9FFF

static _Atomic unsigned simplified[T2S_LAST - T2S_FIRST + 1];	/* 0 = not asked yet */

static unsigned
ask_opencc(unsigned cp)
{
	char in[8], *conv;
	unsigned out = cp;
	size_t n = utf8_encode(cp, in);

	in[n] = '\0';
	pthread_mutex_lock(&t2s_lock);
	conv = opencc_convert_utf8(t2s, in, n);
	pthread_mutex_unlock(&t2s_lock);
	if (conv && *conv && utf8_valid(conv, strlen(conv)) &&
	    utf8_decode(conv, &out) != strlen(conv))
		out = cp;	/* more than one character: keep it as it is */
	if (conv)
		opencc_convert_utf8_free(conv);
	return out;
}

static unsigned
simplified_of(unsigned cp)
{
	if (cp < T2S_FIRST || cp > T2S_LAST || t2s == (opencc_t)-1)
		return cp;
	unsigned s = atomic_load_explicit(&simplified[cp - T2S_FIRST], memory_order_relaxed);
	if (!s) {
		s = ask_opencc(cp);
		atomic_store_explicit(&simplified[cp - T2S_FIRST], s, memory_order_relaxed);
	}
	return s;
}

/* s (valid UTF-8) with each character in its Simplified form, in place:
 * a Traditional character and its Simplified one are both three bytes
 * in UTF-8 in the range converted, so the length never changes. */
static char *
to_simplified(char *s, size_t *len)
{
	for (size_t i = 0; i < *len;) {
		unsigned cp, sc;
		size_t n = utf8_decode(s + i, &cp);
		if (n == 3 && (sc = simplified_of(cp)) != cp && sc >= 0x800 && sc <= 0xFFFF)
			utf8_encode(sc, s + i);
		i += n;
	}
	return s;
}

/* ASCII folds to its lower case: no need for ICU. */
static char *
fold_ascii(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);

	for (size_t i = 0; i < n; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
	out[n] = '\0';
	return out;
}

static bool
is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

char *
text_search_fold(const char *s, size_t n, size_t *outlen)
{
	size_t len = n;

	if (is_ascii(s, n)) {
		if (outlen)
			*outlen = n;
		return fold_ascii(s, n);
	}
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

/* ---- pinyin ----
 *
 * ICU's Han-Latin transliterator reads one character at a time (its Names
 * variant gives a family name its reading: 曾 zeng, not ceng), and is slow;
 * so each character's syllable is asked once and remembered, as a family
 * name (first character) and as any other. */

#define HAN_FIRST 0x3400
#define HAN_LAST 0x9FFF
#define SYLLABLE_MAX 8

static char syllables[2][HAN_LAST - HAN_FIRST + 1][SYLLABLE_MAX];	/* "" = not asked yet */

/* The transliteration of code point cp as lower-case ASCII letters. */
static void
transliterate(UTransliterator *t, unsigned cp, char *out, size_t n)
{
	UChar buf[64];
	int32_t len = 0, limit;
	UErrorCode st = U_ZERO_ERROR;

	U16_APPEND_UNSAFE(buf, len, cp);
	limit = len;
	utrans_transUChars(t, buf, &len, (int32_t)(sizeof(buf) / sizeof(buf[0])), 0, &limit, &st);
	size_t k = 0;
	for (int32_t i = 0; U_SUCCESS(st) && i < len && k + 1 < n; i++)
		if (buf[i] >= 'a' && buf[i] <= 'z')
			out[k++] = (char)buf[i];
	out[k] = '\0';
}

/* The syllable of Han character cp, first of a name or not. */
static const char *
syllable(unsigned cp, bool first)
{
	static _Thread_local char scratch[SYLLABLE_MAX];
	char *slot = cp >= HAN_FIRST && cp <= HAN_LAST ? syllables[first][cp - HAN_FIRST] : scratch;

	pthread_mutex_lock(&pinyin_lock);
	if (slot == scratch || !slot[0]) {
		transliterate(first ? pinyin_names : pinyin, cp, slot, SYLLABLE_MAX);
	}
	pthread_mutex_unlock(&pinyin_lock);
	return slot;
}

char *
text_pinyin(const char *s, size_t n)
{
	if (!utf8_valid(s, n) || !text_has_cjk(s, n))
		return NULL;
	pthread_once(&once, open_converters);
	if (!pinyin || !pinyin_names)
		return NULL;
	struct buf whole, initials;
	buf_init(&whole, n * SYLLABLE_MAX + 2);
	buf_init(&initials, n + 1);
	bool word_start = true, first_han = true;
	for (size_t i = 0; i < n;) {
		unsigned cp;
		i += utf8_decode(s + i, &cp);
		char lower[2] = { 0 };
		const char *piece = lower;
		if (text_is_cjk(cp)) {
			piece = syllable(cp, first_han);
			first_han = false;
			word_start = true;
		} else if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') {
			lower[0] = (char)(cp | 0x20);
		} else if (cp >= '0' && cp <= '9') {
			lower[0] = (char)cp;
		} else {
			word_start = true;
			continue;
		}
		if (!*piece)
			continue;
		buf_adds(&whole, piece);
		if (word_start)
			buf_addc(&initials, *piece);
		word_start = text_is_cjk(cp);
	}
	buf_addc(&whole, ' ');
	buf_add(&whole, initials.data ? initials.data : "", initials.len);
	buf_release(&initials);
	return buf_detach(&whole, NULL);
}
