/* SPDX-License-Identifier: MIT */
/* Versioned migrations of the system tables (SQLite dialect). Entity tables
 * are derived from the registry instead (engine/schema_sync.c). Append new
 * steps at the end; never edit one that has shipped. */
#include <stdio.h>
#include "store/migrations.h"
#include "util/timeutil.h"

static const char *const steps[] = {
	/* 1: users, credentials, history, idempotency, custom fields */
	"CREATE TABLE users ("
	" id INTEGER PRIMARY KEY, name TEXT NOT NULL, password_hash TEXT NOT NULL,"
	" role TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
	" deleted_at TEXT);"
	"CREATE UNIQUE INDEX users_name ON users(name) WHERE deleted_at IS NULL;"
	"CREATE TABLE api_tokens ("
	" id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),"
	" hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, last_used_at TEXT,"
	" revoked_at TEXT);"
	"CREATE INDEX api_tokens_user ON api_tokens(user_id);"
	"CREATE TABLE sessions ("
	" id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),"
	" hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, expires_at TEXT NOT NULL);"
	"CREATE TABLE history ("
	" id INTEGER PRIMARY KEY, entity TEXT NOT NULL, record_id INTEGER NOT NULL,"
	" at TEXT NOT NULL, user_id INTEGER, action TEXT NOT NULL, changes TEXT NOT NULL);"
	"CREATE INDEX history_record ON history(entity, record_id, id);"
	"CREATE TABLE idempotency_keys ("
	" user_id INTEGER NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,"
	" status INTEGER NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL,"
	" PRIMARY KEY (user_id, key));"
	"CREATE TABLE custom_fields ("
	" id INTEGER PRIMARY KEY, entity TEXT NOT NULL, name TEXT NOT NULL,"
	" definition TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT,"
	" deleted_at TEXT, UNIQUE (entity, name));",
	/* 2: users belong to a team (teams is a declared entity) */
	"ALTER TABLE users ADD COLUMN team_id INTEGER REFERENCES teams(id);",
	/* 3: a record shared with a user or a team, for reading or editing */
	"CREATE TABLE record_shares ("
	" id INTEGER PRIMARY KEY, entity TEXT NOT NULL, record_id INTEGER NOT NULL,"
	" user_id INTEGER REFERENCES users(id), team_id INTEGER REFERENCES teams(id),"
	" access TEXT NOT NULL CHECK (access IN ('read', 'edit')),"
	" created_at TEXT NOT NULL, created_by INTEGER,"
	" CHECK ((user_id IS NULL) <> (team_id IS NULL)));"
	"CREATE INDEX record_shares_record ON record_shares(entity, record_id);"
	"CREATE INDEX record_shares_user ON record_shares(user_id, entity);"
	"CREATE INDEX record_shares_team ON record_shares(team_id, entity);",
	/* 4: the audit log: events that are not record changes (logins ...);
	 * it and the record history are append-only */
	"CREATE TABLE audit_events ("
	" id INTEGER PRIMARY KEY, at TEXT NOT NULL, user_id INTEGER, user_name TEXT,"
	" action TEXT NOT NULL, ip TEXT, detail TEXT);"
	"CREATE INDEX audit_events_at ON audit_events(at);"
	"CREATE INDEX history_at ON history(at);"
	"CREATE TRIGGER audit_events_append_only_u BEFORE UPDATE ON audit_events"
	" BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_events_append_only_d BEFORE DELETE ON audit_events"
	" BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER history_append_only_u BEFORE UPDATE ON history"
	" BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;"
	"CREATE TRIGGER history_append_only_d BEFORE DELETE ON history"
	" BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END;",
	/* 5: a second factor (TOTP): the key in force, one being set up, and
	 * the last step used (no replay) */
	"ALTER TABLE users ADD COLUMN totp_key TEXT;"
	"ALTER TABLE users ADD COLUMN totp_pending TEXT;"
	"ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;",
	/* 6: changes to the permission table, over the built-in defaults */
	"CREATE TABLE role_grants ("
	" role TEXT NOT NULL, entity TEXT NOT NULL, action TEXT NOT NULL, scope TEXT NOT NULL,"
	" updated_at TEXT NOT NULL, PRIMARY KEY (role, entity, action));",
	/* 7: merged customers, kept so that a merge can be undone: what the
	 * survivor held before, what it took, which records moved */
	"CREATE TABLE customer_merges ("
	" id INTEGER PRIMARY KEY, survivor_id INTEGER NOT NULL REFERENCES customers(id),"
	" duplicate_id INTEGER NOT NULL REFERENCES customers(id), at TEXT NOT NULL, at_ms INTEGER NOT NULL,"
	" user_id INTEGER, before TEXT NOT NULL, after TEXT NOT NULL, moved TEXT NOT NULL, undone_at TEXT);"
	"CREATE INDEX customer_merges_survivor ON customer_merges(survivor_id);"
	"CREATE INDEX customer_merges_duplicate ON customer_merges(duplicate_id);",
	/* 8: retention policies (domain/retention.c): which records of an
	 * entity go, after how long, and how */
	"CREATE TABLE retention_policies ("
	" id INTEGER PRIMARY KEY, name TEXT NOT NULL, entity TEXT NOT NULL,"
	" conditions TEXT NOT NULL, age_from TEXT NOT NULL, age_months INTEGER NOT NULL,"
	" action TEXT NOT NULL CHECK (action IN ('erase', 'delete')),"
	" enabled INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
	" version INTEGER NOT NULL DEFAULT 1);",
	/* 9: imports: each one, the records it created or changed (with the
	 * prior values, to revert it) and the rows it rejected */
	"CREATE TABLE imports ("
	" id INTEGER PRIMARY KEY, entity TEXT NOT NULL, user_id INTEGER NOT NULL,"
	" user_name TEXT, source TEXT, options TEXT NOT NULL, header TEXT,"
	" status TEXT NOT NULL, message TEXT, total INTEGER,"
	" processed INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL DEFAULT 0,"
	" updated INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0,"
	" failed INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL, reverted_at TEXT);"
	"CREATE TABLE import_records ("
	" import_id INTEGER NOT NULL, seq INTEGER NOT NULL, entity TEXT NOT NULL,"
	" record_id INTEGER NOT NULL, action TEXT NOT NULL, prior TEXT,"
	" PRIMARY KEY (import_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE import_errors ("
	" import_id INTEGER NOT NULL, line INTEGER NOT NULL, reason TEXT NOT NULL, raw TEXT,"
	" PRIMARY KEY (import_id, line)) WITHOUT ROWID;",
	/* 10: a user can be disabled (and enabled again) without being
	 * removed: no sign-in, sessions ended, tokens refused meanwhile */
	"ALTER TABLE users ADD COLUMN disabled_at TEXT;",
	/* ---- the customer list's server side (issue 5): preferences, saved
	 * views, bulk actions ---- */
	/* 11: each user's preferences (domain/preferences.c): locale, time
	 * zone, theme and list columns, as one JSON object */
	"CREATE TABLE user_preferences ("
	" user_id INTEGER PRIMARY KEY REFERENCES users(id), data TEXT NOT NULL,"
	" updated_at TEXT NOT NULL);",
	/* 12: saved views of the lists (domain/saved_views.c), each user's own;
	 * a name once per user and list, at most one default per list */
	"CREATE TABLE saved_views ("
	" id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),"
	" entity TEXT NOT NULL, name TEXT NOT NULL, definition TEXT NOT NULL,"
	" is_default INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);"
	"CREATE UNIQUE INDEX saved_views_name ON saved_views(user_id, entity, name);"
	"CREATE UNIQUE INDEX saved_views_default ON saved_views(user_id, entity) WHERE is_default;",
	/* 13: bulk actions as background jobs (domain/bulk.c): progress, and
	 * the records that failed with the reason */
	"CREATE TABLE bulk_jobs ("
	" id INTEGER PRIMARY KEY, entity TEXT NOT NULL, user_id INTEGER NOT NULL,"
	" user_name TEXT, action TEXT NOT NULL, value TEXT NOT NULL, selection TEXT NOT NULL,"
	" status TEXT NOT NULL, message TEXT, total INTEGER NOT NULL,"
	" processed INTEGER NOT NULL DEFAULT 0, changed INTEGER NOT NULL DEFAULT 0,"
	" skipped INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,"
	" errors TEXT NOT NULL DEFAULT '[]', created_at TEXT NOT NULL, updated_at TEXT NOT NULL);",
	/* 14: indexes a bulk load dropped, to be built again when it ends
	 * (store_defer_indexes) */
	"CREATE TABLE deferred_indexes (name TEXT PRIMARY KEY, sql TEXT NOT NULL);",
};

#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

static int64_t
current_version(struct store_conn *c, struct err *e)
{
	struct stmt *st = store_prepare(c, "SELECT coalesce(max(version), 0) FROM schema_migrations", e);
	int64_t v = -1;

	if (!st)
		return -1;
	if (stmt_step(st, e) == 1)
		v = stmt_int(st, 0);
	stmt_finish(st);
	return v;
}

enum err_code
migrations_apply(struct store_conn *c, int *applied, struct err *e)
{
	char now[TIME_STR_LEN];

	*applied = 0;
	if (store_exec(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
		       " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)", e) != ERR_OK)
		return e->code;
	int64_t v = current_version(c, e);
	if (v < 0)
		return e->code;
	if ((size_t)v > NSTEPS)
		return err_set(e, ERR_STORE, "the database is at schema version %lld, newer than "
			       "this guanxi (%zu): upgrade guanxi", (long long)v, NSTEPS);
	time_format(time_now_ms(), now);
	for (size_t i = (size_t)v; i < NSTEPS; i++) {
		if (store_exec(c, steps[i], e) != ERR_OK)
			return e->code;
		char sql[160];
		snprintf(sql, sizeof(sql), "INSERT INTO schema_migrations VALUES (%zu, '%s')", i + 1, now);
		if (store_exec(c, sql, e) != ERR_OK)
			return e->code;
		(*applied)++;
	}
	return ERR_OK;
}
