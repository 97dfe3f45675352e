/* SPDX-License-Identifier: Apache-2.0 */
/*
 * program_output's command line: split into words as a shell would, but
 * never run by one; what a shell would expand stays as it is.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sink/fileout.h"

static void expect(const char *in, const char *const *want)
{
	char **argv = NULL;
	size_t i;

	assert_int_equal(argv_split(in, &argv), 0);
	for (i = 0; want[i]; i++) {
		assert_non_null(argv[i]);
		assert_string_equal(argv[i], want[i]);
	}
	assert_null(argv[i]);
	argv_free(argv);
}

static void test_words(void **state)
{
	static const char *const a[] = { "/usr/bin/logger", "-t", "harrier",
					 NULL };
	static const char *const b[] = { "jq", "{text: .output}", NULL };
	static const char *const c[] = { "sh", "-c", "cat >>/tmp/x",
					 "a b", "c\"d", "$HOME", NULL };
	static const char *const d[] = { "x", "a b", "$(id)", "`id`", "|",
					 ";", NULL };

	(void)state;
	expect("  /usr/bin/logger\t-t harrier  ", a);
	expect("jq '{text: .output}'", b);
	expect("sh -c 'cat >>/tmp/x' \"a b\" \"c\\\"d\" '$HOME'", c);
	/* no expansion, no pipes, no command separators: all words */
	expect("x a\\ b $(id) `id` | ;", d);
}

static void test_bad(void **state)
{
	char **argv = NULL;

	(void)state;
	assert_int_equal(argv_split("sh -c 'unterminated", &argv), -EINVAL);
	assert_int_equal(argv_split("say \"half", &argv), -EINVAL);
	assert_int_equal(argv_split("   ", &argv), -EINVAL);
	assert_int_equal(argv_split("", &argv), -EINVAL);
	assert_int_equal(argv_split("trailing\\", &argv), -EINVAL);
	assert_null(argv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
