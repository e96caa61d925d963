/* SPDX-License-Identifier: MIT */
/* Merging a duplicate customer into the one that stays (the survivor):
 *
 *   - every record under the duplicate (identifiers, contacts, the
 *     timeline, consents ...) moves to the survivor;
 *   - each field keeps the survivor's value, unless it is empty and the
 *     duplicate has one, or the caller chose the duplicate's ("fields":
 *     {"email": "duplicate"}); tags are joined; custom fields likewise;
 *   - the duplicate is deleted (soft), the merge kept and audited;
 *   - within MERGE_UNDO_DAYS the merge can be undone: the records move
 *     back, the duplicate returns, and the survivor's fields the merge
 *     changed get their old values back (unless changed again since). */
#ifndef GX_MERGE_H
#define GX_MERGE_H

#include <jansson.h>
#include "engine/entity.h"

#define MERGE_UNDO_DAYS 30

/* Merge customer duplicate into survivor; choices is NULL or an object
 * field → "survivor" | "duplicate". *out: {merge: {...}, customer: {...}}. */
enum err_code merge_customers(struct wtx *w, int64_t survivor, int64_t duplicate,
			      const json_t *choices, json_t **out, struct err *e);

/* Undo merge id. *out: {merge: {...}, customer: {...}, duplicate: {...},
 * kept: [fields changed since the merge, left as they are]}. */
enum err_code merge_undo(struct wtx *w, int64_t id, json_t **out, struct err *e);

/* The merges into customer id (newest first), as {data: [...]}. */
enum err_code merge_list(struct store_conn *c, int64_t customer, json_t **out, struct err *e);

#endif
