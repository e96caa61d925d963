/* SPDX-License-Identifier: MIT */
/* One error code space for the whole server (libuv/curl style): a fallible
 * function returns enum err_code (0 = success) and fills struct err with the
 * detail. Only the HTTP layer turns an err into a reply (http/reply.c). */
#ifndef GX_ERR_H
#define GX_ERR_H

#include <jansson.h>

enum err_code {
	ERR_OK = 0,
	ERR_BADREQ = -1,	/* malformed request: 400 */
	ERR_BADJSON = -2,	/* body is not acceptable JSON: 400 */
	ERR_UNAUTH = -3,	/* 401 */
	ERR_FORBIDDEN = -4,	/* 403 */
	ERR_NOTFOUND = -5,	/* 404 */
	ERR_METHOD = -6,	/* 405 */
	ERR_CONFLICT = -7,	/* unique value taken: 409 */
	ERR_STALE = -8,		/* If-Match version is stale: 412 */
	ERR_TOOBIG = -9,	/* 413 */
	ERR_MEDIA = -10,	/* 415 */
	ERR_INVALID = -11,	/* field validation: 422 */
	ERR_IDEMPOTENCY = -12,	/* key reused with another body: 422 */
	ERR_LIMIT = -13,	/* rate limited: 429 */
	ERR_STORE = -14,	/* database failure: 500 */
	ERR_INTERNAL = -15,	/* bug or resource failure: 500 */
	ERR_UNAVAILABLE = -16,	/* shutting down: 503 */
};

struct err {
	enum err_code code;
	char msg[240];		/* one human sentence */
	json_t *fields;		/* field name -> message, owned; NULL if none */
};

/* Set code and a printf-style message; returns code so callers can
 * `return err_set(e, ERR_NOTFOUND, "...")`. */
enum err_code err_set(struct err *e, enum err_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Add one field-level message (first message per field wins). */
void err_field(struct err *e, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "unknown field" for each key of the object obj not in known (NULL-ended). */
void err_unknown_keys(struct err *e, const json_t *obj, const char *const *known);
/* ERR_INVALID "N fields are invalid" if any field has a message, else ERR_OK. */
enum err_code err_fields_invalid(struct err *e);
/* Release e->fields and reset to ERR_OK. */
void err_clear(struct err *e);

const char *err_name(enum err_code code);	/* "not_found" */
int err_http_status(enum err_code code);	/* 404 */

#endif
