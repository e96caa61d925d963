/* SPDX-License-Identifier: MIT */
/* Every endpoint of the server, in one place. First match wins, so fixed
 * paths come before the generic /api/v1/:entity ones.
 *
 * flags: ROUTE_AUTH needs a token or session, and then the caller's role
 * must allow `action` on the entity named by :entity (or by .entity).
 * ROUTE_BODY marks routes that read a JSON body. */
#include "api/api.h"

const struct route routes[] = {
	{ .method = "GET", .path = "/healthz", .fn = api_healthz },
	{ .method = "GET", .path = "/metrics", .fn = api_metrics },
	{ .method = "GET", .path = "/", .fn = api_index },
	{ .method = "GET", .path = "/api/v1/openapi.json", .fn = api_openapi, .flags = ROUTE_AUTH },

	{ .method = "POST", .path = "/api/v1/auth/login", .fn = api_auth_login, .flags = ROUTE_BODY },
	{ .method = "POST", .path = "/api/v1/auth/logout", .fn = api_auth_logout, .flags = ROUTE_AUTH },
	{ .method = "GET", .path = "/api/v1/auth/me", .fn = api_auth_me, .flags = ROUTE_AUTH },
	{ .method = "POST", .path = "/api/v1/auth/totp/setup", .fn = api_auth_totp_setup, .flags = ROUTE_AUTH },
	{ .method = "POST", .path = "/api/v1/auth/totp/enable", .fn = api_auth_totp_enable,
	  .flags = ROUTE_AUTH | ROUTE_BODY },
	{ .method = "POST", .path = "/api/v1/auth/totp/disable", .fn = api_auth_totp_disable,
	  .flags = ROUTE_AUTH | ROUTE_BODY },

	{ .method = "GET", .path = "/api/v1/meta/entities", .fn = api_meta_entities, .flags = ROUTE_AUTH },
	{ .method = "GET", .path = "/api/v1/roles", .fn = api_meta_roles, .flags = ROUTE_AUTH },
	{ .method = "PATCH", .path = "/api/v1/roles/:role", .fn = api_roles_update,
	  .flags = ROUTE_AUTH | ROUTE_BODY, .action = ACT_ADMIN, .entity = "roles" },
	{ .method = "GET", .path = "/api/v1/users", .fn = api_users_list, .flags = ROUTE_AUTH,
	  .action = ACT_READ, .entity = "users" },
	{ .method = "POST", .path = "/api/v1/users", .fn = api_users_create,
	  .flags = ROUTE_AUTH | ROUTE_BODY, .action = ACT_ADMIN, .entity = "users" },
	{ .method = "GET", .path = "/api/v1/users/:id", .fn = api_users_get, .flags = ROUTE_AUTH,
	  .action = ACT_READ, .entity = "users" },
	{ .method = "PATCH", .path = "/api/v1/users/:id", .fn = api_users_update,
	  .flags = ROUTE_AUTH | ROUTE_BODY, .action = ACT_ADMIN, .entity = "users" },
	{ .method = "DELETE", .path = "/api/v1/users/:id", .fn = api_users_remove, .flags = ROUTE_AUTH,
	  .action = ACT_ADMIN, .entity = "users" },
	{ .method = "GET", .path = "/api/v1/audit", .fn = api_audit, .flags = ROUTE_AUTH,
	  .action = ACT_ADMIN, .entity = "audit" },
	{ .method = "GET", .path = "/api/v1/meta/entities/:entity/fields", .fn = api_meta_fields_list,
	  .flags = ROUTE_AUTH, .action = ACT_READ },
	{ .method = "POST", .path = "/api/v1/meta/entities/:entity/fields", .fn = api_meta_fields_add,
	  .flags = ROUTE_AUTH | ROUTE_BODY, .action = ACT_ADMIN },
	{ .method = "DELETE", .path = "/api/v1/meta/entities/:entity/fields/:name", .fn = api_meta_fields_remove,
	  .flags = ROUTE_AUTH, .action = ACT_ADMIN },

	/* imports: the entity is a query parameter, checked by the handler */
	{ .method = "POST", .path = "/api/v1/imports", .fn = api_imports_create, .flags = ROUTE_AUTH },
	{ .method = "GET", .path = "/api/v1/imports/:id", .fn = api_imports_get, .flags = ROUTE_AUTH },
	{ .method = "GET", .path = "/api/v1/imports/:id/rejected", .fn = api_imports_rejected,
	  .flags = ROUTE_AUTH },
	{ .method = "POST", .path = "/api/v1/imports/:id/revert", .fn = api_imports_revert,
	  .flags = ROUTE_AUTH },
	{ .method = "GET", .path = "/api/v1/:entity/export", .fn = api_entity_export,
	  .flags = ROUTE_AUTH, .action = ACT_EXPORT },

	{ .method = "GET", .path = "/api/v1/:entity", .fn = api_records_list,
	  .flags = ROUTE_AUTH, .action = ACT_READ },
	{ .method = "POST", .path = "/api/v1/:entity", .fn = api_records_create,
	  .flags = ROUTE_AUTH | ROUTE_BODY, .action = ACT_CREATE },
	{ .method = "GET", .path = "/api/v1/:entity/:id", .fn = api_records_get,
	  .flags = ROUTE_AUTH, .action = ACT_READ },
	{ .method = "PATCH", .path = "/api/v1/:entity/:id", .fn = api_records_update,
	  .flags = ROUTE_AUTH | ROUTE_BODY, .action = ACT_UPDATE },
	{ .method = "DELETE", .path = "/api/v1/:entity/:id", .fn = api_records_delete,
	  .flags = ROUTE_AUTH, .action = ACT_DELETE },
	{ .method = "POST", .path = "/api/v1/:entity/:id/restore", .fn = api_records_restore,
	  .flags = ROUTE_AUTH, .action = ACT_DELETE },
	{ .method = "GET", .path = "/api/v1/:entity/:id/history", .fn = api_records_history,
	  .flags = ROUTE_AUTH, .action = ACT_READ },
	{ .method = "POST", .path = "/api/v1/:entity/:id/erase", .fn = api_records_erase,
	  .flags = ROUTE_AUTH | ROUTE_BODY, .action = ACT_ADMIN },
	{ .method = "GET", .path = "/api/v1/:entity/:id/export", .fn = api_records_export,
	  .flags = ROUTE_AUTH, .action = ACT_EXPORT },
	{ .method = "POST", .path = "/api/v1/:entity/:id/reveal", .fn = api_records_reveal,
	  .flags = ROUTE_AUTH, .action = ACT_READ },
	{ .method = "GET", .path = "/api/v1/:entity/:id/shares", .fn = api_shares_list,
	  .flags = ROUTE_AUTH, .action = ACT_READ },
	{ .method = "POST", .path = "/api/v1/:entity/:id/shares", .fn = api_shares_add,
	  .flags = ROUTE_AUTH | ROUTE_BODY, .action = ACT_UPDATE },
	{ .method = "DELETE", .path = "/api/v1/:entity/:id/shares/:share", .fn = api_shares_remove,
	  .flags = ROUTE_AUTH, .action = ACT_UPDATE },
};

const size_t route_count = sizeof(routes) / sizeof(routes[0]);
