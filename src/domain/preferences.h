/* SPDX-License-Identifier: MIT */
/* Each user's preferences, kept on the server so they follow the user to
 * any browser: the UI language, the time zone dates are shown in, the
 * theme, and the columns chosen per list. One JSON object per user in the
 * table user_preferences (migration 10):
 *
 *   {"locale": "zh-Hant"|"zh-Hans"|"en"|null, "time_zone": "Asia/Taipei"|null,
 *    "theme": "light"|"dark"|"system"|null, "columns": {"customers": ["name", …]}}
 *
 * null = not chosen (the UI uses the browser's). */
#ifndef GX_PREFERENCES_H
#define GX_PREFERENCES_H

#include <jansson.h>
#include "engine/entity.h"

#define PREF_MAX_COLUMNS 60	/* columns of one list */

/* A change (a PATCH body: the keys given replace the stored ones, null
 * clears one; "columns" is merged per entity, null clearing an entity's)
 * applied to old, the stored preferences, checked: the whole result in
 * *out (new reference). ERR_INVALID with field errors in e. */
enum err_code preferences_apply(const json_t *patch, const json_t *old, json_t **out,
				struct err *e);

/* The user's preferences (every key present; nulls and {} when none
 * were saved); *out is a new reference. */
enum err_code preferences_get(struct store_conn *c, int64_t user_id, json_t **out, struct err *e);

/* Inside a write job: store checked preferences. */
enum err_code preferences_save(struct store_conn *c, int64_t user_id, const json_t *prefs,
			       const char *now, struct err *e);

/* Are cols (a JSON array) distinct field names, at most PREF_MAX_COLUMNS,
 * that en's list accepts? If not, why (n bytes) says what is wrong. Saved
 * views choose their columns by the same rule. */
bool preferences_columns_ok(const struct entity *en, const json_t *cols, char *why, size_t n);

#endif
