/* SPDX-License-Identifier: MIT */
#include <string.h>
#include "engine/audit.h"
#include "engine/record.h"
#include "engine/shares.h"

static enum err_code
shareable(const struct entity *en, struct err *e)
{
	if (en->def->owner_field)
		return ERR_OK;
	if (en->def->parent_field)
		return err_set(e, ERR_NOTFOUND, "%s are shared with their parent record; share that instead",
			       en->def->name);
	return err_set(e, ERR_NOTFOUND, "%s are not shared record by record", en->def->name);
}

static json_t *
share_row(struct stmt *st)
{
	return json_pack("{s:I,s:o,s:o,s:s,s:s,s:o}",
		"id", (json_int_t)stmt_int(st, 0),
		"user_id", stmt_int_json(st, 1),
		"team_id", stmt_int_json(st, 2),
		"access", stmt_text(st, 3), "created_at", stmt_text(st, 4),
		"created_by", stmt_int_json(st, 5));
}

#define SHARE_COLUMNS "id, user_id, team_id, access, created_at, created_by"

enum err_code
shares_list(struct store_conn *c, const struct entity *en, int64_t id, const struct access *acc,
	    json_t **out, struct err *e)
{
	json_t *rec;

	*out = NULL;
	if (shareable(en, e) != ERR_OK || record_get(c, en, id, false, acc, &rec, e) != ERR_OK)
		return e->code;
	json_decref(rec);
	struct stmt *st = store_prepare(c, "SELECT " SHARE_COLUMNS " FROM record_shares "
				       "WHERE entity = ? AND record_id = ? ORDER BY id", e);
	if (!st)
		return e->code;
	stmt_bind_str(st, 1, en->def->name);
	stmt_bind_int(st, 2, id);
	json_t *data = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(data, share_row(st));
	stmt_finish(st);
	if (rc < 0) {
		json_decref(data);
		return e->code;
	}
	*out = json_pack("{s:o}", "data", data);
	return ERR_OK;
}

/* The record must be visible (404) and changeable by the caller (403). */
static enum err_code
may_change(struct wtx *w, const struct entity *en, int64_t id, struct err *e)
{
	json_t *rec;

	if (shareable(en, e) != ERR_OK || record_get(w->c, en, id, false, w->acc, &rec, e) != ERR_OK)
		return e->code;
	json_decref(rec);
	return record_check_act(w, en, id, "share", e);
}

/* Check the body; *who_field is "user_id" or "team_id". */
static enum err_code
parse_share(struct wtx *w, const json_t *body, const char **who_field, int64_t *who,
	    const char **access, struct err *e)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)body, k, v)
		if (strcmp(k, "user_id") && strcmp(k, "team_id") && strcmp(k, "access"))
			err_field(e, k, "unknown field");
	json_t *u = json_object_get(body, "user_id"), *t = json_object_get(body, "team_id");
	json_t *a = json_object_get(body, "access");
	if ((u != NULL) == (t != NULL))
		err_field(e, u ? "team_id" : "user_id", "give a user_id or a team_id, not both");
	*who_field = u ? "user_id" : "team_id";
	json_t *id = u ? u : t;
	if (id && (!json_is_integer(id) || json_integer_value(id) <= 0))
		err_field(e, *who_field, "must be the id of a record");
	*access = a ? json_string_value(a) : "read";
	if (!*access || (strcmp(*access, "read") && strcmp(*access, "edit")))
		err_field(e, "access", "is read or edit");
	if (e->fields)
		return err_set(e, ERR_INVALID, "the share is invalid");
	*who = json_integer_value(id);
	char sql[96];
	snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE id = ? AND deleted_at IS NULL",
		 u ? "users" : "teams");
	struct stmt *st = store_prepare(w->c, sql, e);
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, *who);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	if (rc == 0) {
		err_field(e, *who_field, "no %s with id %lld", u ? "user" : "team", (long long)*who);
		return err_set(e, ERR_INVALID, "the share is invalid");
	}
	return ERR_OK;
}

static enum err_code
audit_share(struct wtx *w, const struct entity *en, int64_t id, const char *action,
	    const json_t *share, struct err *e)
{
	json_t *changes = json_pack("[{s:s,s:O,s:O}]", "field", "shares",
				    "old", strcmp(action, "share") ? share : json_null(),
				    "new", strcmp(action, "share") ? json_null() : share);
	char *text = json_dumps(changes, JSON_COMPACT);
	enum err_code rc = audit_record(w, en, id, action, text, e);

	free(text);
	json_decref(changes);
	return rc;
}

enum err_code
shares_add(struct wtx *w, const struct entity *en, int64_t id, const json_t *body, json_t **out,
	   struct err *e)
{
	const char *who_field = NULL, *access = NULL;
	int64_t who = 0;

	*out = NULL;
	if (may_change(w, en, id, e) != ERR_OK || parse_share(w, body, &who_field, &who, &access, e) != ERR_OK)
		return e->code;
	char sql[256];
	/* one share per record and grantee: a second one replaces the access */
	snprintf(sql, sizeof(sql), "DELETE FROM record_shares WHERE entity = ? AND record_id = ? AND %s = ?",
		 who_field);
	struct stmt *st = store_prepare(w->c, sql, e);
	if (!st)
		return e->code;
	stmt_bind_str(st, 1, en->def->name);
	stmt_bind_int(st, 2, id);
	stmt_bind_int(st, 3, who);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	snprintf(sql, sizeof(sql), "INSERT INTO record_shares (entity, record_id, %s, access, created_at, "
		 "created_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING " SHARE_COLUMNS, who_field);
	if (!(st = store_prepare(w->c, sql, e)))
		return e->code;
	stmt_bind_str(st, 1, en->def->name);
	stmt_bind_int(st, 2, id);
	stmt_bind_int(st, 3, who);
	stmt_bind_str(st, 4, access);
	stmt_bind_str(st, 5, w->now);
	if (w->who && w->who->user_id > 0)
		stmt_bind_int(st, 6, w->who->user_id);
	else
		stmt_bind_null(st, 6);
	if ((rc = stmt_step(st, e)) == 1)
		*out = share_row(st);
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	return audit_share(w, en, id, "share", *out, e);
}

enum err_code
shares_remove(struct wtx *w, const struct entity *en, int64_t id, int64_t share_id, struct err *e)
{
	if (may_change(w, en, id, e) != ERR_OK)
		return e->code;
	struct stmt *st = store_prepare(w->c, "DELETE FROM record_shares WHERE id = ? AND entity = ? "
				       "AND record_id = ? RETURNING " SHARE_COLUMNS, e);
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, share_id);
	stmt_bind_str(st, 2, en->def->name);
	stmt_bind_int(st, 3, id);
	json_t *gone = NULL;
	int rc = stmt_step(st, e);
	if (rc == 1)
		gone = share_row(st);
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	if (!gone)
		return err_set(e, ERR_NOTFOUND, "%s %lld has no share %lld", en->def->singular,
			       (long long)id, (long long)share_id);
	rc = audit_share(w, en, id, "unshare", gone, e);
	json_decref(gone);
	return rc;
}
