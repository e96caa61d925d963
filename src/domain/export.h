/* SPDX-License-Identifier: MIT */
/* Exporting an entity's records as CSV (UTF-8 with a byte-order mark for
 * Excel, or GB18030 / Big5), XLSX or vCard 4.0, page by page through the
 * engine's list query: an export shows what the caller's access shows
 * (its scope, and personal data masked when the caller sees it masked),
 * and memory stays flat whatever the number of records. */
#ifndef GX_EXPORT_H
#define GX_EXPORT_H

#include <stdio.h>
#include "engine/entity.h"
#include "io/encoding.h"

enum export_format { EXPORT_CSV, EXPORT_XLSX, EXPORT_VCARD };

struct export_options {
	const struct entity *en;
	enum export_format format;
	enum text_encoding encoding;	/* CSV; ENC_AUTO = UTF-8 */
	bool no_bom;		/* UTF-8 CSV without the byte-order mark */
	const struct access *acc;	/* NULL: every record, unmasked */
	const char *sort, *locale;	/* as for lists; NULL: by id */
	/* which records and columns, as for lists (NULL: all): filters, q,
	 * ids, and fields (the columns after id, in their order) */
	const struct list_params *list;
};

/* Parse "csv|xlsx|vcard" and an encoding name; ERR_BADREQ naming the bad
 * one (vCard is UTF-8 only; vCards are for customers and contacts). */
enum err_code export_options_parse(struct export_options *o, const char *format,
				   const char *encoding, struct err *e);
/* The file name extension and MIME type of a format. */
const char *export_extension(enum export_format f);
const char *export_content_type(enum export_format f);

typedef void export_progress_fn(void *ctx, long done, long total);

/* Write every record: CSV and vCard to f, XLSX to the file at path (f is
 * not used). *count is the number of records written. */
enum err_code export_write(struct store_conn *c, const struct export_options *o, FILE *f,
			   const char *path, long *count, export_progress_fn *progress,
			   void *pctx, struct err *e);

#endif
