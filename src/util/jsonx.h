/* SPDX-License-Identifier: MIT */
/* JSON helpers on top of jansson: bounded parsing of untrusted bodies. */
#ifndef GX_JSONX_H
#define GX_JSONX_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "util/buf.h"
#include "util/err.h"

#define JSON_MAX_DEPTH 32
#define JSON_MAX_KEYS 1000

/* Parse an untrusted body of n bytes: valid UTF-8, no duplicate keys,
 * nesting at most JSON_MAX_DEPTH, at most JSON_MAX_KEYS object keys in all.
 * Returns a new reference, or NULL with e set (ERR_BADJSON). */
json_t *jsonx_parse_body(const char *body, size_t n, struct err *e);

/* Serialize compactly; you own the result (free()). */
char *jsonx_dump(const json_t *j, size_t *len);

/* A new array of the first `limit` elements of array a once sorted by cmp
 * (a qsort comparator over json_t * const *); a is left as it is. */
json_t *jsonx_sorted(const json_t *a, int (*cmp)(const void *, const void *), size_t limit);

/* Append v (or the string s of n bytes) as compact JSON, escaped as
 * SQLite's json functions escape; 0, or -1 past the buffer's cap. */
int jsonx_append(struct buf *b, const json_t *v);
int jsonx_append_string(struct buf *b, const char *s, size_t n);
/* Does array a hold an element equal to v? (false if a is no array) */
bool jsonx_array_has(const json_t *a, const json_t *v);

#endif
