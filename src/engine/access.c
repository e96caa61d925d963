/* SPDX-License-Identifier: MIT */
/* The access condition of a scope, from the entity's declaration. */
#include <string.h>
#include "engine/access.h"
#include "engine/entity.h"

bool
access_applies(const struct entity *en)
{
	return en->def->owner_field || en->def->parent_field;
}

/* The condition on an owned entity's own columns. */
static void
owned_sql(struct buf *sql, const struct entity_def *d, enum scope scope, enum shares shares)
{
	if (scope == SCOPE_NONE) {
		buf_adds(sql, "0");
		return;
	}
	buf_printf(sql, "%s = :acc_user", d->owner_field);
	if (shares != SHARES_NONE)
		/* d->name is a declared identifier, safe to splice */
		buf_printf(sql, " OR id IN (SELECT record_id FROM record_shares WHERE entity = '%s' "
			   "AND (user_id = :acc_user OR team_id = :acc_team)%s)", d->name,
			   shares == SHARES_EDIT ? " AND access = 'edit'" : "");
	if (scope == SCOPE_TEAM && d->team_field)
		/* the caller's team and every team below it */
		buf_printf(sql, " OR %s IN (WITH RECURSIVE below(id) AS (SELECT :acc_team "
			   "UNION SELECT teams.id FROM teams JOIN below ON teams.parent_id = below.id) "
			   "SELECT id FROM below)", d->team_field);
}

void
access_sql(struct buf *sql, const struct entity *en, const struct access *acc, enum scope scope,
	   enum shares shares)
{
	const struct entity_def *d = en->def;

	if (!acc || scope == SCOPE_ALL || !access_applies(en))
		return;
	buf_adds(sql, " AND (");
	if (d->owner_field) {
		owned_sql(sql, d, scope, shares);
	} else {
		/* controlled by parent: the parent entity is owned */
		const struct field *pf = entity_field(en, d->parent_field);
		const struct entity *parent = pf ? registry_find(pf->ref) : NULL;
		if (!parent || !parent->def->owner_field) {
			buf_adds(sql, "0");	/* a declaration error: show nothing */
		} else {
			buf_printf(sql, "%s IN (SELECT id FROM %s WHERE ", d->parent_field, parent->def->name);
			owned_sql(sql, parent->def, scope, shares);
			buf_addc(sql, ')');
		}
	}
	buf_addc(sql, ')');
}

/* The entity whose records carry owner and shares: en, or its parent. */
static const struct entity *
owned_entity(const struct entity *en)
{
	if (en->def->owner_field)
		return en;
	const struct field *pf = en->def->parent_field ? entity_field(en, en->def->parent_field) : NULL;
	const struct entity *parent = pf ? registry_find(pf->ref) : NULL;
	return parent && parent->def->owner_field ? parent : NULL;
}

enum shares
access_shares_used(struct store_conn *c, const struct entity *en, const struct access *acc,
		   enum shares shares)
{
	const struct entity *owned = owned_entity(en);
	struct err e = { 0 };

	if (!acc || shares == SHARES_NONE || !owned)
		return shares;
	struct stmt *st = store_prepare(c, "SELECT 1 FROM record_shares WHERE entity = ? AND user_id = ? "
				       "UNION ALL SELECT 1 FROM record_shares WHERE entity = ? AND team_id = ? "
				       "LIMIT 1", &e);
	if (!st) {
		err_clear(&e);
		return shares;	/* when in doubt, the full condition */
	}
	stmt_bind_str(st, 1, owned->def->name);
	stmt_bind_int(st, 2, acc->user_id);
	stmt_bind_str(st, 3, owned->def->name);
	stmt_bind_int(st, 4, acc->team_id);
	int rc = stmt_step(st, &e);
	stmt_finish(st);
	err_clear(&e);
	return rc == 0 ? SHARES_NONE : shares;
}

void
access_bind(struct stmt *st, const struct access *acc)
{
	if (!acc)
		return;
	stmt_bind_named_int(st, ":acc_user", acc->user_id);
	stmt_bind_named_int(st, ":acc_team", acc->team_id);
}
