/* SPDX-License-Identifier: MIT */
/* Sharing a record with a user or a team, for reading or editing. Only
 * owned records are shared (contacts and the like follow their customer).
 * Seeing a record's shares needs read access to it; changing them needs
 * the right to change it. Each change is in the record's history. */
#ifndef GX_SHARES_H
#define GX_SHARES_H

#include <jansson.h>
#include "engine/entity.h"

/* {"data":[{id, user_id, team_id, access, created_at, created_by}]} */
enum err_code shares_list(struct store_conn *c, const struct entity *en, int64_t id,
			  const struct access *acc, json_t **out, struct err *e);
/* body: {"user_id": N} or {"team_id": N}, and "access": "read" | "edit" */
enum err_code shares_add(struct wtx *w, const struct entity *en, int64_t id,
			 const json_t *body, json_t **out, struct err *e);
enum err_code shares_remove(struct wtx *w, const struct entity *en, int64_t id,
			    int64_t share_id, struct err *e);

#endif
