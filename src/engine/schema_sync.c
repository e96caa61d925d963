/* SPDX-License-Identifier: MIT */
/* Tables, columns and indexes derived from the entity declarations. Only
 * additive: a column or index that a declaration gains is added; nothing
 * is ever dropped. */
#include <string.h>
#include <sys/stat.h>
#include "engine/custom.h"
#include "engine/engine.h"
#include "engine/entity.h"
#include "engine/record.h"
#include "engine/search.h"
#include "store/migrations.h"
#include "text/search.h"
#include "util/buf.h"
#include "util/log.h"

static void
column_def(struct buf *b, const struct field *f)
{
	buf_printf(b, "%s %s", f->name, store_sql_type(field_store_class(f->type)));
	if (f->type == FT_REF)
		buf_printf(b, " REFERENCES %s(id)", f->ref);
}

static enum err_code
create_table(struct store_conn *c, const struct entity_def *d, struct err *e)
{
	struct buf sql;

	buf_init(&sql, 1 << 16);
	buf_printf(&sql, "CREATE TABLE IF NOT EXISTS %s (", d->name);
	store_sql_record_columns(&sql);
	for (size_t i = 0; i < d->nfields; i++) {
		buf_adds(&sql, ", ");
		column_def(&sql, &d->fields[i]);
	}
	buf_addc(&sql, ')');
	enum err_code rc = store_exec(c, sql.data, e);
	buf_release(&sql);
	return rc;
}

static enum err_code
add_missing_columns(struct store_conn *c, const struct entity_def *d, struct err *e)
{
	for (size_t i = 0; i < d->nfields; i++) {
		if (store_table_has_column(c, d->name, d->fields[i].name))
			continue;
		struct buf sql;
		buf_init(&sql, 4096);
		buf_printf(&sql, "ALTER TABLE %s ADD COLUMN ", d->name);
		column_def(&sql, &d->fields[i]);
		enum err_code rc = store_exec(c, sql.data, e);
		buf_release(&sql);
		if (rc != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

static enum err_code
create_index(struct store_conn *c, const char *table, const char *name, const char *cols,
	     bool unique, bool live_only, struct err *e)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "CREATE %sINDEX IF NOT EXISTS %s ON %s(%s)%s",
		 unique ? "UNIQUE " : "", name, table, cols,
		 live_only ? " WHERE deleted_at IS NULL" : "");
	return store_exec(c, sql, e);
}

/* The sort-key columns of d's names (engine/entity.h), their indexes, and
 * their values for rows written before they existed. */
static enum err_code
sync_sort_keys(struct store_conn *c, const struct entity_def *d, struct err *e)
{
	for (size_t i = 0; i < d->nfields; i++) {
		const struct field *f = &d->fields[i];
		if (!field_has_sort_keys(f))
			continue;
		for (int k = COLL_EN; k < COLL_COUNT; k++) {
			char col[160], name[200], sql[512];
			struct buf key;
			field_sort_key_column(f, (enum collation)k, col, sizeof(col));
			if (!store_table_has_column(c, d->name, col)) {
				buf_init(&key, 256);
				store_sql_sort_expr(&key, f->name, (enum collation)k);
				snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN %s BLOB; UPDATE %s SET %s = %s",
					 d->name, col, d->name, col, key.data);
				enum err_code rc = store_exec(c, sql, e);
				buf_release(&key);
				if (rc != ERR_OK)
					return rc;
			}
			snprintf(name, sizeof(name), "%s_%s", d->name, col);
			if (create_index(c, d->name, name, col, false, false, e) != ERR_OK)
				return e->code;
		}
	}
	return ERR_OK;
}

enum err_code
derived_form_same(struct store_conn *c, const char *name, const char *form, bool *same,
		  struct err *e)
{
	struct stmt *st = store_prepare(c, "SELECT form FROM derived_forms WHERE name = ?", e);

	if (!st)
		return e->code;
	stmt_bind_str(st, 1, name);
	int rc = stmt_step(st, e);
	*same = rc == 1 && strcmp(stmt_text(st, 0), form) == 0;
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

enum err_code
derived_form_keep(struct store_conn *c, const char *name, const char *form, struct err *e)
{
	struct stmt *st = store_prepare(c, "INSERT OR REPLACE INTO derived_forms (name, form) VALUES (?, ?)", e);

	if (!st)
		return e->code;
	stmt_bind_str(st, 1, name);
	stmt_bind_str(st, 2, form);
	return stmt_run(st, e);
}

/* The doc column of d's records (engine/record.c), the trigger that
 * clears a doc other writers leave stale, and the docs of rows written
 * before the column existed or in another form (a field added). */
static enum err_code
sync_docs(struct store_conn *c, const struct entity_def *d, struct err *e)
{
	struct buf form, sql;
	char name[160];
	bool same;

	snprintf(name, sizeof(name), "doc:%s", d->name);
	buf_init(&form, 1 << 16);
	buf_init(&sql, 1 << 17);
	record_doc_sql(&form, d);
	enum err_code rc = derived_form_same(c, name, form.data, &same, e);
	if (rc == ERR_OK && !same) {
		if (!store_table_has_column(c, d->name, "doc"))
			buf_printf(&sql, "ALTER TABLE %s ADD COLUMN doc TEXT; ", d->name);
		/* without the trigger, which would clear a doc written unchanged */
		buf_printf(&sql, "DROP TRIGGER IF EXISTS %s_doc_stale; UPDATE %s SET doc = %s",
			   d->name, d->name, form.data);
		if ((rc = store_exec(c, sql.data, e)) == ERR_OK)
			rc = derived_form_keep(c, name, form.data, e);
	}
	if (rc == ERR_OK) {
		buf_reset(&sql);
		store_sql_doc_trigger(&sql, d->name);
		rc = store_exec(c, sql.data, e);
	}
	buf_release(&form);
	buf_release(&sql);
	return rc;
}

static enum err_code
create_indexes(struct store_conn *c, const struct entity_def *d, struct err *e)
{
	static const char *const always[] = { "created_at", "updated_at" };
	char name[160];

	for (size_t i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "%s_%s", d->name, always[i]);
		if (create_index(c, d->name, name, always[i], false, false, e) != ERR_OK)
			return e->code;
	}
	for (size_t i = 0; i < d->nfields; i++) {
		if (!(d->fields[i].flags & F_INDEXED))
			continue;
		snprintf(name, sizeof(name), "%s_%s", d->name, d->fields[i].name);
		if (create_index(c, d->name, name, d->fields[i].name, false, false, e) != ERR_OK)
			return e->code;
	}
	/* fields marked F_BY_OWNER again after the owner, so that a filter
	 * within the own scope reads only the caller's rows, in id order
	 * (engine/access.c). Not after the team: the team scope is an OR the
	 * planner would not answer from one index anyway. */
	for (size_t i = 0; d->owner_field && i < d->nfields; i++) {
		char cols[160];
		if (!(d->fields[i].flags & F_BY_OWNER))
			continue;
		snprintf(name, sizeof(name), "%s_%s_%s", d->name, d->owner_field, d->fields[i].name);
		snprintf(cols, sizeof(cols), "%s, %s", d->owner_field, d->fields[i].name);
		if (create_index(c, d->name, name, cols, false, false, e) != ERR_OK)
			return e->code;
	}
	if (sync_sort_keys(c, d, e) != ERR_OK)
		return e->code;
	for (size_t i = 0; i < d->nindexes; i++) {
		const struct index_def *x = &d->indexes[i];
		if (create_index(c, d->name, x->name, x->columns, x->unique, x->live_only, e) != ERR_OK)
			return e->code;
	}
	return ERR_OK;
}

enum err_code
schema_sync(struct store_conn *c, struct err *e)
{
	/* derived_forms replaced search_layouts and record_docs (2026-11-23;
	 * the search form changed that day too, so nothing is rebuilt twice) */
	if (store_exec(c, "CREATE TABLE IF NOT EXISTS derived_forms "
		       "(name TEXT PRIMARY KEY, form TEXT NOT NULL);"
		       "DROP TABLE IF EXISTS search_layouts; DROP TABLE IF EXISTS record_docs", e) != ERR_OK)
		return e->code;
	for (size_t i = 0; i < registry_count(); i++) {
		const struct entity_def *d = registry_at(i)->def;
		if (create_table(c, d, e) != ERR_OK || add_missing_columns(c, d, e) != ERR_OK ||
		    create_indexes(c, d, e) != ERR_OK || sync_docs(c, d, e) != ERR_OK)
			return e->code;
	}
	return search_sync(c, e);
}

enum err_code
engine_bulk_begin(struct store_conn *c, const char *const *entities, size_t n, struct err *e)
{
	for (size_t i = 0; i < n; i++)
		if (store_defer_indexes(c, entities[i], e) != ERR_OK)
			return e->code;
	return search_defer_indexes(c, e);
}

enum err_code
engine_bulk_end(struct store_conn *c, struct err *e)
{
	return store_restore_indexes(c, e);
}

struct migrate_job {
	int applied;
};

static enum err_code
migrate_job_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct migrate_job *j = ctx;

	/* a bulk load that died midway left indexes deferred */
	if (migrations_apply(c, &j->applied, e) != ERR_OK || store_restore_indexes(c, e) != ERR_OK)
		return e->code;
	return schema_sync(c, e);
}

enum err_code
engine_open(const char *dir, const struct engine_options *opt, struct store **out, struct err *e)
{
	struct store_options so = {
		.sync_normal = opt->sync_normal, .create = opt->create, .bulk = opt->bulk,
	};
	struct stat sb;
	struct store *s = NULL;

	*out = NULL;
	if (opt->create && stat(dir, &sb) != 0 && mkdir(dir, 0750) != 0)
		return err_set(e, ERR_STORE, "cannot create data folder %s: %m", dir);
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return err_set(e, ERR_STORE, "no data folder %s (run: guanxi init --data %s)", dir, dir);
	if (!opt->create) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/guanxi.db", dir);
		if (stat(path, &sb) != 0)
			return err_set(e, ERR_STORE, "no database in %s (run: guanxi init --data %s)", dir, dir);
	}
	if (registry_init(e) != ERR_OK || store_open(&s, dir, &so, e) != ERR_OK)
		return e->code;
	struct migrate_job j = { 0 };
	if (store_write(s, migrate_job_run, &j, e) != ERR_OK)
		goto fail;
	if (j.applied && !opt->quiet)
		log_info("applied %d schema migration%s", j.applied, j.applied == 1 ? "" : "s");
	struct store_conn *c = store_reader(s, e);
	if (!c || custom_fields_load(c, e) != ERR_OK)
		goto fail;
	*out = s;
	return ERR_OK;
fail:
	store_close(s);
	registry_free();
	return e->code;
}

void
engine_close(struct store *s)
{
	store_close(s);
	registry_free();
	text_search_shutdown();
	collation_shutdown();
}
