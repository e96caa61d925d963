/* SPDX-License-Identifier: MIT */
#include <string.h>
#include "engine/custom.h"
#include "engine/validate.h"
#include "util/jsonx.h"
#include "util/mem.h"

#define MAX_ENUM_VALUES 100

static const char *const reserved[] = {
	"id", "created_at", "updated_at", "version", "deleted_at", "custom", NULL
};

void
custom_field_release(struct field *f)
{
	free((char *)f->name);
	free((char *)f->label);
	if (f->values) {
		for (const char *const *p = f->values; *p; p++)
			free((char *)*p);
		free((char **)f->values);
	}
	memset(f, 0, sizeof(*f));
}

json_t *
field_describe(const struct field *f)
{
	json_t *d = json_pack("{s:s,s:s,s:s,s:b,s:b,s:b,s:b,s:b}",
		"name", f->name, "type", field_type_name(f->type),
		"label", f->label ? f->label : f->name,
		"required", (f->flags & F_REQUIRED) != 0,
		"indexed", (f->flags & F_INDEXED) != 0,
		"searchable", (f->flags & F_SEARCHABLE) != 0,
		"personal", (f->flags & F_PERSONAL) != 0,
		"custom", (f->flags & F_CUSTOM) != 0);

	if (f->type != FT_INTEGER && f->type != FT_NUMBER && f->type != FT_BOOLEAN &&
	    f->type != FT_REF && f->type != FT_DATE && f->type != FT_DATETIME)
		json_object_set_new(d, "max_length", json_integer(field_max_len(f)));
	if (f->values) {
		json_t *vals = json_array();
		for (const char *const *p = f->values; *p; p++)
			json_array_append_new(vals, json_string(*p));
		json_object_set_new(d, "values", vals);
	}
	if (f->ref)
		json_object_set_new(d, "references", json_string(f->ref));
	return d;
}

static bool
is_reserved(const struct entity *en, const char *name)
{
	for (const char *const *p = reserved; *p; p++)
		if (strcmp(*p, name) == 0)
			return true;
	for (size_t i = 0; i < en->def->nfields; i++)
		if (strcmp(en->def->fields[i].name, name) == 0)
			return true;
	return false;
}

static void
parse_values(const json_t *vals, struct field *f, struct err *e)
{
	if (!json_is_array(vals) || json_array_size(vals) == 0 ||
	    json_array_size(vals) > MAX_ENUM_VALUES) {
		err_field(e, "values", "must be an array of 1 to %d strings", MAX_ENUM_VALUES);
		return;
	}
	const char **out = xcalloc(json_array_size(vals) + 1, sizeof(char *));
	size_t i;
	json_t *v;
	json_array_foreach(vals, i, v) {
		const char *why = NULL;
		struct field text = { .name = "values", .type = FT_STRING, .max_len = 100 };
		json_t *t = validate_value(&text, v, &why);
		if (!t || !json_is_string(t)) {
			err_field(e, "values", "must hold non-empty strings of at most 100 characters");
			json_decref(t);
			break;
		}
		out[i] = xstrdup(json_string_value(t));
		json_decref(t);
	}
	f->values = out;
}

/* A field definition from the API body; strings are heap copies. */
static enum err_code
parse_definition(const struct entity *en, const json_t *body, struct field *f, struct err *e)
{
	static const char *const keys[] = {
		"name", "type", "label", "required", "max_length", "values", NULL
	};

	memset(f, 0, sizeof(*f));
	if (!json_is_object(body))
		return err_set(e, ERR_BADJSON, "the body must be a JSON object");
	err_unknown_keys(e, body, keys);
	json_t *name = json_object_get(body, "name"), *type = json_object_get(body, "type");
	json_t *label = json_object_get(body, "label"), *req = json_object_get(body, "required");
	json_t *maxlen = json_object_get(body, "max_length");
	if (!json_is_string(name) || !validate_identifier(json_string_value(name)))
		err_field(e, "name", "must match ^[a-z][a-z0-9_]{0,62}$");
	else if (is_reserved(en, json_string_value(name)))
		err_field(e, "name", "is a built-in field of %s", en->def->name);
	if (!json_is_string(type) || !field_type_parse(json_string_value(type), &f->type) ||
	    f->type == FT_REF)
		err_field(e, "type", "must be one of string text integer number boolean date datetime email phone enum tags");
	if (label && (!json_is_string(label) || json_string_length(label) == 0 ||
		      json_string_length(label) > 200))
		err_field(e, "label", "must be a string of 1 to 200 bytes");
	if (req && !json_is_boolean(req))
		err_field(e, "required", "must be true or false");
	if (maxlen && (!json_is_integer(maxlen) || json_integer_value(maxlen) < 1 ||
		       json_integer_value(maxlen) > 10000))
		err_field(e, "max_length", "must be an integer from 1 to 10000");
	if (!e->fields && f->type == FT_ENUM)
		parse_values(json_object_get(body, "values"), f, e);
	else if (!e->fields && json_object_get(body, "values"))
		err_field(e, "values", "only an enum field has values");
	if (e->fields) {
		custom_field_release(f);
		return err_set(e, ERR_INVALID, "the field definition is invalid");
	}
	f->name = xstrdup(json_string_value(name));
	f->label = label ? xstrdup(json_string_value(label)) : NULL;
	f->flags = F_CUSTOM | (json_is_true(req) ? F_REQUIRED : 0);
	f->max_len = maxlen ? (unsigned)json_integer_value(maxlen) : 0;
	return ERR_OK;
}

static json_t *
definition_json(const struct field *f)
{
	json_t *d = field_describe(f);

	json_object_del(d, "indexed");
	json_object_del(d, "searchable");
	json_object_del(d, "personal");
	json_object_del(d, "custom");
	if (!f->max_len)
		json_object_del(d, "max_length");
	return d;
}

enum err_code
custom_fields_load(struct store_conn *c, struct err *e)
{
	struct stmt *st = store_prepare(c,
		"SELECT entity, definition, deleted_at IS NOT NULL FROM custom_fields ORDER BY id", e);
	int rc;

	if (!st)
		return e->code;
	while ((rc = stmt_step(st, e)) == 1) {
		const struct entity *en = registry_find(stmt_text(st, 0));
		json_t *def = json_loads(stmt_text(st, 1), 0, NULL);
		struct field f;
		struct err fe = { 0 };
		if (en && def && parse_definition(en, def, &f, &fe) == ERR_OK) {
			bool gone = stmt_int(st, 2) != 0;
			registry_publish_custom(en, &f);
			if (gone)
				registry_set_custom_gone(en, f.name, true);
		}
		err_clear(&fe);
		json_decref(def);
	}
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

struct add_job {
	const struct entity *en;
	const struct field *f;
	bool revived;		/* out: a removed field came back */
};

/* Look up entity.name in custom_fields: 0 none, 1 live, 2 removed, <0 error;
 * *type gets the stored type name. */
static int
stored_state(struct store_conn *c, const char *entity, const char *name, char type[16],
	     struct err *e)
{
	struct stmt *st = store_prepare(c,
		"SELECT json_extract(definition, '$.type'), deleted_at IS NOT NULL "
		"FROM custom_fields WHERE entity = ? AND name = ?", e);
	if (!st)
		return e->code;
	stmt_bind_str(st, 1, entity);
	stmt_bind_str(st, 2, name);
	int rc = stmt_step(st, e), state = 0;
	if (rc == 1) {
		snprintf(type, 16, "%s", stmt_text(st, 0));
		state = stmt_int(st, 1) ? 2 : 1;
	}
	stmt_finish(st);
	return rc < 0 ? rc : state;
}

static enum err_code
add_job_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct add_job *j = ctx;
	char type[16] = "";
	char now[TIME_STR_LEN];
	int state = stored_state(c, j->en->def->name, j->f->name, type, e);

	if (state < 0)
		return e->code;
	if (state == 1)
		return err_set(e, ERR_CONFLICT, "%s already has a field %s", j->en->def->name, j->f->name);
	if (state == 2 && strcmp(type, field_type_name(j->f->type)) != 0)
		return err_set(e, ERR_CONFLICT, "a removed field %s of type %s still holds data; "
			       "add it back with that type or choose another name", j->f->name, type);
	json_t *def = definition_json(j->f);
	char *text = jsonx_dump(def, NULL);
	json_decref(def);
	time_format(time_now_ms(), now);
	struct stmt *st = store_prepare(c, state == 2 ?
		"UPDATE custom_fields SET definition = ?, deleted_at = NULL, updated_at = ? WHERE entity = ? AND name = ?" :
		"INSERT INTO custom_fields (definition, created_at, entity, name) VALUES (?, ?, ?, ?)", e);
	if (!st) {
		free(text);
		return e->code;
	}
	stmt_bind_str(st, 1, text);
	stmt_bind_str(st, 2, now);
	stmt_bind_str(st, 3, j->en->def->name);
	stmt_bind_str(st, 4, j->f->name);
	free(text);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	j->revived = state == 2;
	return rc < 0 ? e->code : ERR_OK;
}

enum err_code
custom_field_add(struct store *s, const struct entity *en, const json_t *body, json_t **out,
		 struct err *e)
{
	struct field f;
	enum err_code rc;

	*out = NULL;
	if ((rc = parse_definition(en, body, &f, e)) != ERR_OK)
		return rc;
	if (atomic_load(&en->ncustom) >= MAX_CUSTOM_FIELDS) {
		custom_field_release(&f);
		return err_set(e, ERR_CONFLICT, "%s has the maximum of %d custom fields",
			       en->def->name, MAX_CUSTOM_FIELDS);
	}
	struct add_job j = { .en = en, .f = &f };
	if ((rc = store_write(s, add_job_run, &j, e)) != ERR_OK) {
		custom_field_release(&f);
		return rc;
	}
	*out = field_describe(&f);
	if (j.revived) {
		registry_set_custom_gone(en, f.name, false);
		custom_field_release(&f);
	} else {
		registry_publish_custom(en, &f);	/* the registry owns f now */
	}
	return ERR_OK;
}

struct remove_job {
	const struct entity *en;
	const char *name;
};

static enum err_code
remove_job_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct remove_job *j = ctx;
	char now[TIME_STR_LEN];
	struct stmt *st = store_prepare(c,
		"UPDATE custom_fields SET deleted_at = ?, updated_at = ? "
		"WHERE entity = ? AND name = ? AND deleted_at IS NULL", e);

	if (!st)
		return e->code;
	time_format(time_now_ms(), now);
	stmt_bind_str(st, 1, now);
	stmt_bind_str(st, 2, now);
	stmt_bind_str(st, 3, j->en->def->name);
	stmt_bind_str(st, 4, j->name);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	if (store_changes(c) == 0)
		return err_set(e, ERR_NOTFOUND, "%s has no custom field %.80s", j->en->def->name, j->name);
	return ERR_OK;
}

enum err_code
custom_field_remove(struct store *s, const struct entity *en, const char *name, struct err *e)
{
	struct remove_job j = { .en = en, .name = name };
	enum err_code rc = store_write(s, remove_job_run, &j, e);

	if (rc == ERR_OK)
		registry_set_custom_gone(en, name, true);
	return rc;
}
