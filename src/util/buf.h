/* SPDX-License-Identifier: MIT */
/* Growable byte buffer with a hard cap (curl dynbuf). The contents are
 * always NUL-terminated. Appends past the cap fail with -1 and leave the
 * buffer as it was; memory exhaustion aborts. */
#ifndef GX_BUF_H
#define GX_BUF_H

#include <stddef.h>

struct buf {
	char *data;		/* NUL-terminated; NULL until the first append */
	size_t len, cap;	/* bytes used, bytes allocated */
	size_t max;		/* hard cap on len */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);	/* frees data, back to empty */
void buf_reset(struct buf *b);		/* len = 0, keeps memory */

/* Room for n more bytes without a move (a guess of the size to come):
 * -1 past max. */
int buf_reserve(struct buf *b, size_t n);
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_add_int(struct buf *b, long long v);	/* in decimal, without printf */
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* You now own the storage (free() it); the buffer is empty again. */
char *buf_detach(struct buf *b, size_t *len);

#endif
