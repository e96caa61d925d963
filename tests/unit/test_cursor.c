/* SPDX-License-Identifier: MIT */
/* engine/query cursor_encode / cursor_decode: the opaque keyset cursor
 * round-trips (sort, last value, last id) and refuses anything else. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <cmocka.h>

#include "engine/query.h"

static int
setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	return 0;
}

/* Encode, check the text is URL-safe, decode with the same sort; returns
 * the decoded value (caller decrefs). */
static json_t *
round_trip(const char *sort, const json_t *v, int64_t id)
{
	char *c = cursor_encode(sort, v, id);
	struct err e = { 0 };
	json_t *out = NULL;
	int64_t got = -12345;

	assert_non_null(c);
	assert_true(strlen(c) > 0);
	for (const char *p = c; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			fail_msg("cursor has '%c', not URL-safe: %s", *p, c);
	if (cursor_decode(c, sort, &out, &got, &e) != ERR_OK) {
		print_error("decode failed: %s\n", e.msg);
		err_clear(&e);
		free(c);
		fail();
	}
	free(c);
	assert_int_equal(e.code, ERR_OK);
	assert_int_equal(got, id);
	assert_non_null(out);
	return out;
}

/* Base64url (no padding) of text: a hand-made cursor. Caller frees. */
static char *
b64(const char *text)
{
	size_t n = strlen(text);
	size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = malloc(cap);

	assert_non_null(out);
	sodium_bin2base64(out, cap, (const unsigned char *)text, n,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

static void
refused(const char *cursor, const char *sort, const char *needle)
{
	struct err e = { 0 };
	json_t *v = (json_t *)0x1;
	int64_t id = 77;

	if (cursor_decode(cursor, sort, &v, &id, &e) == ERR_OK) {
		json_decref(v);
		fail_msg("cursor '%.60s' accepted for sort=%s", cursor, sort);
	}
	assert_int_equal(e.code, ERR_BADREQ);
	assert_null(v);
	if (needle && !strstr(e.msg, needle)) {
		print_error("message '%s' lacks '%s'\n", e.msg, needle);
		err_clear(&e);
		fail();
	}
	err_clear(&e);
}

static void
string_value(void **state)
{
	(void)state;
	json_t *v = json_string("张三 \"quoted\" /?&=+");
	json_t *out = round_trip("name", v, 42);
	assert_true(json_equal(v, out));
	json_decref(out);
	json_decref(v);

	v = json_string("");
	out = round_trip("-name", v, 1);
	assert_string_equal(json_string_value(out), "");
	json_decref(out);
	json_decref(v);
}

static void
integer_value(void **state)
{
	(void)state;
	json_t *v = json_integer(-9007199254740993LL);
	json_t *out = round_trip("-owner_id", v, INT64_MAX);
	assert_true(json_is_integer(out));
	assert_int_equal(json_integer_value(out), -9007199254740993LL);
	json_decref(out);
	json_decref(v);

	v = json_integer(0);
	out = round_trip("id", v, 0);
	assert_int_equal(json_integer_value(out), 0);
	json_decref(out);
	json_decref(v);
}

static void
other_scalars(void **state)
{
	(void)state;
	json_t *v = json_real(2.5);
	json_t *out = round_trip("score", v, 3);
	assert_true(json_is_real(out));
	assert_true(json_real_value(out) == 2.5);
	json_decref(out);
	json_decref(v);

	/* every digit kept: 0.1 + 0.2 is 0.30000000000000004, which 15
	 * digits would make 0.3 and so restart the next page elsewhere */
	v = json_real(0.1 + 0.2);
	out = round_trip("score", v, 5);
	assert_true(json_is_real(out));
	assert_true(json_real_value(out) == 0.1 + 0.2);
	json_decref(out);
	json_decref(v);

	out = round_trip("vip", json_true(), 4);
	assert_true(json_is_true(out));
	json_decref(out);
}

static void
null_value(void **state)
{
	(void)state;
	json_t *out = round_trip("-birth_date", json_null(), 5);
	assert_true(json_is_null(out));
	json_decref(out);
	/* a C NULL stands for JSON null */
	out = round_trip("birth_date", NULL, 6);
	assert_true(json_is_null(out));
	json_decref(out);
}

static void
other_sort_refused(void **state)
{
	(void)state;
	json_t *v = json_string("M");
	char *c = cursor_encode("name", v, 10);

	refused(c, "-name", NULL);
	refused(c, "city", NULL);
	refused(c, "", NULL);
	refused(c, "name ", NULL);
	/* and the right sort still works */
	struct err e = { 0 };
	json_t *out = NULL;
	int64_t id = 0;
	assert_int_equal(cursor_decode(c, "name", &out, &id, &e), ERR_OK);
	assert_int_equal(id, 10);
	json_decref(out);
	free(c);
	json_decref(v);
}

/* The message names the sort the cursor was made for (it used to be
 * read after the cursor's JSON was freed). */
static void
other_sort_message_names_sort(void **state)
{
	(void)state;
	json_t *v = json_string("M");
	char *c = cursor_encode("name", v, 10);
	struct err e = { 0 };
	json_t *out = NULL;
	int64_t id = 0;
	char msg[sizeof(e.msg)];

	enum err_code rc = cursor_decode(c, "-name", &out, &id, &e);
	strcpy(msg, e.msg);
	json_decref(out);
	err_clear(&e);
	free(c);
	json_decref(v);
	assert_int_equal(rc, ERR_BADREQ);
	if (strcmp(msg, "cursor was made for sort=name") != 0)
		fail_msg("got '%s'", msg);
}

static void
garbage_refused(void **state)
{
	(void)state;
	refused("", "name", "not valid");
	refused("!!!", "name", "not valid");
	refused("not a cursor", "name", "not valid");
	refused("eyJzIjoibmFtZSJ9==", "name", "not valid");	/* padding not allowed */
	refused("abc+/def", "name", "not valid");		/* standard alphabet */

	/* a cursor with one character changed */
	json_t *v = json_string("value");
	char *c = cursor_encode("name", v, 99);
	c[strlen(c) / 2] = c[strlen(c) / 2] == 'A' ? 'B' : 'A';
	struct err e = { 0 };
	json_t *out = NULL;
	int64_t id = 0;
	if (cursor_decode(c, "name", &out, &id, &e) == ERR_OK) {
		/* it may still parse, but then it must not be what was encoded */
		assert_false(id == 99 && json_equal(out, v));
		json_decref(out);
	}
	err_clear(&e);
	free(c);
	json_decref(v);

	/* too long */
	char *big = malloc(2001);
	memset(big, 'A', 2000);
	big[2000] = '\0';
	refused(big, "name", "not valid");
	free(big);
}

static void
wrong_shape_refused(void **state)
{
	(void)state;
	static const char *const bodies[] = {
		"not json",
		"[]",
		"\"name\"",
		"{}",
		"{\"s\":\"name\",\"v\":1}",			/* no id */
		"{\"s\":\"name\",\"i\":1}",			/* no value */
		"{\"v\":1,\"i\":1}",				/* no sort */
		"{\"s\":1,\"v\":1,\"i\":1}",			/* sort not a string */
		"{\"s\":\"name\",\"v\":1,\"i\":\"1\"}",		/* id not an integer */
		"{\"s\":\"name\",\"v\":1,\"i\":1.5}",
		"{\"s\":\"name\",\"v\":{\"a\":1},\"i\":1}",	/* value not a scalar */
		"{\"s\":\"name\",\"v\":[1],\"i\":1}",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		char *c = b64(bodies[i]);
		refused(c, "name", "not valid");
		free(c);
	}
	/* and the same shape done right is accepted */
	char *c = b64("{\"s\":\"name\",\"v\":\"x\",\"i\":7}");
	struct err e = { 0 };
	json_t *out = NULL;
	int64_t id = 0;
	assert_int_equal(cursor_decode(c, "name", &out, &id, &e), ERR_OK);
	assert_int_equal(id, 7);
	assert_string_equal(json_string_value(out), "x");
	json_decref(out);
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(string_value),
		cmocka_unit_test(integer_value),
		cmocka_unit_test(other_scalars),
		cmocka_unit_test(null_value),
		cmocka_unit_test(other_sort_refused),
		cmocka_unit_test(other_sort_message_names_sort),
		cmocka_unit_test(garbage_refused),
		cmocka_unit_test(wrong_shape_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
