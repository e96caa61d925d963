/* SPDX-License-Identifier: MIT */
/* The "guanxi" FTS5 tokenizer: substring search in any script.
 *
 * Text arrives already in search form (text/search.h). Like FTS5's own
 * trigram tokenizer, every position emits the three characters starting
 * there, so a query of three or more characters is a phrase of trigrams
 * and matches any substring. Shorter queries get tokens of their own,
 * emitted at the same position (colocated) so phrases still line up:
 *
 *   \x01 + one character    for each Han, kana or Hangul character (陈)
 *   \x02 + two characters   for each pair holding one (大文, 陈大)
 *   \x03 + one or two       where a word, number or run of symbols starts (li, wu, %)
 *
 * so 陈 finds 陈大文 and "li" finds Li Na, without a trigram index having
 * to be scanned. A newline separates values: no token spans it. */
#include <stdbool.h>
#include <string.h>
#include "store/sqlite_fts.h"
#include "text/search.h"
#include "util/utf8.h"

#define MARK_UNI '\x01'
#define MARK_BI '\x02'
#define MARK_WORD '\x03'
#define MAX_TOKEN 16	/* three 4-byte characters, and a mark */

struct cursor {
	const char *text;
	int n;
	int off[4];	/* byte offsets of up to three characters and the end */
	unsigned cp[3];
	int have;	/* characters available from here, 0..3 */
};

enum char_class { BLANK, WORD, CJK, OTHER };

/* Letters and digits of any script but CJK are WORD; ASCII punctuation and
 * symbols OTHER. */
static enum char_class
class_of(unsigned cp)
{
	if (cp == 0 || cp == ' ' || cp == '\t' || cp == '\r' || cp == 0x3000)
		return BLANK;
	if (text_is_cjk(cp))
		return CJK;
	if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp >= 0xC0)
		return WORD;
	return OTHER;
}

/* Read up to three characters at byte offset at, stopping at a newline. */
static void
cursor_at(struct cursor *c, int at)
{
	int o = at;

	c->have = 0;
	while (c->have < 3 && o < c->n) {
		unsigned cp;
		size_t len = utf8_decode(c->text + o, &cp);
		if (cp == '\n' || len == 0)
			break;
		c->off[c->have] = o;
		c->cp[c->have++] = cp;
		o += (int)len;
	}
	c->off[c->have] = o;
}

/* Move c one character on: its window loses the first character and, if
 * it was full, reads the next one (each character is decoded once). */
static void
cursor_next(struct cursor *c)
{
	bool full = c->have == 3;

	for (int k = 1; k <= c->have; k++) {
		c->off[k - 1] = c->off[k];
		if (k < c->have)
			c->cp[k - 1] = c->cp[k];
	}
	c->have--;
	if (!full || c->off[2] >= c->n)
		return;
	unsigned cp;
	size_t len = utf8_decode(c->text + c->off[2], &cp);
	if (cp == '\n' || len == 0)
		return;	/* a window never spans a newline */
	c->cp[2] = cp;
	c->off[3] = c->off[2] + (int)len;
	c->have = 3;
}

static int
emit(void *ctx, int flags, const char *mark, const char *s, int len, int start, int end,
     int (*xToken)(void *, int, const char *, int, int, int))
{
	char tok[MAX_TOKEN];
	int n = 0;

	if (mark)
		tok[n++] = *mark;
	if (len > MAX_TOKEN - n)
		return SQLITE_OK;
	memcpy(tok + n, s, (size_t)len);
	return xToken(ctx, flags, tok, n + len, start, end);
}

/* The tokens at one position of indexed text. */
static int
tokens_at(struct cursor *c, unsigned prev, void *ctx,
	  int (*xToken)(void *, int, const char *, int, int, int))
{
	static const char uni = MARK_UNI, bi = MARK_BI, word = MARK_WORD;
	const char *s = c->text + c->off[0];
	int start = c->off[0], rc = SQLITE_OK, flags = 0;

#define EMIT(mark, nchars)                                                                        \
	do {                                                                                      \
		rc = emit(ctx, flags, mark, s, c->off[nchars] - start, start, c->off[nchars],      \
			  xToken);                                                                \
		flags = FTS5_TOKEN_COLOCATED;                                                     \
	} while (0)

	if (c->have == 3)
		EMIT(NULL, 3);
	bool cjk0 = text_is_cjk(c->cp[0]), cjk1 = c->have > 1 && text_is_cjk(c->cp[1]);
	if (rc == SQLITE_OK && cjk0)
		EMIT(&uni, 1);
	if (rc == SQLITE_OK && c->have > 1 && (cjk0 || cjk1))
		EMIT(&bi, 2);
	/* where a run of letters, digits or symbols starts */
	enum char_class k = class_of(c->cp[0]);
	if (rc == SQLITE_OK && (k == WORD || k == OTHER) && class_of(prev) != k) {
		EMIT(&word, 1);
		enum char_class k1 = c->have > 1 ? class_of(c->cp[1]) : BLANK;
		if (rc == SQLITE_OK && (k1 == WORD || k1 == OTHER))
			EMIT(&word, 2);
	}
#undef EMIT
	return rc;
}

static int
tokenize_document(const char *text, int n, void *ctx,
		  int (*xToken)(void *, int, const char *, int, int, int))
{
	struct cursor c = { .text = text, .n = n };
	unsigned prev = 0;
	int at = 0, rc = SQLITE_OK;

	while (at < n && rc == SQLITE_OK) {
		cursor_at(&c, at);
		if (c.have == 0) {	/* a newline: the next value starts */
			prev = 0;
			at++;
			continue;
		}
		while (c.have > 0 && rc == SQLITE_OK) {
			rc = tokens_at(&c, prev, ctx, xToken);
			prev = c.cp[0];
			at = c.off[1];
			cursor_next(&c);
		}
	}
	return rc;
}

/* A query phrase: trigrams when it is long enough, else the one token
 * that stands for it. */
static int
tokenize_query(const char *text, int n, void *ctx,
	       int (*xToken)(void *, int, const char *, int, int, int))
{
	struct cursor c = { .text = text, .n = n };
	static const char uni = MARK_UNI, bi = MARK_BI, word = MARK_WORD;
	int at = 0, rc = SQLITE_OK;

	cursor_at(&c, 0);
	if (c.have == 0)
		return SQLITE_OK;
	if (c.have < 3) {
		bool cjk = text_is_cjk(c.cp[0]) || (c.have > 1 && text_is_cjk(c.cp[1]));
		const char *mark = !cjk ? &word : c.have == 1 ? &uni : &bi;
		return emit(ctx, 0, mark, text, c.off[c.have], 0, c.off[c.have], xToken);
	}
	while (rc == SQLITE_OK) {
		cursor_at(&c, at);
		if (c.have < 3)
			break;
		rc = emit(ctx, 0, NULL, text + c.off[0], c.off[3] - c.off[0], c.off[0], c.off[3],
			  xToken);
		at = c.off[1];
	}
	return rc;
}

static int
gx_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
	(void)ctx;
	(void)argv;
	if (argc != 0)
		return SQLITE_ERROR;
	static int dummy;
	*out = (Fts5Tokenizer *)&dummy;	/* stateless */
	return SQLITE_OK;
}

static void
gx_delete(Fts5Tokenizer *t)
{
	(void)t;
}

static int
gx_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int n,
	    int (*xToken)(void *, int, const char *, int, int, int))
{
	(void)t;
	if (!utf8_valid(text, (size_t)n))
		return SQLITE_OK;	/* nothing indexable */
	if (flags & FTS5_TOKENIZE_QUERY)
		return tokenize_query(text, n, ctx, xToken);
	return tokenize_document(text, n, ctx, xToken);
}

static fts5_api *
fts5_api_of(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}

int
sqlite_fts_register(sqlite3 *db)
{
	static fts5_tokenizer tok = { gx_create, gx_delete, gx_tokenize };
	fts5_api *api = fts5_api_of(db);

	if (!api)
		return SQLITE_ERROR;
	return api->xCreateTokenizer(api, "guanxi", NULL, &tok, NULL);
}
