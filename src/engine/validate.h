/* SPDX-License-Identifier: MIT */
/* Validation of a request body against an entity's fields. */
#ifndef GX_VALIDATE_H
#define GX_VALIDATE_H

#include <stdbool.h>
#include <jansson.h>
#include "engine/entity.h"

enum validate_mode { VALIDATE_CREATE, VALIDATE_UPDATE };

/* Check body (a JSON object) field by field. On success *clean is a new
 * object holding the normalised value of every field given (and, on
 * create, the defaults); on failure e is ERR_INVALID with one message per
 * bad field, or ERR_BADJSON if body is not an object. References are only
 * checked for shape here; their existence is checked inside the write. */
enum err_code validate_record(const struct entity *en, const json_t *body,
			      enum validate_mode mode, const struct wtx *w,
			      json_t **clean, struct err *e);

/* Validate one value for field f; returns a new normalised value, or NULL
 * with *why set to a static message. json null is returned as null. */
json_t *validate_value(const struct field *f, const json_t *v, const char **why);

bool validate_email(const char *s);
bool validate_phone(const char *s);
bool validate_identifier(const char *s);	/* ^[a-z][a-z0-9_]{0,62}$ */

/* Formats fields can name (struct field .format). */
extern const struct format format_language;	/* BCP 47 tag */

#endif
