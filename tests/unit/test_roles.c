/* SPDX-License-Identifier: MIT */
/* auth: the role table (role_allows, role_valid) and the password policy
 * (length in characters, not bytes). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "auth/auth.h"
#include "util/err.h"

static const char *const entities[] = {
	"customers", "contacts", "customer_identifiers", "interactions", "meta", "users",
};
#define NENT (sizeof(entities) / sizeof(entities[0]))

static const enum action writes[] = { ACT_CREATE, ACT_UPDATE, ACT_DELETE };

static void
admin_everything(void **state)
{
	(void)state;
	for (size_t i = 0; i < NENT; i++)
		for (int a = ACT_READ; a <= ACT_ADMIN; a++)
			if (!role_allows("admin", entities[i], (enum action)a))
				fail_msg("admin may not %d on %s", a, entities[i]);
	assert_true(role_allows("admin", "meta", ACT_ADMIN));
	assert_true(role_allows("admin", "anything_new", ACT_DELETE));
}

static void
only_admin_administers(void **state)
{
	(void)state;
	const char *others[] = { "manager", "sales", "service", "marketing", "readonly" };
	for (size_t r = 0; r < sizeof(others) / sizeof(others[0]); r++)
		for (size_t i = 0; i < NENT; i++)
			if (role_allows(others[r], entities[i], ACT_ADMIN))
				fail_msg("%s may administer %s", others[r], entities[i]);
}

static void
staff_roles_read_write(void **state)
{
	(void)state;
	const char *staff[] = { "manager", "sales", "service" };
	for (size_t r = 0; r < 3; r++)
		for (size_t i = 0; i < NENT; i++)
			for (int a = ACT_READ; a <= ACT_DELETE; a++)
				if (!role_allows(staff[r], entities[i], (enum action)a))
					fail_msg("%s may not %d on %s", staff[r], a, entities[i]);
}

static void
readonly_reads_only(void **state)
{
	(void)state;
	for (size_t i = 0; i < NENT; i++) {
		assert_true(role_allows("readonly", entities[i], ACT_READ));
		for (size_t a = 0; a < 3; a++)
			if (role_allows("readonly", entities[i], writes[a]))
				fail_msg("readonly may %d on %s", writes[a], entities[i]);
	}
}

static void
marketing(void **state)
{
	(void)state;
	/* customers: read and update, not create or delete */
	assert_true(role_allows("marketing", "customers", ACT_READ));
	assert_true(role_allows("marketing", "customers", ACT_UPDATE));
	assert_false(role_allows("marketing", "customers", ACT_CREATE));
	assert_false(role_allows("marketing", "customers", ACT_DELETE));
	/* interactions: read and create (log a campaign touch), no edits */
	assert_true(role_allows("marketing", "interactions", ACT_READ));
	assert_true(role_allows("marketing", "interactions", ACT_CREATE));
	assert_false(role_allows("marketing", "interactions", ACT_UPDATE));
	assert_false(role_allows("marketing", "interactions", ACT_DELETE));
	/* everything else: read only */
	const char *rest[] = { "contacts", "customer_identifiers", "meta" };
	for (size_t i = 0; i < 3; i++) {
		assert_true(role_allows("marketing", rest[i], ACT_READ));
		for (size_t a = 0; a < 3; a++)
			if (role_allows("marketing", rest[i], writes[a]))
				fail_msg("marketing may %d on %s", writes[a], rest[i]);
	}
}

static void
unknown_role_nothing(void **state)
{
	(void)state;
	const char *nobody[] = { "", "root", "Admin", "ADMIN", "admin ", "readonly2" };
	for (size_t r = 0; r < sizeof(nobody) / sizeof(nobody[0]); r++) {
		assert_false(role_valid(nobody[r]));
		for (int a = ACT_READ; a <= ACT_ADMIN; a++)
			if (role_allows(nobody[r], "customers", (enum action)a))
				fail_msg("role '%s' may %d", nobody[r], a);
	}
}

static void
valid_roles(void **state)
{
	(void)state;
	const char *all[] = { "admin", "manager", "sales", "service", "marketing", "readonly" };
	for (size_t r = 0; r < 6; r++) {
		assert_true(role_valid(all[r]));
		assert_non_null(strstr(role_names(), all[r]));
	}
}

/* ---- password policy ---- */

static enum err_code
policy_for(const char *pw, const char *user)
{
	struct err e = { 0 };
	enum err_code rc = password_check_policy(pw, user, &e);

	assert_int_equal(rc, e.code);
	if (rc != ERR_OK)
		assert_true(strlen(e.msg) > 0);
	err_clear(&e);
	return rc;
}

static enum err_code
policy(const char *pw)
{
	return policy_for(pw, "someone");
}

static void
password_length_in_characters(void **state)
{
	(void)state;
	assert_int_equal(policy(""), ERR_INVALID);
	assert_int_equal(policy("1234567"), ERR_INVALID);	/* 7 characters */
	assert_int_equal(policy("1234567x"), ERR_OK);		/* 8 */
	/* 7 Chinese characters are 21 bytes but still 7 characters */
	assert_int_equal(policy("密码太短了吧"), ERR_INVALID);	/* 6 */
	assert_int_equal(policy("这个密码太短了"), ERR_INVALID);	/* 7 */
	assert_int_equal(policy("这个密码够长了吧"), ERR_OK);	/* 8 */
	assert_int_equal(policy("😀😀😀😀😀😀😀"), ERR_INVALID);	/* 7, 28 bytes */
	assert_int_equal(policy("😀😃😀😃😀😃😀😃"), ERR_OK);	/* 8, not one repeated */
	assert_int_equal(policy("pass 密码 😀!"), ERR_OK);		/* 10 mixed */
}

static void
password_bytes_and_utf8(void **state)
{
	(void)state;
	char *pw = malloc(PASSWORD_MAX + 2);

	memset(pw, 'p', PASSWORD_MAX);
	pw[0] = 'q';	/* not one character repeated */
	pw[PASSWORD_MAX] = '\0';
	assert_int_equal(policy(pw), ERR_OK);
	pw[PASSWORD_MAX] = 'p';
	pw[PASSWORD_MAX + 1] = '\0';
	assert_int_equal(policy(pw), ERR_INVALID);
	free(pw);
	/* not UTF-8 */
	assert_int_equal(policy("abcdefgh\xC0\x80"), ERR_INVALID);
	assert_int_equal(policy("abcdefgh\xED\xA0\x80"), ERR_INVALID);
	assert_int_equal(policy("\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF"), ERR_INVALID);
}

static void
password_not_common_repeated_or_the_name(void **state)
{
	(void)state;
	assert_int_equal(policy("12345678"), ERR_INVALID);	/* most used */
	assert_int_equal(policy("PassWord123"), ERR_INVALID);	/* whatever the case */
	assert_int_equal(policy("woaini1314"), ERR_INVALID);
	assert_int_equal(policy("aaaaaaaaaaaa"), ERR_INVALID);	/* one character */
	assert_int_equal(policy("密密密密密密密密"), ERR_INVALID);
	assert_int_equal(policy_for("alice-the-user", "Alice-The-User"), ERR_INVALID);
	assert_int_equal(policy_for("alice-the-user", "bob"), ERR_OK);
	assert_int_equal(policy_for("a-good-passphrase", NULL), ERR_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(admin_everything),
		cmocka_unit_test(only_admin_administers),
		cmocka_unit_test(staff_roles_read_write),
		cmocka_unit_test(readonly_reads_only),
		cmocka_unit_test(marketing),
		cmocka_unit_test(unknown_role_nothing),
		cmocka_unit_test(valid_roles),
		cmocka_unit_test(password_length_in_characters),
		cmocka_unit_test(password_bytes_and_utf8),
		cmocka_unit_test(password_not_common_repeated_or_the_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
