/* SPDX-License-Identifier: MIT */
/* The HTTP server on libmicrohttpd: a thread pool, limits against slow and
 * greedy clients (connection cap, per-address cap, idle timeout, absolute
 * request deadline, body cap answered with 413), routing, authentication,
 * permission checks, the access log, metrics, and a graceful drain on
 * SIGTERM/SIGINT. */
#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "domain/bulk.h"
#include "domain/import_jobs.h"
#include "http/accesslog.h"
#include "http/http.h"
#include "http/metrics.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/workq.h"

#define DRAIN_MAX_MS 10000

struct server {
	struct store *store;
	struct server_options opt;
	struct MHD_Daemon *daemon;
	struct workq *slow;	/* password hashing, off the HTTP workers */
	_Atomic int inflight;
	_Atomic bool draining;
};

struct store *
req_store(const struct req *r)
{
	return r->srv->store;
}

bool
server_draining(const struct server *srv)
{
	return atomic_load(&srv->draining);
}

/* ---- request helpers ---- */

const char *
req_param(const struct req *r, const char *name)
{
	for (size_t i = 0; i < r->nparams; i++)
		if (strcmp(r->param_names[i], name) == 0)
			return r->params[i];
	return NULL;
}

const char *
req_query(const struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

struct known_query {
	const char *const *known;
	const char *unknown;
};

static enum MHD_Result
check_query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct known_query *k = cls;

	(void)kind;
	(void)value;
	for (size_t i = 0; k->known[i]; i++)
		if (strcmp(k->known[i], key) == 0)
			return MHD_YES;
	k->unknown = key;
	return MHD_NO;
}

enum err_code
req_known_query(struct req *r, const char *const *known)
{
	struct known_query k = { .known = known };
	struct buf names;

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_query_arg, &k);
	if (!k.unknown)
		return ERR_OK;
	buf_init(&names, 512);
	for (size_t i = 0; known[i]; i++)
		buf_printf(&names, "%s%s", i ? ", " : "", known[i]);
	err_set(&r->err, ERR_BADREQ, "unknown query parameter '%.40s' (use %s)", k.unknown, names.data);
	buf_release(&names);
	return ERR_BADREQ;
}

const char *
req_header(const struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

enum err_code
req_id(struct req *r, int64_t *id)
{
	const char *s = req_param(r, "id");
	int64_t v = 0;

	if (!s || !*s || strlen(s) > 18)
		goto bad;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			goto bad;
		v = v * 10 + (*p - '0');
	}
	if (v <= 0)
		goto bad;
	*id = v;
	return ERR_OK;
bad:
	return err_set(&r->err, ERR_NOTFOUND, "%s %.20s not found",
		       r->entity ? r->entity->def->singular : "record", s ? s : "");
}

enum err_code
req_json_body(struct req *r, json_t **out)
{
	const char *ct = req_header(r, "Content-Type");

	*out = NULL;
	if (r->body.len == 0)
		return err_set(&r->err, ERR_BADJSON, "a JSON body is required");
	if (ct && strncasecmp(ct, "application/json", 16) != 0)
		return err_set(&r->err, ERR_MEDIA, "the body must be application/json");
	json_t *j = jsonx_parse_body(r->body.data, r->body.len, &r->err);
	if (!j)
		return r->err.code;
	if (!json_is_object(j)) {
		json_decref(j);
		return err_set(&r->err, ERR_BADJSON, "the body must be a JSON object");
	}
	*out = j;
	return ERR_OK;
}

/* The work is done (or failed): wake the connection. Runs on the thread
 * that did the work; the request may end as soon as it is resumed. */
static void
async_done(void *ctx, enum err_code rc)
{
	struct req *r = ctx;

	r->async_rc = rc;
	MHD_resume_connection(r->conn);
}

static void
suspend(struct req *r, void *ctx, req_then_fn *then)
{
	r->then = then;
	r->async_ctx = ctx;
	MHD_suspend_connection(r->conn);
}

static enum err_code
unsuspend(struct req *r, enum err_code rc)
{
	r->then = NULL;
	MHD_resume_connection(r->conn);
	return rc;
}

enum err_code
req_write(struct req *r, store_write_fn *fn, void *ctx, req_then_fn *then)
{
	suspend(r, ctx, then);
	if (store_submit(r->srv->store, fn, ctx, &r->err, async_done, r) != ERR_OK)
		return unsuspend(r, r->err.code);
	return ERR_OK;
}

static void
offload_run(void *arg)
{
	struct req *r = arg;

	async_done(r, r->offload_fn(NULL, r->async_ctx, &r->err));
}

enum err_code
req_offload(struct req *r, store_write_fn *fn, void *ctx, req_then_fn *then)
{
	suspend(r, ctx, then);
	r->offload_fn = fn;
	if (workq_submit(r->srv->slow, offload_run, r) != 0)
		return unsuspend(r, err_set(&r->err, ERR_UNAVAILABLE, "the server is shutting down"));
	return ERR_OK;
}

/* Back from the work: reply with the result. */
static enum err_code
finish_async(struct req *r)
{
	req_then_fn *then = r->then;

	r->then = NULL;
	if (r->async_rc != ERR_OK)
		return r->async_rc;
	return then(r);
}

void
req_actor(const struct req *r, struct actor *out)
{
	out->user_id = r->who.user_id;
	out->name = r->who.name;
	out->role = r->who.role;
}

void
req_client_ip(const struct req *r, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, n, "-");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)n);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)n);
}

void
req_access(const struct req *r, enum action act, struct access *out)
{
	req_access_for(r, r->entity, act, out);
}

void
req_access_for(const struct req *r, const struct entity *en, enum action act, struct access *out)
{
	const char *entity = en ? en->def->name : "";

	out->user_id = r->who.user_id;
	out->team_id = r->who.team_id;
	out->read = role_scope(r->who.role, entity, ACT_READ);
	out->act = role_scope(r->who.role, entity, act);
	out->act_shares = act == ACT_READ ? SHARES_READ :
			  act == ACT_DELETE ? SHARES_NONE : SHARES_EDIT;
	out->masked = !role_sees_personal(r->who.role);
}

int64_t
req_job_owner(const struct req *r)
{
	return strcmp(r->who.role, "admin") == 0 ? 0 : r->who.user_id;
}

/* ---- routing ---- */

/* Match path against pattern; fills r's params on success (copied only
 * then: most patterns tried fail, and every request tries many). */
static bool
route_match(struct req *r, const char *pattern, const char *path)
{
	const char *name[MAX_ROUTE_PARAMS], *value[MAX_ROUTE_PARAMS];
	size_t name_len[MAX_ROUTE_PARAMS], value_len[MAX_ROUTE_PARAMS], n = 0;

	while (*pattern && *path) {
		if (*pattern != '/' || *path != '/')
			return false;
		pattern++;
		path++;
		const char *pe = strchrnul(pattern, '/'), *se = strchrnul(path, '/');
		if (*pattern == ':') {
			if (se == path || n == MAX_ROUTE_PARAMS)
				return false;
			name[n] = pattern + 1;
			name_len[n] = (size_t)(pe - pattern - 1);
			value[n] = path;
			value_len[n] = (size_t)(se - path);
			n++;
		} else if (pe - pattern != se - path || strncmp(pattern, path, (size_t)(pe - pattern))) {
			return false;
		}
		pattern = pe;
		path = se;
	}
	if (*pattern || *path)
		return false;
	for (size_t i = 0; i < n; i++) {
		r->param_names[i] = arena_strndup(r->arena, name[i], name_len[i]);
		r->params[i] = arena_strndup(r->arena, value[i], value_len[i]);
	}
	r->nparams = n;
	return true;
}

static size_t
segments(const char *path)
{
	size_t n = 0;

	for (; *path; path++)
		n += *path == '/';
	return n;
}

/* Each route's number of path segments, counted once: a path is matched
 * only against the routes of its length. */
static size_t route_segments[MAX_ROUTES];
static pthread_once_t route_segments_once = PTHREAD_ONCE_INIT;

static void
count_route_segments(void)
{
	for (size_t i = 0; i < route_count && i < MAX_ROUTES; i++)
		route_segments[i] = segments(routes[i].path);
}

/* Find the route; ERR_NOTFOUND or ERR_METHOD if none. */
static enum err_code
route_find(struct req *r)
{
	bool other_method = false;
	size_t n = segments(r->path);
	struct buf allow;

	pthread_once(&route_segments_once, count_route_segments);
	buf_init(&allow, 256);
	for (size_t i = 0; i < route_count; i++) {
		if ((i < MAX_ROUTES && route_segments[i] != n) || !route_match(r, routes[i].path, r->path))
			continue;
		if (strcmp(routes[i].method, r->method) == 0) {
			r->route = &routes[i];
			r->route_index = (int)i;
			buf_release(&allow);
			return ERR_OK;
		}
		if (!strstr(allow.data ? allow.data : "", routes[i].method))
			buf_printf(&allow, "%s%s", allow.len ? ", " : "", routes[i].method);
		other_method = true;
	}
	r->nparams = 0;
	if (other_method) {
		req_add_header(r, "Allow", allow.data);
		buf_release(&allow);
		return err_set(&r->err, ERR_METHOD, "%s is not allowed here", r->method);
	}
	buf_release(&allow);
	return err_set(&r->err, ERR_NOTFOUND, "no such resource: %.200s", r->path);
}

static enum err_code
authenticate(struct req *r)
{
	const char *auth = req_header(r, "Authorization");
	const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "gx_session");

	if (auth) {
		if (strncasecmp(auth, "Bearer ", 7) != 0)
			return err_set(&r->err, ERR_UNAUTH, "use Authorization: Bearer TOKEN");
		if (credential_check(r->srv->store, false, auth + 7, &r->who, &r->err) != ERR_OK)
			return r->err.code;
	} else if (cookie) {
		if (credential_check(r->srv->store, true, cookie, &r->who, &r->err) != ERR_OK)
			return r->err.code;
		/* a browser sends the cookie on a forged request too; the token
		 * proves the page making the write could read the session */
		bool safe = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
		if (!safe && !csrf_valid(cookie, req_header(r, "X-CSRF-Token")))
			return err_set(&r->err, ERR_FORBIDDEN, "a write with the session cookie needs the "
				       "X-CSRF-Token header (given at login and by GET /api/v1/auth/me)");
	} else {
		return err_set(&r->err, ERR_UNAUTH, "authentication required: send Authorization: Bearer TOKEN");
	}
	r->authed = true;
	return ERR_OK;
}

static enum err_code
authorize(struct req *r)
{
	const char *subject = r->entity ? r->entity->def->name : r->route->entity;

	if (subject && !role_allows(r->who.role, subject, r->route->action))
		return err_set(&r->err, ERR_FORBIDDEN, "role %s may not do this on %s", r->who.role, subject);
	return ERR_OK;
}

static enum err_code
dispatch(struct req *r)
{
	if (atomic_load(&r->srv->draining))
		return err_set(&r->err, ERR_UNAVAILABLE, "the server is shutting down");
	if (route_find(r) != ERR_OK)
		return r->err.code;
	const char *entity = req_param(r, "entity");
	if (entity && !(r->entity = registry_find(entity)))
		return err_set(&r->err, ERR_NOTFOUND, "no such resource: %.100s", entity);
	if (!entity && r->route->entity)	/* a fixed route about one entity */
		r->entity = registry_find(r->route->entity);
	if (!(r->route->flags & ROUTE_AUTH))
		return r->route->fn(r);
	/* the credential check and the handler's reads share a snapshot */
	store_read_begin(r->srv->store);
	enum err_code rc = authenticate(r);
	if (rc == ERR_OK)
		rc = authorize(r);
	if (rc == ERR_OK)
		rc = r->route->fn(r);
	store_read_end(r->srv->store);
	return rc;
}

/* ---- libmicrohttpd callbacks ---- */

static struct req *
req_new(struct server *srv, struct MHD_Connection *conn, const char *url, const char *method)
{
	struct arena *a = arena_new();
	struct req *r = arena_alloc(a, sizeof(*r));

	r->arena = a;
	r->srv = srv;
	r->conn = conn;
	r->path = arena_strdup(a, url);
	r->method = arena_strdup(a, method);
	r->t0 = time_mono_ns();
	r->route_index = -1;
	buf_init(&r->body, srv->opt.body_max);
	return r;
}

/* Mark the request as over the body cap. libmicrohttpd 0.9.x cannot queue
 * a reply in the middle of an upload, so a body up to DISCARD_FACTOR times
 * the cap is read, dropped and answered with 413 at its end; a declared
 * length beyond that is answered at once (before the body is read), and a
 * chunked body that grows beyond it loses its connection. */
#define DISCARD_FACTOR 8

static void
refuse_too_big(struct req *r, bool at_headers)
{
	r->too_big = true;
	buf_release(&r->body);
	err_set(&r->err, ERR_TOOBIG, "the body is larger than %zu bytes", r->srv->opt.body_max);
	if (at_headers)
		reply_error(r);
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	  const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	struct server *srv = cls;
	struct req *r = *req_cls;

	(void)version;
	if (!r) {
		r = req_new(srv, conn, url, method);
		*req_cls = r;
		atomic_fetch_add(&srv->inflight, 1);
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		unsigned long long len = cl ? strtoull(cl, NULL, 10) : 0;
		/* a body somewhat over the cap is read and dropped so the client
		 * sees the 413; a far larger one is refused before it is sent */
		if (len > DISCARD_FACTOR * srv->opt.body_max)
			refuse_too_big(r, true);
		else if (len > srv->opt.body_max)
			refuse_too_big(r, false);
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (time_mono_ns() - r->t0 > (int64_t)srv->opt.request_deadline_s * 1000000000)
			return MHD_NO;	/* too slow: drop the connection */
		if (r->too_big) {
			r->discarded += *upload_data_size;
			if (r->discarded > DISCARD_FACTOR * srv->opt.body_max)
				return MHD_NO;
		} else if (buf_add(&r->body, upload_data, *upload_data_size) < 0) {
			refuse_too_big(r, false);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->replied)
		return MHD_YES;
	enum err_code rc;
	if (r->then)
		rc = finish_async(r);
	else
		rc = r->too_big ? r->err.code : dispatch(r);
	if (rc == ERR_OK && r->then)
		return MHD_YES;	/* suspended until the writer is done */
	if (rc != ERR_OK || !r->replied) {
		if (r->err.code == ERR_OK)
			err_set(&r->err, ERR_INTERNAL, "the handler gave no answer");
		reply_error(r);
	}
	return MHD_YES;
}

static void
completed_cb(void *cls, struct MHD_Connection *conn, void **req_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct req *r = *req_cls;

	(void)conn;
	if (!r)
		return;
	int64_t ns = time_mono_ns() - r->t0;
	int status = r->replied ? r->status : 499;	/* 499: the client went away */
	(void)toe;
	if (!r->replied)	/* answered ones were counted when queued */
		metrics_observe(r->route_index, status, ns);
	accesslog_write(r, status, ns);
	err_clear(&r->err);
	buf_release(&r->body);
	*req_cls = NULL;
	arena_free(r->arena);
	atomic_fetch_sub(&srv->inflight, 1);
}

/* Percent-decoding of the path and query, in place. %00 stays as it is:
 * a NUL would cut the C string short, so "/customers/1%00" must not read
 * as "/customers/1". */
static size_t
unescape_cb(void *cls, struct MHD_Connection *conn, char *s)
{
	char *out = s;

	(void)cls;
	(void)conn;
	for (char *p = s; *p; p++) {
		if (p[0] == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2]) &&
		    !(p[1] == '0' && p[2] == '0')) {
			char hex[3] = { p[1], p[2], 0 };
			*out++ = (char)strtol(hex, NULL, 16);
			p += 2;
		} else {
			*out++ = *p;
		}
	}
	*out = '\0';
	return (size_t)(out - s);
}

/* ---- start, run, drain ---- */

static int
parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[256];
	const char *colon = strrchr(listen, ':');
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV }, *res = NULL;

	if (!colon || (size_t)(colon - listen) >= sizeof(host) || !colon[1])
		return -1;
	const char *h = listen;
	size_t hn = (size_t)(colon - listen);
	if (hn >= 2 && h[0] == '[' && h[hn - 1] == ']') {
		h++;
		hn -= 2;
	}
	memcpy(host, h, hn);
	host[hn] = '\0';
	if (getaddrinfo(hn ? host : NULL, colon + 1, &hints, &res) != 0 || !res)
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static void
drain(struct server *srv)
{
	atomic_store(&srv->draining, true);
	MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	int64_t t0 = time_mono_ns();
	while (atomic_load(&srv->inflight) > 0 &&
	       time_mono_ns() - t0 < (int64_t)DRAIN_MAX_MS * 1000000)
		usleep(10000);
	MHD_stop_daemon(srv->daemon);
}

int
server_run(struct store *s, const struct server_options *opt)
{
	struct server srv = { .store = s, .opt = *opt };
	struct sockaddr_storage ss;
	socklen_t sslen;
	sigset_t sigs;
	int sig;

	if (parse_listen(opt->listen, &ss, &sslen) != 0) {
		log_error("cannot listen on '%s': use HOST:PORT, e.g. 127.0.0.1:8080", opt->listen);
		return 1;
	}
	/* a thread a core: no thread waits on a write (req_write suspends) */
	unsigned threads = opt->threads ? opt->threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (threads < 1)
		threads = 1;
	if (accesslog_open(opt->access_log) != 0)
		return 1;
	/* two: the most password hashes computed at once (auth/password.c) */
	if (!(srv.slow = workq_new(2))) {
		log_error("cannot start threads");
		accesslog_close();
		return 1;
	}
	metrics_init();
	struct err ie = { 0 };
	if (import_mark_interrupted(s, &ie) != ERR_OK)
		log_error("imports: %s", ie.msg);
	err_clear(&ie);
	if (bulk_mark_interrupted(s, &ie) != ERR_OK)
		log_error("bulk jobs: %s", ie.msg);
	err_clear(&ie);
	/* block the signals in every thread; this one waits for them */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	srv.daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_TURBO |
		MHD_ALLOW_SUSPEND_RESUME,
		0, NULL, NULL, access_cb, &srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_LIMIT, opt->conn_limit,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, opt->per_ip_limit,
		MHD_OPTION_CONNECTION_TIMEOUT, opt->idle_timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
		MHD_OPTION_NOTIFY_COMPLETED, completed_cb, &srv,
		MHD_OPTION_UNESCAPE_CALLBACK, unescape_cb, NULL,
		MHD_OPTION_END);
	if (!srv.daemon) {
		log_error("cannot listen on %s (in use, or not an address of this machine?)", opt->listen);
		workq_free(srv.slow);
		accesslog_close();
		return 1;
	}
	log_info("listening on http://%s (%u threads)", opt->listen, threads);
	sigwait(&sigs, &sig);
	log_info("%s: finishing requests in flight", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	drain(&srv);
	import_jobs_stop();
	bulk_jobs_stop();
	workq_free(srv.slow);
	accesslog_close();
	log_info("stopped");
	return 0;
}
