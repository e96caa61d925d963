/* SPDX-License-Identifier: MIT */
/* guanxi retention: the retention policies' dry run, or a run now. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "domain/retention.h"
#include "util/mem.h"
#include "util/timeutil.h"

/* Print every page of the dry run: one tab-separated line per record. */
static int
dry_run(struct store *s, const char *as_of, int64_t policy)
{
	struct err e = { 0 };
	struct store_conn *c = store_reader(s, &e);
	char *cursor = NULL;
	long long n = 0;

	while (c) {
		json_t *page, *row;
		size_t i;
		if (retention_preview(c, as_of, policy, cursor, RETENTION_PREVIEW_MAX, &page, &e) != ERR_OK)
			break;
		json_array_foreach(json_object_get(page, "data"), i, row) {
			printf("%lld\t%s\t%s\t%lld\t%s\t%s\n",
			       (long long)json_integer_value(json_object_get(row, "policy_id")),
			       json_string_value(json_object_get(row, "action")),
			       json_string_value(json_object_get(row, "entity")),
			       (long long)json_integer_value(json_object_get(row, "id")),
			       json_is_string(json_object_get(row, "name")) ?
			       json_string_value(json_object_get(row, "name")) : "-",
			       json_is_string(json_object_get(row, "last_activity")) ?
			       json_string_value(json_object_get(row, "last_activity")) : "-");
			n++;
		}
		json_t *next = json_object_get(page, "next_cursor");
		free(cursor);
		cursor = json_is_string(next) ? xstrdup(json_string_value(next)) : NULL;
		json_decref(page);
		if (!cursor) {
			fprintf(stderr, "dry run as of %s: %lld record(s) would go; nothing was changed\n", as_of, n);
			return 0;
		}
	}
	free(cursor);
	cli_fail("%s", e.msg);
	err_clear(&e);
	return 1;
}

static int
run(struct store *s, const char *as_of, int64_t policy)
{
	struct err e = { 0 };
	json_t *report, *p;
	size_t i;

	if (retention_run(s, NULL, NULL, as_of, policy, "cli", &report, &e) != ERR_OK) {
		cli_fail("%s", e.msg);
		err_clear(&e);
		return 1;
	}
	json_array_foreach(json_object_get(report, "policies"), i, p)
		printf("%lld\t%s\t%lld\t%s\n", (long long)json_integer_value(json_object_get(p, "id")),
		       json_string_value(json_object_get(p, "action")),
		       (long long)json_integer_value(json_object_get(p, "applied")),
		       json_string_value(json_object_get(p, "name")));
	fprintf(stderr, "retention run as of %s: %lld record(s) taken\n", as_of,
		(long long)json_integer_value(json_object_get(report, "total")));
	json_decref(report);
	return 0;
}

int
cmd_retention(int argc, char **argv)
{
	const char *data = NULL, *as_of_s = NULL, *policy_s = NULL, *pos[1];
	bool dry = false;
	struct opt opts[] = {
		{ "data", &data }, { "as-of", &as_of_s }, { "policy", &policy_s }, { "dry-run", NULL, &dry },
		{ 0 }
	};
	char as_of[TIME_STR_LEN];
	int64_t ms = time_now_ms();
	long long policy = 0;
	char *end;
	int npos;

	if (cli_parse(argc, argv, opts, pos, 1, &npos) < 0)
		return 1;
	bool run_now = npos == 1 && strcmp(pos[0], "run") == 0;
	if ((npos == 1 && !run_now) || dry == run_now)
		return cli_fail("say either 'guanxi retention --dry-run' or 'guanxi retention run'");
	if (as_of_s && !time_parse_datetime(as_of_s, &ms))
		return cli_fail("--as-of must be an RFC 3339 date-time, e.g. 2027-01-01T00:00:00Z");
	if (policy_s && ((policy = strtoll(policy_s, &end, 10)) < 1 || *end))
		return cli_fail("--policy must be the id of a retention policy");
	time_format(ms, as_of);
	struct store *s = cli_open(cli_data_dir(data), CLI_DEFAULT);
	if (!s)
		return 1;
	int rc = dry ? dry_run(s, as_of, policy) : run(s, as_of, policy);
	cli_close(s);
	return rc;
}
