/* SPDX-License-Identifier: MIT */
/* CSV reading (a byte-at-a-time state machine over a chunk buffer) and
 * writing. See csv.h for the contract. */
#include <stdio.h>
#include <string.h>
#include "io/csv.h"
#include "util/mem.h"

#define AT_END (-1)
#define IO_FAIL (-2)

void
csv_reader_init(struct csv_reader *r, csv_read_fn *fn, void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->read = fn;
	r->ctx = ctx;
	r->chunk = xmalloc(CSV_CHUNK);
	r->line = 1;
	buf_init(&r->row, CSV_MAX_ROW);
}

void
csv_reader_release(struct csv_reader *r)
{
	free(r->chunk);
	r->chunk = NULL;
	buf_release(&r->row);
}

static int
get(struct csv_reader *r)
{
	if (r->pos == r->len) {
		if (r->eof)
			return AT_END;
		ssize_t n = r->read(r->ctx, r->chunk, CSV_CHUNK);
		if (n < 0) {
			r->failed = true;
			return IO_FAIL;
		}
		if (n == 0) {
			r->eof = true;
			return AT_END;
		}
		r->pos = 0;
		r->len = (size_t)n;
	}
	int c = (unsigned char)r->chunk[r->pos++];
	if (c == '\n')
		r->line++;
	return c;
}

static int
peek(struct csv_reader *r)
{
	int c = get(r);

	if (c >= 0) {
		r->pos--;
		if (c == '\n')
			r->line--;
	}
	return c;
}

/* Consume the rest of a bad row's line. */
static void
skip_line(struct csv_reader *r)
{
	int c;

	while ((c = get(r)) >= 0 && c != '\n')
		;
}

static void
add(struct csv_reader *r, int c, bool *too_long)
{
	if (buf_addc(&r->row, (char)c) < 0)
		*too_long = true;
}

/* End the current field; false if there are too many. */
static bool
end_field(struct csv_reader *r, bool *too_long)
{
	add(r, '\0', too_long);
	if (r->nfields == CSV_MAX_FIELDS)
		return false;
	r->nfields++;
	if (r->nfields < CSV_MAX_FIELDS)
		r->offs[r->nfields] = r->row.len;
	return true;
}

static bool
row_blank(const struct csv_reader *r)
{
	for (size_t i = 0; i < r->nfields; i++)
		if (*csv_field(r, i, NULL))
			return false;
	return true;
}

static enum csv_result
bad(struct csv_reader *r, const char *why)
{
	snprintf(r->msg, sizeof(r->msg), "%s", why);
	return CSV_BAD;
}

enum { S_START, S_PLAIN, S_QUOTED, S_QUOTE };

/* One row, blank or not. */
static enum csv_result
read_row(struct csv_reader *r, bool *any)
{
	bool too_long = false;
	int state = S_START, c;

	buf_reset(&r->row);
	r->nfields = 0;
	r->offs[0] = 0;
	r->row_line = r->line;
	*any = false;
	for (;;) {
		c = get(r);
		if (c == IO_FAIL)
			return CSV_IOERR;
		if (c == AT_END) {
			if (!*any)
				return CSV_END;
			if (state == S_QUOTED)
				return bad(r, "a quoted field is not closed before the end of the file");
			break;
		}
		*any = true;
		if (state == S_QUOTED) {
			if (c == '"')
				state = S_QUOTE;
			else
				add(r, c, &too_long);
			continue;
		}
		if (state == S_QUOTE) {
			if (c == '"') {
				add(r, '"', &too_long);
				state = S_QUOTED;
				continue;
			}
			if (c != ',' && c != '\r' && c != '\n') {
				skip_line(r);
				return bad(r, "text follows a closing quote (a quote inside a quoted field "
					   "must be doubled)");
			}
		}
		if (c == '"' && state == S_START) {
			state = S_QUOTED;
		} else if (c == ',') {
			if (!end_field(r, &too_long)) {
				skip_line(r);
				return bad(r, "too many columns");
			}
			state = S_START;
		} else if (c == '\r' || c == '\n') {
			if (c == '\r' && peek(r) == '\n')
				get(r);
			break;
		} else {
			add(r, c, &too_long);
			state = S_PLAIN;
		}
	}
	if (!end_field(r, &too_long))
		return bad(r, "too many columns");
	if (too_long)
		return bad(r, "the row is longer than 1 MiB");
	return CSV_ROW;
}

enum csv_result
csv_next(struct csv_reader *r)
{
	for (;;) {
		bool any;
		enum csv_result rc = read_row(r, &any);
		if (rc != CSV_ROW || !row_blank(r))
			return rc;
	}
}

const char *
csv_field(const struct csv_reader *r, size_t i, size_t *len)
{
	const char *s = r->row.data ? r->row.data + r->offs[i] : "";

	if (len)
		*len = strlen(s);
	return s;
}

void
csv_cell(struct buf *b, const char *s, size_t n)
{
	if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n)) {
		buf_add(b, s, n);
		return;
	}
	buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_addc(b, '"');
		buf_addc(b, s[i]);
	}
	buf_addc(b, '"');
}

ssize_t
csv_mem_read(void *ctx, char *p, size_t n)
{
	struct csv_mem *m = ctx;
	size_t k = m->len - m->pos < n ? m->len - m->pos : n;

	if (k)
		memcpy(p, m->p + m->pos, k);
	m->pos += k;
	return (ssize_t)k;
}

ssize_t
csv_file_read(void *ctx, char *p, size_t n)
{
	FILE *f = ctx;
	size_t k = fread(p, 1, n, f);

	return k == 0 && ferror(f) ? -1 : (ssize_t)k;
}
