/* SPDX-License-Identifier: MIT */
/* engine/query filter_parse: "FIELD:OP:VALUE" against the registry, with
 * values normalised like the field's own values. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "engine/entity.h"
#include "engine/query.h"

#include "unit.h"

/* Parse spec on en; must succeed with op. Caller calls filter_release. */
static void
good(const struct entity *en, const char *spec, enum filter_op op, struct filter *f)
{
	struct err e = { 0 };

	if (filter_parse(en, spec, f, &e) != ERR_OK) {
		print_error("'%s' rejected: %s\n", spec, e.msg);
		err_clear(&e);
		fail();
	}
	assert_int_equal(e.code, ERR_OK);
	assert_int_equal(f->op, op);
	assert_non_null(f->field);
	assert_non_null(f->value);
}

/* Must fail with ERR_BADREQ, a message containing `needle` (if given),
 * and no value left to release. */
static void
bad(const struct entity *en, const char *spec, const char *needle)
{
	struct err e = { 0 };
	struct filter f;

	if (filter_parse(en, spec, &f, &e) == ERR_OK) {
		filter_release(&f);
		fail_msg("'%s' accepted", spec);
	}
	assert_int_equal(e.code, ERR_BADREQ);
	if (needle && !strstr(e.msg, needle)) {
		print_error("'%s': message '%s' lacks '%s'\n", spec, e.msg, needle);
		err_clear(&e);
		fail();
	}
	assert_null(f.value);
	err_clear(&e);
}

static void
string_ops(void **state)
{
	(void)state;
	static const struct {
		const char *spec;
		enum filter_op op;
	} cases[] = {
		{ "name:eq:张三", OP_EQ }, { "name:ne:张三", OP_NE }, { "name:lt:M", OP_LT },
		{ "name:le:M", OP_LE }, { "name:gt:M", OP_GT }, { "name:ge:M", OP_GE },
		{ "name:contains:张", OP_CONTAINS }, { "name:prefix:张", OP_PREFIX },
		{ "city:eq:台北", OP_EQ }, { "email:prefix:zhang@", OP_PREFIX },
		{ "phone:contains:138", OP_CONTAINS }, { "kind:eq:person", OP_EQ },
		{ "kind:prefix:per", OP_PREFIX }, { "notes:contains:回访", OP_CONTAINS },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct filter f;
		good(customers, cases[i].spec, cases[i].op, &f);
		assert_true(json_is_string(f.value));
		const char *want = strrchr(cases[i].spec, ':') + 1;
		assert_string_equal(json_string_value(f.value), want);
		filter_release(&f);
		assert_null(f.value);
	}
}

static void
field_is_resolved(void **state)
{
	(void)state;
	struct filter f;

	good(customers, "city:eq:Taipei", OP_EQ, &f);
	assert_ptr_equal(f.field, entity_field(customers, "city"));
	assert_string_equal(f.field->name, "city");
	filter_release(&f);
	/* system columns are filterable */
	good(customers, "id:eq:42", OP_EQ, &f);
	assert_string_equal(f.field->name, "id");
	assert_true(json_is_integer(f.value));
	assert_int_equal(json_integer_value(f.value), 42);
	filter_release(&f);
}

static void
integer_and_ref_ops(void **state)
{
	(void)state;
	const char *ops[] = { "eq", "ne", "lt", "le", "gt", "ge" };
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		char spec[64];
		struct filter f;
		snprintf(spec, sizeof(spec), "id:%s:-17", ops[i]);
		good(customers, spec, (enum filter_op)i, &f);
		assert_int_equal(json_integer_value(f.value), -17);
		filter_release(&f);
		snprintf(spec, sizeof(spec), "owner_id:%s:9", ops[i]);
		good(customers, spec, (enum filter_op)i, &f);
		assert_int_equal(json_integer_value(f.value), 9);
		filter_release(&f);
	}
	struct filter f;
	good(interactions, "customer_id:eq:9007199254740993", OP_EQ, &f);
	assert_int_equal(json_integer_value(f.value), 9007199254740993LL);
	filter_release(&f);
}

static void
date_and_datetime_values(void **state)
{
	(void)state;
	struct filter f;

	good(customers, "birth_date:ge:1990-01-01", OP_GE, &f);
	assert_string_equal(json_string_value(f.value), "1990-01-01");
	filter_release(&f);
	/* a filter may look ahead even on a not-future field */
	good(customers, "birth_date:lt:2999-01-01", OP_LT, &f);
	filter_release(&f);
	/* date-times come out in the stored form: UTC, milliseconds */
	good(customers, "created_at:ge:2026-01-01T00:30:00+08:00", OP_GE, &f);
	assert_string_equal(json_string_value(f.value), "2025-12-31T16:30:00.000Z");
	filter_release(&f);
	good(interactions, "occurred_at:lt:2026-11-22T10:00:00Z", OP_LT, &f);
	assert_string_equal(json_string_value(f.value), "2026-11-22T10:00:00.000Z");
	filter_release(&f);
}

static void
value_is_normalised(void **state)
{
	(void)state;
	struct filter f;

	good(customers, "name:eq:  张三  ", OP_EQ, &f);
	assert_string_equal(json_string_value(f.value), "张三");
	filter_release(&f);
	good(customers, "name:contains:  san ", OP_CONTAINS, &f);
	assert_string_equal(json_string_value(f.value), "san");
	filter_release(&f);
	/* colons after the operator belong to the value */
	good(customers, "notes:contains:a:b:c", OP_CONTAINS, &f);
	assert_string_equal(json_string_value(f.value), "a:b:c");
	filter_release(&f);
	/* a filter value may be longer than a stored value could be */
	char spec[700];
	strcpy(spec, "name:contains:");
	memset(spec + 14, 'x', 500);
	spec[514] = '\0';
	good(customers, spec, OP_CONTAINS, &f);
	assert_int_equal(json_string_length(f.value), 500);
	filter_release(&f);
}

static void
tags_contains_only(void **state)
{
	(void)state;
	struct filter f;

	good(customers, "tags:contains:vip", OP_CONTAINS, &f);
	assert_string_equal(json_string_value(f.value), "vip");
	filter_release(&f);
	bad(customers, "tags:eq:vip", "does not apply");
	bad(customers, "tags:ne:vip", "does not apply");
	bad(customers, "tags:lt:vip", "does not apply");
	bad(customers, "tags:ge:vip", "does not apply");
	bad(customers, "tags:in:a,b", "does not apply");
	bad(customers, "tags:prefix:v", "does not apply");
}

static void
op_not_applicable(void **state)
{
	(void)state;
	bad(customers, "id:prefix:1", "does not apply");
	bad(customers, "id:contains:1", "does not apply");
	bad(customers, "owner_id:prefix:1", "does not apply");
	bad(customers, "birth_date:prefix:1990", "does not apply");
	bad(customers, "created_at:contains:2026", "does not apply");
	bad(interactions, "customer_id:contains:3", "does not apply");
}

static void
unknown_field_and_op(void **state)
{
	(void)state;
	bad(customers, "nickname:eq:x", "nickname");
	bad(customers, "norm:eq:x", "has no field");		/* not a customers field */
	bad(customers, "Name:eq:x", "has no field");		/* case matters */
	bad(customers, ":eq:x", "has no field");
	bad(customers, "name:like:x", "unknown operator");
	bad(customers, "name:EQ:x", "unknown operator");
	bad(customers, "name::x", "unknown operator");
	bad(customers, "name:equalsequalsequals:x", "FIELD:OP:VALUE");	/* op too long */
	/* internal columns of other entities are not filterable either */
	const struct entity *ids = registry_find("customer_identifiers");
	bad(ids, "norm:eq:X", "has no field");
}

static void
malformed_spec(void **state)
{
	(void)state;
	bad(customers, "", "FIELD:OP:VALUE");
	bad(customers, "name", "FIELD:OP:VALUE");
	bad(customers, "name:eq", "FIELD:OP:VALUE");
	char spec[200];
	memset(spec, 'a', 100);
	strcpy(spec + 100, ":eq:x");
	bad(customers, spec, "FIELD:OP:VALUE");	/* field name too long */
}

static void
bad_values(void **state)
{
	(void)state;
	bad(customers, "id:eq:abc", "integer");
	bad(customers, "id:eq:", "integer");
	bad(customers, "id:eq:12x", "integer");
	bad(customers, "id:eq:1.5", "integer");
	bad(customers, "id:eq:99999999999999999999", "integer");
	bad(customers, "owner_id:eq:0", NULL);
	bad(customers, "owner_id:eq:-1", NULL);
	bad(customers, "birth_date:eq:2023-02-29", "date");
	bad(customers, "birth_date:eq:yesterday", "date");
	bad(customers, "birth_date:gt:2026-13-01", "date");
	bad(customers, "created_at:gt:2026-01-01", "date-time");
	bad(customers, "created_at:gt:now", NULL);
	bad(customers, "kind:eq:robot", "allowed values");
	bad(customers, "kind:eq:Person", "allowed values");
	bad(customers, "country:eq:XX", "allowed values");
	bad(customers, "name:contains:", "needs a value");
	bad(customers, "name:contains:   ", "needs a value");
	bad(customers, "name:prefix:", "needs a value");
	bad(customers, "name:eq:a\x01z", "control");
	bad(customers, "name:eq:\xC0\x80", NULL);		/* not UTF-8 */
	bad(customers, "name:contains:\xED\xA0\x80", NULL);
}

static void
in_lists(void **state)
{
	(void)state;
	struct filter f;

	good(customers, "kind:in:person,company", OP_IN, &f);
	assert_true(json_is_array(f.value));
	assert_int_equal(json_array_size(f.value), 2);
	assert_string_equal(json_string_value(json_array_get(f.value, 0)), "person");
	assert_string_equal(json_string_value(json_array_get(f.value, 1)), "company");
	filter_release(&f);

	good(customers, "id:in:1,2,3", OP_IN, &f);
	assert_int_equal(json_array_size(f.value), 3);
	assert_int_equal(json_integer_value(json_array_get(f.value, 2)), 3);
	filter_release(&f);

	good(customers, "city:in:北京", OP_IN, &f);
	assert_int_equal(json_array_size(f.value), 1);
	filter_release(&f);

	/* each element checked like a single value */
	bad(customers, "kind:in:person,robot", "allowed values");
	bad(customers, "id:in:1,x,3", "integer");
	bad(customers, "birth_date:in:2024-02-29,2023-02-29", "date");
	bad(customers, "kind:in:", "at least one");
	bad(customers, "kind:in:,,", "at least one");

	/* at most 100 values */
	char spec[1000];
	size_t n = (size_t)snprintf(spec, sizeof(spec), "id:in:");
	for (int i = 1; i <= 100; i++)
		n += (size_t)snprintf(spec + n, sizeof(spec) - n, "%s%d", i > 1 ? "," : "", i);
	good(customers, spec, OP_IN, &f);
	assert_int_equal(json_array_size(f.value), 100);
	filter_release(&f);
	snprintf(spec + n, sizeof(spec) - n, ",101");
	bad(customers, spec, "too many");
}

static void
null_op(void **state)
{
	(void)state;
	struct filter f;

	good(customers, "email:null:true", OP_NULL, &f);
	assert_true(json_is_true(f.value));
	filter_release(&f);
	good(customers, "email:null:false", OP_NULL, &f);
	assert_true(json_is_false(f.value));
	filter_release(&f);
	/* on any kind of field */
	good(customers, "tags:null:true", OP_NULL, &f);
	filter_release(&f);
	good(customers, "owner_id:null:false", OP_NULL, &f);
	filter_release(&f);
	good(customers, "birth_date:null:true", OP_NULL, &f);
	filter_release(&f);

	bad(customers, "email:null:", "true or false");
	bad(customers, "email:null:yes", "true or false");
	bad(customers, "email:null:TRUE", "true or false");
	bad(customers, "email:null:1", "true or false");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(string_ops),
		cmocka_unit_test(field_is_resolved),
		cmocka_unit_test(integer_and_ref_ops),
		cmocka_unit_test(date_and_datetime_values),
		cmocka_unit_test(value_is_normalised),
		cmocka_unit_test(tags_contains_only),
		cmocka_unit_test(op_not_applicable),
		cmocka_unit_test(unknown_field_and_op),
		cmocka_unit_test(malformed_spec),
		cmocka_unit_test(bad_values),
		cmocka_unit_test(in_lists),
		cmocka_unit_test(null_op),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
