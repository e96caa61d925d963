/* SPDX-License-Identifier: MIT */
/* customers: one record per person or company (the 360° view's centre). */
#include "domain/customers.h"
#include "engine/validate.h"
#include "schema/schema.h"

static const char *const kinds[] = { "person", "company", NULL };
static const char *const genders[] = { "female", "male", "other", "unknown", NULL };
static const char *const relationship_types[] = {
	"basic", "passive", "responsible", "proactive", "partner", NULL
};
static const char *const classes[] = { "individual", "intermediary", "manufacturer", NULL };

static const struct field fields[] = {
	{ .name = "kind", .type = FT_ENUM, .values = kinds, .def = "\"person\"" },
	{ .name = "name", .type = FT_STRING,
	  .flags = F_REQUIRED | F_INDEXED | F_SEARCHABLE | F_IDENTIFYING | F_COLLATED },
	{ .name = "family_name", .type = FT_STRING, .max_len = 100, .flags = F_SEARCHABLE | F_IDENTIFYING },
	{ .name = "given_name", .type = FT_STRING, .max_len = 100, .flags = F_SEARCHABLE | F_IDENTIFYING },
	{ .name = "local_name", .type = FT_STRING, .flags = F_INDEXED | F_SEARCHABLE | F_IDENTIFYING,
	  .label = "Name in Chinese characters" },
	{ .name = "email", .type = FT_EMAIL, .flags = F_INDEXED | F_SEARCHABLE | F_PERSONAL },
	{ .name = "phone", .type = FT_PHONE, .flags = F_SEARCHABLE | F_PERSONAL },
	{ .name = "mobile", .type = FT_PHONE, .flags = F_SEARCHABLE | F_PERSONAL },
	{ .name = "address", .type = FT_STRING, .max_len = 500, .flags = F_PERSONAL },
	{ .name = "city", .type = FT_STRING, .max_len = 100, .flags = F_INDEXED | F_BY_OWNER },
	{ .name = "region", .type = FT_STRING, .max_len = 100, .flags = F_INDEXED | F_BY_OWNER },
	{ .name = "country", .type = FT_ENUM, .values = country_values, .flags = F_INDEXED | F_BY_OWNER,
	  .label = "Country (ISO 3166-1 alpha-2)" },
	{ .name = "birth_date", .type = FT_DATE, .flags = F_PERSONAL | F_NOT_FUTURE },
	{ .name = "gender", .type = FT_ENUM, .values = genders },
	{ .name = "language", .type = FT_STRING, .max_len = 35, .format = &format_language,
	  .label = "Preferred language (BCP 47)" },
	{ .name = "preferred_channel", .type = FT_ENUM, .values = channel_values },
	{ .name = "relationship_type", .type = FT_ENUM, .values = relationship_types, .flags = F_INDEXED | F_BY_OWNER },
	{ .name = "customer_class", .type = FT_ENUM, .values = classes },
	{ .name = "source", .type = FT_STRING, .max_len = 100, .flags = F_INDEXED | F_BY_OWNER },
	{ .name = "owner_id", .type = FT_REF, .ref = "users", .flags = F_INDEXED | F_DEFAULT_ACTOR },
	/* defaults to the owner's team, and follows the owner when it changes */
	{ .name = "team_id", .type = FT_REF, .ref = "teams", .flags = F_INDEXED },
	{ .name = "tags", .type = FT_TAGS },
	{ .name = "notes", .type = FT_TEXT, .flags = F_IDENTIFYING },
	/* exempts the customer from retention policies (domain/retention.c) */
	{ .name = "legal_hold", .type = FT_BOOLEAN, .def = "false", .label = "Legal hold" },
};

static const struct entity_hooks hooks = {
	.before_save = customers_before_save,
	.after_save = customers_after_save,
	.after_delete = customers_after_delete,
	.after_restore = customers_after_restore,
};

const struct entity_def customers_entity = {
	.name = "customers", .singular = "customer", .label = "Customers",
	.fields = fields, .nfields = COUNT_OF(fields), .hooks = &hooks,
	.owner_field = "owner_id", .team_field = "team_id",
};
