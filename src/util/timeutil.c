/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "util/timeutil.h"

int64_t
time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
time_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
time_format(int64_t ms, char out[TIME_STR_LEN])
{
	time_t secs = (time_t)(ms / 1000);
	unsigned milli = (unsigned)(ms % 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(out, TIME_STR_LEN, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ",
		 (unsigned)(tm.tm_year + 1900) % 10000, (unsigned)(tm.tm_mon + 1) % 100,
		 (unsigned)tm.tm_mday % 100, (unsigned)tm.tm_hour % 100,
		 (unsigned)tm.tm_min % 100, (unsigned)tm.tm_sec % 100, milli % 1000);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static bool
parse_ymd(const char *s, int *y, int *m, int *d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (s[4] != '-' || s[7] != '-')
		return false;
	*y = digits(s, 4);
	*m = digits(s + 5, 2);
	*d = digits(s + 8, 2);
	if (*y < 1 || *m < 1 || *m > 12 || *d < 1)
		return false;
	int max = mdays[*m - 1] + (*m == 2 && is_leap(*y));
	return *d <= max;
}

bool
time_parse_date(const char *s, int64_t *days)
{
	int y, m, d;

	if (strlen(s) != 10 || !parse_ymd(s, &y, &m, &d))
		return false;
	*days = days_from_civil(y, (unsigned)m, (unsigned)d);
	return true;
}

bool
time_parse_datetime(const char *s, int64_t *ms)
{
	int y, mo, d;
	size_t n = strlen(s);

	if (n < 20 || !parse_ymd(s, &y, &mo, &d))
		return false;
	if ((s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return false;
	int hh = digits(s + 11, 2), mm = digits(s + 14, 2), ss = digits(s + 17, 2);
	if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
		return false;
	const char *p = s + 19;
	int frac_ms = 0;
	if (*p == '.') {
		int nd = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, nd++)
			if (nd < 3)
				frac_ms = frac_ms * 10 + (*p - '0');
		if (nd == 0)
			return false;
		for (; nd < 3; nd++)
			frac_ms *= 10;
	}
	int offset_min = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh = digits(p + 1, 2), om = digits(p + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return false;
		offset_min = (oh * 60 + om) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return false;
	}
	if (*p)
		return false;
	int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	int64_t secs = days * 86400 + hh * 3600 + mm * 60 + ss - offset_min * 60;
	*ms = secs * 1000 + frac_ms;
	return true;
}
