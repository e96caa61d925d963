/* SPDX-License-Identifier: MIT */
/* Prometheus metrics: requests by route and status, latency histogram by
 * route, database time. Lock-free counters. */
#ifndef GX_METRICS_H
#define GX_METRICS_H

#include <stddef.h>
#include <stdint.h>

void metrics_init(void);
/* route -1 = no route matched. */
void metrics_observe(int route, int status, int64_t ns);
/* The exposition text; you own it. */
char *metrics_render(size_t *len);

#endif
