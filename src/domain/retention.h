/* SPDX-License-Identifier: MIT */
/* Retention policies: which records of an entity go after how long, and
 * how. A policy names an entity, conditions over its fields (the list
 * filters' syntax, as objects), an age in months measured from the last
 * interaction or from updated_at, and an action: erase the personal data
 * (domain/privacy.c) or delete (the engine's soft delete). Customers on
 * legal hold and customers with a consent in force are never taken.
 * Policies live in the table retention_policies (migration 7). */
#ifndef GX_RETENTION_H
#define GX_RETENTION_H

#include <jansson.h>
#include "engine/entity.h"

#define RETENTION_PREVIEW_MAX 1000	/* records per preview page */

/* Validate body (a POST's, or a PATCH's merged over old, the stored
 * policy) and give the complete policy in *out (a new reference, without
 * id and timestamps). ERR_INVALID with field errors in e. */
enum err_code retention_policy_check(const json_t *body, const json_t *old, json_t **out,
				     struct err *e);

/* Policies as JSON: {"data":[policy…]} in id order, or one (ERR_NOTFOUND). */
enum err_code retention_policy_list(struct store_conn *c, json_t **out, struct err *e);
enum err_code retention_policy_get(struct store_conn *c, int64_t id, json_t **out, struct err *e);
/* Inside a write job: store a checked policy (id 0 = a new one; *id is
 * set), or remove one. ERR_NOTFOUND if id names none. */
enum err_code retention_policy_save(struct store_conn *c, int64_t *id, const json_t *policy,
				    const char *now, struct err *e);
enum err_code retention_policy_remove(struct store_conn *c, int64_t id, struct err *e);

/* The dry run: what the policies would take at time as_of (RFC 3339),
 * changing nothing. policy 0 = every enabled policy, else that one (even
 * disabled, to try it first). One page of at most limit records, after
 * cursor (NULL = from the start): {"as_of", "data":[{policy_id, policy,
 * action, entity, id, name, last_activity}], "next_cursor"}. */
enum err_code retention_preview(struct store_conn *c, const char *as_of, int64_t policy,
				const char *cursor, int64_t limit, json_t **out, struct err *e);

/* Apply every enabled policy (or only `policy`) at time as_of, in batches
 * of write jobs: each record's action and its audit event
 * (retention_erase, retention_delete) commit together; then one
 * retention_run event with the counts. who NULL = the system. *report
 * (new reference): {"as_of", "trigger", "policies":[{id, name, action,
 * applied}], "total"}. Runs on any thread but the store's writer. */
enum err_code retention_run(struct store *s, const struct actor *who, const char *ip,
			    const char *as_of, int64_t policy, const char *trigger,
			    json_t **report, struct err *e);

/* The daily job: a thread that runs the enabled policies every day at
 * minute_of_day (UTC, 0-1439) until retention_daily_stop. */
struct retention_daily;
enum err_code retention_daily_start(struct store *s, int minute_of_day,
				    struct retention_daily **out, struct err *e);
void retention_daily_stop(struct retention_daily *d);	/* NULL is fine */
/* "HH:MM" -> minutes after midnight; -1 if malformed. */
int retention_parse_hhmm(const char *s);

#endif
