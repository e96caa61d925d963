/* SPDX-License-Identifier: MIT */
#ifndef GX_MIGRATIONS_H
#define GX_MIGRATIONS_H

#include "store/store.h"

/* Apply the system-table migrations not yet applied, inside the caller's
 * transaction; *applied counts them. */
enum err_code migrations_apply(struct store_conn *c, int *applied, struct err *e);

#endif
