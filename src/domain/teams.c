/* SPDX-License-Identifier: MIT */
/* Teams: the tree of regions and territories that a manager's scope walks
 * down. A parent may not lie below its child (the scope would go round),
 * and a team is deleted only when empty: its users, the teams below it
 * and the records it owns would otherwise point at a team nobody can see
 * or choose any more. Both run inside the engine's write, so the API, the
 * command line and imports all follow them. */
#include <stdio.h>
#include "domain/teams.h"
#include "util/buf.h"

/* count(*) of sql with id bound to ?1; -1 on a store error (in e). */
static int64_t
count_of(struct store_conn *c, const char *sql, int64_t id, struct err *e)
{
	struct stmt *st = store_prepare(c, sql, e);
	int64_t n = -1;

	if (!st)
		return -1;
	stmt_bind_int(st, 1, id);
	if (stmt_step(st, e) == 1)
		n = stmt_int(st, 0);
	stmt_finish(st);
	return n;
}

enum err_code
teams_before_save(struct wtx *w, const struct entity *en, json_t *rec, const json_t *old,
		  struct err *e)
{
	(void)en;
	json_t *parent = json_object_get(rec, "parent_id");

	/* a new team has nothing below it: any parent is fine */
	if (!old || !json_is_integer(parent) || json_equal(parent, json_object_get(old, "parent_id")))
		return ERR_OK;
	/* walk up from the new parent: meeting the team itself is a loop */
	struct stmt *st = store_prepare(w->c,
		"WITH RECURSIVE up(id) AS (SELECT ?1 UNION "
		"SELECT t.parent_id FROM teams t JOIN up ON t.id = up.id WHERE t.parent_id IS NOT NULL) "
		"SELECT count(*) FROM up WHERE id = ?2", e);
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, json_integer_value(parent));
	stmt_bind_int(st, 2, json_integer_value(json_object_get(old, "id")));
	int rc = stmt_step(st, e);
	bool loop = rc == 1 && stmt_int(st, 0) > 0;
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	if (!loop)
		return ERR_OK;
	err_field(e, "parent_id", "cannot be the team itself or a team below it");
	return err_set(e, ERR_INVALID, "1 field is invalid");
}

enum err_code
teams_after_delete(struct wtx *w, const struct entity *en, const json_t *old, struct err *e)
{
	int64_t id = json_integer_value(json_object_get(old, "id"));
	int64_t users = count_of(w->c, "SELECT count(*) FROM users WHERE team_id = ?1 "
				 "AND deleted_at IS NULL", id, e);
	int64_t teams = users < 0 ? -1 : count_of(w->c, "SELECT count(*) FROM teams "
						  "WHERE parent_id = ?1 AND deleted_at IS NULL", id, e);
	struct buf left;

	if (users < 0 || teams < 0)
		return e->code;
	buf_init(&left, 1024);
	if (users)
		buf_printf(&left, "%lld user%s", (long long)users, users == 1 ? "" : "s");
	if (teams)
		buf_printf(&left, "%s%lld team%s below it", left.len ? ", " : "", (long long)teams,
			   teams == 1 ? "" : "s");
	/* the records of every entity that records a team (customers ...) */
	for (size_t i = 0; i < registry_count(); i++) {
		const struct entity_def *d = registry_at(i)->def;
		char sql[256];
		if (!d->team_field || d == en->def)
			continue;
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE %s = ?1 AND deleted_at IS NULL",
			 d->name, d->team_field);
		int64_t n = count_of(w->c, sql, id, e);
		if (n < 0) {
			buf_release(&left);
			return e->code;
		}
		if (n)
			buf_printf(&left, "%s%lld %s", left.len ? ", " : "", (long long)n,
				   n == 1 ? d->singular : d->name);
	}
	enum err_code rc = ERR_OK;
	if (left.len)
		rc = err_set(e, ERR_CONFLICT, "team %s is not empty (%s): move them to another team "
			     "first", json_string_value(json_object_get(old, "name")), left.data);
	buf_release(&left);
	return rc;
}
