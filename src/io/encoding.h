/* SPDX-License-Identifier: MIT */
/* Text encodings of imported and exported files: UTF-8 (with or without a
 * byte-order mark), GB18030 (mainland China, a superset of GBK and GB2312)
 * and Big5 (Taiwan, Hong Kong). Conversion is ICU's (ucnv), as a stream.
 *
 * Detection: a BOM or valid UTF-8 is UTF-8; otherwise the candidates that
 * decode without an error are scored by how many of their double-byte
 * characters fall in the encoding's block of frequent characters (Big5
 * A440-C67E, GB2312 level 1 B0A1-D7FE); GB18030 four-byte sequences settle
 * it at once. Short texts can fool any detector: --encoding decides. */
#ifndef GX_ENCODING_H
#define GX_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include "io/csv.h"
#include "util/buf.h"
#include "util/err.h"

enum text_encoding { ENC_AUTO, ENC_UTF8, ENC_GB18030, ENC_BIG5 };

/* "utf-8", "utf8", "gb18030", "gbk", "gb2312", "big5", "auto" (any case). */
bool encoding_parse(const char *name, enum text_encoding *out);
const char *encoding_name(enum text_encoding enc);	/* "UTF-8" ... */
/* The encoding of a text that starts with p[0..n). */
enum text_encoding encoding_detect(const char *p, size_t n);

/* A stream of UTF-8 read from a source in another encoding; a csv_read_fn
 * (pass the decoder as ctx). ENC_AUTO detects from the first chunk. Bytes
 * that are not valid in the encoding come out as U+FFFD. */
struct decoder;
struct decoder *decoder_new(enum text_encoding enc, csv_read_fn *src, void *src_ctx);
void decoder_free(struct decoder *d);
ssize_t decoder_read(void *d, char *p, size_t n);
enum text_encoding decoder_encoding(struct decoder *d);	/* after the first read */

/* UTF-8 text written in another encoding, cell by cell. */
struct encoder;
struct encoder *encoder_new(enum text_encoding enc);	/* NULL if ICU fails */
void encoder_free(struct encoder *x);
/* Append UTF-8 text s[0..n) to out in x's encoding. A character the
 * encoding cannot hold (a simplified character in Big5 ...) is ERR_INVALID
 * naming it, and nothing is appended. */
enum err_code encoder_write(struct encoder *x, const char *s, size_t n, struct buf *out,
			    struct err *e);

#endif
