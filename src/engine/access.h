/* SPDX-License-Identifier: MIT */
/* Record-level access: which records a caller may see and change.
 *
 * An entity declares how its records are owned: by an owner and a team
 * (entity_def.owner_field, .team_field), or through a parent record
 * (.parent_field, "controlled by parent": a contact is visible to whoever
 * sees its customer). A scope (own, team, all) then becomes one SQL
 * condition, added by the engine to every read and checked on every write,
 * so no path can reach a record the caller may not see: a record outside
 * the read scope is "not found", never "forbidden". */
#ifndef GX_ACCESS_H
#define GX_ACCESS_H

#include <stdbool.h>
#include <stdint.h>
#include "util/buf.h"

enum scope {
	SCOPE_NONE,
	SCOPE_OWN,	/* records the caller owns */
	SCOPE_TEAM,	/* ... or whose team is the caller's team or below it */
	SCOPE_ALL,
};

/* Which shares widen an own or team scope. */
enum shares {
	SHARES_NONE,	/* deleting: never through a share */
	SHARES_READ,	/* seeing: read and edit shares */
	SHARES_EDIT,	/* changing: edit shares */
};

struct access {
	int64_t user_id, team_id;	/* the caller; team 0 = none */
	enum scope read;		/* what may be seen */
	enum scope act;			/* what the current action may touch */
	enum shares act_shares;		/* which shares count for the action */
	bool masked;			/* personal data shown masked */
};

struct entity;
struct stmt;

/* Append " AND (...)" limiting en's rows (unqualified columns) to scope,
 * widened by the caller's shares of kind `shares`; nothing for SCOPE_ALL,
 * an entity without ownership, or acc NULL. Uses the named parameters
 * :acc_user and :acc_team (see access_bind). */
void access_sql(struct buf *sql, const struct entity *en, const struct access *acc,
		enum scope scope, enum shares shares);
/* `shares`, or SHARES_NONE when the caller has no share of en's records
 * (en's or its parent's) at all: the condition is then one an index on
 * (owner, field) answers alone, without an OR the planner must union and
 * sort. One indexed look-up in record_shares. */
struct store_conn;
enum shares access_shares_used(struct store_conn *c, const struct entity *en,
			       const struct access *acc, enum shares shares);
/* Bind :acc_user and :acc_team where the statement has them. */
void access_bind(struct stmt *st, const struct access *acc);
/* Does en have record-level access at all? */
bool access_applies(const struct entity *en);

#endif
