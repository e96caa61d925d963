/* SPDX-License-Identifier: MIT */
/* Bulk actions (see bulk.h): a request is checked and its records chosen
 * on the request's thread (so "all N matching" means the N matching at
 * that moment), then the job runs on a thread of its own, one write
 * transaction per batch, each record in a savepoint so that one record's
 * failure leaves the others of its batch in. */
#include <stdlib.h>
#include <string.h>
#include "auth/auth.h"
#include "domain/bulk.h"
#include "engine/audit.h"
#include "engine/record.h"
#include "engine/validate.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/workq.h"

static const char *const keys[] = { "action", "value", "ids", "filters", "q", "dry_run", NULL };
static const char *const action_names[] = {
	[BULK_ASSIGN_OWNER] = "assign_owner", [BULK_ADD_TAG] = "add_tag", [BULK_REMOVE_TAG] = "remove_tag",
};

/* The entity's tags, if it has them. */
static const struct field *
tags_field(const struct entity *en)
{
	const struct field *f = entity_field(en, "tags");

	return f && f->type == FT_TAGS ? f : NULL;
}

static bool
action_applies(const struct entity *en, enum bulk_action a)
{
	return a == BULK_ASSIGN_OWNER ? en->def->owner_field != NULL : tags_field(en) != NULL;
}

/* ---- the request ---- */

static void
parse_action(struct store_conn *c, struct bulk_request *q, const json_t *body, struct err *e)
{
	const char *name = json_string_value(json_object_get(body, "action"));
	const json_t *value = json_object_get(body, "value");
	char list[80] = "";
	size_t k;

	for (k = 0; k < COUNT_OF(action_names); k++)
		if (action_applies(q->en, (enum bulk_action)k))
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", *list ? ", " : "",
				 action_names[k]);
	for (k = 0; k < COUNT_OF(action_names); k++)
		if (name && strcmp(name, action_names[k]) == 0 && action_applies(q->en, (enum bulk_action)k))
			break;
	if (k == COUNT_OF(action_names)) {
		err_field(e, "action", "must be one of: %s", *list ? list : "(none for this list)");
		return;
	}
	q->action = (enum bulk_action)k;
	if (q->action == BULK_ASSIGN_OWNER) {
		json_t *user = NULL;
		struct err ue = { 0 };
		if (!json_is_integer(value) || json_integer_value(value) < 1 ||
		    user_get(c, json_integer_value(value), &user, &ue) != ERR_OK)
			err_field(e, "value", "must be the id of a user");
		else
			q->value = json_integer(json_integer_value(value));
		json_decref(user);
		err_clear(&ue);
		return;
	}
	const char *why = "must be a tag";
	json_t *one = json_is_string(value) ? json_pack("[O]", value) : NULL;
	json_t *tags = one ? validate_value(tags_field(q->en), one, &why) : NULL;
	json_decref(one);
	if (json_array_size(tags) == 1)
		q->value = json_incref(json_array_get(tags, 0));
	else
		err_field(e, "value", "%s: text of 1 to %u characters", why, field_max_len(tags_field(q->en)));
	json_decref(tags);
}

static void
parse_selection(struct bulk_request *q, const struct access *acc, struct err *e)
{
	json_t *ids = json_object_get(q->body, "ids"), *filters = json_object_get(q->body, "filters");
	json_t *text = json_object_get(q->body, "q");
	size_t i;
	json_t *v;

	if (ids && (filters || text)) {
		err_field(e, "ids", "choose the records by ids, or by filters and q, not both");
		return;
	}
	if (ids) {
		bool ok = json_is_array(ids) && json_array_size(ids) >= 1 && json_array_size(ids) <= BULK_MAX;
		json_array_foreach(ids, i, v)
			ok = ok && json_is_integer(v) && json_integer_value(v) > 0;
		if (!ok)
			err_field(e, "ids", "must be 1 to %d record ids", BULK_MAX);
		else
			q->ids = json_incref(ids);
		return;
	}
	if (!filters && !text) {
		err_field(e, "ids", "choose the records: ids, or filters (possibly []) and q as in the list");
		return;
	}
	if (filters && (!json_is_array(filters) || json_array_size(filters) > LIST_MAX_FILTERS)) {
		err_field(e, "filters", "must be an array of at most %d filters FIELD:OP:VALUE", LIST_MAX_FILTERS);
		return;
	}
	json_array_foreach(filters, i, v) {
		if (!json_is_string(v)) {
			err_field(e, "filters", "filter %zu must be text FIELD:OP:VALUE", i + 1);
			return;
		}
		q->list.filters[q->list.nfilters++] = json_string_value(v);
	}
	if (text && !json_is_string(text)) {
		err_field(e, "q", "must be text");
		return;
	}
	q->list.q = json_string_value(text);
	/* each part checked on its own, so its message goes under its name */
	struct list_params filters_only = q->list;
	filters_only.q = NULL;
	query_check_field(q->en, &filters_only, acc, "filters", "", e);
	if (q->list.q)
		query_check_field(q->en, &(struct list_params){ .q = q->list.q }, acc, "q", "", e);
}

enum err_code
bulk_request_parse(struct store_conn *c, const struct entity *en, const json_t *body,
		   const struct access *acc, struct bulk_request *q, struct err *e)
{
	memset(q, 0, sizeof(*q));
	q->en = en;
	q->body = json_incref((json_t *)body);
	err_unknown_keys(e, q->body, keys);
	json_t *dry = json_object_get(body, "dry_run");
	if (dry && !json_is_boolean(dry))
		err_field(e, "dry_run", "must be true or false");
	q->dry_run = json_is_true(dry);
	if (!q->dry_run || json_object_get(body, "action") || json_object_get(body, "value"))
		parse_action(c, q, body, e);
	parse_selection(q, acc, e);
	return err_fields_invalid(e);
}

void
bulk_request_release(struct bulk_request *q)
{
	json_decref(q->value);
	json_decref(q->ids);
	json_decref(q->body);
	memset(q, 0, sizeof(*q));
}

static int
id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The ids of the records the list shows acc, in id order, up to one past
 * BULK_MAX. */
static enum err_code
select_listed(struct store_conn *c, const struct bulk_request *q, const struct access *acc,
	      int64_t *ids, size_t *n, struct err *e)
{
	char *cursor = NULL;
	enum err_code rc = ERR_OK;

	*n = 0;
	do {
		struct list_params p = q->list;
		char *text;
		size_t len, i;
		json_t *rec;
		p.fields = "id";
		p.sort = "id";
		p.limit = "500";
		p.cursor = cursor;
		if ((rc = query_list(c, q->en, &p, acc, &text, &len, e)) != ERR_OK)
			break;
		json_t *page = json_loadb(text, len, 0, NULL);
		free(text);
		json_array_foreach(json_object_get(page, "data"), i, rec)
			if (*n <= BULK_MAX)
				ids[(*n)++] = json_integer_value(json_object_get(rec, "id"));
		json_t *next = json_object_get(page, "next_cursor");
		free(cursor);
		cursor = json_is_string(next) && *n <= BULK_MAX ? xstrdup(json_string_value(next)) : NULL;
		json_decref(page);
	} while (cursor);
	free(cursor);
	return rc;
}

enum err_code
bulk_select(struct store_conn *c, const struct bulk_request *q, const struct access *acc,
	    int64_t **ids, size_t *n, struct err *e)
{
	int64_t *out = xmalloc((BULK_MAX + 1) * sizeof(*out));
	enum err_code rc = ERR_OK;

	*ids = NULL;
	*n = 0;
	if (q->ids) {
		size_t i, k = 0;
		json_t *v;
		json_array_foreach(q->ids, i, v)
			out[k++] = json_integer_value(v);
		qsort(out, k, sizeof(*out), id_cmp);
		for (i = 0; i < k; i++)	/* each record once */
			if (*n == 0 || out[*n - 1] != out[i])
				out[(*n)++] = out[i];
	} else {
		rc = select_listed(c, q, acc, out, n, e);
	}
	if (rc == ERR_OK && *n > BULK_MAX) {
		err_field(e, "filters", "more than %d records match: narrow the filter", BULK_MAX);
		rc = err_set(e, ERR_INVALID, "more than %d records match; a bulk action takes at most %d "
			     "at once", BULK_MAX, BULK_MAX);
	}
	if (rc != ERR_OK && *n <= BULK_MAX) {
		free(out);
		return rc;
	}
	*ids = out;
	return rc;
}

/* ---- the job ---- */

struct bulk_job {
	struct store *s;
	int64_t id;
	const struct entity *en;
	enum bulk_action action;
	json_t *value;
	json_t *selection;	/* what was chosen, for the record */
	struct actor who;	/* name and role owned */
	struct access acc;	/* update access */
	int64_t *ids;
	size_t n, done;
	long changed, skipped, failed;
	json_t *errors;		/* [{id, code, reason}], at most BULK_MAX_ERRORS */
};

struct bulk_job *
bulk_job_new(struct store *s, const struct bulk_request *q, const struct actor *who,
	     const struct access *acc, int64_t *ids, size_t n)
{
	struct bulk_job *j = xcalloc(1, sizeof(*j));

	j->s = s;
	j->en = q->en;
	j->action = q->action;
	j->value = json_incref(q->value);
	json_t *filters = json_object_get(q->body, "filters");
	j->selection = q->ids ? json_pack("{s:I}", "ids", (json_int_t)n)
			      : json_pack("{s:o,s:s?}", "filters", filters ? json_incref(filters) : json_array(),
					  "q", q->list.q);
	j->who.user_id = who->user_id;
	j->who.name = xstrdup(who->name ? who->name : "");
	j->who.role = xstrdup(who->role ? who->role : "");
	j->acc = *acc;
	j->ids = ids;
	j->n = n;
	j->errors = json_array();
	return j;
}

void
bulk_job_free(struct bulk_job *j)
{
	if (!j)
		return;
	json_decref(j->value);
	json_decref(j->selection);
	json_decref(j->errors);
	free((char *)j->who.name);
	free((char *)j->who.role);
	free(j->ids);
	free(j);
}

int64_t
bulk_job_id(const struct bulk_job *j)
{
	return j->id;
}

enum err_code
bulk_job_record(struct store_conn *c, void *job, struct err *e)
{
	struct bulk_job *j = job;
	char now[TIME_STR_LEN];
	struct stmt *st = store_prepare(c, "INSERT INTO bulk_jobs (entity, user_id, user_name, action, value, "
		"selection, status, total, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)", e);
	enum err_code rc;

	if (!st)
		return e->code;
	time_format(time_now_ms(), now);
	char *value = json_dumps(j->value, JSON_ENCODE_ANY | JSON_COMPACT);
	char *selection = jsonx_dump(j->selection, NULL);
	stmt_bind_str(st, 1, j->en->def->name);
	stmt_bind_int(st, 2, j->who.user_id);
	stmt_bind_str(st, 3, j->who.name);
	stmt_bind_str(st, 4, action_names[j->action]);
	stmt_bind_str(st, 5, value);
	stmt_bind_str(st, 6, selection);
	stmt_bind_int(st, 7, (int64_t)j->n);
	stmt_bind_str(st, 8, now);
	stmt_bind_str(st, 9, now);
	free(value);
	free(selection);
	if ((rc = stmt_run(st, e)) == ERR_OK)
		j->id = store_last_id(c);
	return rc;
}

/* The change one record needs: a new patch, or NULL if it has it already. */
static json_t *
patch_for(const struct bulk_job *j, const json_t *rec)
{
	if (j->action == BULK_ASSIGN_OWNER) {
		const char *f = j->en->def->owner_field;
		return json_equal(json_object_get(rec, f), j->value) ? NULL : json_pack("{s:O}", f, j->value);
	}
	json_t *tags = json_object_get(rec, "tags"), *out = json_array();
	bool has = jsonx_array_has(tags, j->value);
	size_t i;
	json_t *t;

	if ((j->action == BULK_ADD_TAG) == has) {
		json_decref(out);
		return NULL;
	}
	json_array_foreach(tags, i, t)
		if (!json_equal(t, j->value))
			json_array_append(out, t);
	if (j->action == BULK_ADD_TAG)
		json_array_append(out, j->value);
	return json_pack("{s:o}", "tags", out);
}

/* 1 changed, 0 already so, -1 failed (why in e). */
static int
apply(struct wtx *w, const struct bulk_job *j, int64_t id, struct err *e)
{
	json_t *rec, *patch, *out = NULL;
	int r = -1;

	if (record_get(w->c, j->en, id, false, w->acc, &rec, e) != ERR_OK)
		return -1;
	if (!(patch = patch_for(j, rec)))
		r = 0;
	else if (record_update(w, j->en, id, patch, NO_VERSION, &out, e) == ERR_OK)
		r = 1;
	json_decref(out);
	json_decref(patch);
	json_decref(rec);
	return r;
}

static void
add_error(struct bulk_job *j, int64_t id, const struct err *re)
{
	struct buf why;
	const char *k;
	json_t *v;

	if (json_array_size(j->errors) >= BULK_MAX_ERRORS)
		return;
	buf_init(&why, 2048);
	buf_adds(&why, re->msg);
	json_object_foreach(re->fields, k, v)
		buf_printf(&why, "; %s: %s", k, json_string_value(v));
	json_array_append_new(j->errors, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id,
						   "code", err_name(re->code), "reason", why.data ? why.data : ""));
	buf_release(&why);
}

/* One record in a savepoint of its own; its failure is recorded, not
 * returned (only a failure of the savepoints themselves is). */
static enum err_code
one(struct wtx *w, struct bulk_job *j, int64_t id, struct err *e)
{
	struct err re = { 0 };
	struct store_savepoint sp;

	if (store_savepoint(w->c, &sp, e) != ERR_OK)
		return e->code;
	int r = apply(w, j, id, &re);
	if (r >= 0) {
		j->changed += r;
		j->skipped += !r;
		return store_savepoint_release(w->c, &sp, e);
	}
	j->failed++;
	add_error(j, id, &re);
	err_clear(&re);
	return store_savepoint_rollback(w->c, &sp, e);
}

static enum err_code
save_progress(struct store_conn *c, const struct bulk_job *j, const char *status, const char *message,
	      const char *now, struct err *e)
{
	struct stmt *st = store_prepare(c, "UPDATE bulk_jobs SET status = ?, message = ?, processed = ?, "
		"changed = ?, skipped = ?, failed = ?, errors = ?, updated_at = ? WHERE id = ?", e);
	if (!st)
		return e->code;
	char *errors = jsonx_dump(j->errors, NULL);
	stmt_bind_str(st, 1, status);
	stmt_bind_str(st, 2, message);
	stmt_bind_int(st, 3, (int64_t)j->done);
	stmt_bind_int(st, 4, j->changed);
	stmt_bind_int(st, 5, j->skipped);
	stmt_bind_int(st, 6, j->failed);
	stmt_bind_str(st, 7, errors);
	stmt_bind_str(st, 8, now);
	stmt_bind_int(st, 9, j->id);
	free(errors);
	return stmt_run(st, e);
}

/* A batch in one write transaction; its counts go back if it fails. */
static enum err_code
batch_job(struct store_conn *c, void *ctx, struct err *e)
{
	struct bulk_job *j = ctx;
	struct bulk_job before = *j;
	size_t end = j->done + BULK_BATCH < j->n ? j->done + BULK_BATCH : j->n;
	size_t nerrors = json_array_size(j->errors);
	enum err_code rc = ERR_OK;
	struct wtx w;

	wtx_init(&w, c, &j->who, &j->acc);
	for (size_t i = j->done; i < end && rc == ERR_OK; i++)
		rc = one(&w, j, j->ids[i], e);
	if (rc == ERR_OK) {
		j->done = end;
		rc = save_progress(c, j, "running", NULL, w.now, e);
	}
	if (rc != ERR_OK) {
		j->done = before.done;
		j->changed = before.changed;
		j->skipped = before.skipped;
		j->failed = before.failed;
		while (json_array_size(j->errors) > nerrors)
			json_array_remove(j->errors, json_array_size(j->errors) - 1);
	}
	return rc;
}

struct finish {
	struct bulk_job *j;
	const char *status, *message;
};

/* The last state, and the job as a whole in the audit log. */
static enum err_code
finish_job(struct store_conn *c, void *ctx, struct err *e)
{
	struct finish *f = ctx;
	struct bulk_job *j = f->j;
	char now[TIME_STR_LEN];
	enum err_code rc;

	time_format(time_now_ms(), now);
	if ((rc = save_progress(c, j, f->status, f->message, now, e)) != ERR_OK)
		return rc;
	json_t *d = json_pack("{s:I,s:s,s:s,s:O,s:O,s:s,s:I,s:I,s:I,s:I}", "job_id", (json_int_t)j->id,
			      "entity", j->en->def->name, "action", action_names[j->action], "value", j->value,
			      "selection", j->selection, "status", f->status, "total", (json_int_t)j->n,
			      "changed", (json_int_t)j->changed, "skipped", (json_int_t)j->skipped,
			      "failed", (json_int_t)j->failed);
	char *detail = jsonx_dump(d, NULL);
	json_decref(d);
	rc = audit_event_write(c, now, j->who.user_id, j->who.name, "bulk_action", NULL, detail, e);
	free(detail);
	return rc;
}

static struct jobq queue = JOBQ_INIT;

static void
job_run(void *ctx)
{
	struct bulk_job *j = ctx;
	struct err e = { 0 };
	struct finish f = { j, "done", NULL };
	char msg[sizeof(e.msg) + 64];

	while (j->done < j->n) {
		if (atomic_load(&queue.stopping)) {
			f.status = "interrupted";
			f.message = "the server stopped before the job ended; the records done so far stay changed";
			break;
		}
		if (store_write(j->s, batch_job, j, &e) != ERR_OK) {
			snprintf(msg, sizeof(msg), "stopped at a failure of the database: %s", e.msg);
			f.status = "failed";
			f.message = msg;
			err_clear(&e);
			break;
		}
	}
	if (store_write(j->s, finish_job, &f, &e) != ERR_OK)
		log_error("bulk job %lld: %s", (long long)j->id, e.msg);
	err_clear(&e);
	bulk_job_free(j);
}

enum err_code
bulk_job_start(struct bulk_job *j, struct err *e)
{
	if (jobq_submit(&queue, job_run, j) != 0) {
		bulk_job_free(j);
		return err_set(e, ERR_UNAVAILABLE, "the server is shutting down");
	}
	return ERR_OK;
}

void
bulk_jobs_stop(void)
{
	jobq_stop(&queue);	/* queued jobs run, and stop before their first batch */
}

static enum err_code
interrupted_run(struct store_conn *c, void *ctx, struct err *e)
{
	(void)ctx;
	return store_exec(c, "UPDATE bulk_jobs SET status = 'interrupted', message = 'the server stopped "
			  "before the job ended' WHERE status IN ('queued', 'running')", e);
}

enum err_code
bulk_mark_interrupted(struct store *s, struct err *e)
{
	return store_write(s, interrupted_run, NULL, e);
}

/* ---- reading a job ---- */

enum err_code
bulk_job_get(struct store_conn *c, int64_t id, int64_t user_id, json_t **out, struct err *e)
{
	struct stmt *st = store_prepare(c, "SELECT id, entity, user_id, user_name, action, value, selection, "
		"status, message, total, processed, changed, skipped, failed, errors, created_at, updated_at "
		"FROM bulk_jobs WHERE id = ?", e);
	int rc;

	*out = NULL;
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, id);
	if ((rc = stmt_step(st, e)) == 1 && (!user_id || stmt_int(st, 2) == user_id)) {
		json_t *value = json_loads(stmt_text(st, 5), JSON_DECODE_ANY, NULL);
		*out = json_pack("{s:I,s:s,s:o,s:s,s:o,s:o,s:s,s:o,s:I,s:I,s:I,s:I,s:I,s:o,s:s,s:s}",
				 "id", (json_int_t)stmt_int(st, 0), "entity", stmt_text(st, 1),
				 "user", stmt_text_json(st, 3), "action", stmt_text(st, 4),
				 "value", value ? value : json_null(),
				 "selection", json_loads(stmt_text(st, 6), 0, NULL) ?: json_object(),
				 "status", stmt_text(st, 7), "message", stmt_text_json(st, 8),
				 "total", (json_int_t)stmt_int(st, 9), "processed", (json_int_t)stmt_int(st, 10),
				 "changed", (json_int_t)stmt_int(st, 11), "skipped", (json_int_t)stmt_int(st, 12),
				 "failed", (json_int_t)stmt_int(st, 13),
				 "errors", json_loads(stmt_text(st, 14), 0, NULL) ?: json_array(),
				 "created_at", stmt_text(st, 15), "updated_at", stmt_text(st, 16));
	}
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	return *out ? ERR_OK : err_set(e, ERR_NOTFOUND, "bulk job %lld not found", (long long)id);
}
