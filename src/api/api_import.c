/* SPDX-License-Identifier: MIT */
/* Imports as background jobs (POST /api/v1/imports, then its status, its
 * rejected rows and its revert) and whole-entity exports (GET
 * /api/v1/:entity/export as CSV, XLSX or vCard, within the caller's export
 * scope and masked as the caller sees personal data). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "api/api.h"
#include "domain/export.h"
#include "domain/import_jobs.h"
#include "engine/audit.h"
#include "engine/query.h"
#include "util/jsonx.h"
#include "util/mem.h"
#include "util/timeutil.h"

/* ---- multipart/form-data: the "file" part (and an optional "map") ---- */

/* The part named name in body (RFC 7578), or NULL. */
static const char *
form_part(const char *body, size_t len, const char *boundary, const char *name, size_t *plen)
{
	char delim[200], want[160];
	size_t dl = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
	const char *end = body + len;

	snprintf(want, sizeof(want), "name=\"%s\"", name);
	/* the first delimiter has no CRLF before it */
	const char *p = memmem(body, len, delim + 2, dl - 2);
	while (p) {
		p += dl - 2;
		const char *head_end = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (!head_end)
			return NULL;
		const char *data = head_end + 4;
		const char *next = memmem(data, (size_t)(end - data), delim, dl);
		if (!next)
			return NULL;
		if (memmem(p, (size_t)(head_end - p), want, strlen(want))) {
			*plen = (size_t)(next - data);
			return data;
		}
		p = next + 2;
	}
	return NULL;
}

/* The uploaded file (and map) from a raw or multipart body. */
static enum err_code
upload(struct req *r, const char **file, size_t *flen, json_t **map)
{
	const char *ct = req_header(r, "Content-Type");
	const char *b = ct ? strcasestr(ct, "boundary=") : NULL;

	*file = r->body.data;
	*flen = r->body.len;
	if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0) {
		char boundary[100];
		if (!b || sscanf(b + 9, "%99[^; ]", boundary) != 1)
			return err_set(&r->err, ERR_BADREQ, "multipart/form-data needs a boundary");
		size_t n;
		const char *m = form_part(r->body.data ? r->body.data : "", r->body.len, boundary, "map", &n);
		if (m && !(*map = jsonx_parse_body(m, n, &r->err)))
			return r->err.code;
		*file = form_part(r->body.data ? r->body.data : "", r->body.len, boundary, "file", flen);
		if (!*file)
			return err_set(&r->err, ERR_BADREQ, "the form has no part named \"file\"");
	} else if (ct && strncasecmp(ct, "application/json", 16) == 0) {
		return err_set(&r->err, ERR_MEDIA, "send the file itself (text/csv, text/vcard) or a "
			       "multipart/form-data form with a \"file\" part");
	}
	if (!*flen)
		return err_set(&r->err, ERR_BADREQ, "the file is empty");
	return ERR_OK;
}

static enum err_code
map_param(struct req *r, json_t **map)
{
	const char *m = req_query(r, "map");

	if (!m)
		return ERR_OK;
	if (*map)
		return err_set(&r->err, ERR_BADREQ, "give the map once (query or form)");
	return (*map = jsonx_parse_body(m, strlen(m), &r->err)) ? ERR_OK : r->err.code;
}

static struct import_job *
job_new(struct req *r, const struct entity *en)
{
	struct import_job *j = xcalloc(1, sizeof(*j));
	const char *key = req_query(r, "key");

	j->run.s = req_store(r);
	j->run.o.en = en;
	j->run.who.user_id = r->who.user_id;
	j->user_name = xstrdup(r->who.name);
	j->role = xstrdup(r->who.role);
	j->key = key ? xstrdup(key) : NULL;
	j->source = xstrdup(req_query(r, "name") ? req_query(r, "name") : "upload");
	struct req tmp = *r;
	tmp.entity = en;
	req_access(&tmp, ACT_CREATE, &j->create_acc);
	req_access(&tmp, ACT_UPDATE, &j->update_acc);
	return j;
}

/* The options and the role's permission for them. */
static enum err_code
import_options_of(struct req *r, struct import_job *j)
{
	struct import_options *o = &j->run.o;

	if (import_options_parse(o, req_query(r, "format"), req_query(r, "encoding"), j->key,
				 req_query(r, "on_match"), req_query(r, "on_missing"), &r->err) != ERR_OK ||
	    import_duplicates_parse(o, req_query(r, "on_duplicate"), &r->err) != ERR_OK)
		return r->err.code;
	if (!role_allows(r->who.role, o->en->def->name, ACT_CREATE) ||
	    (o->on_match == MATCH_UPDATE && !role_allows(r->who.role, o->en->def->name, ACT_UPDATE)))
		return err_set(&r->err, ERR_FORBIDDEN, "role %s may not import %s", r->who.role,
			       o->en->def->name);
	return ERR_OK;
}

enum err_code
api_imports_create(struct req *r)
{
	const char *name = req_query(r, "entity");
	const struct entity *en = name ? registry_find(name) : NULL;
	const char *file;
	size_t flen;
	json_t *map = NULL;

	if (!en)
		return err_set(&r->err, ERR_BADREQ, "entity=%s names no entity", name ? name : "(missing)");
	struct import_job *j = job_new(r, en);
	if (upload(r, &file, &flen, &map) != ERR_OK || map_param(r, &map) != ERR_OK ||
	    import_options_of(r, j) != ERR_OK) {
		json_decref(map);
		import_job_free(j);
		return r->err.code;
	}
	if (map && !json_is_object(map)) {
		json_decref(map);
		import_job_free(j);
		return err_set(&r->err, ERR_BADREQ, "map must be a JSON object {\"header\": \"field\" | null}");
	}
	j->map = map;
	j->run.o.map = map;
	j->body = xmalloc(flen);
	memcpy(j->body, file, flen);
	j->len = flen;
	j->total = j->run.o.format == IMPORT_CSV ? import_count_rows(file, flen) : -1;
	if (import_create(j->run.s, &j->run.o, &j->run.who, j->total, &j->id, &r->err) != ERR_OK) {
		import_job_free(j);
		return r->err.code;
	}
	int64_t id = j->id;
	if (import_job_start(j, &r->err) != ERR_OK)
		return r->err.code;
	char loc[64];
	snprintf(loc, sizeof(loc), "/api/v1/imports/%lld", (long long)id);
	req_add_header(r, "Location", loc);
	return reply_json(r, 202, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "status", "queued",
					    "href", loc));
}

/* ---- the preview: POST /api/v1/imports/preview, the same body and
 * options; nothing is written ---- */

#define PREVIEW_ROWS_DEFAULT 20
#define PREVIEW_ROWS_MAX 100

struct preview_req {
	struct import_job *j;
	const char *file;	/* in the request's body */
	size_t len, rows;
	json_t *out;
};

static void
preview_release(void *p)
{
	struct preview_req *pr = p;

	import_job_free(pr->j);
	json_decref(pr->out);
}

/* On the pool for slow work: read the file, try its first rows. */
static enum err_code
preview_run(struct store_conn *c, void *ctx, struct err *e)
{
	struct preview_req *pr = ctx;

	(void)c;
	import_job_bind(pr->j);
	return import_preview(&pr->j->run, pr->file, pr->len, pr->rows, &pr->out, e);
}

static enum err_code
previewed(struct req *r)
{
	return reply_json(r, 200, json_incref(((struct preview_req *)r->async_ctx)->out));
}

enum err_code
api_imports_preview(struct req *r)
{
	static const char *const known[] = {
		"entity", "format", "encoding", "map", "key", "on_match", "on_missing", "on_duplicate",
		"name", "rows", NULL
	};
	const char *name = req_query(r, "entity"), *rows = req_query(r, "rows");
	const struct entity *en = name ? registry_find(name) : NULL;
	struct preview_req *pr = arena_alloc(r->arena, sizeof(*pr));
	json_t *map = NULL;
	char *end;

	arena_defer(r->arena, preview_release, pr);
	if (req_known_query(r, known) != ERR_OK)
		return r->err.code;
	if (!en)
		return err_set(&r->err, ERR_BADREQ, "entity=%s names no entity", name ? name : "(missing)");
	pr->rows = PREVIEW_ROWS_DEFAULT;
	if (rows) {
		long n = strtol(rows, &end, 10);
		if (!*rows || *end || n < 1 || n > PREVIEW_ROWS_MAX)
			return err_set(&r->err, ERR_BADREQ, "rows must be an integer from 1 to %d", PREVIEW_ROWS_MAX);
		pr->rows = (size_t)n;
	}
	pr->j = job_new(r, en);
	if (upload(r, &pr->file, &pr->len, &map) != ERR_OK || map_param(r, &map) != ERR_OK ||
	    import_options_of(r, pr->j) != ERR_OK) {
		json_decref(map);
		return r->err.code;
	}
	pr->j->map = map;	/* the job owns it now */
	if (map && !json_is_object(map))
		return err_set(&r->err, ERR_BADREQ, "map must be a JSON object {\"header\": \"field\" | null}");
	return req_offload(r, preview_run, pr, previewed);
}

enum err_code
api_imports_get(struct req *r)
{
	int64_t id;
	struct store_conn *c;
	json_t *out;

	if (req_id(r, &id) != ERR_OK || !(c = store_reader(req_store(r), &r->err)) ||
	    import_get(c, id, req_job_owner(r), &out, &r->err) != ERR_OK)
		return r->err.code;
	return reply_json(r, 200, out);
}

enum err_code
api_imports_rejected(struct req *r)
{
	int64_t id;
	struct store_conn *c;
	struct buf b;
	const char *ct;

	buf_init(&b, 64 << 20);
	if (req_id(r, &id) != ERR_OK || !(c = store_reader(req_store(r), &r->err)) ||
	    import_rejected(c, id, req_job_owner(r), &b, &ct, &r->err) != ERR_OK) {
		buf_release(&b);
		return r->err.code;
	}
	enum err_code rc = reply_text(r, 200, ct, b.data ? b.data : "", b.len);
	buf_release(&b);
	return rc;
}

enum err_code
api_imports_revert(struct req *r)
{
	int64_t id;
	struct store_conn *c;
	json_t *im;
	struct actor who;
	struct access up, del;

	if (req_id(r, &id) != ERR_OK || !(c = store_reader(req_store(r), &r->err)) ||
	    import_get(c, id, req_job_owner(r), &im, &r->err) != ERR_OK)
		return r->err.code;
	struct req tmp = *r;
	tmp.entity = registry_find(json_string_value(json_object_get(im, "entity")));
	json_decref(im);
	req_access(&tmp, ACT_UPDATE, &up);
	req_access(&tmp, ACT_DELETE, &del);
	req_actor(r, &who);
	store_read_end(req_store(r));	/* the revert reads what it writes */
	if (import_revert(req_store(r), id, &who, &up, &del, &r->err) != ERR_OK ||
	    !(c = store_reader(req_store(r), &r->err)) ||
	    import_get(c, id, 0, &im, &r->err) != ERR_OK)
		return r->err.code;
	return reply_json(r, 200, im);
}

/* ---- export ---- */

struct export_job {
	struct store *s;
	struct export_options o;
	struct list_params list;	/* values live as long as the request */
	struct access acc;
	struct actor who;
	char ip[64];
	int fd;
	long count;
	char path[64];
};

static void
export_release(void *p)
{
	struct export_job *j = p;

	if (j->fd >= 0)
		close(j->fd);
}

static enum err_code
audit_export(struct store_conn *c, void *ctx, struct err *e)
{
	struct export_job *j = ctx;
	char at[TIME_STR_LEN];
	json_t *d = json_pack("{s:s,s:s,s:I,s:b}", "entity", j->o.en->def->name, "format",
			      export_extension(j->o.format), "records", (json_int_t)j->count,
			      "masked", j->acc.masked);
	/* which records, when the list chose them */
	json_t *filters = json_array();
	for (size_t i = 0; i < j->list.nfilters; i++)
		json_array_append_new(filters, json_string(j->list.filters[i]));
	json_object_set_new(d, "filters", filters);
	if (j->list.q)
		json_object_set_new(d, "q", json_string(j->list.q));
	if (j->list.ids)
		json_object_set_new(d, "ids", json_string(j->list.ids));
	char *detail = jsonx_dump(d, NULL);

	json_decref(d);
	time_format(time_now_ms(), at);
	enum err_code rc = audit_event_write(c, at, j->who.user_id, j->who.name, "export", j->ip, detail, e);
	free(detail);
	return rc;
}

/* On the slow pool: write the file, then record the export. */
static enum err_code
export_run(struct store_conn *unused, void *ctx, struct err *e)
{
	struct export_job *j = ctx;
	struct store_conn *c = store_reader(j->s, e);
	FILE *f = NULL;
	enum err_code rc;

	(void)unused;
	if (!c)
		return e->code;
	if (j->o.format != EXPORT_XLSX && !(f = fdopen(dup(j->fd), "w")))
		return err_set(e, ERR_INTERNAL, "cannot write a temporary file: %m");
	store_read_begin(j->s);
	rc = export_write(c, &j->o, f, j->path, &j->count, NULL, NULL, e);
	store_read_end(j->s);
	if (j->o.format == EXPORT_XLSX)
		unlink(j->path);	/* the fd keeps what libxlsxwriter wrote */
	if (f && fclose(f) != 0 && rc == ERR_OK)
		rc = err_set(e, ERR_INTERNAL, "cannot write a temporary file");
	return rc == ERR_OK ? store_write(j->s, audit_export, j, e) : rc;
}

static enum err_code
export_sent(struct req *r)
{
	struct export_job *j = r->async_ctx;
	off_t size = lseek(j->fd, 0, SEEK_END);
	char disp[160];

	if (size < 0 || lseek(j->fd, 0, SEEK_SET) != 0)
		return err_set(&r->err, ERR_INTERNAL, "cannot read the export back");
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s.%s\"", j->o.en->def->name,
		 export_extension(j->o.format));
	req_add_header(r, "Content-Disposition", disp);
	int fd = j->fd;
	j->fd = -1;	/* the reply closes it */
	return reply_fd(r, 200, export_content_type(j->o.format), fd, (size_t)size);
}

enum err_code
api_entity_export(struct req *r)
{
	struct export_job *j = arena_alloc(r->arena, sizeof(*j));

	j->fd = -1;
	arena_defer(r->arena, export_release, j);
	j->s = req_store(r);
	j->o.en = r->entity;
	if (export_options_parse(&j->o, req_query(r, "format"), req_query(r, "encoding"), &r->err) != ERR_OK)
		return r->err.code;
	j->o.no_bom = req_query(r, "bom") && strcmp(req_query(r, "bom"), "false") == 0;
	/* the list's choice of records and columns: filter, q, ids, fields */
	static const char *const options[] = { "format", "encoding", "bom", NULL };
	if (req_list_params(r, &j->list, options) != ERR_OK)
		return r->err.code;
	if (j->list.limit || j->list.cursor || j->list.deleted)
		return err_set(&r->err, ERR_BADREQ, "an export takes every record the list shows: no limit, "
			       "cursor or deleted");
	j->o.sort = j->list.sort;
	j->o.locale = j->list.locale;
	j->o.list = &j->list;
	req_access(r, ACT_EXPORT, &j->acc);
	/* what one may see and may take away, both */
	if (j->acc.act < j->acc.read)
		j->acc.read = j->acc.act;
	j->o.acc = &j->acc;
	req_actor(r, &j->who);
	req_client_ip(r, j->ip, sizeof(j->ip));
	snprintf(j->path, sizeof(j->path), "%s/guanxi-export-XXXXXX", "/tmp");
	if ((j->fd = mkstemp(j->path)) < 0)
		return err_set(&r->err, ERR_INTERNAL, "cannot create a temporary file: %m");
	/* the name goes at once; libxlsxwriter writes to it and we read the fd */
	if (j->o.format != EXPORT_XLSX)
		unlink(j->path);
	enum err_code rc = req_offload(r, export_run, j, export_sent);
	return rc;
}
