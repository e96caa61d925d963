/* SPDX-License-Identifier: MIT */
/* init, migrate, serve, user, token and backup. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "auth/auth.h"
#include "cli/cli.h"
#include "domain/retention.h"
#include "http/http.h"
#include "util/log.h"

int
cmd_init(int argc, char **argv)
{
	const char *data = NULL, *pos[1];
	struct opt opts[] = { { "data", &data }, { 0 } };
	int npos;

	if (cli_parse(argc, argv, opts, pos, 0, &npos) < 0)
		return 1;
	struct store *s = cli_open(cli_data_dir(data), CLI_CREATE);
	if (!s)
		return 1;
	printf("database ready: %s\n", store_path(s));
	cli_close(s);
	return 0;
}

int
cmd_migrate(int argc, char **argv)
{
	const char *data = NULL, *pos[1];
	struct opt opts[] = { { "data", &data }, { 0 } };
	int npos;

	if (cli_parse(argc, argv, opts, pos, 0, &npos) < 0)
		return 1;
	struct store *s = cli_open(cli_data_dir(data), CLI_DEFAULT);
	if (!s)
		return 1;
	printf("schema up to date: %s\n", store_path(s));
	cli_close(s);
	return 0;
}

static int
parse_uint(const char *s, const char *what, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v = strtoul(s ? s : "", &end, 10);

	if (!s || !*s || *end || v > max)
		return cli_fail("%s must be a whole number up to %lu", what, max), -1;
	*out = v;
	return 0;
}

int
cmd_serve(int argc, char **argv)
{
	const char *data = NULL, *listen = "127.0.0.1:8080", *threads = NULL, *access = NULL;
	const char *sync = "full", *body_max = NULL, *retention_at = "03:00", *pos[1];
	bool no_retention = false;
	struct opt opts[] = {
		{ "data", &data }, { "listen", &listen }, { "threads", &threads },
		{ "access-log", &access }, { "sync", &sync }, { "body-max", &body_max },
		{ "retention-at", &retention_at }, { "no-retention", NULL, &no_retention }, { 0 }
	};
	struct server_options so = {
		.listen = listen, .body_max = 1 << 20, .conn_limit = 1000, .per_ip_limit = 200,
		.idle_timeout_s = 30, .request_deadline_s = 60,
	};
	unsigned long v;
	int npos;

	if (cli_parse(argc, argv, opts, pos, 0, &npos) < 0)
		return 1;
	so.listen = listen;
	if (threads && parse_uint(threads, "--threads", 256, &v) < 0)
		return 1;
	so.threads = threads ? (unsigned)v : 0;
	if (body_max && parse_uint(body_max, "--body-max", 1UL << 30, &v) < 0)
		return 1;
	if (body_max)
		so.body_max = v;
	if (strcmp(sync, "full") && strcmp(sync, "normal"))
		return cli_fail("--sync is full or normal");
	int retention_minute = retention_parse_hhmm(retention_at);
	if (retention_minute < 0)
		return cli_fail("--retention-at is a time of day HH:MM (UTC), e.g. 03:00");
	const char *dir = cli_data_dir(data);
	char log_path[4096];
	if (!access) {
		snprintf(log_path, sizeof(log_path), "%s/access.log", dir);
		access = log_path;
	}
	so.access_log = access;
	struct store *s = cli_open(dir, strcmp(sync, "normal") == 0 ? CLI_SYNC_NORMAL : CLI_DEFAULT);
	struct err e = { 0 };
	if (!s)
		return 1;
	if (roles_load(s, &e) != ERR_OK) {
		cli_fail("cannot read the permission table: %s", e.msg);
		err_clear(&e);
		cli_close(s);
		return 1;
	}
	struct retention_daily *daily = NULL;
	if (!no_retention && retention_daily_start(s, retention_minute, &daily, &e) != ERR_OK) {
		cli_fail("%s", e.msg);
		err_clear(&e);
		cli_close(s);
		return 1;
	}
	int mark = cli_serving_mark(dir);
	if (mark < 0)
		log_error("cannot mark %s as served (%s): a demo run beside this server would "
			  "rebuild the indexes it reads", dir, strerror(errno));
	int rc = server_run(s, &so);
	retention_daily_stop(daily);
	cli_close(s);
	if (mark >= 0)
		close(mark);
	return rc;
}

/* Read one line (the password) from stdin, without its newline. */
static int
read_password(char *out, size_t n)
{
	if (!fgets(out, (int)n, stdin))
		return cli_fail("no password on standard input"), -1;
	size_t len = strlen(out);
	if (len == n - 1 && out[len - 1] != '\n')
		return cli_fail("the password is too long"), -1;
	while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		out[--len] = '\0';
	return 0;
}

static int
print_users(struct store *s)
{
	struct err e = { 0 };
	struct store_conn *c = store_reader(s, &e);
	struct stmt *st = c ? store_prepare(c, "SELECT u.id, u.name, u.role, u.created_at, t.name FROM users u "
		"LEFT JOIN teams t ON t.id = u.team_id WHERE u.deleted_at IS NULL ORDER BY u.id", &e) : NULL;
	if (!st) {
		cli_fail("%s", e.msg);
		err_clear(&e);
		return 1;
	}
	while (stmt_step(st, &e) == 1)
		printf("%lld\t%s\t%s\t%s\t%s\n", (long long)stmt_int(st, 0), stmt_text(st, 1),
		       stmt_text(st, 2), stmt_is_null(st, 4) ? "-" : stmt_text(st, 4), stmt_text(st, 3));
	stmt_finish(st);
	err_clear(&e);
	return 0;
}

int
cmd_user(int argc, char **argv)
{
	const char *data = NULL, *role = NULL, *team = NULL, *pos[2];
	bool pw_stdin = false;
	struct opt opts[] = {
		{ "data", &data }, { "role", &role }, { "team", &team },
		{ "password-stdin", NULL, &pw_stdin }, { 0 }
	};
	char password[PASSWORD_MAX + 2];
	struct err e = { 0 };
	int npos, rc = 1;

	if (cli_parse(argc, argv, opts, pos, 2, &npos) < 0)
		return 1;
	if (npos >= 1 && strcmp(pos[0], "list") == 0 && npos == 1) {
		struct store *s = cli_open(cli_data_dir(data), CLI_DEFAULT);
		if (!s)
			return 1;
		rc = print_users(s);
		cli_close(s);
		return rc;
	}
	if (npos != 2 || strcmp(pos[0], "add") != 0)
		return cli_fail("usage: guanxi user add NAME --role ROLE --password-stdin | guanxi user list");
	if (!role)
		return cli_fail("user add needs --role (%s)", role_names());
	if (!role_valid(role))
		return cli_fail("unknown role '%s' (roles: %s)", role, role_names());
	if (!pw_stdin)
		return cli_fail("user add needs --password-stdin, with the password on standard input");
	if (read_password(password, sizeof(password)) < 0)
		return 1;
	struct store *s = cli_open(cli_data_dir(data), CLI_DEFAULT);
	if (!s)
		return 1;
	int64_t id, team_id = team ? cli_team_id(s, team) : 0;
	if (team && !team_id)
		err_set(&e, ERR_NOTFOUND, "no team named %s (add it with: guanxi team add NAME)", team);
	else if (user_add(s, pos[1], role, team_id, password, &id, &e) == ERR_OK) {
		printf("user %s added (id %lld, role %s)\n", pos[1], (long long)id, role);
		rc = 0;
	} else {
		cli_fail("%s", e.msg);
	}
	sodium_memzero(password, sizeof(password));
	err_clear(&e);
	cli_close(s);
	return rc;
}

static int
token_run(struct store *s, const char **pos, int npos)
{
	struct err e = { 0 };
	int rc = 1;

	if (strcmp(pos[0], "create") == 0 && npos == 2) {
		char secret[SECRET_TEXT_LEN];
		if (token_create(s, pos[1], secret, NULL, &e) == ERR_OK) {
			printf("%s\n", secret);
			sodium_memzero(secret, sizeof(secret));
			rc = 0;
		}
	} else if (strcmp(pos[0], "list") == 0 && npos <= 2) {
		json_t *list;
		if (token_list(s, npos == 2 ? pos[1] : NULL, &list, &e) == ERR_OK) {
			size_t i;
			json_t *t;
			printf("id\tuser\tcreated_at\tlast_used_at\trevoked_at\n");
			json_array_foreach(list, i, t)
				printf("%lld\t%s\t%s\t%s\t%s\n",
				       (long long)json_integer_value(json_object_get(t, "id")),
				       json_string_value(json_object_get(t, "user")),
				       json_string_value(json_object_get(t, "created_at")),
				       json_is_string(json_object_get(t, "last_used_at")) ?
				       json_string_value(json_object_get(t, "last_used_at")) : "-",
				       json_is_string(json_object_get(t, "revoked_at")) ?
				       json_string_value(json_object_get(t, "revoked_at")) : "-");
			json_decref(list);
			rc = 0;
		}
	} else if (strcmp(pos[0], "revoke") == 0 && npos == 2) {
		char *end;
		long long id = strtoll(pos[1], &end, 10);
		if (*end || id <= 0)
			err_set(&e, ERR_INVALID, "token revoke takes a token id (see guanxi token list)");
		else if (token_revoke(s, id, &e) == ERR_OK) {
			printf("token %lld revoked\n", id);
			rc = 0;
		}
	} else {
		err_set(&e, ERR_INVALID, "usage: guanxi token create NAME | token list [NAME] | token revoke ID");
	}
	if (rc)
		cli_fail("%s", e.msg);
	err_clear(&e);
	return rc;
}

int
cmd_token(int argc, char **argv)
{
	const char *data = NULL, *pos[2];
	struct opt opts[] = { { "data", &data }, { 0 } };
	int npos;

	if (cli_parse(argc, argv, opts, pos, 2, &npos) < 0)
		return 1;
	if (npos < 1)
		return cli_fail("usage: guanxi token create NAME | token list [NAME] | token revoke ID");
	struct store *s = cli_open(cli_data_dir(data), CLI_DEFAULT);
	if (!s)
		return 1;
	int rc = token_run(s, pos, npos);
	cli_close(s);
	return rc;
}

int
cmd_backup(int argc, char **argv)
{
	const char *data = NULL, *pos[1];
	struct opt opts[] = { { "data", &data }, { 0 } };
	struct err e = { 0 };
	int npos;

	if (cli_parse(argc, argv, opts, pos, 1, &npos) < 0)
		return 1;
	if (npos != 1)
		return cli_fail("usage: guanxi backup [--data DIR] FILE");
	if (access(pos[0], F_OK) == 0)
		return cli_fail("%s exists already; choose a new file", pos[0]);
	struct store *s = cli_open(cli_data_dir(data), CLI_DEFAULT);
	if (!s)
		return 1;
	int rc = 0;
	if (store_backup(s, pos[0], &e) != ERR_OK) {
		cli_fail("%s", e.msg);
		unlink(pos[0]);
		rc = 1;
	} else {
		printf("backup written: %s\n", pos[0]);
	}
	err_clear(&e);
	cli_close(s);
	return rc;
}
