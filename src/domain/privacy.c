/* SPDX-License-Identifier: MIT */
/* Erasure. What a person is identified by (personal and identifying fields)
 * is collected first, from the customer and every record under it; then
 * the fields are wiped, identifier rows deleted, and every history entry
 * and stored answer that holds one of the values is rewritten. The
 * history's append-only guard is lifted for this transaction only. Freed
 * space is zeroed (secure_delete) and the WAL is truncated after commit
 * (store_checkpoint), so the values are gone from the files too. */
#include <string.h>
#include "domain/privacy.h"
#include "util/jsonx.h"
#include "engine/audit.h"
#include "engine/record.h"
#include "engine/search.h"
#include "util/buf.h"

#define ERASED "(erased)"

static bool
wiped(const struct field *f)
{
	return (f->flags & (F_PERSONAL | F_IDENTIFYING)) != 0;
}

/* Remember every non-empty wiped value of rec in `values`. */
static void
collect(const struct entity *en, const json_t *rec, json_t *values)
{
	size_t i = 0;
	const struct field *f;

	while ((f = entity_field_at(en, &i))) {
		json_t *v = json_object_get(rec, f->name);
		if (wiped(f) && json_is_string(v) && json_string_length(v) > 0)
			json_array_append(values, v);
	}
}

/* UPDATE one record: its wiped fields to NULL (a required one to ERASED). */
static enum err_code
wipe_record(struct wtx *w, const struct entity *en, int64_t id, struct err *e)
{
	struct buf sql;
	size_t i = 0;
	const struct field *f;

	buf_init(&sql, 8192);
	buf_printf(&sql, "UPDATE %s SET updated_at = ?, version = version + 1", en->def->name);
	while ((f = entity_field_at(en, &i))) {
		if (!wiped(f) || (f->flags & F_CUSTOM))
			continue;
		buf_printf(&sql, ", %s = %s", f->name, (f->flags & F_REQUIRED) ? "'" ERASED "'" : "NULL");
		for (int k = COLL_EN; field_has_sort_keys(f) && k < COLL_COUNT; k++) {
			char col[160];
			field_sort_key_column(f, (enum collation)k, col, sizeof(col));
			buf_printf(&sql, ", %s = NULL", col);	/* a key tells of the name */
		}
	}
	buf_printf(&sql, ", custom = NULL WHERE id = ?");
	struct stmt *st = store_prepare(w->c, sql.data, e);
	buf_release(&sql);
	if (!st)
		return e->code;
	stmt_bind_str(st, 1, w->now);
	stmt_bind_int(st, 2, id);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	return rc < 0 ? e->code : search_drop(w, en, id, e);
}

/* Every record of `child` under customer id, as JSON objects. */
static json_t *
children(struct wtx *w, const struct entity *child, int64_t id, struct err *e)
{
	char sql[160];
	json_t *out = json_array();

	snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE %s = ?", child->def->name,
		 child->def->parent_field);
	struct stmt *st = store_prepare(w->c, sql, e);
	if (!st) {
		json_decref(out);
		return NULL;
	}
	stmt_bind_int(st, 1, id);
	json_t *ids = json_array();
	while (stmt_step(st, e) == 1)
		json_array_append_new(ids, json_integer(stmt_int(st, 0)));
	stmt_finish(st);
	size_t i;
	json_t *v;
	json_array_foreach(ids, i, v) {
		json_t *rec;
		if (record_get(w->c, child, json_integer_value(v), true, NULL, &rec, e) == ERR_OK)
			json_array_append_new(out, rec);
	}
	json_decref(ids);
	return out;
}

/* Replace each erased value inside a JSON document (history changes, a
 * stored answer) with ERASED; true if anything changed. */
static bool
scrub(json_t *doc, const json_t *values)
{
	bool changed = false;
	size_t i;
	const char *k;
	json_t *v;
	void *tmp;

	if (json_is_array(doc)) {
		json_array_foreach(doc, i, v) {
			if (jsonx_array_has(values, v)) {
				json_array_set_new(doc, i, json_string(ERASED));
				changed = true;
			} else
				changed = scrub(v, values) || changed;
		}
	} else if (json_is_object(doc)) {
		json_object_foreach_safe(doc, tmp, k, v) {
			if (jsonx_array_has(values, v)) {
				json_object_set_new(doc, k, json_string(ERASED));
				changed = true;
			} else
				changed = scrub(v, values) || changed;
		}
	}
	return changed;
}

/* Rewrite every row of table whose text column holds an erased value. */
static enum err_code
scrub_table(struct wtx *w, const char *table, const char *col, const json_t *values, struct err *e)
{
	char sql[256];
	size_t i;
	json_t *v;

	json_array_foreach(values, i, v) {
		snprintf(sql, sizeof(sql), "SELECT rowid, %s FROM %s WHERE instr(%s, ?) > 0", col, table, col);
		struct stmt *st = store_prepare(w->c, sql, e);
		if (!st)
			return e->code;
		/* the value as it appears inside JSON text */
		char *needle = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		stmt_bind_str(st, 1, needle);
		free(needle);
		json_t *rows = json_array();
		while (stmt_step(st, e) == 1)
			json_array_append_new(rows, json_pack("[I,s]", (json_int_t)stmt_int(st, 0), stmt_text(st, 1)));
		stmt_finish(st);
		size_t k;
		json_t *row;
		json_array_foreach(rows, k, row) {
			json_t *doc = json_loads(json_string_value(json_array_get(row, 1)), JSON_DECODE_ANY, NULL);
			if (doc && scrub(doc, values)) {
				char *text = json_dumps(doc, JSON_COMPACT);
				snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ? WHERE rowid = ?", table, col);
				struct stmt *up = store_prepare(w->c, sql, e);
				if (up) {
					stmt_bind_str(up, 1, text);
					stmt_bind_int(up, 2, json_integer_value(json_array_get(row, 0)));
					stmt_step(up, e);
					stmt_finish(up);
				}
				free(text);
			}
			json_decref(doc);
		}
		json_decref(rows);
	}
	return ERR_OK;
}

enum err_code
privacy_erase(struct wtx *w, const struct entity *customers, int64_t id, struct err *e)
{
	json_t *rec = NULL, *values = json_array();
	enum err_code rc;

	if ((rc = record_get(w->c, customers, id, true, w->acc, &rec, e)) != ERR_OK)
		goto out;
	collect(customers, rec, values);
	/* the records under it: collect, then wipe (identifiers go entirely) */
	for (size_t i = 0; i < registry_count() && rc == ERR_OK; i++) {
		const struct entity *child = registry_at(i);
		const struct field *pf = child->def->parent_field ? entity_field(child, child->def->parent_field) : NULL;
		if (!pf || strcmp(pf->ref, customers->def->name) != 0)
			continue;
		json_t *list = children(w, child, id, e);
		size_t k;
		json_t *c;
		json_array_foreach(list, k, c) {
			collect(child, c, values);
			int64_t cid = json_integer_value(json_object_get(c, "id"));
			if (strcmp(child->def->name, "customer_identifiers") == 0) {
				struct stmt *st = store_prepare(w->c, "DELETE FROM customer_identifiers WHERE id = ?", e);
				if (st) {
					stmt_bind_int(st, 1, cid);
					stmt_step(st, e);
					stmt_finish(st);
				}
				if (rc == ERR_OK)
					rc = search_drop(w, child, cid, e);
			} else if (rc == ERR_OK) {
				rc = wipe_record(w, child, cid, e);
			}
		}
		json_decref(list);
	}
	if (rc != ERR_OK || (rc = wipe_record(w, customers, id, e)) != ERR_OK)
		goto out;
	/* soft-deleted, so it leaves every list */
	struct stmt *st = store_prepare(w->c, "UPDATE customers SET deleted_at = coalesce(deleted_at, ?) WHERE id = ?", e);
	if (!st) {
		rc = e->code;
		goto out;
	}
	stmt_bind_str(st, 1, w->now);
	stmt_bind_int(st, 2, id);
	stmt_step(st, e);
	stmt_finish(st);
	/* the history keeps who did what, not the values */
	if ((rc = store_exec(w->c, "DROP TRIGGER history_append_only_u", e)) != ERR_OK ||
	    (rc = scrub_table(w, "history", "changes", values, e)) != ERR_OK ||
	    (rc = store_exec(w->c, "CREATE TRIGGER history_append_only_u BEFORE UPDATE ON history"
			     " BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END", e)) != ERR_OK ||
	    (rc = scrub_table(w, "idempotency_keys", "body", values, e)) != ERR_OK ||
	    (rc = scrub_table(w, "customer_merges", "before", values, e)) != ERR_OK ||
	    (rc = scrub_table(w, "customer_merges", "after", values, e)) != ERR_OK)
		goto out;
	/* the caller then runs search_purge and store_checkpoint, once */
	rc = audit_record(w, customers, id, "erase", NULL, e);
out:
	json_decref(rec);
	json_decref(values);
	return rc;
}
