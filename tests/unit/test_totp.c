/* SPDX-License-Identifier: MIT */
/* auth/totp: RFC 6238 appendix B test vectors (SHA-1, 8 digits), replay
 * and drift rules, base32. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "auth/auth.h"

static const unsigned char key[] = "12345678901234567890";	/* RFC 6238 B */

static void
rfc6238_vectors(void **state)
{
	static const struct { int64_t t; int64_t code; } v[] = {
		{ 59, 94287082 }, { 1111111109, 7081804 }, { 1111111111, 14050471 },
		{ 1234567890, 89005924 }, { 2000000000, 69279037 }, { 20000000000, 65353130 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_int_equal(totp_code(key, 20, v[i].t / 30, 8), v[i].code);
}

static void
check_accepts_drift_refuses_replay(void **state)
{
	char code[8];
	int64_t last = 0, now = 1234567890;
	(void)state;
	snprintf(code, sizeof(code), "%06lld", (long long)totp_code(key, 20, now / 30, 6));
	assert_true(totp_check(key, 20, code, now, &last));
	assert_false(totp_check(key, 20, code, now, &last));	/* replay */
	snprintf(code, sizeof(code), "%06lld", (long long)totp_code(key, 20, now / 30 + 1, 6));
	assert_true(totp_check(key, 20, code, now, &last));	/* next step: drift */
	snprintf(code, sizeof(code), "%06lld", (long long)totp_code(key, 20, now / 30 + 3, 6));
	assert_false(totp_check(key, 20, code, now, &last));	/* too far */
	assert_false(totp_check(key, 20, "12345", now, &last));
	assert_false(totp_check(key, 20, "12a456", now, &last));
	assert_false(totp_check(key, 20, NULL, now, &last));
}

static void
base32_rfc4648(void **state)
{
	char out[64];
	(void)state;
	totp_base32((const unsigned char *)"foobar", 6, out, sizeof(out));
	assert_string_equal(out, "MZXW6YTBOI");
	totp_base32(key, 20, out, sizeof(out));
	assert_string_equal(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc6238_vectors),
		cmocka_unit_test(check_accepts_drift_refuses_replay),
		cmocka_unit_test(base32_rfc4648),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
