/* SPDX-License-Identifier: MIT */
/* guanxi import: a CSV or vCard file into an entity, through
 * domain/import.c (validated, hooked, audited, in batches), with a progress
 * bar on a terminal; `import revert ID`, `import show ID`. Also the
 * progress bar both import and export draw. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli/cli.h"
#include "domain/import.h"
#include "util/jsonx.h"

static const struct actor cli_actor = { .user_id = 0, .name = "cli", .role = "admin" };

void
cli_progress(const char *what, long done, long total)
{
	char bar[31];
	int fill = total > 0 ? (int)(30 * (done > total ? total : done) / total) : 0;

	memset(bar, '#', (size_t)fill);
	memset(bar + fill, '.', (size_t)(30 - fill));
	bar[30] = '\0';
	if (total > 0)
		fprintf(stderr, "\r[%s] %3ld%%  %ld / %ld %s", bar, done * 100 / total, done, total, what);
	else
		fprintf(stderr, "\r%ld %s", done, what);
	fflush(stderr);
}

void
cli_progress_end(void)
{
	if (isatty(STDERR_FILENO))
		fputc('\n', stderr);
}

/* Progress of an import as bytes of the file read. */
struct file_progress {
	FILE *f;
	long size;
};

static void
import_progress(void *ctx, const struct import_counts *n)
{
	struct file_progress *p = ctx;
	long at = ftell(p->f);
	char what[96];

	snprintf(what, sizeof(what), "KiB (%ld rows, %ld failed)", n->processed, n->failed);
	cli_progress(what, at / 1024, p->size / 1024);
}

static json_t *
load_map(const char *path)
{
	json_error_t je;
	json_t *m = json_load_file(path, JSON_REJECT_DUPLICATES, &je);

	if (!m)
		cli_fail("--map %s: %s (line %d)", path, je.text, je.line);
	else if (!json_is_object(m))
		cli_fail("--map %s must hold a JSON object {\"CSV header\": \"field\" | null}", path);
	else
		return m;
	json_decref(m);
	return NULL;
}

static void
print_errors(struct store *s, int64_t id)
{
	struct err e = { 0 };
	struct store_conn *c = store_reader(s, &e);
	json_t *im = NULL;
	size_t i;
	json_t *er;

	if (c && import_get(c, id, 0, &im, &e) == ERR_OK) {
		json_array_foreach(json_object_get(im, "errors"), i, er) {
			if (i == 20) {
				fprintf(stderr, "... (guanxi import show %lld lists them all)\n", (long long)id);
				break;
			}
			fprintf(stderr, "line %lld: %s\n", (long long)json_integer_value(json_object_get(er, "line")),
				json_string_value(json_object_get(er, "reason")));
		}
	}
	json_decref(im);
	err_clear(&e);
}

static int
run_import(struct store *s, struct import_options *o, const char *path)
{
	struct err e = { 0 };
	struct stat sb;
	FILE *f = fopen(path, "rb");
	int64_t id = 0;
	struct import_counts n = { .total = -1 };
	int rc = 1;

	if (!f || fstat(fileno(f), &sb) != 0) {
		if (f)
			fclose(f);
		return cli_fail("cannot read %s: %m", path);
	}
	struct file_progress fp = { f, (long)sb.st_size };
	struct import_run run = { .s = s, .o = *o, .who = cli_actor, .src = csv_file_read, .src_ctx = f,
				  .progress = isatty(STDERR_FILENO) ? import_progress : NULL,
				  .progress_ctx = &fp };
	if (import_create(s, o, &cli_actor, -1, &id, &e) != ERR_OK) {
		cli_fail("%s", e.msg);
	} else if (import_execute(&run, id, &n, &e) != ERR_OK) {
		if (run.progress)
			cli_progress_end();
		cli_fail("import %lld failed: %s", (long long)id, e.msg);
		const char *k;
		json_t *v;
		json_object_foreach(e.fields, k, v)
			fprintf(stderr, "  %s: %s\n", k, json_string_value(v));
	} else {
		if (run.progress)
			cli_progress_end();
		print_errors(s, id);
		printf("import %lld: %ld rows, %ld created, %ld updated, %ld skipped, %ld failed\n",
		       (long long)id, n.processed, n.created, n.updated, n.skipped, n.failed);
		rc = n.failed ? cli_fail("%ld rows were rejected (the others are in; undo with "
					  "guanxi import revert %lld)", n.failed, (long long)id) : 0;
	}
	fclose(f);
	err_clear(&e);
	return rc;
}

static int
cmd_import_id(const char *verb, const char *data, const char *arg)
{
	char *end;
	long long id = strtoll(arg, &end, 10);
	struct err e = { 0 };
	int rc = 1;

	if (*end || id <= 0)
		return cli_fail("import %s needs an import id", verb);
	struct store *s = cli_open(cli_data_dir(data), CLI_DEFAULT);
	if (!s)
		return 1;
	json_t *im = NULL;
	struct store_conn *c;
	if (strcmp(verb, "revert") == 0) {
		if (import_revert(s, id, &cli_actor, NULL, NULL, &e) == ERR_OK) {
			printf("import %lld reverted\n", id);
			rc = 0;
		}
	} else if ((c = store_reader(s, &e)) && import_get(c, id, 0, &im, &e) == ERR_OK) {
		char *text = json_dumps(im, JSON_INDENT(2));
		printf("%s\n", text ? text : "");
		free(text);
		rc = 0;
	}
	if (rc)
		cli_fail("%s", e.msg);
	json_decref(im);
	err_clear(&e);
	cli_close(s);
	return rc;
}

int
cmd_import(int argc, char **argv)
{
	const char *data = NULL, *format = NULL, *encoding = NULL, *map = NULL, *key = NULL;
	const char *on_match = NULL, *on_missing = NULL, *on_duplicate = NULL, *pos[2];
	struct opt opts[] = { { "data", &data }, { "format", &format }, { "encoding", &encoding },
			      { "map", &map }, { "key", &key }, { "on-match", &on_match },
			      { "on-missing", &on_missing }, { "on-duplicate", &on_duplicate }, { 0 } };
	struct err e = { 0 };
	int npos;

	if (cli_parse(argc, argv, opts, pos, 2, &npos) < 0)
		return 1;
	if (npos == 2 && (strcmp(pos[0], "revert") == 0 || strcmp(pos[0], "show") == 0))
		return cmd_import_id(pos[0], data, pos[1]);
	if (npos < 2)
		return cli_fail("usage: guanxi import [--data DIR] ENTITY FILE [--format csv|vcard] "
				"[--encoding auto|utf-8|gb18030|big5] [--map FILE.json] [--key KIND] "
				"[--on-match skip|update] [--on-missing create|skip] [--on-duplicate create|skip]");
	const char *dot = strrchr(pos[1], '.');
	if (!format && dot && strcmp(dot, ".vcf") == 0)
		format = "vcard";
	struct store *s = cli_open(cli_data_dir(data), CLI_DEFAULT);
	if (!s)
		return 1;
	struct import_options o = { .en = registry_find(pos[0]), .source = pos[1] };
	int rc = 1;
	if (!o.en)
		cli_fail("no entity '%s' (see GET /api/v1/meta/entities)", pos[0]);
	else if (import_options_parse(&o, format, encoding, key, on_match, on_missing, &e) != ERR_OK ||
		 import_duplicates_parse(&o, on_duplicate, &e) != ERR_OK)
		cli_fail("%s", e.msg);
	else if (!map || (o.map = load_map(map)))
		rc = run_import(s, &o, pos[1]);
	json_decref(o.map);
	err_clear(&e);
	cli_close(s);
	return rc;
}
