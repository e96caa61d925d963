/* SPDX-License-Identifier: MIT */
/* Roles and what each may do: per entity and action, a scope of records
 * (none, own, team, all), in one table. The engine enforces the scope
 * (engine/access.c); a scope of none is a 403 before any record is read. */
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

enum scope
role_scope(const char *role, const char *entity, enum action act)
{
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
