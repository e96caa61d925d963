/* SPDX-License-Identifier: MIT */
/* Masking personal data for people who may not see it whole:
 * 13800138000 -> 138****8000, wang@example.com -> w***@example.com. */
#ifndef GX_MASK_H
#define GX_MASK_H

enum mask_kind { MASK_TEXT, MASK_PHONE, MASK_EMAIL };

/* The masked form of valid UTF-8 s; malloc'd, yours to free. */
char *text_mask(enum mask_kind kind, const char *s);

#endif
