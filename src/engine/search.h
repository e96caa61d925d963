/* SPDX-License-Identifier: MIT */
/* Full-text search over any entity with F_SEARCHABLE fields.
 *
 * Each such entity has a search index (the store's full-text table
 * `{entity}_search`): one row per live record, keyed by its id, with one
 * column per searchable built-in field holding the value in search form
 * (text/search.h; phone numbers as international digits) and a column
 * `_pinyin` with the pinyin keys of its names. The engine keeps it in step
 * inside every write's transaction; search_sync builds it for records that
 * existed before it (a new data folder, a new searchable field).
 *
 * A query is split on spaces into terms that must all match, each term
 * matching as a substring of any searchable field; a phone-like query
 * matches the digits however they were written; "wang xiaoming" also
 * matches run together ("wangxiaoming") against the pinyin keys. */
#ifndef GX_SEARCH_H
#define GX_SEARCH_H

#include <jansson.h>
#include "engine/entity.h"
#include "util/buf.h"

#define SEARCH_MAX_TERMS 8
#define SEARCH_MAX_ALTS 3
#define SEARCH_Q_MAX 200	/* bytes */

/* Does en have a search index? */
bool search_enabled(const struct entity *en);

/* The statements writing d's index, fixed by its declaration (the
 * registry keeps them): an INSERT of a record's row and a DELETE of it;
 * both NULL if d has no index. You own them. */
void search_write_sql(const struct entity_def *d, char **insert, char **delete);

/* Create missing search indexes, rebuild those whose layout changed. */
enum err_code search_sync(struct store_conn *c, struct err *e);

/* A bulk load: the phone numbers' indexes deferred (engine_bulk_begin). */
enum err_code search_defer_indexes(struct store_conn *c, struct err *e);
/* Keep record id of en in step after a write: put after insert, update
 * and restore (old: the record before, or NULL); drop after delete. The
 * index rows are written at the end of the transaction (store_defer). */
enum err_code search_put(struct wtx *w, const struct entity *en, int64_t id, const json_t *rec,
			 const json_t *old, struct err *e);
enum err_code search_drop(struct wtx *w, const struct entity *en, int64_t id, struct err *e);

/* Rewrite every search index without the entries of dropped rows (an
 * index keeps them until its segments merge; an erasure must not), inside
 * a write job that wrote something. It rewrites whole indexes (about 110 s
 * for a million customers, writes waiting meanwhile), so erasures call it
 * once, after the last record is erased. */
enum err_code search_purge(struct store_conn *c, struct err *e);

/* A parsed query. */
struct search_query {
	char *term[SEARCH_MAX_TERMS][SEARCH_MAX_ALTS];	/* in search form */
	size_t nterms;
	char *joined;		/* the terms run together (pinyin), or NULL */
	char *phone[SEARCH_MAX_ALTS];	/* a phone-like query's digits (and without trunk 0) */
	char phone_lo[SEARCH_MAX_ALTS][64], phone_hi[SEARCH_MAX_ALTS][66];	/* their reversed range */
	char *expr[2];		/* store match expression: [0] all, [1] no personal fields */
};

/* Parse q; ERR_BADREQ if empty or too long. */
enum err_code search_query_parse(const char *q, struct search_query *out, struct err *e);
void search_query_release(struct search_query *q);

/* Append " AND id IN (records of en matching q)" to a list's WHERE
 * clause, and the values to bind in order to bind[0 .. *nbind - 1].
 * masked: personal fields (phones among them) do not match. */
#define SEARCH_LIST_BINDS (1 + 2 * SEARCH_MAX_ALTS)
void search_list_sql(struct buf *sql, const struct entity *en, const struct search_query *q,
		     bool masked, const char **bind, size_t *nbind);

/* One entity's best matches, visible under acc, appended to out (a JSON
 * array) as {entity, id, score, matched_field, record}. */
enum err_code search_entity(struct store_conn *c, const struct entity *en,
			    const struct search_query *q, const struct access *acc, int limit,
			    json_t *out, struct err *e);

/* Only the phone-number matches of q (a phone-like query) in en. */
enum err_code search_entity_phones(struct store_conn *c, const struct entity *en,
				   const struct search_query *q, const struct access *acc, int limit,
				   json_t *out, struct err *e);

#endif
