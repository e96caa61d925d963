/* SPDX-License-Identifier: MIT */
/* Users, passwords, roles, API tokens and UI sessions.
 *
 * Passwords are argon2id hashes (libsodium crypto_pwhash_str); at most two
 * are computed at once, so parallel logins cannot exhaust memory, and an
 * unknown name is checked against a dummy hash so timing does not tell who
 * exists. Tokens and sessions are 256 random bits shown once; only their
 * BLAKE2b hash is stored. */
#ifndef GX_AUTH_H
#define GX_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "engine/access.h"
#include "store/store.h"

#define SECRET_TEXT_LEN 47	/* "gx_" + 43 base64url chars + NUL */
#define SESSION_TTL_MS (12LL * 3600 * 1000)
#define PASSWORD_MIN 8
#define PASSWORD_MAX 1024

struct principal {
	int64_t user_id;
	char name[256];
	char role[16];
	int64_t team_id;	/* 0 = no team */
	int64_t credential_id;	/* token or session id */
	bool via_session;
};

enum action { ACT_READ, ACT_CREATE, ACT_UPDATE, ACT_DELETE, ACT_ADMIN, ACT_EXPORT, ACT_COUNT };

/* roles.c */
bool role_valid(const char *role);
const char *role_names(void);	/* "admin, manager, ..." for messages */
/* Which records of entity role may act on; role_allows = scope not none. */
enum scope role_scope(const char *role, const char *entity, enum action act);
bool role_allows(const char *role, const char *entity, enum action act);
/* May role see personal data whole? If not it is masked, and shown only
 * through an audited reveal. */
bool role_sees_personal(const char *role);
/* The permission table can be changed: role_override sets one cell (in
 * memory; the caller stores it in role_grants), roles_load reads the
 * stored changes at start. */
void role_override(const char *role, const char *entity, enum action act, enum scope scope);
enum err_code roles_load(struct store *s, struct err *e);
const char *action_name(enum action act);
const char *scope_name(enum scope sc);
bool action_parse(const char *s, enum action *out);
bool scope_parse(const char *s, enum scope *out);

/* password.c */
void password_init(void);	/* once, before threads */
enum err_code password_hash(const char *pw, char *out, size_t outlen, struct err *e);
bool password_verify(const char *hash, const char *pw);
void password_burn(const char *pw);	/* a verify against the dummy hash */
/* At least PASSWORD_MIN characters, not one character repeated, not the
 * user name (may be NULL), not one of the most used passwords. */
enum err_code password_check_policy(const char *pw, const char *user, struct err *e);

/* users.c */
enum err_code user_add(struct store *s, const char *name, const char *role, int64_t team_id,
		       const char *password, int64_t *id, struct err *e);
/* Name and password (and, once the user has a second factor, the current
 * one-time code) to a principal, or ERR_UNAUTH; the same work for unknown
 * names. */
enum err_code user_login(struct store *s, const char *name, const char *password,
			 const char *otp, struct principal *p, struct err *e);
/* Second factor of user id: what 0 = set up (a new pending key; *secret
 * gets it in base32), 1 = enable (code checked against the pending key),
 * 2 = disable (code checked against the key in force). */
enum err_code user_totp(struct store *s, int64_t id, int what, const char *code,
			char secret[64], struct err *e);
enum err_code user_find(struct store *s, const char *name, struct principal *p, struct err *e);

/* CSRF: a cookie-authenticated write must carry X-CSRF-Token, a value
 * derived from the session's secret (so nothing more is stored). */
#define CSRF_TEXT_LEN 44	/* 43 base64url chars + NUL */
void csrf_token(const char *session_secret, char out[CSRF_TEXT_LEN]);
bool csrf_valid(const char *session_secret, const char *given);

/* totp.c: RFC 6238, HMAC-SHA1, 30 s steps, 6 digits */
#define TOTP_STEP_S 30
#define TOTP_DIGITS 6
#define TOTP_KEY_LEN 20
/* The code for a step (time / 30 s) with `digits` digits; -1 on failure. */
int64_t totp_code(const unsigned char *key, size_t keylen, int64_t step, int digits);
/* Does code match now (one step of drift either way)? A step at or before
 * *last_step is refused (no replay); a match moves *last_step. */
bool totp_check(const unsigned char *key, size_t keylen, const char *code, int64_t now_s,
		int64_t *last_step);
/* RFC 4648 base32 without padding, for authenticator apps. */
void totp_base32(const unsigned char *key, size_t keylen, char *out, size_t outlen);

/* throttle.c: failed logins per account and per address */
#define THROTTLE_WINDOW_MS (15LL * 60 * 1000)
#define THROTTLE_LOCK_MS (15LL * 60 * 1000)
#define THROTTLE_ACCOUNT_FAILURES 5
#define THROTTLE_ADDRESS_FAILURES 20
/* How long login for this name or from this address stays refused (0 = not). */
int64_t throttle_locked_ms(const char *name, const char *address, int64_t now);
/* Count a failure; true if it locked the account or the address. */
bool throttle_failed(const char *name, const char *address, int64_t now);
void throttle_succeeded(const char *name, int64_t now);

/* users.c, for the admin API: [{id, name, role, team_id, disabled,
 * created_at, updated_at}] of live users; one user; a change inside a
 * write job (a new password, a removal or disabling ends the user's
 * sessions; a disabled user's tokens are refused until enabled). */
struct user_change {
	const char *role;	/* NULL = unchanged */
	bool set_team;
	int64_t team_id;	/* 0 = no team */
	const char *hash;	/* new password hash, NULL = unchanged */
	bool remove;
	int disable;		/* 1 disable, 0 enable, -1 unchanged */
};
enum err_code user_list(struct store *s, json_t **out, struct err *e);
/* Insert a user whose password is hashed already (inside a write job). */
enum err_code user_insert(struct store_conn *c, const char *name, const char *role,
			  int64_t team_id, const char *hash, int64_t *id, struct err *e);
bool user_name_ok(const char *name);	/* 1-64 characters, no spaces */
enum err_code user_get(struct store_conn *c, int64_t id, json_t **out, struct err *e);
enum err_code user_change(struct store_conn *c, int64_t id, const struct user_change *ch,
			  struct err *e);

/* credentials.c */
enum err_code token_create(struct store *s, const char *user, char out[SECRET_TEXT_LEN],
			   int64_t *id, struct err *e);
enum err_code token_revoke(struct store *s, int64_t id, struct err *e);
/* [{id, user, created_at, last_used_at, revoked_at}] */
enum err_code token_list(struct store *s, const char *user, json_t **out, struct err *e);
enum err_code session_create(struct store *s, int64_t user_id, char out[SECRET_TEXT_LEN],
			     struct err *e);
enum err_code session_end(struct store *s, int64_t session_id, struct err *e);
/* End every session of the user (log out everywhere). */
enum err_code session_end_all(struct store *s, int64_t user_id, struct err *e);
/* A bearer token or session secret to its principal; ERR_UNAUTH if it is
 * unknown, revoked or expired. */
enum err_code credential_check(struct store *s, bool session, const char *secret,
			       struct principal *p, struct err *e);

#endif
