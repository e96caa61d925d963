/* SPDX-License-Identifier: MIT */
/* Customers: their contact fields double as identifiers, so that a phone
 * number or e-mail finds exactly one customer. The identifier rows are
 * written through the engine, so they have history like any record. */
#include <string.h>
#include "domain/customers.h"
#include "domain/identifiers.h"
#include "engine/record.h"
#include "schema/schema.h"
#include "util/mem.h"

static const struct {
	const char *field, *kind;
} contact_identifiers[] = {
	{ "email", "email" }, { "phone", "phone" }, { "mobile", "phone" },
};

static const char *
str_field(const json_t *rec, const char *name)
{
	return rec ? json_string_value(json_object_get(rec, name)) : NULL;
}

/* Does another contact field of rec (one of the first `upto`) hold the
 * same identifier? */
static bool
still_held(const json_t *rec, size_t skip, size_t upto, const char *kind, const char *norm)
{
	bool held = false;

	for (size_t i = 0; i < upto && !held; i++) {
		const char *v = str_field(rec, contact_identifiers[i].field);
		if (i == skip || !v || strcmp(contact_identifiers[i].kind, kind))
			continue;
		char *n = identifier_normalize(kind, v);
		held = strcmp(n, norm) == 0;
		free(n);
	}
	return held;
}

enum err_code
customers_before_save(struct wtx *w, const struct entity *en, json_t *rec, const json_t *old,
		      struct err *e)
{
	(void)en;
	json_t *owner = json_object_get(rec, "owner_id"), *team = json_object_get(rec, "team_id");
	bool owner_changed = !old || !json_equal(owner, json_object_get(old, "owner_id"));
	bool team_changed = old && !json_equal(team, json_object_get(old, "team_id"));

	if (!owner_changed || team_changed || (!old && team && !json_is_null(team)))
		return ERR_OK;
	int64_t team_id = 0;
	if (json_is_integer(owner)) {
		struct stmt *st = store_prepare(w->c, "SELECT team_id FROM users WHERE id = ?", e);
		if (!st)
			return e->code;
		stmt_bind_int(st, 1, json_integer_value(owner));
		if (stmt_step(st, e) == 1 && !stmt_is_null(st, 0))
			team_id = stmt_int(st, 0);
		stmt_finish(st);
	}
	json_object_set_new(rec, "team_id", team_id ? json_integer(team_id) : json_null());
	return ERR_OK;
}

/* Make value an identifier of customer, unless the customer holds it
 * already; a new customer (fresh) holds none, so there is nothing to look
 * up: the identifiers' hook refuses a value another customer holds. */
static enum err_code
add_identifier(struct wtx *w, int64_t customer, bool fresh, const char *field, const char *kind,
	       const char *value, struct err *e)
{
	const struct entity *ids = registry_find(customer_identifiers_entity.name);
	enum err_code rc;

	if (!fresh) {
		char *norm = identifier_normalize(kind, value);
		int64_t id, holder;
		rc = identifier_find(w->c, kind, norm, &id, &holder, e);
		free(norm);
		if (rc != ERR_OK || (id && holder == customer))
			return rc;
	}
	json_t *body = json_pack("{s:I,s:s,s:s}", "customer_id", (json_int_t)customer,
				 "kind", kind, "value", value), *out = NULL;
	rc = record_insert(w, ids, body, &out, e);
	json_decref(body);
	json_decref(out);
	if (rc == ERR_CONFLICT && e->fields) {
		/* "already belongs to customer N", against the customer's field */
		json_t *why = json_incref(json_object_get(e->fields, "value"));
		json_object_clear(e->fields);
		if (why)
			json_object_set_new(e->fields, field, why);
		return rc;
	}
	if (rc == ERR_INVALID && e->fields) {
		/* report it against the customer's field, not the identifier's */
		err_clear(e);
		err_field(e, field, "is not a valid %s identifier", kind);
		return err_set(e, ERR_INVALID, "1 field is invalid");
	}
	return rc;
}

static enum err_code
drop_identifier(struct wtx *w, int64_t customer, const char *kind, const char *value,
		struct err *e)
{
	const struct entity *ids = registry_find(customer_identifiers_entity.name);
	char *norm = identifier_normalize(kind, value);
	int64_t id, holder;
	enum err_code rc = identifier_find(w->c, kind, norm, &id, &holder, e);

	free(norm);
	if (rc == ERR_OK && id && holder == customer)
		rc = record_delete(w, ids, id, NO_VERSION, e);
	return rc;
}

enum err_code
customers_after_save(struct wtx *w, const struct entity *en, const json_t *rec,
		     const json_t *old, struct err *e)
{
	(void)en;
	int64_t id = json_integer_value(json_object_get(rec, "id"));

	for (size_t i = 0; i < COUNT_OF(contact_identifiers); i++) {
		const char *field = contact_identifiers[i].field, *kind = contact_identifiers[i].kind;
		const char *now = str_field(rec, field), *was = str_field(old, field);
		enum err_code rc = ERR_OK;
		if ((now && was && strcmp(now, was) == 0) || (!now && !was))
			continue;
		if (was) {
			char *norm = identifier_normalize(kind, was);
			if (!still_held(rec, COUNT_OF(contact_identifiers), COUNT_OF(contact_identifiers),
					kind, norm))
				rc = drop_identifier(w, id, kind, was, e);
			free(norm);
		}
		if (rc == ERR_OK && now && !old) {
			/* new: the same number as phone and mobile is one identifier */
			char *norm = identifier_normalize(kind, now);
			bool twice = still_held(rec, i, i, kind, norm);
			free(norm);
			if (twice)
				continue;
		}
		if (rc == ERR_OK && now)
			rc = add_identifier(w, id, !old, field, kind, now, e);
		if (rc != ERR_OK)
			return rc;
	}
	return ERR_OK;
}

/* Ids of the customer's identifiers deleted at `deleted` (NULL = live). */
static json_t *
identifier_ids(struct wtx *w, int64_t customer, const char *deleted, struct err *e)
{
	struct stmt *st = store_prepare(w->c, deleted ?
		"SELECT id FROM customer_identifiers WHERE customer_id = ? AND deleted_at = ?" :
		"SELECT id FROM customer_identifiers WHERE customer_id = ? AND deleted_at IS NULL", e);
	if (!st)
		return NULL;
	stmt_bind_int(st, 1, customer);
	if (deleted)
		stmt_bind_str(st, 2, deleted);
	json_t *ids = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(ids, json_integer(stmt_int(st, 0)));
	stmt_finish(st);
	if (rc < 0) {
		json_decref(ids);
		return NULL;
	}
	return ids;
}

enum err_code
customers_after_delete(struct wtx *w, const struct entity *en, const json_t *old, struct err *e)
{
	(void)en;
	const struct entity *idents = registry_find(customer_identifiers_entity.name);
	json_t *ids = identifier_ids(w, json_integer_value(json_object_get(old, "id")), NULL, e);
	size_t i;
	json_t *v;
	enum err_code rc = ERR_OK;

	if (!ids)
		return e->code;
	json_array_foreach(ids, i, v)
		if (rc == ERR_OK)
			rc = record_delete(w, idents, json_integer_value(v), NO_VERSION, e);
	json_decref(ids);
	return rc;
}

enum err_code
customers_after_restore(struct wtx *w, const struct entity *en, const json_t *rec,
			const char *deleted_at, struct err *e)
{
	(void)en;
	const struct entity *idents = registry_find(customer_identifiers_entity.name);
	json_t *ids = identifier_ids(w, json_integer_value(json_object_get(rec, "id")), deleted_at, e);
	size_t i;
	json_t *v;
	enum err_code rc = ERR_OK;

	if (!ids)
		return e->code;
	json_array_foreach(ids, i, v) {
		json_t *out = NULL;
		if (rc == ERR_OK)
			rc = record_restore(w, idents, json_integer_value(v), &out, e);
		json_decref(out);
	}
	json_decref(ids);
	return rc;
}

/* The text of column `col` of `table` row id (live), or NULL; you own it. */
static char *
lookup_text(struct wtx *w, const char *sql, int64_t id, struct err *e)
{
	struct stmt *st = store_prepare(w->c, sql, e);
	char *out = NULL;

	if (!st)
		return NULL;
	stmt_bind_int(st, 1, id);
	if (stmt_step(st, e) == 1)
		out = xstrdup(stmt_text(st, 0));
	stmt_finish(st);
	return out;
}

enum err_code
contacts_before_save(struct wtx *w, const struct entity *en, json_t *rec, const json_t *old,
		     struct err *e)
{
	(void)en;
	json_t *cid = json_object_get(rec, "customer_id");

	if (!json_is_integer(cid) ||
	    (old && json_equal(cid, json_object_get(old, "customer_id"))))
		return ERR_OK;
	char *kind = lookup_text(w, "SELECT kind FROM customers WHERE id = ? AND deleted_at IS NULL",
				 json_integer_value(cid), e);
	if (kind && strcmp(kind, "company") != 0) {
		err_field(e, "customer_id", "must be a company customer (customer %lld is a %s)",
			  (long long)json_integer_value(cid), kind);
		free(kind);
		return err_set(e, ERR_INVALID, "1 field is invalid");
	}
	free(kind);
	return ERR_OK;
}

enum err_code
interactions_before_save(struct wtx *w, const struct entity *en, json_t *rec, const json_t *old,
			 struct err *e)
{
	(void)en;
	(void)old;
	json_t *contact = json_object_get(rec, "contact_id");
	json_t *cid = json_object_get(rec, "customer_id");

	if (!json_is_integer(contact) || !json_is_integer(cid))
		return ERR_OK;
	char *owner = lookup_text(w, "SELECT customer_id FROM contacts WHERE id = ? AND deleted_at IS NULL",
				  json_integer_value(contact), e);
	if (owner && strtoll(owner, NULL, 10) != json_integer_value(cid)) {
		err_field(e, "contact_id", "is a contact of customer %s, not of customer %lld",
			  owner, (long long)json_integer_value(cid));
		free(owner);
		return err_set(e, ERR_INVALID, "1 field is invalid");
	}
	free(owner);
	return ERR_OK;
}
