/* SPDX-License-Identifier: MIT */
/* guanxi: the command table, shared option parsing and data-folder
 * opening. Every failure prints one line "guanxi: ..." and exits 1. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sodium.h>
#include <jansson.h>
#include "auth/auth.h"
#include "cli/cli.h"
#include "engine/engine.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "init", cmd_init, "init    [--data DIR]                 create an empty database (idempotent)" },
	{ "serve", cmd_serve, "serve   [--data DIR] [--listen HOST:PORT] [--threads N] [--access-log FILE|-|off]\n"
			      "        [--sync full|normal] [--body-max BYTES] [--retention-at HH:MM | --no-retention]\n"
			      "        serve the API and UI; retention policies run daily (03:00 UTC by default)" },
	{ "migrate", cmd_migrate, "migrate [--data DIR]                 bring the schema up to date" },
	{ "user", cmd_user, "user add NAME --role ROLE [--team TEAM] --password-stdin [--data DIR]\n"
			    "  user list [--data DIR]" },
	{ "team", cmd_team, "team add NAME [--parent TEAM] | team list   [--data DIR]" },
	{ "token", cmd_token, "token create NAME | token list [NAME] | token revoke ID   [--data DIR]" },
	{ "backup", cmd_backup, "backup  [--data DIR] FILE            online, consistent copy of the database" },
	{ "demo", cmd_demo, "demo    [--data DIR] [--customers N]  fill with realistic demo data" },
	{ "retention", cmd_retention, "retention --dry-run | retention run   [--as-of TIME] [--policy ID] [--data DIR]\n"
				      "        what the retention policies would take, or apply them now" },
	{ "export", cmd_export, "export  [--data DIR] ENTITY [--format csv|xlsx|vcard] [--encoding utf-8|gb18030|big5]\n"
				"        [--no-bom] [--sort FIELD] [--locale TAG] [FILE]   CSV (UTF-8 with BOM by default),\n"
				"        XLSX or vCard 4.0; names sorted for the locale (default $LANG)" },
	{ "import", cmd_import, "import  [--data DIR] ENTITY FILE [--format csv|vcard] [--encoding auto|utf-8|gb18030|big5]\n"
				"        [--map FILE.json] [--key id|email|phone|member_card|...] [--on-match skip|update]\n"
				"        [--on-missing create|skip]   import CSV or vCards, validated row by row\n"
				"  import show ID | import revert ID   [--data DIR]" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	fprintf(f, "Guanxi %s - customer relationship management server\n\nusage: guanxi COMMAND [OPTIONS]\n\n",
		GUANXI_VERSION);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fprintf(f, "\nThe data folder is --data DIR, else $GUANXI_DATA, else ./data.\n"
		   "Roles: %s.\n", role_names());
}

int
cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("guanxi: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int
cli_parse(int argc, char **argv, const struct opt *opts, const char **pos, int max_pos, int *npos)
{
	*npos = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
			if (*npos >= max_pos)
				return cli_fail("unexpected argument '%s' (see guanxi --help)", a), -1;
			pos[(*npos)++] = a;
			continue;
		}
		const char *eq = strchr(a, '=');
		size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		const struct opt *o = opts;
		for (; o->name; o++)
			if (strlen(o->name) == n && strncmp(o->name, a + 2, n) == 0)
				break;
		if (!o->name)
			return cli_fail("unknown option '%s' (see guanxi --help)", a), -1;
		if (o->flag) {
			*o->flag = true;
		} else if (eq) {
			*o->value = eq + 1;
		} else if (i + 1 < argc) {
			*o->value = argv[++i];
		} else {
			return cli_fail("option --%s needs a value", o->name), -1;
		}
	}
	return 0;
}

const char *
cli_data_dir(const char *given)
{
	const char *env = getenv("GUANXI_DATA");

	return given ? given : env && *env ? env : "./data";
}

struct store *
cli_open(const char *dir, enum cli_mode mode)
{
	struct engine_options eo = {
		.create = mode == CLI_CREATE, .sync_normal = mode == CLI_SYNC_NORMAL,
		.bulk = mode == CLI_BULK,
	};
	struct err e = { 0 };
	struct store *s = NULL;

	if (engine_open(dir, &eo, &s, &e) != ERR_OK) {
		cli_fail("%s", e.msg);
		err_clear(&e);
		return NULL;
	}
	return s;
}

void
cli_close(struct store *s)
{
	engine_close(s);
}

/* A server holds a shared lock on DIR/serve.lock while it serves, so a
 * bulk load can tell that someone reads the folder. */
static int
serve_lock_open(const char *dir, int flags)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/serve.lock", dir);
	return open(path, flags | O_CLOEXEC, 0640);
}

int
cli_serving_mark(const char *dir)
{
	int fd = serve_lock_open(dir, O_RDWR | O_CREAT);

	if (fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

bool
cli_server_running(const char *dir)
{
	int fd = serve_lock_open(dir, O_RDONLY);

	if (fd < 0)
		return false;	/* no server ever served it */
	bool held = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	close(fd);		/* and with it the lock, if this took it */
	return held;
}

int
main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return cli_fail("cannot initialise libsodium");
	json_object_seed(0);	/* before any thread: hash seed from the OS */
	password_init();
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 1 : 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("guanxi %s\n", GUANXI_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, argv[1]) == 0)
			return commands[i].fn(argc - 2, argv + 2);
	return cli_fail("unknown command '%s' (see guanxi --help)", argv[1]);
}
