/* SPDX-License-Identifier: MIT */
/* The signed-in user's own preferences (domain/preferences.h): read, and
 * changed by PATCH with the change in the audit log (before and after). */
#include <stdlib.h>
#include "api/api.h"
#include "domain/preferences.h"
#include "engine/audit.h"
#include "util/jsonx.h"
#include "util/timeutil.h"

struct prefs_job {
	struct actor who;
	char ip[64];
	json_t *patch;		/* the body */
	json_t *out;		/* the preferences as stored */
};

static void
prefs_job_release(void *p)
{
	struct prefs_job *j = p;

	json_decref(j->patch);
	json_decref(j->out);
}

/* Read, apply and store in one transaction, so two changes at once both
 * land; the audit event commits with them. */
static enum err_code
prefs_write(struct store_conn *c, void *ctx, struct err *e)
{
	struct prefs_job *j = ctx;
	char now[TIME_STR_LEN];
	json_t *before;
	enum err_code rc;

	time_format(time_now_ms(), now);
	if ((rc = preferences_get(c, j->who.user_id, &before, e)) != ERR_OK)
		return rc;
	if ((rc = preferences_apply(j->patch, before, &j->out, e)) == ERR_OK &&
	    (rc = preferences_save(c, j->who.user_id, j->out, now, e)) == ERR_OK) {
		json_t *d = json_pack("{s:O,s:O}", "before", before, "after", j->out);
		char *detail = jsonx_dump(d, NULL);
		json_decref(d);
		rc = audit_event_write(c, now, j->who.user_id, j->who.name, "preferences_changed", j->ip,
				       detail, e);
		free(detail);
	}
	json_decref(before);
	return rc;
}

static enum err_code
prefs_saved(struct req *r)
{
	struct prefs_job *j = r->async_ctx;

	return reply_json(r, 200, json_incref(j->out));
}

enum err_code
api_preferences_get(struct req *r)
{
	struct store_conn *c = store_reader(req_store(r), &r->err);
	json_t *out;

	if (!c || preferences_get(c, r->who.user_id, &out, &r->err) != ERR_OK)
		return r->err.code;
	return reply_json(r, 200, out);
}

enum err_code
api_preferences_update(struct req *r)
{
	struct prefs_job *j = arena_alloc(r->arena, sizeof(*j));
	struct store_conn *c;
	json_t *now, *checked;
	enum err_code rc;

	arena_defer(r->arena, prefs_job_release, j);
	req_actor(r, &j->who);
	req_client_ip(r, j->ip, sizeof(j->ip));
	if ((rc = req_json_body(r, &j->patch)) != ERR_OK)
		return rc;
	/* checked here first, so a bad change is a 422 without a write */
	if (!(c = store_reader(req_store(r), &r->err)) ||
	    preferences_get(c, r->who.user_id, &now, &r->err) != ERR_OK)
		return r->err.code;
	rc = preferences_apply(j->patch, now, &checked, &r->err);
	json_decref(now);
	json_decref(checked);
	if (rc != ERR_OK)
		return rc;
	return req_write(r, prefs_write, j, prefs_saved);
}
