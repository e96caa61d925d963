/* SPDX-License-Identifier: MIT */
#include <string.h>
#include "engine/engine.h"
#include "engine/record.h"
#include "engine/search.h"
#include "text/phone.h"
#include "text/search.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/utf8.h"

/* Bumped when the search form changes, so indexes are rebuilt. */
#define SEARCH_FORM_VERSION 5	/* 5: no column sizes */
#define PINYIN_COLUMN "_pinyin"
#define MAX_COLUMNS 32
#define SEARCH_CANDIDATES 100	/* full-text matches ranked per entity */

/* The columns of en's index: its searchable built-in fields, then pinyin. */
struct layout {
	const struct field *field[MAX_COLUMNS];
	const char *name[MAX_COLUMNS + 1];
	double weight[MAX_COLUMNS + 1];
	size_t n;		/* fields; the pinyin column is name[n] */
};

static void
layout_of_def(const struct entity_def *d, struct layout *l)
{
	l->n = 0;
	for (size_t i = 0; i < d->nfields && l->n < MAX_COLUMNS; i++) {
		const struct field *f = &d->fields[i];
		if (!(f->flags & F_SEARCHABLE))
			continue;
		l->field[l->n] = f;
		l->name[l->n] = f->name;
		l->weight[l->n++] = (f->flags & F_IDENTIFYING) ? 10.0 :
				    (f->flags & F_PERSONAL) ? 5.0 : 2.0;
	}
	l->name[l->n] = PINYIN_COLUMN;
	l->weight[l->n] = 6.0;
}

static void
layout_of(const struct entity *en, struct layout *l)
{
	layout_of_def(en->def, l);
}

bool
search_enabled(const struct entity *en)
{
	return en->search_insert_sql != NULL;
}

static void
table_name_def(const struct entity_def *d, char *out, size_t n)
{
	snprintf(out, n, "%s_search", d->name);
}

static void
table_name(const struct entity *en, char *out, size_t n)
{
	table_name_def(en->def, out, n);
}

void
search_write_sql(const struct entity_def *d, char **insert, char **delete)
{
	struct layout l;
	char table[160];
	struct buf sql;

	*insert = *delete = NULL;
	layout_of_def(d, &l);
	if (l.n == 0)
		return;
	table_name_def(d, table, sizeof(table));
	buf_init(&sql, 1 << 14);
	store_sql_search_insert(&sql, table, l.name, l.n + 1);
	*insert = buf_detach(&sql, NULL);
	store_sql_search_delete(&sql, table);
	*delete = buf_detach(&sql, NULL);
}

/* ---- the indexed form of a record ---- */

static const char *
str_member(const json_t *rec, const char *name)
{
	return json_string_value(json_object_get(rec, name));
}

static bool
is_phone(const struct entity *en, const struct field *f, const json_t *rec)
{
	const struct entity_hooks *h = en->def->hooks;

	return f->type == FT_PHONE || (h && h->search_is_phone && h->search_is_phone(en, f, rec));
}

/* Field f of rec as the full-text index holds it; NULL for no value, and
 * for phone numbers, which have an index of their own (see phones_put). */
static char *
column_text(const struct entity *en, const struct field *f, const json_t *rec)
{
	const char *v = str_member(rec, f->name);

	if (!v || is_phone(en, f, rec))
		return NULL;
	return text_search_fold(v, strlen(v), NULL);
}

/* ---- phone numbers ----
 *
 * A phone number is kept as its international digits and those digits
 * reversed, indexed: a number typed whole, without its calling code or
 * without its trunk 0 is then a suffix of it, found by a range of the
 * reversed digits (a B-tree seek), however common its digits are. */

static void
reverse(const char *s, char *out, size_t n)
{
	size_t len = strlen(s);

	if (len >= n)
		len = n - 1;
	for (size_t i = 0; i < len; i++)
		out[i] = s[len - 1 - i];
	out[len] = '\0';
}

static enum err_code
phones_drop(struct store_conn *c, const struct entity *en, int64_t id, struct err *e)
{
	struct stmt *st = store_prepare(c, "DELETE FROM search_phones WHERE entity = ? AND record_id = ?", e);

	if (!st)
		return e->code;
	stmt_bind_str(st, 1, en->def->name);
	stmt_bind_int(st, 2, id);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

static enum err_code
phones_put(struct store_conn *c, const struct entity *en, const struct layout *l, int64_t id,
	   const json_t *rec, struct err *e)
{
	for (size_t i = 0; i < l->n; i++) {
		const char *v = str_member(rec, l->name[i]);
		if (!v || !is_phone(en, l->field[i], rec))
			continue;
		char *intl = phone_international(v, str_member(rec, "country")), rev[64];
		if (!intl)
			continue;
		reverse(intl, rev, sizeof(rev));
		struct stmt *st = store_prepare(c, "INSERT INTO search_phones (entity, record_id, field, "
					       "digits, reversed) VALUES (?, ?, ?, ?, ?)", e);
		if (st) {
			stmt_bind_str(st, 1, en->def->name);
			stmt_bind_int(st, 2, id);
			stmt_bind_str(st, 3, l->name[i]);
			stmt_bind_str(st, 4, intl);
			stmt_bind_str(st, 5, rev);
			stmt_step(st, e);
			stmt_finish(st);
		}
		free(intl);
		if (e->code != ERR_OK)
			return e->code;
	}
	return ERR_OK;
}

/* A Latin name run together ("Wang Xiaoming" → "wangxiaoming"), so that
 * it matches the same name typed without spaces, or written in Han
 * characters (whose pinyin is run together too); NULL if it has no space. */
static char *
latin_run_together(const char *v)
{
	if (!strchr(v, ' '))
		return NULL;
	char *f = text_search_fold(v, strlen(v), NULL), *o = f;
	if (!f)
		return NULL;
	for (const char *p = f; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			*o++ = *p;
		else if (*p != ' ' && *p != '-' && *p != '.')
			o = f;	/* not a plain Latin name */
	*o = '\0';
	if (o == f) {
		free(f);
		return NULL;
	}
	return f;
}

/* The pinyin keys of rec's names (identifying fields not personal data),
 * one line each; a Latin name with spaces is there run together. */
static char *
pinyin_text(const struct layout *l, const json_t *rec)
{
	struct buf b;

	buf_init(&b, 1 << 16);
	for (size_t i = 0; i < l->n; i++) {
		const struct field *f = l->field[i];
		const char *v = str_member(rec, f->name);
		if (!v || !(f->flags & F_IDENTIFYING) || (f->flags & F_PERSONAL))
			continue;
		char *p = text_has_cjk(v, strlen(v)) ? text_pinyin(v, strlen(v)) : latin_run_together(v);
		if (p && (b.len == 0 || strstr(b.data, p) == NULL)) {
			if (b.len)
				buf_addc(&b, '\n');
			buf_adds(&b, p);
		}
		free(p);
	}
	if (b.len == 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/* Did a searchable field change between old and rec? */
static bool
search_fields_changed(const struct layout *l, const json_t *rec, const json_t *old)
{
	if (!old || !json_equal(json_object_get(rec, "country"), json_object_get(old, "country")))
		return true;
	for (size_t i = 0; i < l->n; i++)
		if (!json_equal(json_object_get(rec, l->name[i]), json_object_get(old, l->name[i])))
			return true;
	return false;
}

/* A value held whole in another column of the record (a family name in
 * the name, a local name equal to the name) need not be indexed twice;
 * but a value that masked callers may match never leans on one they may
 * not. */
static void
drop_repeats(const struct layout *l, char **text)
{
	for (size_t i = 0; i < l->n; i++) {
		for (size_t j = 0; text[i] && j < l->n; j++) {
			if (j == i || !text[j] || (field_mask_kind(l->field[j]) && !field_mask_kind(l->field[i])))
				continue;
			size_t ni = strlen(text[i]), nj = strlen(text[j]);
			if ((ni < nj || (ni == nj && j < i)) && strstr(text[j], text[i])) {
				free(text[i]);
				text[i] = NULL;
			}
		}
	}
}

/* One row of a search index to write or (no text) to delete, deferred to
 * the end of the transaction (store_defer): FTS5 flushes what it holds
 * at every savepoint, so written with each job a row would cost a segment
 * and its merges; written at the end, a group commit's rows make one. */
struct index_write {
	const struct entity *en;
	int64_t id;
	size_t n;			/* texts to bind; 0: delete the row */
	char *text[MAX_COLUMNS + 1];
};

static void
index_write_free(void *ctx)
{
	struct index_write *w = ctx;

	for (size_t i = 0; i < w->n; i++)
		free(w->text[i]);
	free(w);
}

static enum err_code
index_write_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct index_write *w = ctx;
	struct stmt *st = store_prepare(c, w->n ? w->en->search_insert_sql : w->en->search_delete_sql, e);

	if (!st)
		return e->code;
	stmt_bind_int(st, 1, w->id);
	for (size_t i = 0; i < w->n; i++)
		stmt_bind_str(st, (int)i + 2, w->text[i]);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

/* The texts of rec's row in l's columns (the last: pinyin). */
static void
row_texts(const struct entity *en, const struct layout *l, const json_t *rec, char **text)
{
	for (size_t i = 0; i < l->n; i++)
		text[i] = column_text(en, l->field[i], rec);
	text[l->n] = pinyin_text(l, rec);
	drop_repeats(l, text);
}

/* Index rec; `now`, or at the end of the transaction (a rebuild writes
 * now: a million deferred rows would wait in memory). */
static enum err_code
put_row(struct store_conn *c, const struct entity *en, const struct layout *l, int64_t id,
	const json_t *rec, bool now, struct err *e)
{
	const struct entity_hooks *h = en->def->hooks;

	if (h && h->search_redundant && h->search_redundant(c, en, rec))
		return ERR_OK;	/* found through another record */
	struct index_write *w = xcalloc(1, sizeof(*w));
	w->en = en;
	w->id = id;
	w->n = l->n + 1;
	row_texts(en, l, rec, w->text);
	if (!now) {
		store_defer(c, index_write_run, w, index_write_free);
	} else {
		enum err_code rc = index_write_run(c, w, e);
		index_write_free(w);
		if (rc != ERR_OK)
			return rc;
	}
	return phones_put(c, en, l, id, rec, e);
}

static enum err_code
drop_row(struct store_conn *c, const struct entity *en, int64_t id, struct err *e)
{
	struct index_write *w = xcalloc(1, sizeof(*w));

	w->en = en;
	w->id = id;
	store_defer(c, index_write_run, w, index_write_free);
	return phones_drop(c, en, id, e);
}

enum err_code
search_put(struct wtx *w, const struct entity *en, int64_t id, const json_t *rec,
	   const json_t *old, struct err *e)
{
	struct layout l;

	if (!search_enabled(en))
		return ERR_OK;
	layout_of(en, &l);
	if (!search_fields_changed(&l, rec, old))
		return ERR_OK;
	if (old && drop_row(w->c, en, id, e) != ERR_OK)
		return e->code;
	return put_row(w->c, en, &l, id, rec, false, e);
}

enum err_code
search_drop(struct wtx *w, const struct entity *en, int64_t id, struct err *e)
{
	return search_enabled(en) ? drop_row(w->c, en, id, e) : ERR_OK;
}

enum err_code
search_purge(struct store_conn *c, struct err *e)
{
	char table[160];

	if (store_run_deferred(c, e) != ERR_OK)
		return e->code;
	for (size_t i = 0; i < registry_count(); i++) {
		const struct entity *en = registry_at(i);
		if (!search_enabled(en))
			continue;
		table_name(en, table, sizeof(table));
		if (store_search_compact(c, table, e) != ERR_OK)
			return e->code;
	}
	return ERR_OK;
}

/* ---- building and rebuilding ---- */

static void
layout_signature(const struct layout *l, char *out, size_t n)
{
	int k = snprintf(out, n, "v%d", SEARCH_FORM_VERSION);

	for (size_t i = 0; i <= l->n && k > 0 && (size_t)k < n; i++)
		k += snprintf(out + k, n - (size_t)k, " %s", l->name[i]);
}

/* Index every live record of en (a new or rebuilt index). */
static enum err_code
index_all(struct store_conn *c, const struct entity *en, const struct layout *l, struct err *e)
{
	const struct entity_def *d = en->def;
	struct buf sql;

	buf_init(&sql, 1 << 16);
	buf_adds(&sql, "SELECT id");
	for (size_t i = 0; i < d->nfields; i++)
		buf_printf(&sql, ", %s", d->fields[i].name);
	buf_printf(&sql, " FROM %s WHERE deleted_at IS NULL", d->name);
	struct stmt *st = store_prepare(c, sql.data, e);
	buf_release(&sql);
	if (!st)
		return e->code;
	int rc;
	long n = 0;
	while ((rc = stmt_step(st, e)) == 1) {
		json_t *rec = json_object();
		for (size_t i = 0; i < d->nfields; i++)
			json_object_set_new(rec, d->fields[i].name,
					    record_column_value(&d->fields[i], st, (int)i + 1));
		enum err_code prc = put_row(c, en, l, stmt_int(st, 0), rec, true, e);
		json_decref(rec);
		if (prc != ERR_OK) {
			rc = -1;
			break;
		}
		n++;
	}
	stmt_finish(st);
	if (n)
		log_info("search: indexed %ld %s", n, d->name);
	return rc < 0 ? e->code : ERR_OK;
}

static enum err_code
sync_entity(struct store_conn *c, const struct entity *en, struct err *e)
{
	struct layout l;
	char table[160], sig[1024];

	layout_of(en, &l);
	table_name(en, table, sizeof(table));
	layout_signature(&l, sig, sizeof(sig));
	bool same;
	if (derived_form_same(c, table, sig, &same, e) != ERR_OK)
		return e->code;
	if (same)
		return ERR_OK;
	char sql[200];
	snprintf(sql, sizeof(sql), "DELETE FROM search_phones WHERE entity = '%s'", en->def->name);
	if (store_search_create(c, table, l.name, l.n + 1, e) != ERR_OK || store_exec(c, sql, e) != ERR_OK ||
	    index_all(c, en, &l, e) != ERR_OK)
		return e->code;
	return derived_form_keep(c, table, sig, e);
}

enum err_code
search_sync(struct store_conn *c, struct err *e)
{
	if (store_exec(c, "CREATE TABLE IF NOT EXISTS search_phones (entity TEXT NOT NULL,"
			  " record_id INTEGER NOT NULL, field TEXT NOT NULL, digits TEXT NOT NULL,"
			  " reversed TEXT NOT NULL);"
			  "CREATE INDEX IF NOT EXISTS search_phones_reversed ON search_phones(reversed);"
			  /* by record alone: an (entity, …) index would tempt the
			   * planner away from the reversed digits */
			  "DROP INDEX IF EXISTS search_phones_record;"
			  "CREATE INDEX IF NOT EXISTS search_phones_by_record ON search_phones(record_id)",
			  e) != ERR_OK)
		return e->code;
	for (size_t i = 0; i < registry_count(); i++) {
		const struct entity *en = registry_at(i);
		if (search_enabled(en) && sync_entity(c, en, e) != ERR_OK)
			return e->code;
	}
	return ERR_OK;
}

enum err_code
search_defer_indexes(struct store_conn *c, struct err *e)
{
	return store_defer_indexes(c, "search_phones", e);
}

/* ---- queries ---- */

static bool
blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Fold one term and its alternatives into q. */
static void
add_term(struct search_query *q, const char *s, size_t n)
{
	size_t k = 0;
	char *folded = text_search_fold(s, n, NULL);

	if (!folded || !*folded) {
		free(folded);
		return;
	}
	char **alt = q->term[q->nterms++];
	alt[k++] = folded;
	char *plain = xmalloc(n + 1), *trunk = NULL;
	memcpy(plain, s, n);
	plain[n] = '\0';
	char *digits = phone_query_digits(plain, &trunk);
	free(plain);
	if (digits && strcmp(digits, folded) != 0)
		alt[k++] = digits;
	else
		free(digits);
	if (trunk)
		alt[k++] = trunk;
}

/* "wang xiaoming" → "wangxiaoming": names in pinyin are typed either way. */
static char *
joined_terms(const struct search_query *q)
{
	struct buf b;

	if (q->nterms < 2)
		return NULL;
	buf_init(&b, SEARCH_Q_MAX + 1);
	for (size_t i = 0; i < q->nterms; i++)
		for (const char *p = q->term[i][0]; *p; p++) {
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))) {
				buf_release(&b);
				return NULL;
			}
			buf_addc(&b, *p);
		}
	return buf_detach(&b, NULL);
}

enum err_code
search_query_parse(const char *text, struct search_query *q, struct err *e)
{
	memset(q, 0, sizeof(*q));
	if (strlen(text) > SEARCH_Q_MAX)
		return err_set(e, ERR_BADREQ, "q is too long (at most %d bytes)", SEARCH_Q_MAX);
	if (!utf8_valid(text, strlen(text)))
		return err_set(e, ERR_BADREQ, "q is not valid UTF-8");
	char *trunk = NULL, *digits = phone_query_digits(text, &trunk);
	if (digits) {	/* "+86 138-0013-8000" is one number, not three terms */
		q->term[0][0] = digits;
		q->term[0][1] = trunk;
		q->nterms = 1;
		/* 00 852 …: the international prefix is not part of the number */
		q->phone[0] = xstrdup(strncmp(digits, "00", 2) == 0 ? digits + 2 : digits);
		q->phone[1] = trunk ? xstrdup(trunk) : NULL;
		for (size_t k = 0; k < SEARCH_MAX_ALTS && q->phone[k]; k++) {
			reverse(q->phone[k], q->phone_lo[k], sizeof(q->phone_lo[k]));
			snprintf(q->phone_hi[k], sizeof(q->phone_hi[k]), "%s:", q->phone_lo[k]);	/* ':' follows '9' */
		}
	} else {
		for (const char *p = text; *p && q->nterms < SEARCH_MAX_TERMS;) {
			while (blank(*p))
				p++;
			const char *start = p;
			while (*p && !blank(*p))
				p++;
			if (p > start)
				add_term(q, start, (size_t)(p - start));
		}
	}
	if (q->nterms == 0)
		return err_set(e, ERR_BADREQ, "q is empty: give a name, number or any part of one");
	q->joined = joined_terms(q);
	return ERR_OK;
}

void
search_query_release(struct search_query *q)
{
	for (size_t i = 0; i < q->nterms; i++)
		for (size_t k = 0; k < SEARCH_MAX_ALTS; k++)
			free(q->term[i][k]);
	free(q->joined);
	for (size_t k = 0; k < SEARCH_MAX_ALTS; k++)
		free(q->phone[k]);
	free(q->expr[0]);
	free(q->expr[1]);
	memset(q, 0, sizeof(*q));
}

/* The match expression for en (cached in q per masking). */
static const char *
match_expr(const struct entity *en, const struct search_query *cq, bool masked)
{
	struct search_query *q = (struct search_query *)cq;
	struct layout l;
	const char *cols[MAX_COLUMNS + 1];
	size_t ncols = 0;

	layout_of(en, &l);
	for (size_t i = 0; i <= l.n; i++)
		if (i == l.n || !masked || !field_mask_kind(l.field[i]))
			cols[ncols++] = l.name[i];
	struct buf b;
	buf_init(&b, 1 << 16);
	store_search_expr(&b, cols, ncols, (const char *const *)&q->term[0][0], SEARCH_MAX_ALTS,
			  q->nterms, q->joined);
	free(q->expr[masked]);
	q->expr[masked] = buf_detach(&b, NULL);
	return q->expr[masked];
}

void
search_list_sql(struct buf *sql, const struct entity *en, const struct search_query *q,
		bool masked, const char **bind, size_t *nbind)
{
	char table[160];

	*nbind = 0;
	table_name(en, table, sizeof(table));
	if (!search_enabled(en)) {
		buf_adds(sql, " AND 0");
		return;
	}
	buf_adds(sql, " AND (id IN (");
	store_sql_search_match(sql, table, NULL, 0);
	buf_addc(sql, ')');
	bind[(*nbind)++] = match_expr(en, q, masked);
	for (size_t k = 0; !masked && k < SEARCH_MAX_ALTS && q->phone[k]; k++) {
		buf_printf(sql, " OR id IN (SELECT record_id FROM search_phones WHERE entity = '%s' "
			   "AND reversed >= ? AND reversed < ?)", en->def->name);
		bind[(*nbind)++] = q->phone_lo[k];
		bind[(*nbind)++] = q->phone_hi[k];
	}
	buf_addc(sql, ')');
}

/* The field that matched: the first column holding the first term (in
 * any of its forms); the pinyin column stands for the record's names. */
static const char *
matched_field(const struct layout *l, struct stmt *st, int first_col, const struct search_query *q,
	      bool masked)
{
	for (size_t i = 0; i <= l->n; i++) {
		if (i < l->n && masked && field_mask_kind(l->field[i]))
			continue;
		const char *v = stmt_text(st, first_col + (int)i);
		if (!v)
			continue;
		for (size_t k = 0; k < SEARCH_MAX_ALTS && q->term[0][k]; k++)
			if (strstr(v, q->term[0][k]))
				return i < l->n ? l->name[i] : "pinyin";
		if (q->joined && strstr(v, q->joined))
			return i < l->n ? l->name[i] : "pinyin";
	}
	return NULL;
}

/* Was record id of en found already (by its phone)? */
static bool
have_hit(const json_t *out, const struct entity *en, int64_t id)
{
	size_t i;
	json_t *h;

	json_array_foreach(out, i, h)
		if (json_integer_value(json_object_get(h, "id")) == id &&
		    strcmp(json_string_value(json_object_get(h, "entity")), en->def->name) == 0)
			return true;
	return false;
}

/* Append the hit on record id (its JSON text, len bytes) to out. */
static void
add_hit(json_t *out, const struct entity *en, int64_t id, const char *text, size_t len,
	double score, const char *field)
{
	json_t *rec = json_loadb(text, len, 0, NULL);

	json_array_append_new(out, json_pack("{s:s,s:I,s:f,s:s?,s:o}", "entity", en->def->name,
					     "id", (json_int_t)id, "score", score,
					     "matched_field", field, "record", rec ? rec : json_null()));
}

/* Records of en with a phone number the query's digits end (a number
 * written in full matches itself): the best kind of hit a phone-like
 * query can have. Personal data, so not for masked callers. */
static enum err_code
phone_hits(struct store_conn *c, const struct entity *en, const struct search_query *q,
	   const struct access *acc, int limit, json_t *out, struct err *e)
{
	struct buf sql;
	size_t n = 0;

	if (!q->phone[0] || (acc && acc->masked))
		return ERR_OK;
	buf_init(&sql, 1 << 16);
	buf_adds(&sql, "SELECT ");
	record_json_columns_sql(&sql, en, NULL, false);
	buf_printf(&sql, ", p.field, p.digits FROM search_phones AS p JOIN %s ON %s.id = p.record_id "
		   "WHERE p.entity = '%s' AND (", en->def->name, en->def->name, en->def->name);
	for (; n < SEARCH_MAX_ALTS && q->phone[n]; n++)
		buf_printf(&sql, "%s(p.reversed >= ? AND p.reversed < ?)", n ? " OR " : "");
	buf_adds(&sql, ") AND deleted_at IS NULL");
	access_sql(&sql, en, acc, acc ? acc->read : SCOPE_ALL, SHARES_READ);
	buf_printf(&sql, " LIMIT %d", limit);
	struct stmt *st = store_prepare(c, sql.data, e);
	buf_release(&sql);
	if (!st)
		return e->code;
	for (size_t i = 0; i < n; i++) {
		stmt_bind_str(st, (int)(2 * i + 1), q->phone_lo[i]);
		stmt_bind_str(st, (int)(2 * i + 2), q->phone_hi[i]);
	}
	access_bind(st, acc);
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		if (have_hit(out, en, stmt_int(st, RECORD_JSON_COLUMNS - 1)))
			continue;
		/* the whole number typed: before a number that merely ends so */
		double score = strcmp(stmt_text(st, RECORD_JSON_COLUMNS + 1), q->phone[0]) == 0 ? 1000.0 : 500.0;
		struct buf text;
		buf_init(&text, RECORD_JSON_MAX);
		if (record_row_append(c, en, st, 0, &text, e) != ERR_OK) {
			buf_release(&text);
			rc = -1;
			break;
		}
		add_hit(out, en, stmt_int(st, RECORD_JSON_COLUMNS - 1), text.data, text.len, score,
			stmt_text(st, RECORD_JSON_COLUMNS));
		buf_release(&text);
	}
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

/* How well alt matches text v (a column, one value a line): the whole of
 * a value 4, the start of one 2, elsewhere 1, absent 0. */
static int
match_quality(const char *v, const char *alt)
{
	size_t n = strlen(alt);
	int best = 0;

	for (const char *p = strstr(v, alt); p; p = strstr(p + 1, alt)) {
		bool start = p == v || p[-1] == '\n';
		bool end = p[n] == '\0' || p[n] == '\n' || p[n] == ' ';
		int q = start && end ? 4 : start ? 2 : 1;
		if (q > best)
			best = q;
	}
	return best;
}

/* A hit's score: for each term, its best match over the columns, weighed
 * by the column (names above e-mail and phones above the rest). Ranking
 * needs no statistics of the whole index, so it costs the candidates only. */
static double
hit_score(const struct layout *l, struct stmt *st, int first_col, const struct search_query *q,
	  bool masked)
{
	double score = 0;

	for (size_t t = 0; t < q->nterms; t++) {
		double best = 0;
		for (size_t i = 0; i <= l->n; i++) {
			const char *v = stmt_text(st, first_col + (int)i);
			if (!v || (i < l->n && masked && field_mask_kind(l->field[i])))
				continue;
			for (size_t k = 0; k < SEARCH_MAX_ALTS && q->term[t][k]; k++) {
				double s = l->weight[i] * match_quality(v, q->term[t][k]);
				if (s > best)
					best = s;
			}
			if (q->joined && i == l->n && l->weight[i] * match_quality(v, q->joined) > best)
				best = l->weight[i] * match_quality(v, q->joined);
		}
		score += best;
	}
	return score;
}

/* A candidate before it is rendered. */
struct candidate {
	int64_t id;
	double score;
	const char *field;	/* static: a field name or "pinyin" */
};

static int
by_candidate_score(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->score != y->score)
		return (x->score < y->score) - (x->score > y->score);
	return (x->id < y->id) - (x->id > y->id);	/* then the newer */
}

/* The newest SEARCH_CANDIDATES full-text matches the caller may see, each
 * scored; *n of them in cands. */
static enum err_code
text_candidates(struct store_conn *c, const struct entity *en, const struct layout *l,
		const struct search_query *q, const struct access *acc, struct candidate *cands,
		size_t *n, struct err *e)
{
	char table[160];
	struct buf sql;
	bool masked = acc && acc->masked;

	*n = 0;
	table_name(en, table, sizeof(table));
	buf_init(&sql, 1 << 16);
	buf_adds(&sql, "SELECT m.search_id");
	for (size_t i = 0; i <= l->n; i++)
		buf_printf(&sql, ", m.search_c%zu", i);
	buf_adds(&sql, " FROM (");
	store_sql_search_match(&sql, table, l->name, l->n + 1);
	/* CROSS JOIN keeps the matches the outer loop, read as they come,
	 * newest first, until enough are visible */
	buf_printf(&sql, ") AS m CROSS JOIN %s ON %s.id = m.search_id WHERE deleted_at IS NULL",
		   en->def->name, en->def->name);
	access_sql(&sql, en, acc, acc ? acc->read : SCOPE_ALL, SHARES_READ);
	buf_printf(&sql, " LIMIT %d", SEARCH_CANDIDATES);
	const char *expr = match_expr(en, q, masked);
	struct stmt *st = store_prepare(c, sql.data, e);
	buf_release(&sql);
	if (!st)
		return e->code;
	stmt_bind_str(st, 1, expr);
	access_bind(st, acc);
	int rc;
	while ((rc = stmt_step(st, e)) == 1 && *n < SEARCH_CANDIDATES)
		cands[(*n)++] = (struct candidate){
			.id = stmt_int(st, 0), .score = hit_score(l, st, 1, q, masked),
			.field = matched_field(l, st, 1, q, masked),
		};
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

/* Full-text hits: the candidates scored (hit_score), the best rendered.
 * A common word (Smith, 王) costs no more than a rare one. */
static enum err_code
text_hits(struct store_conn *c, const struct entity *en, const struct search_query *q,
	  const struct access *acc, int limit, json_t *out, struct err *e)
{
	struct layout l;
	struct candidate *cands = xcalloc(SEARCH_CANDIDATES, sizeof(*cands));
	size_t n;

	layout_of(en, &l);
	if (text_candidates(c, en, &l, q, acc, cands, &n, e) != ERR_OK) {
		free(cands);
		return e->code;
	}
	qsort(cands, n, sizeof(*cands), by_candidate_score);
	for (size_t i = 0, added = 0; i < n && added < (size_t)limit; i++) {
		char *text;
		size_t len;
		if (have_hit(out, en, cands[i].id))
			continue;
		if (record_get_text(c, en, cands[i].id, false, acc, &text, &len, e) != ERR_OK) {
			err_clear(e);	/* gone meanwhile */
			continue;
		}
		add_hit(out, en, cands[i].id, text, len, cands[i].score, cands[i].field);
		free(text);
		added++;
	}
	free(cands);
	return ERR_OK;
}

enum err_code
search_entity(struct store_conn *c, const struct entity *en, const struct search_query *q,
	      const struct access *acc, int limit, json_t *out, struct err *e)
{
	size_t before = json_array_size(out);

	if (!search_enabled(en))
		return ERR_OK;
	/* a write job reading its own writes (duplicates in an import) */
	if (store_run_deferred(c, e) != ERR_OK)
		return e->code;
	if (phone_hits(c, en, q, acc, limit, out, e) != ERR_OK)
		return e->code;
	/* a number found as a phone: its digits elsewhere (in e-mail
	 * addresses, card numbers) would only add noise, at a cost */
	if (json_array_size(out) > before)
		return ERR_OK;
	return text_hits(c, en, q, acc, limit, out, e);
}

enum err_code
search_entity_phones(struct store_conn *c, const struct entity *en, const struct search_query *q,
		     const struct access *acc, int limit, json_t *out, struct err *e)
{
	return search_enabled(en) ? phone_hits(c, en, q, acc, limit, out, e) : ERR_OK;
}
