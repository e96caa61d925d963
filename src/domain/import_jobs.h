/* SPDX-License-Identifier: MIT */
/* Background imports (import_jobs.c). */
#ifndef GX_IMPORT_JOBS_H
#define GX_IMPORT_JOBS_H

#include <pthread.h>
#include "domain/import.h"

/* Everything a background import needs, owned by the job (malloc'd). */
struct import_job {
	struct import_run run;	/* .s, .o (en, format, encoding, on_*), .who.user_id */
	int64_t id;
	long total;
	char *body;		/* the file */
	size_t len;
	json_t *map;
	char *key, *source, *user_name, *role;
	struct access create_acc, update_acc;
};

void import_job_free(struct import_job *j);	/* NULL is fine */
/* Point j->run at j's own strings, map and access (before it runs). */
void import_job_bind(struct import_job *j);
/* Queue j (taking it, whatever happens); ERR_UNAVAILABLE when stopping. */
enum err_code import_job_start(struct import_job *j, struct err *e);
/* Stop: the running import ends after its batch; wait for it. */
void import_jobs_stop(void);

#endif
