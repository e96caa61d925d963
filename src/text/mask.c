/* SPDX-License-Identifier: MIT */
/* Masks keep just enough to recognise a value one already knows (the last
 * digits of a phone, the first letter and domain of an e-mail), never
 * enough to learn it. Lengths are hidden by a fixed run of stars. */
#include <string.h>
#include "text/mask.h"
#include "util/buf.h"
#include "util/utf8.h"

/* 138****8000: the first three and last four digits, separators dropped. */
static void
mask_phone(struct buf *b, const char *s)
{
	char digits[64];
	size_t n = 0;

	for (const char *p = s; *p && n < sizeof(digits); p++)
		if (*p >= '0' && *p <= '9')
			digits[n++] = *p;
	if (n < 8) {
		buf_adds(b, "****");
		return;
	}
	buf_add(b, digits, 3);
	buf_adds(b, "****");
	buf_add(b, digits + n - 4, 4);
}

/* w***@example.com */
static void
mask_email(struct buf *b, const char *s)
{
	const char *at = strchr(s, '@');
	unsigned cp;

	if (!at || at == s) {
		buf_adds(b, "***");
		return;
	}
	buf_add(b, s, utf8_decode(s, &cp));
	buf_adds(b, "***");
	buf_adds(b, at);
}

/* 台*** or 1***: the first character only */
static void
mask_text(struct buf *b, const char *s)
{
	unsigned cp;

	if (*s)
		buf_add(b, s, utf8_decode(s, &cp));
	buf_adds(b, "***");
}

char *
text_mask(enum mask_kind kind, const char *s)
{
	struct buf b;

	buf_init(&b, 4096);
	if (kind == MASK_PHONE)
		mask_phone(&b, s);
	else if (kind == MASK_EMAIL)
		mask_email(&b, s);
	else
		mask_text(&b, s);
	return buf_detach(&b, NULL);
}
