/* SPDX-License-Identifier: MIT */
/* util/err: codes to names and statuses, field messages, clearing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "util/err.h"

static void
set_returns_code(void **state)
{
	(void)state;
	struct err e = { 0 };

	assert_int_equal(err_set(&e, ERR_NOTFOUND, "no customer %d", 42), ERR_NOTFOUND);
	assert_int_equal(e.code, ERR_NOTFOUND);
	assert_string_equal(e.msg, "no customer 42");
	assert_null(e.fields);
	err_clear(&e);
	assert_int_equal(e.code, ERR_OK);
	assert_string_equal(e.msg, "");
}

static void
long_message_truncated(void **state)
{
	(void)state;
	struct err e = { 0 };
	char big[1000];

	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_set(&e, ERR_BADREQ, "%s", big);
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
	err_clear(&e);
}

static void
field_first_message_wins(void **state)
{
	(void)state;
	struct err e = { 0 };

	err_field(&e, "name", "is required");
	err_field(&e, "email", "not an e-mail %s", "address");
	err_field(&e, "name", "is too long");
	assert_non_null(e.fields);
	assert_int_equal(json_object_size(e.fields), 2);
	assert_string_equal(json_string_value(json_object_get(e.fields, "name")), "is required");
	assert_string_equal(json_string_value(json_object_get(e.fields, "email")),
			    "not an e-mail address");
	err_clear(&e);
	assert_null(e.fields);
	err_clear(&e);	/* twice is harmless */
}

static void
names_and_statuses(void **state)
{
	(void)state;
	static const struct {
		enum err_code code;
		const char *name;
		int status;
	} want[] = {
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

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_string_equal(err_name(want[i].code), want[i].name);
		assert_int_equal(err_http_status(want[i].code), want[i].status);
	}
	/* an unknown code is an internal error, never a crash */
	assert_string_equal(err_name((enum err_code)-999), "internal_error");
	assert_int_equal(err_http_status((enum err_code)-999), 500);
}

static void
unknown_keys_and_fields_invalid(void **state)
{
	static const char *const known[] = { "name", "city", NULL };
	struct err e = { 0 };
	json_t *body = json_pack("{s:s,s:s,s:i,s:n}", "name", "陳大文", "city", "台北", "nmae", 1, "x", NULL);

	(void)state;
	assert_int_equal(err_fields_invalid(&e), ERR_OK);
	err_unknown_keys(&e, body, known);
	assert_int_equal(json_object_size(e.fields), 2);
	assert_string_equal(json_string_value(json_object_get(e.fields, "nmae")), "unknown field");
	assert_non_null(json_object_get(e.fields, "x"));
	assert_null(json_object_get(e.fields, "name"));
	assert_int_equal(err_fields_invalid(&e), ERR_INVALID);
	assert_string_equal(e.msg, "2 fields are invalid");
	err_clear(&e);
	err_field(&e, "city", "too long");
	assert_int_equal(err_fields_invalid(&e), ERR_INVALID);
	assert_string_equal(e.msg, "1 field is invalid");
	err_clear(&e);
	json_decref(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(set_returns_code),
		cmocka_unit_test(long_message_truncated),
		cmocka_unit_test(field_first_message_wins),
		cmocka_unit_test(names_and_statuses),
		cmocka_unit_test(unknown_keys_and_fields_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
