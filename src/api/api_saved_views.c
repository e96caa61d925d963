/* SPDX-License-Identifier: MIT */
/* Saved views of the lists (domain/saved_views.h): each signed-in user
 * manages their own; another user's view is "not found". Creating,
 * changing and removing one is in the audit log (view_created,
 * view_changed, view_removed, with the view before and after). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "domain/saved_views.h"
#include "engine/audit.h"
#include "util/jsonx.h"
#include "util/timeutil.h"

struct view_job {
	struct actor who;
	char ip[64];
	int64_t id;		/* 0 = a new view */
	json_t *view;		/* checked; NULL = remove */
	json_t *out;		/* the stored view */
	int status;		/* of the answer */
};

static void
view_job_release(void *p)
{
	struct view_job *j = p;

	json_decref(j->view);
	json_decref(j->out);
}

static struct view_job *
view_job_new(struct req *r)
{
	struct view_job *j = arena_alloc(r->arena, sizeof(*j));

	req_actor(r, &j->who);
	req_client_ip(r, j->ip, sizeof(j->ip));
	arena_defer(r->arena, view_job_release, j);
	return j;
}

/* Save or remove, with the audit event, in one transaction. */
static enum err_code
view_write(struct store_conn *c, void *ctx, struct err *e)
{
	struct view_job *j = ctx;
	char now[TIME_STR_LEN];
	json_t *before = NULL;
	const char *action = !j->view ? "view_removed" : j->id ? "view_changed" : "view_created";
	enum err_code rc;

	time_format(time_now_ms(), now);
	if (j->id && (rc = saved_view_get(c, j->who.user_id, j->id, &before, e)) != ERR_OK)
		return rc;
	rc = j->view ? saved_view_save(c, j->who.user_id, &j->id, j->view, now, e)
		     : saved_view_remove(c, j->who.user_id, j->id, e);
	if (rc == ERR_OK && j->view)
		rc = saved_view_get(c, j->who.user_id, j->id, &j->out, e);
	if (rc == ERR_OK) {
		json_t *d = json_pack("{s:I,s:O,s:O}", "view_id", (json_int_t)j->id,
				      "before", before ? before : json_null(), "after", j->out ? j->out : json_null());
		char *detail = jsonx_dump(d, NULL);
		json_decref(d);
		rc = audit_event_write(c, now, j->who.user_id, j->who.name, action, j->ip, detail, e);
		free(detail);
	}
	json_decref(before);
	return rc;
}

static enum err_code
view_saved(struct req *r)
{
	struct view_job *j = r->async_ctx;
	char loc[64];

	if (j->status == 201) {
		snprintf(loc, sizeof(loc), "/api/v1/views/%lld", (long long)j->id);
		req_add_header(r, "Location", loc);
	}
	return reply_json(r, j->status, json_incref(j->out));
}

enum err_code
api_views_list(struct req *r)
{
	static const char *const known[] = { "entity", NULL };
	struct store_conn *c;
	json_t *out;

	if (req_known_query(r, known) != ERR_OK || !(c = store_reader(req_store(r), &r->err)) ||
	    saved_view_list(c, r->who.user_id, req_query(r, "entity"), &out, &r->err) != ERR_OK)
		return r->err.code;
	return reply_json(r, 200, out);
}

enum err_code
api_views_get(struct req *r)
{
	struct store_conn *c;
	int64_t id;
	json_t *out;

	if (req_id(r, &id) != ERR_OK || !(c = store_reader(req_store(r), &r->err)) ||
	    saved_view_get(c, r->who.user_id, id, &out, &r->err) != ERR_OK)
		return r->err.code;
	return reply_json(r, 200, out);
}

/* Check the body (over old for a PATCH) with the caller's list access of
 * its entity, then store it. */
static enum err_code
save_view(struct req *r, struct view_job *j, const json_t *old, int status)
{
	json_t *body;
	struct access acc;
	enum err_code rc;

	if ((rc = req_json_body(r, &body)) != ERR_OK)
		return rc;
	json_t *entity = json_object_get(body, "entity");
	if (!json_is_string(entity))
		entity = json_object_get(old, "entity");
	req_access_for(r, json_is_string(entity) ? registry_find(json_string_value(entity)) : NULL,
		       ACT_READ, &acc);
	rc = saved_view_check(body, old, r->who.role, &acc, &j->view, &r->err);
	json_decref(body);
	if (rc != ERR_OK)
		return rc;
	j->status = status;
	return req_write(r, view_write, j, view_saved);
}

enum err_code
api_views_create(struct req *r)
{
	return save_view(r, view_job_new(r), NULL, 201);
}

enum err_code
api_views_update(struct req *r)
{
	struct view_job *j = view_job_new(r);
	struct store_conn *c;
	json_t *old;
	enum err_code rc;

	if (req_id(r, &j->id) != ERR_OK || !(c = store_reader(req_store(r), &r->err)) ||
	    saved_view_get(c, r->who.user_id, j->id, &old, &r->err) != ERR_OK)
		return r->err.code;
	rc = save_view(r, j, old, 200);
	json_decref(old);
	return rc;
}

enum err_code
api_views_remove(struct req *r)
{
	struct view_job *j = view_job_new(r);

	if (req_id(r, &j->id) != ERR_OK)
		return r->err.code;
	return req_write(r, view_write, j, reply_no_content);
}
