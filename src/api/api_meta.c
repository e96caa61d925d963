/* SPDX-License-Identifier: MIT */
/* Entity metadata and custom fields. */
#include "api/api.h"
#include <stdlib.h>
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
	static const char *const actions[] = { "read", "create", "update", "delete", "admin", "export" };
	static const char *const scopes[] = { "none", "own", "team", "all" };
	json_t *data = json_array();

	for (size_t k = 0; k < COUNT_OF(roles); k++) {
		json_t *ents = json_object();
		for (size_t i = 0; i < registry_count(); i++) {
			const char *name = registry_at(i)->def->name;
			json_t *acts = json_object();
			for (size_t a = 0; a < COUNT_OF(actions); a++)
				json_object_set_new(acts, actions[a],
						    json_string(scopes[role_scope(roles[k], name, (enum action)a)]));
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
	struct audit_filter f = {
		.user = req_query(r, "user"), .action = req_query(r, "action"),
		.entity = req_query(r, "entity"), .from = req_query(r, "from"),
		.to = req_query(r, "to"), .cursor = req_query(r, "cursor"),
	};
	const char *limit = req_query(r, "limit");
	struct store_conn *c;
	json_t *out;

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
