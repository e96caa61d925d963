/* SPDX-License-Identifier: MIT */
/* consents: what a customer agreed to, per purpose, where and when it was
 * given and who recorded it. The latest record for a purpose is the one in
 * force; older ones stay as the trail. */
#include "schema/schema.h"

static const char *const purposes[] = {
	"marketing_email", "marketing_sms", "marketing_phone", "profiling", "third_party", NULL
};

static const struct field fields[] = {
	{ .name = "customer_id", .type = FT_REF, .ref = "customers", .flags = F_REQUIRED | F_INDEXED },
	{ .name = "purpose", .type = FT_ENUM, .values = purposes, .flags = F_REQUIRED | F_INDEXED },
	{ .name = "granted", .type = FT_BOOLEAN, .flags = F_REQUIRED, .label = "Given (true) or withdrawn (false)" },
	{ .name = "source", .type = FT_STRING, .max_len = 200, .flags = F_REQUIRED,
	  .label = "Where it was given: web form, call, store ..." },
	{ .name = "recorded_at", .type = FT_DATETIME, .flags = F_INDEXED | F_DEFAULT_NOW },
	{ .name = "recorded_by", .type = FT_REF, .ref = "users", .flags = F_DEFAULT_ACTOR },
	{ .name = "note", .type = FT_TEXT, .max_len = 2000 },
};

const struct entity_def consents_entity = {
	.name = "consents", .singular = "consent", .label = "Consents",
	.fields = fields, .nfields = COUNT_OF(fields),
	.parent_field = "customer_id",	/* visible with its customer */
};
