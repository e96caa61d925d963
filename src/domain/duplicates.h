/* SPDX-License-Identifier: MIT */
/* Duplicate customers: scored candidates for a customer, saved or not.
 *
 *   same phone number, however written (international digits)    50
 *   same e-mail address                                           50
 *   same name, across scripts (陳大文 = 陈大文; 王小明 = Wang Xiaoming) 35
 *   ... and in the same city                                      +15
 *
 * Candidates scoring at least DUPLICATE_THRESHOLD are reported, best
 * first, each with its reasons; only customers the caller may see. */
#ifndef GX_DUPLICATES_H
#define GX_DUPLICATES_H

#include <jansson.h>
#include "engine/entity.h"

#define DUPLICATE_THRESHOLD 50
#define DUPLICATES_MAX 20

/* Candidates for rec (a customer's fields; its "id", if any, and its
 * identifiers count too), visible under acc: out gets a new array of
 * {customer, score, reasons}. */
enum err_code duplicates_find(struct store_conn *c, const json_t *rec, const struct access *acc,
			      json_t **out, struct err *e);

#endif
