/* SPDX-License-Identifier: MIT */
/* Handlers, one file per resource family; the table is in routes.c. */
#ifndef GX_API_H
#define GX_API_H

#include "http/http.h"

/* A read of one record's data (its history, its shares ...) within the
 * caller's read scope, answered as JSON; fn gets a new reference in *out. */
typedef enum err_code read_one_fn(struct store_conn *c, const struct entity *en, int64_t id,
				  const struct access *acc, json_t **out, struct err *e);
enum err_code req_read_one(struct req *r, read_one_fn *fn);

/* The list parameters of the query string (filter, sort, limit, cursor,
 * fields, q, deleted, locale, ids; the locale from Accept-Language when
 * absent); ERR_BADREQ naming a parameter that is none of those nor in
 * extra (NULL-ended, may be NULL). Values live as long as r. */
struct list_params;
enum err_code req_list_params(struct req *r, struct list_params *p, const char *const *extra);

/* api_records.c: generic CRUD of every entity in the registry */
enum err_code api_records_list(struct req *r);
enum err_code api_records_create(struct req *r);
enum err_code api_records_get(struct req *r);
enum err_code api_records_update(struct req *r);
enum err_code api_records_delete(struct req *r);
enum err_code api_records_restore(struct req *r);
enum err_code api_records_history(struct req *r);
enum err_code api_records_reveal(struct req *r);
enum err_code api_records_export(struct req *r);
enum err_code api_records_erase(struct req *r);

/* api_import.c: imports as background jobs, whole-entity exports */
enum err_code api_imports_create(struct req *r);
enum err_code api_imports_get(struct req *r);
enum err_code api_imports_rejected(struct req *r);
enum err_code api_imports_revert(struct req *r);
enum err_code api_imports_preview(struct req *r);
enum err_code api_entity_export(struct req *r);

/* api_shares.c: a record's shares */
enum err_code api_shares_list(struct req *r);
enum err_code api_shares_add(struct req *r);
enum err_code api_shares_remove(struct req *r);

/* api_users.c */
enum err_code api_users_list(struct req *r);
enum err_code api_users_get(struct req *r);
enum err_code api_users_create(struct req *r);
enum err_code api_users_update(struct req *r);
enum err_code api_users_remove(struct req *r);

/* api_auth.c */
enum err_code api_auth_login(struct req *r);
enum err_code api_auth_logout(struct req *r);
enum err_code api_auth_me(struct req *r);
enum err_code api_auth_totp_setup(struct req *r);
enum err_code api_auth_totp_enable(struct req *r);
enum err_code api_auth_totp_disable(struct req *r);

/* api_meta.c: entity metadata and custom fields */
enum err_code api_meta_entities(struct req *r);
enum err_code api_meta_fields_list(struct req *r);
enum err_code api_meta_fields_add(struct req *r);
enum err_code api_meta_fields_remove(struct req *r);
enum err_code api_meta_roles(struct req *r);
enum err_code api_roles_update(struct req *r);
enum err_code api_audit(struct req *r);

/* api_search.c: search across entities, lookup by identifier */
enum err_code api_search(struct req *r);
enum err_code api_lookup(struct req *r);

/* api_customers.c: a customer as a whole */
enum err_code api_customer_overview(struct req *r);
enum err_code api_customer_duplicates(struct req *r);
enum err_code api_customer_duplicates_check(struct req *r);
enum err_code api_customer_merge(struct req *r);
enum err_code api_customer_merges(struct req *r);
enum err_code api_merge_undo(struct req *r);

/* api_retention.c: retention policies, their dry run and run (admins) */
enum err_code api_retention_list(struct req *r);
enum err_code api_retention_get(struct req *r);
enum err_code api_retention_create(struct req *r);
enum err_code api_retention_update(struct req *r);
enum err_code api_retention_remove(struct req *r);
enum err_code api_retention_preview(struct req *r);
enum err_code api_retention_run(struct req *r);

/* ---- the customer list's server side (issue 5) ---- */
/* api_preferences.c: the signed-in user's preferences */
enum err_code api_preferences_get(struct req *r);
enum err_code api_preferences_update(struct req *r);
/* api_saved_views.c: the signed-in user's saved views of the lists */
enum err_code api_views_list(struct req *r);
enum err_code api_views_get(struct req *r);
enum err_code api_views_create(struct req *r);
enum err_code api_views_update(struct req *r);
enum err_code api_views_remove(struct req *r);
/* api_bulk.c: bulk actions on a list's records, as background jobs */
enum err_code api_bulk_create(struct req *r);
enum err_code api_bulk_job_get(struct req *r);

/* api_system.c */
enum err_code api_healthz(struct req *r);
enum err_code api_metrics(struct req *r);
enum err_code api_index(struct req *r);
enum err_code api_web_asset(struct req *r);
enum err_code api_openapi(struct req *r);

#endif
