/* SPDX-License-Identifier: MIT */
/* io/vcard: text escaping and unescaping, folding at 75 octets without
 * cutting a UTF-8 sequence, a record written as a card and read back, and
 * bad cards reported without stopping the reading. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "io/vcard.h"
#include "util/utf8.h"

static void
escaping(void **state)
{
	struct buf b;
	const char *in = "a,b;c\\d\ne";

	(void)state;
	buf_init(&b, 1024);
	vcard_escape(&b, in, strlen(in));
	assert_string_equal(b.data, "a\\,b\\;c\\\\d\\ne");
	b.len = vcard_unescape(b.data, b.len);
	assert_string_equal(b.data, in);
	buf_release(&b);
}

static void
folding(void **state)
{
	struct buf b;
	char value[400] = "";

	(void)state;
	for (int i = 0; i < 40; i++)
		strcat(value, "歐陽");	/* 3-byte characters: 240 octets */
	buf_init(&b, 4096);
	vcard_line(&b, "NOTE", value, strlen(value));
	/* every physical line at most 75 octets, each valid UTF-8 */
	size_t lines = 0;
	for (char *p = b.data, *nl; *p; p = nl + 2) {
		nl = strstr(p, "\r\n");
		assert_non_null(nl);
		assert_true(nl - p <= VCARD_FOLD);
		assert_true(utf8_valid(p, (size_t)(nl - p)));
		if (lines++)
			assert_int_equal(*p, ' ');
	}
	assert_true(lines >= 4);
	/* unfolded, it is the line again */
	struct buf u;
	buf_init(&u, 4096);
	for (const char *p = b.data; *p; p++) {
		if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ')
			p += 2;
		else if (p[0] != '\r' && p[0] != '\n')
			buf_addc(&u, *p);
	}
	assert_string_equal(u.data + 5, value);
	buf_release(&u);
	buf_release(&b);
}

static int
read_one(const char *text, json_t **rec, long *line, char *msg)
{
	struct csv_mem m = { text, strlen(text), 0 };
	struct vcard_reader *r = vcard_reader_new(csv_mem_read, &m);
	char *raw;
	int rc = vcard_next(r, rec, line, &raw, msg, 160);

	free(raw);
	vcard_reader_free(r);
	return rc;
}

static void
round_trip(void **state)
{
	json_t *rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
		"name", "陳大文", "family_name", "陳", "given_name", "大文", "email", "dw@example.tw",
		"phone", "+886 2 2345 6789", "mobile", "0912-345-678", "address", "松仁路100號; 5樓, B室",
		"city", "台北市", "birth_date", "1985-06-15", "language", "zh-Hant",
		"notes", "VIP, 喜歡綠茶;\n週末來");
	struct buf b;
	json_t *back;
	long line;
	char msg[160];

	(void)state;
	buf_init(&b, 1 << 16);
	vcard_write(&b, rec, NULL);
	assert_non_null(strstr(b.data, "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:陳大文\r\nN:陳;大文;;;\r\n"));
	assert_non_null(strstr(b.data, "BDAY:19850615\r\n"));
	assert_non_null(strstr(b.data, "TEL;TYPE=cell:0912-345-678\r\n"));
	assert_int_equal(read_one(b.data, &back, &line, msg), 1);
	assert_int_equal(line, 1);
	const char *keys[] = { "name", "family_name", "given_name", "email", "phone", "mobile",
			       "address", "city", "birth_date", "language", "notes" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_string_equal(json_string_value(json_object_get(back, keys[i])),
				    json_string_value(json_object_get(rec, keys[i])));
	assert_string_equal(json_string_value(json_object_get(back, "kind")), "person");
	json_decref(back);
	json_decref(rec);
	buf_release(&b);
}

static void
bad_cards(void **state)
{
	json_t *rec;
	long line;
	char msg[160];

	(void)state;
	assert_int_equal(read_one("BEGIN:VCARD\r\nFN:x\r\n", &rec, &line, msg), -1);
	assert_non_null(strstr(msg, "END:VCARD missing"));
	assert_int_equal(read_one("hello\r\n", &rec, &line, msg), -1);
	assert_non_null(strstr(msg, "BEGIN:VCARD"));
	assert_int_equal(read_one("BEGIN:VCARD\r\nno colon\r\nEND:VCARD\r\n", &rec, &line, msg), -1);
	assert_int_equal(read_one("", &rec, &line, msg), 0);
	/* after a bad card, the next one is read */
	const char *two = "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:old\r\nEND:VCARD\r\n"
			  "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:新\r\nKIND:org\r\nEND:VCARD\r\n";
	struct csv_mem m = { two, strlen(two), 0 };
	struct vcard_reader *r = vcard_reader_new(csv_mem_read, &m);
	char *raw;
	assert_int_equal(vcard_next(r, &rec, &line, &raw, msg, sizeof(msg)), -1);
	free(raw);
	assert_int_equal(vcard_next(r, &rec, &line, &raw, msg, sizeof(msg)), 1);
	assert_int_equal(line, 5);
	assert_string_equal(json_string_value(json_object_get(rec, "name")), "新");
	assert_string_equal(json_string_value(json_object_get(rec, "kind")), "company");
	free(raw);
	json_decref(rec);
	vcard_reader_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escaping),
		cmocka_unit_test(folding),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(bad_cards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
