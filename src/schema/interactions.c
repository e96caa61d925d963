/* SPDX-License-Identifier: MIT */
/* interactions: every contact with a customer, on any channel. */
#include "domain/customers.h"
#include "schema/schema.h"

static const char *const directions[] = { "inbound", "outbound", NULL };

static const struct field fields[] = {
	{ .name = "customer_id", .type = FT_REF, .ref = "customers", .flags = F_REQUIRED | F_INDEXED },
	{ .name = "contact_id", .type = FT_REF, .ref = "contacts", .flags = F_INDEXED },
	{ .name = "channel", .type = FT_ENUM, .values = channel_values, .flags = F_REQUIRED | F_INDEXED },
	{ .name = "direction", .type = FT_ENUM, .values = directions, .flags = F_REQUIRED },
	{ .name = "subject", .type = FT_STRING, .max_len = 300, .flags = F_SEARCHABLE },
	{ .name = "body", .type = FT_TEXT },
	{ .name = "occurred_at", .type = FT_DATETIME, .flags = F_INDEXED | F_DEFAULT_NOW },
	{ .name = "outcome", .type = FT_STRING, .max_len = 200 },
	{ .name = "user_id", .type = FT_REF, .ref = "users", .flags = F_INDEXED | F_DEFAULT_ACTOR },
};

static const struct entity_hooks hooks = {
	.before_save = interactions_before_save,
};

/* a customer's timeline, newest first */
static const struct index_def indexes[] = {
	{ .name = "interactions_customer_time", .columns = "customer_id, occurred_at" },
};

static const struct timeline_def timeline = {
	.time_field = "occurred_at", .title_field = "subject", .kind_field = "channel",
};

const struct entity_def interactions_entity = {
	.name = "interactions", .singular = "interaction", .label = "Interactions",
	.fields = fields, .nfields = COUNT_OF(fields), .hooks = &hooks,
	.indexes = indexes, .nindexes = COUNT_OF(indexes),
	.parent_field = "customer_id",	/* visible with its customer */
	.timeline = &timeline,
};
