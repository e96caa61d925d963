/* SPDX-License-Identifier: MIT */
/* A small pool of threads for slow work that must not hold an HTTP worker
 * (password hashing). Jobs run in the order given; done runs on the pool's
 * thread right after the job. */
#ifndef GX_WORKQ_H
#define GX_WORKQ_H

struct workq;
typedef void workq_fn(void *ctx);

/* Start `threads` threads; NULL if none could be started. */
struct workq *workq_new(unsigned threads);
/* Run every queued job, then stop and free the pool. */
void workq_free(struct workq *q);
/* Queue fn(ctx); 0, or -1 if the pool is stopping. ctx lives until fn ends. */
int workq_submit(struct workq *q, workq_fn *fn, void *ctx);

#endif
