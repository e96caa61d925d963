/* SPDX-License-Identifier: MIT */
/* Importing records from CSV or vCard files, and undoing an import.
 *
 * Every row goes through the engine (record_insert / record_update), so it
 * is validated and its hooks run (identifiers, history, search); a bad
 * row is rolled back whole, recorded with its line and reason, and the
 * next row goes on. Rows are written in batches, one writer transaction
 * each, committed (synchronous=FULL) before the next is read: a crash
 * loses at most the batch in flight, never one whose progress was shown.
 * Each import is recorded (table imports) with the records it created and
 * the prior values of those it changed (import_records), so that it can be
 * reverted as a whole. */
#ifndef GX_IMPORT_H
#define GX_IMPORT_H

#include <stdatomic.h>
#include <jansson.h>
#include "engine/entity.h"
#include "io/csv.h"
#include "io/encoding.h"

#define IMPORT_BATCH 5000	/* rows read ahead, at most one transaction's */
#define IMPORT_JOB_MS 200	/* a transaction stops taking rows after this
				 * long if other writes wait for the writer */
#define IMPORT_CAREFUL_ROWS 100	/* rows with a savepoint each in one
				 * transaction: rolling one back costs SQLite
				 * more the more the transaction holds */
#define IMPORT_MAX_ERRORS_SHOWN 1000

enum import_format { IMPORT_CSV, IMPORT_VCARD };
enum on_match { MATCH_SKIP, MATCH_UPDATE };
enum on_missing { MISSING_CREATE, MISSING_SKIP };
/* A new customer that looks like one already there (domain/duplicates.h):
 * created all the same, or rejected naming the look-alike. */
enum on_duplicate { DUPLICATE_CREATE, DUPLICATE_SKIP };

struct import_options {
	const struct entity *en;
	enum import_format format;
	enum text_encoding encoding;	/* ENC_AUTO: detected */
	json_t *map;		/* {"header": "field" | null}, or NULL; borrowed */
	const char *key;	/* NULL, "id" or an identifier kind */
	enum on_match on_match;
	enum on_missing on_missing;
	enum on_duplicate on_duplicate;
	const char *source;	/* file name, for the record */
};

struct import_counts {
	long total;		/* rows in the file, -1 while unknown */
	long processed, created, updated, skipped, failed;
};

/* Called after each batch is committed (on the importing thread). */
typedef void import_progress_fn(void *ctx, const struct import_counts *n);

struct import_run {
	struct store *s;
	struct import_options o;
	struct actor who;
	const struct access *create_acc, *update_acc;	/* NULL = the system */
	csv_read_fn *src;	/* the file's bytes */
	void *src_ctx;
	import_progress_fn *progress;
	void *progress_ctx;
	atomic_bool *stop;	/* set to stop between batches; may be NULL */
};

/* Parse the option values as the CLI and the API take them; ERR_BADREQ
 * naming the bad one. */
enum err_code import_options_parse(struct import_options *o, const char *format,
				   const char *encoding, const char *key, const char *on_match,
				   const char *on_missing, struct err *e);
/* on_duplicate: NULL or "create" | "skip" (customers only). */
enum err_code import_duplicates_parse(struct import_options *o, const char *on_duplicate,
				      struct err *e);
/* Record a new import (status "queued"); *id its id. */
enum err_code import_create(struct store *s, const struct import_options *o,
			    const struct actor *who, long total, int64_t *id, struct err *e);
/* Run import id: ERR_OK once it ran to the end (rows may have failed; see
 * *n), or the error that stopped the file as a whole (unknown columns, an
 * unreadable file), which is also recorded as the import's message. */
enum err_code import_execute(struct import_run *run, int64_t id, struct import_counts *n,
			     struct err *e);
/* Undo import id: delete what it created, restore what it changed, in one
 * transaction. ERR_CONFLICT if it is already reverted or still running. */
enum err_code import_revert(struct store *s, int64_t id, const struct actor *who,
			    const struct access *update_acc, const struct access *delete_acc,
			    struct err *e);
/* The import as JSON (status, counts, first errors). user_id 0 sees every
 * import; otherwise another user's import is ERR_NOTFOUND. */
enum err_code import_get(struct store_conn *c, int64_t id, int64_t user_id, json_t **out,
			 struct err *e);
/* The rejected rows as the file had them: CSV with its header, or vCards. */
enum err_code import_rejected(struct store_conn *c, int64_t id, int64_t user_id,
			      struct buf *out, const char **content_type, struct err *e);
/* Imports left "running" by a stopped process become "interrupted". */
enum err_code import_mark_interrupted(struct store *s, struct err *e);
/* Count the rows of a CSV text in memory (for progress). */
long import_count_rows(const char *p, size_t n);

/* ---- used by the row sources (import_rows.c) ---- */

/* A row ready for the writer. */
struct import_row {
	long line;		/* where it starts in the file */
	json_t *values;		/* field -> value, as the engine takes them */
	json_t *idents;		/* identifier kind -> value (customers) */
	int64_t id;		/* the id column, 0 if none */
	char *key;		/* the business key's value, NULL if none */
	char *error;		/* a reason to reject it before writing */
	char *raw;		/* the row as CSV (no line end), or the card's text */
};
void import_row_release(struct import_row *r);

/* A reader of rows: a CSV file mapped by its header (appended to header
 * as a CSV line), or vCards. */
struct row_source;
enum err_code row_source_open(struct row_source **out, const struct import_options *o,
			      csv_read_fn *src, void *src_ctx, struct buf *header, struct err *e);
/* row_source_open in two steps, for a caller that looks at the header
 * (or changes o->map) before the columns are mapped: start reads the
 * header row (*out is set even when it fails), map maps it. */
enum err_code row_source_start(struct row_source **out, const struct import_options *o,
			       csv_read_fn *src, void *src_ctx, struct err *e);
enum err_code row_source_map(struct row_source *rs, struct buf *header, struct err *e);
/* The header row's cells (an empty array for vCards), and the encoding read. */
json_t *row_source_header(const struct row_source *rs);
const char *row_source_encoding(const struct row_source *rs);
/* 1 = a row in *row, 0 = the end, <0 = the file cannot be read on. */
int row_source_next(struct row_source *rs, struct import_row *row, struct err *e);
void row_source_free(struct row_source *rs);

/* ---- the preview (import_preview.c) ---- */

/* The first rows of a file as the import would take them, writing nothing:
 * the header's columns with the field each names by itself ("suggested")
 * and the one it will go to under run->o.map (a header the map leaves out
 * goes to its suggestion), the map to send with the import, the encoding,
 * the number of rows, and up to max_rows rows with what the import would
 * do to each (create, update, skip, or reject with the reason and the
 * fields at fault), found by running them inside a write that is then
 * rolled back. A file that cannot be read at all is the error; columns
 * that cannot be mapped as they are come back as "problem". *out is new. */
enum err_code import_preview(struct import_run *run, const char *file, size_t len,
			     size_t max_rows, json_t **out, struct err *e);
/* The field, identifier kind or "id" a header names by itself (name,
 * label or another name, case and spaces aside), or NULL (none, or a
 * column an import leaves out, such as created_at). */
const char *import_column_suggest(const struct entity *en, const char *header);
/* name as a column's target for en (a field, identifier kind or "id"),
 * as the registry spells it; NULL if it is none. */
const char *import_column_target(const struct entity *en, const char *name);
/* Apply rows inside the caller's write as the import would, each in a
 * savepoint of its own, appending {outcome, reason?, fields?} per row to
 * outcomes. The caller's job fails afterwards, so that the store rolls
 * back whatever they wrote. */
enum err_code import_try_rows(struct wtx *w, struct import_run *run, const struct import_row *rows,
			      size_t n, json_t *outcomes, struct err *e);

#endif
