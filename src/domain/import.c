/* SPDX-License-Identifier: MIT */
/* Running an import: up to IMPORT_BATCH rows read ahead, written by jobs of
 * the store's writer (one transaction each, at most IMPORT_JOB_MS long).
 * A row gets a savepoint of its own only once a row of its job has failed
 * (see batch_job). What a row created or changed is logged in
 * import_records (with the prior values) for import_revert; a rejected row
 * goes to import_errors with its line, reason and text. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "domain/identifiers.h"
#include "domain/duplicates.h"
#include "domain/import.h"
#include "engine/record.h"
#include "schema/schema.h"
#include "util/jsonx.h"
#include "util/mem.h"
#include "util/timeutil.h"

enum outcome { OUT_CREATED, OUT_UPDATED, OUT_SKIPPED };

struct importer {
	struct import_run *run;
	int64_t id;
	int64_t seq;		/* import_records written so far */
	struct import_counts n;
	struct import_row rows[IMPORT_BATCH];
	size_t nrows;		/* rows read */
	size_t next;		/* the first row not written yet */
	size_t careful_from;	/* rows from here on get a savepoint each */
	size_t failed_at;	/* the row that failed without one */
	char *find_sql;		/* SELECT id FROM <entity> WHERE id = ? (live) */
	const char *header;	/* the file's header as a CSV line */
	bool careful;		/* this row has a savepoint (see batch_job) */
	bool retry;		/* a row failed without one: run the job again */
};

static enum err_code
log_record(struct wtx *w, struct importer *im, const char *entity, int64_t id,
	   const char *action, const json_t *prior, struct err *e)
{
	struct stmt *st = store_prepare(w->c, "INSERT INTO import_records "
		"(import_id, seq, entity, record_id, action, prior) VALUES (?, ?, ?, ?, ?, ?)", e);
	if (!st)
		return e->code;
	char *p = prior ? jsonx_dump(prior, NULL) : NULL;
	stmt_bind_int(st, 1, im->id);
	stmt_bind_int(st, 2, ++im->seq);
	stmt_bind_str(st, 3, entity);
	stmt_bind_int(st, 4, id);
	stmt_bind_str(st, 5, action);
	stmt_bind_str(st, 6, p);
	free(p);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

/* Identifier columns of a customer row, added unless it holds them. A
 * customer this row created (fresh) holds none yet, and its identifiers
 * need no log of their own: reverting the customer deletes them with it
 * (customers_after_delete). Another customer's value is refused by the
 * identifiers' own hook, which rejects the row. */
static enum err_code
add_identifiers(struct wtx *w, struct importer *im, int64_t customer, bool fresh,
		const json_t *idents, struct err *e)
{
	const struct entity *ids = registry_find(customer_identifiers_entity.name);
	const char *kind;
	json_t *v;

	json_object_foreach((json_t *)idents, kind, v) {
		enum err_code rc;
		if (!fresh) {
			char *norm = identifier_normalize(kind, json_string_value(v));
			int64_t iid, holder;
			rc = identifier_find(w->c, kind, norm, &iid, &holder, e);
			free(norm);
			if (rc != ERR_OK)
				return rc;
			if (iid && holder == customer)
				continue;
		}
		json_t *body = json_pack("{s:I,s:s,s:O}", "customer_id", (json_int_t)customer,
					 "kind", kind, "value", v), *out = NULL;
		rc = record_insert(w, ids, body, &out, e);
		json_decref(body);
		int64_t new_id = json_integer_value(json_object_get(out, "id"));
		json_decref(out);
		if (rc == ERR_OK && !fresh)
			rc = log_record(w, im, ids->def->name, new_id, "created", NULL, e);
		if (rc != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

/* The live record the row's business key names, 0 if none. */
static enum err_code
find_match(struct wtx *w, struct importer *im, const struct import_row *row, int64_t *id,
	   struct err *e)
{
	const char *key = im->run->o.key;

	*id = 0;
	if (!key || !row->key)
		return ERR_OK;
	if (strcmp(key, "id") == 0) {
		struct stmt *st = store_prepare(w->c, im->find_sql, e);
		if (!st)
			return e->code;
		stmt_bind_int(st, 1, row->id);
		int rc = stmt_step(st, e);
		if (rc == 1)
			*id = stmt_int(st, 0);
		stmt_finish(st);
		return rc < 0 ? e->code : ERR_OK;
	}
	char *norm = identifier_normalize(key, row->key);
	int64_t iid;
	enum err_code rc = identifier_find(w->c, key, norm, &iid, id, e);
	free(norm);
	return rc;
}

static enum err_code
update_one(struct wtx *w, struct importer *im, const struct import_row *row, int64_t id,
	   enum outcome *out, struct err *e)
{
	const struct entity *en = im->run->o.en;
	json_t *old = NULL, *rec = NULL, *prior = json_object();
	const char *k;
	json_t *v;
	enum err_code rc;

	w->acc = im->run->update_acc;
	if ((rc = record_get(w->c, en, id, false, w->acc, &old, e)) != ERR_OK)
		goto out;
	json_object_foreach(row->values, k, v)
		if (!json_equal(v, json_object_get(old, k)))
			json_object_set(prior, k, json_object_get(old, k));
	*out = OUT_SKIPPED;	/* the same values: nothing to do */
	if (json_object_size(prior)) {
		if ((rc = record_update(w, en, id, row->values, NO_VERSION, &rec, e)) != ERR_OK ||
		    (rc = log_record(w, im, en->def->name, id, "updated", prior, e)) != ERR_OK)
			goto out;
		*out = OUT_UPDATED;
	}
	if (json_object_size(row->idents)) {
		int64_t before = im->seq;
		if ((rc = add_identifiers(w, im, id, false, row->idents, e)) != ERR_OK)
			goto out;
		if (im->seq != before)
			*out = OUT_UPDATED;
	}
out:
	w->acc = im->run->create_acc;
	json_decref(old);
	json_decref(rec);
	json_decref(prior);
	return rc;
}

static enum err_code
create_one(struct wtx *w, struct importer *im, const struct import_row *row, struct err *e)
{
	const struct entity *en = im->run->o.en;
	json_t *rec = NULL;
	enum err_code rc = record_insert(w, en, row->values, &rec, e);
	int64_t id = json_integer_value(json_object_get(rec, "id"));

	json_decref(rec);
	if (rc == ERR_OK)
		rc = log_record(w, im, en->def->name, id, "created", NULL, e);
	if (rc == ERR_OK && json_object_size(row->idents))
		rc = add_identifiers(w, im, id, true, row->idents, e);
	return rc;
}

/* ERR_CONFLICT naming the best look-alike of the row, if any. */
static enum err_code
refuse_duplicate(struct wtx *w, struct importer *im, const struct import_row *row, struct err *e)
{
	json_t *found, *best;

	if (duplicates_find(w->c, row->values, im->run->create_acc, &found, e) != ERR_OK)
		return e->code;
	enum err_code rc = ERR_OK;
	if ((best = json_array_get(found, 0))) {
		char *why = jsonx_dump(json_object_get(best, "reasons"), NULL);
		rc = err_set(e, ERR_CONFLICT, "possible duplicate of customer %lld (score %lld: %s)",
			     (long long)json_integer_value(json_object_get(json_object_get(best, "customer"), "id")),
			     (long long)json_integer_value(json_object_get(best, "score")), why);
		free(why);
	}
	json_decref(found);
	return rc;
}

static enum err_code
apply_row(struct wtx *w, struct importer *im, const struct import_row *row, enum outcome *out,
	  struct err *e)
{
	const struct import_options *o = &im->run->o;
	int64_t id;
	enum err_code rc = find_match(w, im, row, &id, e);

	if (rc != ERR_OK)
		return rc;
	if (id)
		return o->on_match == MATCH_SKIP ? (*out = OUT_SKIPPED, ERR_OK) :
		       update_one(w, im, row, id, out, e);
	if (o->on_missing == MISSING_SKIP) {
		*out = OUT_SKIPPED;
		return ERR_OK;
	}
	if (o->on_duplicate == DUPLICATE_SKIP && (rc = refuse_duplicate(w, im, row, e)) != ERR_OK)
		return rc;
	*out = OUT_CREATED;
	return create_one(w, im, row, e);
}

/* "1 field is invalid (email: not an e-mail address)" */
static char *
reason_of(const struct err *e)
{
	struct buf b;
	const char *k;
	json_t *v;
	bool first = true;

	buf_init(&b, 4096);
	buf_adds(&b, e->msg[0] ? e->msg : "rejected");
	json_object_foreach(e->fields, k, v) {
		buf_printf(&b, "%s%s: %s", first ? " (" : "; ", k, json_string_value(v));
		first = false;
	}
	if (!first)
		buf_addc(&b, ')');
	return buf_detach(&b, NULL);
}

static enum err_code
reject(struct wtx *w, struct importer *im, const struct import_row *row, const char *reason,
       struct err *e)
{
	struct stmt *st = store_prepare(w->c, "INSERT OR REPLACE INTO import_errors "
					"(import_id, line, reason, raw) VALUES (?, ?, ?, ?)", e);
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, im->id);
	stmt_bind_int(st, 2, row->line);
	stmt_bind_str(st, 3, reason);
	stmt_bind_text(st, 4, row->raw ? row->raw : "", row->raw ? strlen(row->raw) : 0);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	im->n.failed++;
	return rc < 0 ? e->code : ERR_OK;
}

/* Apply row in a savepoint of its own. Rejected, it leaves nothing
 * written and *re says why; what is returned is the savepoint's own
 * failure (the store's). */
static enum err_code
try_row(struct wtx *w, struct importer *im, const struct import_row *row, enum outcome *out,
	struct err *re, struct err *e)
{
	int64_t seq = im->seq;
	struct store_savepoint sp;

	if (store_savepoint(w->c, &sp, e) != ERR_OK)
		return e->code;
	if (apply_row(w, im, row, out, re) == ERR_OK)
		return store_savepoint_release(w->c, &sp, e);
	im->seq = seq;
	return store_savepoint_rollback(w->c, &sp, e);
}

/* One row (in its own savepoint once careful); a failure is recorded,
 * not returned. */
static enum err_code
row_job(struct wtx *w, struct importer *im, const struct import_row *row, struct err *e)
{
	struct err re = { 0 };
	enum outcome out = OUT_SKIPPED;
	enum err_code rc;

	im->n.processed++;
	if (row->error)
		return reject(w, im, row, row->error, e);
	if (!im->careful) {
		if (apply_row(w, im, row, &out, e) != ERR_OK) {
			im->retry = true;
			return e->code;
		}
	} else if ((rc = try_row(w, im, row, &out, &re, e)) != ERR_OK || re.code != ERR_OK) {
		char *reason = rc == ERR_OK ? reason_of(&re) : NULL;
		err_clear(&re);
		if (reason)
			rc = reject(w, im, row, reason, e);
		free(reason);
		return rc;
	}
	im->n.created += out == OUT_CREATED;
	im->n.updated += out == OUT_UPDATED;
	im->n.skipped += out == OUT_SKIPPED;
	return ERR_OK;
}

enum err_code
import_try_rows(struct wtx *w, struct import_run *run, const struct import_row *rows, size_t n,
		json_t *outcomes, struct err *e)
{
	static const char *const names[] = { [OUT_CREATED] = "create", [OUT_UPDATED] = "update",
					     [OUT_SKIPPED] = "skip" };
	struct importer *im = xcalloc(1, sizeof(*im));
	struct buf sql;
	enum err_code rc = ERR_OK;

	buf_init(&sql, 256);
	buf_printf(&sql, "SELECT id FROM %s WHERE id = ? AND deleted_at IS NULL", run->o.en->def->name);
	im->run = run;
	im->find_sql = sql.data;
	im->careful = true;
	for (size_t i = 0; i < n && rc == ERR_OK; i++) {
		struct err re = { 0 };
		enum outcome out = OUT_SKIPPED;
		json_t *o;
		if (rows[i].error) {
			o = json_pack("{s:s,s:s}", "outcome", "reject", "reason", rows[i].error);
		} else if ((rc = try_row(w, im, &rows[i], &out, &re, e)) != ERR_OK) {
			o = NULL;
		} else if (re.code != ERR_OK) {
			char *reason = reason_of(&re);
			o = json_pack("{s:s,s:s,s:O?}", "outcome", "reject", "reason", reason, "fields", re.fields);
			free(reason);
		} else {
			o = json_pack("{s:s}", "outcome", names[out]);
		}
		err_clear(&re);
		if (o)
			json_array_append_new(outcomes, o);
	}
	buf_release(&sql);
	free(im);
	return rc;
}

static enum err_code
save_counts(struct store_conn *c, struct importer *im, const char *status, const char *message,
	    const char *now, struct err *e)
{
	struct stmt *st = store_prepare(c, "UPDATE imports SET status = ?, message = coalesce(?, message), "
		"header = coalesce(?, header), processed = ?, created = ?, updated = ?, skipped = ?, "
		"failed = ?, total = coalesce(?, total), updated_at = ? WHERE id = ?", e);
	if (!st)
		return e->code;
	stmt_bind_str(st, 1, status);
	stmt_bind_str(st, 2, message);
	stmt_bind_str(st, 3, im->header);
	stmt_bind_int(st, 4, im->n.processed);
	stmt_bind_int(st, 5, im->n.created);
	stmt_bind_int(st, 6, im->n.updated);
	stmt_bind_int(st, 7, im->n.skipped);
	stmt_bind_int(st, 8, im->n.failed);
	if (im->n.total >= 0)
		stmt_bind_int(st, 9, im->n.total);
	else
		stmt_bind_null(st, 9);
	stmt_bind_str(st, 10, now);
	stmt_bind_int(st, 11, im->id);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

/* One writer job: the rows from im->next on, until they run out, or until
 * other writes are waiting once IMPORT_JOB_MS have passed (one
 * transaction: they wait no longer than that for it). Rows go in without savepoints of their own (a savepoint costs
 * about a third of a row: it makes the search index write out what it
 * holds); if a row fails, the job fails, the store rolls all of it back to
 * its own savepoint, and the job runs again with a savepoint for each row
 * from the failed one on (careful_from), so that only bad rows are left
 * out. The rows before it went in once without error: they run as fast
 * again; after IMPORT_CAREFUL_ROWS careful ones the job commits, and the
 * next starts fast. On success im->next is the first row left. */
static enum err_code
batch_job(struct store_conn *c, void *ctx, struct err *e)
{
	struct importer *im = ctx;
	struct wtx w;
	enum err_code rc = ERR_OK;
	struct import_counts before = im->n;
	int64_t seq = im->seq, deadline = time_mono_ns() + IMPORT_JOB_MS * 1000000LL;
	size_t i = im->next;

	wtx_init(&w, c, &im->run->who, im->run->create_acc);
	for (; i < im->nrows && rc == ERR_OK; i++) {
		if (i > im->next && time_mono_ns() > deadline && store_write_waiting(c))
			break;
		if (i > im->next && im->careful_from != SIZE_MAX &&
		    i - im->careful_from >= IMPORT_CAREFUL_ROWS)
			break;	/* see IMPORT_CAREFUL_ROWS */
		im->careful = i >= im->careful_from;
		if ((rc = row_job(&w, im, &im->rows[i], e)) != ERR_OK && im->retry)
			im->failed_at = i;
	}
	if (rc == ERR_OK)
		rc = save_counts(c, im, "running", NULL, w.now, e);
	if (rc != ERR_OK) {	/* the job is rolled back: so are its counts */
		before.total = im->n.total;
		im->n = before;
		im->seq = seq;
		return rc;
	}
	im->next = i;
	return ERR_OK;
}

struct finish {
	struct importer *im;
	const char *status, *message;
};

static enum err_code
finish_job(struct store_conn *c, void *ctx, struct err *e)
{
	struct finish *f = ctx;
	struct wtx w;

	wtx_init(&w, c, &f->im->run->who, NULL);
	return save_counts(c, f->im, f->status, f->message, w.now, e);
}

static enum err_code
finish(struct importer *im, const char *status, const char *message)
{
	struct finish f = { im, status, message };
	struct err e = { 0 };
	enum err_code rc = store_write(im->run->s, finish_job, &f, &e);

	err_clear(&e);
	return rc;
}

static void
release_rows(struct importer *im)
{
	for (size_t i = 0; i < im->nrows; i++)
		import_row_release(&im->rows[i]);
	im->nrows = 0;
}

/* Write the rows read, job by job (see batch_job), reporting progress
 * after each commit. */
static enum err_code
write_rows(struct importer *im, struct err *e)
{
	struct import_run *run = im->run;

	im->next = 0;
	im->careful_from = SIZE_MAX;
	while (im->next < im->nrows) {
		im->retry = false;
		enum err_code rc = store_write(run->s, batch_job, im, e);
		if (rc != ERR_OK && im->retry) {
			/* failed_at only decreases, and from it on no row can
			 * fail this way: the retries end */
			err_clear(e);
			im->careful_from = im->failed_at;
			continue;
		}
		if (rc != ERR_OK)
			return rc;
		if (im->careful_from < im->next)
			im->careful_from = SIZE_MAX;	/* past the bad row: fast again */
		if (run->progress)
			run->progress(run->progress_ctx, &im->n);
		if (run->stop && atomic_load(run->stop))
			return err_set(e, ERR_UNAVAILABLE, "stopped after %ld rows (the server is "
				       "shutting down); what was imported can be reverted",
				       im->n.processed);
	}
	return ERR_OK;
}

/* Read and write every batch; 0 at the end, or an error code. */
static enum err_code
run_batches(struct importer *im, struct row_source *rs, struct err *e)
{
	int r = 1;

	while (r == 1) {
		while (im->nrows < IMPORT_BATCH && (r = row_source_next(rs, &im->rows[im->nrows], e)) == 1)
			im->nrows++;
		if (r < 0) {
			import_row_release(&im->rows[im->nrows]);
			release_rows(im);
			return e->code;
		}
		if (r == 0)
			import_row_release(&im->rows[im->nrows]);
		enum err_code rc = write_rows(im, e);
		release_rows(im);
		if (rc != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

enum err_code
import_execute(struct import_run *run, int64_t id, struct import_counts *n, struct err *e)
{
	struct importer *im = xcalloc(1, sizeof(*im));
	struct row_source *rs = NULL;
	struct buf header;
	struct buf sql;

	im->run = run;
	im->id = id;
	im->n.total = n->total;
	buf_init(&header, CSV_MAX_ROW * 2);
	buf_init(&sql, 256);
	buf_printf(&sql, "SELECT id FROM %s WHERE id = ? AND deleted_at IS NULL", run->o.en->def->name);
	im->find_sql = sql.data;
	enum err_code rc = row_source_open(&rs, &run->o, run->src, run->src_ctx, &header, e);
	im->header = header.data ? header.data : "";
	if (rc == ERR_OK)
		rc = run_batches(im, rs, e);
	if (rc == ERR_OK && im->n.total < 0)
		im->n.total = im->n.processed;
	if (finish(im, rc == ERR_OK ? "done" : "failed", rc == ERR_OK ? NULL : e->msg) != ERR_OK &&
	    rc == ERR_OK)
		rc = err_set(e, ERR_STORE, "the import ran but its record could not be saved");
	*n = im->n;
	row_source_free(rs);
	buf_release(&header);
	buf_release(&sql);
	free(im);
	return rc;
}
