/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/linesplit: lines across any split of the stream, the last line
 * without its newline, over-long lines dropped whole and counted once,
 * a stopped callback resumed, line numbers.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/linesplit.h"

#define MAX 16

struct got {
	char line[32][MAX + 2];
	size_t n;
	int stop_at; /* return -EINTR for this line (1-based; 0 = never) */
	const struct linesplit *ls; /* set: each line's number in at[] */
	uint64_t at[32];
};

static int collect(const char *line, size_t n, void *ud)
{
	struct got *g = ud;

	assert_true(n > 0 && n <= MAX);
	assert_int_equal(line[n], '\n');
	assert_null(memchr(line, '\n', n));
	if (g->stop_at && (size_t)g->stop_at == g->n + 1) {
		g->stop_at = 0;
		return -EINTR;
	}
	assert_true(g->n < 32);
	memcpy(g->line[g->n], line, n);
	g->line[g->n][n] = '\0';
	if (g->ls)
		g->at[g->n] = g->ls->lineno;
	g->n++;
	return 0;
}

static void test_any_split(void **state)
{
	static const char in[] = "alpha\nbeta\n\ngamma delta\nlast";
	struct linesplit ls;
	size_t step, i;

	(void)state;
	for (step = 1; step < sizeof(in); step++) {
		struct got g = { .n = 0 };

		assert_int_equal(linesplit_init(&ls, MAX, 4), 0);
		for (i = 0; i < sizeof(in) - 1; i += step)
			assert_int_equal(
				linesplit_feed(&ls, in + i,
					       i + step < sizeof(in) - 1 ?
						       step :
						       sizeof(in) - 1 - i,
					       collect, &g),
				0);
		assert_int_equal(linesplit_finish(&ls, collect, &g), 0);
		assert_int_equal(g.n, 4);
		assert_string_equal(g.line[0], "alpha");
		assert_string_equal(g.line[1], "beta");
		assert_string_equal(g.line[2], "gamma delta");
		assert_string_equal(g.line[3], "last");
		assert_int_equal(ls.lines, 4);
		assert_int_equal(ls.overlong, 0);
		linesplit_free(&ls);
	}
}

/* Exactly MAX bytes pass; MAX + 1 is dropped whole, counted once, also
 * when it arrives in many pieces and with no newline in sight for long;
 * nothing of it reappears as a line. */
static void test_overlong_dropped_once(void **state)
{
	struct linesplit ls;
	struct got g = { .n = 0 };
	char exact[MAX + 2], over[4 * MAX];
	size_t i;

	(void)state;
	memset(exact, 'e', MAX);
	exact[MAX] = '\n';
	memset(over, 'o', sizeof(over));
	assert_int_equal(linesplit_init(&ls, MAX, 4), 0);
	assert_int_equal(linesplit_feed(&ls, exact, MAX + 1, collect, &g), 0);
	for (i = 0; i < sizeof(over); i += 3)
		assert_int_equal(linesplit_feed(&ls, over + i,
						i + 3 < sizeof(over) ?
							3 :
							sizeof(over) - i,
						collect, &g),
				 0);
	assert_int_equal(linesplit_feed(&ls, "\nok\n", 4, collect, &g), 0);
	/* an over-long last line without a newline is dropped too */
	assert_int_equal(linesplit_feed(&ls, over, MAX + 1, collect, &g), 0);
	assert_int_equal(linesplit_finish(&ls, collect, &g), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(strlen(g.line[0]), MAX);
	assert_string_equal(g.line[1], "ok");
	assert_int_equal(ls.overlong, 2);
	linesplit_free(&ls);
}

/* Line numbers count every line, blank and dropped ones too, across any
 * split of the stream; the number of the last dropped line is kept (also
 * when it was dropped before its newline came). */
static void test_line_numbers(void **state)
{
	static const char in[] =
		"a\n\nbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\nc\n\nlast";
	struct linesplit ls;
	size_t step, i, k;

	(void)state;
	for (step = 1; step < sizeof(in); step++) {
		struct got g = { .n = 0, .ls = &ls };

		assert_int_equal(linesplit_init(&ls, MAX, 4), 0);
		for (i = 0; i < sizeof(in) - 1; i += step) {
			k = i + step < sizeof(in) - 1 ? step :
							sizeof(in) - 1 - i;
			assert_int_equal(linesplit_feed(&ls, in + i, k,
							collect, &g),
					 0);
		}
		assert_int_equal(linesplit_finish(&ls, collect, &g), 0);
		assert_int_equal(g.n, 3);
		assert_string_equal(g.line[1], "c");
		assert_int_equal(g.at[0], 1);
		assert_int_equal(g.at[1], 4);
		assert_int_equal(g.at[2], 6);
		assert_int_equal(ls.overlong, 1);
		assert_int_equal(ls.overlong_line, 3);
		linesplit_free(&ls);
	}
}

/* The read-in-place form, and a callback that stops: the lines after it
 * come with the next call. */
static void test_commit_and_resume(void **state)
{
	struct linesplit ls;
	struct got g = { .n = 0, .stop_at = 2 };
	char *p;
	size_t room;

	(void)state;
	assert_int_equal(linesplit_init(&ls, MAX, 32), 0);
	room = linesplit_space(&ls, &p);
	assert_true(room >= 32);
	memcpy(p, "one\ntwo\nthree\nfo", 16);
	assert_int_equal(linesplit_commit(&ls, 16, collect, &g), -EINTR);
	assert_int_equal(g.n, 1);
	assert_int_equal(linesplit_commit(&ls, 0, collect, &g), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.line[1], "three");
	room = linesplit_space(&ls, &p);
	memcpy(p, "ur\n", 3);
	assert_int_equal(linesplit_commit(&ls, 3, collect, &g), 0);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.line[2], "four");
	linesplit_free(&ls);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_any_split),
		cmocka_unit_test(test_overlong_dropped_once),
		cmocka_unit_test(test_line_numbers),
		cmocka_unit_test(test_commit_and_resume),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
