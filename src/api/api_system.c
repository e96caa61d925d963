/* SPDX-License-Identifier: MIT */
/* Health, metrics, the OpenAPI document and the web UI (its files are
 * compiled in: see api/web_assets.h and scripts/embed-web.mjs). */
#include <string.h>
#include "api/api.h"
#include "api/web_assets.h"
#include "engine/openapi.h"
#include "http/metrics.h"

enum err_code
api_healthz(struct req *r)
{
	static const char ok[] = "{\"status\":\"ok\"}";

	return reply_text(r, 200, "application/json", ok, sizeof(ok) - 1);
}

enum err_code
api_metrics(struct req *r)
{
	size_t len;
	char *text = metrics_render(&len);
	enum err_code rc = reply_text(r, 200, "text/plain; version=0.0.4", text, len);

	free(text);
	return rc;
}

/* What the UI's page may load: its own scripts, styles and images, and
 * its own API; nothing inline, nothing from elsewhere, never in a frame. */
#define UI_CSP "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " \
	"font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; " \
	"form-action 'self'; frame-ancestors 'none'"

const struct web_asset *
web_asset_find(const char *path)
{
	for (size_t i = 0; i < web_asset_count; i++)
		if (strcmp(web_assets[i].path, path) == 0)
			return &web_assets[i];
	return NULL;
}

static bool
accepts_gzip(struct req *r)
{
	const char *ae = req_header(r, "Accept-Encoding");

	return ae && strstr(ae, "gzip");
}

static enum err_code
serve_asset(struct req *r, const struct web_asset *a)
{
	req_add_header(r, "Cache-Control", a->immutable ? "public, max-age=31536000, immutable" : "no-cache");
	if (a->gz)
		req_add_header(r, "Vary", "Accept-Encoding");
	if (strncmp(a->type, "text/html", 9) == 0)
		req_add_header(r, "Content-Security-Policy", UI_CSP);
	if (a->gz && accepts_gzip(r)) {
		req_add_header(r, "Content-Encoding", "gzip");
		return reply_static(r, 200, a->type, a->gz, a->gz_len);
	}
	return reply_static(r, 200, a->type, a->data, a->len);
}

/* GET / and /index.html: the single-page app (routes are in the #hash). */
enum err_code
api_index(struct req *r)
{
	const struct web_asset *a = web_asset_find("/index.html");

	if (!a)
		return err_set(&r->err, ERR_NOTFOUND, "the web UI is not built into this binary");
	return serve_asset(r, a);
}

/* GET /assets/:file: the app's hashed scripts and styles. */
enum err_code
api_web_asset(struct req *r)
{
	const struct web_asset *a = web_asset_find(r->path);

	if (!a)
		return err_set(&r->err, ERR_NOTFOUND, "no such file: %.200s", r->path);
	return serve_asset(r, a);
}

enum err_code
api_openapi(struct req *r)
{
	return reply_json(r, 200, openapi_document());
}
