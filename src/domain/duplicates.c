/* SPDX-License-Identifier: MIT */
/* Candidates come from the search index (engine/search.h), by phone
 * digits, e-mail and name; each is then checked value by value. */
#include <string.h>
#include "domain/duplicates.h"
#include "engine/record.h"
#include "engine/search.h"
#include "text/phone.h"
#include "text/search.h"
#include "util/jsonx.h"
#include "util/mem.h"

#define SCORE_PHONE 50
#define SCORE_EMAIL 50
#define SCORE_NAME 35
#define SCORE_CITY 15
#define MIN_NATIONAL_DIGITS 7

/* What a customer is known by, in comparable forms. */
struct signals {
	json_t *phones;		/* international digits */
	json_t *emails;		/* lower case */
	char *name;		/* search form, spaces removed */
	char *pinyin;		/* pinyin of a Han name, run together */
	char *city;		/* search form */
};

static const char *
str(const json_t *rec, const char *name)
{
	const char *s = json_string_value(json_object_get(rec, name));

	return s && *s ? s : NULL;
}

/* s in search form without spaces, or NULL. */
static char *
compact(const char *s)
{
	if (!s)
		return NULL;
	char *f = text_search_fold(s, strlen(s), NULL), *o = f;
	if (!f)
		return NULL;
	for (const char *p = f; *p; p++)
		if (*p != ' ' && *p != '-' && *p != '.' && *p != ',')
			*o++ = *p;
	*o = '\0';
	if (!*f) {
		free(f);
		return NULL;
	}
	return f;
}

static void
add_phone(json_t *phones, const char *v, const char *country)
{
	char *d = v ? phone_international(v, country) : NULL;

	if (d && strlen(phone_national(d)) >= MIN_NATIONAL_DIGITS)
		json_array_append_new(phones, json_string(d));
	free(d);
}

static void
add_email(json_t *emails, const char *v)
{
	char *f = v ? text_search_fold(v, strlen(v), NULL) : NULL;

	if (f)
		json_array_append_new(emails, json_string(f));
	free(f);
}

/* The customer's identifiers (if it is saved) join its signals. */
static enum err_code
identifier_signals(struct store_conn *c, int64_t id, const char *country, struct signals *s,
		   struct err *e)
{
	struct stmt *st = store_prepare(c, "SELECT kind, value FROM customer_identifiers "
				       "WHERE customer_id = ? AND deleted_at IS NULL", e);
	int rc;

	if (!st)
		return e->code;
	stmt_bind_int(st, 1, id);
	while ((rc = stmt_step(st, e)) == 1) {
		if (strcmp(stmt_text(st, 0), "phone") == 0)
			add_phone(s->phones, stmt_text(st, 1), country);
		else if (strcmp(stmt_text(st, 0), "email") == 0)
			add_email(s->emails, stmt_text(st, 1));
	}
	stmt_finish(st);
	return rc < 0 ? e->code : ERR_OK;
}

static void
signals_of(const json_t *rec, struct signals *s)
{
	const char *country = str(rec, "country"), *name = str(rec, "name");

	s->phones = json_array();
	s->emails = json_array();
	add_phone(s->phones, str(rec, "phone"), country);
	add_phone(s->phones, str(rec, "mobile"), country);
	add_email(s->emails, str(rec, "email"));
	s->name = compact(name);
	s->city = compact(str(rec, "city"));
	char *p = name ? text_pinyin(name, strlen(name)) : NULL;
	if (p) {
		p[strcspn(p, " ")] = '\0';	/* the syllables, not the initials */
		s->pinyin = p;
	}
}

static void
signals_release(struct signals *s)
{
	json_decref(s->phones);
	json_decref(s->emails);
	free(s->name);
	free(s->pinyin);
	free(s->city);
}

static bool
share_any(const json_t *a, const json_t *b)
{
	size_t i, k;
	json_t *x, *y;

	json_array_foreach(a, i, x)
		json_array_foreach(b, k, y)
			if (json_equal(x, y))
				return true;
	return false;
}

static bool
same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* The names match: the same in search form, or one's pinyin is the
 * other (王小明 and Wang Xiaoming). */
static bool
same_name(const struct signals *a, const struct signals *b)
{
	return same(a->name, b->name) || same(a->pinyin, b->name) || same(a->name, b->pinyin);
}

/* Score candidate cand (a customer record) against s. */
static json_t *
score(struct store_conn *c, const struct signals *s, const json_t *cand, struct err *e)
{
	struct signals t = { 0 };
	json_t *reasons = json_array();
	int points = 0;

	signals_of(cand, &t);
	if (identifier_signals(c, json_integer_value(json_object_get(cand, "id")), str(cand, "country"),
			       &t, e) != ERR_OK) {
		signals_release(&t);
		json_decref(reasons);
		return NULL;
	}
	if (share_any(s->phones, t.phones)) {
		points += SCORE_PHONE;
		json_array_append_new(reasons, json_string("phone"));
	}
	if (share_any(s->emails, t.emails)) {
		points += SCORE_EMAIL;
		json_array_append_new(reasons, json_string("email"));
	}
	if (same_name(s, &t)) {
		points += SCORE_NAME;
		json_array_append_new(reasons, json_string("name"));
		if (same(s->city, t.city)) {
			points += SCORE_CITY;
			json_array_append_new(reasons, json_string("city"));
		}
	}
	signals_release(&t);
	if (points > 100)
		points = 100;
	return json_pack("{s:O,s:i,s:o}", "customer", cand, "score", points, "reasons", reasons);
}

/* Customers found by q in customers or their identifiers, into cands
 * (an object id → customer record, so each is scored once). */
static enum err_code
gather(struct store_conn *c, const char *q, const struct access *acc, json_t *cands, struct err *e)
{
	const struct entity *customers = registry_find("customers");
	const struct entity *idents = registry_find("customer_identifiers");
	struct search_query sq;
	json_t *hits = json_array();
	enum err_code rc = ERR_OK;

	if (search_query_parse(q, &sq, e) != ERR_OK) {
		json_decref(hits);
		err_clear(e);
		return ERR_OK;	/* nothing to look for */
	}
	/* identifiers follow their customer: the same access reads both */
	if ((rc = search_entity(c, customers, &sq, acc, DUPLICATES_MAX, hits, e)) == ERR_OK)
		rc = search_entity(c, idents, &sq, acc, DUPLICATES_MAX, hits, e);
	search_query_release(&sq);
	size_t i;
	json_t *h;
	json_array_foreach(hits, i, h) {
		json_t *rec = json_object_get(h, "record");
		int64_t id = strcmp(json_string_value(json_object_get(h, "entity")), "customers") == 0 ?
			     json_integer_value(json_object_get(rec, "id")) :
			     json_integer_value(json_object_get(rec, "customer_id"));
		char key[32];
		snprintf(key, sizeof(key), "%lld", (long long)id);
		if (!json_object_get(cands, key))
			json_object_set_new(cands, key, json_integer(id));
	}
	json_decref(hits);
	return rc;
}

static int
by_score(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "score"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "score"));

	return (x < y) - (x > y);
}

/* Look up every signal of s: phone digits, e-mails, the name and its pinyin. */
static enum err_code
gather_all(struct store_conn *c, const struct signals *s, const struct access *acc, json_t *cands,
	   struct err *e)
{
	size_t i;
	json_t *v;

	json_array_foreach(s->phones, i, v)
		if (gather(c, phone_national(json_string_value(v)), acc, cands, e) != ERR_OK)
			return e->code;
	json_array_foreach(s->emails, i, v)
		if (gather(c, json_string_value(v), acc, cands, e) != ERR_OK)
			return e->code;
	if (s->name && gather(c, s->name, acc, cands, e) != ERR_OK)
		return e->code;
	if (s->pinyin && gather(c, s->pinyin, acc, cands, e) != ERR_OK)
		return e->code;
	return ERR_OK;
}

enum err_code
duplicates_find(struct store_conn *c, const json_t *rec, const struct access *acc, json_t **out,
		struct err *e)
{
	const struct entity *customers = registry_find("customers");
	int64_t self = json_integer_value(json_object_get(rec, "id"));
	struct signals s = { 0 };
	json_t *cands = json_object(), *found = json_array();
	enum err_code rc;

	*out = NULL;
	signals_of(rec, &s);
	if ((self && (rc = identifier_signals(c, self, str(rec, "country"), &s, e)) != ERR_OK) ||
	    (rc = gather_all(c, &s, acc, cands, e)) != ERR_OK)
		goto done;
	const char *key;
	json_t *idv;
	json_object_foreach(cands, key, idv) {
		int64_t id = json_integer_value(idv);
		json_t *cand = NULL;
		if (id == self)
			continue;
		if (record_get(c, customers, id, false, acc, &cand, e) != ERR_OK) {
			err_clear(e);	/* gone or hidden meanwhile */
			continue;
		}
		json_t *scored = score(c, &s, cand, e);
		json_decref(cand);
		if (!scored) {
			rc = e->code;
			goto done;
		}
		if (json_integer_value(json_object_get(scored, "score")) >= DUPLICATE_THRESHOLD)
			json_array_append_new(found, scored);
		else
			json_decref(scored);
	}
	*out = jsonx_sorted(found, by_score, DUPLICATES_MAX);
	rc = ERR_OK;
done:
	json_decref(found);
	json_decref(cands);
	signals_release(&s);
	return rc;
}
