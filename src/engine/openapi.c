/* SPDX-License-Identifier: MIT */
#include <string.h>
#include "engine/openapi.h"
#include "engine/entity.h"
#include "engine/query.h"

#define GUANXI_API_VERSION "1.0.0"

static json_t *
nullable(json_t *schema)
{
	json_t *type = json_object_get(schema, "type");

	if (json_is_string(type))
		json_object_set_new(schema, "type", json_pack("[s,s]", json_string_value(type), "null"));
	if (json_object_get(schema, "enum"))
		json_array_append_new(json_object_get(schema, "enum"), json_null());
	return schema;
}

static json_t *
field_schema(const struct field *f)
{
	json_t *s;

	switch (f->type) {
	case FT_INTEGER:
		s = json_pack("{s:s}", "type", "integer");
		break;
	case FT_REF:
		s = json_pack("{s:s,s:i,s:s}", "type", "integer", "minimum", 1,
			      "description", f->ref ? f->ref : "");
		break;
	case FT_NUMBER:
		s = json_pack("{s:s}", "type", "number");
		break;
	case FT_BOOLEAN:
		s = json_pack("{s:s}", "type", "boolean");
		break;
	case FT_DATE:
		s = json_pack("{s:s,s:s}", "type", "string", "format", "date");
		break;
	case FT_DATETIME:
		s = json_pack("{s:s,s:s}", "type", "string", "format", "date-time");
		break;
	case FT_EMAIL:
		s = json_pack("{s:s,s:s,s:i}", "type", "string", "format", "email",
			      "maxLength", field_max_len(f));
		break;
	case FT_ENUM: {
		json_t *vals = json_array();
		for (const char *const *p = f->values; p && *p; p++)
			json_array_append_new(vals, json_string(*p));
		s = json_pack("{s:s,s:o}", "type", "string", "enum", vals);
		break;
	}
	case FT_TAGS:
		s = json_pack("{s:s,s:{s:s,s:i},s:i}", "type", "array", "items", "type", "string",
			      "maxLength", field_max_len(f), "maxItems", 50);
		break;
	default:
		s = json_pack("{s:s,s:i}", "type", "string", "maxLength", field_max_len(f));
	}
	if (f->label)
		json_object_set_new(s, "title", json_string(f->label));
	if (f->format)
		json_object_set_new(s, "format", json_string(f->format->name));
	return (f->flags & F_REQUIRED) ? s : nullable(s);
}

/* Record schema (read) and input schema (write) of an entity. */
static void
entity_schemas(const struct entity *en, json_t *schemas)
{
	json_t *props = json_object(), *in_props = json_object(), *required = json_array();
	size_t i = 0;
	const struct field *f;

	json_object_set_new(props, "id", json_pack("{s:s}", "type", "integer"));
	while ((f = entity_field_at(en, &i))) {
		json_object_set_new(props, f->name, field_schema(f));
		json_object_set_new(in_props, f->name, field_schema(f));
		if (f->flags & F_REQUIRED)
			json_array_append_new(required, json_string(f->name));
	}
	json_object_set_new(props, "created_at", json_pack("{s:s,s:s}", "type", "string", "format", "date-time"));
	json_object_set_new(props, "updated_at", json_pack("{s:s,s:s}", "type", "string", "format", "date-time"));
	json_object_set_new(props, "version", json_pack("{s:s,s:i}", "type", "integer", "minimum", 1));
	json_object_set_new(props, "deleted_at", json_pack("{s:s,s:s}", "type", "string", "format", "date-time"));
	char name[128];
	snprintf(name, sizeof(name), "%s", en->def->name);
	json_object_set_new(schemas, name, json_pack("{s:s,s:o}", "type", "object", "properties", props));
	snprintf(name, sizeof(name), "%s_patch", en->def->name);
	json_object_set_new(schemas, name, json_pack("{s:s,s:O,s:b}", "type", "object",
		"properties", in_props, "additionalProperties", 0));
	snprintf(name, sizeof(name), "%s_input", en->def->name);
	json_object_set_new(schemas, name, json_pack("{s:s,s:o,s:b,s:o}", "type", "object",
		"properties", in_props, "additionalProperties", 0, "required", required));
}

static json_t *
ref(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "#/components/schemas/%.200s", name);
	return json_pack("{s:s}", "$ref", path);
}

static json_t *
json_content(json_t *schema)
{
	return json_pack("{s:{s:o}}", "application/json", "schema", schema);
}

static json_t *
response(const char *desc, json_t *schema)
{
	json_t *r = json_pack("{s:s}", "description", desc);

	if (schema)
		json_object_set_new(r, "content", json_content(schema));
	return r;
}

static json_t *
with_errors(json_t *responses)
{
	json_object_set_new(responses, "default", response("An error", ref("error")));
	return responses;
}

static json_t *
param(const char *name, const char *in, bool required, json_t *schema, const char *desc)
{
	return json_pack("{s:s,s:s,s:b,s:o,s:s}", "name", name, "in", in, "required", required,
			 "schema", schema, "description", desc);
}

static json_t *
op(const char *id, const char *summary, const char *tag, json_t *params, json_t *body,
   json_t *responses)
{
	json_t *o = json_pack("{s:s,s:s,s:[s],s:o}", "operationId", id, "summary", summary,
			      "tags", tag, "responses", with_errors(responses));

	if (params)
		json_object_set_new(o, "parameters", params);
	if (body)
		json_object_set_new(o, "requestBody", json_pack("{s:b,s:o}", "required", 1,
								"content", json_content(body)));
	return o;
}

static json_t *
list_params(void)
{
	return json_pack("[o,o,o,o,o,o,o,o]",
		param("filter", "query", false, json_pack("{s:s,s:{s:s}}", "type", "array", "items", "type", "string"),
		      "FIELD:OP:VALUE with OP one of eq ne lt le gt ge in contains prefix null; repeatable"),
		param("sort", "query", false, json_pack("{s:s}", "type", "string"), "a sortable field, - for descending"),
		param("limit", "query", false, json_pack("{s:s,s:i,s:i}", "type", "integer", "minimum", 1,
							  "maximum", LIST_MAX_LIMIT), "page size"),
		param("cursor", "query", false, json_pack("{s:s}", "type", "string"), "next_cursor of the previous page"),
		param("fields", "query", false, json_pack("{s:s}", "type", "string"), "comma-separated fields to return"),
		param("q", "query", false, json_pack("{s:s}", "type", "string"), "text to find"),
		param("deleted", "query", false, json_pack("{s:s}", "type", "boolean"), "list deleted records instead"),
		param("ids", "query", false, json_pack("{s:s}", "type", "string"),
		      "comma-separated record ids: only these (at most 1,000)"));
}

static void
entity_paths(const struct entity *en, json_t *paths)
{
	const char *n = en->def->name;
	char path[200], id[200], input[160], patch[160];
	json_t *idp = param("id", "path", true, json_pack("{s:s,s:i}", "type", "integer", "minimum", 1), "record id");

	snprintf(input, sizeof(input), "%s_input", n);
	snprintf(patch, sizeof(patch), "%s_patch", n);
	json_t *list_schema = json_pack("{s:s,s:{s:{s:s,s:o},s:{s:[s,s]}},s:[s,s]}", "type", "object",
		"properties", "data", "type", "array", "items", ref(n), "next_cursor", "type", "string", "null",
		"required", "data", "next_cursor");
	snprintf(path, sizeof(path), "/api/v1/%s", n);
	snprintf(id, sizeof(id), "%s_list", n);
	json_t *item = json_object();
	json_object_set_new(item, "get", op(id, "List records", n, list_params(), NULL,
					    json_pack("{s:o}", "200", response("A page", list_schema))));
	snprintf(id, sizeof(id), "%s_create", n);
	json_object_set_new(item, "post", op(id, "Create a record", n,
		json_pack("[o]", param("Idempotency-Key", "header", false, json_pack("{s:s}", "type", "string"),
				       "a retry with the same key returns the first answer")),
		ref(input), json_pack("{s:o}", "201", response("Created", ref(n)))));
	json_object_set_new(paths, path, item);

	snprintf(path, sizeof(path), "/api/v1/%s/{id}", n);
	item = json_pack("{s:[O]}", "parameters", idp);
	snprintf(id, sizeof(id), "%s_get", n);
	json_object_set_new(item, "get", op(id, "Read a record", n, NULL, NULL,
					    json_pack("{s:o}", "200", response("The record", ref(n)))));
	snprintf(id, sizeof(id), "%s_update", n);
	json_object_set_new(item, "patch", op(id, "Update the given fields", n,
		json_pack("[o]", param("If-Match", "header", false, json_pack("{s:s}", "type", "string"),
				       "the version the change is based on")),
		ref(patch),
		json_pack("{s:o}", "200", response("The record", ref(n)))));
	snprintf(id, sizeof(id), "%s_delete", n);
	json_object_set_new(item, "delete", op(id, "Delete (soft)", n, NULL, NULL,
					       json_pack("{s:o}", "204", response("Deleted", NULL))));
	json_object_set_new(paths, path, item);

	snprintf(path, sizeof(path), "/api/v1/%s/{id}/restore", n);
	snprintf(id, sizeof(id), "%s_restore", n);
	json_object_set_new(paths, path, json_pack("{s:[O],s:o}", "parameters", idp, "post",
		op(id, "Undo a delete", n, NULL, NULL, json_pack("{s:o}", "200", response("The record", ref(n))))));
	snprintf(path, sizeof(path), "/api/v1/%s/{id}/history", n);
	snprintf(id, sizeof(id), "%s_history", n);
	json_object_set_new(paths, path, json_pack("{s:[O],s:o}", "parameters", idp, "get",
		op(id, "Change history", n, NULL, NULL, json_pack("{s:o}", "200", response("History", ref("history"))))));
	if (en->def->owner_field) {
		snprintf(path, sizeof(path), "/api/v1/%s/{id}/shares", n);
		json_t *share = json_pack("{s:s,s:{s:{s:s},s:{s:s},s:{s:s,s:[s,s]}}}", "type", "object",
			"properties", "user_id", "type", "integer", "team_id", "type", "integer",
			"access", "type", "string", "enum", "read", "edit");
		char lid[200], aid[200];
		snprintf(lid, sizeof(lid), "%s_shares_list", n);
		snprintf(aid, sizeof(aid), "%s_shares_add", n);
		json_object_set_new(paths, path, json_pack("{s:[O],s:o,s:o}", "parameters", idp,
			"get", op(lid, "Who the record is shared with", n, NULL, NULL,
				  json_pack("{s:o}", "200", response("Shares", json_pack("{s:s}", "type", "object")))),
			"post", op(aid, "Share with a user or a team", n, NULL, json_incref(share),
				   json_pack("{s:o}", "201", response("The share", share)))));
		snprintf(path, sizeof(path), "/api/v1/%s/{id}/shares/{share}", n);
		snprintf(aid, sizeof(aid), "%s_shares_remove", n);
		json_object_set_new(paths, path, json_pack("{s:[O,o],s:o}", "parameters", idp,
			param("share", "path", true, json_pack("{s:s}", "type", "integer"), "share id"),
			"delete", op(aid, "End a share", n, NULL, NULL,
				     json_pack("{s:o}", "204", response("Ended", NULL)))));
	}
	if (en->def->owner_field || entity_field(en, "tags")) {
		snprintf(path, sizeof(path), "/api/v1/%s/bulk", n);
		snprintf(id, sizeof(id), "%s_bulk", n);
		json_object_set_new(paths, path, json_pack("{s:o}", "post", op(id,
			"Assign an owner, add or remove a tag on records chosen by ids or by the list's filters and q "
			"(a background job; dry_run counts them)", n, NULL, json_pack("{s:s}", "type", "object"),
			json_pack("{s:o,s:o}", "202", response("The job, queued", json_pack("{s:s}", "type", "object")),
				  "200", response("dry_run: how many", json_pack("{s:s}", "type", "object"))))));
	}
	json_decref(idp);
}

/* ---- the list's server side (issue 5): preferences, saved views, bulk jobs ---- */
static void
list_side_paths(json_t *paths)
{
	json_t *obj = json_pack("{s:s}", "type", "object");
	json_t *idp = param("id", "path", true, json_pack("{s:s,s:i}", "type", "integer", "minimum", 1), "id");

	json_object_set_new(paths, "/api/v1/auth/me/preferences", json_pack("{s:o,s:o}",
		"get", op("preferences_get", "The signed-in user's preferences", "auth", NULL, NULL,
			  json_pack("{s:o}", "200", response("Preferences", json_incref(obj)))),
		"patch", op("preferences_update", "Change the given preferences (null clears one)", "auth", NULL,
			    json_incref(obj), json_pack("{s:o}", "200", response("Preferences", json_incref(obj))))));
	json_object_set_new(paths, "/api/v1/views", json_pack("{s:o,s:o}",
		"get", op("views_list", "The caller's saved views", "views", json_pack("[o]",
			  param("entity", "query", false, json_pack("{s:s}", "type", "string"), "only this list's")),
			  NULL, json_pack("{s:o}", "200", response("Views", json_incref(obj)))),
		"post", op("views_create", "Save a view", "views", NULL, json_incref(obj),
			   json_pack("{s:o}", "201", response("The view", json_incref(obj))))));
	json_object_set_new(paths, "/api/v1/views/{id}", json_pack("{s:[O],s:o,s:o,s:o}", "parameters", idp,
		"get", op("views_get", "One of the caller's views", "views", NULL, NULL,
			  json_pack("{s:o}", "200", response("The view", json_incref(obj)))),
		"patch", op("views_update", "Change a view", "views", NULL, json_incref(obj),
			    json_pack("{s:o}", "200", response("The view", json_incref(obj)))),
		"delete", op("views_delete", "Delete a view", "views", NULL, NULL,
			     json_pack("{s:o}", "204", response("Deleted", NULL)))));
	json_object_set_new(paths, "/api/v1/bulk_jobs/{id}", json_pack("{s:[O],s:o}", "parameters", idp,
		"get", op("bulk_jobs_get", "A bulk action's progress and the records not changed", "bulk", NULL, NULL,
			  json_pack("{s:o}", "200", response("The job", json_incref(obj))))));
	json_decref(idp);
	json_decref(obj);
}

static void
system_paths(json_t *paths)
{
	json_t *login = json_pack("{s:s,s:{s:{s:s},s:{s:s}},s:[s,s]}", "type", "object", "properties",
				  "name", "type", "string", "password", "type", "string", "required", "name", "password");
	json_t *user = json_pack("{s:s,s:{s:{s:s}}}", "type", "object", "properties", "user", "type", "object");

	json_object_set_new(paths, "/healthz", json_pack("{s:o}", "get", op("healthz", "Health", "system",
		NULL, NULL, json_pack("{s:o}", "200", response("Healthy", json_pack("{s:s}", "type", "object"))))));
	json_object_set_new(paths, "/metrics", json_pack("{s:o}", "get", op("metrics", "Prometheus metrics",
		"system", NULL, NULL, json_pack("{s:o}", "200", response("Metrics", NULL)))));
	json_object_set_new(paths, "/api/v1/auth/login", json_pack("{s:o}", "post", op("login", "Log in",
		"auth", NULL, login, json_pack("{s:o}", "200", response("Logged in; sets the gx_session cookie", json_incref(user))))));
	json_object_set_new(paths, "/api/v1/auth/logout", json_pack("{s:o}", "post", op("logout", "Log out",
		"auth", NULL, NULL, json_pack("{s:o}", "204", response("Logged out", NULL)))));
	json_object_set_new(paths, "/api/v1/auth/me", json_pack("{s:o}", "get", op("me", "Who am I",
		"auth", NULL, NULL, json_pack("{s:o}", "200", response("The user", user)))));
	json_object_set_new(paths, "/api/v1/roles", json_pack("{s:o}", "get", op("roles",
		"The permission table: per role and entity, the scope of each action", "meta", NULL, NULL,
		json_pack("{s:o}", "200", response("Roles", json_pack("{s:s}", "type", "object"))))));
	json_object_set_new(paths, "/api/v1/audit", json_pack("{s:o}", "get", op("audit",
		"The audit log, newest first (admins)", "meta", json_pack("[o,o,o,o,o,o,o,o]",
			param("user", "query", false, json_pack("{s:s}", "type", "string"), "user name"),
			param("action", "query", false, json_pack("{s:s}", "type", "string"), "login, create ..."),
			param("entity", "query", false, json_pack("{s:s}", "type", "string"), "entity name"),
			param("record", "query", false, json_pack("{s:s,s:i}", "type", "integer", "minimum", 1), "record id"),
			param("from", "query", false, json_pack("{s:s,s:s}", "type", "string", "format", "date-time"), "not before"),
			param("to", "query", false, json_pack("{s:s,s:s}", "type", "string", "format", "date-time"), "not after"),
			param("limit", "query", false, json_pack("{s:s,s:i,s:i}", "type", "integer", "minimum", 1, "maximum", 1000), "page size"),
			param("cursor", "query", false, json_pack("{s:s}", "type", "string"), "next_cursor of the previous page")),
		NULL, json_pack("{s:o}", "200", response("Events", json_pack("{s:s}", "type", "object"))))));
	json_t *ent = param("entity", "path", true, json_pack("{s:s}", "type", "string"), "entity name");
	json_object_set_new(paths, "/api/v1/meta/entities", json_pack("{s:o}", "get", op("meta_entities",
		"Entities and their fields", "meta", NULL, NULL, json_pack("{s:o}", "200", response("Entities",
		json_pack("{s:s}", "type", "object"))))));
	json_object_set_new(paths, "/api/v1/meta/entities/{entity}/fields", json_pack("{s:[O],s:o,s:o}",
		"parameters", ent,
		"get", op("meta_fields_list", "Fields of an entity", "meta", NULL, NULL,
			  json_pack("{s:o}", "200", response("Fields", json_pack("{s:s}", "type", "object")))),
		"post", op("meta_fields_add", "Add a custom field", "meta", NULL,
			   json_pack("{s:s}", "type", "object"),
			   json_pack("{s:o}", "201", response("The field", json_pack("{s:s}", "type", "object"))))));
	json_object_set_new(paths, "/api/v1/meta/entities/{entity}/fields/{name}", json_pack("{s:[O,o],s:o}",
		"parameters", ent, param("name", "path", true, json_pack("{s:s}", "type", "string"), "field name"),
		"delete", op("meta_fields_remove", "Remove a custom field", "meta", NULL, NULL,
			     json_pack("{s:o}", "204", response("Removed", NULL)))));
	json_decref(ent);
}

/* ---- the rest of the API, declared as data ---- */

/* One operation: {id} and {share} in its path are integers, its other
 * parameters strings; a body is a JSON object; the answer is `ok` with a
 * JSON object, or `media` (a file), or nothing for 204. {entity} stands
 * for each entity; `only` limits it to the entities that answer. */
enum only { ALL, OWNED, CUSTOMERS };
struct extra_op {
	const char *method, *path, *id, *summary, *tag, *ok, *media;
	bool body;
	enum only only;
};

static const struct extra_op extra_ops[] = {
	{ "get", "/api/v1/openapi.json", "openapi", "This document", "system", "200", NULL, false, ALL },
	{ "post", "/api/v1/auth/totp/setup", "totp_setup", "Start two-step sign-in: a new secret and its otpauth:// URI", "auth", "200", NULL, false, ALL },
	{ "post", "/api/v1/auth/totp/enable", "totp_enable", "Turn two-step sign-in on with a code from the authenticator ({code})", "auth", "204", NULL, true, ALL },
	{ "post", "/api/v1/auth/totp/disable", "totp_disable", "Turn two-step sign-in off ({code})", "auth", "204", NULL, true, ALL },
	{ "get", "/api/v1/search", "search", "Find customers, contacts and identifiers in any script (q, entities, limit): ranked hits with the field that matched", "search", "200", NULL, false, ALL },
	{ "get", "/api/v1/lookup", "lookup", "The customer holding an identifier (identifier: phone, e-mail, member card, policy no., plate ...)", "search", "200", NULL, false, ALL },
	{ "get", "/api/v1/customers/{id}/overview", "customers_overview", "The customer's 360: profile, identifiers, contacts, timeline, open items, key figures", "customers", "200", NULL, false, ALL },
	{ "get", "/api/v1/customers/{id}/duplicates", "customers_duplicates", "Likely duplicates of a customer, scored", "customers", "200", NULL, false, ALL },
	{ "post", "/api/v1/customers/duplicates", "customers_duplicates_check", "Likely duplicates of a customer before it is created", "customers", "200", NULL, true, ALL },
	{ "post", "/api/v1/customers/{id}/merge", "customers_merge", "Merge a duplicate into this customer ({duplicate_id, prefer}); undoable for 30 days", "customers", "200", NULL, true, ALL },
	{ "get", "/api/v1/customers/{id}/merges", "customers_merges", "The merges into this customer", "customers", "200", NULL, false, ALL },
	{ "post", "/api/v1/merges/{id}/undo", "merges_undo", "Undo a merge", "customers", "200", NULL, false, ALL },
	{ "patch", "/api/v1/roles/{role}", "roles_update", "Change what a role may do (admins)", "meta", "200", NULL, true, ALL },
	{ "get", "/api/v1/users", "users_list", "Users (admins)", "users", "200", NULL, false, ALL },
	{ "post", "/api/v1/users", "users_create", "Add a user in a team with a role (admins)", "users", "201", NULL, true, ALL },
	{ "get", "/api/v1/users/{id}", "users_get", "A user (admins)", "users", "200", NULL, false, ALL },
	{ "patch", "/api/v1/users/{id}", "users_update", "Change a user's role or team, disable or enable, reset the password (admins)", "users", "200", NULL, true, ALL },
	{ "delete", "/api/v1/users/{id}", "users_remove", "Remove a user (admins)", "users", "204", NULL, false, ALL },
	{ "get", "/api/v1/retention/policies", "retention_list", "Retention policies", "retention", "200", NULL, false, ALL },
	{ "post", "/api/v1/retention/policies", "retention_create", "Add a retention policy", "retention", "201", NULL, true, ALL },
	{ "get", "/api/v1/retention/policies/{id}", "retention_get", "A retention policy", "retention", "200", NULL, false, ALL },
	{ "patch", "/api/v1/retention/policies/{id}", "retention_update", "Change a retention policy", "retention", "200", NULL, true, ALL },
	{ "delete", "/api/v1/retention/policies/{id}", "retention_remove", "Remove a retention policy", "retention", "204", NULL, false, ALL },
	{ "get", "/api/v1/retention/preview", "retention_preview", "What the policies would remove or anonymise now (the dry run)", "retention", "200", NULL, false, ALL },
	{ "post", "/api/v1/retention/run", "retention_run", "Apply the policies now", "retention", "200", NULL, false, ALL },
	{ "post", "/api/v1/imports", "imports_create", "Import a CSV or vCard file as a background job (the file is the body; entity, encoding, match and mapping as query parameters)", "imports", "202", NULL, false, ALL },
	{ "post", "/api/v1/imports/preview", "imports_preview", "What an import would do with the first rows, writing nothing", "imports", "200", NULL, false, ALL },
	{ "get", "/api/v1/imports/{id}", "imports_get", "An import's progress and counts", "imports", "200", NULL, false, ALL },
	{ "get", "/api/v1/imports/{id}/rejected", "imports_rejected", "The rejected rows with their line and reason", "imports", "200", "text/csv", false, ALL },
	{ "post", "/api/v1/imports/{id}/revert", "imports_revert", "Undo an import as a whole", "imports", "200", NULL, false, ALL },
	{ "get", "/api/v1/{entity}/export", "export", "The list's records as a file (format: csv, xlsx, vcard; encoding; filter, q, ids, fields)", NULL, "200", "application/octet-stream", false, ALL },
	{ "post", "/api/v1/{entity}/{id}/reveal", "reveal", "The masked fields shown in clear ({fields}), recorded in the audit log", NULL, "200", NULL, false, ALL },
	{ "get", "/api/v1/{entity}/{id}/export", "export_record", "Everything kept about the record and what belongs to it (a data subject's copy)", NULL, "200", NULL, false, OWNED },
	{ "post", "/api/v1/{entity}/{id}/erase", "erase", "Erase the customer's personal data everywhere (the right to be forgotten)", NULL, "204", NULL, false, CUSTOMERS },
};

/* The path item of path in paths, made if missing. */
static json_t *
path_item(json_t *paths, const char *path)
{
	json_t *item = json_object_get(paths, path);

	if (!item) {
		item = json_object();
		json_object_set_new(paths, path, item);
	}
	return item;
}

/* The parameters named in path: {id} and {share} integers. */
static json_t *
path_params(const char *path)
{
	json_t *params = json_array();

	for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
		const char *end = strchr(p, '}');
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(end - p - 1), p + 1);
		bool integer = strcmp(name, "id") == 0 || strcmp(name, "share") == 0;
		json_array_append_new(params, param(name, "path", true,
			integer ? json_pack("{s:s,s:i}", "type", "integer", "minimum", 1) :
				  json_pack("{s:s}", "type", "string"), name));
	}
	return params;
}

static void
extra_op_add(json_t *paths, const struct extra_op *x, const char *path, const char *id, const char *tag)
{
	json_t *ok = NULL;

	if (strcmp(x->ok, "204") != 0)
		ok = x->media ? json_pack("{s:s,s:{s:{s:{s:s,s:s}}}}", "description", x->summary, "content",
					  x->media, "schema", "type", "string", "format", "binary") :
				response(x->summary, json_pack("{s:s}", "type", "object"));
	else
		ok = response(x->summary, NULL);
	json_t *params = path_params(path);
	json_t *o = op(id, x->summary, tag, json_array_size(params) ? params : NULL,
		       x->body ? json_pack("{s:s}", "type", "object") : NULL, json_pack("{s:o}", x->ok, ok));
	if (!json_array_size(params))
		json_decref(params);
	json_object_set_new(path_item(paths, path), x->method, o);
}

static bool
extra_applies(const struct extra_op *x, const struct entity *en)
{
	return x->only == ALL || (x->only == OWNED && en->def->owner_field) ||
	       (x->only == CUSTOMERS && strcmp(en->def->name, "customers") == 0);
}

static void
extra_paths(json_t *paths)
{
	for (size_t i = 0; i < sizeof(extra_ops) / sizeof(extra_ops[0]); i++) {
		const struct extra_op *x = &extra_ops[i];
		const char *slot = strstr(x->path, "{entity}");
		if (!slot) {
			extra_op_add(paths, x, x->path, x->id, x->tag);
			continue;
		}
		for (size_t k = 0; k < registry_count(); k++) {
			const struct entity *en = registry_at(k);
			char path[256], id[160];
			if (!extra_applies(x, en))
				continue;
			snprintf(path, sizeof(path), "%.*s%s%s", (int)(slot - x->path), x->path, en->def->name,
				 slot + strlen("{entity}"));
			snprintf(id, sizeof(id), "%s_%s", en->def->name, x->id);
			extra_op_add(paths, x, path, id, en->def->name);
		}
	}
}

static json_t *
common_schemas(void)
{
	return json_pack("{s:o,s:o}",
		"error", json_pack("{s:s,s:{s:{s:s,s:{s:{s:s},s:{s:s},s:{s:s}},s:[s,s]}},s:[s]}",
			"type", "object", "properties", "error", "type", "object", "properties",
			"code", "type", "string", "message", "type", "string", "fields", "type", "object",
			"required", "code", "message", "required", "error"),
		"history", json_pack("{s:s,s:{s:{s:s}}}", "type", "object", "properties", "data", "type", "array"));
}

json_t *
openapi_document(void)
{
	json_t *paths = json_object(), *schemas = common_schemas();

	system_paths(paths);
	list_side_paths(paths);
	extra_paths(paths);
	for (size_t i = 0; i < registry_count(); i++) {
		entity_schemas(registry_at(i), schemas);
		entity_paths(registry_at(i), paths);
	}
	return json_pack("{s:s,s:{s:s,s:s,s:s},s:[{s:s}],s:o,s:{s:o,s:{s:{s:s,s:s},s:{s:s,s:s,s:s}}},s:[{s:[]},{s:[]}]}",
		"openapi", "3.1.0",
		"info", "title", "Guanxi CRM API", "version", GUANXI_API_VERSION,
		"description", "Customers, contacts, identifiers and interactions. Errors: {\"error\":{\"code\",\"message\",\"fields\"}}.",
		"servers", "url", "/",
		"paths", paths,
		"components", "schemas", schemas, "securitySchemes",
		"bearer", "type", "http", "scheme", "bearer",
		"session", "type", "apiKey", "in", "cookie", "name", "gx_session",
		"security", "bearer", "session");
}
