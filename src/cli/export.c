/* SPDX-License-Identifier: MIT */
/* guanxi export: every live record of an entity as CSV (RFC 4180; UTF-8
 * with a byte-order mark so Excel reads Chinese correctly, or GB18030 /
 * Big5), XLSX or vCard 4.0, through domain/export.c, so an export shows
 * what the API shows. A progress bar on a terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "domain/export.h"

static void
progress(void *ctx, long done, long total)
{
	(void)ctx;
	cli_progress("records", done, total);
}

/* Export to path (or standard output); returns the records or -1. */
static long
export_to(struct store *s, const struct export_options *o, const char *path)
{
	struct err e = { 0 };
	struct store_conn *c = store_reader(s, &e);
	FILE *f = NULL;
	long n = -1;

	if (o->format == EXPORT_XLSX && !path) {
		cli_fail("an XLSX export needs a FILE");
	} else if (path && access(path, F_OK) == 0) {
		cli_fail("%s exists already: exports never overwrite a file", path);
	} else if (o->format != EXPORT_XLSX && !(f = path ? fopen(path, "wx") : stdout)) {
		cli_fail("cannot create %s: %m", path);
	} else if (!c || export_write(c, o, f, path, &n, isatty(STDERR_FILENO) ? progress : NULL,
				      NULL, &e) != ERR_OK) {
		cli_fail("export failed: %s", e.msg);
		n = -1;
	}
	cli_progress_end();
	if (f && (fflush(f) != 0 || ferror(f)) && n >= 0)
		n = -1, cli_fail("cannot write %s", path ? path : "standard output");
	if (f && f != stdout && fclose(f) != 0 && n >= 0)
		n = -1, cli_fail("cannot write %s", path);
	if (n < 0 && path && (f || o->format == EXPORT_XLSX))
		remove(path);	/* nothing half-written is left behind */
	err_clear(&e);
	return n;
}

int
cmd_export(int argc, char **argv)
{
	const char *data = NULL, *format = NULL, *encoding = NULL, *sort = NULL, *locale = NULL, *pos[2];
	bool no_bom = false;
	struct opt opts[] = { { "data", &data }, { "format", &format }, { "encoding", &encoding },
			      { "no-bom", NULL, &no_bom }, { "sort", &sort }, { "locale", &locale }, { 0 } };
	struct err e = { 0 };
	int npos;

	if (cli_parse(argc, argv, opts, pos, 2, &npos) < 0)
		return 1;
	if (npos < 1)
		return cli_fail("usage: guanxi export [--data DIR] ENTITY [--format csv|xlsx|vcard] "
				"[--encoding utf-8|gb18030|big5] [--no-bom] [--sort FIELD] [--locale zh-Hant] [FILE]");
	if (!format && npos == 2) {
		const char *dot = strrchr(pos[1], '.');
		format = dot && strcmp(dot, ".xlsx") == 0 ? "xlsx" : dot && strcmp(dot, ".vcf") == 0 ? "vcard" : NULL;
	}
	struct store *s = cli_open(cli_data_dir(data), CLI_DEFAULT);
	if (!s)
		return 1;
	struct export_options o = { .en = registry_find(pos[0]), .no_bom = no_bom, .sort = sort,
				    .locale = locale ? locale : getenv("LANG") };
	int rc = 1;
	if (!o.en) {
		cli_fail("no entity '%s' (see GET /api/v1/meta/entities)", pos[0]);
	} else if (export_options_parse(&o, format, encoding, &e) != ERR_OK) {
		cli_fail("%s", e.msg);
	} else {
		long n = export_to(s, &o, npos == 2 ? pos[1] : NULL);
		if (n >= 0 && npos == 2)
			fprintf(stderr, "exported %ld %s to %s\n", n, o.en->def->name, pos[1]);
		rc = n >= 0 ? 0 : 1;
	}
	err_clear(&e);
	cli_close(s);
	return rc;
}
