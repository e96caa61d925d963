/* SPDX-License-Identifier: MIT */
/* Retention policies, for admins: manage them, see what they would take
 * (the dry run) and run them now. Each change and each run is in the
 * audit log; the policies themselves are domain/retention.c. */
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "domain/retention.h"
#include "engine/audit.h"
#include "util/jsonx.h"
#include "util/timeutil.h"

struct policy_job {
	struct store *store;
	struct actor who;
	char ip[64];
	int64_t id;		/* 0 = a new policy */
	json_t *policy;		/* checked; NULL = remove */
	json_t *out;		/* the stored policy */
	int status;		/* of the answer with out */
	const char *as_of;
	int64_t only;		/* a run of one policy; 0 = all */
};

static void
policy_job_release(void *p)
{
	struct policy_job *j = p;

	json_decref(j->policy);
	json_decref(j->out);
	}

static struct policy_job *
policy_job_new(struct req *r)
{
	struct policy_job *j = arena_alloc(r->arena, sizeof(*j));

	j->store = req_store(r);
	req_actor(r, &j->who);
	req_client_ip(r, j->ip, sizeof(j->ip));
	arena_defer(r->arena, policy_job_release, j);
	return j;
}

/* Save or remove, and record it (before and after) in the audit log. */
static enum err_code
policy_write(struct store_conn *c, void *ctx, struct err *e)
{
	struct policy_job *j = ctx;
	char now[TIME_STR_LEN];
	json_t *before = NULL;
	const char *action = !j->policy ? "retention_policy_removed"
			     : j->id ? "retention_policy_changed" : "retention_policy_created";
	enum err_code rc;

	time_format(time_now_ms(), now);
	if (j->id && (rc = retention_policy_get(c, j->id, &before, e)) != ERR_OK)
		return rc;
	rc = j->policy ? retention_policy_save(c, &j->id, j->policy, now, e)
		       : retention_policy_remove(c, j->id, e);
	if (rc == ERR_OK && j->policy)
		rc = retention_policy_get(c, j->id, &j->out, e);
	if (rc == ERR_OK) {
		json_t *d = json_pack("{s:I,s:O,s:O}", "policy_id", (json_int_t)j->id,
				      "before", before ? before : json_null(),
				      "after", j->out ? j->out : json_null());
		char *detail = jsonx_dump(d, NULL);
		json_decref(d);
		rc = audit_event_write(c, now, j->who.user_id, j->who.name, action, j->ip, detail, e);
		free(detail);
	}
	json_decref(before);
	return rc;
}

/* The continuation of every job here: j->out with j->status. */
static enum err_code
reply_out(struct req *r)
{
	struct policy_job *j = r->async_ctx;

	return reply_json(r, j->status, json_incref(j->out));
}

enum err_code
api_retention_list(struct req *r)
{
	struct store_conn *c = store_reader(req_store(r), &r->err);
	json_t *out;

	if (!c || retention_policy_list(c, &out, &r->err) != ERR_OK)
		return r->err.code;
	return reply_json(r, 200, out);
}

enum err_code
api_retention_get(struct req *r)
{
	struct store_conn *c;
	int64_t id;
	json_t *out;

	if (req_id(r, &id) != ERR_OK || !(c = store_reader(req_store(r), &r->err)) ||
	    retention_policy_get(c, id, &out, &r->err) != ERR_OK)
		return r->err.code;
	return reply_json(r, 200, out);
}

/* Check the body (merged over old for a PATCH) and store it; the answer
 * is the stored policy with `status`. */
static enum err_code
save_policy(struct req *r, struct policy_job *j, const json_t *old, int status)
{
	json_t *body;
	enum err_code rc;

	if ((rc = req_json_body(r, &body)) != ERR_OK)
		return rc;
	rc = retention_policy_check(body, old, &j->policy, &r->err);
	json_decref(body);
	if (rc != ERR_OK)
		return rc;
	j->status = status;
	return req_write(r, policy_write, j, reply_out);
}

enum err_code
api_retention_create(struct req *r)
{
	return save_policy(r, policy_job_new(r), NULL, 201);
}

enum err_code
api_retention_update(struct req *r)
{
	struct policy_job *j = policy_job_new(r);
	struct store_conn *c;
	json_t *old;
	enum err_code rc;

	if (req_id(r, &j->id) != ERR_OK || !(c = store_reader(req_store(r), &r->err)) ||
	    retention_policy_get(c, j->id, &old, &r->err) != ERR_OK)
		return r->err.code;
	rc = save_policy(r, j, old, 200);
	json_decref(old);
	return rc;
}

enum err_code
api_retention_remove(struct req *r)
{
	struct policy_job *j = policy_job_new(r);

	if (req_id(r, &j->id) != ERR_OK)
		return r->err.code;
	return req_write(r, policy_write, j, reply_no_content);
}

/* A positive integer query parameter (absent: def), else 400 naming it. */
static enum err_code
query_int(struct req *r, const char *name, int64_t def, int64_t max, int64_t *out)
{
	const char *s = req_query(r, name);
	char *end;

	*out = def;
	if (!s)
		return ERR_OK;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < 1 || v > max)
		return err_set(&r->err, ERR_BADREQ, "%s must be a whole number from 1 to %lld", name,
			       (long long)max);
	*out = v;
	return ERR_OK;
}

/* as_of: the given RFC 3339 time (normalised) or now. */
static enum err_code
as_of_text(struct req *r, const char *given, const char **out)
{
	int64_t ms = time_now_ms();
	char *t = arena_alloc(r->arena, TIME_STR_LEN);

	if (given && !time_parse_datetime(given, &ms))
		return err_set(&r->err, ERR_BADREQ, "as_of must be an RFC 3339 date-time");
	time_format(ms, t);
	*out = t;
	return ERR_OK;
}

enum err_code
api_retention_preview(struct req *r)
{
	struct store_conn *c;
	int64_t policy, limit;
	const char *as_of;
	json_t *out;

	if (query_int(r, "policy", 0, INT64_MAX, &policy) != ERR_OK ||
	    query_int(r, "limit", 100, RETENTION_PREVIEW_MAX, &limit) != ERR_OK ||
	    as_of_text(r, req_query(r, "as_of"), &as_of) != ERR_OK ||
	    !(c = store_reader(req_store(r), &r->err)) ||
	    retention_preview(c, as_of, policy, req_query(r, "cursor"), limit, &out, &r->err) != ERR_OK)
		return r->err.code;
	return reply_json(r, 200, out);
}

/* On the pool for slow work: a run is many write jobs. */
static enum err_code
run_now(struct store_conn *c, void *ctx, struct err *e)
{
	struct policy_job *j = ctx;

	(void)c;
	return retention_run(j->store, &j->who, j->ip, j->as_of, j->only, "api", &j->out, e);
}

enum err_code
api_retention_run(struct req *r)
{
	struct policy_job *j = policy_job_new(r);
	json_t *body = NULL, *as_of = NULL, *policy = NULL;
	const char *k;
	json_t *v;
	enum err_code rc;

	if (r->body.len) {
		if ((rc = req_json_body(r, &body)) != ERR_OK)
			return rc;
		json_object_foreach(body, k, v)
			if (strcmp(k, "as_of") && strcmp(k, "policy"))
				err_field(&r->err, k, "unknown field");
		as_of = json_object_get(body, "as_of");
		policy = json_object_get(body, "policy");
		int64_t ms;
		if (as_of && (!json_is_string(as_of) || !time_parse_datetime(json_string_value(as_of), &ms)))
			err_field(&r->err, "as_of", "must be an RFC 3339 date-time");
		if (policy && (!json_is_integer(policy) || json_integer_value(policy) < 1))
			err_field(&r->err, "policy", "must be the id of a retention policy");
	}
	if (!r->err.fields) {
		j->only = json_integer_value(policy);
		rc = as_of_text(r, json_string_value(as_of), &j->as_of);
	} else {
		rc = err_set(&r->err, ERR_INVALID, "the run is invalid");
	}
	json_decref(body);
	if (rc != ERR_OK)
		return rc;
	j->status = 200;
	return req_offload(r, run_now, j, reply_out);
}
