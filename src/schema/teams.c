/* SPDX-License-Identifier: MIT */
/* teams: groups of users, nested as regions and territories (a team's
 * parent is the team above it). Records are owned by a user and a team;
 * a manager's scope is the team and every team below it. */
#include "domain/teams.h"
#include "schema/schema.h"

static const struct field fields[] = {
	{ .name = "name", .type = FT_STRING, .max_len = 100, .flags = F_REQUIRED | F_INDEXED | F_SEARCHABLE },
	{ .name = "parent_id", .type = FT_REF, .ref = "teams", .flags = F_INDEXED,
	  .label = "The team above" },
	{ .name = "description", .type = FT_TEXT, .max_len = 2000 },
};

static const struct index_def indexes[] = {
	{ .name = "teams_unique_name", .columns = "name", .unique = true, .live_only = true },
};

static const struct entity_hooks hooks = {
	.before_save = teams_before_save,
	.after_delete = teams_after_delete,
};

const struct entity_def teams_entity = {
	.name = "teams", .singular = "team", .label = "Teams",
	.fields = fields, .nfields = COUNT_OF(fields),
	.indexes = indexes, .nindexes = COUNT_OF(indexes), .hooks = &hooks,
};
