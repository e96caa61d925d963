/* SPDX-License-Identifier: MIT */
/* Error codes, their names and HTTP statuses: one table. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "util/err.h"

static const struct {
	enum err_code code;
	const char *name;
	int status;
} err_table[] = {
	{ ERR_OK, "ok", 200 },
	{ ERR_BADREQ, "bad_request", 400 },
	{ ERR_BADJSON, "invalid_json", 400 },
	{ ERR_UNAUTH, "unauthorized", 401 },
	{ ERR_FORBIDDEN, "forbidden", 403 },
	{ ERR_NOTFOUND, "not_found", 404 },
	{ ERR_METHOD, "method_not_allowed", 405 },
	{ ERR_CONFLICT, "conflict", 409 },
	{ ERR_STALE, "version_mismatch", 412 },
	{ ERR_TOOBIG, "payload_too_large", 413 },
	{ ERR_MEDIA, "unsupported_media_type", 415 },
	{ ERR_INVALID, "validation_failed", 422 },
	{ ERR_IDEMPOTENCY, "idempotency_key_reused", 422 },
	{ ERR_LIMIT, "too_many_requests", 429 },
	{ ERR_STORE, "store_error", 500 },
	{ ERR_INTERNAL, "internal_error", 500 },
	{ ERR_UNAVAILABLE, "shutting_down", 503 },
};

#define NERR (sizeof(err_table) / sizeof(err_table[0]))

enum err_code
err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

void
err_field(struct err *e, const char *field, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	if (!e->fields)
		e->fields = json_object();
	if (json_object_get(e->fields, field))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_set_new(e->fields, field, json_string(msg));
}

void
err_unknown_keys(struct err *e, const json_t *obj, const char *const *known)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)obj, k, v) {
		const char *const *p = known;
		while (*p && strcmp(*p, k) != 0)
			p++;
		if (!*p)
			err_field(e, k, "unknown field");
	}
}

enum err_code
err_fields_invalid(struct err *e)
{
	size_t n = e->fields ? json_object_size(e->fields) : 0;

	if (!n)
		return ERR_OK;
	return err_set(e, ERR_INVALID, "%zu field%s invalid", n, n == 1 ? " is" : "s are");
}

void
err_clear(struct err *e)
{
	json_decref(e->fields);
	e->fields = NULL;
	e->code = ERR_OK;
	e->msg[0] = '\0';
}

const char *
err_name(enum err_code code)
{
	for (size_t i = 0; i < NERR; i++)
		if (err_table[i].code == code)
			return err_table[i].name;
	return "internal_error";
}

int
err_http_status(enum err_code code)
{
	for (size_t i = 0; i < NERR; i++)
		if (err_table[i].code == code)
			return err_table[i].status;
	return 500;
}
