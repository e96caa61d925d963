/* SPDX-License-Identifier: MIT */
/* Building and queueing responses; the one place error JSON is written. */
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "http/http.h"
#include "http/metrics.h"
#include "util/timeutil.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/mem.h"

void
req_add_header(struct req *r, const char *name, const char *value)
{
	if (r->nextra < MAX_EXTRA_HEADERS) {
		r->extra_name[r->nextra] = arena_strdup(r->arena, name);
		r->extra_value[r->nextra] = arena_strdup(r->arena, value);
		r->nextra++;
	}
}

static enum err_code
queue(struct req *r, int status, struct MHD_Response *resp, const char *content_type)
{
	if (!resp)
		return err_set(&r->err, ERR_INTERNAL, "cannot create a response");
	if (content_type)
		MHD_add_response_header(resp, "Content-Type", content_type);
	/* security headers on every answer; a page may bring its own CSP */
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (strncmp(r->path, "/api/", 5) == 0)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	bool own_csp = false;
	for (size_t i = 0; i < r->nextra; i++) {
		MHD_add_response_header(resp, r->extra_name[i], r->extra_value[i]);
		own_csp = own_csp || strcasecmp(r->extra_name[i], "Content-Security-Policy") == 0;
	}
	if (!own_csp)
		MHD_add_response_header(resp, "Content-Security-Policy",
					"default-src 'none'; frame-ancestors 'none'");
	if (r->too_big)
		MHD_add_response_header(resp, "Connection", "close");
	enum MHD_Result ok = MHD_queue_response(r->conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	if (ok != MHD_YES)
		return err_set(&r->err, ERR_INTERNAL, "cannot queue the response");
	r->status = status;
	r->replied = true;
	/* counted now, not when the connection reports completion: a client
	 * reading /metrics after its answer must find it counted */
	metrics_observe(r->route_index, status, time_mono_ns() - r->t0);
	return ERR_OK;
}

enum err_code
reply_text(struct req *r, int status, const char *content_type, const char *text, size_t len)
{
	char *copy = xmalloc(len + 1);

	memcpy(copy, text, len);
	r->reply_bytes = len;
	return queue(r, status, MHD_create_response_from_buffer(len, copy, MHD_RESPMEM_MUST_FREE),
		     content_type);
}

enum err_code
reply_static(struct req *r, int status, const char *content_type, const void *data, size_t len)
{
	r->reply_bytes = len;
	return queue(r, status, MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_PERSISTENT),
		     content_type);
}

enum err_code
reply_json_text(struct req *r, int status, char *text, size_t len)
{
	r->reply_bytes = len;
	return queue(r, status, MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE),
		     "application/json; charset=utf-8");
}

enum err_code
reply_json(struct req *r, int status, json_t *json)
{
	size_t len;
	char *text = jsonx_dump(json, &len);

	json_decref(json);
	return reply_json_text(r, status, text, len);
}

enum err_code
reply_fd(struct req *r, int status, const char *content_type, int fd, size_t size)
{
	struct MHD_Response *resp = MHD_create_response_from_fd(size, fd);

	if (!resp)
		close(fd);
	r->reply_bytes = size;
	return queue(r, status, resp, content_type);
}

enum err_code
reply_empty(struct req *r, int status)
{
	r->reply_bytes = 0;
	return queue(r, status, MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT), NULL);
}

enum err_code
reply_no_content(struct req *r)
{
	return reply_empty(r, 204);
}

void
reply_error(struct req *r)
{
	struct err *e = &r->err;
	int status = err_http_status(e->code);

	if (e->code == ERR_OK)
		err_set(e, ERR_INTERNAL, "the handler gave no answer");
	if (status >= 500)
		log_error("%s %s: %s", r->method, r->path, e->msg);
	json_t *inner = json_pack("{s:s,s:s}", "code", err_name(e->code), "message", e->msg);
	if (!inner)	/* a message that is not valid UTF-8 */
		inner = json_pack("{s:s,s:s}", "code", err_name(e->code), "message", "invalid request");
	if (e->fields)
		json_object_set(inner, "fields", e->fields);
	if (e->code == ERR_UNAUTH)
		req_add_header(r, "WWW-Authenticate", "Bearer");
	reply_json(r, status, json_pack("{s:o}", "error", inner));
}
