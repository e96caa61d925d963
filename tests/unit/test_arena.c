/* SPDX-License-Identifier: MIT */
/* util/arena: bump allocation, alignment, zeroing, printf, deferred
 * cleanups (reverse order, once). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/arena.h"

/* Group setup/teardown: nothing shared; each test gets its own arena. */
static int
arena_setup(void **state)
{
	struct arena *a = arena_new();

	if (!a)
		return -1;
	*state = a;
	return 0;
}

static int
arena_teardown(void **state)
{
	arena_free(*state);
	*state = NULL;
	return 0;
}

static bool
all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void
alloc_is_aligned_16(void **state)
{
	struct arena *a = *state;
	size_t sizes[] = { 0, 1, 2, 3, 7, 15, 16, 17, 31, 33, 100, 2047, 2048, 2049, 5000, 9000 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		void *p = arena_alloc(a, sizes[i]);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
	}
}

static void
alloc_is_zeroed(void **state)
{
	struct arena *a = *state;

	/* dirty memory first, then a fresh arena must still hand out zeroes */
	for (int round = 0; round < 3; round++) {
		unsigned char *p = arena_alloc(a, 1000);
		assert_true(all_zero(p, 1000));
		memset(p, 0xAB, 1000);
	}
	struct arena *b = arena_new();
	for (int i = 0; i < 200; i++) {
		unsigned char *p = arena_alloc(b, 37);
		assert_true(all_zero(p, 37));
		memset(p, 0xFF, 37);
	}
	arena_free(b);
}

static void
allocations_do_not_overlap(void **state)
{
	struct arena *a = *state;
	unsigned char *p[64];

	for (int i = 0; i < 64; i++) {
		p[i] = arena_alloc(a, 100);
		memset(p[i], i + 1, 100);
	}
	for (int i = 0; i < 64; i++)
		for (int k = 0; k < 100; k++)
			assert_int_equal(p[i][k], i + 1);
}

static void
large_allocations(void **state)
{
	struct arena *a = *state;
	unsigned char *small1 = arena_alloc(a, 10);
	memset(small1, 0x11, 10);

	size_t big = 1u << 20;	/* 1 MiB, far over one block */
	unsigned char *p = arena_alloc(a, big);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 16, 0);
	assert_true(all_zero(p, big));
	memset(p, 0x5A, big);	/* ASan catches a short block */

	/* small allocations keep working after a big one */
	unsigned char *small2 = arena_alloc(a, 10);
	assert_true(all_zero(small2, 10));
	memset(small2, 0x22, 10);

	unsigned char *p2 = arena_alloc(a, 3 * 8192 + 5);
	assert_true(all_zero(p2, 3 * 8192 + 5));
	memset(p2, 0x33, 3 * 8192 + 5);

	for (size_t i = 0; i < big; i++)
		if (p[i] != 0x5A)
			fail_msg("big block overwritten at %zu", i);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(small1[i], 0x11);
		assert_int_equal(small2[i], 0x22);
	}
	assert_true(arena_used(a) >= big + 3 * 8192 + 5 + 20);
}

static void
large_first_allocation(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	unsigned char *p = arena_alloc(a, 100000);
	assert_true(all_zero(p, 100000));
	memset(p, 1, 100000);
	unsigned char *q = arena_alloc(a, 16);
	assert_true(all_zero(q, 16));
	memset(q, 2, 16);
	assert_int_equal(p[99999], 1);
	arena_free(a);
}

static void
many_small(void **state)
{
	struct arena *a = *state;
	enum { N = 20000 };
	static uint32_t *ptrs[N];

	for (uint32_t i = 0; i < N; i++) {
		ptrs[i] = arena_alloc(a, sizeof(uint32_t) * 3);
		assert_int_equal((uintptr_t)ptrs[i] % 16, 0);
		ptrs[i][0] = i;
		ptrs[i][1] = ~i;
		ptrs[i][2] = i * 7;
	}
	for (uint32_t i = 0; i < N; i++) {
		assert_int_equal(ptrs[i][0], i);
		assert_int_equal(ptrs[i][1], ~i);
		assert_int_equal(ptrs[i][2], i * 7);
	}
	assert_int_equal(arena_used(a), (size_t)N * 12);
}

static void
used_counts_bytes(void **state)
{
	struct arena *a = *state;

	assert_int_equal(arena_used(a), 0);
	arena_alloc(a, 5);
	assert_int_equal(arena_used(a), 5);
	arena_alloc(a, 100);
	assert_int_equal(arena_used(a), 105);
}

static void
strdup_and_strndup(void **state)
{
	struct arena *a = *state;

	char *s = arena_strdup(a, "繁體 简体");
	assert_string_equal(s, "繁體 简体");
	assert_null(arena_strdup(a, NULL));
	char *t = arena_strndup(a, "abcdef", 3);
	assert_string_equal(t, "abc");
	char *e = arena_strdup(a, "");
	assert_string_equal(e, "");
}

static void
printf_formats(void **state)
{
	struct arena *a = *state;

	char *s = arena_printf(a, "%s-%d-%05.1f", "x", 42, 3.14159);
	assert_string_equal(s, "x-42-003.1");
	assert_string_equal(arena_printf(a, "%s", ""), "");

	/* longer than any internal scratch buffer */
	char big[5000];
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char *l = arena_printf(a, "<%s>", big);
	assert_int_equal(strlen(l), sizeof(big) - 1 + 2);
	assert_int_equal(l[0], '<');
	assert_int_equal(l[4999], 'q');
	assert_int_equal(l[5000], '>');
	assert_int_equal((uintptr_t)l % 16, 0);
}

/* ---- deferred cleanups ---- */

static int order[16];
static int norder;

static void
record_cleanup(void *p)
{
	order[norder++] = *(int *)p;
}

static void
defer_runs_once_in_reverse(void **state)
{
	(void)state;
	static int ids[5] = { 1, 2, 3, 4, 5 };
	struct arena *a = arena_new();

	norder = 0;
	for (int i = 0; i < 5; i++) {
		arena_defer(a, record_cleanup, &ids[i]);
		arena_alloc(a, 3000);	/* interleave with allocations, big ones too */
	}
	assert_int_equal(norder, 0);	/* nothing runs early */
	arena_free(a);
	assert_int_equal(norder, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(order[i], 5 - i);
}

static void
defer_can_free_memory(void **state)
{
	(void)state;
	struct arena *a = arena_new();
	/* LeakSanitizer fails the run if the cleanup does not happen */
	char *heap = malloc(64);
	assert_non_null(heap);
	strcpy(heap, "owned by the arena now");
	arena_defer(a, free, heap);
	arena_free(a);
}

static void
defer_none_and_free_null(void **state)
{
	(void)state;
	arena_free(NULL);
	struct arena *a = arena_new();
	norder = 0;
	arena_free(a);
	assert_int_equal(norder, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(alloc_is_aligned_16, arena_setup, arena_teardown),
		cmocka_unit_test_setup_teardown(alloc_is_zeroed, arena_setup, arena_teardown),
		cmocka_unit_test_setup_teardown(allocations_do_not_overlap, arena_setup, arena_teardown),
		cmocka_unit_test_setup_teardown(large_allocations, arena_setup, arena_teardown),
		cmocka_unit_test(large_first_allocation),
		cmocka_unit_test_setup_teardown(many_small, arena_setup, arena_teardown),
		cmocka_unit_test_setup_teardown(used_counts_bytes, arena_setup, arena_teardown),
		cmocka_unit_test_setup_teardown(strdup_and_strndup, arena_setup, arena_teardown),
		cmocka_unit_test_setup_teardown(printf_formats, arena_setup, arena_teardown),
		cmocka_unit_test(defer_runs_once_in_reverse),
		cmocka_unit_test(defer_can_free_memory),
		cmocka_unit_test(defer_none_and_free_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
