/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/overview.h"
#include "engine/query.h"
#include "engine/record.h"
#include "util/jsonx.h"

/* Is en a record type kept under a customer? */
static bool
under_customer(const struct entity *en)
{
	const struct field *pf;

	if (!en->def->parent_field || !(pf = entity_field(en, en->def->parent_field)))
		return false;
	return pf->ref && strcmp(pf->ref, "customers") == 0;
}

/* A page of en's records under customer id, through the list engine (so
 * access, masking and validation are the lists' own). */
static enum err_code
records_under(struct store_conn *c, const struct entity *en, int64_t id, const char *sort,
	      int limit, const char *extra_filter, const struct access *acc, json_t **out,
	      struct err *e)
{
	char filter[96], lim[16];
	struct list_params p = { .sort = sort, .limit = lim };
	char *text;
	size_t len;

	snprintf(filter, sizeof(filter), "%s:eq:%lld", en->def->parent_field, (long long)id);
	snprintf(lim, sizeof(lim), "%d", limit);
	p.filters[p.nfilters++] = filter;
	if (extra_filter)
		p.filters[p.nfilters++] = extra_filter;
	*out = NULL;
	if (query_list(c, en, &p, acc, &text, &len, e) != ERR_OK)
		return e->code;
	json_t *page = json_loadb(text, len, 0, NULL);
	free(text);
	if (!page)
		return err_set(e, ERR_STORE, "the %s list could not be read", en->def->name);
	*out = json_incref(json_object_get(page, "data"));
	json_decref(page);
	return ERR_OK;
}

/* {entity, id, at, kind, title, record} for each timeline record. */
static void
add_timeline_items(const struct entity *en, json_t *records, json_t *timeline)
{
	const struct timeline_def *t = en->def->timeline;
	size_t i;
	json_t *r;

	json_array_foreach(records, i, r) {
		json_t *item = json_pack("{s:s,s:O,s:O,s:O,s:O}", "entity", en->def->name,
					 "id", json_object_get(r, "id"),
					 "at", json_object_get(r, t->time_field),
					 "title", json_object_get(r, t->title_field),
					 "record", r);
		json_object_set(item, "kind", t->kind_field ? json_object_get(r, t->kind_field) : json_null());
		json_array_append_new(timeline, item);
	}
}

static int
newest_first(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "at"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "at"));

	return strcmp(y ? y : "", x ? x : "");
}

/* First and last time, count, spend and counts per kind of en's records
 * under the customer, merged into figures. */
static enum err_code
add_figures(struct store_conn *c, const struct entity *en, int64_t id, const struct access *acc,
	    json_t *figures, struct err *e)
{
	const struct timeline_def *t = en->def->timeline;
	struct buf sql;

	buf_init(&sql, 8192);
	buf_printf(&sql, "SELECT min(%s), max(%s), count(*), %s%s%s, %s FROM %s WHERE %s = :id "
		   "AND deleted_at IS NULL", t->time_field, t->time_field,
		   t->amount_field ? "sum(" : "", t->amount_field ? t->amount_field : "NULL",
		   t->amount_field ? ")" : "", t->kind_field ? t->kind_field : "NULL",
		   en->def->name, en->def->parent_field);
	access_sql(&sql, en, acc, acc->read, SHARES_READ);
	buf_adds(&sql, " GROUP BY 5");
	struct stmt *st = store_prepare(c, sql.data, e);
	buf_release(&sql);
	if (!st)
		return e->code;
	stmt_bind_named_int(st, ":id", id);
	access_bind(st, acc);
	json_t *per_kind = json_object_get(figures, "per_kind");
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		const char *first = stmt_text(st, 0), *last = stmt_text(st, 1);
		const char *have_first = json_string_value(json_object_get(figures, "first_contact"));
		const char *have_last = json_string_value(json_object_get(figures, "last_contact"));
		if (first && (!have_first || strcmp(first, have_first) < 0))
			json_object_set_new(figures, "first_contact", json_string(first));
		if (last && (!have_last || strcmp(last, have_last) > 0))
			json_object_set_new(figures, "last_contact", json_string(last));
		json_int_t n = stmt_int(st, 2);
		json_object_set_new(figures, "timeline_items",
				    json_integer(json_integer_value(json_object_get(figures, "timeline_items")) + n));
		if (t->amount_field && !stmt_is_null(st, 3))
			json_object_set_new(figures, "lifetime_spend", json_real(
				json_number_value(json_object_get(figures, "lifetime_spend")) + stmt_double(st, 3)));
		if (t->kind_field && !stmt_is_null(st, 4)) {
			json_t *counts = json_object_get(per_kind, en->def->name);
			if (!counts)
				json_object_set_new(per_kind, en->def->name, counts = json_object());
			json_object_set_new(counts, stmt_text(st, 4), json_integer(n));
		}
	}
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

/* Open items of en under the customer: {entity, id, title, record}. */
static enum err_code
add_open_items(struct store_conn *c, const struct entity *en, int64_t id, const struct access *acc,
	       json_t *open, struct err *e)
{
	const struct timeline_def *t = en->def->timeline;
	json_t *records;
	size_t i;
	json_t *r;

	if (!t->open_filter)
		return ERR_OK;
	if (records_under(c, en, id, t->time_field, OVERVIEW_RELATED_MAX, t->open_filter, acc,
			  &records, e) != ERR_OK)
		return e->code;
	json_array_foreach(records, i, r)
		json_array_append_new(open, json_pack("{s:s,s:O,s:O,s:O}", "entity", en->def->name,
						      "id", json_object_get(r, "id"),
						      "title", json_object_get(r, t->title_field),
						      "record", r));
	json_decref(records);
	return ERR_OK;
}

/* Everything one related entity adds to the overview. */
static enum err_code
add_related(struct store_conn *c, const struct entity *en, int64_t id, const struct access *acc,
	    json_t *ov, json_t *timeline, struct err *e)
{
	const struct timeline_def *t = en->def->timeline;
	char sort[80];
	json_t *records;

	snprintf(sort, sizeof(sort), "-%s", t ? t->time_field : "id");
	if (records_under(c, en, id, t ? sort : "id", OVERVIEW_RELATED_MAX, NULL, acc, &records, e) != ERR_OK)
		return e->code;
	if (!t) {
		json_object_set_new(json_object_get(ov, "related"), en->def->name, records);
		return ERR_OK;
	}
	add_timeline_items(en, records, timeline);
	json_decref(records);
	if (add_figures(c, en, id, acc, json_object_get(ov, "key_figures"), e) != ERR_OK ||
	    add_open_items(c, en, id, acc, json_object_get(ov, "open_items"), e) != ERR_OK)
		return e->code;
	return ERR_OK;
}

enum err_code
overview_build(struct store_conn *c, int64_t id, int timeline_limit, overview_access_fn *access_of,
	       void *ctx, json_t **out, struct err *e)
{
	const struct entity *customers = registry_find("customers");
	struct access acc;
	json_t *profile, *timeline = json_array();

	*out = NULL;
	access_of(customers, &acc, ctx);
	if (record_get(c, customers, id, false, &acc, &profile, e) != ERR_OK) {
		json_decref(timeline);
		return e->code;
	}
	json_t *ov = json_pack("{s:o,s:{},s:[],s:{s:n,s:n,s:i,s:n,s:{}}}", "profile", profile,
			       "related", "open_items", "key_figures", "first_contact", "last_contact",
			       "timeline_items", 0, "lifetime_spend", "per_kind");
	for (size_t i = 0; i < registry_count(); i++) {
		const struct entity *en = registry_at(i);
		if (!under_customer(en))
			continue;
		access_of(en, &acc, ctx);
		if (acc.read == SCOPE_NONE)
			continue;
		if (add_related(c, en, id, &acc, ov, timeline, e) != ERR_OK) {
			json_decref(ov);
			json_decref(timeline);
			return e->code;
		}
	}
	json_object_set_new(ov, "timeline", jsonx_sorted(timeline, newest_first, (size_t)timeline_limit));
	json_decref(timeline);
	*out = ov;
	return ERR_OK;
}
