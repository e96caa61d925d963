/* SPDX-License-Identifier: MIT */
/* Per-user preferences (see preferences.h): checked as a whole after each
 * change, so what is stored is always something the UI can apply. Column
 * names are checked by the engine's own list parser (query_check), so a
 * saved choice is one the list accepts. */
#include <string.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>
#include "domain/preferences.h"
#include "engine/query.h"
#include "util/buf.h"
#include "util/jsonx.h"

static const char *const keys[] = { "locale", "time_zone", "theme", "columns", NULL };
static const char *const locales[] = { "en", "zh-Hant", "zh-Hans", NULL };
static const char *const themes[] = { "light", "dark", "system", NULL };

static bool
one_of(const char *s, const char *const *values)
{
	for (; s && *values; values++)
		if (strcmp(s, *values) == 0)
			return true;
	return false;
}

/* Is tz a time zone ICU knows ("Asia/Taipei", "UTC")? */
static bool
zone_known(const char *tz)
{
	UChar id[80], canon[80];
	int32_t n = 0;
	UBool system = 0;
	UErrorCode st = U_ZERO_ERROR;

	if (!tz || !*tz || strlen(tz) > 64)
		return false;
	u_strFromUTF8(id, (int32_t)COUNT_OF(id), &n, tz, -1, &st);
	if (U_FAILURE(st))
		return false;
	ucal_getCanonicalTimeZoneID(id, n, canon, (int32_t)COUNT_OF(canon), &system, &st);
	return U_SUCCESS(st) && system;
}

bool
preferences_columns_ok(const struct entity *en, const json_t *cols, char *why, size_t n)
{
	struct buf names;
	size_t i;
	json_t *c;
	bool ok = true;

	if (!json_is_array(cols) || json_array_size(cols) > PREF_MAX_COLUMNS) {
		snprintf(why, n, "must be an array of at most %d field names", PREF_MAX_COLUMNS);
		return false;
	}
	buf_init(&names, 8192);
	json_array_foreach(cols, i, c) {
		const char *s = json_string_value(c);
		bool dup = false;
		for (size_t k = 0; k < i && s; k++)
			dup = dup || strcmp(s, json_string_value(json_array_get(cols, k))) == 0;
		if (!s || !*s || strchr(s, ',') || json_string_length(c) > 64 || dup) {
			snprintf(why, n, "column %zu must be a field name, given once", i + 1);
			ok = false;
			break;
		}
		buf_printf(&names, "%s%s", i ? "," : "", s);
	}
	struct list_params p = { .fields = names.data };
	struct err qe = { 0 };
	if (ok && names.data && query_check(en, &p, NULL, &qe) != ERR_OK) {
		snprintf(why, n, "%s", qe.msg);
		ok = false;
	}
	err_clear(&qe);
	buf_release(&names);
	return ok;
}

/* One list's columns in the preferences. */
static void
check_columns(const char *entity, const json_t *cols, struct err *e)
{
	const struct entity *en = registry_find(entity);
	char field[96], why[sizeof(e->msg)];

	snprintf(field, sizeof(field), "columns.%.60s", entity);
	if (!en)
		err_field(e, field, "no such entity");
	else if (!preferences_columns_ok(en, cols, why, sizeof(why)))
		err_field(e, field, "%s", why);
}

/* columns of patch merged over old's (RFC 7396: null removes a list). */
static json_t *
merged_columns(const json_t *patch, const json_t *old)
{
	json_t *out = json_is_object(old) ? json_deep_copy(old) : json_object();
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)patch, k, v) {
		if (json_is_null(v))
			json_object_del(out, k);
		else
			json_object_set(out, k, v);
	}
	return out;
}

enum err_code
preferences_apply(const json_t *patch, const json_t *old, json_t **out, struct err *e)
{
	const char *k;
	json_t *v;

	*out = NULL;
	err_unknown_keys(e, patch, keys);
	json_t *p = json_object();
	for (const char *const *key = keys; *key; key++) {
		json_t *given = json_object_get(patch, *key), *was = json_object_get(old, *key);
		json_object_set(p, *key, given ? given : was ? was : json_null());
	}
	json_t *cols = json_object_get(patch, "columns");
	if (json_is_object(cols))
		json_object_set_new(p, "columns", merged_columns(cols, json_object_get(old, "columns")));
	else if (json_is_null(json_object_get(p, "columns")))
		json_object_set_new(p, "columns", json_object());

	json_t *locale = json_object_get(p, "locale"), *tz = json_object_get(p, "time_zone");
	json_t *theme = json_object_get(p, "theme");
	if (!json_is_null(locale) && !one_of(json_string_value(locale), locales))
		err_field(e, "locale", "must be en, zh-Hant, zh-Hans or null");
	if (!json_is_null(tz) && !zone_known(json_string_value(tz)))
		err_field(e, "time_zone", "must be a time zone of the IANA database, e.g. Asia/Taipei, or null");
	if (!json_is_null(theme) && !one_of(json_string_value(theme), themes))
		err_field(e, "theme", "must be light, dark, system or null");
	cols = json_object_get(p, "columns");
	if (!json_is_object(cols))
		err_field(e, "columns", "must be an object: {\"customers\": [\"name\", …]}");
	else
		json_object_foreach(cols, k, v)
			check_columns(k, v, e);
	if (e->fields) {
		json_decref(p);
		return err_fields_invalid(e);
	}
	*out = p;
	return ERR_OK;
}

/* Apply patch to *acc if the result passes; else leave *acc. */
static void
try_apply(json_t **acc, json_t *patch)
{
	struct err e = { 0 };
	json_t *next;

	if (preferences_apply(patch, *acc, &next, &e) == ERR_OK) {
		json_decref(*acc);
		*acc = next;
	}
	err_clear(&e);
	json_decref(patch);
}

/* What was stored, every key present, each part that no longer passes
 * left out (the columns of a custom field removed since): one stale list
 * does not cost the user their language or time zone. */
static json_t *
usable(const json_t *stored)
{
	json_t *acc = json_object(), *v;
	const char *k;

	try_apply(&acc, json_object());	/* the defaults: every key */
	json_object_foreach((json_t *)stored, k, v)
		if (strcmp(k, "columns") != 0)
			try_apply(&acc, json_pack("{s:O}", k, v));
	json_object_foreach(json_object_get(stored, "columns"), k, v)
		try_apply(&acc, json_pack("{s:{s:O}}", "columns", k, v));
	return acc;
}

enum err_code
preferences_get(struct store_conn *c, int64_t user_id, json_t **out, struct err *e)
{
	struct stmt *st = store_prepare(c, "SELECT data FROM user_preferences WHERE user_id = ?", e);
	json_t *stored = NULL;
	int rc;

	*out = NULL;
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, user_id);
	if ((rc = stmt_step(st, e)) == 1)
		stored = json_loads(stmt_text(st, 0), 0, NULL);
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	*out = usable(stored);
	json_decref(stored);
	return ERR_OK;
}

enum err_code
preferences_save(struct store_conn *c, int64_t user_id, const json_t *prefs, const char *now,
		 struct err *e)
{
	struct stmt *st = store_prepare(c, "INSERT INTO user_preferences (user_id, data, updated_at) "
				       "VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
				       "data = excluded.data, updated_at = excluded.updated_at", e);
	if (!st)
		return e->code;
	char *data = jsonx_dump(prefs, NULL);
	stmt_bind_int(st, 1, user_id);
	stmt_bind_str(st, 2, data);
	stmt_bind_str(st, 3, now);
	free(data);
	return stmt_run(st, e);
}
