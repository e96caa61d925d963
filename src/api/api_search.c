/* SPDX-License-Identifier: MIT */
/* GET /api/v1/search: one query across every searchable entity the caller
 * may read; GET /api/v1/lookup: the customer holding an identifier. */
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "domain/identifiers.h"
#include "engine/record.h"
#include "engine/search.h"
#include "text/highlight.h"
#include "text/search.h"
#include "text/mask.h"
#include "text/phone.h"
#include "util/jsonx.h"
#include "util/utf8.h"

#define SEARCH_LIMIT_DEFAULT 20
#define SEARCH_LIMIT_MAX 100

static enum err_code
parse_limit(struct req *r, int *limit)
{
	const char *s = req_query(r, "limit");
	char *end;

	*limit = SEARCH_LIMIT_DEFAULT;
	if (!s)
		return ERR_OK;
	long n = strtol(s, &end, 10);
	if (*s == '\0' || *end || n < 1 || n > SEARCH_LIMIT_MAX)
		return err_set(&r->err, ERR_BADREQ, "limit must be an integer from 1 to %d",
			       SEARCH_LIMIT_MAX);
	*limit = (int)n;
	return ERR_OK;
}

#define SEARCH_MAX_ENTITIES 64

/* The searchable entities named in the comma-separated list (every one
 * when list is NULL), flagged by registry index in chosen. */
static enum err_code
pick_entities(struct req *r, const char *list, bool chosen[SEARCH_MAX_ENTITIES])
{
	for (size_t i = 0; i < registry_count() && i < SEARCH_MAX_ENTITIES; i++)
		chosen[i] = !list && search_enabled(registry_at(i));
	for (const char *p = list; p && *p;) {
		const char *end = strchrnul(p, ',');
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)(end - p), p);
		const struct entity *en = registry_find(name);
		if (!en || !search_enabled(en))
			return err_set(&r->err, ERR_BADREQ, "entities: '%.40s' is not a searchable entity",
				       name);
		for (size_t i = 0; i < registry_count() && i < SEARCH_MAX_ENTITIES; i++)
			chosen[i] = chosen[i] || registry_at(i) == en;
		p = *end ? end + 1 : end;
	}
	return ERR_OK;
}

static int
by_score(const void *a, const void *b)
{
	double x = json_real_value(json_object_get(*(json_t *const *)a, "score"));
	double y = json_real_value(json_object_get(*(json_t *const *)b, "score"));

	return (x < y) - (x > y);
}

/* ---- highlighting: where in the matched field the query is ---- */

#define HIGHLIGHT_RANGES 16
#define HIGHLIGHT_WINDOW 200	/* characters of a long value sent, around the first match */
#define HIGHLIGHT_BEFORE 40	/* of them before it */

/* The name a pinyin match stands for: the first name (identifying, not
 * personal: what the pinyin keys are made of) written in Han characters,
 * else the first name there is. */
static const struct field *
pinyin_source(const struct entity *en, const json_t *rec)
{
	const struct field *first = NULL;

	for (size_t i = 0; i < en->def->nfields; i++) {
		const struct field *f = &en->def->fields[i];
		const char *v = json_string_value(json_object_get(rec, f->name));
		if (!v || !(f->flags & F_SEARCHABLE) || !(f->flags & F_IDENTIFYING) || (f->flags & F_PERSONAL))
			continue;
		if (text_has_cjk(v, strlen(v)))
			return f;
		if (!first)
			first = f;
	}
	return first;
}

/* Byte offset of code point `at` in s (or its end). */
static size_t
cp_offset(const char *s, size_t at)
{
	size_t i = 0;

	for (size_t k = 0; s[i] && k < at; k++) {
		unsigned cp;
		i += utf8_decode(s + i, &cp);
	}
	return i;
}

/* "highlight": {field, text, offset, length, ranges: [[start, end]]} on a
 * hit: the matched field's text as the caller sees it (a window of a long
 * one, starting at code point `offset` of `length`), and where the query
 * is in it, in code points, found in search form as the index finds it
 * (客户 marks 客戶, ＡＢＣ marks abc, a phone number its digits). A pinyin
 * match (wxm → 王小明) marks the whole name: pinyin is not written there. */
static void
add_highlight(json_t *hit, const struct search_query *q)
{
	const struct entity *en = registry_find(json_string_value(json_object_get(hit, "entity")));
	const char *mf = json_string_value(json_object_get(hit, "matched_field"));
	json_t *rec = json_object_get(hit, "record");
	struct text_range r[HIGHLIGHT_RANGES];
	size_t n = 0, k = 0;

	if (!en || !mf || !json_is_object(rec))
		return;
	bool pinyin = strcmp(mf, "pinyin") == 0;
	const struct field *f = pinyin ? pinyin_source(en, rec) : entity_field(en, mf);
	const char *text = f ? json_string_value(json_object_get(rec, f->name)) : NULL;
	if (!text)
		return;
	size_t length = utf8_count(text, strlen(text));
	if (pinyin) {
		r[n++] = (struct text_range){ 0, length };
	} else {
		const char *needles[SEARCH_MAX_TERMS * SEARCH_MAX_ALTS];
		for (size_t t = 0; t < q->nterms; t++)
			for (size_t a = 0; a < SEARCH_MAX_ALTS && q->term[t][a]; a++)
				needles[k++] = q->term[t][a];
		n = text_highlight(text, needles, k, r, HIGHLIGHT_RANGES);
		if (!n && q->phone[0])
			n = text_highlight_digits(text, (const char *const *)q->phone, q->phone[1] ? 2 : 1, r,
						  HIGHLIGHT_RANGES);
	}
	size_t off = 0, end = length;
	if (length > HIGHLIGHT_WINDOW) {
		off = n && r[0].start > HIGHLIGHT_BEFORE ? r[0].start - HIGHLIGHT_BEFORE : 0;
		end = off + HIGHLIGHT_WINDOW < length ? off + HIGHLIGHT_WINDOW : length;
		off = end - HIGHLIGHT_WINDOW;	/* a match near the end: the window ends there */
	}
	json_t *ranges = json_array();
	for (size_t i = 0; i < n; i++)
		if (r[i].start < end && r[i].end > off)
			json_array_append_new(ranges, json_pack("[I,I]", (json_int_t)((r[i].start > off ? r[i].start : off) - off),
								(json_int_t)((r[i].end < end ? r[i].end : end) - off)));
	size_t from = cp_offset(text, off), to = from + cp_offset(text + from, end - off);
	json_object_set_new(hit, "highlight", json_pack("{s:s,s:s%,s:I,s:I,s:o}", "field", f->name,
		"text", text + from, to - from, "offset", (json_int_t)off, "length", (json_int_t)length,
		"ranges", ranges));
}

enum err_code
api_search(struct req *r)
{
	static const char *const known[] = { "q", "limit", "entities", NULL };
	const char *q = req_query(r, "q"), *list = req_query(r, "entities");
	struct search_query sq;
	struct store_conn *c;
	bool chosen[SEARCH_MAX_ENTITIES];
	int limit;

	if (req_known_query(r, known) != ERR_OK || parse_limit(r, &limit) != ERR_OK ||
	    pick_entities(r, list, chosen) != ERR_OK)
		return r->err.code;
	if (!q)
		return err_set(&r->err, ERR_BADREQ, "q is required: what to search for");
	if (search_query_parse(q, &sq, &r->err) != ERR_OK)
		return r->err.code;
	json_t *hits = json_array();
	if (!(c = store_reader(req_store(r), &r->err)))
		goto out;
	for (size_t i = 0; i < registry_count(); i++) {
		const struct entity *en = registry_at(i);
		struct access acc;
		if (i >= SEARCH_MAX_ENTITIES || !chosen[i])
			continue;
		req_access_for(r, en, ACT_READ, &acc);
		if (acc.read == SCOPE_NONE)
			continue;
		if (search_entity(c, en, &sq, &acc, limit, hits, &r->err) != ERR_OK)
			goto out;
	}
	json_t *data = jsonx_sorted(hits, by_score, (size_t)limit), *hit;
	size_t i;
	json_array_foreach(data, i, hit)
		add_highlight(hit, &sq);
	search_query_release(&sq);
	json_decref(hits);
	return reply_json(r, 200, json_pack("{s:o,s:s}", "data", data, "q", q));
out:
	search_query_release(&sq);
	json_decref(hits);
	return r->err.code;
}

/* ---- lookup ---- */

struct hit {
	int64_t customer_id;
	json_t *identifier;
};

/* The live identifier of some kind whose normalised value is value's. */
static enum err_code
exact_identifier(struct store_conn *c, const char *value, const char *kind_only,
		 struct hit *h, struct err *e)
{
	for (size_t i = 0; identifier_kinds[i] && !h->customer_id; i++) {
		const char *kind = identifier_kinds[i];
		if (kind_only && strcmp(kind, kind_only) != 0)
			continue;
		struct stmt *st = store_prepare(c,
			"SELECT id, customer_id, kind, value FROM customer_identifiers "
			"WHERE kind = ? AND norm = ? AND deleted_at IS NULL", e);
		if (!st)
			return e->code;
		char *norm = identifier_normalize(kind, value);
		stmt_bind_str(st, 1, kind);
		stmt_bind_str(st, 2, norm);
		int rc = stmt_step(st, e);
		free(norm);
		if (rc == 1) {
			h->customer_id = stmt_int(st, 1);
			h->identifier = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)stmt_int(st, 0),
						  "kind", stmt_text(st, 2), "value", stmt_text(st, 3));
		}
		stmt_finish(st);
		if (rc < 0)
			return e->code;
	}
	return ERR_OK;
}

/* A customer's own phone or mobile ending with the query's digits (those
 * identifiers are found through their customer, engine/search.h), and the
 * identifier that holds it. */
static enum err_code
customer_phone(struct store_conn *c, const struct search_query *sq, struct hit *h, struct err *e)
{
	json_t *hits = json_array();
	enum err_code rc = search_entity_phones(c, registry_find("customers"), sq, NULL, 1, hits, e);
	json_t *hit = json_array_get(hits, 0);

	if (rc == ERR_OK && hit) {
		json_t *rec = json_object_get(hit, "record");
		const char *v = json_string_value(json_object_get(rec, json_string_value(
			json_object_get(hit, "matched_field"))));
		char *norm = v ? identifier_normalize("phone", v) : NULL;
		int64_t id = 0, holder = 0;
		if (norm && (rc = identifier_find(c, "phone", norm, &id, &holder, e)) == ERR_OK && id) {
			h->customer_id = holder;
			h->identifier = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "kind", "phone",
						  "value", v);
		}
		free(norm);
	}
	json_decref(hits);
	return rc;
}

/* A phone written without its calling code (or with it, where it was
 * stored without): the identifier whose international digits end with
 * the query's national digits, found through the search index. */
static enum err_code
phone_identifier(struct store_conn *c, const char *value, struct hit *h, struct err *e)
{
	const struct entity *en = registry_find("customer_identifiers");
	char *trunk = NULL, *digits = phone_query_digits(value, &trunk);
	struct search_query sq;
	enum err_code rc = ERR_OK;

	if (!digits || !en)
		goto out;
	const char *p = value + strspn(value, " ");
	bool idd = strncmp(digits, "00", 2) == 0;	/* 00 852 ... */
	const char *national = *p == '+' || idd ? phone_national(digits + (idd ? 2 : 0)) :
			       trunk ? trunk : digits;
	if (strlen(national) < 7 || search_query_parse(national, &sq, e) != ERR_OK)
		goto out;
	json_t *hits = json_array();
	rc = search_entity_phones(c, en, &sq, NULL, 20, hits, e);
	size_t i;
	json_t *hit;
	json_array_foreach(hits, i, hit) {
		json_t *rec = json_object_get(hit, "record");
		const char *kind = json_string_value(json_object_get(rec, "kind"));
		const char *v = json_string_value(json_object_get(rec, "value"));
		char *intl = v ? phone_international(v, NULL) : NULL;
		size_t n = intl ? strlen(intl) : 0, m = strlen(national);
		bool same = kind && strcmp(kind, "phone") == 0 && n >= m &&
			    strcmp(intl + n - m, national) == 0;
		free(intl);
		if (same) {
			h->customer_id = json_integer_value(json_object_get(rec, "customer_id"));
			h->identifier = json_pack("{s:O,s:s,s:s}", "id", json_object_get(rec, "id"),
						  "kind", kind, "value", v);
			break;
		}
	}
	json_decref(hits);
	if (rc == ERR_OK && !h->customer_id)
		rc = customer_phone(c, &sq, h, e);
	search_query_release(&sq);
out:
	free(digits);
	free(trunk);
	return rc;
}

/* The identifier as a caller without the personal-data permission sees it. */
static void
mask_identifier(json_t *ident)
{
	const char *kind = json_string_value(json_object_get(ident, "kind"));
	const char *value = json_string_value(json_object_get(ident, "value"));
	enum mask_kind k = strcmp(kind, "phone") == 0 ? MASK_PHONE :
			   strcmp(kind, "email") == 0 ? MASK_EMAIL : MASK_TEXT;

	char *masked = text_mask(k, value);

	json_object_set_new(ident, "value", json_string(masked));
	free(masked);
}

enum err_code
api_lookup(struct req *r)
{
	static const char *const known[] = { "identifier", "kind", NULL };
	const char *value = req_query(r, "identifier"), *kind = req_query(r, "kind");
	const struct entity *customers = registry_find("customers");
	struct hit h = { 0 };
	struct store_conn *c;
	struct access acc;
	json_t *customer = NULL;

	if (req_known_query(r, known) != ERR_OK)
		return r->err.code;
	if (!value || !*value)
		return err_set(&r->err, ERR_BADREQ, "identifier is required: a phone, e-mail, "
			       "member card, policy number, plate ...");
	if (strlen(value) > 200)
		return err_set(&r->err, ERR_BADREQ, "identifier is too long (at most 200 bytes)");
	if (kind && !identifier_kind(kind))
		return err_set(&r->err, ERR_BADREQ, "kind must be one of the identifier kinds "
			       "(phone, email, member_card, policy_no, plate, national_id, external_id)");
	if (!(c = store_reader(req_store(r), &r->err)) ||
	    exact_identifier(c, value, kind, &h, &r->err) != ERR_OK)
		return r->err.code;
	if (!h.customer_id && (!kind || strcmp(kind, "phone") == 0) &&
	    phone_identifier(c, value, &h, &r->err) != ERR_OK)
		return r->err.code;
	req_access_for(r, customers, ACT_READ, &acc);
	if (!h.customer_id ||
	    record_get(c, customers, h.customer_id, false, &acc, &customer, &r->err) != ERR_OK) {
		json_decref(h.identifier);
		return err_set(&r->err, ERR_NOTFOUND, "no customer holds this identifier");
	}
	if (acc.masked)
		mask_identifier(h.identifier);
	return reply_json(r, 200, json_pack("{s:o,s:o}", "customer", customer, "identifier", h.identifier));
}

