/* SPDX-License-Identifier: MIT */
/* Rows for an import: a CSV file whose header names the fields (by name,
 * label, another name in column_names.c, or the caller's map), or vCards.
 * Each row comes out as the values the engine takes, plus identifier
 * columns and the business key; a cell that cannot be read (a byte not
 * valid in the file's encoding) makes the row an error, not the file. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "domain/identifiers.h"
#include "domain/import.h"
#include "io/vcard.h"
#include "schema/schema.h"
#include "util/mem.h"
#include "util/utf8.h"

enum col_kind { COL_IGNORE, COL_FIELD, COL_IDENT, COL_ID };

struct column {
	enum col_kind kind;
	const struct field *f;	/* COL_FIELD */
	const char *target;	/* field name, identifier kind or "id" */
};

struct row_source {
	const struct import_options *o;
	struct decoder *dec;
	struct csv_reader csv;	/* CSV */
	struct vcard_reader *vr;	/* vCard */
	struct column cols[CSV_MAX_FIELDS];
	size_t ncols;
};

static const char *const read_only[] = { "created_at", "updated_at", "version", "deleted_at" };

/* The identifier kind named name (a static string), for customers. */
static const char *
ident_kind(const struct entity *en, const char *name)
{
	if (strcmp(en->def->name, customers_entity.name) != 0)
		return NULL;
	return identifier_kind(name);
}

/* Header text trimmed and with ASCII lower-cased, in out. */
static void
header_key(const char *h, char *out, size_t n)
{
	while (*h == ' ' || *h == '\t')
		h++;
	size_t len = strlen(h);
	while (len && (h[len - 1] == ' ' || h[len - 1] == '\t'))
		len--;
	if (len >= n)
		len = n - 1;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)h[i]);
	out[len] = '\0';
}

/* What a target name is for en (c->target is never the caller's
 * string: it lives as long as the registry). */
static bool
classify(const struct entity *en, const char *target, struct column *c)
{
	const struct field *f;

	if (strcmp(target, "id") == 0) {
		c->kind = COL_ID;
		c->target = "id";
	} else if ((f = entity_field(en, target)) && !(f->flags & F_INTERNAL)) {
		c->kind = COL_FIELD;
		c->f = f;
		c->target = f->name;
	} else if ((c->target = ident_kind(en, target))) {
		c->kind = COL_IDENT;
	} else {
		return false;
	}
	return true;
}

/* A field whose English label is key (lower-cased). */
static const char *
by_label(const struct entity *en, const char *key)
{
	size_t i = 0;
	const struct field *f;
	char lab[128];

	while ((f = entity_field_at(en, &i))) {
		if (!f->label)
			continue;
		header_key(f->label, lab, sizeof(lab));
		if (strcmp(lab, key) == 0)
			return f->name;
	}
	return NULL;
}

const char *
import_column_target(const struct entity *en, const char *name)
{
	struct column c;

	return classify(en, name, &c) ? c.target : NULL;
}

/* A column an export writes and an import leaves out (key lower-cased). */
static bool
read_only_column(const char *key)
{
	for (size_t i = 0; i < COUNT_OF(read_only); i++)
		if (strcmp(key, read_only[i]) == 0)
			return true;
	return false;
}

const char *
import_column_suggest(const struct entity *en, const char *header)
{
	char key[256];
	const char *t;

	header_key(header, key, sizeof(key));
	if (read_only_column(key))
		return NULL;
	if ((t = import_column_target(en, key)))
		return t;
	if ((t = by_label(en, key)) && (t = import_column_target(en, t)))
		return t;
	return (t = column_name_target(key)) ? import_column_target(en, t) : NULL;
}

/* Map one header cell; false (with a note in unknown) if it names nothing. */
static bool
map_header(struct row_source *rs, const char *h, struct column *c, struct buf *unknown)
{
	const struct entity *en = rs->o->en;
	json_t *m = rs->o->map ? json_object_get(rs->o->map, h) : NULL;
	char key[256];

	if (m) {
		const char *t = json_string_value(m);
		if (json_is_null(m) || (t && (!*t || strcmp(t, "-") == 0))) {
			c->kind = COL_IGNORE;
			return true;
		}
		if (t && classify(en, t, c))
			return true;
		buf_printf(unknown, "%s'%s' (mapped to %s, which is not a field of %s)",
			   unknown->len ? ", " : "", h, t ? t : "a non-string", en->def->name);
		return false;
	}
	header_key(h, key, sizeof(key));
	if (read_only_column(key)) {
		c->kind = COL_IGNORE;
		return true;
	}
	const char *t = import_column_suggest(en, h);
	if (t && classify(en, t, c))
		return true;
	buf_printf(unknown, "%s'%s'", unknown->len ? ", " : "", h);
	return false;
}

static bool
has_target(const struct row_source *rs, const char *t)
{
	for (size_t i = 0; i < rs->ncols; i++)
		if (rs->cols[i].kind != COL_IGNORE && strcmp(rs->cols[i].target, t) == 0)
			return true;
	return false;
}

/* The key must be a column of the file. */
static enum err_code
check_key(const struct row_source *rs, struct err *e)
{
	const char *k = rs->o->key;

	if (!k)
		return ERR_OK;
	if (strcmp(k, "phone") == 0 ? has_target(rs, "phone") || has_target(rs, "mobile") :
	    has_target(rs, k))
		return ERR_OK;
	return err_set(e, ERR_INVALID, "the business key %s is in no column of the file", k);
}

static enum err_code
map_columns(struct row_source *rs, struct buf *header, struct err *e)
{
	struct buf unknown;
	enum err_code rc = ERR_OK;

	buf_init(&unknown, 4096);
	rs->ncols = rs->csv.nfields;
	for (size_t i = 0; i < rs->ncols; i++) {
		const char *h = csv_field(&rs->csv, i, NULL);
		if (i == 0 && strncmp(h, "\xEF\xBB\xBF", 3) == 0)
			h += 3;	/* a second BOM, from a careless editor */
		if (i)
			buf_addc(header, ',');
		csv_cell(header, h, strlen(h));
		if (!map_header(rs, h, &rs->cols[i], &unknown))
			continue;
		for (size_t k = 0; k < i; k++)
			if (rs->cols[i].kind != COL_IGNORE && rs->cols[k].kind != COL_IGNORE &&
			    strcmp(rs->cols[k].target, rs->cols[i].target) == 0)
				err_field(e, rs->cols[i].target, "columns %zu and %zu both map to it",
					  k + 1, i + 1);
	}
	if (unknown.len)
		rc = err_set(e, ERR_INVALID, "unknown columns: %s (map them with a mapping file, "
			     "or to null to leave them out)", unknown.data);
	else if (e->fields)
		rc = err_set(e, ERR_INVALID, "the columns cannot be mapped");
	buf_release(&unknown);
	return rc == ERR_OK ? check_key(rs, e) : rc;
}

enum err_code
row_source_start(struct row_source **out, const struct import_options *o, csv_read_fn *src,
		 void *src_ctx, struct err *e)
{
	struct row_source *rs = xcalloc(1, sizeof(*rs));
	enum err_code rc = ERR_OK;

	rs->o = o;
	rs->dec = decoder_new(o->format == IMPORT_VCARD ? ENC_UTF8 : o->encoding, src, src_ctx);
	*out = rs;
	if (o->format == IMPORT_VCARD) {
		rs->vr = vcard_reader_new(decoder_read, rs->dec);
		return ERR_OK;
	}
	csv_reader_init(&rs->csv, decoder_read, rs->dec);
	enum csv_result r = csv_next(&rs->csv);
	if (r == CSV_END)
		rc = err_set(e, ERR_INVALID, "the file is empty: a header row naming the columns is needed");
	else if (r == CSV_BAD)
		rc = err_set(e, ERR_INVALID, "line %ld: the header row is malformed: %s",
			     rs->csv.row_line, rs->csv.msg);
	else if (r == CSV_IOERR)
		rc = err_set(e, ERR_INVALID, "the file cannot be read (or converted from %s)",
			     encoding_name(decoder_encoding(rs->dec)));
	return rc;
}

json_t *
row_source_header(const struct row_source *rs)
{
	json_t *cells = json_array();

	for (size_t i = 0; !rs->vr && i < rs->csv.nfields; i++) {
		const char *h = csv_field(&rs->csv, i, NULL);
		json_array_append_new(cells, json_string(i == 0 && !strncmp(h, "\xEF\xBB\xBF", 3) ? h + 3 : h));
	}
	return cells;
}

const char *
row_source_encoding(const struct row_source *rs)
{
	return encoding_name(decoder_encoding(rs->dec));
}

enum err_code
row_source_map(struct row_source *rs, struct buf *header, struct err *e)
{
	return rs->vr ? ERR_OK : map_columns(rs, header, e);
}

enum err_code
row_source_open(struct row_source **out, const struct import_options *o, csv_read_fn *src,
		void *src_ctx, struct buf *header, struct err *e)
{
	if (row_source_start(out, o, src, src_ctx, e) != ERR_OK)
		return e->code;
	return row_source_map(*out, header, e);
}

void
row_source_free(struct row_source *rs)
{
	if (!rs)
		return;
	if (rs->vr)
		vcard_reader_free(rs->vr);
	else
		csv_reader_release(&rs->csv);
	decoder_free(rs->dec);
	free(rs);
}

void
import_row_release(struct import_row *r)
{
	json_decref(r->values);
	json_decref(r->idents);
	free(r->raw);
	free(r->key);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

static void
row_error(struct import_row *row, const char *fmt, const char *a, const char *b)
{
	if (row->error)
		return;
	size_t n = strlen(fmt) + strlen(a) + strlen(b) + 1;
	row->error = xmalloc(n);
	snprintf(row->error, n, fmt, a, b);
}

/* A cell as the field's JSON value; NULL for an empty cell. */
static json_t *
cell_value(const struct field *f, const char *s)
{
	static const char *const yes[] = { "true", "yes", "y", "1", "是", "對", "对", NULL };
	static const char *const no[] = { "false", "no", "n", "0", "否", "不", NULL };
	char *end;

	if (!*s)
		return NULL;
	switch (f->type) {
	case FT_INTEGER:
	case FT_REF: {
		long long v = strtoll(s, &end, 10);
		return *end ? json_string(s) : json_integer(v);
	}
	case FT_NUMBER: {
		double v = strtod(s, &end);
		return *end ? json_string(s) : json_real(v);
	}
	case FT_BOOLEAN:
		for (size_t i = 0; yes[i]; i++)
			if (strcasecmp(s, yes[i]) == 0)
				return json_true();
		for (size_t i = 0; no[i]; i++)
			if (strcasecmp(s, no[i]) == 0)
				return json_false();
		return json_string(s);
	case FT_TAGS: {
		json_t *a = json_array();
		char *copy = xstrdup(s), *save = NULL;
		for (char *t = strtok_r(copy, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
			while (*t == ' ')
				t++;
			size_t n = strlen(t);
			while (n && t[n - 1] == ' ')
				t[--n] = '\0';
			if (n)
				json_array_append_new(a, json_string(t));
		}
		free(copy);
		return a;
	}
	default:
		return json_string(s);
	}
}

/* Is s text the decoder produced cleanly? Bytes a legacy encoding cannot
 * read come out as U+FFFD, SUB (U+001A) or, in ICU's Big5, private-use
 * characters (U+E000-U+F8FF, also the user-defined characters no font
 * shows): all of them reject the row. */
static bool
cell_readable(const char *s, size_t n, enum text_encoding enc)
{
	if (enc == ENC_UTF8)
		return utf8_valid(s, n);
	for (size_t i = 0; i < n;) {
		unsigned cp;
		i += utf8_decode(s + i, &cp);
		if (cp == 0xFFFD || cp == 0x1A || (cp >= 0xE000 && cp <= 0xF8FF))
			return false;
	}
	return true;
}

/* The business key's value from the row (after its cells are read). */
static void
row_key(const struct import_options *o, struct import_row *row)
{
	const char *k = o->key, *v = NULL;
	char id[24];

	if (!k)
		return;
	if (strcmp(k, "id") == 0) {
		snprintf(id, sizeof(id), "%lld", (long long)row->id);
		v = row->id ? id : NULL;
	} else if (strcmp(k, "email") == 0) {
		v = json_string_value(json_object_get(row->values, "email"));
	} else if (strcmp(k, "phone") == 0) {
		v = json_string_value(json_object_get(row->values, "phone"));
		if (!v)
			v = json_string_value(json_object_get(row->values, "mobile"));
	} else {
		v = json_string_value(json_object_get(row->idents, k));
	}
	row->key = v ? xstrdup(v) : NULL;
}

static void
csv_row(struct row_source *rs, struct import_row *row)
{
	struct csv_reader *c = &rs->csv;
	enum text_encoding enc = decoder_encoding(rs->dec);
	struct buf raw;

	buf_init(&raw, CSV_MAX_ROW * 2);
	for (size_t i = 0; i < c->nfields; i++) {
		size_t n;
		const char *s = csv_field(c, i, &n);
		char num[24];
		if (i)
			buf_addc(&raw, ',');
		csv_cell(&raw, s, n);
		snprintf(num, sizeof(num), "%zu", i + 1);
		bool ok = cell_readable(s, n, enc);
		if (!ok)
			row_error(row, "column %s: bytes that are not valid %s text", num, encoding_name(enc));
		if (i >= rs->ncols) {
			if (*s)
				row_error(row, "column %s: %s", num, "more cells than the header has columns");
			continue;
		}
		const struct column *col = &rs->cols[i];
		char *end;
		if (!ok || !*s || col->kind == COL_IGNORE)
			continue;
		if (col->kind == COL_ID) {
			long long id = strtoll(s, &end, 10);
			if (*end || id <= 0)
				row_error(row, "id: '%s' is not a record id%s", s, "");
			else
				row->id = id;
		} else if (col->kind == COL_IDENT) {
			json_object_set_new(row->idents, col->target, json_string(s));
		} else {
			json_object_set_new(row->values, col->target, cell_value(col->f, s));
		}
	}
	row->raw = buf_detach(&raw, NULL);
}

static int
next_csv(struct row_source *rs, struct import_row *row, struct err *e)
{
	enum csv_result r = csv_next(&rs->csv);

	if (r == CSV_END)
		return 0;
	if (r == CSV_IOERR)
		return err_set(e, ERR_INVALID, "the file cannot be read on after line %ld", rs->csv.line);
	row->line = rs->csv.row_line;
	if (r == CSV_BAD) {
		row_error(row, "%s%s", "malformed CSV: ", rs->csv.msg);
		row->raw = xstrdup("");
		return 1;
	}
	csv_row(rs, row);
	return 1;
}

static int
next_vcard(struct row_source *rs, struct import_row *row, struct err *e)
{
	char msg[160], *raw;
	json_t *rec;
	int r = vcard_next(rs->vr, &rec, &row->line, &raw, msg, sizeof(msg));

	if (r == 0)
		return 0;
	if (r == -2)
		return err_set(e, ERR_INVALID, "the file cannot be read");
	row->raw = raw ? raw : xstrdup("");
	if (r < 0) {
		row_error(row, "%s%s", "malformed vCard: ", msg);
		return 1;
	}
	const char *k;
	json_t *v, *tmp;
	json_object_foreach_safe(rec, tmp, k, v)
		if (entity_field(rs->o->en, k))
			json_object_set(row->values, k, v);
	json_decref(rec);
	return 1;
}

int
row_source_next(struct row_source *rs, struct import_row *row, struct err *e)
{
	memset(row, 0, sizeof(*row));
	row->values = json_object();
	row->idents = json_object();
	int r = rs->vr ? next_vcard(rs, row, e) : next_csv(rs, row, e);
	if (r == 1)
		row_key(rs->o, row);
	return r < 0 ? e->code : r;
}
