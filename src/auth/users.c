/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "auth/auth.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#define NAME_MAX_CHARS 64

struct add_job {
	const char *name, *role, *hash;
	int64_t team_id;	/* 0 = none */
	int64_t id;
};

enum err_code
user_insert(struct store_conn *c, const char *name, const char *role, int64_t team_id,
	    const char *hash, int64_t *id, struct err *e)
{
	char now[TIME_STR_LEN];
	struct stmt *st = store_prepare(c,
		"INSERT INTO users (name, password_hash, role, created_at, updated_at, team_id) "
		"VALUES (?, ?, ?, ?, ?, ?)", e);

	if (!st)
		return e->code;
	time_format(time_now_ms(), now);
	stmt_bind_str(st, 1, name);
	stmt_bind_str(st, 2, hash);
	stmt_bind_str(st, 3, role);
	stmt_bind_str(st, 4, now);
	stmt_bind_str(st, 5, now);
	if (team_id)
		stmt_bind_int(st, 6, team_id);
	else
		stmt_bind_null(st, 6);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	if (rc == ERR_CONFLICT)
		return err_set(e, ERR_CONFLICT, "a user named %s exists already", name);
	if (rc < 0)
		return e->code;
	*id = store_last_id(c);
	return ERR_OK;
}

static enum err_code
add_job_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct add_job *j = ctx;

	return user_insert(c, j->name, j->role, j->team_id, j->hash, &j->id, e);
}

bool
user_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && utf8_valid(name, n) && !utf8_has_control(name, n, false) &&
	       utf8_count(name, n) <= NAME_MAX_CHARS && !strchr(name, ' ');
}

enum err_code
user_add(struct store *s, const char *name, const char *role, int64_t team_id,
	 const char *password, int64_t *id, struct err *e)
{
	char hash[crypto_pwhash_STRBYTES];

	if (!user_name_ok(name))
		return err_set(e, ERR_INVALID, "a user name is 1 to %d characters, no spaces", NAME_MAX_CHARS);
	if (!role_valid(role))
		return err_set(e, ERR_INVALID, "unknown role '%.32s' (roles: %s)", role, role_names());
	if (password_check_policy(password, name, e) != ERR_OK)
		return e->code;
	if (password_hash(password, hash, sizeof(hash), e) != ERR_OK)
		return e->code;
	struct add_job j = { .name = name, .role = role, .hash = hash, .team_id = team_id };
	enum err_code rc = store_write(s, add_job_run, &j, e);
	sodium_memzero(hash, sizeof(hash));
	if (rc == ERR_OK && id)
		*id = j.id;
	return rc;
}

/* The user's row: principal, password hash (hash may be NULL) and
 * whether the account is disabled (disabled may be NULL). */
static enum err_code
load_user(struct store *s, const char *name, struct principal *p, char *hash, size_t hashlen,
	  bool *found, bool *disabled, struct err *e)
{
	struct store_conn *c = store_reader(s, e);
	struct stmt *st;

	*found = false;
	if (!c || !(st = store_prepare(c, "SELECT id, name, role, password_hash, team_id, "
					  "disabled_at IS NOT NULL FROM users "
					  "WHERE name = ? AND deleted_at IS NULL", e)))
		return e->code;
	stmt_bind_str(st, 1, name);
	int rc = stmt_step(st, e);
	if (rc == 1) {
		*found = true;
		memset(p, 0, sizeof(*p));
		p->user_id = stmt_int(st, 0);
		snprintf(p->name, sizeof(p->name), "%s", stmt_text(st, 1));
		snprintf(p->role, sizeof(p->role), "%s", stmt_text(st, 2));
		if (hash)
			snprintf(hash, hashlen, "%s", stmt_text(st, 3));
		p->team_id = stmt_is_null(st, 4) ? 0 : stmt_int(st, 4);
		if (disabled)
			*disabled = stmt_int(st, 5) != 0;
	}
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

enum err_code
user_find(struct store *s, const char *name, struct principal *p, struct err *e)
{
	bool found;

	if (load_user(s, name, p, NULL, 0, &found, NULL, e) != ERR_OK)
		return e->code;
	return found ? ERR_OK : err_set(e, ERR_NOTFOUND, "no user named %.64s", name);
}

struct step_job {
	int64_t id, step;
	bool moved;
};

/* Record the TOTP step used, only forward: two logins with one code race
 * here, and only one moves it. */
static enum err_code
step_job_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct step_job *j = ctx;
	struct stmt *st = store_prepare(c, "UPDATE users SET totp_last_step = ? "
				       "WHERE id = ? AND totp_last_step < ?", e);
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, j->step);
	stmt_bind_int(st, 2, j->id);
	stmt_bind_int(st, 3, j->step);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	j->moved = store_changes(c) == 1;
	return rc < 0 ? e->code : ERR_OK;
}

/* The user's TOTP key (empty if none) and last step. */
static enum err_code
load_totp(struct store *s, int64_t id, unsigned char key[TOTP_KEY_LEN], bool *has, int64_t *last,
	  struct err *e)
{
	struct store_conn *c = store_reader(s, e);
	struct stmt *st = c ? store_prepare(c, "SELECT totp_key, totp_last_step FROM users WHERE id = ?", e) : NULL;

	*has = false;
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, id);
	int rc = stmt_step(st, e);
	if (rc == 1 && !stmt_is_null(st, 0)) {
		size_t n = 0;
		*has = sodium_hex2bin(key, TOTP_KEY_LEN, stmt_text(st, 0), stmt_len(st, 0), NULL, &n, NULL) == 0 &&
		       n == TOTP_KEY_LEN;
		*last = stmt_int(st, 1);
	}
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

enum err_code
user_login(struct store *s, const char *name, const char *password, const char *otp,
	   struct principal *p, struct err *e)
{
	char hash[crypto_pwhash_STRBYTES] = "";
	bool found = false, has_totp = false, disabled = false;
	unsigned char key[TOTP_KEY_LEN];
	int64_t last = 0;

	if (strlen(name) <= 256 && strlen(password) <= PASSWORD_MAX &&
	    load_user(s, name, p, hash, sizeof(hash), &found, &disabled, e) != ERR_OK)
		return e->code;
	bool ok = found ? password_verify(hash, password) : (password_burn(password), false);
	sodium_memzero(hash, sizeof(hash));
	if (!ok)
		return err_set(e, ERR_UNAUTH, "wrong user name or password");
	/* said only to who knows the password: it tells them what to do */
	if (disabled) {
		err_field(e, "name", "the account is disabled");
		return err_set(e, ERR_UNAUTH, "this account is disabled: ask an administrator to enable it");
	}
	if (load_totp(s, p->user_id, key, &has_totp, &last, e) != ERR_OK || !has_totp)
		return e->code;
	/* a second factor is set: the password alone is not enough */
	bool good = otp && totp_check(key, TOTP_KEY_LEN, otp, time_now_ms() / 1000, &last);
	sodium_memzero(key, sizeof(key));
	if (!good) {
		err_field(e, "otp", otp ? "is not the current code" : "is needed: the code from your authenticator app");
		return err_set(e, ERR_UNAUTH, "a one-time code is needed");
	}
	struct step_job j = { .id = p->user_id, .step = last };
	if (store_write(s, step_job_run, &j, e) != ERR_OK)
		return e->code;
	if (!j.moved)
		return err_set(e, ERR_UNAUTH, "this one-time code was used already");
	return ERR_OK;
}

/* ---- second factor set-up ---- */

struct totp_job {
	int64_t id;
	const char *code;	/* enable, disable */
	int what;		/* 0 setup, 1 enable, 2 disable */
	unsigned char key[TOTP_KEY_LEN];
};

static enum err_code
totp_job_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct totp_job *j = ctx;
	char hex[TOTP_KEY_LEN * 2 + 1];
	struct stmt *st;
	int rc;

	if (j->what == 0) {
		randombytes_buf(j->key, sizeof(j->key));
		sodium_bin2hex(hex, sizeof(hex), j->key, sizeof(j->key));
		if (!(st = store_prepare(c, "UPDATE users SET totp_pending = ? WHERE id = ?", e)))
			return e->code;
		stmt_bind_str(st, 1, hex);
		stmt_bind_int(st, 2, j->id);
		rc = stmt_step(st, e);
		stmt_finish(st);
		sodium_memzero(hex, sizeof(hex));
		return rc < 0 ? e->code : ERR_OK;
	}
	if (!(st = store_prepare(c, j->what == 1 ?
		"SELECT totp_pending, totp_last_step FROM users WHERE id = ?" :
		"SELECT totp_key, totp_last_step FROM users WHERE id = ?", e)))
		return e->code;
	stmt_bind_int(st, 1, j->id);
	bool have = false;
	int64_t last = 0;
	if ((rc = stmt_step(st, e)) == 1 && !stmt_is_null(st, 0)) {
		size_t n = 0;
		have = sodium_hex2bin(j->key, sizeof(j->key), stmt_text(st, 0), stmt_len(st, 0), NULL, &n, NULL) == 0;
		last = stmt_int(st, 1);
	}
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	if (!have)
		return err_set(e, ERR_CONFLICT, j->what == 1 ? "set up the second factor first" :
			       "no second factor is set");
	if (!totp_check(j->key, sizeof(j->key), j->code, time_now_ms() / 1000, &last)) {
		err_field(e, "code", "is not the current code");
		return err_set(e, ERR_INVALID, "1 field is invalid");
	}
	if (!(st = store_prepare(c, j->what == 1 ?
		"UPDATE users SET totp_key = totp_pending, totp_pending = NULL, totp_last_step = ? WHERE id = ?" :
		"UPDATE users SET totp_key = NULL, totp_last_step = ? WHERE id = ?", e)))
		return e->code;
	stmt_bind_int(st, 1, last);
	stmt_bind_int(st, 2, j->id);
	rc = stmt_step(st, e);
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

enum err_code
user_totp(struct store *s, int64_t id, int what, const char *code, char secret[64], struct err *e)
{
	struct totp_job j = { .id = id, .what = what, .code = code };
	enum err_code rc = store_write(s, totp_job_run, &j, e);

	if (rc == ERR_OK && what == 0 && secret)
		totp_base32(j.key, sizeof(j.key), secret, 64);
	sodium_memzero(j.key, sizeof(j.key));
	return rc;
}

/* ---- the admin API's part ---- */

static json_t *
user_row(struct stmt *st)
{
	return json_pack("{s:I,s:s,s:s,s:o,s:b,s:s,s:s}",
		"id", (json_int_t)stmt_int(st, 0), "name", stmt_text(st, 1), "role", stmt_text(st, 2),
		"team_id", stmt_int_json(st, 3),
		"disabled", stmt_int(st, 6) != 0,
		"created_at", stmt_text(st, 4), "updated_at", stmt_text(st, 5));
}

#define USER_COLUMNS "id, name, role, team_id, created_at, updated_at, disabled_at IS NOT NULL"

enum err_code
user_list(struct store *s, json_t **out, struct err *e)
{
	struct store_conn *c = store_reader(s, e);
	struct stmt *st;

	*out = NULL;
	if (!c || !(st = store_prepare(c, "SELECT " USER_COLUMNS " FROM users "
					  "WHERE deleted_at IS NULL ORDER BY id", e)))
		return e->code;
	json_t *data = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(data, user_row(st));
	stmt_finish(st);
	if (rc < 0) {
		json_decref(data);
		return e->code;
	}
	*out = json_pack("{s:o}", "data", data);
	return ERR_OK;
}

enum err_code
user_get(struct store_conn *c, int64_t id, json_t **out, struct err *e)
{
	struct stmt *st = store_prepare(c, "SELECT " USER_COLUMNS " FROM users "
				       "WHERE id = ? AND deleted_at IS NULL", e);

	*out = NULL;
	if (!st)
		return e->code;
	stmt_bind_int(st, 1, id);
	int rc = stmt_step(st, e);
	if (rc == 1)
		*out = user_row(st);
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	return *out ? ERR_OK : err_set(e, ERR_NOTFOUND, "user %lld not found", (long long)id);
}

enum err_code
user_change(struct store_conn *c, int64_t id, const struct user_change *ch, struct err *e)
{
	char now[TIME_STR_LEN];
	struct stmt *st = store_prepare(c,
		"UPDATE users SET role = coalesce(?1, role),"
		" team_id = CASE WHEN ?2 THEN nullif(?3, 0) ELSE team_id END,"
		" password_hash = coalesce(?4, password_hash),"
		" deleted_at = CASE WHEN ?5 THEN ?6 ELSE deleted_at END,"
		" disabled_at = CASE ?8 WHEN 1 THEN coalesce(disabled_at, ?6) WHEN 0 THEN NULL"
		" ELSE disabled_at END, updated_at = ?6"
		" WHERE id = ?7 AND deleted_at IS NULL", e);

	if (!st)
		return e->code;
	time_format(time_now_ms(), now);
	stmt_bind_str(st, 1, ch->role);
	stmt_bind_int(st, 2, ch->set_team);
	stmt_bind_int(st, 3, ch->team_id);
	stmt_bind_str(st, 4, ch->hash);
	stmt_bind_int(st, 5, ch->remove);
	stmt_bind_str(st, 6, now);
	stmt_bind_int(st, 7, id);
	stmt_bind_int(st, 8, ch->disable);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	if (store_changes(c) == 0)
		return err_set(e, ERR_NOTFOUND, "user %lld not found", (long long)id);
	if (ch->hash || ch->remove || ch->disable == 1) {
		/* a new password, a removed or disabled user: every session ends */
		if (!(st = store_prepare(c, "DELETE FROM sessions WHERE user_id = ?", e)))
			return e->code;
		stmt_bind_int(st, 1, id);
		rc = stmt_step(st, e);
		stmt_finish(st);
		if (rc < 0)
			return e->code;
	}
	return ERR_OK;
}
