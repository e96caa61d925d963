/* SPDX-License-Identifier: MIT */
/* The full-text tokenizer "guanxi" for SQLite FTS5 (internal to the SQLite
 * backend). */
#ifndef GX_SQLITE_FTS_H
#define GX_SQLITE_FTS_H

#include <sqlite3.h>

/* Register the tokenizer on db; SQLITE_OK or an error code. */
int sqlite_fts_register(sqlite3 *db);

#endif
