/* SPDX-License-Identifier: MIT */
#include "engine/audit.h"
#include "engine/record.h"
#include "util/jsonx.h"

#define HISTORY_MAX 10000	/* entries returned for one record */

enum err_code
audit_record(struct wtx *w, const struct entity *en, int64_t id, const char *action,
	     const char *changes, struct err *e)
{
	struct stmt *st = store_prepare(w->c,
		"INSERT INTO history (entity, record_id, at, user_id, action, changes) "
		"VALUES (?, ?, ?, ?, ?, ?)", e);

	if (!st)
		return e->code;
	stmt_bind_str(st, 1, en->def->name);
	stmt_bind_int(st, 2, id);
	stmt_bind_str(st, 3, w->now);
	if (w->who && w->who->user_id > 0)
		stmt_bind_int(st, 4, w->who->user_id);
	else
		stmt_bind_null(st, 4);
	stmt_bind_str(st, 5, action);
	stmt_bind_str(st, 6, changes ? changes : "[]");
	int rc = stmt_step(st, e);
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

static json_t *
history_entry(struct stmt *st)
{
	json_t *h = json_object();

	json_object_set_new(h, "id", json_integer(stmt_int(st, 0)));
	json_object_set_new(h, "at", json_string(stmt_text(st, 1)));
	json_object_set_new(h, "user_id", stmt_is_null(st, 2) ? json_null() : json_integer(stmt_int(st, 2)));
	json_object_set_new(h, "user", stmt_is_null(st, 3) ? json_null() : json_string(stmt_text(st, 3)));
	json_object_set_new(h, "action", json_string(stmt_text(st, 4)));
	json_t *changes = json_loadb(stmt_text(st, 5), stmt_len(st, 5), 0, NULL);
	json_object_set_new(h, "changes", changes ? changes : json_array());
	return h;
}

enum err_code
audit_history(struct store_conn *c, const struct entity *en, int64_t id,
	      const struct access *acc, json_t **out, struct err *e)
{
	json_t *rec;

	*out = NULL;
	if (record_get(c, en, id, true, acc, &rec, e) != ERR_OK)
		return e->code;
	json_decref(rec);
	struct stmt *st = store_prepare(c,
		"SELECT h.id, h.at, h.user_id, u.name, h.action, h.changes FROM history h "
		"LEFT JOIN users u ON u.id = h.user_id "
		"WHERE h.entity = ? AND h.record_id = ? ORDER BY h.id LIMIT ?", e);
	if (!st)
		return e->code;
	stmt_bind_str(st, 1, en->def->name);
	stmt_bind_int(st, 2, id);
	stmt_bind_int(st, 3, HISTORY_MAX);
	json_t *data = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(data, history_entry(st));
	stmt_finish(st);
	if (rc < 0) {
		json_decref(data);
		return e->code;
	}
	*out = json_pack("{s:o}", "data", data);
	return ERR_OK;
}
