/* SPDX-License-Identifier: MIT */
/* The access log: one JSON object per line per request. Tokens and bodies
 * are never written. */
#ifndef GX_ACCESSLOG_H
#define GX_ACCESSLOG_H

#include <stdint.h>

struct req;

/* path: a file (appended), "-" for stdout, NULL or "off" for none. */
int accesslog_open(const char *path);
void accesslog_write(const struct req *r, int status, int64_t ns);
void accesslog_close(void);

#endif
