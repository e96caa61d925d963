/* SPDX-License-Identifier: MIT */
/* A customer as a whole: the 360° view, its likely duplicates, merging
 * one into another and undoing that. */
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "domain/duplicates.h"
#include "domain/merge.h"
#include "domain/overview.h"
#include "engine/record.h"

/* ---- the 360° view ---- */

static void
access_of_caller(const struct entity *en, struct access *out, void *ctx)
{
	req_access_for(ctx, en, ACT_READ, out);
}

enum err_code
api_customer_overview(struct req *r)
{
	static const char *const known[] = { "limit", NULL };
	const char *limit = req_query(r, "limit");
	struct store_conn *c;
	int64_t id;
	long n = 50;
	json_t *out;

	if (req_known_query(r, known) != ERR_OK)
		return r->err.code;
	if (limit) {
		char *end;
		n = strtol(limit, &end, 10);
		if (*limit == '\0' || *end || n < 1 || n > OVERVIEW_TIMELINE_MAX)
			return err_set(&r->err, ERR_BADREQ, "limit must be an integer from 1 to %d",
				       OVERVIEW_TIMELINE_MAX);
	}
	if (req_id(r, &id) != ERR_OK || !(c = store_reader(req_store(r), &r->err)) ||
	    overview_build(c, id, (int)n, access_of_caller, r, &out, &r->err) != ERR_OK)
		return r->err.code;
	return reply_json(r, 200, out);
}

/* ---- duplicates ---- */

static enum err_code
reply_duplicates(struct req *r, const json_t *rec)
{
	struct store_conn *c;
	struct access acc;
	json_t *found;

	req_access(r, ACT_READ, &acc);
	if (!(c = store_reader(req_store(r), &r->err)) ||
	    duplicates_find(c, rec, &acc, &found, &r->err) != ERR_OK)
		return r->err.code;
	return reply_json(r, 200, json_pack("{s:o,s:i}", "data", found, "threshold", DUPLICATE_THRESHOLD));
}

enum err_code
api_customer_duplicates(struct req *r)
{
	struct store_conn *c;
	struct access acc;
	int64_t id;
	json_t *rec;

	req_access(r, ACT_READ, &acc);
	if (req_id(r, &id) != ERR_OK || !(c = store_reader(req_store(r), &r->err)) ||
	    record_get(c, r->entity, id, false, &acc, &rec, &r->err) != ERR_OK)
		return r->err.code;
	enum err_code rc = reply_duplicates(r, rec);
	json_decref(rec);
	return rc;
}

/* A customer not saved yet (the form being filled, a row being imported):
 * who it may duplicate. */
enum err_code
api_customer_duplicates_check(struct req *r)
{
	json_t *body;
	enum err_code rc;

	if ((rc = req_json_body(r, &body)) != ERR_OK)
		return rc;
	json_object_del(body, "id");	/* not saved: nobody to leave out */
	rc = reply_duplicates(r, body);
	json_decref(body);
	return rc;
}

/* ---- merge and undo ---- */

struct merge_job {
	struct actor who;
	struct access acc;
	int64_t id, duplicate;
	json_t *choices;	/* owned */
	json_t *out;
};

static void
merge_job_release(void *p)
{
	struct merge_job *j = p;

	json_decref(j->choices);
	json_decref(j->out);
}

static struct merge_job *
merge_job_new(struct req *r)
{
	struct merge_job *j = arena_alloc(r->arena, sizeof(*j));

	req_actor(r, &j->who);
	req_access(r, ACT_UPDATE, &j->acc);
	arena_defer(r->arena, merge_job_release, j);
	return j;
}

static enum err_code
merge_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct merge_job *j = ctx;
	struct wtx w;

	wtx_init(&w, c, &j->who, &j->acc);
	if (j->duplicate)
		return merge_customers(&w, j->id, j->duplicate, j->choices, &j->out, e);
	return merge_undo(&w, j->id, &j->out, e);
}

static enum err_code
merged(struct req *r)
{
	struct merge_job *j = r->async_ctx;

	return reply_json(r, 200, json_incref(j->out));
}

enum err_code
api_customer_merge(struct req *r)
{
	struct merge_job *j = merge_job_new(r);
	json_t *body;
	enum err_code rc;

	if ((rc = req_id(r, &j->id)) != ERR_OK || (rc = req_json_body(r, &body)) != ERR_OK)
		return rc;
	json_t *dup = json_object_get(body, "duplicate_id");
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v)
		if (strcmp(key, "duplicate_id") && strcmp(key, "fields"))
			err_field(&r->err, key, "is not a merge option (use duplicate_id, fields)");
	if (!json_is_integer(dup) || json_integer_value(dup) <= 0)
		err_field(&r->err, "duplicate_id", "must be the id of the customer to merge in");
	if (r->err.fields) {
		json_decref(body);
		return err_set(&r->err, ERR_INVALID, "the merge request is invalid");
	}
	j->duplicate = json_integer_value(dup);
	j->choices = json_incref(json_object_get(body, "fields"));
	json_decref(body);
	return req_write(r, merge_run, j, merged);
}

enum err_code
api_merge_undo(struct req *r)
{
	struct merge_job *j = merge_job_new(r);
	enum err_code rc;

	/* the caller's scope on customers, not on a "merges" entity */
	req_access_for(r, registry_find("customers"), ACT_UPDATE, &j->acc);
	if ((rc = req_id(r, &j->id)) != ERR_OK)
		return rc;
	return req_write(r, merge_run, j, merged);
}

static enum err_code
read_merges(struct store_conn *c, const struct entity *en, int64_t id, const struct access *acc,
	    json_t **out, struct err *e)
{
	json_t *rec;

	if (record_get(c, en, id, false, acc, &rec, e) != ERR_OK)
		return e->code;
	json_decref(rec);
	return merge_list(c, id, out, e);
}

enum err_code
api_customer_merges(struct req *r)
{
	return req_read_one(r, read_merges);
}
