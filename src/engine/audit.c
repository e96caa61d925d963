/* SPDX-License-Identifier: MIT */
#include "engine/audit.h"
#include "engine/record.h"
#include <stdio.h>
#include <string.h>
#include "util/jsonx.h"
#include "util/mem.h"

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
	json_object_set_new(h, "user_id", stmt_int_json(st, 2));
	json_object_set_new(h, "user", stmt_text_json(st, 3));
	json_object_set_new(h, "action", json_string(stmt_text(st, 4)));
	json_t *changes = json_loadb(stmt_text(st, 5), stmt_len(st, 5), 0, NULL);
	json_object_set_new(h, "changes", changes ? changes : json_array());
	return h;
}

/* Mask the old and new values of personal fields in a change list. */
static void
mask_changes(const struct entity *en, json_t *changes)
{
	size_t i;
	json_t *c;

	json_array_foreach(changes, i, c) {
		const struct field *f = entity_field(en, json_string_value(json_object_get(c, "field")));
		if (!f || !field_mask_kind(f))
			continue;
		json_t *o = json_pack("{s:O}", f->name, json_object_get(c, "old"));
		json_t *n = json_pack("{s:O}", f->name, json_object_get(c, "new"));
		record_mask(en, o);
		record_mask(en, n);
		json_object_set(c, "old", json_object_get(o, f->name));
		json_object_set(c, "new", json_object_get(n, f->name));
		json_decref(o);
		json_decref(n);
	}
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
	while ((rc = stmt_step(st, e)) == 1) {
		json_t *h = history_entry(st);
		if (acc && acc->masked)
			mask_changes(en, json_object_get(h, "changes"));
		json_array_append_new(data, h);
	}
	stmt_finish(st);
	if (rc < 0) {
		json_decref(data);
		return e->code;
	}
	*out = json_pack("{s:o}", "data", data);
	return ERR_OK;
}

/* ---- events ---- */

struct event_job {
	int64_t user_id;
	char *user, *action, *ip, *detail;
	char at[TIME_STR_LEN];
};

static void
event_free(void *ctx, enum err_code rc)
{
	struct event_job *j = ctx;

	(void)rc;
	free(j->user);
	free(j->action);
	free(j->ip);
	free(j->detail);
	free(j);
}

enum err_code
audit_event_write(struct store_conn *c, const char *at, int64_t user_id, const char *user,
		  const char *action, const char *ip, const char *detail, struct err *e)
{
	struct stmt *st = store_prepare(c, "INSERT INTO audit_events (at, user_id, user_name, action, "
				       "ip, detail) VALUES (?, ?, ?, ?, ?, ?)", e);
	if (!st)
		return e->code;
	stmt_bind_str(st, 1, at);
	if (user_id > 0)
		stmt_bind_int(st, 2, user_id);
	else
		stmt_bind_null(st, 2);
	stmt_bind_str(st, 3, user);
	stmt_bind_str(st, 4, action);
	stmt_bind_str(st, 5, ip);
	stmt_bind_str(st, 6, detail);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

static enum err_code
event_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct event_job *j = ctx;

	return audit_event_write(c, j->at, j->user_id, j->user, j->action, j->ip, j->detail, e);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void
audit_event(struct store *s, int64_t user_id, const char *user, const char *action,
	    const char *ip, const char *detail)
{
	struct event_job *j = xcalloc(1, sizeof(*j));

	j->user_id = user_id;
	j->user = dup_or_null(user);
	j->action = xstrdup(action);
	j->ip = dup_or_null(ip);
	j->detail = dup_or_null(detail);
	time_format(time_now_ms(), j->at);
	if (store_submit(s, event_run, j, NULL, event_free, j) != ERR_OK)
		event_free(j, ERR_UNAVAILABLE);
}

/* ---- the log ---- */

#define AUDIT_MAX_LIMIT 1000

static json_t *
audit_row(struct stmt *st)
{
	json_t *detail = stmt_is_null(st, 9) ? NULL : json_loadb(stmt_text(st, 9), stmt_len(st, 9), 0, NULL);
	json_t *row = json_pack("{s:s,s:I,s:s,s:o,s:o,s:s,s:o,s:o,s:o,s:o}",
		"source", stmt_text(st, 0), "id", (json_int_t)stmt_int(st, 1), "at", stmt_text(st, 2),
		"user_id", stmt_int_json(st, 3),
		"user", stmt_text_json(st, 4),
		"action", stmt_text(st, 5),
		"entity", stmt_text_json(st, 6),
		"record_id", stmt_int_json(st, 7),
		"ip", stmt_text_json(st, 8),
		"detail", detail ? detail : json_null());
	return row;
}

enum err_code
audit_query(struct store_conn *c, const struct audit_filter *f, json_t **out, struct err *e)
{
	int64_t from_ms, to_ms, limit = f->limit ? f->limit : 100;
	char from[TIME_STR_LEN], to[TIME_STR_LEN], cur_at[TIME_STR_LEN] = "", cur_src[8] = "";
	long long cur_id = 0;

	*out = NULL;
	if (limit < 1 || limit > AUDIT_MAX_LIMIT)
		return err_set(e, ERR_BADREQ, "limit must be from 1 to %d", AUDIT_MAX_LIMIT);
	if (f->from && !time_parse_datetime(f->from, &from_ms))
		return err_set(e, ERR_BADREQ, "from must be an RFC 3339 date-time");
	if (f->to && !time_parse_datetime(f->to, &to_ms))
		return err_set(e, ERR_BADREQ, "to must be an RFC 3339 date-time");
	if (f->cursor && (sscanf(f->cursor, "%24[0-9T:.Z-]_%7[a-z]_%lld", cur_at, cur_src, &cur_id) != 3))
		return err_set(e, ERR_BADREQ, "cursor is not valid");
	if (f->from)
		time_format(from_ms, from);
	if (f->to)
		time_format(to_ms, to);
	struct stmt *st = store_prepare(c,
		"SELECT src, id, at, user_id, user_name, action, entity, record_id, ip, detail FROM ("
		" SELECT 'record' AS src, h.id, h.at, h.user_id, u.name AS user_name, h.action,"
		"  h.entity, h.record_id, NULL AS ip, h.changes AS detail"
		"  FROM history h LEFT JOIN users u ON u.id = h.user_id"
		" UNION ALL"
		" SELECT 'auth', e.id, e.at, e.user_id, e.user_name, e.action, NULL, NULL, e.ip, e.detail"
		"  FROM audit_events e)"
		" WHERE (?1 IS NULL OR user_name = ?1) AND (?2 IS NULL OR action = ?2)"
		" AND (?3 IS NULL OR entity = ?3) AND (?4 IS NULL OR at >= ?4) AND (?5 IS NULL OR at <= ?5)"
		" AND (?6 IS NULL OR (at, src, id) < (?6, ?7, ?8))"
		" AND (?10 IS NULL OR record_id = ?10)"
		" ORDER BY at DESC, src DESC, id DESC LIMIT ?9", e);
	if (!st)
		return e->code;
	stmt_bind_str(st, 1, f->user);
	stmt_bind_str(st, 2, f->action);
	stmt_bind_str(st, 3, f->entity);
	stmt_bind_str(st, 4, f->from ? from : NULL);
	stmt_bind_str(st, 5, f->to ? to : NULL);
	stmt_bind_str(st, 6, f->cursor ? cur_at : NULL);
	stmt_bind_str(st, 7, cur_src);
	stmt_bind_int(st, 8, cur_id);
	stmt_bind_int(st, 9, limit + 1);
	if (f->record)
		stmt_bind_int(st, 10, f->record);
	else
		stmt_bind_null(st, 10);
	json_t *data = json_array();
	int rc;
	char next[64] = "";
	while ((rc = stmt_step(st, e)) == 1) {
		if ((int64_t)json_array_size(data) == limit) {
			json_t *last = json_array_get(data, json_array_size(data) - 1);
			snprintf(next, sizeof(next), "%s_%s_%lld", json_string_value(json_object_get(last, "at")),
				 json_string_value(json_object_get(last, "source")),
				 (long long)json_integer_value(json_object_get(last, "id")));
			break;
		}
		json_array_append_new(data, audit_row(st));
	}
	stmt_finish(st);
	if (rc < 0) {
		json_decref(data);
		return e->code;
	}
	*out = json_pack("{s:o,s:o}", "data", data, "next_cursor", next[0] ? json_string(next) : json_null());
	return ERR_OK;
}
