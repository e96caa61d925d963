/* SPDX-License-Identifier: MIT */
#include <string.h>
#include "domain/merge.h"
#include "engine/audit.h"
#include "engine/record.h"
#include "util/jsonx.h"

#define DAY_MS (24LL * 3600 * 1000)

static const struct entity *
customers(void)
{
	return registry_find("customers");
}

/* Record types kept under a customer. */
static bool
under_customer(const struct entity *en)
{
	const struct field *pf = en->def->parent_field ? entity_field(en, en->def->parent_field) : NULL;

	return pf && pf->ref && strcmp(pf->ref, "customers") == 0;
}

static bool
empty(const json_t *v)
{
	return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
	       (json_is_array(v) && json_array_size(v) == 0);
}

/* The tags of both, the survivor's first, each once. */
static json_t *
joined_tags(const json_t *a, const json_t *b)
{
	json_t *out = json_is_array(a) ? json_deep_copy(a) : json_array();
	size_t i, k;
	json_t *t, *u;

	json_array_foreach(b, i, t) {
		bool have = false;
		json_array_foreach(out, k, u)
			have = have || json_equal(t, u);
		if (!have)
			json_array_append(out, t);
	}
	return out;
}

static enum err_code
check_choices(const struct entity *en, const json_t *choices, struct err *e)
{
	const char *key;
	json_t *v;

	if (choices && !json_is_object(choices))
		return err_set(e, ERR_INVALID, "fields must be an object: field → \"survivor\" or \"duplicate\"");
	json_object_foreach((json_t *)choices, key, v) {
		const struct field *f = entity_field(en, key);
		const char *s = json_string_value(v);
		if (!f || f->type == FT_REF)
			err_field(e, key, f ? "is kept from the survivor" : "is not a field of customers");
		else if (!s || (strcmp(s, "survivor") && strcmp(s, "duplicate")))
			err_field(e, key, "must be \"survivor\" or \"duplicate\"");
	}
	return e->fields ? err_set(e, ERR_INVALID, "the field choices are invalid") : ERR_OK;
}

/* The survivor's changes: field → new value, by rule or by choice. */
static json_t *
merged_patch(const struct entity *en, const json_t *keep, const json_t *dup, const json_t *choices)
{
	json_t *patch = json_object();
	size_t i = 0;
	const struct field *f;

	while ((f = entity_field_at(en, &i))) {
		if (f->type == FT_REF)
			continue;	/* owner and team stay the survivor's */
		json_t *mine = json_object_get(keep, f->name), *theirs = json_object_get(dup, f->name);
		const char *choice = json_string_value(json_object_get(choices, f->name));
		json_t *value = NULL;
		if (choice)
			value = json_incref(strcmp(choice, "duplicate") == 0 ? theirs : mine);
		else if (f->type == FT_TAGS)
			value = joined_tags(mine, theirs);
		else if (empty(mine) && !empty(theirs))
			value = json_incref(theirs);
		if (value && !json_equal(value, mine ? mine : json_null()))
			json_object_set(patch, f->name, value ? value : json_null());
		json_decref(value);
	}
	return patch;
}

/* Move the live records under customer from to customer to; with ids
 * (an object entity → [id]) only those. Returns what moved, the same way. */
static enum err_code
move_records(struct wtx *w, int64_t from, int64_t to, const json_t *ids, json_t **moved,
	     struct err *e)
{
	*moved = json_object();
	for (size_t i = 0; i < registry_count(); i++) {
		const struct entity *en = registry_at(i);
		if (!under_customer(en))
			continue;
		char sql[256];
		snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE %s = ? AND deleted_at IS NULL",
			 en->def->name, en->def->parent_field);
		struct stmt *st = store_prepare(w->c, sql, e);
		if (!st)
			return e->code;
		stmt_bind_int(st, 1, from);
		json_t *list = json_array(), *only = json_object_get(ids, en->def->name);
		int rc;
		while ((rc = stmt_step(st, e)) == 1) {
			json_t *id = json_integer(stmt_int(st, 0));
			bool wanted = !ids;
			size_t k;
			json_t *v;
			json_array_foreach(only, k, v)
				wanted = wanted || json_equal(v, id);
			if (wanted)
				json_array_append(list, id);
			json_decref(id);
		}
		stmt_finish(st);
		if (rc < 0) {
			json_decref(list);
			return e->code;
		}
		snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ?, updated_at = ?, version = version + 1 "
			 "WHERE id = ?", en->def->name, en->def->parent_field);
		size_t k;
		json_t *v;
		json_array_foreach(list, k, v) {
			if (!(st = store_prepare(w->c, sql, e)))
				break;
			stmt_bind_int(st, 1, to);
			stmt_bind_str(st, 2, w->now);
			stmt_bind_int(st, 3, json_integer_value(v));
			rc = stmt_step(st, e);
			stmt_finish(st);
			if (rc < 0)
				break;
		}
		json_object_set_new(*moved, en->def->name, list);
		if (e->code != ERR_OK)
			return e->code;
	}
	return ERR_OK;
}

/* The survivor's values, before, of the fields in patch. */
static json_t *
values_before(const json_t *rec, const json_t *patch)
{
	json_t *out = json_object();
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)patch, key, v) {
		json_t *old = json_object_get(rec, key);
		json_object_set(out, key, old ? old : json_null());
	}
	return out;
}

static enum err_code
save_merge(struct wtx *w, int64_t survivor, int64_t duplicate, const json_t *before,
	   const json_t *after, const json_t *moved, int64_t *id, struct err *e)
{
	struct stmt *st = store_prepare(w->c,
		"INSERT INTO customer_merges (survivor_id, duplicate_id, at, at_ms, user_id, before, after, moved)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?)", e);
	char *b = jsonx_dump(before, NULL), *a = jsonx_dump(after, NULL), *m = jsonx_dump(moved, NULL);

	if (st) {
		stmt_bind_int(st, 1, survivor);
		stmt_bind_int(st, 2, duplicate);
		stmt_bind_str(st, 3, w->now);
		stmt_bind_int(st, 4, w->now_ms);
		if (w->who->user_id)
			stmt_bind_int(st, 5, w->who->user_id);
		stmt_bind_str(st, 6, b);
		stmt_bind_str(st, 7, a);
		stmt_bind_str(st, 8, m);
		if (stmt_step(st, e) >= 0)
			*id = store_last_id(w->c);
		stmt_finish(st);
	}
	free(b);
	free(a);
	free(m);
	return e->code;
}

static enum err_code
audit_merge(struct wtx *w, const char *action, int64_t merge, int64_t survivor, int64_t duplicate,
	    const json_t *fields, struct err *e)
{
	json_t *d = json_pack("{s:I,s:I,s:I,s:O}", "merge_id", (json_int_t)merge, "survivor_id",
			      (json_int_t)survivor, "duplicate_id", (json_int_t)duplicate, "fields", fields);
	char *detail = jsonx_dump(d, NULL);
	enum err_code rc = audit_event_write(w->c, w->now, w->who->user_id, w->who->name, action, NULL,
					     detail, e);

	free(detail);
	json_decref(d);
	return rc;
}

static json_t *
merge_json(int64_t id, int64_t survivor, int64_t duplicate, const char *at, const json_t *fields,
	   const json_t *moved, const char *undone_at)
{
	return json_pack("{s:I,s:I,s:I,s:s,s:O,s:O,s:s?}", "id", (json_int_t)id, "survivor_id",
			 (json_int_t)survivor, "duplicate_id", (json_int_t)duplicate, "at", at,
			 "fields", fields, "moved", moved, "undone_at", undone_at);
}

enum err_code
merge_customers(struct wtx *w, int64_t survivor, int64_t duplicate, const json_t *choices,
		json_t **out, struct err *e)
{
	const struct entity *en = customers();
	json_t *keep = NULL, *dup = NULL, *patch = NULL, *before = NULL, *moved = NULL, *rec = NULL;
	int64_t merge_id = 0;
	enum err_code rc;

	*out = NULL;
	if (survivor == duplicate)
		return err_set(e, ERR_INVALID, "a customer cannot be merged with itself");
	if ((rc = check_choices(en, choices, e)) != ERR_OK ||
	    (rc = record_get(w->c, en, survivor, false, w->acc, &keep, e)) != ERR_OK ||
	    (rc = record_check_act(w, en, survivor, "change", e)) != ERR_OK)
		goto out;
	if ((rc = record_get(w->c, en, duplicate, false, w->acc, &dup, e)) != ERR_OK) {
		if (rc != ERR_NOTFOUND)
			goto out;
		err_clear(e);
		err_field(e, "duplicate_id", "no customer %lld to merge", (long long)duplicate);
		rc = err_set(e, ERR_INVALID, "the duplicate is not a customer you can see");
		goto out;
	}
	if ((rc = record_check_act(w, en, duplicate, "delete", e)) != ERR_OK)
		goto out;
	patch = merged_patch(en, keep, dup, choices);
	before = values_before(keep, patch);
	/* the records first: the survivor then holds the duplicate's
	 * identifiers, so taking its phone or e-mail is no conflict */
	if ((rc = move_records(w, duplicate, survivor, NULL, &moved, e)) != ERR_OK ||
	    (rc = record_delete(w, en, duplicate, NO_VERSION, e)) != ERR_OK ||
	    (rc = record_update(w, en, survivor, patch, NO_VERSION, &rec, e)) != ERR_OK ||
	    (rc = save_merge(w, survivor, duplicate, before, patch, moved, &merge_id, e)) != ERR_OK ||
	    (rc = audit_merge(w, "customer.merge", merge_id, survivor, duplicate, patch, e)) != ERR_OK)
		goto out;
	*out = json_pack("{s:o,s:O}", "merge",
			 merge_json(merge_id, survivor, duplicate, w->now, patch, moved, NULL),
			 "customer", rec);
out:
	json_decref(keep);
	json_decref(dup);
	json_decref(patch);
	json_decref(before);
	json_decref(moved);
	json_decref(rec);
	return rc;
}

/* ---- undo ---- */

struct merge_row {
	int64_t survivor, duplicate, at_ms;
	char at[40];
	json_t *before, *after, *moved;
	bool undone;
};

static enum err_code
load_merge(struct store_conn *c, int64_t id, struct merge_row *m, struct err *e)
{
	struct stmt *st = store_prepare(c, "SELECT survivor_id, duplicate_id, at, at_ms, before, after, "
				       "moved, undone_at FROM customer_merges WHERE id = ?", e);
	int rc;

	memset(m, 0, sizeof(*m));
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, id);
	if ((rc = stmt_step(st, e)) == 1) {
		m->survivor = stmt_int(st, 0);
		m->duplicate = stmt_int(st, 1);
		snprintf(m->at, sizeof(m->at), "%s", stmt_text(st, 2));
		m->at_ms = stmt_int(st, 3);
		m->before = json_loads(stmt_text(st, 4), 0, NULL);
		m->after = json_loads(stmt_text(st, 5), 0, NULL);
		m->moved = json_loads(stmt_text(st, 6), 0, NULL);
		m->undone = !stmt_is_null(st, 7);
	}
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	if (rc == 0 || !m->before || !m->after || !m->moved)
		return err_set(e, ERR_NOTFOUND, "merge %lld not found", (long long)id);
	return ERR_OK;
}

static void
merge_row_release(struct merge_row *m)
{
	json_decref(m->before);
	json_decref(m->after);
	json_decref(m->moved);
}

/* The old values of the fields the merge set and nobody changed since;
 * the others go to kept. */
static json_t *
restorable(const json_t *now, const struct merge_row *m, json_t *kept)
{
	json_t *patch = json_object();
	const char *key;
	json_t *v;

	json_object_foreach(m->after, key, v) {
		json_t *cur = json_object_get(now, key);
		if (json_equal(cur ? cur : json_null(), v))
			json_object_set(patch, key, json_object_get(m->before, key));
		else
			json_array_append_new(kept, json_string(key));
	}
	return patch;
}

enum err_code
merge_undo(struct wtx *w, int64_t id, json_t **out, struct err *e)
{
	const struct entity *en = customers();
	struct merge_row m;
	json_t *now = NULL, *patch = NULL, *moved = NULL, *rec = NULL, *back = NULL;
	json_t *kept = json_array();
	enum err_code rc;

	*out = NULL;
	if ((rc = load_merge(w->c, id, &m, e)) != ERR_OK)
		goto out;
	if ((rc = record_get(w->c, en, m.survivor, false, w->acc, &now, e)) != ERR_OK) {
		rc = err_set(e, ERR_NOTFOUND, "merge %lld not found", (long long)id);
		goto out;
	}
	if (m.undone) {
		rc = err_set(e, ERR_CONFLICT, "merge %lld was undone already", (long long)id);
		goto out;
	}
	if (w->now_ms - m.at_ms > MERGE_UNDO_DAYS * DAY_MS) {
		rc = err_set(e, ERR_CONFLICT, "merge %lld is older than %d days: it can no longer be undone",
			     (long long)id, MERGE_UNDO_DAYS);
		goto out;
	}
	if ((rc = record_check_act(w, en, m.survivor, "change", e)) != ERR_OK)
		goto out;
	patch = restorable(now, &m, kept);
	/* the records first: once the duplicate holds its identifiers again,
	 * the survivor giving back a phone or e-mail it took drops none */
	if ((rc = move_records(w, m.survivor, m.duplicate, m.moved, &moved, e)) != ERR_OK ||
	    (rc = record_update(w, en, m.survivor, patch, NO_VERSION, &rec, e)) != ERR_OK ||
	    (rc = record_restore(w, en, m.duplicate, &back, e)) != ERR_OK)
		goto out;
	struct stmt *st = store_prepare(w->c, "UPDATE customer_merges SET undone_at = ? WHERE id = ?", e);
	if (!st) {
		rc = e->code;
		goto out;
	}
	stmt_bind_str(st, 1, w->now);
	stmt_bind_int(st, 2, id);
	rc = stmt_step(st, e) < 0 ? e->code : ERR_OK;
	stmt_finish(st);
	if (rc != ERR_OK ||
	    (rc = audit_merge(w, "customer.merge_undo", id, m.survivor, m.duplicate, patch, e)) != ERR_OK)
		goto out;
	json_decref(rec);
	rec = NULL;
	if ((rc = record_get(w->c, en, m.survivor, false, w->acc, &rec, e)) != ERR_OK)
		goto out;
	*out = json_pack("{s:o,s:O,s:O,s:O}", "merge",
			 merge_json(id, m.survivor, m.duplicate, m.at, m.after, m.moved, w->now),
			 "customer", rec, "duplicate", back, "kept", kept);
out:
	merge_row_release(&m);
	json_decref(now);
	json_decref(patch);
	json_decref(moved);
	json_decref(rec);
	json_decref(back);
	json_decref(kept);
	return rc;
}

enum err_code
merge_list(struct store_conn *c, int64_t customer, json_t **out, struct err *e)
{
	struct stmt *st = store_prepare(c, "SELECT id, survivor_id, duplicate_id, at, after, moved, undone_at "
				       "FROM customer_merges WHERE survivor_id = ? ORDER BY id DESC", e);
	json_t *data = json_array();
	int rc;

	*out = NULL;
	if (!st) {
		json_decref(data);
		return e->code;
	}
	stmt_bind_int(st, 1, customer);
	while ((rc = stmt_step(st, e)) == 1) {
		json_t *fields = json_loads(stmt_text(st, 4), 0, NULL);
		json_t *moved = json_loads(stmt_text(st, 5), 0, NULL);
		json_array_append_new(data, merge_json(stmt_int(st, 0), stmt_int(st, 1), stmt_int(st, 2),
						       stmt_text(st, 3), fields ? fields : json_null(),
						       moved ? moved : json_null(),
						       stmt_is_null(st, 6) ? NULL : stmt_text(st, 6)));
		json_decref(fields);
		json_decref(moved);
	}
	stmt_finish(st);
	if (rc < 0) {
		json_decref(data);
		return e->code;
	}
	*out = json_pack("{s:o}", "data", data);
	return ERR_OK;
}
