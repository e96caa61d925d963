/* SPDX-License-Identifier: MIT */
/* API tokens and UI sessions: the same kind of secret (256 random bits,
 * only its hash stored), in two tables. A token's last use is recorded at
 * most once a minute, so reads do not turn into writes. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "auth/auth.h"
#include "util/mem.h"
#include "util/timeutil.h"

#define HASH_HEX (crypto_generichash_BYTES * 2 + 1)
#define LAST_USED_EVERY_MS 60000
#define LAST_USED_SLOTS 256

static void
secret_new(char out[SECRET_TEXT_LEN])
{
	unsigned char rnd[32];

	randombytes_buf(rnd, sizeof(rnd));
	memcpy(out, "gx_", 3);
	sodium_bin2base64(out + 3, SECRET_TEXT_LEN - 3, rnd, sizeof(rnd),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(rnd, sizeof(rnd));
}

static void
secret_hash(const char *secret, char out[HASH_HEX])
{
	unsigned char h[crypto_generichash_BYTES];

	crypto_generichash(h, sizeof(h), (const unsigned char *)secret, strlen(secret), NULL, 0);
	sodium_bin2hex(out, HASH_HEX, h, sizeof(h));
}

struct insert_job {
	const char *sql;
	int64_t user_id;
	const char *hash;
	const char *t1, *t2;	/* created_at, and expires_at for sessions */
	int64_t id;
};

static enum err_code
insert_job_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct insert_job *j = ctx;
	struct stmt *st = store_prepare(c, j->sql, e);

	if (!st)
		return e->code;
	stmt_bind_int(st, 1, j->user_id);
	stmt_bind_str(st, 2, j->hash);
	stmt_bind_str(st, 3, j->t1);
	if (j->t2)
		stmt_bind_str(st, 4, j->t2);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	j->id = store_last_id(c);
	return ERR_OK;
}

enum err_code
token_create(struct store *s, const char *user, char out[SECRET_TEXT_LEN], int64_t *id,
	     struct err *e)
{
	struct principal p;
	char hash[HASH_HEX], now[TIME_STR_LEN];

	if (user_find(s, user, &p, e) != ERR_OK)
		return e->code;
	secret_new(out);
	secret_hash(out, hash);
	time_format(time_now_ms(), now);
	struct insert_job j = {
		.sql = "INSERT INTO api_tokens (user_id, hash, created_at) VALUES (?, ?, ?)",
		.user_id = p.user_id, .hash = hash, .t1 = now,
	};
	if (store_write(s, insert_job_run, &j, e) != ERR_OK)
		return e->code;
	if (id)
		*id = j.id;
	return ERR_OK;
}

enum err_code
session_create(struct store *s, int64_t user_id, char out[SECRET_TEXT_LEN], struct err *e)
{
	char hash[HASH_HEX], now[TIME_STR_LEN], expires[TIME_STR_LEN];
	int64_t ms = time_now_ms();

	secret_new(out);
	secret_hash(out, hash);
	time_format(ms, now);
	time_format(ms + SESSION_TTL_MS, expires);
	struct insert_job j = {
		.sql = "INSERT INTO sessions (user_id, hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
		.user_id = user_id, .hash = hash, .t1 = now, .t2 = expires,
	};
	return store_write(s, insert_job_run, &j, e);
}

struct update_job {
	const char *sql;
	const char *text;
	int64_t id;
	int changed;
};

static enum err_code
update_job_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct update_job *j = ctx;
	struct stmt *st = store_prepare(c, j->sql, e);

	if (!st)
		return e->code;
	int n = 1;
	if (j->text)
		stmt_bind_str(st, n++, j->text);
	stmt_bind_int(st, n, j->id);
	int rc = stmt_step(st, e);
	stmt_finish(st);
	j->changed = store_changes(c);
	return rc < 0 ? e->code : ERR_OK;
}

enum err_code
token_revoke(struct store *s, int64_t id, struct err *e)
{
	char now[TIME_STR_LEN];

	time_format(time_now_ms(), now);
	struct update_job j = {
		.sql = "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
		.text = now, .id = id,
	};
	if (store_write(s, update_job_run, &j, e) != ERR_OK)
		return e->code;
	if (!j.changed)
		return err_set(e, ERR_NOTFOUND, "no active token with id %lld", (long long)id);
	return ERR_OK;
}

enum err_code
session_end(struct store *s, int64_t session_id, struct err *e)
{
	struct update_job j = { .sql = "DELETE FROM sessions WHERE id = ?", .id = session_id };

	return store_write(s, update_job_run, &j, e);
}

enum err_code
session_end_all(struct store *s, int64_t user_id, struct err *e)
{
	struct update_job j = { .sql = "DELETE FROM sessions WHERE user_id = ?", .id = user_id };

	return store_write(s, update_job_run, &j, e);
}

enum err_code
token_list(struct store *s, const char *user, json_t **out, struct err *e)
{
	struct store_conn *c = store_reader(s, e);
	struct stmt *st;

	*out = NULL;
	if (!c || !(st = store_prepare(c,
		"SELECT t.id, u.name, t.created_at, t.last_used_at, t.revoked_at "
		"FROM api_tokens t JOIN users u ON u.id = t.user_id "
		"WHERE ? IS NULL OR u.name = ? ORDER BY t.id", e)))
		return e->code;
	stmt_bind_str(st, 1, user);
	stmt_bind_str(st, 2, user);
	json_t *list = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(list, json_pack("{s:I,s:s,s:o,s:o,s:o}",
			"id", (json_int_t)stmt_int(st, 0), "user", stmt_text(st, 1),
			"created_at", stmt_text_json(st, 2), "last_used_at", stmt_text_json(st, 3),
			"revoked_at", stmt_text_json(st, 4)));
	stmt_finish(st);
	if (rc < 0) {
		json_decref(list);
		return e->code;
	}
	*out = list;
	return ERR_OK;
}

/* ---- last use, throttled ---- */

static void
free_done(void *ctx, enum err_code rc)
{
	(void)rc;
	free(ctx);
}

static pthread_mutex_t last_used_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int64_t id, at;
} last_used[LAST_USED_SLOTS];

/* True if this token's use should be written now. */
static bool
last_used_due(int64_t id, int64_t now)
{
	bool due = false;

	pthread_mutex_lock(&last_used_lock);
	size_t slot = (size_t)id % LAST_USED_SLOTS;
	if (last_used[slot].id != id || now - last_used[slot].at >= LAST_USED_EVERY_MS) {
		last_used[slot].id = id;
		last_used[slot].at = now;
		due = true;
	}
	pthread_mutex_unlock(&last_used_lock);
	return due;
}

/* The job is written with the next group commit; nobody waits for it. */
static void
note_token_use(struct store *s, int64_t id)
{
	int64_t now = time_now_ms();

	if (!last_used_due(id, now))
		return;
	struct last_use {
		struct update_job job;
		char at[TIME_STR_LEN];
	} *u = xcalloc(1, sizeof(*u));
	time_format(now, u->at);
	u->job.sql = "UPDATE api_tokens SET last_used_at = ? WHERE id = ?";
	u->job.text = u->at;
	u->job.id = id;
	if (store_submit(s, update_job_run, &u->job, NULL, free_done, u) != ERR_OK)
		free(u);	/* closing: the last use is not worth keeping */
}

/* The last credentials this thread checked. An entry holds while the
 * thread's snapshot shows no change to the database since (data_version
 * moves with every commit, by this server or another process such as the
 * CLI revoking a token) and, for a session, until it expires. A run of
 * reads by one client then skips the join per request. */
#define MEMO_SLOTS 8

struct credential_memo {
	char hash[HASH_HEX];
	bool session;
	const struct store_conn *conn;
	int64_t data_version, expires_ms;
	struct principal who;
};

static _Thread_local struct credential_memo memo[MEMO_SLOTS];

static struct credential_memo *
memo_slot(const char *hash, bool session)
{
	return &memo[((unsigned)(unsigned char)hash[0] * 31u + (unsigned char)hash[1] + session) % MEMO_SLOTS];
}

static bool
memo_find(const struct store_conn *c, int64_t version, const char *hash, bool session,
	  struct principal *p)
{
	const struct credential_memo *m = memo_slot(hash, session);

	if (version < 0 || m->conn != c || m->data_version != version || m->session != session ||
	    strcmp(m->hash, hash) != 0 || (session && m->expires_ms <= time_now_ms()))
		return false;
	*p = m->who;
	return true;
}

static void
memo_keep(const struct store_conn *c, int64_t version, const char *hash, bool session,
	  int64_t expires_ms, const struct principal *p)
{
	struct credential_memo *m = memo_slot(hash, session);

	if (version < 0)
		return;
	memcpy(m->hash, hash, HASH_HEX);
	m->session = session;
	m->conn = c;
	m->data_version = version;
	m->expires_ms = expires_ms;
	m->who = *p;
}

/* Look the secret's hash up in the store. */
static enum err_code
credential_load(struct store_conn *c, bool session, const char *hash, struct principal *p,
		int64_t *expires_ms, struct err *e)
{
	char now[TIME_STR_LEN];
	struct stmt *st = store_prepare(c, session ?
		"SELECT x.id, u.id, u.name, u.role, u.team_id, x.expires_at FROM sessions x "
		"JOIN users u ON u.id = x.user_id "
		"WHERE x.hash = ? AND x.expires_at > ? AND u.deleted_at IS NULL AND u.disabled_at IS NULL" :
		"SELECT x.id, u.id, u.name, u.role, u.team_id, NULL FROM api_tokens x "
		"JOIN users u ON u.id = x.user_id "
		"WHERE x.hash = ? AND x.revoked_at IS NULL AND u.deleted_at IS NULL AND u.disabled_at IS NULL "
		"AND ? IS NOT NULL", e);

	if (!st)
		return e->code;
	time_format(time_now_ms(), now);
	stmt_bind_str(st, 1, hash);
	stmt_bind_str(st, 2, now);
	int rc = stmt_step(st, e);
	if (rc == 1) {
		memset(p, 0, sizeof(*p));
		p->credential_id = stmt_int(st, 0);
		p->user_id = stmt_int(st, 1);
		snprintf(p->name, sizeof(p->name), "%s", stmt_text(st, 2));
		snprintf(p->role, sizeof(p->role), "%s", stmt_text(st, 3));
		p->team_id = stmt_is_null(st, 4) ? 0 : stmt_int(st, 4);
		p->via_session = session;
		*expires_ms = 0;
		if (session && !time_parse_datetime(stmt_text(st, 5), expires_ms))
			*expires_ms = 0;	/* unreadable: not memoised past now */
	}
	stmt_finish(st);
	if (rc < 0)
		return e->code;
	if (rc == 0)
		return err_set(e, ERR_UNAUTH, "the credentials are not valid");
	return ERR_OK;
}

enum err_code
credential_check(struct store *s, bool session, const char *secret, struct principal *p,
		 struct err *e)
{
	char hash[HASH_HEX];
	struct store_conn *c;

	if (strlen(secret) != SECRET_TEXT_LEN - 1 || strncmp(secret, "gx_", 3) != 0)
		return err_set(e, ERR_UNAUTH, "the credentials are not valid");
	secret_hash(secret, hash);
	if (!(c = store_reader(s, e)))
		return e->code;
	int64_t version = store_data_version(c), expires_ms;
	if (!memo_find(c, version, hash, session, p)) {
		if (credential_load(c, session, hash, p, &expires_ms, e) != ERR_OK)
			return e->code;
		memo_keep(c, version, hash, session, expires_ms, p);
	}
	if (!session)
		note_token_use(s, p->credential_id);
	return ERR_OK;
}

void
csrf_token(const char *session_secret, char out[CSRF_TEXT_LEN])
{
	unsigned char h[32];
	static const unsigned char label[] = "guanxi csrf v1";

	/* keyed by the session's secret: only its holder can compute it */
	crypto_generichash(h, sizeof(h), label, sizeof(label) - 1,
			   (const unsigned char *)session_secret, strlen(session_secret));
	sodium_bin2base64(out, CSRF_TEXT_LEN, h, sizeof(h), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(h, sizeof(h));
}

bool
csrf_valid(const char *session_secret, const char *given)
{
	char want[CSRF_TEXT_LEN];

	if (!given || strlen(given) != CSRF_TEXT_LEN - 1)
		return false;
	csrf_token(session_secret, want);
	bool ok = sodium_memcmp(want, given, CSRF_TEXT_LEN - 1) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}
