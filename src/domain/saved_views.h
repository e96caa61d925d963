/* SPDX-License-Identifier: MIT */
/* Saved views: a user's named list settings (filters, q, sort, columns)
 * for one entity's list, one of them the default. Each user sees and
 * changes only their own; names are unique per user and entity. A view
 * holds only what the list accepts: its filters, sort, q and columns are
 * checked by the engine's list parser (query_check) with the owner's
 * access. Stored in the table saved_views (migration 11).
 *
 *   {"id", "name", "entity", "filters": ["city:eq:台北"], "q": null,
 *    "sort": "-updated_at", "columns": ["name", "city"], "is_default": false,
 *    "created_at", "updated_at", "version"} */
#ifndef GX_SAVED_VIEWS_H
#define GX_SAVED_VIEWS_H

#include <jansson.h>
#include "engine/entity.h"

#define VIEWS_MAX 100		/* views per user */
#define VIEW_NAME_MAX 100	/* code points */

/* Check body (a POST's, or a PATCH's merged over old, the stored view) for
 * a caller with role and list access acc: the complete view in *out (new
 * reference, without id and times). ERR_INVALID with field errors, or
 * ERR_FORBIDDEN when the role may not read the entity. */
enum err_code saved_view_check(const json_t *body, const json_t *old, const char *role,
			       const struct access *acc, json_t **out, struct err *e);

/* {"data":[view…]} of user, by entity then name; entity NULL = all. */
enum err_code saved_view_list(struct store_conn *c, int64_t user, const char *entity, json_t **out,
			      struct err *e);
/* One of user's views; ERR_NOTFOUND for another user's or none. */
enum err_code saved_view_get(struct store_conn *c, int64_t user, int64_t id, json_t **out,
			     struct err *e);
/* Inside a write job: store a checked view (*id 0 = a new one; *id is
 * set), making it the only default of its entity if it is one. 409 for a
 * name the user has already for the entity, 422 past VIEWS_MAX. */
enum err_code saved_view_save(struct store_conn *c, int64_t user, int64_t *id, const json_t *view,
			      const char *now, struct err *e);
enum err_code saved_view_remove(struct store_conn *c, int64_t user, int64_t id, struct err *e);

#endif
