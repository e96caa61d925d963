/* SPDX-License-Identifier: MIT */
/* Login and logout for the UI: a session cookie, HttpOnly and
 * SameSite=Strict, whose secret is stored only as a hash. */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "api/api.h"

static json_t *
user_json(const struct principal *p)
{
	return json_pack("{s:{s:I,s:s,s:s}}", "user", "id", (json_int_t)p->user_id,
			 "name", p->name, "role", p->role);
}

struct login {
	struct store *store;
	char *name, *password;	/* arena copies; the password is wiped */
	struct principal who;
	char secret[SECRET_TEXT_LEN];
};

static void
wipe_login(void *p)
{
	struct login *l = p;

	sodium_memzero(l->password, strlen(l->password));
	sodium_memzero(l->secret, sizeof(l->secret));
}

/* On the pool for slow work: the password check (argon2id) and a session. */
static enum err_code
login_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct login *l = ctx;

	(void)c;
	if (user_login(l->store, l->name, l->password, &l->who, e) != ERR_OK)
		return e->code;
	return session_create(l->store, l->who.user_id, l->secret, e);
}

static enum err_code
logged_in(struct req *r)
{
	struct login *l = r->async_ctx;
	char cookie[160];

	snprintf(cookie, sizeof(cookie), "gx_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld",
		 l->secret, SESSION_TTL_MS / 1000);
	req_add_header(r, "Set-Cookie", cookie);
	sodium_memzero(cookie, sizeof(cookie));
	return reply_json(r, 200, user_json(&l->who));
}

enum err_code
api_auth_login(struct req *r)
{
	json_t *body, *name, *password;
	const char *key;
	json_t *v;
	enum err_code rc;

	if ((rc = req_json_body(r, &body)) != ERR_OK)
		return rc;
	json_object_foreach(body, key, v)
		if (strcmp(key, "name") && strcmp(key, "password"))
			err_field(&r->err, key, "unknown field");
	name = json_object_get(body, "name");
	password = json_object_get(body, "password");
	if (!json_is_string(name) || json_string_length(name) == 0)
		err_field(&r->err, "name", "is required");
	if (!json_is_string(password) || json_string_length(password) == 0)
		err_field(&r->err, "password", "is required");
	if (r->err.fields) {
		json_decref(body);
		return err_set(&r->err, ERR_INVALID, "give a name and a password");
	}
	struct login *l = arena_alloc(r->arena, sizeof(*l));
	l->store = req_store(r);
	l->name = arena_strdup(r->arena, json_string_value(name));
	l->password = arena_strdup(r->arena, json_string_value(password));
	arena_defer(r->arena, wipe_login, l);
	json_decref(body);
	return req_offload(r, login_run, l, logged_in);
}

enum err_code
api_auth_logout(struct req *r)
{
	if (r->who.via_session &&
	    session_end(req_store(r), r->who.credential_id, &r->err) != ERR_OK)
		return r->err.code;
	req_add_header(r, "Set-Cookie", "gx_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	return reply_empty(r, 204);
}

enum err_code
api_auth_me(struct req *r)
{
	return reply_json(r, 200, user_json(&r->who));
}
