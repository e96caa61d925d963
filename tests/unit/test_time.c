/* SPDX-License-Identifier: MIT */
/* util/timeutil: calendar dates, RFC 3339 date-times to UTC ms, and the
 * canonical "YYYY-MM-DDTHH:MM:SS.mmmZ" format. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "util/timeutil.h"

static int64_t
date_days(const char *s)
{
	int64_t d = INT64_MIN;

	if (!time_parse_date(s, &d))
		fail_msg("date '%s' rejected", s);
	return d;
}

static void
date_bad(const char *s)
{
	int64_t d = 12345;

	if (time_parse_date(s, &d))
		fail_msg("date '%s' accepted", s);
}

static int64_t
dt_ms(const char *s)
{
	int64_t ms = INT64_MIN;

	if (!time_parse_datetime(s, &ms))
		fail_msg("date-time '%s' rejected", s);
	return ms;
}

static void
dt_bad(const char *s)
{
	int64_t ms = 0;

	if (time_parse_datetime(s, &ms))
		fail_msg("date-time '%s' accepted", s);
}

static void
date_epoch_and_known_days(void **state)
{
	(void)state;
	assert_int_equal(date_days("1970-01-01"), 0);
	assert_int_equal(date_days("1969-12-31"), -1);
	assert_int_equal(date_days("2026-03-01"), 20513);
	assert_int_equal(date_days("0001-01-01"), -719162);
	assert_int_equal(date_days("9999-12-31"), 2932896);
}

static void
date_leap_years(void **state)
{
	(void)state;
	assert_int_equal(date_days("2024-02-29"), 19782);	/* divisible by 4 */
	assert_int_equal(date_days("2000-02-29"), 11016);	/* divisible by 400 */
	date_bad("2023-02-29");					/* not a leap year */
	date_bad("1900-02-29");					/* by 100, not by 400 */
	date_bad("2100-02-29");
	date_bad("2024-02-30");
	assert_int_equal(date_days("2024-03-01") - date_days("2024-02-28"), 2);
	assert_int_equal(date_days("2023-03-01") - date_days("2023-02-28"), 1);
}

static void
date_month_lengths(void **state)
{
	(void)state;
	date_days("2026-01-31");
	date_bad("2026-04-31");
	date_bad("2026-06-31");
	date_bad("2026-09-31");
	date_bad("2026-11-31");
	date_days("2026-12-31");
	date_bad("2026-12-32");
}

static void
date_out_of_range(void **state)
{
	(void)state;
	date_bad("2026-13-01");
	date_bad("2026-00-10");
	date_bad("2026-01-00");
	date_bad("0000-01-01");
}

static void
date_garbage(void **state)
{
	(void)state;
	date_bad("");
	date_bad("garbage");
	date_bad("2026-1-01");
	date_bad("2026-01-1");
	date_bad("26-01-01");
	date_bad("2026/01/01");
	date_bad("2026-01-01T00:00:00Z");
	date_bad("2026-01-01 ");
	date_bad(" 2026-01-01");
	date_bad("2026-0a-01");
	date_bad("20x6-01-01");
	date_bad("+026-01-01");
	date_bad("2026-01--1");
	date_bad("２０２６-01-01");	/* full-width digits */
}

static void
datetime_utc(void **state)
{
	(void)state;
	assert_int_equal(dt_ms("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(dt_ms("2026-11-22T10:00:00.123Z"), 1795341600123LL);
	assert_int_equal(dt_ms("2026-11-22t10:00:00.123z"), 1795341600123LL);
	assert_int_equal(dt_ms("2024-02-29T23:59:59.999Z"), 1709251199999LL);
	assert_int_equal(dt_ms("1969-12-31T23:59:59Z"), -1000);
}

static void
datetime_offsets(void **state)
{
	(void)state;
	/* Beijing time is UTC+8: 18:00 there is 10:00Z */
	assert_int_equal(dt_ms("2026-11-22T18:00:00+08:00"), 1795341600000LL);
	assert_int_equal(dt_ms("2026-11-22T18:00:00.123+08:00"), 1795341600123LL);
	/* the offset can move the day (and the year) back */
	assert_int_equal(dt_ms("2026-01-01T00:30:00+08:00"), 1767198600000LL);
	assert_int_equal(dt_ms("2026-01-01T00:00:00-05:30"), 1767245400000LL);
	assert_int_equal(dt_ms("2026-11-22T10:00:00+00:00"), dt_ms("2026-11-22T10:00:00Z"));
	assert_int_equal(dt_ms("2026-11-22T10:00:00-00:00"), dt_ms("2026-11-22T10:00:00Z"));
	assert_int_equal(dt_ms("2026-11-22T10:00:00+23:59"),
			 dt_ms("2026-11-22T10:00:00Z") - (23 * 60 + 59) * 60000LL);
}

static void
datetime_fractions(void **state)
{
	(void)state;
	int64_t base = dt_ms("2026-11-22T10:00:00Z");

	assert_int_equal(dt_ms("2026-11-22T10:00:00.1Z"), base + 100);
	assert_int_equal(dt_ms("2026-11-22T10:00:00.12Z"), base + 120);
	assert_int_equal(dt_ms("2026-11-22T10:00:00.123Z"), base + 123);
	assert_int_equal(dt_ms("2026-11-22T10:00:00.000Z"), base);
	/* beyond milliseconds: truncated, not rounded */
	assert_int_equal(dt_ms("2026-11-22T10:00:00.123456789Z"), base + 123);
	assert_int_equal(dt_ms("2026-11-22T10:00:00.9999Z"), base + 999);
	assert_int_equal(dt_ms("2026-11-22T10:00:00.5+08:00"), base + 500 - 8 * 3600000LL);
}

static void
datetime_bad_forms(void **state)
{
	(void)state;
	dt_bad("");
	dt_bad("garbage");
	dt_bad("2026-11-22");
	dt_bad("2026-11-22T10:00:00");		/* no zone */
	dt_bad("2026-11-22T10:00Z");		/* no seconds */
	dt_bad("2026-11-22 10:00:00Z");		/* space for T */
	dt_bad("2026-11-22X10:00:00Z");
	dt_bad("2026-11-22T10:00:00.Z");	/* empty fraction */
	dt_bad("2026-11-22T10:00:00,5Z");
	dt_bad("2026-11-22T10:00:00+0800");
	dt_bad("2026-11-22T10:00:00+08");
	dt_bad("2026-11-22T10:00:00+8:00");
	dt_bad("2026-11-22T10:00:00+24:00");
	dt_bad("2026-11-22T10:00:00+08:60");
	dt_bad("2026-11-22T10:00:00ZZ");
	dt_bad("2026-11-22T10:00:00Z ");
	dt_bad("2026-11-22T10:00:00+08:00 ");
	dt_bad("2026-11-22T24:00:00Z");
	dt_bad("2026-11-22T10:60:00Z");
	dt_bad("2026-11-22T10:00:61Z");
	dt_bad("2026-11-22T1a:00:00Z");
	dt_bad("2026-02-30T10:00:00Z");
	dt_bad("2023-02-29T10:00:00Z");
	dt_bad("2026-13-01T10:00:00Z");
	dt_bad("2026-11-22T10-00-00Z");
}

static void
format_canonical(void **state)
{
	(void)state;
	char out[TIME_STR_LEN];

	time_format(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00.000Z");
	time_format(1795341600123LL, out);
	assert_string_equal(out, "2026-11-22T10:00:00.123Z");
	time_format(1709251199999LL, out);
	assert_string_equal(out, "2024-02-29T23:59:59.999Z");
	time_format(253402300799999LL, out);
	assert_string_equal(out, "9999-12-31T23:59:59.999Z");
	assert_int_equal(strlen(out), TIME_STR_LEN - 1);
}

static void
format_round_trips(void **state)
{
	(void)state;
	const char *canon[] = {
		"1970-01-01T00:00:00.000Z", "2000-02-29T12:34:56.789Z",
		"2024-12-31T23:59:59.999Z", "2026-11-22T10:00:00.001Z",
		"2038-01-19T03:14:08.000Z", "9999-12-31T23:59:59.999Z",
	};
	char out[TIME_STR_LEN];

	for (size_t i = 0; i < sizeof(canon) / sizeof(canon[0]); i++) {
		time_format(dt_ms(canon[i]), out);
		assert_string_equal(out, canon[i]);
	}
	/* offsets come back normalised to UTC */
	time_format(dt_ms("2026-01-01T00:30:00.5+08:00"), out);
	assert_string_equal(out, "2025-12-31T16:30:00.500Z");
	/* and ms survive format -> parse */
	for (int64_t ms = 0; ms < 4000000000000LL; ms += 123456789013LL) {
		time_format(ms, out);
		assert_int_equal(dt_ms(out), ms);
	}
}

static void
clocks_move(void **state)
{
	(void)state;
	int64_t now = time_now_ms();
	assert_true(now > dt_ms("2024-01-01T00:00:00Z"));
	int64_t a = time_mono_ns(), b = time_mono_ns();
	assert_true(b >= a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(date_epoch_and_known_days),
		cmocka_unit_test(date_leap_years),
		cmocka_unit_test(date_month_lengths),
		cmocka_unit_test(date_out_of_range),
		cmocka_unit_test(date_garbage),
		cmocka_unit_test(datetime_utc),
		cmocka_unit_test(datetime_offsets),
		cmocka_unit_test(datetime_fractions),
		cmocka_unit_test(datetime_bad_forms),
		cmocka_unit_test(format_canonical),
		cmocka_unit_test(format_round_trips),
		cmocka_unit_test(clocks_move),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
