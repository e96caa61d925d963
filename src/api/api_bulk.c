/* SPDX-License-Identifier: MIT */
/* Bulk actions on any entity's list (domain/bulk.h): POST
 * /api/v1/{entity}/bulk checks the request and chooses the records, then
 * answers 202 with the background job, whose progress and failures are at
 * /api/v1/bulk_jobs/{id} (its user's, and admins'). */
#include <stdio.h>
#include <string.h>
#include "api/api.h"
#include "domain/bulk.h"

struct bulk_post {
	struct bulk_request q;
	struct bulk_job *job;	/* ours until the queue takes it */
};

static void
bulk_post_release(void *p)
{
	struct bulk_post *b = p;

	bulk_request_release(&b->q);
	bulk_job_free(b->job);
}

static enum err_code
record_job(struct store_conn *c, void *ctx, struct err *e)
{
	struct bulk_post *b = ctx;

	return bulk_job_record(c, b->job, e);
}

/* The job is recorded as queued: start it and answer where to follow it. */
static enum err_code
bulk_started(struct req *r)
{
	struct bulk_post *b = r->async_ctx;
	struct bulk_job *j = b->job;
	int64_t id = bulk_job_id(j);
	char href[64];

	b->job = NULL;
	if (bulk_job_start(j, &r->err) != ERR_OK)
		return r->err.code;
	snprintf(href, sizeof(href), "/api/v1/bulk_jobs/%lld", (long long)id);
	req_add_header(r, "Location", href);
	return reply_json(r, 202, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "status", "queued",
					    "href", href));
}

enum err_code
api_bulk_create(struct req *r)
{
	struct bulk_post *b = arena_alloc(r->arena, sizeof(*b));
	struct store_conn *c;
	struct access acc;
	json_t *body;
	int64_t *ids;
	size_t n;
	enum err_code rc;

	arena_defer(r->arena, bulk_post_release, b);
	if ((rc = req_json_body(r, &body)) != ERR_OK)
		return rc;
	req_access(r, ACT_UPDATE, &acc);
	if (!(c = store_reader(req_store(r), &r->err))) {
		json_decref(body);
		return r->err.code;
	}
	rc = bulk_request_parse(c, r->entity, body, &acc, &b->q, &r->err);
	json_decref(body);
	if (rc != ERR_OK)
		return rc;
	rc = bulk_select(c, &b->q, &acc, &ids, &n, &r->err);
	if (b->q.dry_run && (rc == ERR_OK || n > BULK_MAX)) {
		/* a count for "select all N matching"; past the bound, one more */
		free(ids);
		err_clear(&r->err);
		return reply_json(r, 200, json_pack("{s:I,s:I}", "total", (json_int_t)n, "max", (json_int_t)BULK_MAX));
	}
	if (rc != ERR_OK) {
		free(ids);
		return rc;
	}
	struct actor who;
	req_actor(r, &who);
	b->job = bulk_job_new(req_store(r), &b->q, &who, &acc, ids, n);
	return req_write(r, record_job, b, bulk_started);
}

enum err_code
api_bulk_job_get(struct req *r)
{
	int64_t id;
	struct store_conn *c;
	json_t *out;
	int64_t viewer = req_job_owner(r);

	if (req_id(r, &id) != ERR_OK || !(c = store_reader(req_store(r), &r->err)) ||
	    bulk_job_get(c, id, viewer, &out, &r->err) != ERR_OK)
		return r->err.code;
	return reply_json(r, 200, out);
}
