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

static enum err_code
add_job_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct add_job *j = ctx;
	char now[TIME_STR_LEN];
	struct stmt *st = store_prepare(c,
		"INSERT INTO users (name, password_hash, role, created_at, updated_at, team_id) "
		"VALUES (?, ?, ?, ?, ?, ?)", e);

	if (!st)
		return e->code;
	time_format(time_now_ms(), now);
	stmt_bind_str(st, 1, j->name);
	stmt_bind_str(st, 2, j->hash);
	stmt_bind_str(st, 3, j->role);
	stmt_bind_str(st, 4, now);
	stmt_bind_str(st, 5, now);
	if (j->team_id)
		stmt_bind_int(st, 6, j->team_id);
	else
		stmt_bind_null(st, 6);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	if (rc == ERR_CONFLICT)
		return err_set(e, ERR_CONFLICT, "a user named %s exists already", j->name);
	if (rc < 0)
		return e->code;
	j->id = store_last_id(c);
	return ERR_OK;
}

static bool
name_ok(const char *name)
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

	if (!name_ok(name))
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

/* The user's row: principal and password hash (hash may be NULL). */
static enum err_code
load_user(struct store *s, const char *name, struct principal *p, char *hash, size_t hashlen,
	  bool *found, struct err *e)
{
	struct store_conn *c = store_reader(s, e);
	struct stmt *st;

	*found = false;
	if (!c || !(st = store_prepare(c, "SELECT id, name, role, password_hash, team_id FROM users "
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
	}
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

enum err_code
user_find(struct store *s, const char *name, struct principal *p, struct err *e)
{
	bool found;

	if (load_user(s, name, p, NULL, 0, &found, e) != ERR_OK)
		return e->code;
	return found ? ERR_OK : err_set(e, ERR_NOTFOUND, "no user named %.64s", name);
}

enum err_code
user_login(struct store *s, const char *name, const char *password, struct principal *p,
	   struct err *e)
{
	char hash[crypto_pwhash_STRBYTES] = "";
	bool found = false;

	if (strlen(name) <= 256 && strlen(password) <= PASSWORD_MAX &&
	    load_user(s, name, p, hash, sizeof(hash), &found, e) != ERR_OK)
		return e->code;
	bool ok = found ? password_verify(hash, password) : (password_burn(password), false);
	sodium_memzero(hash, sizeof(hash));
	if (!ok)
		return err_set(e, ERR_UNAUTH, "wrong user name or password");
	return ERR_OK;
}
