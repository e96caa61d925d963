/* SPDX-License-Identifier: MIT */
/* Per-request arena (nginx pool style): allocations are never freed one by
 * one; arena_free() releases them all and runs the deferred cleanups in
 * reverse order. Allocation failure aborts (xmalloc policy). */
#ifndef GX_ARENA_H
#define GX_ARENA_H

#include <stddef.h>

struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *a);	/* NULL is fine */

void *arena_alloc(struct arena *a, size_t n);	/* zeroed, 16-byte aligned */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Run fn(ptr) when the arena is freed (for json_t, statements ...). */
void arena_defer(struct arena *a, void (*fn)(void *), void *ptr);

/* Bytes handed out so far (for tests and limits). */
size_t arena_used(const struct arena *a);

#endif
