/* SPDX-License-Identifier: MIT */
/* Users, for admins: create, change role, team or password, disable and
 * enable, remove. Each
 * change and its audit event commit together; password hashing runs on
 * the pool for slow work. Everyone signed in may list users (to choose an
 * owner). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "engine/audit.h"
#include "util/timeutil.h"

struct user_job {
	struct store *store;
	int64_t actor_id;
	const char *actor;
	char ip[64];
	int64_t id;		/* the user changed; set on create */
	const char *name, *role, *password;	/* arena copies; the password is wiped */
	bool set_team, remove;
	int disable;		/* 1 disable, 0 enable, -1 unchanged */
	int64_t team_id;
	char hash[crypto_pwhash_STRBYTES];
	json_t *before, *out;
};

static void
user_job_release(void *p)
{
	struct user_job *j = p;

	if (j->password)
		sodium_memzero((char *)j->password, strlen(j->password));
	sodium_memzero(j->hash, sizeof(j->hash));
	json_decref(j->before);
	json_decref(j->out);
}

static struct user_job *
user_job_new(struct req *r)
{
	struct user_job *j = arena_alloc(r->arena, sizeof(*j));

	j->store = req_store(r);
	j->disable = -1;
	j->actor_id = r->who.user_id;
	j->actor = r->who.name;
	req_client_ip(r, j->ip, sizeof(j->ip));
	arena_defer(r->arena, user_job_release, j);
	return j;
}

/* The team must exist (0 = none). */
static enum err_code
check_team(struct store_conn *c, int64_t team_id, struct err *e)
{
	if (!team_id)
		return ERR_OK;
	struct stmt *st = store_prepare(c, "SELECT 1 FROM teams WHERE id = ? AND deleted_at IS NULL", e);
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, team_id);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	if (rc == 0) {
		err_field(e, "team_id", "no team with id %lld", (long long)team_id);
		return err_set(e, ERR_INVALID, "1 field is invalid");
	}
	return ERR_OK;
}

static enum err_code
audit_user(struct store_conn *c, const struct user_job *j, const char *action, struct err *e)
{
	json_t *d = json_pack("{s:I,s:O,s:O}", "user_id", (json_int_t)j->id,
			      "before", j->before ? j->before : json_null(),
			      "after", j->out ? j->out : json_null());
	if (j->hash[0])
		json_object_set_new(d, "password", json_string("changed"));
	char *detail = json_dumps(d, JSON_COMPACT), at[TIME_STR_LEN];
	json_decref(d);
	time_format(time_now_ms(), at);
	enum err_code rc = audit_event_write(c, at, j->actor_id, j->actor, action, j->ip, detail, e);
	free(detail);
	return rc;
}

static enum err_code
create_write(struct store_conn *c, void *ctx, struct err *e)
{
	struct user_job *j = ctx;

	if (check_team(c, j->team_id, e) != ERR_OK ||
	    user_insert(c, j->name, j->role, j->team_id, j->hash, &j->id, e) != ERR_OK ||
	    user_get(c, j->id, &j->out, e) != ERR_OK)
		return e->code;
	return audit_user(c, j, "user_created", e);
}

static enum err_code
change_write(struct store_conn *c, void *ctx, struct err *e)
{
	struct user_job *j = ctx;
	struct user_change ch = {
		.role = j->role, .set_team = j->set_team, .team_id = j->team_id,
		.hash = j->hash[0] ? j->hash : NULL, .remove = j->remove, .disable = j->disable,
	};

	if (user_get(c, j->id, &j->before, e) != ERR_OK || check_team(c, j->team_id, e) != ERR_OK ||
	    user_change(c, j->id, &ch, e) != ERR_OK)
		return e->code;
	if (!j->remove && user_get(c, j->id, &j->out, e) != ERR_OK)
		return e->code;
	return audit_user(c, j, j->remove ? "user_removed" : "user_changed", e);
}

/* On the pool for slow work: hash the password, then write. */
static enum err_code
hash_then_write(struct store_conn *c, void *ctx, struct err *e)
{
	struct user_job *j = ctx;

	(void)c;
	if (j->password) {
		if (password_check_policy(j->password, j->name, e) != ERR_OK) {
			err_field(e, "password", "%s", e->msg);
			return err_set(e, ERR_INVALID, "1 field is invalid");
		}
		if (password_hash(j->password, j->hash, sizeof(j->hash), e) != ERR_OK)
			return e->code;
	}
	return store_write(j->store, j->id ? change_write : create_write, j, e);
}

static enum err_code
created(struct req *r)
{
	return reply_json(r, 201, json_incref(((struct user_job *)r->async_ctx)->out));
}

static enum err_code
changed(struct req *r)
{
	return reply_json(r, 200, json_incref(((struct user_job *)r->async_ctx)->out));
}

/* Read the body's fields into j; `create` requires name, password, role. */
static enum err_code
parse_user(struct req *r, struct user_job *j, bool create)
{
	json_t *body;
	const char *k;
	json_t *v;
	enum err_code rc;

	if ((rc = req_json_body(r, &body)) != ERR_OK)
		return rc;
	json_object_foreach(body, k, v) {
		bool known = !strcmp(k, "password") || !strcmp(k, "role") || !strcmp(k, "team_id") ||
			     (!create && !strcmp(k, "disabled")) || (create && !strcmp(k, "name"));
		if (!known)
			err_field(&r->err, k, strcmp(k, "name") ? "unknown field" : "cannot be changed");
	}
	json_t *name = json_object_get(body, "name"), *pw = json_object_get(body, "password");
	json_t *role = json_object_get(body, "role"), *team = json_object_get(body, "team_id");
	json_t *disabled = json_object_get(body, "disabled");
	if (create && (!json_is_string(name) || !user_name_ok(json_string_value(name))))
		err_field(&r->err, "name", "1 to 64 characters, no spaces");
	if ((create || pw) && !json_is_string(pw))
		err_field(&r->err, "password", "is required");
	if ((create || role) && (!json_is_string(role) || !role_valid(json_string_value(role))))
		err_field(&r->err, "role", "one of %s", role_names());
	if (team && !json_is_null(team) && (!json_is_integer(team) || json_integer_value(team) <= 0))
		err_field(&r->err, "team_id", "must be the id of a team, or null");
	if (disabled && !json_is_boolean(disabled))
		err_field(&r->err, "disabled", "must be true or false");
	if (!r->err.fields) {
		j->name = create ? arena_strdup(r->arena, json_string_value(name)) : NULL;
		j->password = pw ? arena_strdup(r->arena, json_string_value(pw)) : NULL;
		j->role = role ? arena_strdup(r->arena, json_string_value(role)) : NULL;
		j->set_team = team != NULL;
		j->team_id = json_is_integer(team) ? json_integer_value(team) : 0;
		j->disable = disabled ? json_is_true(disabled) : -1;
	}
	if (pw)
		sodium_memzero((char *)json_string_value(pw), json_string_length(pw));
	json_decref(body);
	return err_fields_invalid(&r->err);
}

enum err_code
api_users_list(struct req *r)
{
	json_t *out;

	if (user_list(req_store(r), &out, &r->err) != ERR_OK)
		return r->err.code;
	return reply_json(r, 200, out);
}

enum err_code
api_users_get(struct req *r)
{
	int64_t id;
	json_t *out;
	struct store_conn *c;

	if (req_id(r, &id) != ERR_OK || !(c = store_reader(req_store(r), &r->err)) ||
	    user_get(c, id, &out, &r->err) != ERR_OK)
		return r->err.code;
	return reply_json(r, 200, out);
}

enum err_code
api_users_create(struct req *r)
{
	struct user_job *j = user_job_new(r);
	enum err_code rc;

	if ((rc = parse_user(r, j, true)) != ERR_OK)
		return rc;
	return req_offload(r, hash_then_write, j, created);
}

enum err_code
api_users_update(struct req *r)
{
	struct user_job *j = user_job_new(r);
	enum err_code rc;

	if ((rc = req_id(r, &j->id)) != ERR_OK || (rc = parse_user(r, j, false)) != ERR_OK)
		return rc;
	if (j->id == r->who.user_id && j->role && strcmp(j->role, "admin") != 0)
		return err_set(&r->err, ERR_CONFLICT, "you may not take the admin role from yourself");
	if (j->id == r->who.user_id && j->disable == 1)
		return err_set(&r->err, ERR_CONFLICT, "you may not disable yourself");
	return req_offload(r, hash_then_write, j, changed);
}

enum err_code
api_users_remove(struct req *r)
{
	struct user_job *j = user_job_new(r);
	enum err_code rc;

	if ((rc = req_id(r, &j->id)) != ERR_OK)
		return rc;
	if (j->id == r->who.user_id)
		return err_set(&r->err, ERR_CONFLICT, "you may not remove yourself");
	j->remove = true;
	return req_write(r, change_write, j, reply_no_content);
}
