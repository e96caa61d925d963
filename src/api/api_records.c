/* SPDX-License-Identifier: MIT */
/* Generic record endpoints: one set of handlers for every entity. Writes
 * go to the store's writer as one job each, so a failed request writes
 * nothing; Idempotency-Key and the created record share the transaction. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "api/api.h"
#include "domain/privacy.h"
#include "engine/search.h"
#include "engine/audit.h"
#include "util/timeutil.h"
#include "engine/query.h"
#include "engine/record.h"
#include "util/jsonx.h"
#include "util/mem.h"

enum job_op { JOB_CREATE, JOB_UPDATE, JOB_DELETE, JOB_RESTORE };

struct record_job {
	enum job_op op;
	const struct entity *en;
	struct actor who;
	struct access acc;
	int64_t id, if_match;
	json_t *body;		/* owned */
	const char *idem_key;	/* create only; NULL = none */
	char idem_hash[crypto_generichash_BYTES * 2 + 1];
	json_t *out;		/* the record */
	char *replay;		/* the stored first answer, for a replay */
	int replay_status;
};

/* Look for the key: 1 = replay set, 0 = new key, <0 = error. */
static int
idem_lookup(struct store_conn *c, struct record_job *j, struct err *e)
{
	struct stmt *st = store_prepare(c, "SELECT request_hash, status, body FROM idempotency_keys "
				       "WHERE user_id = ? AND key = ?", e);
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, j->who.user_id);
	stmt_bind_str(st, 2, j->idem_key);
	int rc = stmt_step(st, e), found = 0;
	if (rc == 1) {
		if (strcmp(stmt_text(st, 0), j->idem_hash) != 0) {
			rc = err_set(e, ERR_IDEMPOTENCY, "Idempotency-Key %s was used with another request",
				     j->idem_key);
		} else {
			j->replay_status = (int)stmt_int(st, 1);
			j->replay = xstrdup(stmt_text(st, 2));
			found = 1;
		}
	}
	stmt_finish(st);
	return rc < 0 ? rc : found;
}

static enum err_code
idem_save(struct wtx *w, struct record_job *j, struct err *e)
{
	struct stmt *st = store_prepare(w->c, "INSERT INTO idempotency_keys "
		"(user_id, key, request_hash, status, body, created_at) VALUES (?, ?, ?, 201, ?, ?)", e);
	if (!st)
		return e->code;
	char *body = jsonx_dump(j->out, NULL);
	stmt_bind_int(st, 1, j->who.user_id);
	stmt_bind_str(st, 2, j->idem_key);
	stmt_bind_str(st, 3, j->idem_hash);
	stmt_bind_str(st, 4, body);
	stmt_bind_str(st, 5, w->now);
	free(body);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

static enum err_code
record_job_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct record_job *j = ctx;
	struct wtx w;
	int rc;

	wtx_init(&w, c, &j->who, &j->acc);
	switch (j->op) {
	case JOB_CREATE:
		if (j->idem_key && (rc = idem_lookup(c, j, e)) != 0)
			return rc < 0 ? (enum err_code)rc : ERR_OK;
		if ((rc = record_insert(&w, j->en, j->body, &j->out, e)) != ERR_OK)
			return rc;
		return j->idem_key ? idem_save(&w, j, e) : ERR_OK;
	case JOB_UPDATE:
		return record_update(&w, j->en, j->id, j->body, j->if_match, &j->out, e);
	case JOB_DELETE:
		return record_delete(&w, j->en, j->id, j->if_match, e);
	case JOB_RESTORE:
		return record_restore(&w, j->en, j->id, &j->out, e);
	}
	return err_set(e, ERR_INTERNAL, "unknown job");
}

static void
record_job_release(void *p)
{
	struct record_job *j = p;

	json_decref(j->out);
	json_decref(j->body);
	free(j->replay);
}

/* A job in the request's arena, released with it. */
static const enum action op_action[] = {
	[JOB_CREATE] = ACT_CREATE, [JOB_UPDATE] = ACT_UPDATE,
	[JOB_DELETE] = ACT_DELETE, [JOB_RESTORE] = ACT_DELETE,
};

static struct record_job *
record_job_new(struct req *r, enum job_op op)
{
	struct record_job *j = arena_alloc(r->arena, sizeof(*j));

	j->op = op;
	req_access(r, op_action[op], &j->acc);
	j->en = r->entity;
	req_actor(r, &j->who);
	arena_defer(r->arena, record_job_release, j);
	return j;
}

/* If-Match: 3, "3" or W/"3"; NO_VERSION when absent. */
static enum err_code
parse_if_match(struct req *r, int64_t *version)
{
	const char *h = req_header(r, "If-Match");
	char digits[24];
	size_t n = 0;

	*version = NO_VERSION;
	if (!h)
		return ERR_OK;
	if (strncmp(h, "W/", 2) == 0)
		h += 2;
	for (; *h; h++) {
		if (*h == '"' || *h == ' ')
			continue;
		if (*h < '0' || *h > '9' || n >= sizeof(digits) - 1 || n >= 15)
			return err_set(&r->err, ERR_BADREQ, "If-Match must be a record version, e.g. If-Match: 3");
		digits[n++] = *h;
	}
	digits[n] = '\0';
	if (n == 0)
		return err_set(&r->err, ERR_BADREQ, "If-Match must be a record version, e.g. If-Match: 3");
	*version = strtoll(digits, NULL, 10);
	return ERR_OK;
}

static enum err_code
parse_idempotency(struct req *r, struct record_job *j)
{
	const char *key = req_header(r, "Idempotency-Key");
	unsigned char h[crypto_generichash_BYTES];
	crypto_generichash_state st;

	if (!key)
		return ERR_OK;
	size_t n = strlen(key);
	bool ok = n >= 1 && n <= 255;
	for (const char *p = key; ok && *p; p++)
		ok = *p >= 0x21 && *p <= 0x7E;
	if (!ok)
		return err_set(&r->err, ERR_BADREQ, "Idempotency-Key must be 1 to 255 printable ASCII characters");
	j->idem_key = key;
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)r->path, strlen(r->path) + 1);
	crypto_generichash_update(&st, (const unsigned char *)r->body.data, r->body.len);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(j->idem_hash, sizeof(j->idem_hash), h, sizeof(h));
	return ERR_OK;
}

static void
add_location(struct req *r, const json_t *rec)
{
	char loc[200];

	snprintf(loc, sizeof(loc), "/api/v1/%s/%lld", r->entity->def->name,
		 (long long)json_integer_value(json_object_get(rec, "id")));
	req_add_header(r, "Location", loc);
}

static struct record_job *
job_of(struct req *r)
{
	return r->async_ctx;
}

static enum err_code
created(struct req *r)
{
	struct record_job *j = job_of(r);

	if (j->replay) {
		/* the first answer, as it was: same status, body and Location */
		json_t *first = json_loads(j->replay, 0, NULL);
		add_location(r, first);
		json_decref(first);
		req_add_header(r, "Idempotent-Replayed", "true");
		return reply_text(r, j->replay_status, "application/json; charset=utf-8", j->replay,
				  strlen(j->replay));
	}
	add_location(r, j->out);
	if (j->acc.masked)
		record_mask(r->entity, j->out);
	return reply_json(r, 201, json_incref(j->out));
}

static enum err_code
written(struct req *r)
{
	struct record_job *j = job_of(r);

	if (j->acc.masked)
		record_mask(r->entity, j->out);
	return reply_json(r, 200, json_incref(j->out));
}

enum err_code
api_records_create(struct req *r)
{
	struct record_job *j = record_job_new(r, JOB_CREATE);
	enum err_code rc;

	if ((rc = req_json_body(r, &j->body)) != ERR_OK || (rc = parse_idempotency(r, j)) != ERR_OK)
		return rc;
	return req_write(r, record_job_run, j, created);
}

enum err_code
api_records_update(struct req *r)
{
	struct record_job *j = record_job_new(r, JOB_UPDATE);
	enum err_code rc;

	if ((rc = req_id(r, &j->id)) != ERR_OK || (rc = parse_if_match(r, &j->if_match)) != ERR_OK ||
	    (rc = req_json_body(r, &j->body)) != ERR_OK)
		return rc;
	return req_write(r, record_job_run, j, written);
}

enum err_code
api_records_delete(struct req *r)
{
	struct record_job *j = record_job_new(r, JOB_DELETE);
	enum err_code rc;

	if ((rc = req_id(r, &j->id)) != ERR_OK || (rc = parse_if_match(r, &j->if_match)) != ERR_OK)
		return rc;
	return req_write(r, record_job_run, j, reply_no_content);
}

enum err_code
api_records_restore(struct req *r)
{
	struct record_job *j = record_job_new(r, JOB_RESTORE);
	enum err_code rc;

	if ((rc = req_id(r, &j->id)) != ERR_OK)
		return rc;
	return req_write(r, record_job_run, j, written);
}

enum err_code
api_records_get(struct req *r)
{
	int64_t id;
	char *text;
	size_t len;
	struct store_conn *c;
	struct access acc;

	req_access(r, ACT_READ, &acc);
	if (req_id(r, &id) != ERR_OK || !(c = store_reader(req_store(r), &r->err)) ||
	    record_get_text(c, r->entity, id, false, &acc, &text, &len, &r->err) != ERR_OK)
		return r->err.code;
	return reply_json_text(r, 200, text, len);
}

enum err_code
req_read_one(struct req *r, read_one_fn *fn)
{
	int64_t id;
	json_t *out;
	struct store_conn *c;
	struct access acc;

	req_access(r, ACT_READ, &acc);
	if (req_id(r, &id) != ERR_OK || !(c = store_reader(req_store(r), &r->err)) ||
	    fn(c, r->entity, id, &acc, &out, &r->err) != ERR_OK)
		return r->err.code;
	return reply_json(r, 200, out);
}

enum err_code
api_records_history(struct req *r)
{
	return req_read_one(r, audit_history);
}

struct collect {
	struct list_params *p;
	const char *const *extra;	/* more names the handler reads itself */
	const char *unknown;
	bool too_many;
};

static enum MHD_Result
collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	static const char *const known[] = { "sort", "limit", "cursor", "fields", "q", "deleted", "locale",
					     "ids", NULL };
	struct collect *c = cls;
	struct list_params *p = c->p;
	const char **slots[] = { &p->sort, &p->limit, &p->cursor, &p->fields, &p->q, &p->deleted, &p->locale,
				 &p->ids };

	(void)kind;
	if (strcmp(key, "filter") == 0) {
		if (p->nfilters == LIST_MAX_FILTERS)
			c->too_many = true;
		else
			p->filters[p->nfilters++] = value ? value : "";
		return MHD_YES;
	}
	for (size_t i = 0; known[i]; i++) {
		if (strcmp(known[i], key) == 0) {
			*slots[i] = value ? value : "";
			return MHD_YES;
		}
	}
	for (size_t i = 0; c->extra && c->extra[i]; i++)
		if (strcmp(c->extra[i], key) == 0)
			return MHD_YES;
	if (!c->unknown)
		c->unknown = key;
	return MHD_YES;
}

enum err_code
req_list_params(struct req *r, struct list_params *p, const char *const *extra)
{
	struct collect c = { .p = p, .extra = extra };

	memset(p, 0, sizeof(*p));
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_arg, &c);
	if (c.unknown)
		return err_set(&r->err, ERR_BADREQ, "unknown query parameter '%.40s' (use filter, sort, "
			       "limit, cursor, fields, q, deleted, locale, ids)", c.unknown);
	if (c.too_many)
		return err_set(&r->err, ERR_BADREQ, "at most %d filters", LIST_MAX_FILTERS);
	if (!p->locale)	/* the browser's language, when the caller names none */
		p->locale = req_header(r, "Accept-Language");
	return ERR_OK;
}

enum err_code
api_records_list(struct req *r)
{
	struct list_params p;
	char *out;
	size_t len;
	struct store_conn *conn;
	struct access acc;

	if (req_list_params(r, &p, NULL) != ERR_OK)
		return r->err.code;
	req_access(r, ACT_READ, &acc);
	if (!(conn = store_reader(req_store(r), &r->err)) ||
	    query_list(conn, r->entity, &p, &acc, &out, &len, &r->err) != ERR_OK)
		return r->err.code;
	return reply_json_text(r, 200, out, len);
}

/* ---- jobs on one record, made by a caller who is audited ---- */

struct caller {
	const struct entity *en;
	struct actor who;
	struct access acc;
	int64_t id;
	char ip[64];
};

/* Fill c for act on r's :id; ERR_NOTFOUND for a bad id. */
static enum err_code
caller_init(struct req *r, enum action act, struct caller *c)
{
	c->en = r->entity;
	req_actor(r, &c->who);
	req_access(r, act, &c->acc);
	req_client_ip(r, c->ip, sizeof(c->ip));
	return req_id(r, &c->id);
}

/* ---- reveal: personal data shown whole, one record at a time, audited ---- */

struct reveal_job {
	struct caller c;
	json_t *fields;		/* names asked for, or NULL for every personal field */
	json_t *out;
};

static void
reveal_release(void *p)
{
	struct reveal_job *j = p;

	json_decref(j->fields);
	json_decref(j->out);
}

static enum err_code
reveal_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct reveal_job *j = ctx;
	struct access whole = j->c.acc;
	json_t *rec;
	char at[TIME_STR_LEN];

	whole.masked = false;
	if (record_get(c, j->c.en, j->c.id, false, &whole, &rec, e) != ERR_OK)
		return e->code;
	j->out = json_object();
	size_t i = 0;
	const struct field *f;
	while ((f = entity_field_at(j->c.en, &i))) {
		bool asked = !j->fields;
		size_t k;
		json_t *n;
		json_array_foreach(j->fields, k, n)
			asked = asked || strcmp(json_string_value(n), f->name) == 0;
		if (asked && field_mask_kind(f))
			json_object_set(j->out, f->name, json_object_get(rec, f->name));
	}
	json_decref(rec);
	/* the look is recorded in the same transaction, before it is answered */
	json_t *names = json_array();
	const char *key;
	json_t *v;
	json_object_foreach(j->out, key, v)
		json_array_append_new(names, json_string(key));
	json_t *d = json_pack("{s:s,s:I,s:o}", "entity", j->c.en->def->name, "record_id",
			      (json_int_t)j->c.id, "fields", names);
	char *detail = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	time_format(time_now_ms(), at);
	enum err_code rc = audit_event_write(c, at, j->c.who.user_id, j->c.who.name, "reveal", j->c.ip, detail, e);
	free(detail);
	return rc;
}

static enum err_code
revealed(struct req *r)
{
	struct reveal_job *j = r->async_ctx;

	return reply_json(r, 200, json_pack("{s:O}", "data", j->out));
}

enum err_code
api_records_reveal(struct req *r)
{
	struct reveal_job *j = arena_alloc(r->arena, sizeof(*j));
	json_t *body = NULL;
	enum err_code rc;

	arena_defer(r->arena, reveal_release, j);
	if ((rc = caller_init(r, ACT_READ, &j->c)) != ERR_OK)
		return rc;
	if (r->body.len) {
		if ((rc = req_json_body(r, &body)) != ERR_OK)
			return rc;
		j->fields = json_incref(json_object_get(body, "fields"));
		const char *k;
		json_t *v;
		json_object_foreach(body, k, v)
			if (strcmp(k, "fields"))
				err_field(&r->err, k, "unknown field");
		size_t i;
		json_array_foreach(j->fields, i, v) {
			const struct field *f = json_is_string(v) ? entity_field(j->c.en, json_string_value(v)) : NULL;
			if (!f || !field_mask_kind(f))
				err_field(&r->err, "fields", "names personal fields of %s", j->c.en->def->name);
		}
		if (j->fields && !json_is_array(j->fields))
			err_field(&r->err, "fields", "must be an array of field names");
		json_decref(body);
		if (r->err.fields)
			return err_set(&r->err, ERR_INVALID, "the reveal is invalid");
	}
	return req_write(r, reveal_run, j, revealed);
}

/* ---- export: everything held about one record's subject, audited ---- */

struct export_job {
	struct caller c;
	json_t *out;
};

static void
export_release(void *p)
{
	json_decref(((struct export_job *)p)->out);
}

/* Every record of child entity `child` under parent id, through the engine's list. */
static enum err_code
children_of(struct store_conn *c, const struct entity *child, int64_t id, const struct access *acc,
	    json_t *into, struct err *e)
{
	char filter[64], *cursor = NULL;

	snprintf(filter, sizeof(filter), "%s:eq:%lld", child->def->parent_field, (long long)id);
	for (;;) {
		struct list_params p = { .filters = { filter }, .nfilters = 1, .limit = "500", .cursor = cursor };
		char *text;
		size_t len;
		if (query_list(c, child, &p, acc, &text, &len, e) != ERR_OK) {
			free(cursor);
			return e->code;
		}
		json_t *page = json_loadb(text, len, 0, NULL);
		free(text);
		json_array_extend(into, json_object_get(page, "data"));
		json_t *next = json_object_get(page, "next_cursor");
		free(cursor);
		cursor = json_is_string(next) ? xstrdup(json_string_value(next)) : NULL;
		json_decref(page);
		if (!cursor)
			return ERR_OK;
	}
}

static enum err_code
export_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct export_job *j = ctx;
	struct wtx w;
	json_t *rec, *history;
	char at[TIME_STR_LEN];

	wtx_init(&w, c, &j->c.who, &j->c.acc);
	if (record_get(c, j->c.en, j->c.id, false, &j->c.acc, &rec, e) != ERR_OK)
		return e->code;
	j->out = json_pack("{s:o}", j->c.en->def->singular, rec);
	if (record_check_act(&w, j->c.en, j->c.id, "export", e) != ERR_OK)
		return e->code;
	/* every entity whose records hang under this one */
	for (size_t i = 0; i < registry_count(); i++) {
		const struct entity *child = registry_at(i);
		const struct field *pf = child->def->parent_field ? entity_field(child, child->def->parent_field) : NULL;
		if (!pf || strcmp(pf->ref, j->c.en->def->name) != 0)
			continue;
		json_t *list = json_array();
		json_object_set_new(j->out, child->def->name, list);
		if (children_of(c, child, j->c.id, &j->c.acc, list, e) != ERR_OK)
			return e->code;
	}
	if (audit_history(c, j->c.en, j->c.id, &j->c.acc, &history, e) != ERR_OK)
		return e->code;
	json_object_set(j->out, "history", json_object_get(history, "data"));
	json_decref(history);
	time_format(time_now_ms(), at);
	json_object_set_new(j->out, "exported_at", json_string(at));
	/* the export is recorded in the same transaction, before it is answered */
	json_t *d = json_pack("{s:s,s:I}", "entity", j->c.en->def->name, "record_id", (json_int_t)j->c.id);
	char *detail = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	enum err_code rc = audit_event_write(c, at, j->c.who.user_id, j->c.who.name, "export", j->c.ip, detail, e);
	free(detail);
	return rc;
}

static enum err_code
exported(struct req *r)
{
	return reply_json(r, 200, json_incref(((struct export_job *)r->async_ctx)->out));
}

enum err_code
api_records_export(struct req *r)
{
	struct export_job *j = arena_alloc(r->arena, sizeof(*j));
	enum err_code rc;

	arena_defer(r->arena, export_release, j);
	if ((rc = caller_init(r, ACT_EXPORT, &j->c)) != ERR_OK)
		return rc;
	j->c.acc.act_shares = SHARES_NONE;	/* a share lets one see, not take away */
	if (!j->c.en->def->owner_field)
		return err_set(&r->err, ERR_NOTFOUND, "%s are exported with the record they belong to",
			       j->c.en->def->name);
	return req_write(r, export_run, j, exported);
}

/* ---- erase: a customer's personal data wiped everywhere ---- */

struct erase_job {
	struct caller c;
};

static enum err_code
erase_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct erase_job *j = ctx;
	struct wtx w;
	char at[TIME_STR_LEN], detail[96];

	wtx_init(&w, c, &j->c.who, &j->c.acc);
	if (privacy_erase(&w, j->c.en, j->c.id, e) != ERR_OK || search_purge(c, e) != ERR_OK)
		return e->code;
	time_format(time_now_ms(), at);
	snprintf(detail, sizeof(detail), "{\"entity\":\"%s\",\"record_id\":%lld}", j->c.en->def->name,
		 (long long)j->c.id);
	return audit_event_write(c, at, j->c.who.user_id, j->c.who.name, "erase", j->c.ip, detail, e);
}

static enum err_code
erased(struct req *r)
{
	/* old page images must not linger in the write-ahead log */
	if (store_checkpoint(req_store(r), &r->err) != ERR_OK)
		return r->err.code;
	return reply_empty(r, 204);
}

enum err_code
api_records_erase(struct req *r)
{
	struct erase_job *j = arena_alloc(r->arena, sizeof(*j));
	json_t *body;
	enum err_code rc;

	if ((rc = caller_init(r, ACT_ADMIN, &j->c)) != ERR_OK)
		return rc;
	if (strcmp(j->c.en->def->name, "customers") != 0)
		return err_set(&r->err, ERR_NOTFOUND, "only customers are erased; %s go with their customer",
			       j->c.en->def->name);
	if ((rc = req_json_body(r, &body)) != ERR_OK)
		return rc;
	bool confirmed = json_is_true(json_object_get(body, "confirm")) && json_object_size(body) == 1;
	json_decref(body);
	if (!confirmed) {
		err_field(&r->err, "confirm", "must be true: an erasure cannot be undone");
		return err_set(&r->err, ERR_INVALID, "confirm the erasure");
	}
	return req_write(r, erase_run, j, erased);
}
