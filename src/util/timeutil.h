/* SPDX-License-Identifier: MIT */
/* Time as the API shows it: RFC 3339 UTC with milliseconds,
 * "2026-11-22T10:00:00.123Z", which also sorts correctly as text. */
#ifndef GX_TIMEUTIL_H
#define GX_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>

#define TIME_STR_LEN 25		/* "YYYY-MM-DDTHH:MM:SS.mmmZ" + NUL */

int64_t time_now_ms(void);		/* wall clock, ms since the epoch */
int64_t time_mono_ns(void);		/* monotonic, for durations */
void time_format(int64_t ms, char out[TIME_STR_LEN]);

/* "YYYY-MM-DD" that exists in the calendar; *days = days since epoch. */
bool time_parse_date(const char *s, int64_t *days);
/* RFC 3339 date-time with optional fraction and Z or +hh:mm; *ms UTC. */
bool time_parse_datetime(const char *s, int64_t *ms);

#endif
