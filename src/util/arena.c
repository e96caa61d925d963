/* SPDX-License-Identifier: MIT */
/* Arena: a list of blocks, bump allocation, plus a list of cleanups.
 * Large requests get a block of their own so small ones keep packing. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "util/arena.h"
#include "util/mem.h"

#define BLOCK_SIZE 8192
#define ALIGN 16

struct block {
	struct block *next;
	size_t used, size;
	_Alignas(ALIGN) unsigned char data[];
};

struct cleanup {
	struct cleanup *next;
	void (*fn)(void *);
	void *ptr;
};

struct arena {
	struct block *head;
	struct cleanup *cleanups;
	size_t total;
};

struct arena *
arena_new(void)
{
	return xcalloc(1, sizeof(struct arena));
}

void
arena_free(struct arena *a)
{
	if (!a)
		return;
	for (struct cleanup *c = a->cleanups; c; c = c->next)
		c->fn(c->ptr);
	struct block *b = a->head;
	while (b) {
		struct block *next = b->next;
		free(b);
		b = next;
	}
	free(a);
}

static struct block *
block_new(size_t size)
{
	struct block *b = xmalloc(sizeof(*b) + size);

	b->used = 0;
	b->size = size;
	return b;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	struct block *b = a->head;

	if (need == 0)
		need = ALIGN;
	if (need > BLOCK_SIZE / 4) {
		/* big: own block, linked behind the current one */
		struct block *big = block_new(need);
		if (b) {
			big->next = b->next;
			b->next = big;
		} else {
			big->next = NULL;
			a->head = big;
		}
		big->used = need;
		a->total += n;
		memset(big->data, 0, need);
		return big->data;
	}
	if (!b || b->size - b->used < need) {
		b = block_new(BLOCK_SIZE);
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += need;
	a->total += n;
	memset(p, 0, need);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap, ap2;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	char *p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

void
arena_defer(struct arena *a, void (*fn)(void *), void *ptr)
{
	/* cleanups run before the blocks go, so the record can live in them */
	struct cleanup *c = arena_alloc(a, sizeof(*c));

	c->fn = fn;
	c->ptr = ptr;
	c->next = a->cleanups;
	a->cleanups = c;
}

size_t
arena_used(const struct arena *a)
{
	return a->total;
}
