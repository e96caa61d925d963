/* SPDX-License-Identifier: MIT */
/* store/sqlite_fts: the tokens the "guanxi" tokenizer gives a document, as
 * FTS5 itself stores them (read back through an fts5vocab table): a
 * trigram at every position, one and two Han characters, one and two
 * characters where a word starts, and nothing across a newline. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>
#include "store/sqlite_fts.h"
#include "util/buf.h"

/* The tokens of text as "position:token" lines, colocated tokens in byte
 * order, the marks written U: (one Han), B: (two), W: (a word's start). */
static char *
tokens_of(const char *text)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	struct buf b;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite_fts_register(db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(a, tokenize = 'guanxi');"
				      "CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance');",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t (a) VALUES (?)", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT offset, term FROM v ORDER BY offset, term",
					    -1, &st, NULL), SQLITE_OK);
	buf_init(&b, 1 << 16);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 1);
		static const char *const marks[] = { "", "U:", "B:", "W:" };
		buf_printf(&b, "%d:", sqlite3_column_int(st, 0));
		if (*t >= 1 && *t <= 3)
			buf_adds(&b, marks[(int)*t++]);
		buf_adds(&b, t);
		buf_addc(&b, '\n');
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return buf_detach(&b, NULL);
}

static void
tokens_are(const char *text, const char *want)
{
	char *got = tokens_of(text);

	assert_string_equal(got, want);
	free(got);
}

static void
latin_han_and_a_newline(void **state)
{
	(void)state;
	tokens_are("li 陈大\nab",
		   "0:W:l\n0:W:li\n0:li \n"	/* a word starts: its first one and two */
		   "1:i 陈\n"
		   "2:B: 陈\n2: 陈大\n"	/* a pair holding a Han character */
		   "3:U:陈\n3:B:陈大\n"	/* no trigram across the newline */
		   "4:U:大\n"
		   "5:W:a\n5:W:ab\n");	/* b alone: neither trigram nor word start */
}

static void
words_numbers_and_symbols(void **state)
{
	(void)state;
	tokens_are("a1@b.c",
		   "0:W:a\n0:W:a1\n0:a1@\n"
		   "1:1@b\n"
		   "2:W:@\n2:W:@b\n2:@b.\n"	/* a run of symbols starts */
		   "3:W:b\n3:W:b.\n3:b.c\n"
		   "4:W:.\n4:W:.c\n"
		   "5:W:c\n");
}

static void
each_value_on_its_own(void **state)
{
	(void)state;
	/* values one a line, three characters or fewer each */
	tokens_are("王小明\n\nxy\n吳", "0:U:王\n0:B:王小\n0:王小明\n1:U:小\n1:B:小明\n2:U:明\n"
		   "3:W:x\n3:W:xy\n4:U:吳\n");
	tokens_are("", "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(latin_han_and_a_newline),
		cmocka_unit_test(words_numbers_and_symbols),
		cmocka_unit_test(each_value_on_its_own),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
