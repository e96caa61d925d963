/* SPDX-License-Identifier: MIT */
/* Export (see export.h): pages from query_list, one writer per format. */
#include <string.h>
#include "domain/export.h"
#include "engine/query.h"
#include "io/csv.h"
#include "io/vcard.h"
#include "io/xlsx.h"
#include "util/buf.h"
#include "util/mem.h"

#define PAGE "500"

static const char *const tail[] = { "created_at", "updated_at", "version" };

enum err_code
export_options_parse(struct export_options *o, const char *format, const char *encoding,
		     struct err *e)
{
	static const char *const names[] = { [EXPORT_CSV] = "csv", [EXPORT_XLSX] = "xlsx",
					      [EXPORT_VCARD] = "vcard" };
	bool found = !format;

	o->format = EXPORT_CSV;
	for (int i = 0; format && i < 3; i++)
		if (strcmp(format, names[i]) == 0)
			o->format = (enum export_format)i, found = true;
	if (!found)
		return err_set(e, ERR_BADREQ, "format must be csv, xlsx or vcard");
	if (encoding && !encoding_parse(encoding, &o->encoding))
		return err_set(e, ERR_BADREQ, "encoding must be utf-8, gb18030 or big5");
	if (o->format != EXPORT_CSV && o->encoding != ENC_AUTO && o->encoding != ENC_UTF8)
		return err_set(e, ERR_BADREQ, "only CSV is written in %s", encoding_name(o->encoding));
	if (o->format == EXPORT_VCARD && strcmp(o->en->def->name, "customers") &&
	    strcmp(o->en->def->name, "contacts"))
		return err_set(e, ERR_BADREQ, "vCards are made of customers and contacts");
	return ERR_OK;
}

const char *
export_extension(enum export_format f)
{
	return f == EXPORT_XLSX ? "xlsx" : f == EXPORT_VCARD ? "vcf" : "csv";
}

const char *
export_content_type(enum export_format f)
{
	return f == EXPORT_XLSX ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" :
	       f == EXPORT_VCARD ? "text/vcard; charset=utf-8" : "text/csv";
}

/* The columns: id, every field, then the record's times and version; or
 * id and the fields asked for (checked by the list query). */
static json_t *
column_names(const struct export_options *o)
{
	json_t *cols = json_pack("[s]", "id");
	const char *fields = o->list ? o->list->fields : NULL;
	size_t i = 0;
	const struct field *fd;

	if (fields) {
		char *copy = xstrdup(fields), *save = NULL;
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (strcmp(t, "id") != 0)
				json_array_append_new(cols, json_string(t));
		free(copy);
		return cols;
	}
	while ((fd = entity_field_at(o->en, &i)))
		json_array_append_new(cols, json_string(fd->name));
	for (size_t k = 0; k < COUNT_OF(tail); k++)
		json_array_append_new(cols, json_string(tail[k]));
	return cols;
}

struct writer {
	const struct export_options *o;
	FILE *f;
	struct encoder *enc;
	struct xlsx *x;
	json_t *cols;
	struct buf line, out;
	struct store_conn *c;
};

/* A value as CSV text: tags joined with "; ", null empty. */
static void
value_text(struct buf *b, const json_t *v)
{
	if (json_is_string(v)) {
		buf_add(b, json_string_value(v), json_string_length(v));
	} else if (json_is_array(v)) {
		size_t i;
		json_t *t;
		json_array_foreach(v, i, t)
			buf_printf(b, "%s%s", i ? "; " : "", json_string_value(t) ? json_string_value(t) : "");
	} else if (v && !json_is_null(v)) {
		char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		if (s)
			buf_adds(b, s);
		free(s);
	}
}

static enum err_code
csv_line(struct writer *w, const json_t *values, int64_t id, struct err *e)
{
	struct buf cellbuf;
	size_t i;
	json_t *v;

	buf_reset(&w->line);
	buf_reset(&w->out);
	buf_init(&cellbuf, 1 << 20);
	json_array_foreach(values, i, v) {
		buf_reset(&cellbuf);
		value_text(&cellbuf, v);
		if (i)
			buf_addc(&w->line, ',');
		csv_cell(&w->line, cellbuf.data ? cellbuf.data : "", cellbuf.len);
	}
	buf_release(&cellbuf);
	buf_adds(&w->line, "\r\n");
	if (encoder_write(w->enc, w->line.data, w->line.len, &w->out, e) != ERR_OK) {
		char why[sizeof(e->msg)];
		snprintf(why, sizeof(why), "%s", e->msg);
		if (id)
			return err_set(e, ERR_INVALID, "%s %lld: %s", w->o->en->def->singular, (long long)id, why);
		return e->code;
	}
	return fwrite(w->out.data, 1, w->out.len, w->f) == w->out.len ? ERR_OK :
	       err_set(e, ERR_INTERNAL, "cannot write the file: %m");
}

/* The name of a contact's company, for ORG (NULL if none). */
static char *
company_name(struct writer *w, const json_t *rec, struct err *e)
{
	json_t *cid = json_object_get(rec, "customer_id");
	char *name = NULL;

	if (!json_is_integer(cid))
		return NULL;
	struct stmt *st = store_prepare(w->c, "SELECT name FROM customers WHERE id = ?", e);
	if (!st)
		return NULL;
	stmt_bind_int(st, 1, json_integer_value(cid));
	if (stmt_step(st, e) == 1)
		name = xstrdup(stmt_text(st, 0));
	stmt_finish(st);
	return name;
}

static enum err_code
write_record(struct writer *w, const json_t *rec, struct err *e)
{
	if (w->o->format == EXPORT_VCARD) {
		char *org = company_name(w, rec, e);
		buf_reset(&w->out);
		vcard_write(&w->out, rec, org);
		free(org);
		return fwrite(w->out.data, 1, w->out.len, w->f) == w->out.len ? ERR_OK :
		       err_set(e, ERR_INTERNAL, "cannot write the file: %m");
	}
	json_t *values = json_array();
	size_t i;
	json_t *name;
	json_array_foreach(w->cols, i, name) {
		json_t *v = json_object_get(rec, json_string_value(name));
		if (json_is_array(v)) {	/* tags: one cell, as in CSV */
			struct buf t;
			buf_init(&t, 1 << 20);
			value_text(&t, v);
			json_array_append_new(values, json_stringn(t.data ? t.data : "", t.len));
			buf_release(&t);
		} else {
			json_array_append(values, v ? v : json_null());
		}
	}
	enum err_code rc = w->x ? xlsx_row(w->x, values, e) :
			   csv_line(w, values, json_integer_value(json_object_get(rec, "id")), e);
	json_decref(values);
	return rc;
}

static enum err_code
write_header(struct writer *w, const char *path, struct err *e)
{
	const struct export_options *o = w->o;

	if (o->format == EXPORT_VCARD)
		return ERR_OK;
	if (o->format == EXPORT_XLSX) {
		if (!(w->x = xlsx_open(path, o->en->def->label, e)))
			return e->code;
		return xlsx_row(w->x, w->cols, e);
	}
	if (!(w->enc = encoder_new(o->encoding)))
		return err_set(e, ERR_INTERNAL, "cannot convert to %s", encoding_name(o->encoding));
	if ((o->encoding == ENC_AUTO || o->encoding == ENC_UTF8) && !o->no_bom)
		fputs("\xEF\xBB\xBF", w->f);
	return csv_line(w, w->cols, 0, e);
}

static long
count_all(struct store_conn *c, const struct entity *en)
{
	struct err e = { 0 };
	char sql[160];
	long n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE deleted_at IS NULL", en->def->name);
	struct stmt *st = store_prepare(c, sql, &e);
	if (st && stmt_step(st, &e) == 1)
		n = (long)stmt_int(st, 0);
	stmt_finish(st);
	err_clear(&e);
	return n;
}

/* Every page of records through write_record. */
static enum err_code
write_pages(struct writer *w, long *count, export_progress_fn *progress, void *pctx, struct err *e)
{
	char *cursor = NULL;
	long total = progress ? count_all(w->c, w->o->en) : -1;
	enum err_code rc = ERR_OK;

	for (;;) {
		struct list_params p = { 0 };
		if (w->o->list)
			p = *w->o->list;
		p.limit = PAGE;
		p.cursor = cursor;
		p.sort = w->o->sort;
		p.locale = w->o->locale;
		char *text;
		size_t len;
		if ((rc = query_list(w->c, w->o->en, &p, w->o->acc, &text, &len, e)) != ERR_OK)
			break;
		json_t *page = json_loadb(text, len, 0, NULL);
		free(text);
		size_t i;
		json_t *rec;
		json_array_foreach(json_object_get(page, "data"), i, rec) {
			if (rc == ERR_OK && (rc = write_record(w, rec, e)) == ERR_OK)
				(*count)++;
		}
		json_t *next = json_object_get(page, "next_cursor");
		free(cursor);
		cursor = json_is_string(next) && rc == ERR_OK ? xstrdup(json_string_value(next)) : NULL;
		json_decref(page);
		if (progress)
			progress(pctx, *count, total);
		if (!cursor)
			break;
	}
	free(cursor);
	return rc;
}

enum err_code
export_write(struct store_conn *c, const struct export_options *o, FILE *f, const char *path,
	     long *count, export_progress_fn *progress, void *pctx, struct err *e)
{
	struct writer w = { .o = o, .f = f, .c = c, .cols = column_names(o) };
	enum err_code rc;

	*count = 0;
	buf_init(&w.line, 64 << 20);
	buf_init(&w.out, 64 << 20);
	if ((rc = write_header(&w, path, e)) == ERR_OK)
		rc = write_pages(&w, count, progress, pctx, e);
	if (w.x && xlsx_close(w.x, rc == ERR_OK ? e : &(struct err){ 0 }) != ERR_OK && rc == ERR_OK)
		rc = e->code;
	encoder_free(w.enc);
	json_decref(w.cols);
	buf_release(&w.line);
	buf_release(&w.out);
	return rc;
}
