/* SPDX-License-Identifier: MIT */
/* Generic create, read, update, delete and restore of any entity's records,
 * with validation, references, hooks and history, all in one transaction.
 *
 * The record_* writers run inside a store_write() job (they take a wtx);
 * record_get reads through any connection. Records come out as new JSON
 * objects: id, every field (null when unset), custom fields, created_at,
 * updated_at, version, and deleted_at when deleted. */
#ifndef GX_RECORD_H
#define GX_RECORD_H

#include <jansson.h>
#include "engine/entity.h"
#include "util/buf.h"

#define NO_VERSION (-1)		/* no If-Match given */

/* Reads see only what acc->read allows (acc NULL: everything); a record
 * outside it is ERR_NOTFOUND. Writes take the access from the wtx: the
 * record must be visible (else ERR_NOTFOUND) and within acc->act (else
 * ERR_FORBIDDEN); a created record must fall within acc->act. */
enum err_code record_get(struct store_conn *c, const struct entity *en, int64_t id,
			 bool include_deleted, const struct access *acc, json_t **out,
			 struct err *e);

enum err_code record_insert(struct wtx *w, const struct entity *en, const json_t *body,
			    json_t **out, struct err *e);
enum err_code record_update(struct wtx *w, const struct entity *en, int64_t id,
			    const json_t *patch, int64_t if_match, json_t **out,
			    struct err *e);
enum err_code record_delete(struct wtx *w, const struct entity *en, int64_t id,
			    int64_t if_match, struct err *e);
enum err_code record_restore(struct wtx *w, const struct entity *en, int64_t id,
			     json_t **out, struct err *e);

/* The record as JSON text, rendered by the database (the fast path for
 * reads); *text is yours to free(). */
enum err_code record_get_text(struct store_conn *c, const struct entity *en, int64_t id,
			      bool include_deleted, const struct access *acc, char **text,
			      size_t *len, struct err *e);
/* Append the SQL expression that renders a row of en as a JSON object:
 * every field, or id plus the names in `select` (a JSON array); with
 * masked, personal fields come masked. */
/* A record's JSON as RECORD_JSON_COLUMNS columns (the doc, the rendering
 * from the columns when there is no doc or it is masked or cut by select,
 * the custom fields, the id), which record_json_append() joins into out
 * from column col on: cheaper than joining strings in SQL. A record's JSON
 * is below RECORD_JSON_MAX (bodies are 1 MiB at most). */
#define RECORD_JSON_MAX (64u << 20)
#define RECORD_JSON_COLUMNS 4
void record_json_columns_sql(struct buf *b, const struct entity *en, const json_t *select,
			     bool masked);
/* 0, -1 past out's cap, or 1 when the row has no doc nor rendering (a
 * list's row whose doc is stale: see record_row_append). */
int record_json_append(struct buf *out, struct stmt *st, int col);
/* A list's row into out: record_json_append, and a record whose doc is
 * stale read again by id. ERR_TOOBIG past out's cap. */
enum err_code record_row_append(struct store_conn *c, const struct entity *en, struct stmt *st,
				int col, struct buf *out, struct err *e);
/* The doc column (record.c): the JSON of a record's declared and
 * bookkeeping fields, rendered in C from the values written, or in SQL
 * from the columns (schema_sync fills old rows with it). */
char *record_doc(const struct entity_def *d, const json_t *values, const char *created_at,
		 const char *updated_at, int64_t version);
void record_doc_sql(struct buf *b, const struct entity_def *d);
/* May the caller's action (w->acc->act) touch record id, which it can
 * see? ERR_FORBIDDEN naming `what` ("change", "delete") if not. */
enum err_code record_check_act(struct wtx *w, const struct entity *en, int64_t id,
			       const char *what, struct err *e);
/* The INSERT and UPDATE statements of an entity (malloc'd, yours). */
void record_write_sql(const struct entity_def *d, char **insert, char **update);
/* Mask en's personal fields in rec, in place (what a caller without the
 * personal-data permission is shown). */
void record_mask(const struct entity *en, json_t *rec);
/* Column col of the current row as JSON, read as field f's type. */
json_t *record_column_value(const struct field *f, struct stmt *st, int col);
/* Bind v (normalised by validation) as parameter i for a field of f's type. */
void record_bind_value(struct stmt *st, int i, const struct field *f, const json_t *v);

#endif
