/* SPDX-License-Identifier: MIT */
/* Per-record history: who changed what, when, from which value to which.
 * Written in the same transaction as the change it records. */
#ifndef GX_AUDIT_H
#define GX_AUDIT_H

#include <jansson.h>
#include "engine/entity.h"

/* Append a history row; changes is the JSON text [{field,old,new}], or
 * NULL for none. */
enum err_code audit_record(struct wtx *w, const struct entity *en, int64_t id,
			   const char *action, const char *changes, struct err *e);

/* {"data":[{id, at, user_id, user, action, changes}]} oldest first, for a
 * record that exists or existed (deleted ones too) and that acc may see;
 * 404 otherwise. */
enum err_code audit_history(struct store_conn *c, const struct entity *en, int64_t id,
			    const struct access *acc, json_t **out, struct err *e);

#endif
