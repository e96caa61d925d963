/* SPDX-License-Identifier: MIT */
/* Allocation that never returns NULL: on exhaustion the process logs and
 * aborts (redis zmalloc, h2o h2o_mem_alloc). Callers need no NULL checks. */
#ifndef GX_MEM_H
#define GX_MEM_H

#include <stdlib.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
