/* SPDX-License-Identifier: MIT */
/* Retention policies: checked, stored, previewed and applied. A policy's
 * conditions become the engine's list filters (filter_parse), and its age
 * one more SQL condition, so the dry run and the run select the same
 * records with the same query (query_select). A run goes in batches of
 * write jobs so the writer never holds one long transaction. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "domain/privacy.h"
#include "domain/retention.h"
#include "engine/search.h"
#include "engine/audit.h"
#include "engine/query.h"
#include "engine/record.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#define MAX_CONDITIONS 10
#define MAX_MONTHS 1200		/* a hundred years */
#define BATCH 100		/* records per policy per write job */

static const char *const policy_keys[] = {
	"name", "entity", "conditions", "age_from", "age_months", "action", "enabled", NULL
};

/* ---- policies: checking ---- */

/* The entity whose records hang under en and carry a field `field`
 * (interactions' occurred_at, consents' granted); NULL if none. */
static const struct entity *
child_with(const struct entity *en, const char *field)
{
	for (size_t i = 0; i < registry_count(); i++) {
		const struct entity *c = registry_at(i);
		const struct field *pf = c->def->parent_field ? entity_field(c, c->def->parent_field) : NULL;
		if (pf && strcmp(pf->ref, en->def->name) == 0 && entity_field(c, field))
			return c;
	}
	return NULL;
}

/* One condition {"field","op","value"} as a list filter "FIELD:OP:VALUE". */
static bool
condition_spec(const json_t *cond, struct buf *spec)
{
	const json_t *field = json_object_get(cond, "field"), *op = json_object_get(cond, "op");
	const json_t *value = json_object_get(cond, "value");

	if (!json_is_object(cond) || !json_is_string(field) || !json_is_string(op) || !value ||
	    json_object_size(cond) != 3)
		return false;
	buf_printf(spec, "%s:%s:", json_string_value(field), json_string_value(op));
	json_t *items = json_is_array(value) ? (json_t *)value : NULL;
	size_t n = items ? json_array_size(items) : 1;
	for (size_t i = 0; i < n; i++) {
		const json_t *v = items ? json_array_get(items, i) : value;
		if (i)
			buf_addc(spec, ',');
		if (json_is_string(v))
			buf_adds(spec, json_string_value(v));
		else if (json_is_integer(v))
			buf_printf(spec, "%lld", (long long)json_integer_value(v));
		else if (json_is_real(v))
			buf_printf(spec, "%.17g", json_real_value(v));
		else if (json_is_boolean(v))
			buf_adds(spec, json_is_true(v) ? "true" : "false");
		else
			return false;
	}
	return n > 0;
}

/* The policy's conditions as filters (release each with filter_release);
 * field errors under "conditions". */
static enum err_code
conditions_parse(const struct entity *en, const json_t *conds, struct filter *out, size_t *n,
		 struct err *e)
{
	size_t i;
	json_t *cond;

	*n = 0;
	if (!json_is_array(conds) || json_array_size(conds) > MAX_CONDITIONS) {
		err_field(e, "conditions", "must be an array of at most %d conditions", MAX_CONDITIONS);
		return ERR_INVALID;
	}
	json_array_foreach(conds, i, cond) {
		struct buf spec;
		struct err fe = { 0 };
		bool shaped;

		buf_init(&spec, 4096);
		shaped = condition_spec(cond, &spec);
		if (!shaped)
			err_field(e, "conditions", "condition %zu: must be {\"field\", \"op\", \"value\"} with "
				  "a value that is text, a number, a boolean or an array of them", i + 1);
		else if (filter_parse(en, spec.data, &out[*n], &fe) != ERR_OK)
			err_field(e, "conditions", "condition %zu: %s", i + 1, fe.msg);
		else
			(*n)++;
		buf_release(&spec);
		err_clear(&fe);
		if (e->fields)
			break;
	}
	if (e->fields) {
		for (size_t k = 0; k < *n; k++)
			filter_release(&out[k]);
		*n = 0;
		return ERR_INVALID;
	}
	return ERR_OK;
}

enum err_code
retention_policy_check(const json_t *body, const json_t *old, json_t **out, struct err *e)
{
	*out = NULL;
	err_unknown_keys(e, body, policy_keys);
	json_t *p = json_object();
	for (const char *const *key = policy_keys; *key; key++) {
		json_t *x = json_object_get(body, *key);
		if (!x && old)
			x = json_object_get(old, *key);
		if (x)
			json_object_set(p, *key, x);
	}
	if (!json_object_get(p, "conditions"))
		json_object_set_new(p, "conditions", json_array());
	if (!json_object_get(p, "enabled"))
		json_object_set_new(p, "enabled", json_true());

	json_t *name = json_object_get(p, "name"), *entity = json_object_get(p, "entity");
	json_t *from = json_object_get(p, "age_from"), *months = json_object_get(p, "age_months");
	json_t *action = json_object_get(p, "action");
	const struct entity *en = json_is_string(entity) ? registry_find(json_string_value(entity)) : NULL;
	if (!json_is_string(name) || json_string_length(name) < 1 || json_string_length(name) > 200)
		err_field(e, "name", "is required: text of 1 to 200 bytes");
	if (!en || !en->def->owner_field)
		err_field(e, "entity", "must name an entity whose records have an owner (customers)");
	if (!json_is_boolean(json_object_get(p, "enabled")))
		err_field(e, "enabled", "must be true or false");
	if (!json_is_integer(months) || json_integer_value(months) < 1 ||
	    json_integer_value(months) > MAX_MONTHS)
		err_field(e, "age_months", "must be a whole number of months from 1 to %d", MAX_MONTHS);
	const char *f = json_string_value(from);
	if (!f || (strcmp(f, "updated_at") && strcmp(f, "last_interaction")))
		err_field(e, "age_from", "must be last_interaction or updated_at");
	else if (en && !strcmp(f, "last_interaction") && !child_with(en, "occurred_at"))
		err_field(e, "age_from", "%s have no interactions: use updated_at", en->def->name);
	const char *a = json_string_value(action);
	if (!a || (strcmp(a, "erase") && strcmp(a, "delete")))
		err_field(e, "action", "must be erase or delete");
	else if (en && !strcmp(a, "erase") && strcmp(en->def->name, "customers"))
		err_field(e, "action", "only customers are erased; use delete");
	if (en) {
		struct filter fl[MAX_CONDITIONS];
		size_t n;
		if (conditions_parse(en, json_object_get(p, "conditions"), fl, &n, e) == ERR_OK)
			for (size_t i = 0; i < n; i++)
				filter_release(&fl[i]);
	}
	if (e->fields) {
		json_decref(p);
		return err_fields_invalid(e);
	}
	*out = p;
	return ERR_OK;
}

/* ---- policies: storage ---- */

#define POLICY_COLUMNS "id, name, entity, conditions, age_from, age_months, action, enabled, " \
		       "created_at, updated_at, version"

static json_t *
policy_row(struct stmt *st)
{
	json_t *conds = json_loads(stmt_text(st, 3), 0, NULL);

	return json_pack("{s:I,s:s,s:s,s:o,s:s,s:I,s:s,s:b,s:s,s:s,s:I}",
			 "id", (json_int_t)stmt_int(st, 0), "name", stmt_text(st, 1),
			 "entity", stmt_text(st, 2), "conditions", conds ? conds : json_array(),
			 "age_from", stmt_text(st, 4), "age_months", (json_int_t)stmt_int(st, 5),
			 "action", stmt_text(st, 6), "enabled", (int)stmt_int(st, 7),
			 "created_at", stmt_text(st, 8), "updated_at", stmt_text(st, 9),
			 "version", (json_int_t)stmt_int(st, 10));
}

/* Policies in id order: all, or the one with id `only` (0 = all). */
static enum err_code
policies_load(struct store_conn *c, int64_t only, json_t **out, struct err *e)
{
	struct stmt *st = store_prepare(c, "SELECT " POLICY_COLUMNS " FROM retention_policies "
				       "WHERE ? = 0 OR id = ? ORDER BY id", e);

	*out = NULL;
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, only);
	stmt_bind_int(st, 2, only);
	return stmt_rows_json(st, policy_row, out, e);
}

enum err_code
retention_policy_list(struct store_conn *c, json_t **out, struct err *e)
{
	json_t *list;

	if (policies_load(c, 0, &list, e) != ERR_OK)
		return e->code;
	*out = json_pack("{s:o}", "data", list);
	return ERR_OK;
}

enum err_code
retention_policy_get(struct store_conn *c, int64_t id, json_t **out, struct err *e)
{
	json_t *list;

	if (policies_load(c, id, &list, e) != ERR_OK)
		return e->code;
	*out = json_incref(json_array_get(list, 0));
	json_decref(list);
	if (!*out)
		return err_set(e, ERR_NOTFOUND, "no retention policy with id %lld", (long long)id);
	return ERR_OK;
}

enum err_code
retention_policy_save(struct store_conn *c, int64_t *id, const json_t *p, const char *now,
		      struct err *e)
{
	const char *sql = *id
		? "UPDATE retention_policies SET name = ?, entity = ?, conditions = ?, age_from = ?, "
		  "age_months = ?, action = ?, enabled = ?, updated_at = ?, version = version + 1 WHERE id = ?"
		: "INSERT INTO retention_policies (name, entity, conditions, age_from, age_months, action, "
		  "enabled, updated_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct stmt *st = store_prepare(c, sql, e);

	if (!st)
		return e->code;
	char *conds = jsonx_dump(json_object_get(p, "conditions"), NULL);
	stmt_bind_str(st, 1, json_string_value(json_object_get(p, "name")));
	stmt_bind_str(st, 2, json_string_value(json_object_get(p, "entity")));
	stmt_bind_str(st, 3, conds);
	stmt_bind_str(st, 4, json_string_value(json_object_get(p, "age_from")));
	stmt_bind_int(st, 5, json_integer_value(json_object_get(p, "age_months")));
	stmt_bind_str(st, 6, json_string_value(json_object_get(p, "action")));
	stmt_bind_int(st, 7, json_is_true(json_object_get(p, "enabled")));
	stmt_bind_str(st, 8, now);
	if (*id)
		stmt_bind_int(st, 9, *id);
	else
		stmt_bind_str(st, 9, now);
	free(conds);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	if (!*id)
		*id = store_last_id(c);
	else if (store_changes(c) == 0)
		return err_set(e, ERR_NOTFOUND, "no retention policy with id %lld", (long long)*id);
	return ERR_OK;
}

enum err_code
retention_policy_remove(struct store_conn *c, int64_t id, struct err *e)
{
	struct stmt *st = store_prepare(c, "DELETE FROM retention_policies WHERE id = ?", e);

	if (!st)
		return e->code;
	stmt_bind_int(st, 1, id);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	if (store_changes(c) == 0)
		return err_set(e, ERR_NOTFOUND, "no retention policy with id %lld", (long long)id);
	return ERR_OK;
}

/* ---- which records a policy takes ---- */

/* as_of minus months, as RFC 3339 text. */
static bool
cutoff(const char *as_of, int64_t months, char out[TIME_STR_LEN])
{
	int64_t ms;
	struct tm tm;

	if (!time_parse_datetime(as_of, &ms))
		return false;
	time_t t = (time_t)(ms / 1000);
	if (!gmtime_r(&t, &tm))
		return false;
	tm.tm_mon -= (int)months;
	time_t back = timegm(&tm);
	time_format((int64_t)back * 1000 + ms % 1000, out);
	return true;
}

/* A policy ready to select with: its entity, filters and the SQL of
 * "old enough and not exempt". */
struct selector {
	const struct entity *en;
	struct filter filters[MAX_CONDITIONS];
	size_t nfilters;
	struct buf columns, where;	/* id, name, last activity; the extra condition */
	char cutoff[TIME_STR_LEN];
};

static void
selector_release(struct selector *s)
{
	for (size_t i = 0; i < s->nfilters; i++)
		filter_release(&s->filters[i]);
	buf_release(&s->columns);
	buf_release(&s->where);
}

/* Build s for policy p at as_of. Parameters of s->where: cutoff, after id. */
static enum err_code
selector_init(struct selector *s, const json_t *p, const char *as_of, struct err *e)
{
	memset(s, 0, sizeof(*s));
	buf_init(&s->columns, 4096);
	buf_init(&s->where, 8192);
	s->en = registry_find(json_string_value(json_object_get(p, "entity")));
	if (!s->en)
		return err_set(e, ERR_INVALID, "retention policy %lld: no entity %s",
			       (long long)json_integer_value(json_object_get(p, "id")),
			       json_string_value(json_object_get(p, "entity")));
	const char *table = s->en->def->name;
	if (conditions_parse(s->en, json_object_get(p, "conditions"), s->filters, &s->nfilters, e) != ERR_OK) {
		json_t *why = json_object_get(e->fields, "conditions");
		return err_set(e, ERR_INVALID, "retention policy %lld: %s",
			       (long long)json_integer_value(json_object_get(p, "id")),
			       json_is_string(why) ? json_string_value(why) : "bad conditions");
	}
	if (!cutoff(as_of, json_integer_value(json_object_get(p, "age_months")), s->cutoff))
		return err_set(e, ERR_BADREQ, "as_of must be an RFC 3339 date-time");
	/* the last activity: the latest interaction, else the record's creation */
	struct buf activity;
	buf_init(&activity, 1024);
	const struct entity *ix = child_with(s->en, "occurred_at");
	if (ix && !strcmp(json_string_value(json_object_get(p, "age_from")), "last_interaction"))
		buf_printf(&activity, "coalesce((SELECT max(occurred_at) FROM %s WHERE %s = %s.id "
			   "AND deleted_at IS NULL), created_at)", ix->def->name, ix->def->parent_field, table);
	else
		buf_adds(&activity, "updated_at");
	buf_printf(&s->columns, "id, %s, %s", entity_field(s->en, "name") ? "name" : "NULL", activity.data);
	buf_printf(&s->where, "%s < ? AND id > CAST(? AS INTEGER)", activity.data);
	buf_release(&activity);
	/* exempt: a legal hold, or a consent in force (the latest for a purpose is given) */
	if (entity_field(s->en, "legal_hold"))
		buf_adds(&s->where, " AND coalesce(legal_hold, 0) = 0");
	const struct entity *k = child_with(s->en, "granted");
	if (k && entity_field(k, "purpose") && entity_field(k, "recorded_at"))
		buf_printf(&s->where, " AND NOT EXISTS (SELECT 1 FROM %1$s k WHERE k.%2$s = %3$s.id "
			   "AND k.deleted_at IS NULL AND k.granted = 1 AND NOT EXISTS (SELECT 1 FROM %1$s l "
			   "WHERE l.%2$s = k.%2$s AND l.purpose = k.purpose AND l.deleted_at IS NULL AND "
			   "(l.recorded_at > k.recorded_at OR (l.recorded_at = k.recorded_at AND l.id > k.id))))",
			   k->def->name, k->def->parent_field, table);
	return ERR_OK;
}

/* Records of s after id `after`, at most limit, in id order, to fn. */
static enum err_code
selector_run(struct store_conn *c, struct selector *s, int64_t after, int64_t limit,
	     query_row_fn *fn, void *ctx, struct err *e)
{
	char after_s[24], tail[48];
	const char *args[] = { s->cutoff, after_s };

	snprintf(after_s, sizeof(after_s), "%lld", (long long)after);
	snprintf(tail, sizeof(tail), "ORDER BY id LIMIT %lld", (long long)limit);
	return query_select(c, s->en, s->columns.data, s->filters, s->nfilters, s->where.data,
			    args, 2, tail, fn, ctx, e);
}

/* ---- the dry run ---- */

struct preview {
	const json_t *policy;
	json_t *rows;
	int64_t last_id;
};

static int
preview_row(struct stmt *st, void *ctx)
{
	struct preview *pv = ctx;
	const json_t *p = pv->policy;

	pv->last_id = stmt_int(st, 0);
	json_array_append_new(pv->rows, json_pack("{s:O,s:O,s:O,s:O,s:I,s:s?,s:s?}",
		"policy_id", json_object_get(p, "id"), "policy", json_object_get(p, "name"),
		"action", json_object_get(p, "action"), "entity", json_object_get(p, "entity"),
		"id", (json_int_t)pv->last_id, "name", stmt_is_null(st, 1) ? NULL : stmt_text(st, 1),
		"last_activity", stmt_is_null(st, 2) ? NULL : stmt_text(st, 2)));
	return 0;
}

enum err_code
retention_preview(struct store_conn *c, const char *as_of, int64_t policy, const char *cursor,
		  int64_t limit, json_t **out, struct err *e)
{
	long long from_policy = 0, after = 0;
	json_t *list;
	char end;

	*out = NULL;
	if (cursor && sscanf(cursor, "%lld.%lld%c", &from_policy, &after, &end) != 2)
		return err_set(e, ERR_BADREQ, "cursor is not one this preview gave");
	if (policies_load(c, policy, &list, e) != ERR_OK)
		return e->code;
	if (policy && !json_array_size(list)) {
		json_decref(list);
		return err_set(e, ERR_NOTFOUND, "no retention policy with id %lld", (long long)policy);
	}
	struct preview pv = { .rows = json_array() };
	json_t *next = json_null();
	size_t i;
	json_t *p;
	enum err_code rc = ERR_OK;
	json_array_foreach(list, i, p) {
		int64_t id = json_integer_value(json_object_get(p, "id"));
		if (id < from_policy || (!policy && !json_is_true(json_object_get(p, "enabled"))))
			continue;
		struct selector s;
		pv.policy = p;
		/* one row more than the page, to know whether another follows */
		int64_t want = limit + 1 - (int64_t)json_array_size(pv.rows);
		if ((rc = selector_init(&s, p, as_of, e)) == ERR_OK)
			rc = selector_run(c, &s, id == from_policy ? after : 0, want, preview_row, &pv, e);
		selector_release(&s);
		if (rc != ERR_OK)
			break;
		if ((int64_t)json_array_size(pv.rows) > limit)
			break;
	}
	json_decref(list);
	if (rc != ERR_OK) {
		json_decref(pv.rows);
		return rc;
	}
	if ((int64_t)json_array_size(pv.rows) > limit) {
		json_array_remove(pv.rows, (size_t)limit);
		json_t *last = json_array_get(pv.rows, (size_t)limit - 1);
		char cur[48];
		snprintf(cur, sizeof(cur), "%lld.%lld",
			 (long long)json_integer_value(json_object_get(last, "policy_id")),
			 (long long)json_integer_value(json_object_get(last, "id")));
		next = json_string(cur);
	}
	*out = json_pack("{s:s,s:o,s:o}", "as_of", as_of, "data", pv.rows, "next_cursor", next);
	return ERR_OK;
}

/* ---- the run ---- */

struct run_job {
	const struct actor *who;
	const char *ip, *as_of, *trigger;
	int64_t only;
	json_t *policies;	/* loaded at the first batch */
	json_t *applied;	/* per policy, in the policies' order */
	int64_t total;
	bool more, erased;
	int64_t ids[BATCH];
	size_t nids;
};

static int
collect_id(struct stmt *st, void *ctx)
{
	struct run_job *j = ctx;

	j->ids[j->nids++] = stmt_int(st, 0);
	return j->nids == BATCH;
}

/* Apply p's action to the records in j->ids, each audited. */
static enum err_code
apply(struct wtx *w, struct run_job *j, const json_t *p, const struct entity *en, struct err *e)
{
	const char *action = json_string_value(json_object_get(p, "action"));
	bool erase = strcmp(action, "erase") == 0;

	for (size_t i = 0; i < j->nids; i++) {
		enum err_code rc = erase ? privacy_erase(w, en, j->ids[i], e)
					 : record_delete(w, en, j->ids[i], NO_VERSION, e);
		if (rc != ERR_OK)
			return rc;
		json_t *d = json_pack("{s:O,s:O,s:s,s:I,s:s}", "policy_id", json_object_get(p, "id"),
				      "policy", json_object_get(p, "name"), "entity", en->def->name,
				      "record_id", (json_int_t)j->ids[i], "as_of", j->as_of);
		char *detail = jsonx_dump(d, NULL);
		json_decref(d);
		rc = audit_event_write(w->c, w->now, w->who->user_id, w->who->name,
				       erase ? "retention_erase" : "retention_delete", j->ip, detail, e);
		free(detail);
		if (rc != ERR_OK)
			return rc;
	}
	j->erased = j->erased || (erase && j->nids);
	return ERR_OK;
}

/* One write job: up to BATCH records per policy. Taken records leave the
 * selection (they are deleted), so each batch starts from the beginning. */
static enum err_code
run_batch(struct store_conn *c, void *ctx, struct err *e)
{
	struct run_job *j = ctx;
	struct wtx w;
	size_t i;
	json_t *p;
	enum err_code rc = ERR_OK;

	wtx_init(&w, c, j->who, NULL);
	if (!j->policies) {
		if (policies_load(c, j->only, &j->policies, e) != ERR_OK)
			return e->code;
		j->applied = json_array();
		json_array_foreach(j->policies, i, p)
			json_array_append_new(j->applied, json_integer(0));
	}
	j->more = false;
	json_array_foreach(j->policies, i, p) {
		if (!json_is_true(json_object_get(p, "enabled")))
			continue;
		struct selector s;
		j->nids = 0;
		if ((rc = selector_init(&s, p, j->as_of, e)) == ERR_OK &&
		    (rc = selector_run(c, &s, 0, BATCH, collect_id, j, e)) == ERR_OK)
			rc = apply(&w, j, p, s.en, e);
		selector_release(&s);
		if (rc != ERR_OK)
			return rc;	/* the run stops; its report is dropped */
		json_t *n = json_array_get(j->applied, i);
		json_integer_set(n, json_integer_value(n) + (json_int_t)j->nids);
		j->total += (int64_t)j->nids;
		j->more = j->more || j->nids == BATCH;
	}
	return ERR_OK;
}

static json_t *
run_report(const struct run_job *j)
{
	json_t *list = json_array();
	size_t i;
	json_t *p;

	json_array_foreach(j->policies, i, p)
		if (json_is_true(json_object_get(p, "enabled")))
			json_array_append_new(list, json_pack("{s:O,s:O,s:O,s:O}", "id", json_object_get(p, "id"),
				"name", json_object_get(p, "name"), "action", json_object_get(p, "action"),
				"applied", json_array_get(j->applied, i)));
	return json_pack("{s:s,s:s,s:o,s:I}", "as_of", j->as_of, "trigger", j->trigger,
			 "policies", list, "total", (json_int_t)j->total);
}

struct run_event {
	const struct run_job *j;
	json_t *report;
};

static enum err_code
run_event_write(struct store_conn *c, void *ctx, struct err *e)
{
	struct run_event *ev = ctx;
	char at[TIME_STR_LEN], *detail = jsonx_dump(ev->report, NULL);

	time_format(time_now_ms(), at);
	enum err_code rc = audit_event_write(c, at, ev->j->who->user_id, ev->j->who->name,
					     "retention_run", ev->j->ip, detail, e);
	free(detail);
	/* erased values leave the search indexes: once a run, not once a record */
	if (rc == ERR_OK && ev->j->erased)
		rc = search_purge(c, e);
	return rc;
}

enum err_code
retention_run(struct store *s, const struct actor *who, const char *ip, const char *as_of,
	      int64_t policy, const char *trigger, json_t **report, struct err *e)
{
	static const struct actor system = { .user_id = 0, .name = "retention", .role = "admin" };
	struct run_job j = {
		.who = who ? who : &system, .ip = ip, .as_of = as_of, .trigger = trigger, .only = policy,
	};
	enum err_code rc;
	int64_t ms;

	*report = NULL;
	if (!time_parse_datetime(as_of, &ms))
		return err_set(e, ERR_BADREQ, "as_of must be an RFC 3339 date-time");
	do {
		if ((rc = store_write(s, run_batch, &j, e)) != ERR_OK)
			goto out;
	} while (j.more);
	if (policy && !json_array_size(j.policies)) {
		rc = err_set(e, ERR_NOTFOUND, "no retention policy with id %lld", (long long)policy);
		goto out;
	}
	struct run_event ev = { .j = &j, .report = run_report(&j) };
	if ((rc = store_write(s, run_event_write, &ev, e)) != ERR_OK) {
		json_decref(ev.report);
		goto out;
	}
	/* erased values must not linger in the write-ahead log */
	if (j.erased && (rc = store_checkpoint(s, e)) != ERR_OK) {
		json_decref(ev.report);
		goto out;
	}
	*report = ev.report;
out:
	json_decref(j.policies);
	json_decref(j.applied);
	return rc;
}

/* ---- the daily job ---- */

struct retention_daily {
	struct store *s;
	int minute;		/* of the day, UTC */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
};

int
retention_parse_hhmm(const char *s)
{
	int h, m;
	char end;

	if (!s || strlen(s) != 5 || sscanf(s, "%2d:%2d%c", &h, &m, &end) != 2 || s[2] != ':' ||
	    h < 0 || h > 23 || m < 0 || m > 59)
		return -1;
	return h * 60 + m;
}

/* The next time (seconds since the epoch) it is `minute` o'clock, UTC. */
static time_t
next_run(time_t now, int minute)
{
	time_t day = now - now % 86400, t = day + (time_t)minute * 60;

	return t > now ? t : t + 86400;
}

static void *
daily_main(void *arg)
{
	struct retention_daily *d = arg;

	pthread_mutex_lock(&d->mu);
	while (!d->stop) {
		struct timespec at = { .tv_sec = next_run(time(NULL), d->minute) };
		while (!d->stop && pthread_cond_timedwait(&d->cv, &d->mu, &at) != ETIMEDOUT)
			;
		if (d->stop)
			break;
		pthread_mutex_unlock(&d->mu);
		char now[TIME_STR_LEN];
		struct err e = { 0 };
		json_t *report;
		time_format(time_now_ms(), now);
		if (retention_run(d->s, NULL, NULL, now, 0, "daily", &report, &e) == ERR_OK)
			log_info("retention: %lld record(s) taken by the daily run",
				 (long long)json_integer_value(json_object_get(report, "total")));
		else
			log_error("retention: the daily run failed: %s", e.msg);
		json_decref(report);
		err_clear(&e);
		pthread_mutex_lock(&d->mu);
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

enum err_code
retention_daily_start(struct store *s, int minute_of_day, struct retention_daily **out, struct err *e)
{
	struct retention_daily *d = xcalloc(1, sizeof(*d));

	d->s = s;
	d->minute = minute_of_day;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	if (pthread_create(&d->thread, NULL, daily_main, d) != 0) {
		pthread_mutex_destroy(&d->mu);
		pthread_cond_destroy(&d->cv);
		free(d);
		return err_set(e, ERR_INTERNAL, "cannot start the daily retention job");
	}
	*out = d;
	return ERR_OK;
}

void
retention_daily_stop(struct retention_daily *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->mu);
	d->stop = true;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->thread, NULL);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->cv);
	free(d);
}
