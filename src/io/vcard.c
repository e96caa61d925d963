/* SPDX-License-Identifier: MIT */
/* vCard 4.0 writing and reading (see vcard.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "io/vcard.h"
#include "util/mem.h"

/* ---- writing ---- */

void
vcard_escape(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\': buf_adds(out, "\\\\"); break;
		case ',': buf_adds(out, "\\,"); break;
		case ';': buf_adds(out, "\\;"); break;
		case '\n': buf_adds(out, "\\n"); break;
		case '\r': break;
		default: buf_addc(out, s[i]);
		}
	}
}

/* Append line[0..n) folded: at most VCARD_FOLD octets a line, a
 * continuation starting with one space, never inside a UTF-8 sequence. */
static void
fold(struct buf *out, const char *line, size_t n)
{
	size_t room = VCARD_FOLD;

	for (size_t i = 0; i < n;) {
		size_t len = 1;
		while (i + len < n && ((unsigned char)line[i + len] & 0xC0) == 0x80)
			len++;
		if (len > room) {
			buf_adds(out, "\r\n ");
			room = VCARD_FOLD - 1;
		}
		buf_add(out, line + i, len);
		room -= len;
		i += len;
	}
	buf_adds(out, "\r\n");
}

void
vcard_line(struct buf *out, const char *name, const char *value, size_t n)
{
	struct buf line;

	buf_init(&line, VCARD_MAX);
	buf_printf(&line, "%s:", name);
	buf_add(&line, value, n);
	fold(out, line.data, line.len);
	buf_release(&line);
}

static const char *
str(const json_t *rec, const char *name)
{
	const char *s = json_string_value(json_object_get(rec, name));

	return s && *s ? s : NULL;
}

/* name:escaped(value) when the record has it. */
static void
text_prop(struct buf *out, const char *name, const char *value)
{
	struct buf v;

	if (!value)
		return;
	buf_init(&v, VCARD_MAX);
	vcard_escape(&v, value, strlen(value));
	vcard_line(out, name, v.data ? v.data : "", v.len);
	buf_release(&v);
}

/* A compound value: components escaped, joined with ';'. */
static void
compound_prop(struct buf *out, const char *name, const char *const *parts, size_t n)
{
	struct buf v;
	bool any = false;

	buf_init(&v, VCARD_MAX);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(&v, ';');
		if (parts[i]) {
			vcard_escape(&v, parts[i], strlen(parts[i]));
			any = true;
		}
	}
	if (any)
		vcard_line(out, name, v.data, v.len);
	buf_release(&v);
}

void
vcard_write(struct buf *out, const json_t *rec, const char *org)
{
	const char *kind = str(rec, "kind"), *birth = str(rec, "birth_date");
	const char *n[] = { str(rec, "family_name"), str(rec, "given_name"), NULL, NULL, NULL };
	const char *adr[] = { NULL, NULL, str(rec, "address"), str(rec, "city"), str(rec, "region"),
			      NULL, str(rec, "country") };

	buf_adds(out, "BEGIN:VCARD\r\nVERSION:4.0\r\n");
	text_prop(out, "FN", str(rec, "name"));
	if (n[0] || n[1])
		compound_prop(out, "N", n, 5);
	else
		buf_adds(out, "N:;;;;\r\n");
	if (kind && strcmp(kind, "company") == 0) {
		buf_adds(out, "KIND:org\r\n");
		org = str(rec, "name");
	}
	text_prop(out, "ORG", org);
	text_prop(out, "TEL;TYPE=voice", str(rec, "phone"));
	text_prop(out, "TEL;TYPE=cell", str(rec, "mobile"));
	text_prop(out, "EMAIL", str(rec, "email"));
	compound_prop(out, "ADR", adr, 7);
	/* RFC 6350 dates are ISO 8601 basic: 19850615 */
	if (birth && strlen(birth) == 10 && birth[4] == '-' && birth[7] == '-')
		buf_printf(out, "BDAY:%.4s%.2s%.2s\r\n", birth, birth + 5, birth + 8);
	text_prop(out, "LANG", str(rec, "language"));
	text_prop(out, "NOTE", str(rec, "notes"));
	json_t *cid = json_object_get(rec, "customer_id");
	if (json_is_integer(cid))
		buf_printf(out, "X-GUANXI-CUSTOMER:%lld\r\n", (long long)json_integer_value(cid));
	buf_adds(out, "END:VCARD\r\n");
}

/* ---- reading ---- */

size_t
vcard_unescape(char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			char c = s[++i];
			s[o++] = c == 'n' || c == 'N' ? '\n' : c;
		} else {
			s[o++] = s[i];
		}
	}
	s[o] = '\0';
	return o;
}

struct vcard_reader {
	csv_read_fn *src;
	void *ctx;
	char *chunk;
	size_t pos, len;
	bool eof, failed;
	long line;		/* physical line of the next byte */
	struct buf next;	/* a physical line read ahead, for unfolding */
	bool have_next;
	long next_line;
};

struct vcard_reader *
vcard_reader_new(csv_read_fn *src, void *ctx)
{
	struct vcard_reader *r = xcalloc(1, sizeof(*r));

	r->src = src;
	r->ctx = ctx;
	r->chunk = xmalloc(CSV_CHUNK);
	r->line = 1;
	buf_init(&r->next, VCARD_MAX);
	return r;
}

void
vcard_reader_free(struct vcard_reader *r)
{
	if (!r)
		return;
	free(r->chunk);
	buf_release(&r->next);
	free(r);
}

/* One physical line without its CRLF into b: 1, 0 at the end, -2 error. */
static int
physical_line(struct vcard_reader *r, struct buf *b)
{
	bool any = false;

	buf_reset(b);
	for (;;) {
		if (r->pos == r->len) {
			ssize_t k = r->eof ? 0 : r->src(r->ctx, r->chunk, CSV_CHUNK);
			if (k < 0)
				return -2;
			if (k == 0) {
				r->eof = true;
				return any ? 1 : 0;
			}
			r->pos = 0;
			r->len = (size_t)k;
		}
		char c = r->chunk[r->pos++];
		any = true;
		if (c == '\n') {
			r->line++;
			if (b->len && b->data[b->len - 1] == '\r')
				b->data[--b->len] = '\0';
			return 1;
		}
		buf_addc(b, c);	/* past the cap: the card is cut, then refused */
	}
}

/* One logical (unfolded) line into b; *at its first physical line. */
static int
logical_line(struct vcard_reader *r, struct buf *b, long *at)
{
	int rc;

	if (!r->have_next) {
		r->next_line = r->line;
		if ((rc = physical_line(r, &r->next)) <= 0)
			return rc;
	}
	buf_reset(b);
	buf_add(b, r->next.data ? r->next.data : "", r->next.len);
	*at = r->next_line;
	for (;;) {
		r->next_line = r->line;
		rc = physical_line(r, &r->next);
		if (rc < 0)
			return rc;
		r->have_next = rc == 1;
		if (rc == 0 || (r->next.len == 0 || (r->next.data[0] != ' ' && r->next.data[0] != '\t')))
			return 1;
		buf_add(b, r->next.data + 1, r->next.len - 1);
	}
}

/* Split "group.NAME;params:value": name upper-cased in place. */
static bool
split_line(char *s, char **name, char **params, char **value)
{
	bool quoted = false;
	char *colon = NULL;

	for (char *p = s; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ':' && !quoted) {
			colon = p;
			break;
		}
	}
	if (!colon)
		return false;
	*colon = '\0';
	*value = colon + 1;
	char *semi = strchr(s, ';');
	*params = semi ? semi + 1 : "";
	if (semi)
		*semi = '\0';
	char *dot = strrchr(s, '.');
	*name = dot ? dot + 1 : s;
	for (char *p = *name; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return **name != '\0';
}

/* Component i of a compound value (unescaped), or NULL if empty. */
static json_t *
component(const char *v, int i)
{
	struct buf b;

	buf_init(&b, VCARD_MAX);
	for (int k = 0; *v; v++) {
		if (*v == '\\' && v[1]) {
			if (k == i)
				buf_add(&b, v, 2);
			v++;
		} else if (*v == ';') {
			k++;
		} else if (k == i) {
			buf_addc(&b, *v);
		}
	}
	json_t *out = NULL;
	if (b.len) {
		b.len = vcard_unescape(b.data, b.len);
		out = json_string(b.data);
	}
	buf_release(&b);
	return out;
}

static void
set_new(json_t *rec, const char *key, json_t *v)
{
	if (v && !json_object_get(rec, key))
		json_object_set_new(rec, key, v);
	else
		json_decref(v);
}

static void
set_text(json_t *rec, const char *key, char *value)
{
	size_t n = vcard_unescape(value, strlen(value));

	if (n)
		set_new(rec, key, json_string(value));
}

static void
set_bday(json_t *rec, const char *v)
{
	char d[11];

	if (strlen(v) == 8 && strspn(v, "0123456789") == 8) {
		snprintf(d, sizeof(d), "%.4s-%.2s-%.2s", v, v + 4, v + 6);
		set_new(rec, "birth_date", json_string(d));
	} else if (*v) {
		set_new(rec, "birth_date", json_string(v));	/* validation judges it */
	}
}

/* One property of a card into rec. */
static void
take(json_t *rec, const char *name, const char *params, char *value, bool *org_kind, char **org)
{
	if (strcmp(name, "FN") == 0) {
		set_text(rec, "name", value);
	} else if (strcmp(name, "N") == 0) {
		set_new(rec, "family_name", component(value, 0));
		set_new(rec, "given_name", component(value, 1));
	} else if (strcmp(name, "TEL") == 0) {
		bool cell = strcasestr(params, "cell") != NULL;
		if (strncasecmp(value, "tel:", 4) == 0)
			value += 4;
		if (!cell && json_object_get(rec, "phone"))
			cell = true;
		set_text(rec, cell ? "mobile" : "phone", value);
	} else if (strcmp(name, "EMAIL") == 0) {
		set_text(rec, "email", value);
	} else if (strcmp(name, "ADR") == 0) {
		set_new(rec, "address", component(value, 2));
		set_new(rec, "city", component(value, 3));
		set_new(rec, "region", component(value, 4));
		json_t *c = component(value, 6);
		if (c && strlen(json_string_value(c)) == 2)
			set_new(rec, "country", c);
		else
			json_decref(c);
	} else if (strcmp(name, "BDAY") == 0) {
		set_bday(rec, value);
	} else if (strcmp(name, "LANG") == 0) {
		set_text(rec, "language", value);
	} else if (strcmp(name, "NOTE") == 0) {
		set_text(rec, "notes", value);
	} else if (strcmp(name, "KIND") == 0) {
		*org_kind = strcasecmp(value, "org") == 0;
	} else if (strcmp(name, "ORG") == 0 && !*org) {
		*org = xstrdup(value);
	} else if (strcmp(name, "X-GUANXI-CUSTOMER") == 0) {
		char *end;
		long long id = strtoll(value, &end, 10);
		set_new(rec, "customer_id", *end || id <= 0 ? json_string(value) : json_integer(id));
	}
}

static void
finish_card(json_t *rec, bool org_kind, char *org)
{
	const char *name = json_string_value(json_object_get(rec, "name"));

	if (org) {
		json_t *o = component(org, 0);
		if (o && name && strcmp(json_string_value(o), name) == 0)
			org_kind = true;
		json_decref(o);
	}
	json_object_set_new(rec, "kind", json_string(org_kind ? "company" : "person"));
	free(org);
}

int
vcard_next(struct vcard_reader *r, json_t **rec, long *line, char **raw, char *msg, size_t msglen)
{
	struct buf l, text;
	long at = 0;
	int rc;
	bool in = false, org_kind = false;
	char *org = NULL;
	const char *why = NULL;

	*rec = NULL;
	*raw = NULL;
	buf_init(&l, VCARD_MAX);
	buf_init(&text, VCARD_MAX);
	while ((rc = logical_line(r, &l, &at)) == 1) {
		if (!in) {
			if (l.len == 0)
				continue;
			*line = at;
			if (strcasecmp(l.data, "BEGIN:VCARD") != 0) {
				why = "a card must start with BEGIN:VCARD";
				break;
			}
			in = true;
			*rec = json_object();
		}
		buf_add(&text, l.data ? l.data : "", l.len);
		buf_adds(&text, "\r\n");
		if (l.len == 0)
			continue;
		if (l.len >= VCARD_MAX - 1 || text.len >= VCARD_MAX - 2) {
			why = "the card is longer than 64 KiB";
			break;
		}
		if (strcasecmp(l.data, "END:VCARD") == 0)
			break;
		char *name, *params, *value;
		if (strcasecmp(l.data, "BEGIN:VCARD") == 0 && text.len > l.len + 2) {
			why = "BEGIN:VCARD inside a card (END:VCARD missing)";
			break;
		}
		if (!split_line(l.data, &name, &params, &value)) {
			why = "a line without a property name and ':'";
			break;
		}
		if (strcmp(name, "VERSION") == 0 && strcmp(value, "4.0") != 0 && strcmp(value, "3.0") != 0)
			why = "only vCard 4.0 (and 3.0) are read";
		take(*rec, name, params, value, &org_kind, &org);
	}
	if (rc == 0 && in && !why)
		why = "the file ends inside a card (END:VCARD missing)";
	if (rc == 1 && in && why && strcasecmp(l.data ? l.data : "", "END:VCARD") != 0)
		while ((rc = logical_line(r, &l, &at)) == 1 && strcasecmp(l.data ? l.data : "", "END:VCARD"))
			;	/* the rest of the bad card */
	*raw = text.len ? buf_detach(&text, NULL) : NULL;
	buf_release(&text);
	buf_release(&l);
	if (rc < 0) {
		json_decref(*rec);
		*rec = NULL;
		free(org);
		return -2;
	}
	if (why) {
		snprintf(msg, msglen, "%s", why);
		json_decref(*rec);
		*rec = NULL;
		free(org);
		return -1;
	}
	if (!in) {
		free(org);
		return 0;
	}
	finish_card(*rec, org_kind, org);
	return 1;
}
