/* SPDX-License-Identifier: MIT */
/* SQLite implementation of store.h: WAL, synchronous=FULL by default, a
 * read-only connection per thread, a writer thread with group commit, and a
 * per-connection cache of prepared statements keyed by their SQL text. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>
#include "store/store.h"
#include "store/sqlite_fts.h"
#include "text/collate.h"
#include "text/fold.h"
#include "text/mask.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/timeutil.h"

#define CACHE_SLOTS 512		/* statements cached per connection */
#define BATCH_MAX 128		/* jobs per group commit */
#define BUSY_TIMEOUT_MS 10000

struct stmt {
	sqlite3_stmt *st;
	struct store_conn *conn;
	char *sql;
	int64_t t0;		/* when the first step began, for db time */
};

/* A write put off to the end of the writer's transaction (store_defer). */
struct deferred {
	store_write_fn *fn;
	void *ctx;
	void (*release)(void *ctx);
};

struct store_conn {
	sqlite3 *db;
	struct store *store;
	struct stmt *slots[CACHE_SLOTS];
	size_t nslots;
	struct store_conn *next;	/* in store->conns */
	/* the writer's deferred writes, in order; the first `ran` of them
	 * ran already (store_run_deferred) */
	struct deferred *deferred;
	size_t ndeferred, deferred_cap, ran;
};

struct write_job {
	store_write_fn *fn;
	void *ctx;
	struct err *e;		/* the caller's, or own_err */
	struct err own_err;	/* for jobs nobody waits on */
	enum err_code rc;
	store_done_fn *done;	/* may be NULL */
	void *done_ctx;
	struct write_job *next;
};

struct store {
	char *path;
	struct store_options opt;
	pthread_key_t reader_key;
	pthread_mutex_t conns_lock;
	struct store_conn *conns;	/* every open connection */

	struct store_conn *writer_conn;
	pthread_t writer;
	pthread_mutex_t q_lock;
	pthread_cond_t q_cv, done_cv;
	struct write_job *q_head, *q_tail;
	_Atomic int waiting;	/* jobs submitted and not started yet */
	bool stopping;
};

static _Atomic uint64_t db_nanos;

uint64_t
store_db_nanos(void)
{
	return atomic_load_explicit(&db_nanos, memory_order_relaxed);
}

const char *
store_path(const struct store *s)
{
	return s->path;
}

static enum err_code
db_fail(sqlite3 *db, struct err *e, const char *what)
{
	int code = sqlite3_extended_errcode(db);

	if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
		return err_set(e, ERR_CONFLICT, "a record with this value exists already");
	if (code == SQLITE_CONSTRAINT_FOREIGNKEY)
		return err_set(e, ERR_INVALID, "a referenced record does not exist");
	log_error("database: %s: %s", what, sqlite3_errmsg(db));
	return err_set(e, ERR_STORE, "database error: %s", sqlite3_errstr(code));
}

/* ---- full-text search (FTS5 with the guanxi tokenizer) ---- */

enum err_code
store_search_create(struct store_conn *c, const char *table, const char *const *cols,
		    size_t ncols, struct err *e)
{
	struct buf sql;

	buf_init(&sql, 1 << 14);
	buf_printf(&sql, "DROP TABLE IF EXISTS %s; CREATE VIRTUAL TABLE %s USING fts5(", table, table);
	for (size_t i = 0; i < ncols; i++)
		buf_printf(&sql, "%s%s", i ? ", " : "", cols[i]);
	/* the record's id is the rowid: no need for a column of its own; no
	 * column sizes either (a B-tree row per record, for BM25 only: hits
	 * are scored in C, engine/search.c) */
	buf_adds(&sql, ", tokenize = 'guanxi', columnsize = 0)");
	enum err_code rc = store_exec(c, sql.data, e);
	buf_release(&sql);
	return rc;
}

void
store_sql_search_insert(struct buf *b, const char *table, const char *const *cols, size_t ncols)
{
	buf_printf(b, "INSERT INTO %s (rowid", table);
	for (size_t i = 0; i < ncols; i++)
		buf_printf(b, ", %s", cols[i]);
	buf_adds(b, ") VALUES (?");
	for (size_t i = 0; i < ncols; i++)
		buf_adds(b, ", ?");
	buf_addc(b, ')');
}

enum err_code
store_search_compact(struct store_conn *c, const char *table, struct err *e)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "INSERT INTO %s (%s) VALUES ('optimize')", table, table);
	return store_exec(c, sql, e);
}

void
store_sql_search_delete(struct buf *b, const char *table)
{
	buf_printf(b, "DELETE FROM %s WHERE rowid = ?", table);
}

void
store_sql_search_match(struct buf *b, const char *table, const char *const *cols, size_t ncols)
{
	buf_adds(b, "SELECT rowid AS search_id");
	for (size_t i = 0; cols && i < ncols; i++)
		buf_printf(b, ", %s AS search_c%zu", cols[i], i);
	buf_printf(b, " FROM %s WHERE %s MATCH ?", table, table);
	if (cols)	/* newest first, so a caller can stop early */
		buf_adds(b, " ORDER BY rowid DESC");
}

/* A phrase: the text in double quotes, inner quotes doubled. */
static void
fts_phrase(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

void
store_search_expr(struct buf *b, const char *const *cols, size_t ncols, const char *const *terms,
		  size_t stride, size_t nterms, const char *joined)
{
	buf_addc(b, '{');
	for (size_t i = 0; i < ncols; i++)
		buf_printf(b, "%s%s", i ? " " : "", cols[i]);
	buf_adds(b, "} : ((");
	for (size_t t = 0; t < nterms; t++) {
		buf_adds(b, t ? " AND (" : "(");
		for (size_t k = 0; k < stride && terms[t * stride + k]; k++) {
			if (k)
				buf_adds(b, " OR ");
			fts_phrase(b, terms[t * stride + k]);
		}
		buf_addc(b, ')');
	}
	buf_addc(b, ')');
	if (joined) {
		buf_adds(b, " OR ");
		fts_phrase(b, joined);
	}
	buf_addc(b, ')');
}

/* ---- connections ---- */

/* casefold(text): the SQL face of text_casefold. */
static void
casefold_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	size_t n = (size_t)sqlite3_value_bytes(argv[0]), len;
	char *folded = s ? text_casefold(s, n, &len) : NULL;
	if (folded)
		sqlite3_result_text64(ctx, folded, len, free, SQLITE_UTF8);
	else
		sqlite3_result_value(ctx, argv[0]);
}

/* mask(value, 'phone'|'email'|'text'): the SQL face of text_mask. */
static void
mask_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	const char *kind = (const char *)sqlite3_value_text(argv[1]);

	if (!s || sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	enum mask_kind k = kind && strcmp(kind, "phone") == 0 ? MASK_PHONE :
			   kind && strcmp(kind, "email") == 0 ? MASK_EMAIL : MASK_TEXT;
	char *m = text_mask(k, s);
	sqlite3_result_text(ctx, m, -1, free);
}

/* sortkey('zh_hans'|'zh_hant'|'en', text): the collation key (a BLOB that
 * sorts as the text collates), so indexes and ORDER BY need no custom
 * collating sequence. */
static void
sortkey_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	enum collation coll = collation_by_name((const char *)sqlite3_value_text(argv[0]));
	const char *s = (const char *)sqlite3_value_text(argv[1]);
	size_t len = 0;
	uint8_t *key;

	if (sqlite3_value_type(argv[1]) == SQLITE_NULL || !s) {
		sqlite3_result_null(ctx);
		return;
	}
	if (coll == COLL_NONE) {
		sqlite3_result_error(ctx, "sortkey: unknown collation", -1);
		return;
	}
	key = collation_key(coll, s, (size_t)sqlite3_value_bytes(argv[1]), &len);
	if (key)
		sqlite3_result_blob64(ctx, key, len, free);
	else
		sqlite3_result_value(ctx, argv[1]);
}

static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void
sqlite_setup(void)
{
	/* memory statistics take a global mutex on every allocation */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static enum err_code
conn_open(struct store *s, bool writer, struct store_conn **out, struct err *e)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	sqlite3 *db = NULL;

	pthread_once(&sqlite_once, sqlite_setup);
	if (writer && s->opt.create)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(s->path, &db, flags, NULL) != SQLITE_OK) {
		err_set(e, ERR_STORE, "cannot open database %s: %s", s->path,
			db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return ERR_STORE;
	}
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	char pragmas[256];
	snprintf(pragmas, sizeof(pragmas),
		 "PRAGMA foreign_keys=ON; PRAGMA synchronous=%s; %s%s",
		 s->opt.bulk ? "OFF" : s->opt.sync_normal ? "NORMAL" : "FULL",
		 /* the writer copies the WAL into the file every 4,000 pages
		  * (16 MB), not SQLite's 1,000: a hot index page changed by many
		  * commits is copied once, and the fsyncs are fewer (POST
		  * +10-15%); a bulk load, every 50,000 */
		 !writer ? "" : s->opt.bulk ? "PRAGMA wal_autocheckpoint=50000; " :
					      "PRAGMA wal_autocheckpoint=4000; ",
		 /* the writer keeps more pages: index updates touch many */
		 /* secure_delete: freed space is zeroed, so an erased value does
		  * not linger in free pages of the file */
		 writer ? "PRAGMA journal_mode=WAL; PRAGMA cache_size=-65536; PRAGMA secure_delete=ON; PRAGMA temp_store=MEMORY;" :
			  /* a reader's own pages: a GET by id then
			   * seldom goes to the file (2 MB by default) */
			  "PRAGMA query_only=1; PRAGMA cache_size=-16384;");
	char *msg = NULL;
	if (sqlite3_exec(db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(e, ERR_STORE, "cannot set up database %s: %s", s->path,
			msg ? msg : "unknown error");
		sqlite3_free(msg);
		sqlite3_close(db);
		return ERR_STORE;
	}
	sqlite3_create_function(db, "mask", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
				NULL, mask_fn, NULL, NULL);
	sqlite3_create_function(db, "sortkey", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
				NULL, sortkey_fn, NULL, NULL);
	sqlite3_create_function(db, "casefold", 1,
				SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
				casefold_fn, NULL, NULL);
	if (sqlite_fts_register(db) != SQLITE_OK) {
		err_set(e, ERR_STORE, "cannot set up full-text search: %s", sqlite3_errmsg(db));
		sqlite3_close(db);
		return ERR_STORE;
	}
	struct store_conn *c = xcalloc(1, sizeof(*c));
	c->db = db;
	c->store = s;
	pthread_mutex_lock(&s->conns_lock);
	c->next = s->conns;
	s->conns = c;
	pthread_mutex_unlock(&s->conns_lock);
	*out = c;
	return ERR_OK;
}

static void
cache_clear(struct store_conn *c)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct stmt *st = c->slots[i];
		if (!st)
			continue;
		sqlite3_finalize(st->st);
		free(st->sql);
		free(st);
		c->slots[i] = NULL;
	}
	c->nslots = 0;
}

static void deferred_drop(struct store_conn *c, size_t from);

/* Close c; the caller has removed it from the store's list. */
static void
conn_close(struct store_conn *c)
{
	deferred_drop(c, 0);
	free(c->deferred);
	cache_clear(c);
	if (sqlite3_close(c->db) != SQLITE_OK)
		log_error("database close: %s", sqlite3_errmsg(c->db));
	free(c);
}

static void
conn_unlink(struct store *s, struct store_conn *c)
{
	pthread_mutex_lock(&s->conns_lock);
	for (struct store_conn **p = &s->conns; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	pthread_mutex_unlock(&s->conns_lock);
}

/* Thread exit: close the thread's reader. */
static void
reader_destructor(void *p)
{
	struct store_conn *c = p;

	conn_unlink(c->store, c);
	conn_close(c);
}

struct store_conn *
store_reader(struct store *s, struct err *e)
{
	struct store_conn *c = pthread_getspecific(s->reader_key);

	if (c)
		return c;
	if (conn_open(s, false, &c, e) != ERR_OK)
		return NULL;
	pthread_setspecific(s->reader_key, c);
	return c;
}

void
store_read_begin(struct store *s)
{
	struct err e = { 0 };
	struct store_conn *c = store_reader(s, &e);
	struct stmt *st = c ? store_prepare(c, "BEGIN", &e) : NULL;

	/* without it every query is its own transaction: slower, still right */
	if (st)
		stmt_step(st, &e);
	stmt_finish(st);
	err_clear(&e);
}

void
store_read_end(struct store *s)
{
	struct err e = { 0 };
	struct store_conn *c = pthread_getspecific(s->reader_key);
	struct stmt *st;

	if (!c || sqlite3_get_autocommit(c->db))
		return;
	if ((st = store_prepare(c, "COMMIT", &e)))
		stmt_step(st, &e);
	stmt_finish(st);
	err_clear(&e);
}

int64_t
store_data_version(struct store_conn *c)
{
	struct err e = { 0 };
	struct stmt *st = store_prepare(c, "PRAGMA data_version", &e);
	int64_t v = -1;

	if (st && stmt_step(st, &e) == 1)
		v = stmt_int(st, 0);
	stmt_finish(st);
	err_clear(&e);
	return v;
}

/* ---- statements ---- */

/* Eight bytes a step: the engine's statements run to kilobytes, and
 * every query of every request hashes one. */
static size_t
sql_hash(const char *s)
{
	size_t n = strlen(s);
	uint64_t h = 1469598103934665603ULL ^ n, w;

	for (; n >= 8; n -= 8, s += 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
	return (size_t)(h ^ (h >> 32));
}

struct stmt *
store_prepare(struct store_conn *c, const char *sql, struct err *e)
{
	size_t slot = sql_hash(sql) % CACHE_SLOTS;

	for (size_t probe = 0; probe < CACHE_SLOTS; probe++) {
		struct stmt *st = c->slots[slot];
		if (!st)
			break;
		if (strcmp(st->sql, sql) == 0) {
			/* left unfinished (reset behind our back, or a caller
			 * that read one row): its span ended when it did, so
			 * it is dropped rather than counted up to now */
			st->t0 = 0;
			sqlite3_reset(st->st);
			return st;
		}
		slot = (slot + 1) % CACHE_SLOTS;
	}
	if (c->nslots >= CACHE_SLOTS * 3 / 4) {
		/* full of one-off queries: start again rather than thrash */
		cache_clear(c);
		slot = sql_hash(sql) % CACHE_SLOTS;
	}
	sqlite3_stmt *raw = NULL;
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, NULL) != SQLITE_OK) {
		db_fail(c->db, e, "prepare");
		log_error("while preparing: %s", sql);
		return NULL;
	}
	struct stmt *st = xcalloc(1, sizeof(*st));
	st->st = raw;
	st->conn = c;
	st->sql = xstrdup(sql);
	while (c->slots[slot])
		slot = (slot + 1) % CACHE_SLOTS;
	c->slots[slot] = st;
	c->nslots++;
	return st;
}

void
stmt_bind_int(struct stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(st->st, i, v);
}

void
stmt_bind_double(struct stmt *st, int i, double v)
{
	sqlite3_bind_double(st->st, i, v);
}

void
stmt_bind_text(struct stmt *st, int i, const char *s, size_t n)
{
	sqlite3_bind_text64(st->st, i, s, n, SQLITE_TRANSIENT, SQLITE_UTF8);
}

void
stmt_bind_str(struct stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st->st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st->st, i);
}

void
stmt_bind_null(struct stmt *st, int i)
{
	sqlite3_bind_null(st->st, i);
}

void
stmt_bind_named_int(struct stmt *st, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(st->st, name);

	if (i > 0)
		sqlite3_bind_int64(st->st, i, v);
}

/* The statement's time, from its first step to its last row or its
 * reset (which includes reading its rows), into the database time. */
static void
stmt_span_end(struct stmt *st)
{
	if (st->t0 == 0)
		return;
	atomic_fetch_add_explicit(&db_nanos, (uint64_t)(time_mono_ns() - st->t0),
				  memory_order_relaxed);
	st->t0 = 0;
}

int
stmt_step(struct stmt *st, struct err *e)
{
	/* timed from the first step to the end (stmt_span_end), not step by
	 * step: a list of 50 steps 51 times, and reading the clock around
	 * each step cost it 3% */
	if (st->t0 == 0)
		st->t0 = time_mono_ns();
	int rc = sqlite3_step(st->st);

	if (rc != SQLITE_ROW)
		stmt_span_end(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	enum err_code code = db_fail(st->conn->db, e, "step");
	sqlite3_reset(st->st);
	return code;
}

bool
stmt_is_null(struct stmt *st, int col)
{
	return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

json_t *
stmt_text_json(struct stmt *st, int col)
{
	return stmt_is_null(st, col) ? json_null() : json_string(stmt_text(st, col));
}

json_t *
stmt_int_json(struct stmt *st, int col)
{
	return stmt_is_null(st, col) ? json_null() : json_integer(stmt_int(st, col));
}

int64_t
stmt_int(struct stmt *st, int col)
{
	return sqlite3_column_int64(st->st, col);
}

double
stmt_double(struct stmt *st, int col)
{
	return sqlite3_column_double(st->st, col);
}

const char *
stmt_text(struct stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st->st, col);
	return s ? s : "";
}

const char *
stmt_text_or_null(struct stmt *st, int col, size_t *len)
{
	const char *s = (const char *)sqlite3_column_text(st->st, col);

	/* NULL for SQL NULL (an empty text is ""), or out of memory, which
	 * the step's error reports */
	*len = s ? (size_t)sqlite3_column_bytes(st->st, col) : 0;
	return s;
}

size_t
stmt_len(struct stmt *st, int col)
{
	return (size_t)sqlite3_column_bytes(st->st, col);
}

int
stmt_columns(struct stmt *st)
{
	return sqlite3_column_count(st->st);
}

void
stmt_finish(struct stmt *st)
{
	if (!st)
		return;
	stmt_span_end(st);
	sqlite3_reset(st->st);
	sqlite3_clear_bindings(st->st);
}

enum err_code
stmt_run(struct stmt *st, struct err *e)
{
	int rc = stmt_step(st, e);

	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

enum err_code
stmt_rows_json(struct stmt *st, json_t *(*row)(struct stmt *st), json_t **out, struct err *e)
{
	json_t *list = json_array();
	int rc;

	*out = NULL;
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(list, row(st));
	stmt_finish(st);
	if (rc < 0) {
		json_decref(list);
		return e->code;
	}
	*out = list;
	return ERR_OK;
}

enum err_code
store_exec(struct store_conn *c, const char *sql, struct err *e)
{
	char *msg = NULL;

	if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		enum err_code code = db_fail(c->db, e, msg ? msg : "exec");
		sqlite3_free(msg);
		return code;
	}
	return ERR_OK;
}

int64_t
store_last_id(struct store_conn *c)
{
	return sqlite3_last_insert_rowid(c->db);
}

int
store_changes(struct store_conn *c)
{
	return sqlite3_changes(c->db);
}

bool
store_table_has_column(struct store_conn *c, const char *table, const char *col)
{
	return sqlite3_table_column_metadata(c->db, NULL, table, col,
					     NULL, NULL, NULL, NULL, NULL) == SQLITE_OK;
}

/* ---- bulk loads: indexes deferred ---- */

#define INDEX_SQL_MAX (1 << 20)

enum err_code
store_defer_indexes(struct store_conn *c, const char *table, struct err *e)
{
	/* sql IS NULL: the indexes of PRIMARY KEY and UNIQUE constraints */
	if (sqlite3_get_autocommit(c->db))
		return err_set(e, ERR_INTERNAL, "indexes are deferred inside a write");
	struct stmt *st = store_prepare(c, "INSERT OR IGNORE INTO deferred_indexes (name, sql) "
					"SELECT name, sql FROM sqlite_master WHERE type = 'index' "
					"AND tbl_name = ? AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'", e);
	if (!st)
		return e->code;
	stmt_bind_str(st, 1, table);
	if (stmt_run(st, e) != ERR_OK)
		return e->code;
	st = store_prepare(c, "SELECT name FROM deferred_indexes d WHERE EXISTS "
			   "(SELECT 1 FROM sqlite_master m WHERE m.name = d.name AND m.tbl_name = ?)", e);
	if (!st)
		return e->code;
	stmt_bind_str(st, 1, table);
	struct buf drops;
	int rc;
	buf_init(&drops, INDEX_SQL_MAX);
	while ((rc = stmt_step(st, e)) == 1)
		if (buf_printf(&drops, "DROP INDEX \"%s\";", stmt_text(st, 0)) < 0) {
			err_set(e, ERR_INTERNAL, "too many indexes on %s", table);
			rc = -1;
			break;
		}
	stmt_finish(st);
	enum err_code code = rc < 0 ? e->code : store_exec(c, drops.data ? drops.data : "", e);
	buf_release(&drops);
	return code;
}

enum err_code
store_restore_indexes(struct store_conn *c, struct err *e)
{
	struct stmt *st = store_prepare(c, "SELECT sql FROM deferred_indexes ORDER BY name", e);
	struct buf creates;
	int rc;

	if (!st)
		return e->code;
	buf_init(&creates, INDEX_SQL_MAX);
	while ((rc = stmt_step(st, e)) == 1) {
		/* "CREATE INDEX x ON ..." made idempotent: schema_sync may
		 * have built an entity's index again already */
		static const char create[] = "CREATE INDEX ";
		const char *sql = stmt_text(st, 0);
		if (strncmp(sql, create, strlen(create)) != 0) {
			rc = -1;
			err_set(e, ERR_STORE, "a deferred index is not an index: %.100s", sql);
			break;
		}
		if (buf_printf(&creates, "CREATE INDEX IF NOT EXISTS %s;", sql + strlen(create)) < 0) {
			rc = -1;
			err_set(e, ERR_INTERNAL, "too many deferred indexes");
			break;
		}
	}
	stmt_finish(st);
	if (rc < 0 || !creates.len) {
		buf_release(&creates);
		return rc < 0 ? e->code : ERR_OK;
	}
	buf_adds(&creates, "DELETE FROM deferred_indexes;");
	enum err_code code = store_exec(c, creates.data, e);
	buf_release(&creates);
	return code;
}

/* ---- dialect ---- */

const char *
store_sql_type(enum store_class sc)
{
	switch (sc) {
	case SC_INTEGER:
		return "INTEGER";
	case SC_REAL:
		return "REAL";
	default:
		return "TEXT";
	}
}

void
store_sql_record_columns(struct buf *b)
{
	/* deleted_at and doc first: SQLite finds a column by walking the
	 * row's header up to it, and every list reads these two of each row
	 * (tables made before 2026-11-23 have doc last, which costs a list
	 * of 50 about 15% more in SQLite) */
	buf_adds(b, "id INTEGER PRIMARY KEY, deleted_at TEXT, doc TEXT, created_at TEXT NOT NULL, "
		 "updated_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1, custom TEXT");
}

void
store_sql_json_get(struct buf *b, const char *col, const char *key)
{
	/* key is a validated identifier, safe to splice */
	buf_printf(b, "json_extract(%s,'$.%s')", col, key);
}

void
store_sql_doc_trigger(struct buf *b, const char *table)
{
	buf_printf(b, "CREATE TRIGGER IF NOT EXISTS %s_doc_stale AFTER UPDATE ON %s FOR EACH ROW "
		   "WHEN NEW.doc IS OLD.doc AND NEW.doc IS NOT NULL "
		   "BEGIN UPDATE %s SET doc = NULL WHERE id = NEW.id; END", table, table, table);
}

void
store_sql_json_open(struct buf *b)
{
	buf_adds(b, "json_object(");
}

void
store_sql_json_member(struct buf *b, bool first, const char *key, const char *col,
		      enum store_json how, const char *mask)
{
	/* key, col and mask are declared identifiers, safe to splice */
	buf_printf(b, "%s'%s', ", first ? "" : ", ", key);
	if (mask) {
		if (how == SJ_PATH)
			buf_printf(b, "mask(%s ->> '$.%s', '%s')", col, key, mask);
		else
			buf_printf(b, "mask(%s, '%s')", col, mask);
		return;
	}
	switch (how) {
	case SJ_JSON:
		buf_printf(b, "json(%s)", col);
		break;
	case SJ_BOOL:
		buf_printf(b, "CASE WHEN %s IS NULL THEN NULL WHEN %s THEN json('true') "
			   "ELSE json('false') END", col, col);
		break;
	case SJ_PATH:
		buf_printf(b, "%s -> '$.%s'", col, key);
		break;
	default:
		buf_adds(b, col);
	}
}

void
store_sql_json_close(struct buf *b)
{
	buf_addc(b, ')');
}

void
store_sql_json_merge(struct buf *b, const char *col)
{
	buf_printf(b, "json_patch(coalesce(%s, '{}'), ?)", col);
}

void
store_sql_json_array_has(struct buf *b, const char *col)
{
	buf_printf(b, "EXISTS (SELECT 1 FROM json_each(%s) WHERE json_each.value = ?)", col);
}

void
store_sql_in_json_array(struct buf *b, const char *col)
{
	buf_printf(b, "%s IN (SELECT value FROM json_each(?))", col);
}

void
store_sql_icontains(struct buf *b, const char *col)
{
	buf_printf(b, "instr(casefold(%s), ?) > 0", col);
}

void
store_sql_sort_expr(struct buf *b, const char *col, enum collation coll)
{
	if (coll == COLL_NONE)
		buf_adds(b, col);
	else
		buf_printf(b, "sortkey('%s', %s)", collation_name(coll), col);
}

/* ---- writer thread ---- */

static void
reset_busy_statements(struct store_conn *c)
{
	sqlite3_stmt *st = NULL;

	while ((st = sqlite3_next_stmt(c->db, st)))
		if (sqlite3_stmt_busy(st))
			sqlite3_reset(st);
}

/* ---- deferred writes ---- */

void
store_defer(struct store_conn *c, store_write_fn *fn, void *ctx, void (*release)(void *ctx))
{
	if (c->ndeferred == c->deferred_cap) {
		c->deferred_cap = c->deferred_cap ? 2 * c->deferred_cap : 64;
		c->deferred = xrealloc(c->deferred, c->deferred_cap * sizeof(*c->deferred));
	}
	c->deferred[c->ndeferred++] = (struct deferred){ fn, ctx, release };
}

enum err_code
store_run_deferred(struct store_conn *c, struct err *e)
{
	/* SQLite itself rolls the whole transaction back on some errors (a
	 * full disk, no memory): the rows these writes index are gone, and
	 * run now each would commit on its own */
	if (c->ran < c->ndeferred && sqlite3_get_autocommit(c->db))
		return err_set(e, ERR_STORE, "the transaction was rolled back");
	for (; c->ran < c->ndeferred; c->ran++) {
		struct deferred *d = &c->deferred[c->ran];
		if (d->fn(c, d->ctx, e) != ERR_OK)
			return e->code;
	}
	return ERR_OK;
}

/* Forget the deferred writes from `from` on (a job rolled back). */
static void
deferred_drop(struct store_conn *c, size_t from)
{
	for (size_t i = from; i < c->ndeferred; i++)
		if (c->deferred[i].release)
			c->deferred[i].release(c->deferred[i].ctx);
	c->ndeferred = from;
	if (c->ran > from)
		c->ran = from;
}

static enum err_code
exec_cached(struct store_conn *c, const char *sql, struct err *e)
{
	struct stmt *st = store_prepare(c, sql, e);

	return st ? stmt_run(st, e) : e->code;
}

enum err_code
store_savepoint(struct store_conn *c, struct store_savepoint *sp, struct err *e)
{
	sp->mark = c->ndeferred;
	sp->ran = c->ran;
	return exec_cached(c, "SAVEPOINT part", e);
}

enum err_code
store_savepoint_release(struct store_conn *c, struct store_savepoint *sp, struct err *e)
{
	(void)sp;
	return exec_cached(c, "RELEASE part", e);
}

/* The writes since sp undone: the deferred ones made since go, and those
 * made before that ran since (a read needed them) were undone too, so
 * they run again at the end. */
enum err_code
store_savepoint_rollback(struct store_conn *c, struct store_savepoint *sp, struct err *e)
{
	deferred_drop(c, sp->mark);
	c->ran = sp->ran;
	if (exec_cached(c, "ROLLBACK TO part", e) != ERR_OK)
		return e->code;
	return exec_cached(c, "RELEASE part", e);
}

static void
run_batch(struct store *s, struct write_job *batch)
{
	struct store_conn *c = s->writer_conn;
	struct err e = { 0 };

	if (store_exec(c, "BEGIN IMMEDIATE", &e) != ERR_OK) {
		for (struct write_job *j = batch; j; j = j->next) {
			atomic_fetch_sub(&s->waiting, 1);
			j->rc = err_set(j->e, ERR_STORE, "%s", e.msg);
		}
		err_clear(&e);
		return;
	}
	/* a job alone needs no savepoint: the transaction is its own. One
	 * would keep the first image of every page the job changes in memory
	 * until it ends (an import's batch changes thousands) */
	bool alone = !batch->next;
	for (struct write_job *j = batch; j; j = j->next) {
		struct store_savepoint sp;
		atomic_fetch_sub(&s->waiting, 1);
		if (!alone)
			store_savepoint(c, &sp, &e);
		j->rc = j->fn(c, j->ctx, j->e);
		reset_busy_statements(c);
		if (alone)
			continue;
		if (j->rc != ERR_OK)
			store_savepoint_rollback(c, &sp, &e);
		else
			store_savepoint_release(c, &sp, &e);
	}
	if (alone && batch->rc != ERR_OK) {
		store_exec(c, "ROLLBACK", &e);
	} else if (store_run_deferred(c, &e) != ERR_OK || store_exec(c, "COMMIT", &e) != ERR_OK) {
		store_exec(c, "ROLLBACK", &e);
		for (struct write_job *j = batch; j; j = j->next)
			if (j->rc == ERR_OK)
				j->rc = err_set(j->e, ERR_STORE, "commit failed: %s", e.msg);
	}
	deferred_drop(c, 0);
	err_clear(&e);
}

static void *
writer_main(void *arg)
{
	struct store *s = arg;

	pthread_mutex_lock(&s->q_lock);
	for (;;) {
		while (!s->q_head && !s->stopping)
			pthread_cond_wait(&s->q_cv, &s->q_lock);
		if (!s->q_head)
			break;
		/* take up to BATCH_MAX jobs */
		struct write_job *batch = s->q_head, *last = batch;
		for (int n = 1; n < BATCH_MAX && last->next; n++)
			last = last->next;
		s->q_head = last->next;
		if (!s->q_head)
			s->q_tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&s->q_lock);

		run_batch(s, batch);

		/* the job is freed before its callback: the callback may end the
		 * request that owns everything the job pointed to */
		for (struct write_job *j = batch, *next; j; j = next) {
			next = j->next;
			store_done_fn *done = j->done;
			void *done_ctx = j->done_ctx;
			enum err_code rc = j->rc;
			err_clear(&j->own_err);
			free(j);
			if (done)
				done(done_ctx, rc);
		}
		pthread_mutex_lock(&s->q_lock);
	}
	pthread_mutex_unlock(&s->q_lock);
	return NULL;
}

enum err_code
store_submit(struct store *s, store_write_fn *fn, void *ctx, struct err *e,
	     store_done_fn *done, void *done_ctx)
{
	struct write_job *job = xcalloc(1, sizeof(*job));

	job->fn = fn;
	job->ctx = ctx;
	job->e = e ? e : &job->own_err;
	job->done = done;
	job->done_ctx = done_ctx;
	pthread_mutex_lock(&s->q_lock);
	if (s->stopping) {
		pthread_mutex_unlock(&s->q_lock);
		free(job);
		return e ? err_set(e, ERR_UNAVAILABLE, "the server is shutting down") : ERR_UNAVAILABLE;
	}
	if (s->q_tail)
		s->q_tail->next = job;
	else
		s->q_head = job;
	s->q_tail = job;
	atomic_fetch_add(&s->waiting, 1);
	pthread_cond_signal(&s->q_cv);
	pthread_mutex_unlock(&s->q_lock);
	return ERR_OK;
}

bool
store_write_waiting(struct store_conn *c)
{
	return atomic_load_explicit(&c->store->waiting, memory_order_relaxed) > 0;
}

struct sync_wait {
	struct store *s;
	bool done;
	enum err_code rc;
};

static void
sync_done(void *ctx, enum err_code rc)
{
	struct sync_wait *w = ctx;
	struct store *s = w->s;

	pthread_mutex_lock(&s->q_lock);
	w->rc = rc;
	w->done = true;
	pthread_cond_broadcast(&s->done_cv);
	pthread_mutex_unlock(&s->q_lock);
}

enum err_code
store_write(struct store *s, store_write_fn *fn, void *ctx, struct err *e)
{
	struct sync_wait w = { .s = s };

	if (store_submit(s, fn, ctx, e, sync_done, &w) != ERR_OK)
		return e->code;
	pthread_mutex_lock(&s->q_lock);
	while (!w.done)
		pthread_cond_wait(&s->done_cv, &s->q_lock);
	pthread_mutex_unlock(&s->q_lock);
	return w.rc;
}

/* ---- lifecycle ---- */

enum err_code
store_open(struct store **out, const char *dir, const struct store_options *opt, struct err *e)
{
	struct store *s = xcalloc(1, sizeof(*s));
	size_t n = strlen(dir) + sizeof("/guanxi.db");

	s->path = xmalloc(n);
	snprintf(s->path, n, "%s/guanxi.db", dir);
	s->opt = *opt;
	pthread_mutex_init(&s->conns_lock, NULL);
	pthread_mutex_init(&s->q_lock, NULL);
	pthread_cond_init(&s->q_cv, NULL);
	pthread_cond_init(&s->done_cv, NULL);
	if (pthread_key_create(&s->reader_key, reader_destructor) != 0) {
		free(s->path);
		free(s);
		return err_set(e, ERR_INTERNAL, "cannot create thread key");
	}
	if (conn_open(s, true, &s->writer_conn, e) != ERR_OK)
		goto fail;
	if (pthread_create(&s->writer, NULL, writer_main, s) != 0) {
		err_set(e, ERR_INTERNAL, "cannot start the writer thread");
		goto fail;
	}
	*out = s;
	return ERR_OK;
fail:
	if (s->writer_conn) {
		conn_unlink(s, s->writer_conn);
		conn_close(s->writer_conn);
	}
	pthread_key_delete(s->reader_key);
	free(s->path);
	free(s);
	return e->code;
}

void
store_close(struct store *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->q_lock);
	s->stopping = true;
	pthread_cond_signal(&s->q_cv);
	pthread_mutex_unlock(&s->q_lock);
	pthread_join(s->writer, NULL);

	pthread_key_delete(s->reader_key);
	pthread_mutex_lock(&s->conns_lock);
	struct store_conn *c = s->conns;
	s->conns = NULL;
	pthread_mutex_unlock(&s->conns_lock);
	/* the writer last, so closing it checkpoints the WAL */
	while (c) {
		struct store_conn *next = c->next;
		if (c != s->writer_conn)
			conn_close(c);
		c = next;
	}
	conn_close(s->writer_conn);
	pthread_mutex_destroy(&s->conns_lock);
	pthread_mutex_destroy(&s->q_lock);
	pthread_cond_destroy(&s->q_cv);
	pthread_cond_destroy(&s->done_cv);
	free(s->path);
	free(s);
}

enum err_code
store_checkpoint(struct store *s, struct err *e)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READWRITE, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
		/* a connection learns the file is in WAL mode when it first reads
		 * it; until then a checkpoint does nothing */
		rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	}
	if (rc != SQLITE_OK)
		err_set(e, ERR_STORE, "checkpoint failed: %s", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	sqlite3_close(db);
	return rc == SQLITE_OK ? ERR_OK : ERR_STORE;
}

enum err_code
store_backup(struct store *s, const char *file, struct err *e)
{
	sqlite3 *dst = NULL;
	struct store_conn *src = store_reader(s, e);

	if (!src)
		return e->code;
	if (sqlite3_open_v2(file, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		err_set(e, ERR_STORE, "cannot create %s: %s", file,
			dst ? sqlite3_errmsg(dst) : "out of memory");
		sqlite3_close(dst);
		return ERR_STORE;
	}
	sqlite3_backup *bk = sqlite3_backup_init(dst, "main", src->db, "main");
	if (!bk) {
		err_set(e, ERR_STORE, "cannot back up to %s: %s", file, sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return ERR_STORE;
	}
	int rc;
	/* in steps, so writers are not held off for the whole copy */
	while ((rc = sqlite3_backup_step(bk, 1024)) == SQLITE_OK ||
	       rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		if (rc != SQLITE_OK)
			sqlite3_sleep(10);
	sqlite3_backup_finish(bk);
	if (rc != SQLITE_DONE) {
		err_set(e, ERR_STORE, "backup to %s failed: %s", file, sqlite3_errstr(rc));
		sqlite3_close(dst);
		return ERR_STORE;
	}
	if (sqlite3_close(dst) != SQLITE_OK)
		return err_set(e, ERR_STORE, "cannot close %s", file);
	return ERR_OK;
}
