/* SPDX-License-Identifier: MIT */
/* util/buf: growth, the hard cap (a failed append leaves the contents),
 * printf past the 256-byte scratch, detach hands over ownership. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util/buf.h"

static void
starts_empty(void **state)
{
	(void)state;
	struct buf b;

	buf_init(&b, 100);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 100);
	buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.max, 100);
}

static void
append_kinds(void **state)
{
	(void)state;
	struct buf b;

	buf_init(&b, 1000);
	assert_int_equal(buf_adds(&b, "ab"), 0);
	assert_int_equal(buf_addc(&b, 'c'), 0);
	assert_int_equal(buf_add(&b, "d\0e", 3), 0);	/* binary safe */
	assert_int_equal(buf_add(&b, "zzz", 0), 0);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.data, "abcd\0e", 6);
	assert_int_equal(b.data[6], '\0');	/* always terminated */
	assert_true(b.cap > b.len);
	buf_release(&b);
}

static void
grows_across_many_appends(void **state)
{
	(void)state;
	struct buf b;

	buf_init(&b, 1 << 20);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(buf_addc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 10000);
	assert_int_equal(strlen(b.data), 10000);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(b.data[i], 'a' + i % 26);
	buf_release(&b);
}

static void
cap_enforced(void **state)
{
	(void)state;
	struct buf b;

	buf_init(&b, 10);
	assert_int_equal(buf_adds(&b, "0123456"), 0);
	/* 7 + 4 > 10: refused, contents untouched */
	assert_int_equal(buf_adds(&b, "abcd"), -1);
	assert_int_equal(b.len, 7);
	assert_string_equal(b.data, "0123456");
	/* exactly up to the cap is fine */
	assert_int_equal(buf_adds(&b, "789"), 0);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "0123456789");
	/* one more byte is not */
	assert_int_equal(buf_addc(&b, 'x'), -1);
	assert_int_equal(buf_add(&b, "x", 1), -1);
	assert_int_equal(buf_printf(&b, "%d", 1), -1);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "0123456789");
	/* but an empty append is */
	assert_int_equal(buf_add(&b, "", 0), 0);
	buf_release(&b);
}

static void
cap_on_first_append(void **state)
{
	(void)state;
	struct buf b;

	buf_init(&b, 3);
	assert_int_equal(buf_adds(&b, "abcd"), -1);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_adds(&b, "abc"), 0);
	assert_string_equal(b.data, "abc");
	buf_release(&b);
}

static void
printf_small_and_large(void **state)
{
	(void)state;
	struct buf b;
	char big[1001];

	memset(big, 'x', 1000);
	big[1000] = '\0';
	buf_init(&b, 1 << 16);
	assert_int_equal(buf_printf(&b, "[%d|%s]", -7, "繁體"), 0);
	assert_string_equal(b.data, "[-7|繁體]");
	size_t before = b.len;
	/* past the 256-byte scratch buffer */
	assert_int_equal(buf_printf(&b, "<%s>%d", big, 12345), 0);
	assert_int_equal(b.len, before + 1000 + 2 + 5);
	assert_int_equal(strlen(b.data), b.len);
	assert_memory_equal(b.data, "[-7|繁體]<", before + 1);
	assert_int_equal(b.data[before + 1], 'x');
	assert_int_equal(b.data[before + 1000], 'x');
	assert_string_equal(b.data + before + 1001, ">12345");
	buf_release(&b);
}

static void
printf_exactly_around_256(void **state)
{
	(void)state;
	for (size_t n = 250; n <= 260; n++) {
		struct buf b;
		char s[300];
		memset(s, 'k', n);
		s[n] = '\0';
		buf_init(&b, 4096);
		assert_int_equal(buf_adds(&b, "AB"), 0);
		assert_int_equal(buf_printf(&b, "%s", s), 0);
		assert_int_equal(b.len, n + 2);
		assert_int_equal(strlen(b.data), n + 2);
		assert_int_equal(b.data[n + 1], 'k');
		buf_release(&b);
	}
}

static void
printf_large_respects_cap(void **state)
{
	(void)state;
	struct buf b;
	char big[600];

	memset(big, 'y', 599);
	big[599] = '\0';
	buf_init(&b, 500);
	assert_int_equal(buf_adds(&b, "keep"), 0);
	assert_int_equal(buf_printf(&b, "%s", big), -1);
	assert_int_equal(b.len, 4);
	assert_string_equal(b.data, "keep");
	buf_release(&b);
}

static void
reset_keeps_memory(void **state)
{
	(void)state;
	struct buf b;

	buf_init(&b, 100);
	buf_adds(&b, "hello");
	char *mem = b.data;
	size_t cap = b.cap;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_ptr_equal(b.data, mem);
	assert_int_equal(b.cap, cap);
	assert_string_equal(b.data, "");
	buf_adds(&b, "x");
	assert_string_equal(b.data, "x");
	buf_release(&b);
	buf_reset(&b);	/* on an empty buffer: no crash */
	assert_int_equal(b.len, 0);
}

static void
detach_transfers_ownership(void **state)
{
	(void)state;
	struct buf b;
	size_t len = 99;

	buf_init(&b, 100);
	buf_adds(&b, "payload");
	char *p = buf_detach(&b, &len);
	assert_string_equal(p, "payload");
	assert_int_equal(len, 7);
	/* the buffer is empty again and no longer points at p */
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.max, 100);
	buf_adds(&b, "again");
	assert_string_equal(b.data, "again");
	assert_ptr_not_equal(b.data, p);
	assert_string_equal(p, "payload");
	buf_release(&b);
	free(p);	/* ours: LeakSanitizer fails the run otherwise */
}

static void
detach_empty_gives_owned_string(void **state)
{
	(void)state;
	struct buf b;
	size_t len = 99;

	buf_init(&b, 10);
	char *p = buf_detach(&b, &len);
	assert_non_null(p);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	free(p);
	char *q = buf_detach(&b, NULL);
	assert_string_equal(q, "");
	free(q);
}

/* buf_add_int writes what printf's %lld would, extremes included. */
static void
add_int_as_printf(void **state)
{
	static const long long v[] = { 0, 7, -7, 10, 99, 100, -100, 1234567890123LL,
				       9223372036854775807LL, -9223372036854775807LL - 1 };
	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct buf b;
		char want[32];
		buf_init(&b, 64);
		snprintf(want, sizeof(want), "%lld", v[i]);
		assert_int_equal(buf_add_int(&b, v[i]), 0);
		assert_string_equal(b.data, want);
		buf_release(&b);
	}
	struct buf small;
	buf_init(&small, 3);
	assert_int_equal(buf_add_int(&small, 1234), -1);
	assert_int_equal(small.len, 0);
	buf_release(&small);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(starts_empty),
		cmocka_unit_test(append_kinds),
		cmocka_unit_test(grows_across_many_appends),
		cmocka_unit_test(cap_enforced),
		cmocka_unit_test(cap_on_first_append),
		cmocka_unit_test(printf_small_and_large),
		cmocka_unit_test(printf_exactly_around_256),
		cmocka_unit_test(printf_large_respects_cap),
		cmocka_unit_test(reset_keeps_memory),
		cmocka_unit_test(detach_transfers_ownership),
		cmocka_unit_test(detach_empty_gives_owned_string),
		cmocka_unit_test(add_int_as_printf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
