/* SPDX-License-Identifier: MIT */
/* Per-record history: who changed what, when, from which value to which.
 * Written in the same transaction as the change it records. */
#ifndef GX_AUDIT_H
#define GX_AUDIT_H

#include <jansson.h>
#include "engine/entity.h"

/* Append a history row; changes is the JSON text [{field,old,new}], or
 * NULL for none. */
enum err_code audit_record(struct wtx *w, const struct entity *en, int64_t id,
			   const char *action, const char *changes, struct err *e);

/* {"data":[{id, at, user_id, user, action, changes}]} oldest first, for a
 * record that exists or existed (deleted ones too) and that acc may see;
 * 404 otherwise. */
enum err_code audit_history(struct store_conn *c, const struct entity *en, int64_t id,
			    const struct access *acc, json_t **out, struct err *e);

/* An event that is not a record change (login, failed login, logout ...),
 * appended with the next group commit; nobody waits for it. detail is JSON
 * text or NULL. */
void audit_event(struct store *s, int64_t user_id, const char *user, const char *action,
		 const char *ip, const char *detail);

/* The same inside a write job, in its transaction. */
enum err_code audit_event_write(struct store_conn *c, const char *at, int64_t user_id,
				const char *user, const char *action, const char *ip,
				const char *detail, struct err *e);

/* The audit log, newest first: record changes and events together. */
struct audit_filter {
	const char *user, *action, *entity, *from, *to, *cursor;
	int64_t record;		/* a record's id (with entity, one record); 0 = any */
	int64_t limit;
};
enum err_code audit_query(struct store_conn *c, const struct audit_filter *f, json_t **out,
			  struct err *e);

#endif
