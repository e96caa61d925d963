/* SPDX-License-Identifier: MIT */
/* Business rules of customers and the records around them. */
#ifndef GX_CUSTOMERS_H
#define GX_CUSTOMERS_H

#include <jansson.h>
#include "engine/entity.h"

/* The team follows the owner: set from the owner's team on create, and
 * when the owner changes unless the team is changed too. */
enum err_code customers_before_save(struct wtx *w, const struct entity *en, json_t *rec,
				    const json_t *old, struct err *e);
/* Keep the customer's e-mail, phone and mobile as identifiers. */
enum err_code customers_after_save(struct wtx *w, const struct entity *en, const json_t *rec,
				   const json_t *old, struct err *e);
/* Retire the customer's identifiers with it, and bring them back. */
enum err_code customers_after_delete(struct wtx *w, const struct entity *en, const json_t *old,
				     struct err *e);
enum err_code customers_after_restore(struct wtx *w, const struct entity *en, const json_t *rec,
				      const char *deleted_at, struct err *e);

/* A contact belongs to a company customer. */
enum err_code contacts_before_save(struct wtx *w, const struct entity *en, json_t *rec,
				   const json_t *old, struct err *e);
/* An interaction's contact belongs to its customer. */
enum err_code interactions_before_save(struct wtx *w, const struct entity *en, json_t *rec,
				       const json_t *old, struct err *e);

#endif
