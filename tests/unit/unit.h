/* SPDX-License-Identifier: MIT */
/* Shared fixtures of the unit tests. */
#ifndef GX_UNIT_H
#define GX_UNIT_H

#include "engine/entity.h"

static const struct entity *customers;
static const struct entity *interactions;

/* Group setup: the entity registry, with the two entities most tests use. */
static int
registry_setup(void **state)
{
	struct err e = { 0 };

	(void)state;
	if (registry_init(&e) != ERR_OK) {
		err_clear(&e);
		return -1;
	}
	customers = registry_find("customers");
	interactions = registry_find("interactions");
	return customers && interactions ? 0 : -1;
}

static int
registry_teardown(void **state)
{
	(void)state;
	registry_free();
	return 0;
}

#endif
