/* SPDX-License-Identifier: MIT */
/* The store: the only place that knows the database's dialect.
 *
 * Reads run on a connection private to the calling thread (opened on first
 * use, read-only). Writes never run on the caller's thread: store_write()
 * hands a job to the single writer thread, which runs every queued job in
 * one transaction, each inside its own savepoint, and commits them together
 * (group commit: one fsync for many requests). A job that fails is rolled
 * back to its savepoint and leaves nothing behind; store_write() returns only
 * once the job's transaction is durable (or has failed). */
#ifndef GX_STORE_H
#define GX_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "util/buf.h"
#include "text/collate.h"
#include "util/err.h"

struct store;
struct store_conn;
struct stmt;

struct store_options {
	bool sync_normal;	/* synchronous=NORMAL instead of FULL */
	bool create;		/* create the file if missing */
	bool bulk;		/* loading data that can be made again: no fsync,
				 * fewer checkpoints */
};

/* Open DIR/guanxi.db (created with `create`), start the writer thread. */
enum err_code store_open(struct store **out, const char *dir,
			 const struct store_options *opt, struct err *e);
/* Stop the writer after draining its queue, close every connection. */
void store_close(struct store *s);
const char *store_path(const struct store *s);

/* This thread's read connection. */
struct store_conn *store_reader(struct store *s, struct err *e);
/* Make this thread's reads until store_read_end one transaction: one
 * snapshot and one round of locking for all of a request's queries. */
void store_read_begin(struct store *s);
void store_read_end(struct store *s);
/* A number that changes whenever the database changes, by any connection
 * of any process, as c's current snapshot sees it; -1 if unknown. Lets a
 * thread keep what it read for as long as nothing changed. */
int64_t store_data_version(struct store_conn *c);

typedef enum err_code store_write_fn(struct store_conn *c, void *ctx, struct err *e);
/* Run fn(c, ctx, e) in the writer's transaction and wait until it is
 * committed. Returns fn's code, or ERR_STORE if the commit failed. */
enum err_code store_write(struct store *s, store_write_fn *fn, void *ctx, struct err *e);

/* Inside a write job (c is the writer's): are other jobs waiting for it
 * to end? A long job (an import) may end early and go on in another. */
bool store_write_waiting(struct store_conn *c);

typedef void store_done_fn(void *done_ctx, enum err_code rc);
/* The same without waiting: done(done_ctx, rc) runs on the writer thread
 * once the job's transaction is durable or has failed (done may be NULL,
 * and so may e for a job nobody waits on). ctx and e must live until done
 * runs. Returns ERR_UNAVAILABLE if the store is closing. */
enum err_code store_submit(struct store *s, store_write_fn *fn, void *ctx, struct err *e,
			   store_done_fn *done, void *done_ctx);

/* Inside a write job: fn(c, ctx, e) runs at the end of the writer's
 * transaction, after its last job and before COMMIT, in the order
 * deferred, if the deferring job did not fail; release(ctx) (may be NULL)
 * runs either way. For writes that cost much per job: a full-text index
 * flushes its pending rows at every savepoint, one segment per job. A
 * failing fn fails the whole transaction, like a failed COMMIT. */
void store_defer(struct store_conn *c, store_write_fn *fn, void *ctx, void (*release)(void *ctx));
/* Run the deferred writes now, for a read that must see them. */
enum err_code store_run_deferred(struct store_conn *c, struct err *e);

/* A savepoint inside a write job (a part of it that may fail alone);
 * rolled back, it forgets the deferred writes made since as well.
 * Rollback rolls back to the savepoint and releases it. */
struct store_savepoint {
	size_t mark, ran;
};
enum err_code store_savepoint(struct store_conn *c, struct store_savepoint *sp, struct err *e);
enum err_code store_savepoint_release(struct store_conn *c, struct store_savepoint *sp,
				      struct err *e);
enum err_code store_savepoint_rollback(struct store_conn *c, struct store_savepoint *sp,
				       struct err *e);

/* Statements. store_prepare() returns a cached statement, ready to bind
 * (1-based); give it back with stmt_finish() when done. SQL uses ? for
 * parameters; a backend with another style rewrites them here. */
struct stmt *store_prepare(struct store_conn *c, const char *sql, struct err *e);
void stmt_bind_int(struct stmt *st, int i, int64_t v);
void stmt_bind_double(struct stmt *st, int i, double v);
void stmt_bind_text(struct stmt *st, int i, const char *s, size_t n);	/* copied */
void stmt_bind_str(struct stmt *st, int i, const char *s);	/* NULL binds NULL */
void stmt_bind_null(struct stmt *st, int i);
/* Bind a named parameter (":name") if the statement has it. */
void stmt_bind_named_int(struct stmt *st, const char *name, int64_t v);
/* 1 = a row, 0 = done, <0 = error in e (ERR_CONFLICT for a unique
 * constraint, ERR_STORE otherwise). */
int stmt_step(struct stmt *st, struct err *e);
bool stmt_is_null(struct stmt *st, int col);
int64_t stmt_int(struct stmt *st, int col);
double stmt_double(struct stmt *st, int col);
const char *stmt_text(struct stmt *st, int col);	/* valid until next step */
size_t stmt_len(struct stmt *st, int col);
/* The text and its length, or NULL for NULL: two calls into SQLite
 * where stmt_is_null, stmt_text and stmt_len make three. */
const char *stmt_text_or_null(struct stmt *st, int col, size_t *len);
int stmt_columns(struct stmt *st);
void stmt_finish(struct stmt *st);
/* Column col as a JSON value: null if NULL, else its text or integer. */
json_t *stmt_text_json(struct stmt *st, int col);
json_t *stmt_int_json(struct stmt *st, int col);
/* Step st to its end and finish it (a write): ERR_OK or the step's error. */
enum err_code stmt_run(struct stmt *st, struct err *e);
/* Step st to its end and finish it, each row made a JSON value by row:
 * a new array in *out. */
enum err_code stmt_rows_json(struct stmt *st, json_t *(*row)(struct stmt *st), json_t **out,
			     struct err *e);

/* Run SQL with no results (may hold several statements). */
enum err_code store_exec(struct store_conn *c, const char *sql, struct err *e);
int64_t store_last_id(struct store_conn *c);
int store_changes(struct store_conn *c);

/* Bulk loads. Inside a write, store_defer_indexes() drops the indexes of
 * table that enforce no rule (not UNIQUE), keeping their definitions in
 * the same transaction, so that a load does not update each of them row
 * by row; store_restore_indexes() builds every deferred index again, one
 * sort each. The engine restores them whenever it opens the store, so a
 * load that died midway leaves no index missing. */
enum err_code store_defer_indexes(struct store_conn *c, const char *table, struct err *e);
enum err_code store_restore_indexes(struct store_conn *c, struct err *e);

/* Dialect: SQL fragments the engine splices into its queries. */
enum store_class { SC_TEXT, SC_INTEGER, SC_REAL };
const char *store_sql_type(enum store_class sc);
/* Append the columns every record table has: id (generated), created_at,
 * updated_at, version, deleted_at and custom (a JSON object). */
void store_sql_record_columns(struct buf *b);
/* Append the SQL reading key from the JSON object in column col. */
void store_sql_json_get(struct buf *b, const char *col, const char *key);
/* Append col merged with the JSON object parameter ? (RFC 7396: a null
 * member removes the key). */
void store_sql_json_merge(struct buf *b, const char *col);
/* Append "EXISTS (element of JSON array col equals ?)". */
void store_sql_json_array_has(struct buf *b, const char *col);
/* Append "col is one of the elements of the JSON array ?" (one
 * parameter, however many values: a list of selected ids). */
void store_sql_in_json_array(struct buf *b, const char *col);
/* Append a case-insensitive substring test of col against one parameter
 * (the parameter is the pattern built by store_like_pattern). */
void store_sql_icontains(struct buf *b, const char *col);
/* Pattern for store_sql_icontains: %s% with wildcards escaped. */
char *store_like_pattern(const char *s);	/* you own it */
/* Records rendered as JSON by the database itself, so reads need no JSON
 * tree in C: open, one member per field, close. */
enum store_json {
	SJ_VALUE,	/* the column's value as it is */
	SJ_JSON,	/* the column holds JSON text (arrays) */
	SJ_BOOL,	/* 0/1 -> false/true */
	SJ_PATH,	/* member `key` of the JSON object in the column */
};
/* A trigger that clears a row's doc when an UPDATE changes the row but
 * not its doc (writers other than the engine's own). */
void store_sql_doc_trigger(struct buf *b, const char *table);
void store_sql_json_open(struct buf *b);
/* mask: NULL, or "phone" | "email" | "text" to show the value masked. */
void store_sql_json_member(struct buf *b, bool first, const char *key, const char *col,
			   enum store_json how, const char *mask);
void store_sql_json_close(struct buf *b);
bool store_table_has_column(struct store_conn *c, const char *table, const char *col);

/* Append col (or a parameter, "?") as it sorts under collation coll: its
 * collation key, or itself for COLL_NONE. */
void store_sql_sort_expr(struct buf *b, const char *col, enum collation coll);

/* Full-text search (engine/search.h). An index is a table of text columns
 * keyed by the record's id. */
/* (Re)create index `table` with columns cols, empty. */
enum err_code store_search_create(struct store_conn *c, const char *table,
				  const char *const *cols, size_t ncols, struct err *e);
/* INSERT of one row: ? = id, then one ? per column. */
void store_sql_search_insert(struct buf *b, const char *table, const char *const *cols,
			     size_t ncols);
/* Rewrite index table so that no trace of deleted rows remains. */
enum err_code store_search_compact(struct store_conn *c, const char *table, struct err *e);
/* DELETE of the row ? */
void store_sql_search_delete(struct buf *b, const char *table);
/* SELECT of the rows matching the expression ? (store_search_expr): their
 * id as search_id; with cols, also each column's text as search_c0,
 * search_c1 …, newest (highest id) first. */
void store_sql_search_match(struct buf *b, const char *table, const char *const *cols,
			    size_t ncols);
/* Append the match expression: within columns cols, every term matches
 * (each as any of its alternatives, a stride-sized NULL-padded row of
 * terms), or else `joined` (may be NULL) matches. */
void store_search_expr(struct buf *b, const char *const *cols, size_t ncols,
		       const char *const *terms, size_t stride, size_t nterms, const char *joined);

/* Copy everything in the write-ahead log into the database file and empty
 * the log (after an erasure, so old page images do not linger). */
enum err_code store_checkpoint(struct store *s, struct err *e);

/* Online, consistent copy of the whole database to file. */
enum err_code store_backup(struct store *s, const char *file, struct err *e);

/* Nanoseconds spent in the database, process-wide (for /metrics). */
uint64_t store_db_nanos(void);

#endif
