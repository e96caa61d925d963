/* SPDX-License-Identifier: MIT */
/* A record's shares: who else may see or edit it. */
#include <stdlib.h>
#include "api/api.h"
#include "engine/shares.h"

struct share_job {
	const struct entity *en;
	struct actor who;
	struct access acc;
	int64_t id, share_id;
	json_t *body;		/* add only; owned */
	json_t *out;
};

static void
share_job_release(void *p)
{
	struct share_job *j = p;

	json_decref(j->body);
	json_decref(j->out);
}

static struct share_job *
share_job_new(struct req *r)
{
	struct share_job *j = arena_alloc(r->arena, sizeof(*j));

	j->en = r->entity;
	req_actor(r, &j->who);
	req_access(r, ACT_UPDATE, &j->acc);
	j->acc.act_shares = SHARES_NONE;	/* a share does not let one share further */
	arena_defer(r->arena, share_job_release, j);
	return j;
}

static enum err_code
share_job_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct share_job *j = ctx;
	struct wtx w;

	wtx_init(&w, c, &j->who, &j->acc);
	if (j->body)
		return shares_add(&w, j->en, j->id, j->body, &j->out, e);
	return shares_remove(&w, j->en, j->id, j->share_id, e);
}

static enum err_code
shared(struct req *r)
{
	struct share_job *j = r->async_ctx;

	return reply_json(r, 201, json_incref(j->out));
}

enum err_code
api_shares_list(struct req *r)
{
	return req_read_one(r, shares_list);
}

enum err_code
api_shares_add(struct req *r)
{
	struct share_job *j = share_job_new(r);
	enum err_code rc;

	if ((rc = req_id(r, &j->id)) != ERR_OK || (rc = req_json_body(r, &j->body)) != ERR_OK)
		return rc;
	return req_write(r, share_job_run, j, shared);
}

enum err_code
api_shares_remove(struct req *r)
{
	struct share_job *j = share_job_new(r);
	const char *s = req_param(r, "share");
	char *end;
	enum err_code rc;

	if ((rc = req_id(r, &j->id)) != ERR_OK)
		return rc;
	j->share_id = s ? strtoll(s, &end, 10) : 0;
	if (!s || *end || j->share_id <= 0)
		return err_set(&r->err, ERR_NOTFOUND, "no share %.20s", s ? s : "");
	return req_write(r, share_job_run, j, reply_no_content);
}
