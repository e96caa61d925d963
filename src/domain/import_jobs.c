/* SPDX-License-Identifier: MIT */
/* Imports as background jobs (for the API): one at a time on a thread of
 * their own, so HTTP workers and the writer's other jobs are never held by
 * a long file. Progress is in the imports table, committed per batch. On
 * shutdown the running import stops after its batch ("failed", with the
 * rows so far revertable) and queued ones are marked interrupted. */
#include <string.h>
#include "domain/import.h"
#include "domain/import_jobs.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/workq.h"

static struct jobq queue = JOBQ_INIT;

void
import_job_free(struct import_job *j)
{
	if (!j)
		return;
	json_decref(j->map);
	free(j->body);
	free(j->key);
	free(j->source);
	free(j->user_name);
	free(j->role);
	free(j);
}

void
import_job_bind(struct import_job *j)
{
	j->run.o.map = j->map;
	j->run.o.key = j->key;
	j->run.o.source = j->source;
	j->run.who.name = j->user_name;
	j->run.who.role = j->role;
	j->run.create_acc = &j->create_acc;
	j->run.update_acc = &j->update_acc;
}

static void
job_run(void *ctx)
{
	struct import_job *j = ctx;
	struct csv_mem m = { j->body, j->len, 0 };
	struct err e = { 0 };
	struct import_counts n = { .total = j->total };

	import_job_bind(j);
	j->run.src = csv_mem_read;
	j->run.src_ctx = &m;
	j->run.stop = &queue.stopping;
	if (import_execute(&j->run, j->id, &n, &e) != ERR_OK)
		log_info("import %lld: %s", (long long)j->id, e.msg);
	err_clear(&e);
	import_job_free(j);
}

enum err_code
import_job_start(struct import_job *j, struct err *e)
{
	if (jobq_submit(&queue, job_run, j) != 0) {
		import_job_free(j);
		return err_set(e, ERR_UNAVAILABLE, "the server is shutting down");
	}
	return ERR_OK;
}

void
import_jobs_stop(void)
{
	jobq_stop(&queue);	/* queued jobs run, and stop at their first batch */
}
