/* SPDX-License-Identifier: MIT */
/* Record types as data. An entity is declared once (src/schema/) as a table
 * of fields; the engine derives from it the table and indexes, validation,
 * CRUD, lists, history, custom fields and the OpenAPI document.
 *
 * Built-in fields are columns of the entity's table. Custom fields, added at
 * run time, live in the JSON column `custom`; they are appended to the
 * entity's fixed-size custom array and published with an atomic count, so
 * readers never lock (slots are never reused; a deleted field is flagged). */
#ifndef GX_ENTITY_H
#define GX_ENTITY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "engine/access.h"
#include "store/store.h"
#include "util/err.h"
#include "util/timeutil.h"

enum field_type {
	FT_STRING,	/* one line of text */
	FT_TEXT,	/* multi-line text */
	FT_INTEGER,
	FT_NUMBER,
	FT_BOOLEAN,
	FT_DATE,	/* YYYY-MM-DD */
	FT_DATETIME,	/* RFC 3339, stored normalised to UTC */
	FT_EMAIL,
	FT_PHONE,
	FT_ENUM,
	FT_REF,		/* id of a record in `ref` */
	FT_TAGS,	/* array of short strings */
	FT_COUNT
};

enum field_flags {
	F_REQUIRED = 1 << 0,	/* present on create, never null */
	F_INDEXED = 1 << 1,	/* has an index: sortable, fast to filter */
	F_SEARCHABLE = 1 << 2,	/* matched by q= */
	F_PERSONAL = 1 << 3,	/* personal data (masking, erasure) */
	F_INTERNAL = 1 << 4,	/* a column the API never reads or writes */
	F_CUSTOM = 1 << 5,	/* lives in the JSON column `custom` */
	F_DEFAULT_ACTOR = 1 << 7,	/* defaults to the caller's user id */
	F_DEFAULT_NOW = 1 << 8,	/* defaults to the time of the write */
	F_NOT_FUTURE = 1 << 9,	/* a date that cannot lie ahead */
	F_IDENTIFYING = 1 << 10,	/* names a person: wiped on erasure, not masked */
	F_COLLATED = 1 << 12,	/* sorted per the reader's language from indexed keys */
	F_BY_OWNER = 1 << 11,	/* also indexed after the owner: a filter with
				 * few values (city, type) stays fast within the
				 * own scope; each such index costs writes */
};

/* A text format beyond the field's type (validate.c has the formats). */
struct format {
	const char *name;	/* "bcp47", shown in the OpenAPI document */
	bool (*ok)(const char *s);
	const char *message;	/* "not a language tag (BCP 47), e.g. zh-Hant" */
};

struct field {
	const char *name;
	enum field_type type;
	unsigned flags;		/* enum field_flags */
	unsigned max_len;	/* code points; 0 = the type's default */
	const char *const *values;	/* FT_ENUM: NULL-terminated */
	const char *ref;	/* FT_REF: table of the referenced records */
	const char *def;	/* default on create, as JSON text */
	const struct format *format;	/* extra check of text values */
	const char *label;	/* English label */
};

struct wtx;
struct entity;

/* Hooks let business rules join the engine's writes, inside the same
 * transaction. `rec` is the full record after the change, `old` the record
 * before it (NULL on create). Returning an error undoes the whole write. */
struct entity_hooks {
	enum err_code (*before_save)(struct wtx *w, const struct entity *en,
				     json_t *rec, const json_t *old, struct err *e);
	enum err_code (*after_save)(struct wtx *w, const struct entity *en,
				    const json_t *rec, const json_t *old, struct err *e);
	enum err_code (*after_delete)(struct wtx *w, const struct entity *en,
				      const json_t *old, struct err *e);
	enum err_code (*after_restore)(struct wtx *w, const struct entity *en,
				       const json_t *rec, const char *deleted_at,
				       struct err *e);
	/* Does searchable field f of rec hold a phone number (as FT_PHONE
	 * fields do)? Phones are searched by their digits (engine/search.h). */
	bool (*search_is_phone)(const struct entity *en, const struct field *f, const json_t *rec);
	/* Is rec found through another record already (so it needs no search
	 * index rows of its own)? */
	bool (*search_redundant)(struct store_conn *c, const struct entity *en, const json_t *rec);
};

/* An index beyond the one-column indexes of F_INDEXED fields. */
struct index_def {
	const char *name;
	const char *columns;	/* "kind, norm" */
	bool unique;
	bool live_only;		/* only rows not deleted */
};

/* How a record type joins a customer's 360° view (domain/overview.h):
 * records under a customer (parent_field) that happen at a time are on
 * its timeline; a filter picks the ones still open; an amount adds to
 * the customer's lifetime spend. A module declares this and its records
 * appear in the overview, with no code of its own there. */
struct timeline_def {
	const char *time_field;		/* when it happened (indexed) */
	const char *title_field;	/* a line that says what it was */
	const char *kind_field;		/* counted per value in the key figures, or NULL */
	const char *open_filter;	/* list filter for open items ("status:in:open,pending"), or NULL */
	const char *amount_field;	/* summed as spend, or NULL */
};

struct entity_def {
	const char *name;	/* plural snake_case: table, URL and permission */
	const char *singular;
	const char *label;
	const struct field *fields;
	size_t nfields;
	const struct index_def *indexes;
	size_t nindexes;
	const struct entity_hooks *hooks;
	/* record-level access (engine/access.h): owned records name their
	 * owner and team fields; child records name their parent field */
	const char *owner_field, *team_field, *parent_field;
	const struct timeline_def *timeline;	/* NULL: not on the timeline */
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

#define MAX_CUSTOM_FIELDS 128

/* SQL that depends on the live custom fields, cached per generation. Old
 * versions stay reachable through `older` until exit, so a reader holding
 * one never sees it freed. */
struct sql_cache {
	unsigned gen;		/* custom_gen it was built for */
	char *text[2][4][2];	/* read one record: [deleted too][read scope][masked] */
	char *columns[2];	/* a whole record's columns: [masked] */
	char *rows;		/* the same for many unmasked records (a list) */
	struct sql_cache *older;
};

struct entity {
	const struct entity_def *def;
	char *insert_sql, *update_sql;	/* fixed by the declaration */
	char *search_insert_sql, *search_delete_sql;	/* NULL: no search index */
	_Atomic(struct sql_cache *) read_cache;
	_Atomic unsigned custom_gen;	/* +1 per custom field change */
	struct field custom[MAX_CUSTOM_FIELDS];	/* strings owned */
	_Atomic bool custom_gone[MAX_CUSTOM_FIELDS];	/* removed since */
	_Atomic size_t ncustom;
};

/* Who is acting, for defaults, history and permissions. */
struct actor {
	int64_t user_id;	/* 0 = the system (CLI) */
	const char *name;
	const char *role;
};

/* A write in progress: the writer's connection, the actor, one timestamp
 * for everything the write touches. */
struct wtx {
	struct store_conn *c;
	const struct actor *who;
	const struct access *acc;	/* NULL = unrestricted (the system) */
	int64_t now_ms;
	char now[TIME_STR_LEN];
};

void wtx_init(struct wtx *w, struct store_conn *c, const struct actor *who,
	      const struct access *acc);

/* Registry (registry.c): process-wide, built once at start. */
enum err_code registry_init(struct err *e);
void registry_free(void);
const struct entity *registry_find(const char *name);	/* NULL if none */
size_t registry_count(void);
const struct entity *registry_at(size_t i);
/* Publish a custom field (takes ownership of f's strings), or flag one
 * as removed or back. Serialised internally. */
void registry_publish_custom(const struct entity *en, const struct field *f);
void registry_set_custom_gone(const struct entity *en, const char *name, bool gone);
/* Install a newer read cache (takes ownership). */
void registry_set_read_cache(const struct entity *en, struct sql_cache *c);

/* Fields of en, built-in then live custom ones; iterate with i from 0
 * until NULL. Internal and deleted fields are skipped. */
const struct field *entity_field_at(const struct entity *en, size_t *i);
const struct field *entity_field(const struct entity *en, const char *name);
bool field_is_column(const struct field *f);
enum store_class field_store_class(enum field_type t);
const char *field_type_name(enum field_type t);
bool field_type_parse(const char *name, enum field_type *out);
unsigned field_max_len(const struct field *f);
/* Fields marked F_COLLATED sort per collation (text/collate.h) from
 * collation keys kept in columns of their own, "name_key_zh_hans", indexed
 * and written with the field: plain BLOBs, so any SQLite tool can still
 * check the file. Other text sorts per collation too, computing the keys
 * as it reads. */
bool field_has_sort_keys(const struct field *f);
void field_sort_key_column(const struct field *f, enum collation c, char *out, size_t n);
/* How a personal field is masked ("phone", "email", "text"); NULL if the
 * field is not personal data. */
const char *field_mask_kind(const struct field *f);

#endif
