/* SPDX-License-Identifier: MIT */
/* customer_identifiers: every handle a customer is known by (phone, e-mail,
 * member card, policy no., licence plate ...), unique per kind. */
#include "domain/identifiers.h"
#include "schema/schema.h"

static const struct field fields[] = {
	{ .name = "customer_id", .type = FT_REF, .ref = "customers", .flags = F_REQUIRED | F_INDEXED },
	{ .name = "kind", .type = FT_ENUM, .values = identifier_kinds, .flags = F_REQUIRED },
	{ .name = "value", .type = FT_STRING, .flags = F_REQUIRED | F_SEARCHABLE | F_PERSONAL },
	/* the value normalised for matching, set by the hook */
	{ .name = "norm", .type = FT_STRING, .flags = F_INTERNAL },
};

/* (kind, norm) also serves lookups by kind alone */
static const struct index_def indexes[] = {
	{ .name = "customer_identifiers_kind_norm", .columns = "kind, norm", .unique = true, .live_only = true },
	{ .name = "customer_identifiers_norm", .columns = "norm" },
};

static const struct entity_hooks hooks = {
	.before_save = identifiers_before_save,
	.search_is_phone = identifiers_search_is_phone,
	.search_redundant = identifiers_search_redundant,
};

const struct entity_def customer_identifiers_entity = {
	.name = "customer_identifiers", .singular = "customer identifier", .label = "Identifiers",
	.fields = fields, .nfields = COUNT_OF(fields),
	.indexes = indexes, .nindexes = COUNT_OF(indexes), .hooks = &hooks,
	.parent_field = "customer_id",	/* visible with its customer */
};
