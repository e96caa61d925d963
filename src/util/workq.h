/* SPDX-License-Identifier: MIT */
/* A small pool of threads for slow work that must not hold an HTTP worker
 * (password hashing). Jobs run in the order given; done runs on the pool's
 * thread right after the job. */
#ifndef GX_WORKQ_H
#define GX_WORKQ_H

#include <pthread.h>
#include <stdatomic.h>

struct workq;
typedef void workq_fn(void *ctx);

/* Start `threads` threads; NULL if none could be started. */
struct workq *workq_new(unsigned threads);
/* Run every queued job, then stop and free the pool. */
void workq_free(struct workq *q);
/* Queue fn(ctx); 0, or -1 if the pool is stopping. ctx lives until fn ends. */
int workq_submit(struct workq *q, workq_fn *fn, void *ctx);

/* A queue of background jobs with one thread, started on first use and
 * refusing work once stopped (imports, bulk actions). Static:
 *   static struct jobq q = JOBQ_INIT; */
struct jobq {
	pthread_mutex_t lock;
	struct workq *q;	/* NULL until the first job */
	atomic_bool stopping;	/* long jobs look at it between batches */
};
#define JOBQ_INIT { .lock = PTHREAD_MUTEX_INITIALIZER }
/* Queue fn(ctx); 0, or -1 once jobq_stop has begun (ctx untouched). */
int jobq_submit(struct jobq *jq, workq_fn *fn, void *ctx);
/* Flag stopping, then run what is queued and wait for it. */
void jobq_stop(struct jobq *jq);

#endif
