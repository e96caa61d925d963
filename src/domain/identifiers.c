/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <string.h>
#include "domain/identifiers.h"
#include "engine/validate.h"
#include "text/phone.h"
#include "util/buf.h"

const char *const identifier_kinds[] = {
	"phone", "email", "member_card", "policy_no", "plate", "national_id", "external_id", NULL
};

const char *
identifier_kind(const char *kind)
{
	for (size_t i = 0; kind && identifier_kinds[i]; i++)
		if (strcmp(identifier_kinds[i], kind) == 0)
			return identifier_kinds[i];
	return NULL;
}

char *
identifier_normalize(const char *kind, const char *value)
{
	struct buf b;

	buf_init(&b, strlen(value) + 1);
	if (strcmp(kind, "email") == 0) {
		for (const char *p = value; *p; p++)
			buf_addc(&b, (char)tolower((unsigned char)*p));
	} else if (strcmp(kind, "phone") == 0) {
		for (const char *p = value; *p; p++)
			if (isdigit((unsigned char)*p) || (*p == '+' && b.len == 0))
				buf_addc(&b, *p);
	} else {
		for (const char *p = value; *p; p++)
			if (!strchr(" -.\t", *p))
				buf_addc(&b, (char)toupper((unsigned char)*p));
	}
	return buf_detach(&b, NULL);
}

bool
identifiers_search_is_phone(const struct entity *en, const struct field *f, const json_t *rec)
{
	(void)en;
	const char *kind = json_string_value(json_object_get(rec, "kind"));

	return kind && strcmp(kind, "phone") == 0 && strcmp(f->name, "value") == 0;
}

bool
identifiers_search_redundant(struct store_conn *c, const struct entity *en, const json_t *rec)
{
	(void)en;
	const char *value = json_string_value(json_object_get(rec, "value"));
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	struct err e = { 0 };
	bool same = false;

	/* only an e-mail or phone can repeat one of those fields (a card
	 * number that did would merely be indexed twice) */
	if (!value || !kind || (strcmp(kind, "email") != 0 && strcmp(kind, "phone") != 0))
		return false;
	struct stmt *st = store_prepare(c, "SELECT 1 FROM customers WHERE id = ? AND "
				       "(email = ?2 OR phone = ?2 OR mobile = ?2)", &e);
	if (st) {
		stmt_bind_int(st, 1, json_integer_value(json_object_get(rec, "customer_id")));
		stmt_bind_str(st, 2, value);
		same = stmt_step(st, &e) == 1;
		stmt_finish(st);
	}
	err_clear(&e);
	return same;
}

enum err_code
identifier_find(struct store_conn *c, const char *kind, const char *norm, int64_t *id,
		int64_t *customer_id, struct err *e)
{
	struct stmt *st = store_prepare(c,
		"SELECT id, customer_id FROM customer_identifiers "
		"WHERE kind = ? AND norm = ? AND deleted_at IS NULL", e);

	*id = *customer_id = 0;
	if (!st)
		return e->code;
	stmt_bind_str(st, 1, kind);
	stmt_bind_str(st, 2, norm);
	int rc = stmt_step(st, e);
	if (rc == 1) {
		*id = stmt_int(st, 0);
		*customer_id = stmt_int(st, 1);
	}
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

enum err_code
identifiers_before_save(struct wtx *w, const struct entity *en, json_t *rec, const json_t *old,
			struct err *e)
{
	(void)en;
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	const char *value = json_string_value(json_object_get(rec, "value"));

	if (!kind || !value)
		return ERR_OK;	/* required fields: validation reported it */
	if (strcmp(kind, "email") == 0 && !validate_email(value))
		err_field(e, "value", "not an e-mail address");
	else if (strcmp(kind, "phone") == 0 && !validate_phone(value))
		err_field(e, "value", "not a phone number");
	if (e->fields)
		return err_set(e, ERR_INVALID, "the identifier is invalid");
	char *norm = identifier_normalize(kind, value);
	if (!*norm) {
		free(norm);
		err_field(e, "value", "has no letters or digits");
		return err_set(e, ERR_INVALID, "the identifier is invalid");
	}
	int64_t id, holder;
	enum err_code rc = identifier_find(w->c, kind, norm, &id, &holder, e);
	int64_t self = old ? json_integer_value(json_object_get(old, "id")) : 0;
	if (rc == ERR_OK && id && id != self) {
		err_field(e, "value", "already belongs to customer %lld", (long long)holder);
		rc = err_set(e, ERR_CONFLICT, "%s %s already belongs to customer %lld", kind, value,
			     (long long)holder);
	}
	if (rc == ERR_OK)
		json_object_set_new(rec, "norm", json_string(norm));
	free(norm);
	return rc;
}
