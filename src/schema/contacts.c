/* SPDX-License-Identifier: MIT */
/* contacts: the people at a company customer. */
#include "domain/customers.h"
#include "engine/validate.h"
#include "schema/schema.h"

static const struct field fields[] = {
	{ .name = "customer_id", .type = FT_REF, .ref = "customers", .flags = F_REQUIRED | F_INDEXED },
	{ .name = "name", .type = FT_STRING,
	  .flags = F_REQUIRED | F_INDEXED | F_SEARCHABLE | F_IDENTIFYING | F_COLLATED },
	{ .name = "family_name", .type = FT_STRING, .max_len = 100, .flags = F_SEARCHABLE | F_IDENTIFYING },
	{ .name = "given_name", .type = FT_STRING, .max_len = 100, .flags = F_SEARCHABLE | F_IDENTIFYING },
	{ .name = "local_name", .type = FT_STRING, .flags = F_SEARCHABLE | F_IDENTIFYING,
	  .label = "Name in Chinese characters" },
	{ .name = "role", .type = FT_STRING, .max_len = 100, .label = "Role at the company" },
	{ .name = "email", .type = FT_EMAIL, .flags = F_INDEXED | F_SEARCHABLE | F_PERSONAL },
	{ .name = "phone", .type = FT_PHONE, .flags = F_SEARCHABLE | F_PERSONAL },
	{ .name = "mobile", .type = FT_PHONE, .flags = F_SEARCHABLE | F_PERSONAL },
	{ .name = "address", .type = FT_STRING, .max_len = 500, .flags = F_PERSONAL },
	{ .name = "city", .type = FT_STRING, .max_len = 100 },
	{ .name = "region", .type = FT_STRING, .max_len = 100 },
	{ .name = "country", .type = FT_ENUM, .values = country_values },
	{ .name = "language", .type = FT_STRING, .max_len = 35, .format = &format_language,
	  .label = "Preferred language (BCP 47)" },
	{ .name = "preferred_channel", .type = FT_ENUM, .values = channel_values },
	{ .name = "notes", .type = FT_TEXT, .flags = F_IDENTIFYING },
};

static const struct entity_hooks hooks = {
	.before_save = contacts_before_save,
};

const struct entity_def contacts_entity = {
	.name = "contacts", .singular = "contact", .label = "Contacts",
	.fields = fields, .nfields = COUNT_OF(fields), .hooks = &hooks,
	.parent_field = "customer_id",	/* visible with its customer */
};
