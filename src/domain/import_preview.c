/* SPDX-License-Identifier: MIT */
/* The preview of an import: what the file's columns name, the map the
 * import will use, and what the import would do to its first rows. The
 * rows go through the import's own code (import_try_rows: key matching,
 * duplicates, validation, hooks) inside one writer job that then fails on
 * purpose, so the store rolls it back: the preview reports exactly what
 * the import would, and writes nothing. */
#include <string.h>
#include "domain/import.h"
#include "util/mem.h"

struct preview {
	struct import_run *run;
	struct import_row *rows;
	size_t nrows;
	json_t *outcomes;	/* one per row, from the job */
	bool tried;		/* the job ran its rows (its failure is the rollback) */
};

static enum err_code
try_job(struct store_conn *c, void *ctx, struct err *e)
{
	struct preview *p = ctx;
	struct wtx w;

	wtx_init(&w, c, &p->run->who, p->run->create_acc);
	if (import_try_rows(&w, p->run, p->rows, p->nrows, p->outcomes, e) != ERR_OK)
		return e->code;
	p->tried = true;
	return err_set(e, ERR_CONFLICT, "a preview writes nothing");
}

/* Each column: its header, what it names by itself, where the map sends
 * it; and the map the import is to use, every header in it. */
static json_t *
columns_of(const struct import_options *o, const json_t *cells, json_t *map)
{
	json_t *cols = json_array(), *h;
	size_t i;

	json_array_foreach(cells, i, h) {
		const char *header = json_string_value(h);
		const char *sug = import_column_suggest(o->en, header);
		json_t *given = o->map ? json_object_get(o->map, header) : NULL;
		const char *name = json_string_value(given), *target = sug, *why = NULL;
		if (given) {
			target = NULL;
			if (name && *name && strcmp(name, "-") != 0 && !(target = import_column_target(o->en, name)))
				why = "is not a field";
			else if (!json_is_null(given) && !name)
				why = "must be a field's name or null";
		}
		json_t *c = json_pack("{s:I,s:s,s:s?,s:s?}", "index", (json_int_t)i, "header", header,
				      "suggested", sug, "field", target);
		if (why)
			json_object_set_new(c, "error", json_sprintf("%s %s", name ? name : "the map's value", why));
		json_array_append_new(cols, c);
		/* a bad target stays in the map, so the import names it too */
		json_object_set_new(map, header, why ? json_incref(given) : target ? json_string(target) : json_null());
	}
	return cols;
}

/* The cells of a rejected or previewed row as the file had them. */
static json_t *
cells_of(const char *raw)
{
	struct csv_mem m = { raw, strlen(raw), 0 };
	struct csv_reader csv;
	json_t *out = json_array();

	csv_reader_init(&csv, csv_mem_read, &m);
	if (csv_next(&csv) == CSV_ROW)
		for (size_t i = 0; i < csv.nfields; i++)
			json_array_append_new(out, json_string(csv_field(&csv, i, NULL)));
	csv_reader_release(&csv);
	return out;
}

/* The rows as the client sees them, with what the import would do. */
static json_t *
rows_json(const struct preview *p, bool csv)
{
	json_t *rows = json_array();

	for (size_t i = 0; i < p->nrows; i++) {
		const struct import_row *r = &p->rows[i];
		json_t *o = json_deep_copy(json_array_get(p->outcomes, i));
		json_t *values = json_deep_copy(r->values);
		json_object_update(values, r->idents);
		json_object_set_new(o, "line", json_integer(r->line));
		json_object_set_new(o, "values", values);
		json_object_set_new(o, "cells", csv && r->raw ? cells_of(r->raw) : json_array());
		json_array_append_new(rows, o);
	}
	return rows;
}

/* Map the columns and read up to max rows into p->rows; the reader's
 * failure (columns that cannot be mapped, a file that cannot be read on)
 * in fe. */
static void
read_rows(struct preview *p, struct row_source *rs, size_t max, struct err *fe)
{
	struct buf header;

	buf_init(&header, CSV_MAX_ROW * 2);
	if (row_source_map(rs, &header, fe) == ERR_OK) {
		while (p->nrows < max && row_source_next(rs, &p->rows[p->nrows], fe) == 1)
			p->nrows++;
		import_row_release(&p->rows[p->nrows]);	/* the one not taken */
	}
	buf_release(&header);
}

enum err_code
import_preview(struct import_run *run, const char *file, size_t len, size_t max_rows, json_t **out,
	       struct err *e)
{
	struct import_run tried = *run;
	bool csv = run->o.format == IMPORT_CSV;
	const char *encoding = "UTF-8";
	json_t *cells = NULL, *map = json_object(), *cols = NULL;
	struct preview p = { .run = &tried, .outcomes = json_array() };
	struct csv_mem m = { file, len, 0 };
	struct row_source *rs = NULL;
	struct err fe = { 0 };
	enum err_code rc = ERR_OK;

	*out = NULL;
	p.rows = xcalloc(max_rows + 1, sizeof(*p.rows));
	/* the import's own reader: its header first, then the rows with
	 * every header mapped */
	if ((rc = row_source_start(&rs, &tried.o, csv_mem_read, &m, e)) != ERR_OK)
		goto done;
	if (csv) {
		cells = row_source_header(rs);
		encoding = row_source_encoding(rs);
	}
	cols = csv ? columns_of(&run->o, cells, map) : json_array();
	*out = json_pack("{s:s,s:s,s:O,s:O,s:o}", "entity", run->o.en->def->name, "encoding", encoding,
			 "columns", cols, "map", map,
			 "total", csv ? json_integer(import_count_rows(file, len)) : json_null());
	tried.o.map = map;
	read_rows(&p, rs, max_rows, &fe);
	if (fe.code != ERR_OK) {
		/* the columns as they are cannot be imported: say why, no rows */
		json_object_set_new(*out, "problem", json_pack("{s:s,s:O?}", "message", fe.msg, "fields", fe.fields));
		json_object_set_new(*out, "rows", json_array());
		goto done;
	}
	if (p.nrows && store_write(run->s, try_job, &p, e) != ERR_OK && !p.tried) {
		rc = e->code;
		goto done;
	}
	err_clear(e);
	json_object_set_new(*out, "rows", rows_json(&p, csv));
done:
	for (size_t i = 0; i < p.nrows; i++)
		import_row_release(&p.rows[i]);
	free(p.rows);
	row_source_free(rs);
	err_clear(&fe);
	json_decref(p.outcomes);
	json_decref(cells);
	json_decref(cols);
	json_decref(map);
	if (rc != ERR_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}
