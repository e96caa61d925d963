/* SPDX-License-Identifier: MIT */
/* Login and logout for the UI: a session cookie, HttpOnly and
 * SameSite=Strict, whose secret is stored only as a hash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "api/api.h"
#include "engine/audit.h"
#include "util/timeutil.h"

static json_t *
user_json(const struct principal *p)
{
	return json_pack("{s:{s:I,s:s,s:s}}", "user", "id", (json_int_t)p->user_id,
			 "name", p->name, "role", p->role);
}

struct login {
	struct store *store;
	char *name, *password;	/* arena copies; the password is wiped */
	char *otp;		/* NULL if none given */
	char ip[64];
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
	int64_t now = time_now_ms();
	if (user_login(l->store, l->name, l->password, l->otp, &l->who, e) != ERR_OK) {
		bool locked = e->code == ERR_UNAUTH && throttle_failed(l->name, l->ip, now);
		json_t *d = json_pack("{s:s,s:b}", "name", l->name, "locked", locked);
		char *detail = json_dumps(d, JSON_COMPACT);
		audit_event(l->store, 0, NULL, "login_failed", l->ip, detail);
		free(detail);
		json_decref(d);
		return e->code;
	}
	throttle_succeeded(l->name, now);
	audit_event(l->store, l->who.user_id, l->who.name, "login", l->ip, NULL);
	return session_create(l->store, l->who.user_id, l->secret, e);
}

static enum err_code
logged_in(struct req *r)
{
	struct login *l = r->async_ctx;
	char cookie[160];

	char csrf[CSRF_TEXT_LEN];

	snprintf(cookie, sizeof(cookie), "gx_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld",
		 l->secret, SESSION_TTL_MS / 1000);
	req_add_header(r, "Set-Cookie", cookie);
	sodium_memzero(cookie, sizeof(cookie));
	csrf_token(l->secret, csrf);
	json_t *body = user_json(&l->who);
	json_object_set_new(body, "csrf_token", json_string(csrf));
	return reply_json(r, 200, body);
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
		if (strcmp(key, "name") && strcmp(key, "password") && strcmp(key, "otp"))
			err_field(&r->err, key, "unknown field");
	json_t *otp = json_object_get(body, "otp");
	if (otp && !json_is_string(otp))
		err_field(&r->err, "otp", "must be a string of %d digits", TOTP_DIGITS);
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
	l->otp = otp ? arena_strdup(r->arena, json_string_value(otp)) : NULL;
	arena_defer(r->arena, wipe_login, l);
	json_decref(body);
	req_client_ip(r, l->ip, sizeof(l->ip));
	/* locked out: refused before any password is hashed */
	int64_t wait = throttle_locked_ms(l->name, l->ip, time_now_ms());
	if (wait > 0) {
		char secs[24];
		snprintf(secs, sizeof(secs), "%lld", (long long)(wait + 999) / 1000);
		req_add_header(r, "Retry-After", secs);
		return err_set(&r->err, ERR_LIMIT, "too many failed logins: try again in %lld minute%s",
			       (long long)(wait + 59999) / 60000, wait > 60000 ? "s" : "");
	}
	return req_offload(r, login_run, l, logged_in);
}

enum err_code
api_auth_logout(struct req *r)
{
	const char *everywhere = req_query(r, "everywhere");
	char ip[64];

	if (everywhere && strcmp(everywhere, "true") && strcmp(everywhere, "false"))
		return err_set(&r->err, ERR_BADREQ, "everywhere must be true or false");
	bool all = everywhere && strcmp(everywhere, "true") == 0;
	if (all ? session_end_all(req_store(r), r->who.user_id, &r->err) != ERR_OK :
		  r->who.via_session && session_end(req_store(r), r->who.credential_id, &r->err) != ERR_OK)
		return r->err.code;
	req_client_ip(r, ip, sizeof(ip));
	audit_event(req_store(r), r->who.user_id, r->who.name, all ? "logout_everywhere" : "logout", ip, NULL);
	req_add_header(r, "Set-Cookie", "gx_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	return reply_empty(r, 204);
}

enum err_code
api_auth_me(struct req *r)
{
	json_t *body = user_json(&r->who);
	const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "gx_session");
	if (r->who.via_session && cookie) {
		char csrf[CSRF_TEXT_LEN];
		csrf_token(cookie, csrf);
		json_object_set_new(body, "csrf_token", json_string(csrf));
	}
	return reply_json(r, 200, body);
}

/* ---- second factor: set up, enable, disable (each on oneself) ---- */

static enum err_code
totp_step(struct req *r, int what)
{
	json_t *body = NULL, *code = NULL;
	char secret[64] = "", ip[64];
	enum err_code rc;

	if (what != 0) {
		if ((rc = req_json_body(r, &body)) != ERR_OK)
			return rc;
		code = json_object_get(body, "code");
		if (!json_is_string(code) || json_object_size(body) != 1) {
			json_decref(body);
			err_field(&r->err, "code", "the %d-digit code from the authenticator app", TOTP_DIGITS);
			return err_set(&r->err, ERR_INVALID, "1 field is invalid");
		}
	}
	rc = user_totp(req_store(r), r->who.user_id, what, code ? json_string_value(code) : NULL, secret,
		       &r->err);
	json_decref(body);
	if (rc != ERR_OK)
		return rc;
	req_client_ip(r, ip, sizeof(ip));
	if (what == 0) {
		char uri[512];
		snprintf(uri, sizeof(uri), "otpauth://totp/Guanxi:%s?secret=%s&issuer=Guanxi&algorithm=SHA1&digits=%d&period=%d",
			 r->who.name, secret, TOTP_DIGITS, TOTP_STEP_S);
		json_t *out = json_pack("{s:s,s:s}", "secret", secret, "otpauth_uri", uri);
		sodium_memzero(secret, sizeof(secret));
		return reply_json(r, 200, out);
	}
	audit_event(req_store(r), r->who.user_id, r->who.name, what == 1 ? "totp_enabled" : "totp_disabled", ip, NULL);
	return reply_empty(r, 204);
}

enum err_code
api_auth_totp_setup(struct req *r)
{
	return totp_step(r, 0);
}

enum err_code
api_auth_totp_enable(struct req *r)
{
	return totp_step(r, 1);
}

enum err_code
api_auth_totp_disable(struct req *r)
{
	return totp_step(r, 2);
}
