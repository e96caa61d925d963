/* SPDX-License-Identifier: MIT */
/* XLSX (Excel) files written row by row with libxlsxwriter in its
 * constant-memory mode: each row goes to a temporary file as it is written,
 * so a sheet of a million rows takes no more memory than one row. */
#ifndef GX_XLSX_H
#define GX_XLSX_H

#include <jansson.h>
#include "util/err.h"

struct xlsx;

/* Create path (replacing it) with one sheet named sheet. */
struct xlsx *xlsx_open(const char *path, const char *sheet, struct err *e);
/* The next row: strings as text, integers and reals as numbers, true/false
 * as TRUE/FALSE, null (and anything else) as an empty cell. */
enum err_code xlsx_row(struct xlsx *x, const json_t *cells, struct err *e);
/* Finish the file; frees x in every case. */
enum err_code xlsx_close(struct xlsx *x, struct err *e);

#endif
