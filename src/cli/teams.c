/* SPDX-License-Identifier: MIT */
/* guanxi team add | list: teams from the command line, written through the
 * engine like any record (validated, audited). */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"
#include "engine/record.h"

int64_t
cli_team_id(struct store *s, const char *name)
{
	struct err e = { 0 };
	struct store_conn *c = store_reader(s, &e);
	struct stmt *st = c ? store_prepare(c, "SELECT id FROM teams WHERE name = ? AND deleted_at IS NULL", &e) : NULL;
	int64_t id = 0;

	if (st) {
		stmt_bind_str(st, 1, name);
		if (stmt_step(st, &e) == 1)
			id = stmt_int(st, 0);
	}
	stmt_finish(st);
	err_clear(&e);
	return id;
}

struct team_job {
	json_t *body;
	json_t *out;
};

static enum err_code
team_job_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct team_job *j = ctx;
	struct actor system = { .name = "cli", .role = "admin" };
	struct wtx w;

	wtx_init(&w, c, &system, NULL);
	return record_insert(&w, registry_find("teams"), j->body, &j->out, e);
}

static int
team_add(struct store *s, const char *name, const char *parent)
{
	struct team_job j = { .body = json_pack("{s:s}", "name", name) };
	struct err e = { 0 };
	int rc = 1;

	if (parent) {
		int64_t pid = cli_team_id(s, parent);
		if (!pid) {
			json_decref(j.body);
			return cli_fail("no team named %s", parent);
		}
		json_object_set_new(j.body, "parent_id", json_integer(pid));
	}
	if (store_write(s, team_job_run, &j, &e) == ERR_OK) {
		printf("team %s added (id %lld)\n", name,
		       (long long)json_integer_value(json_object_get(j.out, "id")));
		rc = 0;
	} else if (e.code == ERR_CONFLICT) {
		cli_fail("a team named %s exists already", name);
	} else {
		const char *k;
		json_t *v;
		json_object_foreach(e.fields, k, v) {
			cli_fail("team %s: %s", k, json_string_value(v));
			break;
		}
		if (!e.fields)
			cli_fail("%s", e.msg);
	}
	json_decref(j.body);
	json_decref(j.out);
	err_clear(&e);
	return rc;
}

static int
team_list(struct store *s)
{
	struct err e = { 0 };
	struct store_conn *c = store_reader(s, &e);
	struct stmt *st = c ? store_prepare(c, "SELECT t.id, t.name, p.name FROM teams t "
		"LEFT JOIN teams p ON p.id = t.parent_id WHERE t.deleted_at IS NULL ORDER BY t.id", &e) : NULL;

	if (!st) {
		cli_fail("%s", e.msg);
		err_clear(&e);
		return 1;
	}
	printf("id\tname\tparent\n");
	while (stmt_step(st, &e) == 1)
		printf("%lld\t%s\t%s\n", (long long)stmt_int(st, 0), stmt_text(st, 1),
		       stmt_is_null(st, 2) ? "-" : stmt_text(st, 2));
	stmt_finish(st);
	err_clear(&e);
	return 0;
}

int
cmd_team(int argc, char **argv)
{
	const char *data = NULL, *parent = NULL, *pos[2];
	struct opt opts[] = { { "data", &data }, { "parent", &parent }, { 0 } };
	int npos, rc;

	if (cli_parse(argc, argv, opts, pos, 2, &npos) < 0)
		return 1;
	bool add = npos == 2 && strcmp(pos[0], "add") == 0;
	bool list = npos == 1 && strcmp(pos[0], "list") == 0;
	if (!add && !list)
		return cli_fail("usage: guanxi team add NAME [--parent NAME] | guanxi team list");
	struct store *s = cli_open(cli_data_dir(data), CLI_DEFAULT);
	if (!s)
		return 1;
	rc = add ? team_add(s, pos[1], parent) : team_list(s);
	cli_close(s);
	return rc;
}
