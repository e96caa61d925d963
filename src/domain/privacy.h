/* SPDX-License-Identifier: MIT */
/* Erasure ("right to be forgotten"): a customer's personal data wiped
 * everywhere it is held, in one transaction. */
#ifndef GX_PRIVACY_H
#define GX_PRIVACY_H

#include "engine/entity.h"

/* Wipe customer id: its personal and identifying fields and those of the
 * records under it, its identifiers (deleted outright), the same values in
 * the history (pseudonymised) and in stored idempotent answers; the
 * customer is left as an "(erased)" deleted record. Inside a write job;
 * after the last erasure, the caller runs search_purge (the search
 * indexes) and store_checkpoint (the write-ahead log), once. */
enum err_code privacy_erase(struct wtx *w, const struct entity *customers, int64_t id,
			    struct err *e);

#endif
