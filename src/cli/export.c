/* SPDX-License-Identifier: MIT */
/* guanxi export: every live record of an entity as CSV (RFC 4180), UTF-8
 * with a byte-order mark so Excel reads Chinese correctly. Columns are the
 * entity's fields, built-in then custom, as the API names them; pages come
 * from the engine's own list query, so an export shows what the API shows. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "engine/query.h"
#include "util/buf.h"

#define PAGE "500"

static const char *const tail[] = { "created_at", "updated_at", "version" };

/* One CSV cell; quoted when it holds a comma, quote, CR or LF. */
static void
cell(FILE *f, const char *s, size_t n)
{
	if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n)) {
		fwrite(s, 1, n, f);
		return;
	}
	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			fputc('"', f);
		fputc(s[i], f);
	}
	fputc('"', f);
}

/* A value as a cell: text as it is, tags joined with "; ", null empty. */
static void
value_cell(FILE *f, const json_t *v)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	if (json_is_string(v)) {
		buf_add(&b, json_string_value(v), json_string_length(v));
	} else if (json_is_array(v)) {
		size_t i;
		json_t *t;
		json_array_foreach(v, i, t)
			buf_printf(&b, "%s%s", i ? "; " : "", json_string_value(t) ? json_string_value(t) : "");
	} else if (v && !json_is_null(v)) {
		char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		if (s)
			buf_adds(&b, s);
		free(s);
	}
	cell(f, b.data ? b.data : "", b.len);
	buf_release(&b);
}

static void
header(FILE *f, const struct entity *en)
{
	size_t i = 0;
	const struct field *fd;

	fputs("\xEF\xBB\xBFid", f);
	while ((fd = entity_field_at(en, &i)))
		fprintf(f, ",%s", fd->name);
	for (size_t k = 0; k < COUNT_OF(tail); k++)
		fprintf(f, ",%s", tail[k]);
	fputs("\r\n", f);
}

static void
row(FILE *f, const struct entity *en, const json_t *rec)
{
	size_t i = 0;
	const struct field *fd;

	value_cell(f, json_object_get(rec, "id"));
	while ((fd = entity_field_at(en, &i))) {
		fputc(',', f);
		value_cell(f, json_object_get(rec, fd->name));
	}
	for (size_t k = 0; k < COUNT_OF(tail); k++) {
		fputc(',', f);
		value_cell(f, json_object_get(rec, tail[k]));
	}
	fputs("\r\n", f);
}

/* Write every page; returns the number of records or -1 (e printed). */
static long
export_all(struct store *s, const struct entity *en, FILE *f)
{
	struct err e = { 0 };
	struct store_conn *c = store_reader(s, &e);
	char *cursor = NULL;
	long n = 0;

	header(f, en);
	for (;;) {
		struct list_params p = { .limit = PAGE, .cursor = cursor };
		char *text;
		size_t len;
		if (!c || query_list(c, en, &p, NULL, &text, &len, &e) != ERR_OK) {
			cli_fail("export failed: %s", e.msg);
			err_clear(&e);
			free(cursor);
			return -1;
		}
		json_t *page = json_loadb(text, len, 0, NULL);
		free(text);
		size_t i;
		json_t *rec;
		json_array_foreach(json_object_get(page, "data"), i, rec) {
			row(f, en, rec);
			n++;
		}
		json_t *next = json_object_get(page, "next_cursor");
		free(cursor);
		cursor = json_is_string(next) ? strdup(json_string_value(next)) : NULL;
		json_decref(page);
		if (!cursor)
			return n;
	}
}

int
cmd_export(int argc, char **argv)
{
	const char *data = NULL, *format = "csv", *pos[2];
	struct opt opts[] = { { "data", &data }, { "format", &format }, { 0 } };
	int npos;

	if (cli_parse(argc, argv, opts, pos, 2, &npos) < 0)
		return 1;
	if (npos < 1)
		return cli_fail("usage: guanxi export [--data DIR] ENTITY [--format csv] [FILE]");
	if (strcmp(format, "csv") != 0)
		return cli_fail("--format csv is the only export format so far");
	struct store *s = cli_open(cli_data_dir(data), CLI_DEFAULT);
	if (!s)
		return 1;
	const struct entity *en = registry_find(pos[0]);
	int rc = 1;
	FILE *f = NULL;
	if (!en) {
		cli_fail("no entity '%s' (see GET /api/v1/meta/entities)", pos[0]);
	} else if (!(f = npos == 2 ? fopen(pos[1], "wx") : stdout)) {
		cli_fail("cannot create %s: %m (it must not exist yet)", pos[1]);
	} else {
		long n = export_all(s, en, f);
		if (fflush(f) != 0 || ferror(f))
			n = -1, cli_fail("cannot write %s", npos == 2 ? pos[1] : "standard output");
		if (f != stdout && fclose(f) != 0 && n >= 0)
			n = -1, cli_fail("cannot write %s", pos[1]);
		if (n >= 0) {
			if (npos == 2)
				fprintf(stderr, "exported %ld %s to %s\n", n, en->def->name, pos[1]);
			rc = 0;
		} else if (npos == 2) {
			remove(pos[1]);	/* nothing half-written is left behind */
		}
	}
	cli_close(s);
	return rc;
}
