/* SPDX-License-Identifier: MIT */
/* The customer 360° view: one customer's profile, the records under it,
 * one timeline, open items and key figures, gathered from every entity
 * that declares a parent customer (and a timeline_def to be on the
 * timeline), each within the caller's access. */
#ifndef GX_OVERVIEW_H
#define GX_OVERVIEW_H

#include <jansson.h>
#include "engine/entity.h"

#define OVERVIEW_TIMELINE_MAX 100	/* newest items on the timeline */
#define OVERVIEW_RELATED_MAX 100	/* records per related entity */

/* The caller's access to en (reads). */
typedef void overview_access_fn(const struct entity *en, struct access *out, void *ctx);

/* The overview of customer id, or ERR_NOTFOUND if the caller cannot see it.
 * timeline_limit: at most that many timeline items (1..OVERVIEW_TIMELINE_MAX). */
enum err_code overview_build(struct store_conn *c, int64_t id, int timeline_limit,
			     overview_access_fn *access_of, void *ctx, json_t **out,
			     struct err *e);

#endif
