/* SPDX-License-Identifier: MIT */
/* Entity metadata and custom fields. */
#include "api/api.h"
#include <stdlib.h>
#include <string.h>
#include "util/timeutil.h"
#include "engine/audit.h"
#include "engine/custom.h"

static json_t *
fields_json(const struct entity *en)
{
	json_t *list = json_array();
	size_t i = 0;
	const struct field *f;

	while ((f = entity_field_at(en, &i)))
		json_array_append_new(list, field_describe(f));
	return list;
}

enum err_code
api_meta_entities(struct req *r)
{
	json_t *data = json_array();

	for (size_t i = 0; i < registry_count(); i++) {
		const struct entity *en = registry_at(i);
		if (!role_allows(r->who.role, en->def->name, ACT_READ))
			continue;
		json_array_append_new(data, json_pack("{s:s,s:s,s:s,s:o}",
			"name", en->def->name, "singular", en->def->singular,
			"label", en->def->label, "fields", fields_json(en)));
	}
	return reply_json(r, 200, json_pack("{s:o}", "data", data));
}

enum err_code
api_meta_fields_list(struct req *r)
{
	return reply_json(r, 200, json_pack("{s:o}", "data", fields_json(r->entity)));
}

enum err_code
api_meta_fields_add(struct req *r)
{
	json_t *body, *out;
	enum err_code rc;

	if ((rc = req_json_body(r, &body)) != ERR_OK)
		return rc;
	rc = custom_field_add(req_store(r), r->entity, body, &out, &r->err);
	json_decref(body);
	if (rc != ERR_OK)
		return rc;
	return reply_json(r, 201, out);
}

enum err_code
api_meta_fields_remove(struct req *r)
{
	if (custom_field_remove(req_store(r), r->entity, req_param(r, "name"), &r->err) != ERR_OK)
		return r->err.code;
	return reply_empty(r, 204);
}

/* The permission table: per role and entity, the scope of each action. */
enum err_code
api_meta_roles(struct req *r)
{
	static const char *const roles[] = {
		"admin", "manager", "sales", "service", "marketing", "readonly"
	};
	json_t *data = json_array();

	for (size_t k = 0; k < COUNT_OF(roles); k++) {
		json_t *ents = json_object();
		for (size_t i = 0; i < registry_count(); i++) {
			const char *name = registry_at(i)->def->name;
			json_t *acts = json_object();
			for (int a = 0; a < ACT_COUNT; a++)
				json_object_set_new(acts, action_name((enum action)a),
						    json_string(scope_name(role_scope(roles[k], name, (enum action)a))));
			json_object_set_new(ents, name, acts);
		}
		json_array_append_new(data, json_pack("{s:s,s:o}", "role", roles[k], "entities", ents));
	}
	return reply_json(r, 200, json_pack("{s:o}", "data", data));
}

/* The audit log (admins): record changes and sign-in events, newest first. */
enum err_code
api_audit(struct req *r)
{
	static const char *const known[] = {
		"user", "action", "entity", "record", "from", "to", "limit", "cursor", NULL
	};
	struct audit_filter f = {
		.user = req_query(r, "user"), .action = req_query(r, "action"),
		.entity = req_query(r, "entity"), .from = req_query(r, "from"),
		.to = req_query(r, "to"), .cursor = req_query(r, "cursor"),
	};
	const char *limit = req_query(r, "limit"), *record = req_query(r, "record");
	struct store_conn *c;
	json_t *out;

	if (req_known_query(r, known) != ERR_OK)
		return r->err.code;
	if (record) {
		char *end;
		f.record = strtoll(record, &end, 10);
		if (!*record || *end || f.record < 1)
			return err_set(&r->err, ERR_BADREQ, "record must be a record id (a positive integer)");
	}
	if (limit) {
		char *end;
		f.limit = strtoll(limit, &end, 10);
		if (*end || f.limit < 1)
			return err_set(&r->err, ERR_BADREQ, "limit must be a positive integer");
	}
	if (!(c = store_reader(req_store(r), &r->err)) || audit_query(c, &f, &out, &r->err) != ERR_OK)
		return r->err.code;
	return reply_json(r, 200, out);
}

/* ---- changing the permission table ---- */

struct grant_job {
	const char *role;
	json_t *cells;		/* [[entity, action, scope]], checked */
	int64_t actor_id;
	const char *actor;
	char ip[64];
};

static void
grant_release(void *p)
{
	json_decref(((struct grant_job *)p)->cells);
}

static enum err_code
grant_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct grant_job *j = ctx;
	char at[TIME_STR_LEN];
	size_t i;
	json_t *cell;

	time_format(time_now_ms(), at);
	json_array_foreach(j->cells, i, cell) {
		struct stmt *st = store_prepare(c, "INSERT INTO role_grants (role, entity, action, scope, updated_at) "
			"VALUES (?, ?, ?, ?, ?) ON CONFLICT (role, entity, action) DO UPDATE SET "
			"scope = excluded.scope, updated_at = excluded.updated_at", e);
		if (!st)
			return e->code;
		stmt_bind_str(st, 1, j->role);
		for (int k = 0; k < 3; k++)
			stmt_bind_str(st, 2 + k, json_string_value(json_array_get(cell, (size_t)k)));
		stmt_bind_str(st, 5, at);
		int rc = stmt_step(st, e);
		stmt_finish(st);
		if (rc < 0)
			return e->code;
	}
	json_t *d = json_pack("{s:s,s:O}", "role", j->role, "changes", j->cells);
	char *detail = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	enum err_code rc = audit_event_write(c, at, j->actor_id, j->actor, "role_changed", j->ip, detail, e);
	free(detail);
	return rc;
}

/* Committed: now the server applies it. */
static enum err_code
granted(struct req *r)
{
	struct grant_job *j = r->async_ctx;
	size_t i;
	json_t *cell;

	json_array_foreach(j->cells, i, cell) {
		enum action act;
		enum scope sc;
		action_parse(json_string_value(json_array_get(cell, 1)), &act);
		scope_parse(json_string_value(json_array_get(cell, 2)), &sc);
		role_override(j->role, json_string_value(json_array_get(cell, 0)), act, sc);
	}
	return api_meta_roles(r);
}

/* {"entities": {"customers": {"read": "team", ...}, ...}} */
enum err_code
api_roles_update(struct req *r)
{
	struct grant_job *j = arena_alloc(r->arena, sizeof(*j));
	const char *role = req_param(r, "role");
	json_t *body, *ents, *acts, *sc;
	const char *en, *act;
	enum err_code rc;

	if (!role_valid(role))
		return err_set(&r->err, ERR_NOTFOUND, "no role %.32s (roles: %s)", role, role_names());
	if (strcmp(role, "admin") == 0)
		return err_set(&r->err, ERR_CONFLICT, "the admin role cannot be changed: it is how the table is changed");
	if ((rc = req_json_body(r, &body)) != ERR_OK)
		return rc;
	j->role = arena_strdup(r->arena, role);
	j->cells = json_array();
	j->actor_id = r->who.user_id;
	j->actor = r->who.name;
	req_client_ip(r, j->ip, sizeof(j->ip));
	arena_defer(r->arena, grant_release, j);
	ents = json_object_get(body, "entities");
	if (!json_is_object(ents) || json_object_size(body) != 1)
		err_field(&r->err, "entities", "an object: entity -> action -> scope");
	json_object_foreach(ents, en, acts) {
		if (!registry_find(en)) {
			err_field(&r->err, "entities", "no entity %.64s", en);
			continue;
		}
		json_object_foreach(acts, act, sc) {
			enum action a;
			enum scope s;
			if (!action_parse(act, &a) || a == ACT_ADMIN)
				err_field(&r->err, "entities", "%.64s: no action %.32s (read create update delete export)", en, act);
			else if (!json_is_string(sc) || !scope_parse(json_string_value(sc), &s))
				err_field(&r->err, "entities", "%.64s.%.32s: a scope is none, own, team or all", en, act);
			else
				json_array_append_new(j->cells, json_pack("[s,s,s]", en, act, json_string_value(sc)));
		}
	}
	json_decref(body);
	if (r->err.fields)
		return err_set(&r->err, ERR_INVALID, "the permission change is invalid");
	if (json_array_size(j->cells) == 0) {
		err_field(&r->err, "entities", "name at least one entity, action and scope");
		return err_set(&r->err, ERR_INVALID, "the permission change is invalid");
	}
	return req_write(r, grant_run, j, granted);
}
