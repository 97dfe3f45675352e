/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the auditd plugin source (src/source/stdin.h) over a real
 * pipe: line splitting across reads, partial lines, the 0x1D enriched
 * separator passed through, overlong lines dropped and counted, EOF, and
 * a callback that stops reading.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/limits.h"
#include "source/stdin.h"

struct got {
	char *rec[64];
	size_t n;
	int fail_at; /* return -EINTR for this record index (0 = never) */
};

static int collect(const char *rec, size_t len, void *ud)
{
	struct got *g = ud;

	/* len bytes, no newline in them (common/linesplit) */
	assert_null(memchr(rec, '\n', len));
	if (g->fail_at && (size_t)g->fail_at == g->n + 1) {
		g->fail_at = 0;
		return -EINTR;
	}
	assert_true(g->n < 64);
	g->rec[g->n++] = strndup(rec, len);
	return 0;
}

static void got_free(struct got *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		free(g->rec[i]);
	g->n = 0;
}

static void write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		assert_true(w > 0);
		s += w;
		n -= (size_t)w;
	}
}

static void write_str(int fd, const char *s)
{
	write_all(fd, s, strlen(s));
}

struct fixture {
	int p[2];
	struct source *s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || pipe(f->p) < 0)
		return -1;
	/* a big pipe so the overlong-line test can write without a reader */
	(void)fcntl(f->p[1], F_SETPIPE_SZ, 1024 * 1024);
	f->s = source_stdin_new(f->p[0]);
	if (!f->s || source_start(f->s, NULL) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	source_free(f->s);
	close(f->p[0]);
	if (f->p[1] >= 0)
		close(f->p[1]);
	free(f);
	return 0;
}

static void close_writer(struct fixture *f)
{
	close(f->p[1]);
	f->p[1] = -1;
}

static void test_fd_is_the_input(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(source_get_fd(f->s), f->p[0]);
}

static void test_lines_and_partial_line(void **state)
{
	struct fixture *f = *state;
	struct got g = { .n = 0 };
	struct source_stats st;

	write_str(f->p[1], "type=SYSCALL msg=audit(1.000:1): a=1\n"
			   "type=EOE msg=audit(1.000:1): \ntype=PA");
	assert_int_equal(source_read(f->s, collect, &g), 1);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.rec[0], "type=SYSCALL msg=audit(1.000:1): a=1");
	assert_string_equal(g.rec[1], "type=EOE msg=audit(1.000:1): ");
	/* nothing more ready: returns without blocking */
	assert_int_equal(source_read(f->s, collect, &g), 1);
	assert_int_equal(g.n, 2);
	write_str(f->p[1], "TH msg=audit(1.000:2): name=\"/x\"\n");
	assert_int_equal(source_read(f->s, collect, &g), 1);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.rec[2], "type=PATH msg=audit(1.000:2): "
				      "name=\"/x\"");
	source_stats(f->s, &st);
	assert_int_equal(st.records, 3);
	assert_int_equal(st.malformed, 0);
	got_free(&g);
}

static void test_enriched_separator_passes_through(void **state)
{
	struct fixture *f = *state;
	struct got g = { .n = 0 };
	const char *line = "type=SYSCALL msg=audit(1.000:3): uid=0"
			   "\x1dUID=\"root\"";

	write_all(f->p[1], line, strlen(line));
	write_str(f->p[1], "\n");
	assert_int_equal(source_read(f->s, collect, &g), 1);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.rec[0], line);
	got_free(&g);
}

static void test_eof_delivers_last_line_and_returns_0(void **state)
{
	struct fixture *f = *state;
	struct got g = { .n = 0 };

	write_str(f->p[1], "\n\ntype=EOE msg=audit(1.000:4): ");
	close_writer(f);
	assert_int_equal(source_read(f->s, collect, &g), 0);
	/* blank lines are skipped; the unterminated last line is kept */
	assert_int_equal(g.n, 1);
	assert_string_equal(g.rec[0], "type=EOE msg=audit(1.000:4): ");
	assert_int_equal(source_read(f->s, collect, &g), 0);
	got_free(&g);
}

static void test_overlong_line_dropped_and_counted(void **state)
{
	struct fixture *f = *state;
	struct got g = { .n = 0 };
	struct source_stats st;
	size_t big = HARRIER_MAX_RECORD_LEN + 100;
	char *junk = malloc(big);
	int i, rc = 1;

	assert_non_null(junk);
	memset(junk, 'x', big);
	write_str(f->p[1], "type=A msg=audit(1.0:1): a\n");
	write_all(f->p[1], junk, big);
	write_str(f->p[1], "\ntype=B msg=audit(1.0:2): b\n");
	close_writer(f);
	for (i = 0; i < 10 && rc > 0; i++)
		rc = source_read(f->s, collect, &g);
	assert_int_equal(rc, 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.rec[0], "type=A msg=audit(1.0:1): a");
	/* the record after the overlong one is intact, not a fragment */
	assert_string_equal(g.rec[1], "type=B msg=audit(1.0:2): b");
	source_stats(f->s, &st);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(st.records, 2);
	free(junk);
	got_free(&g);
}

static void test_callback_error_stops_and_resumes(void **state)
{
	struct fixture *f = *state;
	struct got g = { .n = 0, .fail_at = 2 };

	write_str(f->p[1], "r1\nr2\nr3\n");
	assert_int_equal(source_read(f->s, collect, &g), -EINTR);
	assert_int_equal(g.n, 1);
	/* r2 was handed over (and refused); r3 is still delivered */
	assert_int_equal(source_read(f->s, collect, &g), 1);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.rec[1], "r3");
	got_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fd_is_the_input, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lines_and_partial_line,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_enriched_separator_passes_through, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_eof_delivers_last_line_and_returns_0, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_overlong_line_dropped_and_counted, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_callback_error_stops_and_resumes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
