/* SPDX-License-Identifier: MIT */
/* Field-level validation: every bad field is reported, not just the first,
 * and a value that passes comes out normalised (trimmed strings, UTC
 * timestamps, de-duplicated tags). */
#include <ctype.h>
#include <math.h>
#include <string.h>
#include "engine/validate.h"
#include "util/utf8.h"

#define MAX_TAGS 50

static const char *const read_only[] = {
	"id", "created_at", "updated_at", "version", "deleted_at", NULL
};

bool
validate_identifier(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63 || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* local@domain.tld; the local part and labels from the usual characters,
 * non-ASCII allowed (internationalised addresses). */
bool
validate_email(const char *s)
{
	const char *at = strchr(s, '@');

	if (!at || at == s || strchr(at + 1, '@') || at - s > 64)
		return false;
	for (const char *p = s; p < at; p++)
		if ((unsigned char)*p <= ' ' || strchr("()<>,;:\\\"[]", *p))
			return false;
	const char *dom = at + 1, *dot = strrchr(dom, '.');
	if (!dot || dot == dom || dot[1] == '\0' || strlen(dom) > 253)
		return false;
	char prev = '.';
	for (const char *p = dom; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '.' && (prev == '.' || prev == '-'))
			return false;
		if (c == '-' && prev == '.')
			return false;	/* a label cannot start with a hyphen */
		if (c < 0x80 && !isalnum(c) && c != '-' && c != '.')
			return false;
		prev = (char)c;
	}
	return prev != '.' && prev != '-';
}

/* Digits with the usual separators, an optional leading +, 6-15 digits
 * (E.164 allows at most 15). */
bool
validate_phone(const char *s)
{
	int ndigits = 0;

	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			ndigits++;
		else if (*p == '+' && p != s)
			return false;
		else if (!strchr("+ -().", *p))
			return false;
	}
	return ndigits >= 6 && ndigits <= 15;
}

/* BCP 47 in its common shape: a 2-3 letter language, then subtags of 1-8
 * letters or digits (zh-Hant, zh-Hans-CN, en-GB, yue-HK). */
static bool
is_language_tag(const char *s)
{
	size_t n = 0;
	bool first = true;

	for (const char *p = s;; p++) {
		if (*p == '-' || *p == '\0') {
			if (first ? (n < 2 || n > 3) : (n < 1 || n > 8))
				return false;
			if (*p == '\0')
				return true;
			first = false;
			n = 0;
		} else if (first ? isalpha((unsigned char)*p) : isalnum((unsigned char)*p)) {
			n++;
		} else {
			return false;
		}
	}
}

const struct format format_language = {
	.name = "bcp47", .ok = is_language_tag,
	.message = "not a language tag (BCP 47), e.g. zh-Hant, zh-Hans or en",
};

/* Trim ASCII white space; returns a new string value or NULL if empty. */
static json_t *
trimmed(const char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	return n ? json_stringn(s, n) : NULL;
}

static json_t *
check_text(const struct field *f, const json_t *v, bool multiline, const char **why)
{
	if (!json_is_string(v)) {
		*why = "must be a string";
		return NULL;
	}
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (!utf8_valid(s, n) || strlen(s) != n) {
		*why = "must be valid UTF-8 text";
		return NULL;
	}
	json_t *t = multiline ? json_stringn(s, n) : trimmed(s);
	if (!t)
		return json_null();
	if (utf8_has_control(json_string_value(t), json_string_length(t), multiline)) {
		json_decref(t);
		*why = "must not hold control characters";
		return NULL;
	}
	if (f->format && !f->format->ok(json_string_value(t))) {
		json_decref(t);
		*why = f->format->message;
		return NULL;
	}
	if (utf8_count(json_string_value(t), json_string_length(t)) > field_max_len(f)) {
		json_decref(t);
		*why = "is too long";
		return NULL;
	}
	return t;
}

static json_t *
check_tags(const struct field *f, const json_t *v, const char **why)
{
	if (!json_is_array(v)) {
		*why = "must be an array of strings";
		return NULL;
	}
	if (json_array_size(v) > MAX_TAGS) {
		*why = "has too many tags (at most 50)";
		return NULL;
	}
	json_t *out = json_array();
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item) {
		json_t *t = check_text(f, item, false, why);
		if (!t) {
			json_decref(out);
			return NULL;
		}
		if (json_is_null(t)) {
			json_decref(out);
			*why = "must not hold empty tags";
			return NULL;
		}
		bool dup = false;
		size_t k;
		json_t *seen;
		json_array_foreach(out, k, seen)
			dup = dup || json_equal(seen, t);
		if (dup)
			json_decref(t);
		else
			json_array_append_new(out, t);
	}
	return out;
}

static json_t *
check_enum(const struct field *f, const json_t *v, const char **why)
{
	if (json_is_string(v))
		for (const char *const *p = f->values; p && *p; p++)
			if (strcmp(*p, json_string_value(v)) == 0)
				return json_string(*p);
	*why = "is not one of the allowed values";
	return NULL;
}

static json_t *
check_date(const struct field *f, const json_t *v, const char **why)
{
	int64_t days;

	if (!json_is_string(v) || !time_parse_date(json_string_value(v), &days)) {
		*why = "must be a date YYYY-MM-DD";
		return NULL;
	}
	if ((f->flags & F_NOT_FUTURE) && days > time_now_ms() / 86400000 + 1) {
		*why = "must not be in the future";
		return NULL;
	}
	return json_string(json_string_value(v));
}

static json_t *
check_datetime(const json_t *v, const char **why)
{
	int64_t ms;
	char out[TIME_STR_LEN];

	if (!json_is_string(v) || !time_parse_datetime(json_string_value(v), &ms) ||
	    ms < 0 || ms > 253402300799999) {
		*why = "must be an RFC 3339 date-time";
		return NULL;
	}
	time_format(ms, out);
	return json_string(out);
}

static json_t *
check_format(const struct field *f, const json_t *v, bool (*ok)(const char *),
	     const char *msg, const char **why)
{
	json_t *t = check_text(f, v, false, why);

	if (!t || json_is_null(t) || ok(json_string_value(t)))
		return t;
	json_decref(t);
	*why = msg;
	return NULL;
}

json_t *
validate_value(const struct field *f, const json_t *v, const char **why)
{
	if (json_is_null(v))
		return json_null();
	switch (f->type) {
	case FT_STRING:
		return check_text(f, v, false, why);
	case FT_TEXT:
		return check_text(f, v, true, why);
	case FT_INTEGER:
		if (json_is_integer(v))
			return json_integer(json_integer_value(v));
		*why = "must be an integer";
		return NULL;
	case FT_NUMBER:
		if (json_is_number(v) && isfinite(json_number_value(v)))
			return json_real(json_number_value(v));
		*why = "must be a number";
		return NULL;
	case FT_BOOLEAN:
		if (json_is_boolean(v))
			return json_boolean(json_is_true(v));
		*why = "must be true or false";
		return NULL;
	case FT_DATE:
		return check_date(f, v, why);
	case FT_DATETIME:
		return check_datetime(v, why);
	case FT_EMAIL:
		return check_format(f, v, validate_email, "not an e-mail address", why);
	case FT_PHONE:
		return check_format(f, v, validate_phone, "not a phone number", why);
	case FT_ENUM:
		return check_enum(f, v, why);
	case FT_REF:
		if (json_is_integer(v) && json_integer_value(v) > 0)
			return json_integer(json_integer_value(v));
		*why = "must be the id of a record";
		return NULL;
	case FT_TAGS:
		return check_tags(f, v, why);
	default:
		*why = "has an unknown type";
		return NULL;
	}
}

static bool
is_read_only(const char *name)
{
	for (const char *const *p = read_only; *p; p++)
		if (strcmp(*p, name) == 0)
			return true;
	return false;
}

/* Defaults for fields the create body left out. */
static void
apply_defaults(const struct entity *en, const struct wtx *w, json_t *clean)
{
	size_t i = 0;
	const struct field *f;

	while ((f = entity_field_at(en, &i))) {
		if (json_object_get(clean, f->name))
			continue;
		json_t *v = NULL;
		if (f->def)
			v = json_loads(f->def, JSON_DECODE_ANY, NULL);
		else if ((f->flags & F_DEFAULT_ACTOR) && w && w->who && w->who->user_id > 0)
			v = json_integer(w->who->user_id);
		else if ((f->flags & F_DEFAULT_NOW) && w)
			v = json_string(w->now);
		if (v)
			json_object_set_new(clean, f->name, v);
	}
}

static void
check_required(const struct entity *en, enum validate_mode mode, json_t *clean, struct err *e)
{
	size_t i = 0;
	const struct field *f;

	while ((f = entity_field_at(en, &i))) {
		if (!(f->flags & F_REQUIRED))
			continue;
		json_t *v = json_object_get(clean, f->name);
		if (mode == VALIDATE_CREATE && (!v || json_is_null(v)))
			err_field(e, f->name, "is required");
		else if (mode == VALIDATE_UPDATE && v && json_is_null(v))
			err_field(e, f->name, "is required and cannot be cleared");
	}
}

enum err_code
validate_record(const struct entity *en, const json_t *body, enum validate_mode mode,
		const struct wtx *w, json_t **clean, struct err *e)
{
	const char *key;
	json_t *v;

	*clean = NULL;
	if (!json_is_object(body))
		return err_set(e, ERR_BADJSON, "the body must be a JSON object");
	json_t *out = json_object();
	json_object_foreach((json_t *)body, key, v) {
		const struct field *f = entity_field(en, key);
		const char *why = NULL;
		if (!f) {
			err_field(e, key, is_read_only(key) ? "is read-only" : "unknown field");
			continue;
		}
		json_t *nv = validate_value(f, v, &why);
		if (!nv)
			err_field(e, key, "%s", why);
		else
			json_object_set_new(out, f->name, nv);
	}
	if (mode == VALIDATE_CREATE)
		apply_defaults(en, w, out);
	check_required(en, mode, out, e);
	if (e->fields) {
		json_decref(out);
		return err_fields_invalid(e);
	}
	*clean = out;
	return ERR_OK;
}
