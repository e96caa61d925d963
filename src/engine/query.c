/* SPDX-License-Identifier: MIT */
/* Lists. Every parameter is checked against the registry before any SQL is
 * built, so field names spliced into SQL are always declared identifiers;
 * values are always bound. Pagination is keyset (sort value, id), stable
 * under concurrent inserts, never OFFSET. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "engine/query.h"
#include "engine/record.h"
#include "engine/validate.h"
#include "engine/search.h"
#include "text/collate.h"
#include "text/fold.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/mem.h"

#define SQL_MAX (1 << 16)
#define MAX_IN_VALUES 100
#define MAX_BINDS (LIST_MAX_FILTERS * MAX_IN_VALUES + 64)

/* Columns every record has, filterable and sortable like fields. */
static const struct field system_fields[] = {
	{ .name = "id", .type = FT_INTEGER, .flags = F_INDEXED },
	{ .name = "created_at", .type = FT_DATETIME, .flags = F_INDEXED },
	{ .name = "updated_at", .type = FT_DATETIME, .flags = F_INDEXED },
};

static const char *const op_names[] = {
	[OP_EQ] = "eq", [OP_NE] = "ne", [OP_LT] = "lt", [OP_LE] = "le", [OP_GT] = "gt",
	[OP_GE] = "ge", [OP_IN] = "in", [OP_CONTAINS] = "contains", [OP_PREFIX] = "prefix",
	[OP_NULL] = "null",
};

static const struct field *
find_field(const struct entity *en, const char *name)
{
	for (size_t i = 0; i < sizeof(system_fields) / sizeof(system_fields[0]); i++)
		if (strcmp(system_fields[i].name, name) == 0)
			return &system_fields[i];
	return entity_field(en, name);
}

static bool
is_textual(enum field_type t)
{
	return t == FT_STRING || t == FT_TEXT || t == FT_EMAIL || t == FT_PHONE || t == FT_ENUM;
}

/* A filter value from its text, normalised as the field's values are. */
static json_t *
scalar_from_text(const struct field *f, const char *s, const char **why)
{
	json_t *raw;
	char *end;

	switch (f->type) {
	case FT_INTEGER:
	case FT_REF: {
		errno = 0;
		long long v = strtoll(s, &end, 10);
		if (*s == '\0' || *end || errno) {
			*why = "must be an integer";
			return NULL;
		}
		if (f->type == FT_REF && v <= 0) {
			*why = "must be the id of a record";
			return NULL;
		}
		return json_integer(v);
	}
	case FT_NUMBER: {
		errno = 0;
		double v = strtod(s, &end);
		if (*s == '\0' || *end || errno) {
			*why = "must be a number";
			return NULL;
		}
		raw = json_real(v);
		break;
	}
	case FT_BOOLEAN:
		if (strcmp(s, "true") == 0)
			return json_true();
		if (strcmp(s, "false") == 0)
			return json_false();
		*why = "must be true or false";
		return NULL;
	default:
		raw = json_string(s);
		if (!raw) {
			*why = "must be valid UTF-8 text";
			return NULL;
		}
	}
	struct field loose = *f;
	loose.max_len = 1000;	/* a filter may be longer than a value */
	loose.flags &= ~(unsigned)F_NOT_FUTURE;
	json_t *v = validate_value(&loose, raw, why);
	json_decref(raw);
	return v;
}

static bool
op_allowed(const struct field *f, enum filter_op op)
{
	switch (op) {
	case OP_EQ:
	case OP_NE:
	case OP_IN:
		return f->type != FT_TAGS;
	case OP_LT:
	case OP_LE:
	case OP_GT:
	case OP_GE:
		return f->type != FT_TAGS && f->type != FT_BOOLEAN;
	case OP_CONTAINS:
		return is_textual(f->type) || f->type == FT_TAGS;
	case OP_PREFIX:
		return is_textual(f->type);
	default:
		return true;
	}
}

static json_t *
parse_in_values(const struct field *f, const char *s, const char **why)
{
	json_t *arr = json_array();
	char *copy = xstrdup(s), *save = NULL;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		json_t *v = json_array_size(arr) < MAX_IN_VALUES ? scalar_from_text(f, tok, why) : NULL;
		if (!v) {
			if (json_array_size(arr) >= MAX_IN_VALUES)
				*why = "has too many values (at most 100)";
			json_decref(arr);
			free(copy);
			return NULL;
		}
		json_array_append_new(arr, v);
	}
	free(copy);
	if (json_array_size(arr) == 0) {
		*why = "needs at least one value";
		json_decref(arr);
		return NULL;
	}
	return arr;
}

enum err_code
filter_parse(const struct entity *en, const char *spec, struct filter *f, struct err *e)
{
	const char *c1 = strchr(spec, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	char name[80], op[16];
	const char *why = NULL;

	memset(f, 0, sizeof(*f));
	if (!c1 || !c2 || (size_t)(c1 - spec) >= sizeof(name) || (size_t)(c2 - c1 - 1) >= sizeof(op))
		return err_set(e, ERR_BADREQ, "filter must be FIELD:OP:VALUE");
	memcpy(name, spec, (size_t)(c1 - spec));
	name[c1 - spec] = '\0';
	memcpy(op, c1 + 1, (size_t)(c2 - c1 - 1));
	op[c2 - c1 - 1] = '\0';
	const char *value = c2 + 1;

	if (!(f->field = find_field(en, name)))
		return err_set(e, ERR_BADREQ, "filter: %s has no field '%.80s'", en->def->name, name);
	size_t k;
	for (k = 0; k < sizeof(op_names) / sizeof(op_names[0]); k++)
		if (strcmp(op_names[k], op) == 0)
			break;
	if (k == sizeof(op_names) / sizeof(op_names[0]))
		return err_set(e, ERR_BADREQ, "filter: unknown operator '%.16s' (use eq ne lt le gt ge in contains prefix null)", op);
	f->op = (enum filter_op)k;
	if (!op_allowed(f->field, f->op))
		return err_set(e, ERR_BADREQ, "filter: operator %s does not apply to %s (%s)",
			       op_names[f->op], name, field_type_name(f->field->type));
	if (f->op == OP_NULL) {
		if (strcmp(value, "true") && strcmp(value, "false"))
			return err_set(e, ERR_BADREQ, "filter: null takes true or false");
		f->value = json_boolean(strcmp(value, "true") == 0);
	} else if (f->op == OP_IN) {
		f->value = parse_in_values(f->field, value, &why);
	} else if (f->op == OP_CONTAINS || f->op == OP_PREFIX) {
		struct field text = { .name = name, .type = FT_STRING, .max_len = 1000 };
		json_t *raw = json_string(value);
		f->value = raw ? validate_value(&text, raw, &why) : NULL;
		json_decref(raw);
		if (f->value && (json_is_null(f->value) || json_string_length(f->value) == 0)) {
			json_decref(f->value);
			f->value = NULL;
			why = "needs a value";
		}
	} else {
		f->value = scalar_from_text(f->field, value, &why);
	}
	if (!f->value)
		return err_set(e, ERR_BADREQ, "filter on %s: value %s", name, why ? why : "is invalid");
	return ERR_OK;
}

void
filter_release(struct filter *f)
{
	json_decref(f->value);
	f->value = NULL;
}

/* ---- SQL building ---- */

struct binds {
	const struct field *field[MAX_BINDS];
	const json_t *value[MAX_BINDS];
	int n;
};

/* Not zeroed: 33 KB that clearing would cost every list more than the
 * few values it ever holds. */
static struct binds *
binds_new(void)
{
	struct binds *b = xmalloc(sizeof(*b));
	b->n = 0;
	return b;
}

static void
bind_add(struct binds *b, const struct field *f, const json_t *v)
{
	if (b->n < MAX_BINDS) {
		b->field[b->n] = f;
		b->value[b->n] = v;
		b->n++;
	}
}

static void
column_expr(struct buf *sql, const struct field *f)
{
	if (f->flags & F_CUSTOM)
		store_sql_json_get(sql, "custom", f->name);
	else
		buf_adds(sql, f->name);
}

static const struct field text_field = { .name = "text", .type = FT_STRING };

/* The upper bound of strings starting with prefix: prefix + U+10FFFF. */
static json_t *
prefix_upper(const json_t *prefix)
{
	char *s = NULL;

	if (asprintf(&s, "%s\xF4\x8F\xBF\xBF", json_string_value(prefix)) < 0)
		abort();
	json_t *v = json_string(s);
	free(s);
	return v;
}

/* A text value case-folded for store_sql_icontains. */
static json_t *
folded(const json_t *v)
{
	size_t n;
	char *f = text_casefold(json_string_value(v), json_string_length(v), &n);
	json_t *out = f ? json_stringn(f, n) : json_incref((json_t *)v);

	free(f);
	return out;
}

static void
filter_sql(struct buf *sql, struct binds *b, const struct filter *f, json_t *keep)
{
	static const char *const cmp[] = {
		[OP_EQ] = " = ?", [OP_NE] = " IS NOT ?", [OP_LT] = " < ?",
		[OP_LE] = " <= ?", [OP_GT] = " > ?", [OP_GE] = " >= ?",
	};
	const struct field *fd = f->field;

	buf_adds(sql, " AND ");
	switch (f->op) {
	case OP_NULL:
		column_expr(sql, fd);
		buf_adds(sql, json_is_true(f->value) ? " IS NULL" : " IS NOT NULL");
		break;
	case OP_IN: {
		column_expr(sql, fd);
		buf_adds(sql, " IN (");
		for (size_t i = 0; i < json_array_size(f->value); i++) {
			buf_adds(sql, i ? ", ?" : "?");
			bind_add(b, fd, json_array_get(f->value, i));
		}
		buf_addc(sql, ')');
		break;
	}
	case OP_CONTAINS: {
		struct buf col;
		buf_init(&col, 256);
		column_expr(&col, fd);
		if (fd->type == FT_TAGS) {
			store_sql_json_array_has(sql, col.data);
			bind_add(b, &text_field, f->value);
		} else {
			json_t *pv = folded(f->value);
			store_sql_icontains(sql, col.data);
			json_array_append_new(keep, pv);
			bind_add(b, &text_field, pv);
		}
		buf_release(&col);
		break;
	}
	case OP_PREFIX: {
		json_t *upper = prefix_upper(f->value);
		json_array_append_new(keep, upper);
		buf_addc(sql, '(');
		column_expr(sql, fd);
		buf_adds(sql, " >= ? AND ");
		column_expr(sql, fd);
		buf_adds(sql, " < ?)");
		bind_add(b, &text_field, f->value);
		bind_add(b, &text_field, upper);
		break;
	}
	default:
		column_expr(sql, fd);
		buf_adds(sql, cmp[f->op]);
		bind_add(b, fd, f->value);
	}
}

/* Prepare sql and bind the values collected in b (1-based, in order). */
static struct stmt *
prepare_bound(struct store_conn *c, const char *sql, const struct binds *b, struct err *e)
{
	struct stmt *st = store_prepare(c, sql, e);

	if (st)
		for (int i = 0; i < b->n; i++)
			record_bind_value(st, i + 1, b->field[i], b->value[i]);
	return st;
}

/* q=: the full-text search (engine/search.h) within the list. */
static void
text_match_sql(struct buf *sql, struct binds *b, const struct entity *en,
	       const struct search_query *q, bool masked, json_t *keep)
{
	const char *bind[SEARCH_LIST_BINDS];
	size_t n;

	search_list_sql(sql, en, q, masked, bind, &n);
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_string(bind[i]);
		json_array_append_new(keep, v);
		bind_add(b, &text_field, v);
	}
}

/* ---- cursor ---- */

char *
cursor_encode(const char *sort, const json_t *value, int64_t id)
{
	struct buf b;
	int rc = 0;

	/* written by hand, one append a statement: jansson's pack and dump
	 * cost a list page 3% */
	buf_init(&b, SIZE_MAX);
	rc |= buf_adds(&b, "{\"s\":");
	rc |= jsonx_append_string(&b, sort, strlen(sort));
	rc |= buf_adds(&b, ",\"v\":");
	if (value && json_is_real(value)) {
		/* all 17 digits, so that the next page starts where this ended */
		char *real = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
		if (!real)
			abort();
		rc |= buf_adds(&b, real);
		free(real);
	} else {
		rc |= jsonx_append(&b, value ? value : json_null());
	}
	rc |= buf_adds(&b, ",\"i\":");
	rc |= buf_add_int(&b, id);
	rc |= buf_addc(&b, '}');
	if (rc != 0)
		abort();	/* no cap */
	size_t cap = sodium_base64_ENCODED_LEN(b.len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = xmalloc(cap);
	sodium_bin2base64(out, cap, (unsigned char *)b.data, b.len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	buf_release(&b);
	return out;
}

enum err_code
cursor_decode(const char *cursor, const char *sort, json_t **value, int64_t *id, struct err *e)
{
	unsigned char bin[1024];
	size_t n = 0;

	*value = NULL;
	if (strlen(cursor) > 1300 ||
	    sodium_base642bin(bin, sizeof(bin) - 1, cursor, strlen(cursor), NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return err_set(e, ERR_BADREQ, "cursor is not valid");
	json_t *c = json_loadb((char *)bin, n, 0, NULL);
	json_t *s = json_object_get(c, "s"), *v = json_object_get(c, "v"), *i = json_object_get(c, "i");
	if (!json_is_string(s) || !v || !json_is_integer(i) || json_is_object(v) || json_is_array(v)) {
		json_decref(c);
		return err_set(e, ERR_BADREQ, "cursor is not valid");
	}
	if (strcmp(json_string_value(s), sort) != 0) {
		err_set(e, ERR_BADREQ, "cursor was made for sort=%.80s", json_string_value(s));
		json_decref(c);
		return ERR_BADREQ;
	}
	*value = json_incref(v);
	*id = json_integer_value(i);
	json_decref(c);
	return ERR_OK;
}

/* Field f as it sorts under coll: its sort-key column where it has one
 * (indexed), else its collation key computed row by row. */
static void
sort_expr(struct buf *sql, const struct field *f, enum collation coll)
{
	char col[160];

	if (coll != COLL_NONE && field_has_sort_keys(f)) {
		field_sort_key_column(f, coll, col, sizeof(col));
		buf_adds(sql, col);
	} else {
		store_sql_sort_expr(sql, f->name, coll);
	}
}

/* Rows after (v, id) in the order (col dir, id dir). SQLite puts NULLs
 * first ascending and last descending; the conditions follow that. Under
 * a collation, the column and the value compare by their sort keys. */
static void
keyset_sql(struct buf *sql, struct binds *b, const struct field *f, enum collation coll,
	   bool desc, const json_t *v, const json_t *idv)
{
	const char *gt = desc ? "<" : ">";
	const struct field *idf = &system_fields[0];
	struct buf col, param;

	if (strcmp(f->name, "id") == 0) {
		buf_printf(sql, " AND id %s ?", gt);
		bind_add(b, idf, idv);
		return;
	}
	if (json_is_null(v)) {
		if (desc) {
			buf_printf(sql, " AND (%s IS NULL AND id < ?)", f->name);
		} else {
			buf_printf(sql, " AND ((%s IS NULL AND id > ?) OR %s IS NOT NULL)", f->name, f->name);
		}
		bind_add(b, idf, idv);
		return;
	}
	buf_init(&col, 512);
	buf_init(&param, 512);
	sort_expr(&col, f, coll);
	store_sql_sort_expr(&param, "?", coll);
	buf_printf(sql, " AND (%s %s %s OR (%s = %s AND id %s ?)", col.data, gt, param.data, col.data,
		   param.data, gt);
	if (desc)	/* NULLs come last when descending */
		buf_printf(sql, " OR %s IS NULL", f->name);
	buf_addc(sql, ')');
	bind_add(b, f, v);
	bind_add(b, f, v);
	bind_add(b, idf, idv);
	buf_release(&col);
	buf_release(&param);
}

/* ---- the list ---- */

struct list_query {
	struct filter filters[LIST_MAX_FILTERS];
	size_t nfilters;
	const struct field *sort;
	enum collation coll;	/* of a text sort: the caller's locale */
	bool desc;
	const char *sort_spec;	/* what the cursor was made for */
	char sort_buf[160];
	int64_t limit;
	json_t *after_value;	/* from the cursor, or NULL */
	int64_t after_id;
	json_t *select;		/* array of field names, or NULL for all */
	char *ids;		/* JSON array of the selected ids, or NULL */
	bool deleted;
};

static void
list_query_release(struct list_query *q)
{
	for (size_t i = 0; i < q->nfilters; i++)
		filter_release(&q->filters[i]);
	json_decref(q->after_value);
	json_decref(q->select);
	free(q->ids);
}

/* ids=4,8,15 as a JSON array text (you own it): positive integers, at
 * most LIST_MAX_IDS. */
static enum err_code
parse_ids(const char *s, char **out, struct err *e)
{
	struct buf b;
	size_t n = 0;

	buf_init(&b, 32 * LIST_MAX_IDS);
	buf_addc(&b, '[');
	for (const char *p = s;; p++) {
		char *end;
		errno = 0;
		long long v = (*p >= '0' && *p <= '9') ? strtoll(p, &end, 10) : 0;
		if (v <= 0 || errno || (*end != ',' && *end) || ++n > LIST_MAX_IDS) {
			buf_release(&b);
			return err_set(e, ERR_BADREQ, "ids must be at most %d record ids separated by commas",
				       LIST_MAX_IDS);
		}
		buf_printf(&b, "%s%lld", n > 1 ? "," : "", v);
		p = end;
		if (!*p)
			break;
	}
	buf_addc(&b, ']');
	*out = buf_detach(&b, NULL);
	buf_release(&b);
	return ERR_OK;
}

static enum err_code
parse_select(const struct entity *en, const char *fields, json_t **out, struct err *e)
{
	static const char *const always[] = { "id", "created_at", "updated_at", "version", NULL };
	json_t *sel = json_array();
	char *copy = xstrdup(fields), *save = NULL;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool ok = entity_field(en, tok) != NULL;
		for (const char *const *p = always; *p && !ok; p++)
			ok = strcmp(*p, tok) == 0;
		if (!ok) {
			err_set(e, ERR_BADREQ, "fields: %s has no field '%.80s'", en->def->name, tok);
			free(copy);
			json_decref(sel);
			return ERR_BADREQ;
		}
		json_array_append_new(sel, json_string(tok));
	}
	free(copy);
	*out = sel;
	return ERR_OK;
}

/* Filtering or sorting on a value one may not see would reveal it. */
static enum err_code
personal_refused(const struct field *f, const struct access *acc, const char *what, struct err *e)
{
	if (acc && acc->masked && field_mask_kind(f))
		return err_set(e, ERR_FORBIDDEN, "%s on %s needs the personal-data permission", what, f->name);
	return ERR_OK;
}

static enum err_code
parse_list(const struct entity *en, const struct list_params *p, const struct access *acc,
	   struct list_query *q, struct err *e)
{
	enum err_code rc;

	memset(q, 0, sizeof(*q));
	q->limit = LIST_DEFAULT_LIMIT;
	if (p->limit) {
		char *end;
		errno = 0;
		long long n = strtoll(p->limit, &end, 10);
		if (!*p->limit || *end || errno || n < 1 || n > LIST_MAX_LIMIT)
			return err_set(e, ERR_BADREQ, "limit must be an integer from 1 to %d", LIST_MAX_LIMIT);
		q->limit = n;
	}
	q->sort_spec = p->sort ? p->sort : "id";
	const char *name = q->sort_spec[0] == '-' ? q->sort_spec + 1 : q->sort_spec;
	q->desc = q->sort_spec[0] == '-';
	q->sort = find_field(en, name);
	if (!q->sort || !(q->sort->flags & F_INDEXED) || (q->sort->flags & F_CUSTOM))
		return err_set(e, ERR_BADREQ, "sort: %.80s is not a sortable field of %s", name, en->def->name);
	if (p->locale && strlen(p->locale) > 100)
		return err_set(e, ERR_BADREQ, "locale is too long (a BCP 47 tag such as zh-Hant)");
	if (q->sort->type == FT_STRING || q->sort->type == FT_TEXT)
		q->coll = collation_for_locale(p->locale);
	if (q->coll != COLL_NONE) {	/* a cursor holds to its order */
		snprintf(q->sort_buf, sizeof(q->sort_buf), "%.100s@%s", q->sort_spec, collation_name(q->coll));
		q->sort_spec = q->sort_buf;
	}
	if ((rc = personal_refused(q->sort, acc, "sorting", e)) != ERR_OK)
		return rc;
	for (size_t i = 0; i < p->nfilters; i++) {
		if ((rc = filter_parse(en, p->filters[i], &q->filters[i], e)) != ERR_OK)
			return rc;
		q->nfilters++;
		if ((rc = personal_refused(q->filters[i].field, acc, "filtering", e)) != ERR_OK)
			return rc;
	}
	if (p->cursor && (rc = cursor_decode(p->cursor, q->sort_spec, &q->after_value, &q->after_id, e)) != ERR_OK)
		return rc;
	if (p->fields && (rc = parse_select(en, p->fields, &q->select, e)) != ERR_OK)
		return rc;
	if (p->deleted) {
		if (strcmp(p->deleted, "true") && strcmp(p->deleted, "false"))
			return err_set(e, ERR_BADREQ, "deleted must be true or false");
		q->deleted = strcmp(p->deleted, "true") == 0;
	}
	if (p->q && strlen(p->q) > 200)
		return err_set(e, ERR_BADREQ, "q is too long (at most 200 bytes)");
	if (p->ids && (rc = parse_ids(p->ids, &q->ids, e)) != ERR_OK)
		return rc;
	return ERR_OK;
}

enum err_code
query_check(const struct entity *en, const struct list_params *p, const struct access *acc,
	    struct err *e)
{
	struct list_query q;
	struct search_query sq = { 0 };
	enum err_code rc = parse_list(en, p, acc, &q, e);

	if (rc == ERR_OK && p->q && *p->q)
		rc = search_query_parse(p->q, &sq, e);
	search_query_release(&sq);
	list_query_release(&q);
	return rc;
}

void
query_check_field(const struct entity *en, const struct list_params *p, const struct access *acc,
		  const char *field, const char *prefix, struct err *e)
{
	struct err qe = { 0 };

	if (query_check(en, p, acc, &qe) != ERR_OK)
		err_field(e, field, "%s%s", prefix, qe.msg);
	err_clear(&qe);
}

/* What a list's statement is made of; the JSON values bound by reference
 * (keep) and the parsed search text live until the statement is done. */
struct list_build {
	struct buf sql;
	struct binds *binds;
	json_t *keep;
	struct search_query sq;
};

/* A list by id needs no sort column: the record's own id column serves
 * for the cursor (another rowid column costs SQLite a parse of the index
 * entry a row). */
static bool
sorted_by_id(const struct list_query *q)
{
	return strcmp(q->sort->name, "id") == 0;
}

static void
list_build_release(struct list_build *lb)
{
	search_query_release(&lb->sq);
	json_decref(lb->keep);
	buf_release(&lb->sql);
	free(lb->binds);
}

/* SELECT ... WHERE filters, ids, search text, keyset, access ORDER BY
 * LIMIT limit + 1 (the extra row says whether there is a next page). */
static enum err_code
list_build_sql(struct list_build *lb, struct store_conn *c, const struct entity *en,
	       const struct list_query *q, const char *text, const struct access *acc, struct err *e)
{
	struct buf *sql = &lb->sql;
	enum err_code rc;

	buf_adds(sql, "SELECT ");
	record_json_columns_sql(sql, en, q->select, acc && acc->masked);
	if (!sorted_by_id(q))
		buf_printf(sql, ", %s", q->sort->name);
	buf_printf(sql, " FROM %s WHERE deleted_at IS %s", en->def->name,
		   q->deleted ? "NOT NULL" : "NULL");
	for (size_t i = 0; i < q->nfilters; i++)
		filter_sql(sql, lb->binds, &q->filters[i], lb->keep);
	if (q->ids) {
		json_t *v = json_string(q->ids);
		json_array_append_new(lb->keep, v);
		buf_adds(sql, " AND ");
		store_sql_in_json_array(sql, "id");
		bind_add(lb->binds, &text_field, v);
	}
	if (text && *text) {
		/* a write job's list (a bulk action's selection) reads its
		 * own index writes */
		if ((rc = search_query_parse(text, &lb->sq, e)) != ERR_OK ||
		    (rc = store_run_deferred(c, e)) != ERR_OK)
			return rc;
		text_match_sql(sql, lb->binds, en, &lb->sq, acc && acc->masked, lb->keep);
	}
	json_t *idv = json_integer(q->after_id);
	json_array_append_new(lb->keep, idv);
	if (q->after_value)
		keyset_sql(sql, lb->binds, q->sort, q->coll, q->desc, q->after_value, idv);
	/* last: its named parameters come after every positional one */
	enum scope scope = acc ? acc->read : SCOPE_ALL;
	/* everything in scope: no condition, so no need to look for shares */
	access_sql(sql, en, acc, scope,
		   scope == SCOPE_ALL ? SHARES_NONE : access_shares_used(c, en, acc, SHARES_READ));
	if (sorted_by_id(q)) {
		buf_printf(sql, " ORDER BY id %s", q->desc ? "DESC" : "ASC");
	} else {
		buf_adds(sql, " ORDER BY ");
		sort_expr(sql, q->sort, q->coll);
		buf_printf(sql, " %s, id %s", q->desc ? "DESC" : "ASC", q->desc ? "DESC" : "ASC");
	}
	buf_printf(sql, " LIMIT %lld", (long long)q->limit + 1);
	return ERR_OK;
}

/* {"data":[rows],"next_cursor":...} from the statement's rows; only the
 * page's last row makes the cursor. */
static enum err_code
list_write_page(struct store_conn *c, const struct entity *en, const struct list_query *q,
		struct stmt *st, struct buf *out, struct err *e)
{
	json_t *last_sort = NULL;
	int64_t last_id = 0, rows = 0;
	enum err_code rc = ERR_OK;
	bool more = false;
	int step;

	buf_adds(out, "{\"data\":[");
	while ((step = stmt_step(st, e)) == 1) {
		if (rows == q->limit) {
			more = true;
			break;
		}
		if (rows++ && buf_addc(out, ',') < 0) {
			rc = err_set(e, ERR_TOOBIG, "the page is too large: ask for a smaller limit");
			break;
		}
		if ((rc = record_row_append(c, en, st, 0, out, e)) != ERR_OK)
			break;
		if (rows == q->limit) {
			last_id = stmt_int(st, RECORD_JSON_COLUMNS - 1);
			last_sort = sorted_by_id(q) ? json_integer(last_id)
					  : record_column_value(q->sort, st, RECORD_JSON_COLUMNS);
		}
	}
	if (rc == ERR_OK && step < 0)
		rc = e->code;
	if (rc == ERR_OK) {
		buf_adds(out, "],\"next_cursor\":");
		if (more) {
			char *cur = cursor_encode(q->sort_spec, last_sort, last_id);
			buf_printf(out, "\"%s\"}", cur);
			free(cur);
		} else {
			buf_adds(out, "null}");
		}
	}
	json_decref(last_sort);
	return rc;
}

/* Append the page: {"data":[row,...],"next_cursor":...}. Rows come
 * rendered by the database; only the last one's sort key is read here. */
static enum err_code
run_list(struct store_conn *c, const struct entity *en, const struct list_query *q,
	 const char *text, const struct access *acc, struct buf *out, struct err *e)
{
	struct list_build lb = { .binds = binds_new(), .keep = json_array() };
	enum err_code rc;

	buf_init(&lb.sql, SQL_MAX);
	if ((rc = list_build_sql(&lb, c, en, q, text, acc, e)) == ERR_OK) {
		struct stmt *st = prepare_bound(c, lb.sql.data, lb.binds, e);
		if (!st) {
			rc = e->code;
		} else {
			access_bind(st, acc);
			rc = list_write_page(c, en, q, st, out, e);
			stmt_finish(st);
		}
	}
	list_build_release(&lb);
	return rc;
}

enum err_code
query_list(struct store_conn *c, const struct entity *en, const struct list_params *p,
	   const struct access *acc, char **out, size_t *len, struct err *e)
{
	struct list_query q;
	struct buf page;
	enum err_code rc;

	*out = NULL;
	buf_init(&page, LIST_MAX_BYTES);
	if ((rc = parse_list(en, p, acc, &q, e)) == ERR_OK) {
		/* a guess of the page, so that it grows once or not at all */
		(void)buf_reserve(&page, (size_t)q.limit * 640);
		rc = run_list(c, en, &q, p->q, acc, &page, e);
	}
	list_query_release(&q);
	if (rc == ERR_OK)
		*out = buf_detach(&page, len);
	buf_release(&page);
	return rc;
}

enum err_code
query_select(struct store_conn *c, const struct entity *en, const char *columns,
	     const struct filter *filters, size_t nfilters, const char *where,
	     const char *const *args, size_t nargs, const char *tail, query_row_fn *fn, void *ctx,
	     struct err *e)
{
	struct buf sql;
	struct binds *b = binds_new();
	json_t *keep = json_array();
	enum err_code rc = ERR_OK;
	int step;

	buf_init(&sql, SQL_MAX);
	buf_printf(&sql, "SELECT %s FROM %s WHERE deleted_at IS NULL", columns, en->def->name);
	for (size_t i = 0; i < nfilters; i++)
		filter_sql(&sql, b, &filters[i], keep);
	if (where)
		buf_printf(&sql, " AND (%s)", where);
	if (tail)
		buf_printf(&sql, " %s", tail);
	struct stmt *st = prepare_bound(c, sql.data, b, e);
	if (!st) {
		rc = e->code;
		goto out;
	}
	for (size_t i = 0; i < nargs; i++)
		stmt_bind_str(st, b->n + (int)i + 1, args[i]);
	while ((step = stmt_step(st, e)) == 1)
		if (fn(st, ctx) != 0)
			break;
	stmt_finish(st);
	if (step < 0)
		rc = e->code;
out:
	json_decref(keep);
	buf_release(&sql);
	free(b);
	return rc;
}
