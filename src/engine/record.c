/* SPDX-License-Identifier: MIT */
/* Record writes: validate, run hooks, check references, write the row and
 * its history row, all inside the caller's transaction. */
#include <string.h>
#include "engine/audit.h"
#include "engine/record.h"
#include "engine/search.h"
#include "engine/validate.h"
#include "text/mask.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/mem.h"

#define SQL_MAX (1 << 16)
#define HISTORY_MAX_BYTES (64u << 20)	/* changes of one write */

/* ---- rows <-> JSON ---- */

json_t *
record_column_value(const struct field *f, struct stmt *st, int col)
{
	if (stmt_is_null(st, col))
		return json_null();
	switch (f->type) {
	case FT_INTEGER:
	case FT_REF:
		return json_integer(stmt_int(st, col));
	case FT_BOOLEAN:
		return json_boolean(stmt_int(st, col) != 0);
	case FT_NUMBER:
		return json_real(stmt_double(st, col));
	case FT_TAGS: {
		json_t *t = json_loadb(stmt_text(st, col), stmt_len(st, col), 0, NULL);
		return t ? t : json_array();
	}
	default:
		return json_stringn(stmt_text(st, col), stmt_len(st, col));
	}
}

static bool
selected(const json_t *select, const char *name)
{
	size_t i;
	json_t *v;

	if (!select)
		return true;
	json_array_foreach(select, i, v)
		if (strcmp(json_string_value(v), name) == 0)
			return true;
	return false;
}

static enum store_json
json_how(const struct field *f)
{
	if (f->flags & F_CUSTOM)
		return SJ_PATH;
	if (f->type == FT_TAGS)
		return SJ_JSON;
	if (f->type == FT_BOOLEAN)
		return SJ_BOOL;
	return SJ_VALUE;
}

static const char *const bookkeeping[] = { "created_at", "updated_at", "version", "deleted_at" };

/* json_object(...) of the selected columns, masked or not. */
static void
columns_json_sql(struct buf *b, const struct entity *en, const json_t *select, bool masked)
{
	size_t i = 0;
	const struct field *f;

	store_sql_json_open(b);
	store_sql_json_member(b, true, "id", "id", SJ_VALUE, NULL);
	while ((f = entity_field_at(en, &i)))
		if (selected(select, f->name))
			store_sql_json_member(b, false, f->name,
					      (f->flags & F_CUSTOM) ? "custom" : f->name, json_how(f),
					      masked ? field_mask_kind(f) : NULL);
	for (size_t k = 0; k < COUNT_OF(bookkeeping); k++)
		if (selected(select, bookkeeping[k]))
			store_sql_json_member(b, false, bookkeeping[k], bookkeeping[k], SJ_VALUE, NULL);
	store_sql_json_close(b);
}

/* ---- the stored document ----
 * A record keeps its JSON as the API shows it in the doc column: the
 * declared fields and the bookkeeping ones, without the id (not known
 * before an insert) and without custom fields (they come and go). Reading
 * a record is then a copy with the id and the live custom fields spliced
 * in (record_json_append), not a rendering of every column.
 * record.c writes doc with the row. Any other write leaves it NULL (a
 * trigger clears a doc an UPDATE did not rewrite: schema_sync.c), and a
 * NULL doc is rendered from the columns as before. */

char *
record_doc(const struct entity_def *d, const json_t *values, const char *created_at,
	   const char *updated_at, int64_t version)
{
	struct buf b;
	int rc = 0;

	buf_init(&b, RECORD_JSON_MAX);
	rc |= buf_addc(&b, '{');
	for (size_t i = 0; i < d->nfields; i++) {
		const struct field *f = &d->fields[i];
		if (f->flags & F_INTERNAL)
			continue;
		json_t *v = json_object_get(values, f->name);
		rc |= buf_addc(&b, '"');
		rc |= buf_adds(&b, f->name);
		rc |= buf_adds(&b, "\":");
		rc |= jsonx_append(&b, v ? v : json_null());
		rc |= buf_addc(&b, ',');
	}
	/* members by hand, one append a statement (the operands of | run in
	 * no set order): printf's parsing costs more than the record */
	rc |= buf_adds(&b, "\"created_at\":\"");
	rc |= buf_adds(&b, created_at);
	rc |= buf_adds(&b, "\",\"updated_at\":\"");
	rc |= buf_adds(&b, updated_at);
	rc |= buf_adds(&b, "\",\"version\":");
	rc |= buf_add_int(&b, version);
	rc |= buf_adds(&b, ",\"deleted_at\":null}");
	if (rc != 0)
		abort();	/* a record is far below the cap: validated, 1 MiB at most */
	return buf_detach(&b, NULL);
}

void
record_doc_sql(struct buf *b, const struct entity_def *d)
{
	bool first = true;

	store_sql_json_open(b);
	for (size_t i = 0; i < d->nfields; i++) {
		const struct field *f = &d->fields[i];
		if (f->flags & F_INTERNAL)
			continue;
		store_sql_json_member(b, first, f->name, f->name, json_how(f), NULL);
		first = false;
	}
	for (size_t k = 0; k < COUNT_OF(bookkeeping); k++) {
		store_sql_json_member(b, first, bookkeeping[k], bookkeeping[k], SJ_VALUE, NULL);
		first = false;
	}
	store_sql_json_close(b);
}

/* json_object(...) of the live custom fields, or NULL if there are none. */
static char *
custom_json_sql(const struct entity *en)
{
	size_t i = 0, n = 0;
	const struct field *f;
	struct buf b;

	buf_init(&b, SQL_MAX);
	store_sql_json_open(&b);
	while ((f = entity_field_at(en, &i)))
		if (f->flags & F_CUSTOM)
			store_sql_json_member(&b, n++ == 0, f->name, "custom", SJ_PATH, NULL);
	store_sql_json_close(&b);
	if (n == 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/* The columns of record_json_columns_sql, built. Whole unmasked records
 * come from their doc; one record (rendered) also from its columns when
 * the doc is stale, but a list leaves that to record_row_append: the
 * rendering's second read of the doc costs a page of 50 5%. */
static void
build_columns_sql(struct buf *b, const struct entity *en, const json_t *select, bool masked,
		  bool rendered)
{
	if (select || masked) {
		buf_adds(b, "NULL, ");
		columns_json_sql(b, en, select, masked);
		buf_printf(b, ", NULL, %s.id", en->def->name);
		return;
	}
	char *custom = custom_json_sql(en);
	buf_printf(b, "%s.doc, ", en->def->name);
	if (rendered) {
		buf_printf(b, "CASE WHEN %s.doc IS NULL THEN ", en->def->name);
		columns_json_sql(b, en, NULL, false);
		buf_adds(b, " END, ");
	} else {
		buf_adds(b, "NULL, ");
	}
	if (custom && rendered)
		buf_printf(b, "CASE WHEN %s.doc IS NOT NULL THEN %s END", en->def->name, custom);
	else
		buf_adds(b, custom ? custom : "NULL");
	buf_printf(b, ", %s.id", en->def->name);
	free(custom);
}

int
record_json_append(struct buf *out, struct stmt *st, int col)
{
	size_t n, cn;
	const char *doc = stmt_text_or_null(st, col, &n);

	if (!doc) {
		const char *rendered = stmt_text_or_null(st, col + 1, &n);
		return rendered ? buf_add(out, rendered, n) : 1;
	}
	/* one append a statement: the operands of | run in no set order */
	int rc = buf_adds(out, "{\"id\":");
	rc |= buf_add_int(out, stmt_int(st, col + 3));
	rc |= buf_addc(out, ',');
	const char *custom = stmt_text_or_null(st, col + 2, &cn);
	if (!custom)
		return rc | buf_add(out, doc + 1, n - 1);
	rc |= buf_add(out, doc + 1, n - 2);
	rc |= buf_addc(out, ',');
	return rc | buf_add(out, custom + 1, cn - 1);
}

/* The SQL of whole records for the live custom fields, built once per
 * change of them: reading one record, for a scope and masking, and the
 * columns every list selects. */
static const struct sql_cache *
sql_cache(const struct entity *en)
{
	unsigned gen = atomic_load(&en->custom_gen);
	struct sql_cache *c = atomic_load_explicit(&en->read_cache, memory_order_acquire);

	if (c && c->gen == gen)
		return c;
	c = xcalloc(1, sizeof(*c));
	c->gen = gen;
	for (int m = 0; m < 2; m++) {
		struct buf cols;
		buf_init(&cols, SQL_MAX);
		build_columns_sql(&cols, en, NULL, m, true);
		c->columns[m] = buf_detach(&cols, NULL);
	}
	struct buf rows;
	buf_init(&rows, SQL_MAX);
	build_columns_sql(&rows, en, NULL, false, false);
	c->rows = buf_detach(&rows, NULL);
	for (int k = 0; k < 2; k++) {
		for (int sc = SCOPE_NONE; sc <= SCOPE_ALL; sc++) {
			for (int m = 0; m < 2; m++) {
				struct access any = { .read = (enum scope)sc };
				struct buf sql;
				buf_init(&sql, SQL_MAX);
				buf_printf(&sql, "SELECT %s FROM %s WHERE id = ?%s", c->columns[m],
					   en->def->name, k ? "" : " AND deleted_at IS NULL");
				access_sql(&sql, en, &any, (enum scope)sc, SHARES_READ);
				c->text[k][sc][m] = buf_detach(&sql, NULL);
			}
		}
	}
	registry_set_read_cache(en, c);
	return c;
}

void
record_json_columns_sql(struct buf *b, const struct entity *en, const json_t *select, bool masked)
{
	if (select)
		build_columns_sql(b, en, select, masked, false);
	else if (masked)
		buf_adds(b, sql_cache(en)->columns[1]);
	else
		buf_adds(b, sql_cache(en)->rows);
}

enum err_code
record_row_append(struct store_conn *c, const struct entity *en, struct stmt *st, int col,
		  struct buf *out, struct err *e)
{
	int rc = record_json_append(out, st, col);

	if (rc == 1) {
		/* a doc left stale by a writer other than the engine: the
		 * record rendered from its columns, by id (the row has passed
		 * the list's checks; it is whole and unmasked) */
		char *text;
		size_t len;
		if (record_get_text(c, en, stmt_int(st, col + 3), true, NULL, &text, &len, e) != ERR_OK)
			return e->code;
		rc = buf_add(out, text, len);
		free(text);
	}
	return rc == 0 ? ERR_OK : err_set(e, ERR_TOOBIG, "the page is too large: ask for a smaller limit");
}

static const char *
read_sql(const struct entity *en, bool include_deleted, const struct access *acc)
{
	return sql_cache(en)->text[include_deleted][acc ? acc->read : SCOPE_ALL][acc && acc->masked];
}

enum err_code
record_get_text(struct store_conn *c, const struct entity *en, int64_t id, bool include_deleted,
		const struct access *acc, char **text, size_t *len, struct err *e)
{
	*text = NULL;
	struct stmt *st = store_prepare(c, read_sql(en, include_deleted, acc), e);
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, id);
	access_bind(st, acc);
	int rc = stmt_step(st, e);
	if (rc == 1) {
		struct buf b;
		buf_init(&b, RECORD_JSON_MAX);
		if (record_json_append(&b, st, 0) != 0)
			abort();	/* far below the cap */
		*text = buf_detach(&b, len);
	}
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	if (!*text)
		return err_set(e, ERR_NOTFOUND, "%s %lld not found", en->def->singular, (long long)id);
	return ERR_OK;
}

void
record_bind_value(struct stmt *st, int i, const struct field *f, const json_t *v)
{
	if (!v || json_is_null(v)) {
		stmt_bind_null(st, i);
		return;
	}
	switch (f->type) {
	case FT_INTEGER:
	case FT_REF:
		stmt_bind_int(st, i, json_integer_value(v));
		break;
	case FT_BOOLEAN:
		stmt_bind_int(st, i, json_is_true(v));
		break;
	case FT_NUMBER:
		stmt_bind_double(st, i, json_number_value(v));
		break;
	case FT_TAGS: {
		size_t n;
		char *s = jsonx_dump(v, &n);
		stmt_bind_text(st, i, s, n);
		free(s);
		break;
	}
	default:
		stmt_bind_text(st, i, json_string_value(v), json_string_length(v));
	}
}

enum err_code
record_get(struct store_conn *c, const struct entity *en, int64_t id, bool include_deleted,
	   const struct access *acc, json_t **out, struct err *e)
{
	char *text;
	size_t len;

	*out = NULL;
	if (record_get_text(c, en, id, include_deleted, acc, &text, &len, e) != ERR_OK)
		return e->code;
	*out = json_loadb(text, len, 0, NULL);
	free(text);
	if (!*out)
		return err_set(e, ERR_STORE, "%s %lld could not be read", en->def->singular, (long long)id);
	return ERR_OK;
}

/* The record as the API shows it, from the values just written, in the
 * order a read renders it: no need to read it back. */
static json_t *
record_shape(const struct entity *en, const json_t *values, int64_t id, const char *created_at,
	     const char *updated_at, int64_t version)
{
	json_t *rec = json_object();
	size_t i = 0;
	const struct field *f;

	json_object_set_new(rec, "id", json_integer(id));
	while ((f = entity_field_at(en, &i))) {
		json_t *v = json_object_get(values, f->name);
		json_object_set(rec, f->name, v ? v : json_null());
	}
	json_object_set_new(rec, "created_at", json_string(created_at));
	json_object_set_new(rec, "updated_at", json_string(updated_at));
	json_object_set_new(rec, "version", json_integer(version));
	json_object_set_new(rec, "deleted_at", json_null());
	return rec;
}

void
record_mask(const struct entity *en, json_t *rec)
{
	size_t i = 0;
	const struct field *f;

	while ((f = entity_field_at(en, &i))) {
		const char *kind = field_mask_kind(f);
		json_t *v = json_object_get(rec, f->name);
		if (!kind || !json_is_string(v))
			continue;
		char *m = text_mask(strcmp(kind, "phone") == 0 ? MASK_PHONE :
				    strcmp(kind, "email") == 0 ? MASK_EMAIL : MASK_TEXT,
				    json_string_value(v));
		json_object_set_new(rec, f->name, json_string(m));
		free(m);
	}
}

/* ---- checks inside the write ---- */

/* The caller's access for reads inside a write: same scope, never masked
 * (a write compares and stores real values; masking is for what is shown). */
static const struct access *
write_view(const struct wtx *w, struct access *tmp)
{
	if (!w->acc)
		return NULL;
	*tmp = *w->acc;
	tmp->masked = false;
	return tmp;
}

/* Is row id of table there (and live, with live_only), within the caller's
 * scope when the table is an access-controlled entity? 1 yes, 0 no, <0
 * error in e. */
static int
row_within(struct wtx *w, const char *table, int64_t id, bool live_only, enum scope scope,
	   enum shares shares, struct err *e)
{
	const struct entity *en = registry_find(table);
	struct buf sql;

	buf_init(&sql, 4096);
	buf_printf(&sql, "SELECT 1 FROM %s WHERE id = ?%s", table, live_only ? " AND deleted_at IS NULL" : "");
	if (en && w->acc)
		access_sql(&sql, en, w->acc, scope, shares);
	struct stmt *st = store_prepare(w->c, sql.data, e);
	buf_release(&sql);
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, id);
	access_bind(st, w->acc);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	return rc;
}

static enum err_code
check_references(struct wtx *w, const struct entity *en, const json_t *rec,
		 const json_t *old, struct err *e)
{
	size_t i = 0;
	const struct field *f;

	while ((f = entity_field_at(en, &i))) {
		json_t *v = json_object_get(rec, f->name);
		if (f->type != FT_REF || !v || json_is_null(v))
			continue;
		if (old && json_equal(v, json_object_get(old, f->name)))
			continue;	/* unchanged: no need to look again */
		/* a record the caller may not see is as good as absent */
		int rc = row_within(w, f->ref, json_integer_value(v), true,
				    w->acc ? w->acc->read : SCOPE_ALL, SHARES_READ, e);
		if (rc < 0)
			return e->code;
		if (rc == 0)
			err_field(e, f->name, "no %s with id %lld", f->ref, (long long)json_integer_value(v));
	}
	if (e->fields)
		return err_set(e, ERR_INVALID, "a referenced record does not exist");
	return ERR_OK;
}

/* The live custom fields of rec as JSON text for the `custom` column:
 * with all_keys, cleared ones as null (a merge patch, which removes them);
 * otherwise only those with a value, NULL if none. You own the text. */
static char *
custom_json(const struct entity *en, const json_t *rec, bool all_keys)
{
	size_t i = en->def->nfields;
	const struct field *f;
	json_t *obj = NULL;

	while ((f = entity_field_at(en, &i))) {
		json_t *v = json_object_get(rec, f->name);
		if (!all_keys && (!v || json_is_null(v)))
			continue;
		if (!obj)
			obj = json_object();
		json_object_set(obj, f->name, v ? v : json_null());
	}
	if (!obj)
		return all_keys ? xstrdup("{}") : NULL;
	char *s = jsonx_dump(obj, NULL);
	json_decref(obj);
	return s;
}

/* Bind every declared column of rec from parameter `first` on. */
static void
bind_columns(struct stmt *st, int first, const struct entity *en, const json_t *rec)
{
	const struct entity_def *d = en->def;

	for (size_t i = 0; i < d->nfields; i++)
		record_bind_value(st, first + (int)i, &d->fields[i],
				  json_object_get(rec, d->fields[i].name));
}

/* The changes between old and rec over the API fields, as the JSON text
 * [{"field":…,"old":…,"new":…}] the history keeps; returns how many. */
static size_t
diff_records(const struct entity *en, const json_t *old, const json_t *rec, struct buf *out)
{
	size_t i = 0, n = 0;
	const struct field *f;

	buf_addc(out, '[');
	while ((f = entity_field_at(en, &i))) {
		json_t *a = old ? json_object_get(old, f->name) : NULL;
		json_t *b = json_object_get(rec, f->name);
		bool a_null = !a || json_is_null(a), b_null = !b || json_is_null(b);
		if ((a_null && b_null) || (!a_null && !b_null && json_equal(a, b)))
			continue;
		buf_adds(out, n++ ? ",{\"field\":\"" : "{\"field\":\"");
		buf_adds(out, f->name);
		buf_adds(out, "\",\"old\":");
		jsonx_append(out, a_null ? json_null() : a);
		buf_adds(out, ",\"new\":");
		jsonx_append(out, b_null ? json_null() : b);
		buf_addc(out, '}');
	}
	buf_addc(out, ']');
	return n;
}

enum err_code
record_check_act(struct wtx *w, const struct entity *en, int64_t id, const char *what, struct err *e)
{
	if (!w->acc || w->acc->act == SCOPE_ALL || !access_applies(en))
		return ERR_OK;
	int rc = row_within(w, en->def->name, id, false, w->acc->act, w->acc->act_shares, e);
	if (rc < 0)
		return e->code;
	if (rc == 0)
		return err_set(e, ERR_FORBIDDEN, "your role may only %s %s of your own%s", what,
			       en->def->name, w->acc->act == SCOPE_TEAM ? " or your team's" : "");
	return ERR_OK;
}

/* ---- writes ---- */

/* The sort-key columns of d's names, computed from the same parameters
 * as the names (field i is parameter first + i): their names (INSERT's
 * column list), their values, or both (UPDATE's "col = value"). */
static void
sort_key_sql(struct buf *sql, const struct entity_def *d, int first, bool values, bool names)
{
	for (size_t i = 0; i < d->nfields; i++) {
		if (!field_has_sort_keys(&d->fields[i]))
			continue;
		for (int k = COLL_EN; k < COLL_COUNT; k++) {
			char col[160], param[32];
			field_sort_key_column(&d->fields[i], (enum collation)k, col, sizeof(col));
			snprintf(param, sizeof(param), "?%d", first + (int)i);
			buf_adds(sql, ", ");
			if (names)
				buf_printf(sql, "%s%s", col, values ? " = " : "");
			if (values)
				store_sql_sort_expr(sql, param, (enum collation)k);
		}
	}
}

void
record_write_sql(const struct entity_def *d, char **insert, char **update)
{
	struct buf sql;

	buf_init(&sql, SQL_MAX);
	buf_printf(&sql, "INSERT INTO %s (created_at, updated_at, version, custom", d->name);
	for (size_t i = 0; i < d->nfields; i++)
		buf_printf(&sql, ", %s", d->fields[i].name);
	sort_key_sql(&sql, d, 4, false, true);
	buf_adds(&sql, ", doc) VALUES (?, ?, 1, ?");
	for (size_t i = 0; i < d->nfields; i++)
		buf_adds(&sql, ", ?");
	sort_key_sql(&sql, d, 4, true, false);
	buf_printf(&sql, ", ?%d)", 4 + (int)d->nfields);
	*insert = buf_detach(&sql, NULL);
	buf_printf(&sql, "UPDATE %s SET updated_at = ?, version = version + 1, custom = ", d->name);
	store_sql_json_merge(&sql, "custom");
	for (size_t i = 0; i < d->nfields; i++)
		buf_printf(&sql, ", %s = ?", d->fields[i].name);
	sort_key_sql(&sql, d, 3, true, true);
	buf_printf(&sql, ", doc = ?%d WHERE id = ?%d AND version = ?%d", 5 + (int)d->nfields,
		   3 + (int)d->nfields, 4 + (int)d->nfields);
	*update = buf_detach(&sql, NULL);
}

static enum err_code
insert_row(struct wtx *w, const struct entity *en, const json_t *rec, int64_t *id, struct err *e)
{
	struct stmt *st = store_prepare(w->c, en->insert_sql, e);

	if (!st)
		return e->code;
	char *custom = custom_json(en, rec, false);
	stmt_bind_str(st, 1, w->now);
	stmt_bind_str(st, 2, w->now);
	stmt_bind_str(st, 3, custom);
	free(custom);
	bind_columns(st, 4, en, rec);
	char *doc = record_doc(en->def, rec, w->now, w->now, 1);
	stmt_bind_str(st, 4 + (int)en->def->nfields, doc);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	free(doc);
	if (rc < 0)
		return e->code;
	*id = store_last_id(w->c);
	return ERR_OK;
}

enum err_code
record_insert(struct wtx *w, const struct entity *en, const json_t *body, json_t **out,
	      struct err *e)
{
	const struct entity_hooks *h = en->def->hooks;
	json_t *rec = NULL;
	struct buf changes;
	int64_t id = 0;
	enum err_code rc;

	*out = NULL;
	buf_init(&changes, HISTORY_MAX_BYTES);
	if ((rc = validate_record(en, body, VALIDATE_CREATE, w, &rec, e)) != ERR_OK)
		return rc;
	if (h && h->before_save && (rc = h->before_save(w, en, rec, NULL, e)) != ERR_OK)
		goto out;
	if ((rc = check_references(w, en, rec, NULL, e)) != ERR_OK)
		goto out;
	if ((rc = insert_row(w, en, rec, &id, e)) != ERR_OK ||
	    (rc = record_check_act(w, en, id, "create", e)) != ERR_OK)
		goto out;
	json_t *written = rec;
	rec = record_shape(en, written, id, w->now, w->now, 1);
	json_decref(written);
	diff_records(en, NULL, rec, &changes);
	if ((rc = audit_record(w, en, id, "create", changes.data, e)) != ERR_OK ||
	    (rc = search_put(w, en, id, rec, NULL, e)) != ERR_OK)
		goto out;
	if (h && h->after_save && (rc = h->after_save(w, en, rec, NULL, e)) != ERR_OK)
		goto out;
	*out = rec;
	rec = NULL;
out:
	json_decref(rec);
	buf_release(&changes);
	return rc;
}

static enum err_code
update_row(struct wtx *w, const struct entity *en, int64_t id, int64_t version,
	   const char *created_at, const json_t *rec, struct err *e)
{
	const struct entity_def *d = en->def;
	struct stmt *st = store_prepare(w->c, en->update_sql, e);

	if (!st)
		return e->code;
	/* merged, so values of removed custom fields are kept */
	char *custom = custom_json(en, rec, true);
	stmt_bind_str(st, 1, w->now);
	stmt_bind_str(st, 2, custom);
	free(custom);
	bind_columns(st, 3, en, rec);
	stmt_bind_int(st, 3 + (int)d->nfields, id);
	stmt_bind_int(st, 4 + (int)d->nfields, version);
	char *doc = record_doc(d, rec, created_at, w->now, version + 1);
	stmt_bind_str(st, 5 + (int)d->nfields, doc);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	free(doc);
	if (rc < 0)
		return e->code;
	if (store_changes(w->c) != 1)
		return err_set(e, ERR_STALE, "%s %lld was changed meanwhile", d->singular, (long long)id);
	return ERR_OK;
}

static enum err_code
check_version(const struct entity *en, const json_t *old, int64_t if_match, struct err *e)
{
	int64_t v = json_integer_value(json_object_get(old, "version"));

	if (if_match != NO_VERSION && if_match != v)
		return err_set(e, ERR_STALE, "%s %lld is at version %lld, not %lld",
			       en->def->singular, (long long)json_integer_value(json_object_get(old, "id")),
			       (long long)v, (long long)if_match);
	return ERR_OK;
}

enum err_code
record_update(struct wtx *w, const struct entity *en, int64_t id, const json_t *patch,
	      int64_t if_match, json_t **out, struct err *e)
{
	struct access seen;
	const struct entity_hooks *h = en->def->hooks;
	json_t *old = NULL, *clean = NULL, *rec = NULL;
	struct buf changes;
	enum err_code rc;

	*out = NULL;
	buf_init(&changes, HISTORY_MAX_BYTES);
	if ((rc = record_get(w->c, en, id, false, write_view(w, &seen), &old, e)) != ERR_OK)
		return rc;
	if ((rc = record_check_act(w, en, id, "change", e)) != ERR_OK ||
	    (rc = check_version(en, old, if_match, e)) != ERR_OK)
		goto out;
	if ((rc = validate_record(en, patch, VALIDATE_UPDATE, w, &clean, e)) != ERR_OK)
		goto out;
	rec = json_deep_copy(old);
	json_object_update(rec, clean);
	if (h && h->before_save && (rc = h->before_save(w, en, rec, old, e)) != ERR_OK)
		goto out;
	if (diff_records(en, old, rec, &changes) == 0) {
		*out = old;	/* nothing changed: no new version */
		old = NULL;
		goto out;
	}
	if ((rc = check_references(w, en, rec, old, e)) != ERR_OK)
		goto out;
	int64_t version = json_integer_value(json_object_get(old, "version"));
	const char *created_at = json_string_value(json_object_get(old, "created_at"));
	if ((rc = update_row(w, en, id, version, created_at, rec, e)) != ERR_OK)
		goto out;
	if ((rc = audit_record(w, en, id, "update", changes.data, e)) != ERR_OK)
		goto out;
	json_t *written = rec;
	rec = record_shape(en, written, id, created_at, w->now, version + 1);
	json_decref(written);
	if ((rc = search_put(w, en, id, rec, old, e)) != ERR_OK)
		goto out;
	if (h && h->after_save && (rc = h->after_save(w, en, rec, old, e)) != ERR_OK)
		goto out;
	*out = rec;
	rec = NULL;
out:
	json_decref(old);
	json_decref(clean);
	json_decref(rec);
	buf_release(&changes);
	return rc;
}

/* Set or clear deleted_at (deleted = NULL restores). */
static enum err_code
set_deleted(struct wtx *w, const struct entity *en, int64_t id, const char *deleted,
	    struct err *e)
{
	char sql[200];

	snprintf(sql, sizeof(sql), "UPDATE %s SET deleted_at = ?, updated_at = ?, "
		 "version = version + 1 WHERE id = ?", en->def->name);
	struct stmt *st = store_prepare(w->c, sql, e);
	if (!st)
		return e->code;
	stmt_bind_str(st, 1, deleted);
	stmt_bind_str(st, 2, w->now);
	stmt_bind_int(st, 3, id);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

enum err_code
record_delete(struct wtx *w, const struct entity *en, int64_t id, int64_t if_match,
	      struct err *e)
{
	struct access seen;
	const struct entity_hooks *h = en->def->hooks;
	json_t *old = NULL;
	enum err_code rc;

	if ((rc = record_get(w->c, en, id, false, write_view(w, &seen), &old, e)) != ERR_OK)
		return rc;
	if ((rc = record_check_act(w, en, id, "delete", e)) != ERR_OK ||
	    (rc = check_version(en, old, if_match, e)) != ERR_OK)
		goto out;
	if ((rc = set_deleted(w, en, id, w->now, e)) != ERR_OK ||
	    (rc = search_drop(w, en, id, e)) != ERR_OK)
		goto out;
	if ((rc = audit_record(w, en, id, "delete", NULL, e)) != ERR_OK)
		goto out;
	if (h && h->after_delete)
		rc = h->after_delete(w, en, old, e);
out:
	json_decref(old);
	return rc;
}

enum err_code
record_restore(struct wtx *w, const struct entity *en, int64_t id, json_t **out,
	       struct err *e)
{
	struct access seen;
	const struct entity_hooks *h = en->def->hooks;
	json_t *old = NULL, *rec = NULL;
	enum err_code rc;

	*out = NULL;
	if ((rc = record_get(w->c, en, id, true, write_view(w, &seen), &old, e)) != ERR_OK)
		return rc;
	if ((rc = record_check_act(w, en, id, "restore", e)) != ERR_OK)
		goto out;
	json_t *deleted = json_object_get(old, "deleted_at");
	if (!json_is_string(deleted)) {
		rc = err_set(e, ERR_CONFLICT, "%s %lld is not deleted", en->def->singular, (long long)id);
		goto out;
	}
	if ((rc = check_references(w, en, old, NULL, e)) != ERR_OK)
		goto out;
	if ((rc = set_deleted(w, en, id, NULL, e)) != ERR_OK)
		goto out;
	if ((rc = audit_record(w, en, id, "restore", NULL, e)) != ERR_OK)
		goto out;
	if ((rc = record_get(w->c, en, id, false, write_view(w, &seen), &rec, e)) != ERR_OK ||
	    (rc = search_put(w, en, id, rec, NULL, e)) != ERR_OK)
		goto out;
	if (h && h->after_restore &&
	    (rc = h->after_restore(w, en, rec, json_string_value(deleted), e)) != ERR_OK)
		goto out;
	*out = rec;
	rec = NULL;
out:
	json_decref(old);
	json_decref(rec);
	return rc;
}
