/* SPDX-License-Identifier: MIT */
/* Business rules of teams: the tree stays a tree, and a team goes only
 * when nothing is left in it. */
#ifndef GX_TEAMS_H
#define GX_TEAMS_H

#include <jansson.h>
#include "engine/entity.h"

/* A team's parent is neither the team itself nor a team below it
 * (422 on parent_id). */
enum err_code teams_before_save(struct wtx *w, const struct entity *en, json_t *rec,
				const json_t *old, struct err *e);
/* A team with users, teams below it or records of its own cannot be
 * deleted: 409 naming what is left, which the whole delete undoes. */
enum err_code teams_after_delete(struct wtx *w, const struct entity *en, const json_t *old,
				 struct err *e);

#endif
