/* SPDX-License-Identifier: MIT */
/* CSV (RFC 4180) read as a stream and written cell by cell.
 *
 * The reader pulls bytes through a read function, so a file of any size is
 * read in constant memory: one chunk and one row at a time. A row may span
 * several lines (quoted line breaks); its line number is the line it starts
 * on. A malformed row is reported and skipped, and reading goes on at the
 * next row. Blank lines are skipped. */
#ifndef GX_CSV_H
#define GX_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "util/buf.h"

#define CSV_CHUNK (64 * 1024)
#define CSV_MAX_ROW (1 << 20)	/* bytes in one row */
#define CSV_MAX_FIELDS 512

/* Read up to n bytes into p: bytes read, 0 at the end, -1 on an error. */
typedef ssize_t csv_read_fn(void *ctx, char *p, size_t n);

struct csv_reader {
	csv_read_fn *read;
	void *ctx;
	char *chunk;		/* CSV_CHUNK bytes */
	size_t pos, len;
	bool eof, failed;
	long line;		/* physical line being read (1-based) */
	long row_line;		/* line the last row started on */
	struct buf row;		/* the row's fields, each NUL-terminated */
	size_t offs[CSV_MAX_FIELDS];
	size_t nfields;
	char msg[160];		/* why the last row was bad */
};

void csv_reader_init(struct csv_reader *r, csv_read_fn *fn, void *ctx);
void csv_reader_release(struct csv_reader *r);
enum csv_result { CSV_ROW = 1, CSV_END = 0, CSV_BAD = -1, CSV_IOERR = -2 };
/* The next row: CSV_ROW (fields in r), CSV_END, CSV_BAD (r->msg says why,
 * r->row_line where; call again for the next row) or CSV_IOERR. */
enum csv_result csv_next(struct csv_reader *r);
/* Field i of the current row (NUL-terminated; *len if len). */
const char *csv_field(const struct csv_reader *r, size_t i, size_t *len);

/* Append s as one cell, quoted when it holds a comma, quote, CR or LF. */
void csv_cell(struct buf *b, const char *s, size_t n);

/* A read function over memory: ctx is a struct csv_mem. */
struct csv_mem {
	const char *p;
	size_t len, pos;
};
ssize_t csv_mem_read(void *ctx, char *p, size_t n);
/* A read function over a FILE *. */
ssize_t csv_file_read(void *ctx, char *p, size_t n);

#endif
