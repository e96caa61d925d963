/* SPDX-License-Identifier: MIT */
/* The entity registry: the declared entities (src/schema/) plus their
 * custom fields, loaded once at start and extended at run time. */
#include <pthread.h>
#include <string.h>
#include "engine/entity.h"
#include "engine/custom.h"
#include "engine/record.h"
#include "engine/search.h"
#include "schema/schema.h"
#include "util/buf.h"
#include "util/mem.h"

static struct entity *entities;
static size_t nentities;
static pthread_mutex_t publish_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const type_names[FT_COUNT] = {
	[FT_STRING] = "string", [FT_TEXT] = "text", [FT_INTEGER] = "integer",
	[FT_NUMBER] = "number", [FT_BOOLEAN] = "boolean", [FT_DATE] = "date",
	[FT_DATETIME] = "datetime", [FT_EMAIL] = "email", [FT_PHONE] = "phone",
	[FT_ENUM] = "enum", [FT_REF] = "reference", [FT_TAGS] = "tags",
};

const char *
field_type_name(enum field_type t)
{
	return t < FT_COUNT ? type_names[t] : "string";
}

bool
field_type_parse(const char *name, enum field_type *out)
{
	for (int t = 0; t < FT_COUNT; t++) {
		if (strcmp(type_names[t], name) == 0) {
			*out = (enum field_type)t;
			return true;
		}
	}
	return false;
}

enum store_class
field_store_class(enum field_type t)
{
	switch (t) {
	case FT_INTEGER:
	case FT_BOOLEAN:
	case FT_REF:
		return SC_INTEGER;
	case FT_NUMBER:
		return SC_REAL;
	default:
		return SC_TEXT;
	}
}

unsigned
field_max_len(const struct field *f)
{
	if (f->max_len)
		return f->max_len;
	switch (f->type) {
	case FT_TEXT:
		return 10000;
	case FT_EMAIL:
		return 254;
	case FT_PHONE:
		return 40;
	case FT_TAGS:
		return 50;	/* per tag */
	default:
		return 200;
	}
}

bool
field_has_sort_keys(const struct field *f)
{
	return f->type == FT_STRING && (f->flags & F_COLLATED) && !(f->flags & F_CUSTOM);
}

void
field_sort_key_column(const struct field *f, enum collation c, char *out, size_t n)
{
	snprintf(out, n, "%s_key_%s", f->name, collation_name(c));
}

const char *
field_mask_kind(const struct field *f)
{
	if (!(f->flags & F_PERSONAL))
		return NULL;
	return f->type == FT_PHONE ? "phone" : f->type == FT_EMAIL ? "email" : "text";
}

bool
field_is_column(const struct field *f)
{
	return !(f->flags & F_CUSTOM);
}

void
wtx_init(struct wtx *w, struct store_conn *c, const struct actor *who, const struct access *acc)
{
	w->c = c;
	w->who = who;
	w->acc = acc;
	w->now_ms = time_now_ms();
	time_format(w->now_ms, w->now);
}

const struct field *
entity_field_at(const struct entity *en, size_t *i)
{
	const struct entity_def *d = en->def;

	while (*i < d->nfields) {
		const struct field *f = &d->fields[(*i)++];
		if (!(f->flags & F_INTERNAL))
			return f;
	}
	size_t n = atomic_load_explicit(&en->ncustom, memory_order_acquire);
	while (*i - d->nfields < n) {
		const struct field *f = &en->custom[*i - d->nfields];
		(*i)++;
		if (!atomic_load_explicit(&en->custom_gone[f - en->custom], memory_order_relaxed))
			return f;
	}
	return NULL;
}

const struct field *
entity_field(const struct entity *en, const char *name)
{
	size_t i = 0;
	const struct field *f;

	while ((f = entity_field_at(en, &i)))
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

enum err_code
registry_init(struct err *e)
{
	(void)e;
	if (entities)
		return ERR_OK;
	nentities = schema_entity_count;
	entities = xcalloc(nentities, sizeof(*entities));
	for (size_t i = 0; i < nentities; i++) {
		entities[i].def = schema_entities[i];
		record_write_sql(schema_entities[i], &entities[i].insert_sql, &entities[i].update_sql);
		search_write_sql(schema_entities[i], &entities[i].search_insert_sql,
				 &entities[i].search_delete_sql);
	}
	return ERR_OK;
}

void
registry_free(void)
{
	for (size_t i = 0; i < nentities; i++) {
		struct entity *en = &entities[i];
		size_t n = atomic_load(&en->ncustom);
		for (size_t k = 0; k < n; k++)
			custom_field_release(&en->custom[k]);
		free(en->insert_sql);
		free(en->update_sql);
		free(en->search_insert_sql);
		free(en->search_delete_sql);
		struct sql_cache *c = atomic_load(&en->read_cache);
		while (c) {
			struct sql_cache *older = c->older;
			for (int k = 0; k < 2; k++)
				for (int sc = 0; sc < 4; sc++)
					for (int m = 0; m < 2; m++)
						free(c->text[k][sc][m]);
			free(c->columns[0]);
			free(c->columns[1]);
			free(c->rows);
			free(c);
			c = older;
		}
		atomic_store(&en->read_cache, NULL);
	}
	free(entities);
	entities = NULL;
	nentities = 0;
}

const struct entity *
registry_find(const char *name)
{
	for (size_t i = 0; i < nentities; i++)
		if (strcmp(entities[i].def->name, name) == 0)
			return &entities[i];
	return NULL;
}

size_t
registry_count(void)
{
	return nentities;
}

const struct entity *
registry_at(size_t i)
{
	return i < nentities ? &entities[i] : NULL;
}

/* The registry owns its entities; callers hold const pointers to them. */
static struct entity *
entity_mut(const struct entity *en)
{
	return &entities[en - entities];
}

void
registry_publish_custom(const struct entity *cen, const struct field *f)
{
	struct entity *en = entity_mut(cen);

	pthread_mutex_lock(&publish_lock);
	size_t n = atomic_load(&en->ncustom);
	if (n < MAX_CUSTOM_FIELDS) {
		en->custom[n] = *f;
		atomic_store_explicit(&en->custom_gone[n], false, memory_order_relaxed);
		atomic_store_explicit(&en->ncustom, n + 1, memory_order_release);
		atomic_fetch_add(&en->custom_gen, 1);
	}
	pthread_mutex_unlock(&publish_lock);
}

void
registry_set_custom_gone(const struct entity *cen, const char *name, bool gone)
{
	struct entity *en = entity_mut(cen);

	pthread_mutex_lock(&publish_lock);
	size_t n = atomic_load(&en->ncustom);
	for (size_t k = 0; k < n; k++)
		if (strcmp(en->custom[k].name, name) == 0)
			atomic_store(&en->custom_gone[k], gone);
	atomic_fetch_add(&en->custom_gen, 1);
	pthread_mutex_unlock(&publish_lock);
}

void
registry_set_read_cache(const struct entity *cen, struct sql_cache *c)
{
	struct entity *en = entity_mut(cen);

	pthread_mutex_lock(&publish_lock);
	c->older = atomic_load(&en->read_cache);
	atomic_store_explicit(&en->read_cache, c, memory_order_release);
	pthread_mutex_unlock(&publish_lock);
}
