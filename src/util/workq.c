/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include "util/mem.h"
#include "util/workq.h"

#define MAX_THREADS 16

struct job {
	workq_fn *fn;
	void *ctx;
	struct job *next;
};

struct workq {
	pthread_mutex_t lock;
	pthread_cond_t cv;
	struct job *head, *tail;
	bool stopping;
	pthread_t threads[MAX_THREADS];
	unsigned nthreads;
};

static void *
worker(void *arg)
{
	struct workq *q = arg;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->head && !q->stopping)
			pthread_cond_wait(&q->cv, &q->lock);
		struct job *j = q->head;
		if (!j)
			break;	/* stopping, and nothing left */
		q->head = j->next;
		if (!q->head)
			q->tail = NULL;
		pthread_mutex_unlock(&q->lock);
		j->fn(j->ctx);
		free(j);
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

struct workq *
workq_new(unsigned threads)
{
	struct workq *q = xcalloc(1, sizeof(*q));

	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->cv, NULL);
	for (unsigned i = 0; i < threads && i < MAX_THREADS; i++)
		if (pthread_create(&q->threads[q->nthreads], NULL, worker, q) == 0)
			q->nthreads++;
	if (q->nthreads == 0) {
		workq_free(q);
		return NULL;
	}
	return q;
}

void
workq_free(struct workq *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->stopping = true;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->lock);
	for (unsigned i = 0; i < q->nthreads; i++)
		pthread_join(q->threads[i], NULL);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->cv);
	free(q);
}

int
workq_submit(struct workq *q, workq_fn *fn, void *ctx)
{
	struct job *j = xmalloc(sizeof(*j));

	j->fn = fn;
	j->ctx = ctx;
	j->next = NULL;
	pthread_mutex_lock(&q->lock);
	if (q->stopping) {
		pthread_mutex_unlock(&q->lock);
		free(j);
		return -1;
	}
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

int
jobq_submit(struct jobq *jq, workq_fn *fn, void *ctx)
{
	pthread_mutex_lock(&jq->lock);
	if (!jq->q && !atomic_load(&jq->stopping))
		jq->q = workq_new(1);
	int rc = jq->q ? workq_submit(jq->q, fn, ctx) : -1;
	pthread_mutex_unlock(&jq->lock);
	return rc;
}

void
jobq_stop(struct jobq *jq)
{
	atomic_store(&jq->stopping, true);
	pthread_mutex_lock(&jq->lock);
	struct workq *q = jq->q;
	jq->q = NULL;
	pthread_mutex_unlock(&jq->lock);
	workq_free(q);
}
