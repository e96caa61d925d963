/* SPDX-License-Identifier: MIT */
/* Roles and what each may do, per entity and action: one table. Record-level
 * scopes (own, team, all) build on this later. */
#include <string.h>
#include "auth/auth.h"

#define R (1u << ACT_READ)
#define C (1u << ACT_CREATE)
#define U (1u << ACT_UPDATE)
#define D (1u << ACT_DELETE)
#define A (1u << ACT_ADMIN)

static const struct {
	const char *role;
	const char *entity;	/* "*" = every entity */
	unsigned actions;
} grants[] = {
	{ "admin", "*", R | C | U | D | A },
	{ "manager", "*", R | C | U | D },
	{ "sales", "*", R | C | U | D },
	{ "service", "*", R | C | U | D },
	{ "marketing", "customers", R | U },
	{ "marketing", "interactions", R | C },
	{ "marketing", "*", R },
	{ "readonly", "*", R },
};

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
role_allows(const char *role, const char *entity, enum action act)
{
	/* the first grant naming the role and entity (or "*") decides */
	for (size_t i = 0; i < sizeof(grants) / sizeof(grants[0]); i++) {
		if (strcmp(grants[i].role, role) != 0)
			continue;
		if (strcmp(grants[i].entity, entity) == 0 || strcmp(grants[i].entity, "*") == 0)
			return (grants[i].actions & (1u << act)) != 0;
	}
	return false;
}
