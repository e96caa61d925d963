/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "util/jsonx.h"
#include "util/mem.h"

/* Depth scan before parsing, so a hostile body never recurses deeply in
 * the parser; strings are skipped so brackets inside them do not count. */
static bool
depth_ok(const char *s, size_t n)
{
	int depth = 0;
	bool in_str = false;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > JSON_MAX_DEPTH)
				return false;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return true;
}

static size_t
count_keys(const json_t *j)
{
	size_t n = 0;

	if (json_is_object(j)) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)j, k, v)
			n += 1 + count_keys(v);
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v)
			n += count_keys(v);
	}
	return n;
}

json_t *
jsonx_parse_body(const char *body, size_t n, struct err *e)
{
	json_error_t je;

	if (!depth_ok(body, n)) {
		err_set(e, ERR_BADJSON, "JSON nested deeper than %d levels", JSON_MAX_DEPTH);
		return NULL;
	}
	json_t *j = json_loadb(body, n, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		err_set(e, ERR_BADJSON, "malformed JSON at line %d, column %d: %s",
			je.line, je.column, je.text);
		return NULL;
	}
	if (count_keys(j) > JSON_MAX_KEYS) {
		json_decref(j);
		err_set(e, ERR_BADJSON, "JSON has more than %d keys", JSON_MAX_KEYS);
		return NULL;
	}
	return j;
}

char *
jsonx_dump(const json_t *j, size_t *len)
{
	char *s = json_dumps(j, JSON_COMPACT);
	if (!s)
		s = xstrdup("null");
	if (len)
		*len = strlen(s);
	return s;
}

json_t *
jsonx_sorted(const json_t *a, int (*cmp)(const void *, const void *), size_t limit)
{
	size_t n = json_array_size(a);
	json_t **v = xcalloc(n ? n : 1, sizeof(*v)), *out = json_array();

	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(a, i);
	qsort(v, n, sizeof(*v), cmp);
	for (size_t i = 0; i < n && i < limit; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

/* ---- appending compact JSON to a buffer ----
 * Written as SQLite's json functions write it (same escapes, no spaces), so
 * a record rendered here and one rendered by SQL compare equal. Faster than
 * jansson's dump for the flat values records hold. */

int
jsonx_append_string(struct buf *b, const char *s, size_t n)
{
	static const char special[32] = {
		['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r',
	};
	size_t run = 0;
	int rc = buf_addc(b, '"');

	for (size_t i = 0; i < n && rc == 0; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c != '"' && c != '\\' && c >= 0x20)
			continue;
		rc |= buf_add(b, s + run, i - run);
		run = i + 1;
		/* one append a statement: the operands of | run in no set order */
		if (c == '"' || c == '\\' || special[c]) {
			rc |= buf_addc(b, '\\');
			rc |= buf_addc(b, c < 0x20 ? special[c] : (char)c);
		} else {
			rc |= buf_printf(b, "\\u%04x", c);
		}
	}
	if (rc == 0)
		rc = buf_add(b, s + run, n - run);
	return rc | buf_addc(b, '"');
}

int
jsonx_append(struct buf *b, const json_t *v)
{
	size_t i;
	json_t *x;
	int rc = 0;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return jsonx_append_string(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		return buf_add_int(b, json_integer_value(v));
	case JSON_TRUE:
		return buf_adds(b, "true");
	case JSON_FALSE:
		return buf_adds(b, "false");
	case JSON_NULL:
		return buf_adds(b, "null");
	case JSON_ARRAY:
		rc = buf_addc(b, '[');
		json_array_foreach(v, i, x) {
			if (i)
				rc |= buf_addc(b, ',');
			rc |= jsonx_append(b, x);
		}
		return rc | buf_addc(b, ']');
	default: {	/* reals and objects: rare in a record */
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
		if (!s)
			abort();
		rc = buf_adds(b, s);
		free(s);
		return rc;
	}
	}
}

bool
jsonx_array_has(const json_t *a, const json_t *v)
{
	size_t i;
	json_t *x;

	json_array_foreach(a, i, x)
		if (json_equal(x, v))
			return true;
	return false;
}
