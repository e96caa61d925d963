/* SPDX-License-Identifier: MIT */
/* Bulk actions on a list's records: assign an owner, add a tag, remove a
 * tag, for any entity that has an owner or tags. The records are chosen by
 * id or by the list's filters and q (what the list shows the caller), at
 * most BULK_MAX at once. Each record is changed through the engine's
 * normal update (validated, versioned, in its history, within the caller's
 * update scope) in a savepoint of its own: a record the caller may not
 * change, or that fails validation, is reported with the reason and left
 * as it was. The work runs as a background job, BULK_BATCH records per
 * write transaction, its progress and failures in the table bulk_jobs
 * (migration 12). */
#ifndef GX_BULK_H
#define GX_BULK_H

#include <jansson.h>
#include "engine/entity.h"
#include "engine/query.h"

#define BULK_MAX 10000		/* records per request */
#define BULK_BATCH 100		/* records per write transaction */
#define BULK_MAX_ERRORS 1000	/* failures kept with their reason */

enum bulk_action { BULK_ASSIGN_OWNER, BULK_ADD_TAG, BULK_REMOVE_TAG };

/* A request, checked: what to do and to which records. */
struct bulk_request {
	const struct entity *en;
	enum bulk_action action;
	json_t *value;		/* the owner's id or the tag (owned) */
	bool dry_run;		/* only count the records chosen */
	json_t *ids;		/* the records by id (owned), or NULL: by the list */
	json_t *body;		/* owned: list's strings point into it */
	struct list_params list;	/* filters and q when ids is NULL */
};

/* Check body: {"action", "value", "ids": [...]} or {"action", "value",
 * "filters": [...], "q": "..."}, with "dry_run": true to count only
 * (action and value may then be left out). acc is the caller's update
 * access to en; the filters and q are checked as the list checks them.
 * ERR_INVALID with field errors; release q either way. */
enum err_code bulk_request_parse(struct store_conn *c, const struct entity *en, const json_t *body,
				 const struct access *acc, struct bulk_request *q, struct err *e);
void bulk_request_release(struct bulk_request *q);

/* The ids chosen, in order (malloc'd, yours): the ids given, or the
 * records the list shows acc. More than BULK_MAX → ERR_INVALID, with
 * *n = BULK_MAX + 1. */
enum err_code bulk_select(struct store_conn *c, const struct bulk_request *q,
			  const struct access *acc, int64_t **ids, size_t *n, struct err *e);

/* A job: the request's action on the chosen ids, by who with acc. */
struct bulk_job;
/* Takes ids; copies the rest. */
struct bulk_job *bulk_job_new(struct store *s, const struct bulk_request *q, const struct actor *who,
			      const struct access *acc, int64_t *ids, size_t n);
void bulk_job_free(struct bulk_job *j);	/* NULL is fine */
int64_t bulk_job_id(const struct bulk_job *j);
/* Inside a write job: record the job as queued (its id is set). */
enum err_code bulk_job_record(struct store_conn *c, void *job, struct err *e);
/* Run it in the background (taking j whatever happens); ERR_UNAVAILABLE
 * when the server is stopping. */
enum err_code bulk_job_start(struct bulk_job *j, struct err *e);

/* A job as JSON: {"id", "entity", "user", "action", "value",
 * "selection", "status", "message", "total", "processed", "changed",
 * "skipped", "failed", "errors": [{"id", "code", "reason"}], "created_at",
 * "updated_at"}; seen by its user (user_id) or anyone when user_id is 0;
 * ERR_NOTFOUND otherwise. */
enum err_code bulk_job_get(struct store_conn *c, int64_t id, int64_t user_id, json_t **out,
			   struct err *e);

/* At start: jobs left queued or running by a stop are "interrupted". */
enum err_code bulk_mark_interrupted(struct store *s, struct err *e);
/* At stop: the running job ends after its batch; wait for it. */
void bulk_jobs_stop(void);

#endif
