/* SPDX-License-Identifier: MIT */
/* Opening a data folder: store, registry, migrations and custom fields. */
#ifndef GX_ENGINE_H
#define GX_ENGINE_H

#include <stdbool.h>
#include "store/store.h"

struct engine_options {
	bool create;		/* create the database if missing (init) */
	bool sync_normal;	/* synchronous=NORMAL */
	bool bulk;		/* a bulk load (demo): see store_options */
	bool quiet;		/* do not report applied migrations */
};

/* Open dir, bring its schema up to date (system migrations and a table,
 * columns and indexes for every entity), load custom fields. */
enum err_code engine_open(const char *dir, const struct engine_options *opt,
			  struct store **out, struct err *e);
void engine_close(struct store *s);

/* Entity tables from the registry: create what is missing (inside a
 * transaction). */
enum err_code schema_sync(struct store_conn *c, struct err *e);

/* A bulk load (demo, a large import) into entity tables: engine_bulk_begin
 * defers the plain indexes of each named table and of the search index's
 * phone numbers (store_defer_indexes); engine_bulk_end builds them again.
 * Both run inside a write. */
enum err_code engine_bulk_begin(struct store_conn *c, const char *const *entities, size_t n,
				struct err *e);
enum err_code engine_bulk_end(struct store_conn *c, struct err *e);

/* What schema_sync derives beyond tables (a search index, the records'
 * docs) notes the form it was built in under a name, so that a start
 * rebuilds it only when its form changed. *same: the stored form is form. */
enum err_code derived_form_same(struct store_conn *c, const char *name, const char *form,
				bool *same, struct err *e);
enum err_code derived_form_keep(struct store_conn *c, const char *name, const char *form,
				struct err *e);

#endif
