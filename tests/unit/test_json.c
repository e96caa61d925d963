/* SPDX-License-Identifier: MIT */
/* util/jsonx: bounded parsing of untrusted bodies (depth, duplicate keys,
 * key count, UTF-8) and compact dumping. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "util/buf.h"
#include "util/jsonx.h"

/* Parse s; the test fails unless it is accepted. Caller decrefs. */
static json_t *
ok(const char *s, size_t n)
{
	struct err e = { 0 };
	json_t *j = jsonx_parse_body(s, n, &e);

	if (!j)
		fail_msg("rejected (%s): %.80s", e.msg, s);
	assert_int_equal(e.code, ERR_OK);
	err_clear(&e);
	return j;
}

/* The test fails unless s is rejected with ERR_BADJSON and a message. */
static void
bad(const char *s, size_t n)
{
	struct err e = { 0 };
	json_t *j = jsonx_parse_body(s, n, &e);

	if (j) {
		json_decref(j);
		fail_msg("accepted: %.80s", s);
	}
	assert_int_equal(e.code, ERR_BADJSON);
	assert_true(strlen(e.msg) > 0);
	err_clear(&e);
}

#define OK(lit) ok((lit), sizeof(lit) - 1)
#define BAD(lit) bad((lit), sizeof(lit) - 1)

/* "[[[...1...]]]" or {"a":{"a":...}} nested depth times; caller frees. */
static char *
nested(int depth, bool objects)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	for (int i = 0; i < depth; i++)
		buf_adds(&b, objects ? "{\"a\":" : "[");
	buf_adds(&b, "1");
	for (int i = 0; i < depth; i++)
		buf_adds(&b, objects ? "}" : "]");
	return buf_detach(&b, NULL);
}

static void
accepts_plain(void **state)
{
	(void)state;
	json_t *j = OK("{\"name\":\"张三\",\"tags\":[\"vip\",\"😀\"],\"n\":1}");
	assert_true(json_is_object(j));
	assert_string_equal(json_string_value(json_object_get(j, "name")), "张三");
	assert_int_equal(json_array_size(json_object_get(j, "tags")), 2);
	json_decref(j);

	j = OK("[]");
	assert_true(json_is_array(j));
	json_decref(j);
}

static void
depth_32_ok_33_rejected(void **state)
{
	(void)state;
	for (int objects = 0; objects < 2; objects++) {
		char *s = nested(JSON_MAX_DEPTH, objects);
		json_t *j = ok(s, strlen(s));
		json_decref(j);
		free(s);

		s = nested(JSON_MAX_DEPTH + 1, objects);
		bad(s, strlen(s));
		free(s);

		s = nested(100000, objects);	/* no stack blow-up */
		bad(s, strlen(s));
		free(s);
	}
}

static void
depth_counts_nesting_not_siblings(void **state)
{
	(void)state;
	struct buf b;

	/* 40 sibling arrays at depth 2: fine */
	buf_init(&b, 1 << 16);
	buf_adds(&b, "[");
	for (int i = 0; i < 40; i++)
		buf_adds(&b, i ? ",[1]" : "[1]");
	buf_adds(&b, "]");
	json_t *j = ok(b.data, b.len);
	assert_int_equal(json_array_size(j), 40);
	json_decref(j);
	buf_release(&b);
}

static void
brackets_in_strings_do_not_count(void **state)
{
	(void)state;
	struct buf b;

	/* a string full of openers at depth 1 */
	buf_init(&b, 1 << 16);
	buf_adds(&b, "{\"note\":\"");
	for (int i = 0; i < 100; i++)
		buf_adds(&b, "[{");
	buf_adds(&b, "\"}");
	json_t *j = ok(b.data, b.len);
	assert_int_equal(json_string_length(json_object_get(j, "note")), 200);
	json_decref(j);
	buf_release(&b);

	/* escaped quotes do not end the string early */
	buf_init(&b, 1 << 16);
	buf_adds(&b, "{\"note\":\"\\\"");
	for (int i = 0; i < 100; i++)
		buf_adds(&b, "[");
	buf_adds(&b, "\\\\\"}");
	j = ok(b.data, b.len);
	json_decref(j);
	buf_release(&b);

	/* 32 real levels plus brackets inside a string at the bottom */
	char *s = nested(JSON_MAX_DEPTH - 1, false);
	buf_init(&b, 1 << 16);
	size_t half = strlen(s) / 2;
	buf_add(&b, s, half);
	buf_adds(&b, "[\"[[[[{{{{\"]");
	buf_adds(&b, s + half + 1);
	free(s);
	j = ok(b.data, b.len);
	json_decref(j);
	buf_release(&b);
}

static void
duplicate_keys_rejected(void **state)
{
	(void)state;
	BAD("{\"a\":1,\"a\":2}");
	BAD("{\"x\":{\"a\":1,\"b\":2,\"a\":3}}");
	BAD("[{\"name\":\"a\",\"name\":\"a\"}]");
	/* the same key in different objects is fine */
	json_t *j = OK("[{\"a\":1},{\"a\":2}]");
	json_decref(j);
}

static char *
many_keys(int n, bool nested_half)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	buf_adds(&b, "{");
	int top = nested_half ? n / 2 : n;
	for (int i = 0; i < top; i++)
		buf_printf(&b, "%s\"k%d\":%d", i ? "," : "", i, i);
	if (nested_half) {
		/* one key holding an object: counts 1 + its own keys */
		buf_adds(&b, ",\"inner\":{");
		for (int i = 0; i < n - top - 1; i++)
			buf_printf(&b, "%s\"k%d\":%d", i ? "," : "", i, i);
		buf_adds(&b, "}");
	}
	buf_adds(&b, "}");
	return buf_detach(&b, NULL);
}

static void
key_limit(void **state)
{
	(void)state;
	char *s = many_keys(JSON_MAX_KEYS, false);
	json_t *j = ok(s, strlen(s));
	assert_int_equal(json_object_size(j), JSON_MAX_KEYS);
	json_decref(j);
	free(s);

	s = many_keys(JSON_MAX_KEYS + 1, false);
	bad(s, strlen(s));
	free(s);

	/* the limit is over all objects, nested ones too */
	s = many_keys(JSON_MAX_KEYS, true);
	j = ok(s, strlen(s));
	json_decref(j);
	free(s);
	s = many_keys(JSON_MAX_KEYS + 1, true);
	bad(s, strlen(s));
	free(s);

	/* keys spread over array elements count as well */
	struct buf b;
	buf_init(&b, 1 << 20);
	buf_adds(&b, "[");
	for (int i = 0; i < 1001; i++)
		buf_adds(&b, i ? ",{\"a\":1}" : "{\"a\":1}");
	buf_adds(&b, "]");
	bad(b.data, b.len);
	buf_release(&b);
}

static void
invalid_utf8_rejected(void **state)
{
	(void)state;
	BAD("{\"name\":\"\xC0\x80\"}");
	BAD("{\"name\":\"\xE0\x80\x80\"}");
	BAD("{\"name\":\"\xED\xA0\x80\"}");
	BAD("{\"name\":\"\xF4\x90\x80\x80\"}");
	BAD("{\"name\":\"\xE7\xB9\"}");
	BAD("{\"name\":\"\x80\"}");
	BAD("{\"\xFF\":1}");
	/* an escaped lone surrogate is not text either */
	BAD("{\"name\":\"\\ud800\"}");
	/* but an escaped pair is */
	json_t *j = OK("{\"name\":\"\\ud83d\\ude00\"}");
	assert_string_equal(json_string_value(json_object_get(j, "name")), "😀");
	json_decref(j);
}

static void
malformed_rejected(void **state)
{
	(void)state;
	BAD("");
	BAD("{");
	BAD("{\"a\":}");
	BAD("{\"a\":1,}");
	BAD("[1,]");
	BAD("{'a':1}");
	BAD("{\"a\":1} x");
	BAD("{\"a\":NaN}");
	BAD("{\"a\":\"x\\u0000y\"}");	/* NUL inside a string */
	/* bytes after n are not read: the body is not NUL-terminated */
	const char body[] = "{\"a\":1}GARBAGE";
	json_t *j = ok(body, 7);
	json_decref(j);
}

/* jsonx_append writes values as SQLite's json functions do: a record's
 * stored doc (engine/record.c) must equal what SQL renders from its columns. */
static void
append_matches_sqlite(void **state)
{
	static const char *const texts[] = {
		"", "plain", "quote \" backslash \\ slash /", "tab\tnewline\ncr\rff\fbs\b",
		"\x01\x1f\x7f", "客戶 客户 ＡＢＣ１２３ 😀", "\xe2\x80\xa8 line separator",
	};
	sqlite3 *db;
	sqlite3_stmt *st;
	(void)state;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT json_quote(?1), json_array(?1, 42, -7)", -1, &st, NULL), SQLITE_OK);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct buf one, arr;
		json_t *a = json_pack("[s,i,i]", texts[i], 42, -7);
		buf_init(&one, 1 << 16);
		buf_init(&arr, 1 << 16);
		assert_int_equal(jsonx_append_string(&one, texts[i], strlen(texts[i])), 0);
		assert_int_equal(jsonx_append(&arr, a), 0);
		sqlite3_bind_text(st, 1, texts[i], -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal(one.data, (const char *)sqlite3_column_text(st, 0));
		assert_string_equal(arr.data, (const char *)sqlite3_column_text(st, 1));
		sqlite3_reset(st);
		buf_release(&one);
		buf_release(&arr);
		json_decref(a);
	}
	struct buf b;
	buf_init(&b, 64);
	json_t *v = json_pack("[b,b,n,[]]", 1, 0);
	assert_int_equal(jsonx_append(&b, v), 0);
	assert_string_equal(b.data, "[true,false,null,[]]");
	json_decref(v);
	buf_release(&b);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void
dump_compact(void **state)
{
	(void)state;
	json_t *j = json_pack("{s:s,s:[i,i]}", "name", "繁體", "n", 1, 2);
	size_t len = 0;
	char *s = jsonx_dump(j, &len);
	assert_string_equal(s, "{\"name\":\"繁體\",\"n\":[1,2]}");
	assert_int_equal(len, strlen(s));
	free(s);
	json_decref(j);

	s = jsonx_dump(NULL, &len);	/* nothing to dump: "null", still owned */
	assert_string_equal(s, "null");
	assert_int_equal(len, 4);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_plain),
		cmocka_unit_test(depth_32_ok_33_rejected),
		cmocka_unit_test(depth_counts_nesting_not_siblings),
		cmocka_unit_test(brackets_in_strings_do_not_count),
		cmocka_unit_test(duplicate_keys_rejected),
		cmocka_unit_test(key_limit),
		cmocka_unit_test(invalid_utf8_rejected),
		cmocka_unit_test(malformed_rejected),
		cmocka_unit_test(dump_compact),
		cmocka_unit_test(append_matches_sqlite),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
