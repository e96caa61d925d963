/* SPDX-License-Identifier: MIT */
/* XLSX writing through libxlsxwriter (see xlsx.h). */
#include <string.h>
#include <xlsxwriter.h>
#include "io/xlsx.h"
#include "util/mem.h"

#define XLSX_MAX_ROWS 1048576	/* Excel's limit, header included */
#define XLSX_MAX_CELL 32767	/* characters in one cell */

struct xlsx {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_row_t row;
};

struct xlsx *
xlsx_open(const char *path, const char *sheet, struct err *e)
{
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE };
	struct xlsx *x = xcalloc(1, sizeof(*x));

	x->wb = workbook_new_opt(path, &opt);
	x->ws = x->wb ? workbook_add_worksheet(x->wb, sheet) : NULL;
	if (!x->ws) {
		if (x->wb)
			workbook_close(x->wb);
		free(x);
		err_set(e, ERR_INTERNAL, "cannot create the XLSX file %s", path);
		return NULL;
	}
	return x;
}

static lxw_error
cell(struct xlsx *x, lxw_col_t col, const json_t *v)
{
	if (json_is_integer(v))
		return worksheet_write_number(x->ws, x->row, col, (double)json_integer_value(v), NULL);
	if (json_is_real(v))
		return worksheet_write_number(x->ws, x->row, col, json_real_value(v), NULL);
	if (json_is_boolean(v))
		return worksheet_write_boolean(x->ws, x->row, col, json_is_true(v), NULL);
	if (json_is_string(v))
		return worksheet_write_string(x->ws, x->row, col, json_string_value(v), NULL);
	return LXW_NO_ERROR;
}

enum err_code
xlsx_row(struct xlsx *x, const json_t *cells, struct err *e)
{
	size_t i;
	json_t *v;

	if (x->row >= XLSX_MAX_ROWS)
		return err_set(e, ERR_TOOBIG, "an XLSX sheet holds at most %d rows: export as CSV",
			       XLSX_MAX_ROWS);
	json_array_foreach(cells, i, v) {
		lxw_error rc = cell(x, (lxw_col_t)i, v);
		if (rc != LXW_NO_ERROR)
			return err_set(e, rc == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED ? ERR_TOOBIG : ERR_INTERNAL,
				       "row %u, column %zu: %s", (unsigned)x->row + 1, i + 1, lxw_strerror(rc));
	}
	x->row++;
	return ERR_OK;
}

enum err_code
xlsx_close(struct xlsx *x, struct err *e)
{
	lxw_error rc = workbook_close(x->wb);

	free(x);
	if (rc != LXW_NO_ERROR)
		return err_set(e, ERR_INTERNAL, "cannot write the XLSX file: %s", lxw_strerror(rc));
	return ERR_OK;
}
