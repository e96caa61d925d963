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

enum err_code
api_auth_login(struct req *r)
{
	json_t *body, *name, *password;
	struct principal p;
	char secret[SECRET_TEXT_LEN], cookie[160];
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
	rc = user_login(req_store(r), json_string_value(name), json_string_value(password), &p, &r->err);
	json_decref(body);
	if (rc != ERR_OK || (rc = session_create(req_store(r), p.user_id, secret, &r->err)) != ERR_OK)
		return rc;
	snprintf(cookie, sizeof(cookie), "gx_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld",
		 secret, SESSION_TTL_MS / 1000);
	sodium_memzero(secret, sizeof(secret));
	req_add_header(r, "Set-Cookie", cookie);
	return reply_json(r, 200, user_json(&p));
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
