/* SPDX-License-Identifier: MIT */
/* Roles and what each may do: per entity and action, a scope of records
 * (none, own, team, all), in one table. The engine enforces the scope
 * (engine/access.c); a scope of none is a 403 before any record is read. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "auth/auth.h"

/* Scopes per action, in enum action order: read, create, update, delete,
 * admin, export. N none, O own (and shared), T the team and its sub-teams (and
 * own), A all. The first row naming the role and entity (or "*") decides. */
#define N SCOPE_NONE
#define O SCOPE_OWN
#define T SCOPE_TEAM
#define A SCOPE_ALL

static const struct {
	const char *role;
	const char *entity;	/* "*" = every entity */
	enum scope scope[ACT_COUNT];
} grants[] = {
	{ "admin", "*", { A, A, A, A, A, A } },
	/* teams are managed by admins; everyone may see them */
	{ "manager", "teams", { A, N, N, N, N, N } },
	{ "sales", "teams", { A, N, N, N, N, N } },
	{ "service", "teams", { A, N, N, N, N, N } },
	{ "marketing", "teams", { A, N, N, N, N, N } },
	{ "manager", "*", { T, T, T, T, N, T } },
	{ "sales", "*", { O, O, O, O, N, O } },
	{ "service", "*", { O, O, O, O, N, O } },
	{ "marketing", "customers", { A, N, O, N, N, N } },
	{ "marketing", "interactions", { A, O, N, N, N, N } },
	{ "marketing", "*", { A, N, N, N, N, N } },
	{ "readonly", "*", { A, N, N, N, N, N } },
};

#undef N
#undef O
#undef T
#undef A

static const char *const roles[] = {
	"admin", "manager", "sales", "service", "marketing", "readonly", NULL
};

bool
role_valid(const char *role)
{
	for (const char *const *p = roles; *p; p++)
		if (strcmp(*p, role) == 0)
			return true;
	return false;
}

const char *
role_names(void)
{
	return "admin, manager, sales, service, marketing, readonly";
}

bool
role_sees_personal(const char *role)
{
	/* marketing works on segments and campaigns; readonly on reports */
	return strcmp(role, "marketing") != 0 && strcmp(role, "readonly") != 0;
}

/* ---- changes over the defaults (role_grants), read-mostly ---- */

#define MAX_OVERRIDES 1024

static pthread_rwlock_t overrides_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct override {
	char role[16], entity[64];
	enum action act;
	enum scope scope;
} overrides[MAX_OVERRIDES];
static size_t noverrides;

static const char *const action_names[ACT_COUNT] = {
	"read", "create", "update", "delete", "admin", "export"
};
static const char *const scope_names[] = { "none", "own", "team", "all" };

const char *
action_name(enum action act)
{
	return act < ACT_COUNT ? action_names[act] : "";
}

const char *
scope_name(enum scope sc)
{
	return sc <= SCOPE_ALL ? scope_names[sc] : "none";
}

bool
action_parse(const char *s, enum action *out)
{
	for (int a = 0; a < ACT_COUNT; a++)
		if (strcmp(action_names[a], s) == 0)
			return *out = (enum action)a, true;
	return false;
}

bool
scope_parse(const char *s, enum scope *out)
{
	for (int k = SCOPE_NONE; k <= SCOPE_ALL; k++)
		if (strcmp(scope_names[k], s) == 0)
			return *out = (enum scope)k, true;
	return false;
}

void
role_override(const char *role, const char *entity, enum action act, enum scope scope)
{
	pthread_rwlock_wrlock(&overrides_lock);
	size_t i;
	for (i = 0; i < noverrides; i++)
		if (!strcmp(overrides[i].role, role) && !strcmp(overrides[i].entity, entity) &&
		    overrides[i].act == act)
			break;
	if (i < MAX_OVERRIDES) {
		snprintf(overrides[i].role, sizeof(overrides[i].role), "%s", role);
		snprintf(overrides[i].entity, sizeof(overrides[i].entity), "%s", entity);
		overrides[i].act = act;
		overrides[i].scope = scope;
		if (i == noverrides)
			noverrides++;
	}
	pthread_rwlock_unlock(&overrides_lock);
}

static bool
overridden(const char *role, const char *entity, enum action act, enum scope *out)
{
	bool found = false;

	pthread_rwlock_rdlock(&overrides_lock);
	for (size_t i = 0; i < noverrides && !found; i++) {
		if (overrides[i].act == act && !strcmp(overrides[i].role, role) &&
		    !strcmp(overrides[i].entity, entity)) {
			*out = overrides[i].scope;
			found = true;
		}
	}
	pthread_rwlock_unlock(&overrides_lock);
	return found;
}

enum err_code
roles_load(struct store *s, struct err *e)
{
	struct store_conn *c = store_reader(s, e);
	struct stmt *st = c ? store_prepare(c, "SELECT role, entity, action, scope FROM role_grants", e) : NULL;
	int rc;

	if (!st)
		return e->code;
	while ((rc = stmt_step(st, e)) == 1) {
		enum action act;
		enum scope sc;
		if (action_parse(stmt_text(st, 2), &act) && scope_parse(stmt_text(st, 3), &sc))
			role_override(stmt_text(st, 0), stmt_text(st, 1), act, sc);
	}
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

enum scope
role_scope(const char *role, const char *entity, enum action act)
{
	enum scope changed;

	if (overridden(role, entity, act, &changed))
		return changed;
	for (size_t i = 0; i < sizeof(grants) / sizeof(grants[0]); i++) {
		if (strcmp(grants[i].role, role) != 0)
			continue;
		if (strcmp(grants[i].entity, entity) == 0 || strcmp(grants[i].entity, "*") == 0)
			return grants[i].scope[act];
	}
	return SCOPE_NONE;
}

bool
role_allows(const char *role, const char *entity, enum action act)
{
	return role_scope(role, entity, act) != SCOPE_NONE;
}
