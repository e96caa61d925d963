/* SPDX-License-Identifier: MIT */
/* The record of imports: creating one, showing it (status, counts,
 * errors, rejected rows) and reverting it as a whole. */
#include <stdio.h>
#include <string.h>
#include "domain/identifiers.h"
#include "domain/import.h"
#include "engine/record.h"
#include "util/jsonx.h"
#include "util/mem.h"

#define REVERT_PAGE 1000

enum err_code
import_options_parse(struct import_options *o, const char *format, const char *encoding,
		     const char *key, const char *on_match, const char *on_missing, struct err *e)
{
	if (format && strcmp(format, "csv") && strcmp(format, "vcard"))
		return err_set(e, ERR_BADREQ, "format must be csv or vcard");
	o->format = format && strcmp(format, "vcard") == 0 ? IMPORT_VCARD : IMPORT_CSV;
	if (encoding && !encoding_parse(encoding, &o->encoding))
		return err_set(e, ERR_BADREQ, "encoding must be auto, utf-8, gb18030 or big5");
	if (on_match && strcmp(on_match, "skip") && strcmp(on_match, "update"))
		return err_set(e, ERR_BADREQ, "on_match must be skip or update");
	o->on_match = on_match && strcmp(on_match, "update") == 0 ? MATCH_UPDATE : MATCH_SKIP;
	if (on_missing && strcmp(on_missing, "create") && strcmp(on_missing, "skip"))
		return err_set(e, ERR_BADREQ, "on_missing must be create or skip");
	o->on_missing = on_missing && strcmp(on_missing, "skip") == 0 ? MISSING_SKIP : MISSING_CREATE;
	o->key = key && *key ? key : NULL;
	if (!o->key || strcmp(o->key, "id") == 0)
		return ERR_OK;
	if (identifier_kind(o->key))
		return strcmp(o->en->def->name, "customers") == 0 ? ERR_OK :
		       err_set(e, ERR_BADREQ, "%s are matched by id only (identifiers are "
			       "customers')", o->en->def->name);
	return err_set(e, ERR_BADREQ, "key must be id or an identifier kind (phone, email, "
		       "member_card, policy_no, plate, national_id, external_id)");
}

enum err_code
import_duplicates_parse(struct import_options *o, const char *v, struct err *e)
{
	if (v && strcmp(v, "create") && strcmp(v, "skip"))
		return err_set(e, ERR_BADREQ, "on_duplicate must be create or skip");
	o->on_duplicate = v && strcmp(v, "skip") == 0 ? DUPLICATE_SKIP : DUPLICATE_CREATE;
	if (o->on_duplicate == DUPLICATE_SKIP && strcmp(o->en->def->name, "customers") != 0)
		return err_set(e, ERR_BADREQ, "on_duplicate applies to customers only");
	return ERR_OK;
}

static json_t *
options_json(const struct import_options *o)
{
	return json_pack("{s:s,s:s,s:s?,s:s,s:s,s:s,s:O?}",
			 "format", o->format == IMPORT_VCARD ? "vcard" : "csv",
			 "encoding", encoding_name(o->encoding), "key", o->key,
			 "on_match", o->on_match == MATCH_UPDATE ? "update" : "skip",
			 "on_missing", o->on_missing == MISSING_SKIP ? "skip" : "create",
			 "on_duplicate", o->on_duplicate == DUPLICATE_SKIP ? "skip" : "create", "map", o->map);
}

struct create_job {
	const struct import_options *o;
	const struct actor *who;
	long total;
	int64_t id;
};

static enum err_code
create_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct create_job *j = ctx;
	struct wtx w;
	struct stmt *st = store_prepare(c, "INSERT INTO imports (entity, user_id, user_name, source, "
		"options, status, total, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)", e);

	if (!st)
		return e->code;
	wtx_init(&w, c, j->who, NULL);
	json_t *opts = options_json(j->o);
	char *text = jsonx_dump(opts, NULL);
	json_decref(opts);
	stmt_bind_str(st, 1, j->o->en->def->name);
	stmt_bind_int(st, 2, j->who->user_id);
	stmt_bind_str(st, 3, j->who->name);
	stmt_bind_str(st, 4, j->o->source);
	stmt_bind_str(st, 5, text);
	if (j->total >= 0)
		stmt_bind_int(st, 6, j->total);
	else
		stmt_bind_null(st, 6);
	stmt_bind_str(st, 7, w.now);
	stmt_bind_str(st, 8, w.now);
	free(text);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	j->id = store_last_id(c);
	return rc < 0 ? e->code : ERR_OK;
}

enum err_code
import_create(struct store *s, const struct import_options *o, const struct actor *who,
	      long total, int64_t *id, struct err *e)
{
	struct create_job j = { o, who, total, 0 };
	enum err_code rc = store_write(s, create_run, &j, e);

	*id = j.id;
	return rc;
}

/* ---- reading ---- */

static const char *const count_cols[] = { "total", "processed", "created", "updated", "skipped", "failed" };

/* The import row; ERR_NOTFOUND if missing or another user's. */
static enum err_code
load(struct store_conn *c, int64_t id, int64_t user_id, json_t **out, struct err *e)
{
	struct stmt *st = store_prepare(c, "SELECT id, entity, user_id, user_name, source, options, "
		"status, message, total, processed, created, updated, skipped, failed, created_at, "
		"updated_at, reverted_at, header FROM imports WHERE id = ?", e);
	int rc;

	*out = NULL;
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, id);
	if ((rc = stmt_step(st, e)) == 1 && (!user_id || stmt_int(st, 2) == user_id)) {
		json_t *o = json_object();
		static const char *const text_cols[] = { "entity", "user", "source" };
		static const int text_at[] = { 1, 3, 4 };
		json_object_set_new(o, "id", json_integer(stmt_int(st, 0)));
		for (int i = 0; i < 3; i++)
			json_object_set_new(o, text_cols[i], stmt_is_null(st, text_at[i]) ? json_null() :
					    json_string(stmt_text(st, text_at[i])));
		json_object_set_new(o, "options", json_loads(stmt_text(st, 5), 0, NULL));
		json_object_set_new(o, "status", json_string(stmt_text(st, 6)));
		json_object_set_new(o, "message", stmt_text_json(st, 7));
		for (int i = 0; i < 6; i++)
			json_object_set_new(o, count_cols[i], stmt_is_null(st, 8 + i) ? json_null() :
					    json_integer(stmt_int(st, 8 + i)));
		json_object_set_new(o, "created_at", json_string(stmt_text(st, 14)));
		json_object_set_new(o, "updated_at", json_string(stmt_text(st, 15)));
		json_object_set_new(o, "reverted_at", stmt_text_json(st, 16));
		json_object_set_new(o, "header", stmt_text_json(st, 17));
		*out = o;
	}
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	return *out ? ERR_OK : err_set(e, ERR_NOTFOUND, "import %lld not found", (long long)id);
}

static enum err_code
load_errors(struct store_conn *c, int64_t id, json_t *into, struct err *e)
{
	struct stmt *st = store_prepare(c, "SELECT line, reason FROM import_errors WHERE import_id = ? "
					"ORDER BY line LIMIT 1000", e);
	int rc;

	if (!st)
		return e->code;
	stmt_bind_int(st, 1, id);
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(into, json_pack("{s:I,s:s}", "line", (json_int_t)stmt_int(st, 0),
						      "reason", stmt_text(st, 1)));
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

enum err_code
import_get(struct store_conn *c, int64_t id, int64_t user_id, json_t **out, struct err *e)
{
	if (load(c, id, user_id, out, e) != ERR_OK)
		return e->code;
	json_object_del(*out, "header");
	json_t *errors = json_array();
	json_object_set_new(*out, "errors", errors);
	if (load_errors(c, id, errors, e) != ERR_OK) {
		json_decref(*out);
		*out = NULL;
		return e->code;
	}
	return ERR_OK;
}

enum err_code
import_rejected(struct store_conn *c, int64_t id, int64_t user_id, struct buf *out,
		const char **content_type, struct err *e)
{
	json_t *im;
	int rc;

	if (load(c, id, user_id, &im, e) != ERR_OK)
		return e->code;
	bool vcard = strcmp(json_string_value(json_object_get(json_object_get(im, "options"), "format")), "vcard") == 0;
	*content_type = vcard ? "text/vcard; charset=utf-8" : "text/csv; charset=utf-8";
	if (!vcard) {
		buf_adds(out, "\xEF\xBB\xBF");
		buf_adds(out, json_string_value(json_object_get(im, "header")) ?: "");
		buf_adds(out, "\r\n");
	}
	json_decref(im);
	struct stmt *st = store_prepare(c, "SELECT raw FROM import_errors WHERE import_id = ? ORDER BY line", e);
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, id);
	while ((rc = stmt_step(st, e)) == 1) {
		if (buf_add(out, stmt_text(st, 0), stmt_len(st, 0)) < 0 ||
		    (!vcard && buf_adds(out, "\r\n") < 0)) {
			stmt_finish(st);
			return err_set(e, ERR_TOOBIG, "the rejected rows are too many to show at once");
		}
	}
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

/* ---- revert ---- */

struct revert_job {
	int64_t id;
	const struct actor *who;
	const struct access *update_acc, *delete_acc;
};

static enum err_code
check_revertible(struct store_conn *c, int64_t id, struct err *e)
{
	json_t *im;

	if (load(c, id, 0, &im, e) != ERR_OK)
		return e->code;
	const char *status = json_string_value(json_object_get(im, "status"));
	enum err_code rc = ERR_OK;
	if (strcmp(status, "reverted") == 0)
		rc = err_set(e, ERR_CONFLICT, "import %lld is already reverted", (long long)id);
	else if (strcmp(status, "running") == 0 || strcmp(status, "queued") == 0)
		rc = err_set(e, ERR_CONFLICT, "import %lld is still running", (long long)id);
	json_decref(im);
	return rc;
}

/* Undo one logged change. */
static enum err_code
undo(struct wtx *w, const struct revert_job *j, const char *entity, int64_t id,
     const char *action, const char *prior, struct err *e)
{
	const struct entity *en = registry_find(entity);
	enum err_code rc;

	if (!en)
		return err_set(e, ERR_INTERNAL, "import of an unknown entity %s", entity);
	if (strcmp(action, "created") == 0) {
		w->acc = j->delete_acc;
		rc = record_delete(w, en, id, NO_VERSION, e);
		if (rc == ERR_NOTFOUND) {	/* deleted since: nothing to undo */
			err_clear(e);
			rc = ERR_OK;
		}
		return rc;
	}
	json_t *p = json_loads(prior ? prior : "{}", 0, NULL), *out = NULL;
	w->acc = j->update_acc;
	rc = record_update(w, en, id, p, NO_VERSION, &out, e);
	json_decref(p);
	json_decref(out);
	return rc;
}

/* Undo the logged changes with seq below *below, newest first; *below
 * becomes the last seq seen (0 when none are left). */
static enum err_code
undo_page(struct wtx *w, const struct revert_job *j, int64_t *below, struct err *e)
{
	struct stmt *st = store_prepare(w->c, "SELECT seq, entity, record_id, action, prior FROM "
		"import_records WHERE import_id = ? AND seq < ? ORDER BY seq DESC LIMIT 1000", e);
	json_t *page = json_array();
	int rc;

	if (!st) {
		json_decref(page);
		return e->code;
	}
	stmt_bind_int(st, 1, j->id);
	stmt_bind_int(st, 2, *below);
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(page, json_pack("{s:I,s:s,s:I,s:s,s:s?}", "seq", (json_int_t)stmt_int(st, 0),
			"entity", stmt_text(st, 1), "id", (json_int_t)stmt_int(st, 2), "action", stmt_text(st, 3),
			"prior", stmt_is_null(st, 4) ? NULL : stmt_text(st, 4)));
	stmt_finish(st);
	*below = 0;
	size_t i;
	json_t *r;
	enum err_code out = rc < 0 ? e->code : ERR_OK;
	json_array_foreach(page, i, r) {
		if (out != ERR_OK)
			break;
		out = undo(w, j, json_string_value(json_object_get(r, "entity")),
			   json_integer_value(json_object_get(r, "id")),
			   json_string_value(json_object_get(r, "action")),
			   json_string_value(json_object_get(r, "prior")), e);
		*below = json_integer_value(json_object_get(r, "seq"));
	}
	json_decref(page);
	return out;
}

static enum err_code
revert_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct revert_job *j = ctx;
	struct wtx w;
	int64_t below = INT64_MAX;
	enum err_code rc;

	if ((rc = check_revertible(c, j->id, e)) != ERR_OK)
		return rc;
	wtx_init(&w, c, j->who, j->update_acc);
	while (below && (rc = undo_page(&w, j, &below, e)) == ERR_OK)
		;
	if (rc != ERR_OK)
		return rc;
	struct stmt *st = store_prepare(c, "UPDATE imports SET status = 'reverted', reverted_at = ?, "
					"updated_at = ? WHERE id = ?", e);
	if (!st)
		return e->code;
	stmt_bind_str(st, 1, w.now);
	stmt_bind_str(st, 2, w.now);
	stmt_bind_int(st, 3, j->id);
	int r = stmt_step(st, e);
	stmt_finish(st);
	return r < 0 ? e->code : ERR_OK;
}

enum err_code
import_revert(struct store *s, int64_t id, const struct actor *who,
	      const struct access *update_acc, const struct access *delete_acc, struct err *e)
{
	struct revert_job j = { id, who, update_acc, delete_acc };

	return store_write(s, revert_run, &j, e);
}

static enum err_code
interrupted_run(struct store_conn *c, void *ctx, struct err *e)
{
	(void)ctx;
	return store_exec(c, "UPDATE imports SET status = 'interrupted', message = "
			  "'the server stopped during the import; what was imported can be reverted' "
			  "WHERE status IN ('running', 'queued')", e);
}

enum err_code
import_mark_interrupted(struct store *s, struct err *e)
{
	return store_write(s, interrupted_run, NULL, e);
}

long
import_count_rows(const char *p, size_t n)
{
	struct csv_mem m = { p, n, 0 };
	struct decoder *d = decoder_new(ENC_AUTO, csv_mem_read, &m);
	struct csv_reader r;
	long rows = -1;
	enum csv_result rc;

	csv_reader_init(&r, decoder_read, d);
	while ((rc = csv_next(&r)) == CSV_ROW || rc == CSV_BAD)
		rows++;
	csv_reader_release(&r);
	decoder_free(d);
	return rows < 0 ? 0 : rows;
}
