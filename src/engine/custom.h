/* SPDX-License-Identifier: MIT */
/* Custom fields: added at run time by an admin, kept in the custom_fields
 * table, published into the registry once their transaction commits. */
#ifndef GX_CUSTOM_H
#define GX_CUSTOM_H

#include <jansson.h>
#include "engine/entity.h"

/* Free the strings of a custom field made by this module. */
void custom_field_release(struct field *f);
/* A field as the meta API shows it (built-in or custom). */
json_t *field_describe(const struct field *f);

/* Publish every custom field stored in the database. */
enum err_code custom_fields_load(struct store_conn *c, struct err *e);
/* Add (or bring back a removed field of the same type); *out describes it. */
enum err_code custom_field_add(struct store *s, const struct entity *en, const json_t *body,
			       json_t **out, struct err *e);
enum err_code custom_field_remove(struct store *s, const struct entity *en, const char *name,
				  struct err *e);

#endif
