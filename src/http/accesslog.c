/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "http/accesslog.h"
#include "http/http.h"
#include "util/jsonx.h"
#include "util/log.h"
#include "util/timeutil.h"

static int log_fd = -1;

int
accesslog_open(const char *path)
{
	if (!path || strcmp(path, "off") == 0)
		return 0;
	if (strcmp(path, "-") == 0) {
		log_fd = dup(STDOUT_FILENO);
		return log_fd < 0 ? -1 : 0;
	}
	log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (log_fd < 0) {
		log_error("cannot open the access log %s: %m", path);
		return -1;
	}
	return 0;
}

void
accesslog_write(const struct req *r, int status, int64_t ns)
{
	char now[TIME_STR_LEN], ip[64];

	if (log_fd < 0)
		return;
	time_format(time_now_ms(), now);
	req_client_ip(r, ip, sizeof(ip));
	json_t *line = json_pack("{s:s,s:s,s:s%,s:i,s:f,s:I,s:s}",
		"time", now, "method", r->method, "path", r->path, strlen(r->path),
		"status", status, "ms", (double)ns / 1e6, "bytes", (json_int_t)r->reply_bytes,
		"ip", ip);
	if (!line)	/* a path that is not UTF-8 */
		line = json_pack("{s:s,s:s,s:s,s:i,s:f,s:s}", "time", now, "method", r->method,
				 "path", "(not UTF-8)", "status", status, "ms", (double)ns / 1e6, "ip", ip);
	if (r->authed)
		json_object_set_new(line, "user", json_string(r->who.name));
	size_t n;
	char *text = jsonx_dump(line, &n);
	json_decref(line);
	text[n] = '\n';	/* replaces the NUL: one write keeps lines whole */
	if (write(log_fd, text, n + 1) < 0) {
		/* the log is best effort; the request has been answered */
	}
	free(text);
}

void
accesslog_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}
