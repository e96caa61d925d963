/* SPDX-License-Identifier: MIT */
/* vCard 4.0 (RFC 6350) for customers and contacts: writing a record as a
 * card (FN, N, KIND, ORG, TEL, EMAIL, ADR, BDAY, LANG, NOTE; text escaped,
 * lines folded at 75 octets without splitting a UTF-8 sequence) and reading
 * cards back as records, as a stream. UTF-8 only, as RFC 6350 requires. */
#ifndef GX_VCARD_H
#define GX_VCARD_H

#include <jansson.h>
#include "io/csv.h"
#include "util/buf.h"

#define VCARD_FOLD 75		/* octets per line, CRLF excluded */
#define VCARD_MAX (64 * 1024)	/* bytes in one card */

/* Append rec (a customer or contact record as the API shows it) as one
 * card; org is the company's name for ORG (NULL: none). */
void vcard_write(struct buf *out, const json_t *rec, const char *org);
/* Append one content line "name:value", folded. */
void vcard_line(struct buf *out, const char *name, const char *value, size_t n);
/* Append text escaped for a vCard value (\\ \, \; \n). */
void vcard_escape(struct buf *out, const char *s, size_t n);
/* Undo vcard_escape in place; returns the new length. */
size_t vcard_unescape(char *s, size_t n);

struct vcard_reader;
struct vcard_reader *vcard_reader_new(csv_read_fn *src, void *ctx);
void vcard_reader_free(struct vcard_reader *r);
/* The next card as a record (fields by name: name, family_name, given_name,
 * kind, email, phone, mobile, address, city, region, country, birth_date,
 * language, notes, customer_id): 1 and *rec, *line (where BEGIN was), *raw
 * (the card's text, yours); 0 at the end; -1 for a bad card (msg says why,
 * *line and *raw set; reading goes on); -2 if the source failed. */
int vcard_next(struct vcard_reader *r, json_t **rec, long *line, char **raw, char *msg,
	       size_t msglen);

#endif
