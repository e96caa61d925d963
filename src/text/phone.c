/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include "text/phone.h"
#include "util/buf.h"
#include "util/mem.h"

/* Calling codes of the countries whose numbers the seeds' users hold most;
 * a number of another country keeps its digits as written. */
static const struct calling_code {
	const char *country, *code;
	unsigned national_min, national_max;	/* digits after the calling code */
	char trunk;				/* national prefix dropped, or 0 */
} codes[] = {
	{ "CN", "86", 10, 11, '0' }, { "HK", "852", 8, 8, 0 }, { "MO", "853", 8, 8, 0 },
	{ "TW", "886", 8, 9, '0' }, { "SG", "65", 8, 8, 0 }, { "MY", "60", 8, 10, '0' },
	{ "JP", "81", 9, 10, '0' }, { "KR", "82", 8, 10, '0' }, { "US", "1", 10, 10, 0 },
	{ "CA", "1", 10, 10, 0 }, { "GB", "44", 9, 10, '0' }, { "AU", "61", 9, 9, '0' },
	{ "DE", "49", 6, 13, '0' }, { "FR", "33", 9, 9, '0' }, { "TH", "66", 8, 9, '0' },
	{ "VN", "84", 9, 10, '0' }, { "PH", "63", 10, 10, '0' }, { "ID", "62", 8, 12, '0' },
	{ "IN", "91", 10, 10, '0' }, { "NZ", "64", 8, 10, '0' },
};

static const struct calling_code *
code_of(const char *country)
{
	for (size_t i = 0; country && i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(codes[i].country, country) == 0)
			return &codes[i];
	return NULL;
}

static char *
digits_of(const char *s)
{
	struct buf b;

	buf_init(&b, strlen(s) + 1);
	for (const char *p = s; *p; p++)
		if (isdigit((unsigned char)*p))
			buf_addc(&b, *p);
	if (b.len == 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

const char *
phone_national(const char *d)
{
	size_t best = 0;

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		size_t n = strlen(codes[i].code);
		if (n > best && strncmp(d, codes[i].code, n) == 0)
			best = n;
	}
	return d + best;
}

char *
phone_international(const char *s, const char *country)
{
	const char *p = s;
	char *d;

	while (isspace((unsigned char)*p))
		p++;
	if (!(d = digits_of(p)))
		return NULL;
	if (*p == '+')
		return d;
	if (strncmp(d, "00", 2) == 0) {	/* the international prefix */
		memmove(d, d + 2, strlen(d + 2) + 1);
		return d;
	}
	const struct calling_code *cc = code_of(country);
	if (!cc)
		return d;
	size_t n = strlen(d), cl = strlen(cc->code);
	/* written with its calling code but no '+': (852) 9123 4567 */
	if (strncmp(d, cc->code, cl) == 0 && n - cl >= cc->national_min && n - cl <= cc->national_max)
		return d;
	const char *national = d;
	if (cc->trunk && *d == cc->trunk)
		national++;
	char *out = xmalloc(cl + strlen(national) + 1);
	strcpy(out, cc->code);
	strcat(out, national);
	free(d);
	return out;
}

char *
phone_query_digits(const char *q, char **trunk_dropped)
{
	size_t ndigits = 0;

	*trunk_dropped = NULL;
	for (const char *p = q; *p; p++) {
		if (isdigit((unsigned char)*p))
			ndigits++;
		else if (!strchr("+-.() ", *p))
			return NULL;
	}
	if (ndigits < 4)
		return NULL;
	char *d = digits_of(q);
	if (d[0] == '0' && d[1] != '0' && strchr(q, '+') == NULL)
		*trunk_dropped = xstrdup(d + 1);
	return d;
}
