/* SPDX-License-Identifier: MIT */
/* Phone numbers in one form for matching: the international number as
 * digits (E.164 without the '+'), however it was written. */
#ifndef GX_TEXT_PHONE_H
#define GX_TEXT_PHONE_H

#include <stddef.h>

/* The digits of phone number s in international form, malloc'd: a leading
 * '+' or "00" marks it international already; otherwise the calling code
 * of country (ISO 3166 alpha-2, may be NULL) goes in front, after the
 * trunk prefix is dropped (0 in CN, TW, GB…). NULL if s has no digit.
 *   "+86 138-0013-8000"              → 8613800138000
 *   "138 0013 8000", country "CN"    → 8613800138000
 *   "(852) 9123 4567", country "HK"  → 85291234567
 *   "9123 4567", country "HK"        → 85291234567 */
char *phone_international(const char *s, const char *country);

/* The national part of international digits d (after the longest known
 * calling code), or d itself if no code is known. */
const char *phone_national(const char *d);

/* If query q looks like a phone number (digits with + - . ( ) and spaces,
 * at least 4 digits), its digits, malloc'd; NULL otherwise. *trunk_dropped
 * gets the digits without a leading trunk 0, or NULL. */
char *phone_query_digits(const char *q, char **trunk_dropped);

#endif
