/* SPDX-License-Identifier: MIT */
/* io/csv: RFC 4180 reading as a stream (quotes, doubled quotes, line
 * breaks in fields, CRLF, blank lines, line numbers, malformed rows and
 * the reading after them, limits) and cell writing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "io/csv.h"

/* A source that hands out one byte at a time: chunk edges everywhere. */
static ssize_t
trickle(void *ctx, char *p, size_t n)
{
	(void)n;
	return csv_mem_read(ctx, p, 1);
}

struct reading {
	struct csv_mem m;
	struct csv_reader r;
};

static void
open_text(struct reading *rd, const char *text, bool one_byte)
{
	rd->m = (struct csv_mem){ text, strlen(text), 0 };
	csv_reader_init(&rd->r, one_byte ? trickle : csv_mem_read, &rd->m);
}

static void
row_is(struct reading *rd, long line, size_t n, ...)
{
	va_list ap;

	assert_int_equal(csv_next(&rd->r), CSV_ROW);
	assert_int_equal(rd->r.row_line, line);
	assert_int_equal(rd->r.nfields, n);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(csv_field(&rd->r, i, NULL), va_arg(ap, const char *));
	va_end(ap);
}

static void
quoting_and_lines(void **state)
{
	(void)state;
	for (int one = 0; one < 2; one++) {
		struct reading rd;
		open_text(&rd, "姓名,電話\r\n\"Smith, John\",\"say \"\"hi\"\"\"\r\n\r\n"
			  "\"多\nline\",x\n,,\nlast,row", one);
		row_is(&rd, 1, 2, "姓名", "電話");
		row_is(&rd, 2, 2, "Smith, John", "say \"hi\"");
		row_is(&rd, 4, 2, "多\nline", "x");	/* blank line 3 skipped */
		row_is(&rd, 7, 2, "last", "row");	/* ",," on line 6 is blank */
		assert_int_equal(csv_next(&rd.r), CSV_END);
		assert_int_equal(csv_next(&rd.r), CSV_END);
		csv_reader_release(&rd.r);
	}
}

static void
bad_rows_then_more(void **state)
{
	struct reading rd;

	(void)state;
	open_text(&rd, "a,b\n\"x\"y,z\ngood,1\n\"open,2\n", false);
	row_is(&rd, 1, 2, "a", "b");
	assert_int_equal(csv_next(&rd.r), CSV_BAD);
	assert_int_equal(rd.r.row_line, 2);
	assert_non_null(strstr(rd.r.msg, "closing quote"));
	row_is(&rd, 3, 2, "good", "1");
	assert_int_equal(csv_next(&rd.r), CSV_BAD);
	assert_int_equal(rd.r.row_line, 4);
	assert_non_null(strstr(rd.r.msg, "not closed"));
	assert_int_equal(csv_next(&rd.r), CSV_END);
	csv_reader_release(&rd.r);
}

static void
limits(void **state)
{
	struct reading rd;
	size_t n = CSV_MAX_ROW + 10;
	char *big = malloc(n + 32);

	(void)state;
	assert_non_null(big);
	memset(big, 'x', n);
	strcpy(big + n, "\nok\n");
	open_text(&rd, big, false);
	assert_int_equal(csv_next(&rd.r), CSV_BAD);
	assert_non_null(strstr(rd.r.msg, "1 MiB"));
	row_is(&rd, 2, 1, "ok");
	csv_reader_release(&rd.r);
	/* too many columns */
	size_t k = CSV_MAX_FIELDS + 5;
	for (size_t i = 0; i < k; i++)
		big[i] = ',';
	strcpy(big + k, "\nok\n");
	open_text(&rd, big, false);
	assert_int_equal(csv_next(&rd.r), CSV_BAD);
	assert_non_null(strstr(rd.r.msg, "too many columns"));
	row_is(&rd, 2, 1, "ok");
	csv_reader_release(&rd.r);
	free(big);
}

static ssize_t
failing(void *ctx, char *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return -1;
}

static void
io_error(void **state)
{
	struct csv_reader r;

	(void)state;
	csv_reader_init(&r, failing, NULL);
	assert_int_equal(csv_next(&r), CSV_IOERR);
	assert_true(r.failed);
	csv_reader_release(&r);
}

static void
cells(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	csv_cell(&b, "plain 文字", strlen("plain 文字"));
	buf_addc(&b, ',');
	csv_cell(&b, "a,b", 3);
	buf_addc(&b, ',');
	csv_cell(&b, "say \"hi\"", 8);
	buf_addc(&b, ',');
	csv_cell(&b, "two\nlines", 9);
	buf_addc(&b, ',');
	csv_cell(&b, "", 0);
	assert_string_equal(b.data, "plain 文字,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",");
	/* and what was written reads back the same */
	struct reading rd;
	open_text(&rd, b.data, true);
	row_is(&rd, 1, 5, "plain 文字", "a,b", "say \"hi\"", "two\nlines", "");
	csv_reader_release(&rd.r);
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quoting_and_lines),
		cmocka_unit_test(bad_rows_then_more),
		cmocka_unit_test(limits),
		cmocka_unit_test(io_error),
		cmocka_unit_test(cells),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
