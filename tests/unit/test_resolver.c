/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The background resolver: names registered, resolved (localhost, from
 * /etc/hosts: no network), matched by address in any spelling, and the
 * background thread picking up a name added after it started.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/resolver.h"

static void test_resolve_and_match(void **state)
{
	char buf[64];

	(void)state;
	/* a numeric name resolves without any lookup */
	assert_int_equal(resolver_add("127.0.0.2"), 0);
	assert_false(resolver_match("127.0.0.2", "127.0.0.2"));
	assert_true(resolver_refresh() >= 1);
	assert_true(resolver_match("127.0.0.2", "127.0.0.2"));
	/* localhost: the thread of the first test resolved it */
	assert_true(resolver_match("localhost", "127.0.0.1"));
	assert_true(resolver_match("LOCALHOST", "127.0.0.1"));
	assert_false(resolver_match("localhost", "10.0.0.1"));
	assert_false(resolver_match("example.invalid", "127.0.0.1"));
	assert_false(resolver_match("localhost", "not an ip"));
	assert_string_equal(resolver_name_of("127.0.0.1", buf, sizeof(buf)),
			    "localhost");
	assert_null(resolver_name_of("192.0.2.1", buf, sizeof(buf)));
}

static void test_bad_names(void **state)
{
	(void)state;
	assert_int_equal(resolver_add(""), -EINVAL);
	assert_int_equal(resolver_add("a b"), -EINVAL);
	assert_int_equal(resolver_add("10.0.0.0/8"), -EINVAL);
	assert_int_equal(resolver_add(NULL), -EINVAL);
}

/* The daemon's thread resolves a name added after it started (localhost:
 * /etc/hosts, no network); before that, nothing matches it. */
static void test_background_thread(void **state)
{
	int i;

	(void)state;
	assert_int_equal(resolver_start(600), 0);
	assert_false(resolver_match("localhost", "127.0.0.1"));
	assert_int_equal(resolver_add("localhost"), 0);
	assert_int_equal(resolver_add("localhost"), 0); /* once */
	for (i = 0; i < 250 && !resolver_match("localhost", "127.0.0.1"); i++)
		usleep(20000);
	resolver_stop();
	assert_true(resolver_match("localhost", "127.0.0.1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_background_thread),
		cmocka_unit_test(test_resolve_and_match),
		cmocka_unit_test(test_bad_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
