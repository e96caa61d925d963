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

/* ---- the admin API's part ---- */

static json_t *
user_row(struct stmt *st)
{
	return json_pack("{s:I,s:s,s:s,s:o,s:s,s:s}",
		"id", (json_int_t)stmt_int(st, 0), "name", stmt_text(st, 1), "role", stmt_text(st, 2),
		"team_id", stmt_is_null(st, 3) ? json_null() : json_integer(stmt_int(st, 3)),
		"created_at", stmt_text(st, 4), "updated_at", stmt_text(st, 5));
}

#define USER_COLUMNS "id, name, role, team_id, created_at, updated_at"

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
		" deleted_at = CASE WHEN ?5 THEN ?6 ELSE deleted_at END, updated_at = ?6"
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
	int rc = stmt_step(st, e);
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	if (store_changes(c) == 0)
		return err_set(e, ERR_NOTFOUND, "user %lld not found", (long long)id);
	if (ch->hash || ch->remove) {
		/* a new password or a removed user: every session ends */
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
