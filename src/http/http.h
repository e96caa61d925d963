/* SPDX-License-Identifier: MIT */
/* The HTTP layer: requests, the route table's types, replies.
 *
 * Each request owns an arena (freed when libmicrohttpd reports the request
 * complete). A handler returns ERR_OK after queueing its reply with one of
 * the reply_* functions, or an error code with r->err filled, which the
 * server turns into the JSON error reply (reply_error is the only writer
 * of error JSON). */
#ifndef GX_HTTP_H
#define GX_HTTP_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include <microhttpd.h>
#include "auth/auth.h"
#include "engine/entity.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"

#define MAX_ROUTE_PARAMS 4
#define MAX_EXTRA_HEADERS 8

struct req;
typedef enum err_code route_fn(struct req *r);
typedef enum err_code req_then_fn(struct req *r);

enum route_flags {
	ROUTE_AUTH = 1 << 0,	/* needs a token or session */
	ROUTE_BODY = 1 << 1,	/* takes a JSON body */
};

struct route {
	const char *method;
	const char *path;	/* "/api/v1/:entity/:id"; ":x" matches one segment */
	route_fn *fn;
	unsigned flags;		/* enum route_flags */
	enum action action;	/* checked against the role (with ROUTE_AUTH) */
	const char *entity;	/* permission subject when the path has no :entity */
};

struct server;

struct req {
	struct MHD_Connection *conn;
	struct server *srv;
	struct arena *arena;
	const char *method, *path;
	int64_t t0;		/* monotonic ns at the first callback */
	struct buf body;	/* capped at the server's body limit */
	bool too_big;
	size_t discarded;	/* body bytes dropped after too_big */
	const struct route *route;
	int route_index;	/* for metrics; -1 = none */
	const char *param_names[MAX_ROUTE_PARAMS], *params[MAX_ROUTE_PARAMS];
	size_t nparams;
	const struct entity *entity;	/* from :entity, if any */
	struct principal who;	/* valid with ROUTE_AUTH */
	bool authed;
	struct err err;
	/* work done elsewhere while the connection is suspended (req_write,
	 * req_offload) */
	req_then_fn *then;	/* runs once the work is done; NULL = none */
	void *async_ctx;	/* the ctx given with it */
	enum err_code async_rc;
	store_write_fn *offload_fn;
	/* the reply */
	int status;
	size_t reply_bytes;
	bool replied;
	const char *extra_name[MAX_EXTRA_HEADERS], *extra_value[MAX_EXTRA_HEADERS];
	size_t nextra;
};

/* Route table (api/routes.c). */
/* Routes beyond this many work but share one metrics line. */
#define MAX_ROUTES 128
extern const struct route routes[];
extern const size_t route_count;

/* server.c */
struct server_options {
	const char *listen;	/* "HOST:PORT" */
	unsigned threads;	/* 0 = one per core */
	size_t body_max;	/* bytes */
	unsigned conn_limit, per_ip_limit, idle_timeout_s, request_deadline_s;
	const char *access_log;	/* path, "-" for stdout, NULL/"off" for none */
};

struct store;
/* Serve until SIGTERM or SIGINT, then drain and return 0. */
int server_run(struct store *s, const struct server_options *opt);
struct store *req_store(const struct req *r);
bool server_draining(const struct server *srv);

/* Request helpers. */
const char *req_param(const struct req *r, const char *name);	/* route param */
const char *req_query(const struct req *r, const char *name);	/* ?name= */
const char *req_header(const struct req *r, const char *name);
/* The body as a JSON object or the error reply's code (400/415). */
enum err_code req_json_body(struct req *r, json_t **out);
/* The :id parameter, or ERR_NOTFOUND for anything but a positive integer. */
enum err_code req_id(struct req *r, int64_t *id);
void req_add_header(struct req *r, const char *name, const char *value);
/* The caller as the engine's actor (strings live as long as r). */
void req_actor(const struct req *r, struct actor *out);
/* The client's address as text ("-" if unknown). */
void req_client_ip(const struct req *r, char *out, size_t n);
/* The caller's record access on r->entity for act (read scope included). */
void req_access(const struct req *r, enum action act, struct access *out);
void req_access_for(const struct req *r, const struct entity *en, enum action act,
		    struct access *out);
/* Whose background jobs (imports, bulk actions) the caller sees: 0 for an
 * admin (everyone's), else the caller's own id. */
int64_t req_job_owner(const struct req *r);
/* ERR_BADREQ (in r->err) naming a query parameter not in known (NULL-ended). */
enum err_code req_known_query(struct req *r, const char *const *known);
/* Queue fn(ctx) for the store's writer and suspend the connection, so the
 * worker thread serves others meanwhile. Once the write is durable, `then`
 * runs on a worker thread to reply; if the write failed the error in r->err
 * is the reply. The handler returns what this returns. ctx must live in the
 * request (its arena). */
enum err_code req_write(struct req *r, store_write_fn *fn, void *ctx, req_then_fn *then);
/* The same for slow work that is not a write (password hashing): fn(NULL,
 * ctx, &r->err) runs on the server's pool for slow work. */
enum err_code req_offload(struct req *r, store_write_fn *fn, void *ctx, req_then_fn *then);

/* reply.c: each queues the response; json is stolen. */
enum err_code reply_json(struct req *r, int status, json_t *json);
enum err_code reply_text(struct req *r, int status, const char *content_type,
			 const char *text, size_t len);
enum err_code reply_empty(struct req *r, int status);
/* The contents of the open file fd (size bytes from its start), streamed
 * from disk; fd is closed when the reply is sent. */
/* Static bytes that outlive the response (embedded files): not copied. */
enum err_code reply_static(struct req *r, int status, const char *content_type,
			   const void *data, size_t len);
enum err_code reply_fd(struct req *r, int status, const char *content_type, int fd, size_t size);
/* 204, as a continuation for req_write / req_offload. */
enum err_code reply_no_content(struct req *r);
/* JSON already serialised; takes ownership of text (malloc'd). */
enum err_code reply_json_text(struct req *r, int status, char *text, size_t len);
void reply_error(struct req *r);	/* from r->err */

#endif
