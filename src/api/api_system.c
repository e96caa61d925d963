/* SPDX-License-Identifier: MIT */
/* Health, metrics, the OpenAPI document and the start page. */
#include <string.h>
#include "api/api.h"
#include "engine/openapi.h"
#include "http/metrics.h"

static const char index_html[] =
	"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	"<title>Guanxi 关系</title>"
	"<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}"
	"code{background:#f2f2f2;padding:.1rem .3rem}</style></head><body>"
	"<h1>Guanxi 关系</h1>"
	"<p>The customer relationship server is running. 客戶關係管理伺服器正在運行。客户关系管理服务器正在运行。</p>"
	"<ul><li>API: <code>/api/v1</code> (send <code>Authorization: Bearer TOKEN</code>)</li>"
	"<li>API description: <code>/api/v1/openapi.json</code></li>"
	"<li>Health: <a href=\"/healthz\">/healthz</a>, metrics: <a href=\"/metrics\">/metrics</a></li></ul>"
	"</body></html>\n";

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

enum err_code
api_index(struct req *r)
{
	req_add_header(r, "Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'");
	return reply_text(r, 200, "text/html; charset=utf-8", index_html, sizeof(index_html) - 1);
}

enum err_code
api_openapi(struct req *r)
{
	return reply_json(r, 200, openapi_document());
}
