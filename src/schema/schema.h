/* SPDX-License-Identifier: MIT */
/* The declared entities, in the order they are created and listed. */
#ifndef GX_SCHEMA_H
#define GX_SCHEMA_H

#include <stddef.h>
#include "engine/entity.h"

extern const struct entity_def *const schema_entities[];
extern const size_t schema_entity_count;

extern const struct entity_def teams_entity;
extern const struct entity_def customers_entity;
extern const struct entity_def contacts_entity;
extern const struct entity_def customer_identifiers_entity;
extern const struct entity_def interactions_entity;
extern const struct entity_def consents_entity;

/* Shared value lists. */
extern const char *const channel_values[];
extern const char *const country_values[];

/* column_names.c: the field (or identifier kind) a column header names by
 * one of its other names ("電郵" -> "email"); header lower-cased; NULL if
 * none. */
const char *column_name_target(const char *header);

#endif
