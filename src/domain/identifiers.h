/* SPDX-License-Identifier: MIT */
/* Customer identifiers: normalisation for matching and the one-holder rule
 * (a phone, e-mail, card ... belongs to at most one live customer). */
#ifndef GX_IDENTIFIERS_H
#define GX_IDENTIFIERS_H

#include <jansson.h>
#include "engine/entity.h"

extern const char *const identifier_kinds[];

/* The canonical name of identifier kind `kind`, or NULL if it is none. */
const char *identifier_kind(const char *kind);

/* The matching key of value for kind: e-mail lower-cased; phone digits with
 * a leading + kept; others upper-cased without spaces, dashes and dots.
 * You own the result. */
char *identifier_normalize(const char *kind, const char *value);

/* Hook: validate the value for its kind, set norm, refuse a value another
 * customer holds (409). */
enum err_code identifiers_before_save(struct wtx *w, const struct entity *en, json_t *rec,
				      const json_t *old, struct err *e);

/* Hook: a phone identifier is searched as a phone number. */
bool identifiers_search_is_phone(const struct entity *en, const struct field *f, const json_t *rec);

/* Hook: an identifier that repeats its customer's own e-mail, phone or
 * mobile is found through the customer: not indexed twice. */
bool identifiers_search_redundant(struct store_conn *c, const struct entity *en, const json_t *rec);

/* The live identifier (kind, norm): its id and holder, or 0 if none. */
enum err_code identifier_find(struct store_conn *c, const char *kind, const char *norm,
			      int64_t *id, int64_t *customer_id, struct err *e);

#endif
