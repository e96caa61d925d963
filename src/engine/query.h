/* SPDX-License-Identifier: MIT */
/* Lists: filters, sort, keyset cursor pagination, field selection and a
 * simple text match, over any entity, built from the registry. */
#ifndef GX_QUERY_H
#define GX_QUERY_H

#include <jansson.h>
#include "engine/entity.h"

#define LIST_DEFAULT_LIMIT 50
#define LIST_MAX_LIMIT 500
#define LIST_MAX_FILTERS 20
#define LIST_MAX_BYTES (64u << 20)	/* one page of JSON */
#define LIST_MAX_IDS 1000	/* ids=: a selection made by hand */

/* The raw query parameters, as the client sent them (NULL = absent). */
struct list_params {
	const char *filters[LIST_MAX_FILTERS];
	size_t nfilters;
	const char *sort, *limit, *cursor, *fields, *q, *deleted;
	const char *locale;	/* BCP 47 (or Accept-Language): how text sorts */
	const char *ids;	/* "4,8,15": only these records (a selection) */
};

enum filter_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_CONTAINS, OP_PREFIX, OP_NULL };

struct filter {
	const struct field *field;
	enum filter_op op;
	json_t *value;		/* normalised; an array for OP_IN, bool for OP_NULL */
};

/* Parse "FIELD:OP:VALUE" for en. Returns ERR_BADREQ with a message naming
 * the problem. f->value is a new reference (release with filter_release). */
enum err_code filter_parse(const struct entity *en, const char *spec, struct filter *f,
			   struct err *e);
void filter_release(struct filter *f);

/* Encode / decode the opaque cursor for (sort spec, last value, last id).
 * cursor_encode returns a string you own; cursor_decode gives a new
 * reference in *value. */
char *cursor_encode(const char *sort, const json_t *value, int64_t id);
enum err_code cursor_decode(const char *cursor, const char *sort, json_t **value,
			    int64_t *id, struct err *e);

/* Run a list of the records acc->read lets the caller see (acc NULL: all);
 * *out is the JSON text {"data":[...],"next_cursor":"..."|null}, yours to
 * free(). */
enum err_code query_list(struct store_conn *c, const struct entity *en,
			 const struct list_params *p, const struct access *acc, char **out,
			 size_t *len, struct err *e);

/* Check p as query_list would (filters, sort, locale, cursor, fields, q,
 * ids, and what acc may filter and sort on) without running it: what a
 * saved list must pass to be shown later. ERR_BADREQ or ERR_FORBIDDEN
 * with the message of the list. */
enum err_code query_check(const struct entity *en, const struct list_params *p,
			  const struct access *acc, struct err *e);
/* The same for one part of a body (a bulk action's filters, a saved
 * view's sort): the list's message, after prefix, under field in e. */
void query_check_field(const struct entity *en, const struct list_params *p,
		       const struct access *acc, const char *field, const char *prefix,
		       struct err *e);

/* Run "SELECT columns FROM en WHERE <live> AND <each filter> AND (where)
 * tail" without access limits (system jobs: retention), on any connection.
 * where's ? parameters are bound, in order, to the texts args[0..nargs).
 * fn(st, ctx) sees each row (columns in the order given) and returns
 * non-zero to stop. */
typedef int query_row_fn(struct stmt *st, void *ctx);
enum err_code query_select(struct store_conn *c, const struct entity *en, const char *columns,
			   const struct filter *filters, size_t nfilters, const char *where,
			   const char *const *args, size_t nargs, const char *tail,
			   query_row_fn *fn, void *ctx, struct err *e);

#endif
