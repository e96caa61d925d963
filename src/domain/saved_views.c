/* SPDX-License-Identifier: MIT */
/* Saved views (see saved_views.h): checked as a whole on every save, each
 * part by the list's own parser, so a view never holds what the list would
 * refuse; stored per user, every query naming the user. */
#include <string.h>
#include "auth/auth.h"
#include "domain/preferences.h"
#include "domain/saved_views.h"
#include "engine/query.h"
#include "engine/validate.h"
#include "util/jsonx.h"

#define FILTER_MAX_BYTES 1000
#define Q_MAX_BYTES 200
#define SORT_MAX_BYTES 100

static const char *const view_keys[] = {
	"name", "entity", "filters", "q", "sort", "columns", "is_default", NULL
};

static const struct field name_field = { .name = "name", .type = FT_STRING, .max_len = VIEW_NAME_MAX };

static void
check_filters(const struct entity *en, const json_t *filters, const struct access *acc, struct err *e)
{
	size_t i;
	json_t *f;

	if (!json_is_array(filters) || json_array_size(filters) > LIST_MAX_FILTERS) {
		err_field(e, "filters", "must be an array of at most %d filters FIELD:OP:VALUE", LIST_MAX_FILTERS);
		return;
	}
	json_array_foreach(filters, i, f) {
		char prefix[32];
		if (!json_is_string(f) || json_string_length(f) > FILTER_MAX_BYTES) {
			err_field(e, "filters", "filter %zu must be text FIELD:OP:VALUE of at most %d bytes", i + 1,
				  FILTER_MAX_BYTES);
			return;
		}
		struct list_params p = { .filters = { json_string_value(f) }, .nfilters = 1 };
		snprintf(prefix, sizeof(prefix), "filter %zu: ", i + 1);
		query_check_field(en, &p, acc, "filters", prefix, e);
	}
}

/* name: one line of 1 to VIEW_NAME_MAX characters (normalised in p). */
static void
check_name(json_t *p, struct err *e)
{
	const char *why = "is required";
	json_t *name = json_object_get(p, "name");
	json_t *v = json_is_string(name) ? validate_value(&name_field, name, &why) : NULL;

	if (json_is_string(v) && json_string_length(v) > 0) {
		json_object_set_new(p, "name", v);
		return;
	}
	err_field(e, "name", "%s: one line of 1 to %d characters", why, VIEW_NAME_MAX);
	json_decref(v);
}

enum err_code
saved_view_check(const json_t *body, const json_t *old, const char *role, const struct access *acc,
		 json_t **out, struct err *e)
{
	char why[sizeof(e->msg)];

	*out = NULL;
	err_unknown_keys(e, body, view_keys);
	json_t *p = json_object();
	for (const char *const *key = view_keys; *key; key++) {
		json_t *x = json_object_get(body, *key);
		json_object_set(p, *key, x ? x : json_object_get(old, *key) ? json_object_get(old, *key) : json_null());
	}
	if (json_is_null(json_object_get(p, "filters")))
		json_object_set_new(p, "filters", json_array());
	if (json_is_null(json_object_get(p, "columns")))
		json_object_set_new(p, "columns", json_array());
	if (json_is_null(json_object_get(p, "is_default")))
		json_object_set_new(p, "is_default", json_false());

	check_name(p, e);
	json_t *entity = json_object_get(p, "entity"), *q = json_object_get(p, "q");
	json_t *sort = json_object_get(p, "sort");
	const struct entity *en = json_is_string(entity) ? registry_find(json_string_value(entity)) : NULL;
	if (!en)
		err_field(e, "entity", "must name a list: customers, contacts …");
	if (!json_is_boolean(json_object_get(p, "is_default")))
		err_field(e, "is_default", "must be true or false");
	if (!json_is_null(q) && (!json_is_string(q) || json_string_length(q) > Q_MAX_BYTES))
		err_field(e, "q", "must be text of at most %d bytes, or null", Q_MAX_BYTES);
	if (!json_is_null(sort) && (!json_is_string(sort) || json_string_length(sort) > SORT_MAX_BYTES))
		err_field(e, "sort", "must be a field to sort by (-field: descending), or null");
	if (en && !role_allows(role, en->def->name, ACT_READ)) {
		json_decref(p);
		return err_set(e, ERR_FORBIDDEN, "role %s may not read %s", role, en->def->name);
	}
	if (en) {
		check_filters(en, json_object_get(p, "filters"), acc, e);
		if (json_is_string(q))
			query_check_field(en, &(struct list_params){ .q = json_string_value(q) }, acc, "q", "", e);
		if (json_is_string(sort))
			query_check_field(en, &(struct list_params){ .sort = json_string_value(sort) }, acc, "sort", "", e);
		if (!preferences_columns_ok(en, json_object_get(p, "columns"), why, sizeof(why)))
			err_field(e, "columns", "%s", why);
	}
	if (e->fields) {
		json_decref(p);
		return err_fields_invalid(e);
	}
	*out = p;
	return ERR_OK;
}

/* ---- storage ---- */

#define VIEW_COLUMNS "id, name, entity, definition, is_default, created_at, updated_at, version"

static json_t *
view_row(struct stmt *st)
{
	json_t *def = json_loads(stmt_text(st, 3), 0, NULL);
	json_t *v = json_pack("{s:I,s:s,s:s,s:O,s:O,s:O,s:O,s:b,s:s,s:s,s:I}",
			      "id", (json_int_t)stmt_int(st, 0), "name", stmt_text(st, 1),
			      "entity", stmt_text(st, 2),
			      "filters", json_object_get(def, "filters") ? json_object_get(def, "filters") : json_array(),
			      "q", json_object_get(def, "q") ? json_object_get(def, "q") : json_null(),
			      "sort", json_object_get(def, "sort") ? json_object_get(def, "sort") : json_null(),
			      "columns", json_object_get(def, "columns") ? json_object_get(def, "columns") : json_array(),
			      "is_default", (int)stmt_int(st, 4), "created_at", stmt_text(st, 5),
			      "updated_at", stmt_text(st, 6), "version", (json_int_t)stmt_int(st, 7));
	json_decref(def);
	return v;
}

/* Views of user in order; only (id) if id, only entity's if entity. */
static enum err_code
views_load(struct store_conn *c, int64_t user, int64_t id, const char *entity, json_t **out,
	   struct err *e)
{
	struct stmt *st = store_prepare(c, "SELECT " VIEW_COLUMNS " FROM saved_views WHERE user_id = ? "
				       "AND (? = 0 OR id = ?) AND (? IS NULL OR entity = ?) ORDER BY entity, name, id", e);

	*out = NULL;
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, user);
	stmt_bind_int(st, 2, id);
	stmt_bind_int(st, 3, id);
	stmt_bind_str(st, 4, entity);
	stmt_bind_str(st, 5, entity);
	return stmt_rows_json(st, view_row, out, e);
}

enum err_code
saved_view_list(struct store_conn *c, int64_t user, const char *entity, json_t **out, struct err *e)
{
	json_t *list;

	if (views_load(c, user, 0, entity, &list, e) != ERR_OK)
		return e->code;
	*out = json_pack("{s:o}", "data", list);
	return ERR_OK;
}

enum err_code
saved_view_get(struct store_conn *c, int64_t user, int64_t id, json_t **out, struct err *e)
{
	json_t *list;

	if (views_load(c, user, id, NULL, &list, e) != ERR_OK)
		return e->code;
	*out = json_incref(json_array_get(list, 0));
	json_decref(list);
	if (!*out)
		return err_set(e, ERR_NOTFOUND, "no saved view with id %lld", (long long)id);
	return ERR_OK;
}

/* How many of user's views are named `name` for entity (other than
 * `except`), or all of user's views when name is NULL; -1 on error. */
static int64_t
count_views(struct store_conn *c, int64_t user, const char *name, const char *entity,
	    int64_t except, struct err *e)
{
	struct stmt *st = store_prepare(c, "SELECT count(*) FROM saved_views WHERE user_id = ? "
				       "AND (? IS NULL OR (name = ? AND entity = ? AND id <> ?))", e);
	int64_t n = -1;

	if (!st)
		return -1;
	stmt_bind_int(st, 1, user);
	stmt_bind_str(st, 2, name);
	stmt_bind_str(st, 3, name);
	stmt_bind_str(st, 4, entity);
	stmt_bind_int(st, 5, except);
	if (stmt_step(st, e) == 1)
		n = stmt_int(st, 0);
	stmt_finish(st);
	return n;
}

/* The user's other views of entity stop being its default. */
static enum err_code
clear_default(struct store_conn *c, int64_t user, const char *entity, int64_t except, struct err *e)
{
	struct stmt *st = store_prepare(c, "UPDATE saved_views SET is_default = 0 WHERE user_id = ? "
				       "AND entity = ? AND id <> ? AND is_default", e);
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, user);
	stmt_bind_str(st, 2, entity);
	stmt_bind_int(st, 3, except);
	return stmt_run(st, e);
}

enum err_code
saved_view_save(struct store_conn *c, int64_t user, int64_t *id, const json_t *view, const char *now,
		struct err *e)
{
	const char *name = json_string_value(json_object_get(view, "name"));
	const char *entity = json_string_value(json_object_get(view, "entity"));
	bool is_default = json_is_true(json_object_get(view, "is_default"));
	enum err_code rc;

	int64_t same = count_views(c, user, name, entity, *id, e);
	if (same < 0)
		return e->code;
	if (same > 0)
		return err_set(e, ERR_CONFLICT, "you have a view named \"%.100s\" for %s already", name, entity);
	if (!*id) {
		int64_t n = count_views(c, user, NULL, NULL, 0, e);
		if (n < 0)
			return e->code;
		if (n >= VIEWS_MAX) {
			err_field(e, "views", "at most %d saved views per user", VIEWS_MAX);
			return err_set(e, ERR_INVALID, "you have %d saved views: remove one first", VIEWS_MAX);
		}
	}
	if (is_default && (rc = clear_default(c, user, entity, *id, e)) != ERR_OK)
		return rc;
	struct stmt *st = store_prepare(c, *id
		? "UPDATE saved_views SET name = ?, entity = ?, definition = ?, is_default = ?, updated_at = ?, "
		  "version = version + 1 WHERE user_id = ? AND id = ?"
		: "INSERT INTO saved_views (name, entity, definition, is_default, updated_at, user_id, created_at) "
		  "VALUES (?, ?, ?, ?, ?, ?, ?)", e);
	if (!st)
		return e->code;
	json_t *def = json_pack("{s:O,s:O,s:O,s:O}", "filters", json_object_get(view, "filters"),
				"q", json_object_get(view, "q"), "sort", json_object_get(view, "sort"),
				"columns", json_object_get(view, "columns"));
	char *text = jsonx_dump(def, NULL);
	json_decref(def);
	stmt_bind_str(st, 1, name);
	stmt_bind_str(st, 2, entity);
	stmt_bind_str(st, 3, text);
	stmt_bind_int(st, 4, is_default);
	stmt_bind_str(st, 5, now);
	stmt_bind_int(st, 6, user);
	if (*id)
		stmt_bind_int(st, 7, *id);
	else
		stmt_bind_str(st, 7, now);
	free(text);
	if ((rc = stmt_run(st, e)) != ERR_OK)
		return rc;
	if (!*id)
		*id = store_last_id(c);
	else if (store_changes(c) == 0)
		return err_set(e, ERR_NOTFOUND, "no saved view with id %lld", (long long)*id);
	return ERR_OK;
}

enum err_code
saved_view_remove(struct store_conn *c, int64_t user, int64_t id, struct err *e)
{
	struct stmt *st = store_prepare(c, "DELETE FROM saved_views WHERE user_id = ? AND id = ?", e);
	enum err_code rc;

	if (!st)
		return e->code;
	stmt_bind_int(st, 1, user);
	stmt_bind_int(st, 2, id);
	if ((rc = stmt_run(st, e)) == ERR_OK && store_changes(c) == 0)
		return err_set(e, ERR_NOTFOUND, "no saved view with id %lld", (long long)id);
	return rc;
}
