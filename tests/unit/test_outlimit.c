/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pipeline/outlimit: per-rule token buckets on an injected clock (no
 * sleeping): a flood of one rule is held back after its burst, another
 * rule still goes through, the bucket refills at the rate, the summary
 * counts what was held back and starts over, rate 0 never limits.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/clock.h"
#include "common/limits.h"
#include "pipeline/outlimit.h"

struct seen {
	char rule[64];
	uint64_t n;
	unsigned int calls;
};

static void collect(const char *rule, uint64_t n, void *ud)
{
	struct seen *s = ud;

	s->calls++;
	(void)snprintf(s->rule, sizeof(s->rule), "%s", rule);
	s->n = n;
}

static unsigned int allow_n(struct outlimit *l, const char *rule,
			    unsigned int n)
{
	unsigned int ok = 0, i;

	for (i = 0; i < n; i++)
		ok += outlimit_allow(l, rule);
	return ok;
}

static void test_flood_held_back_other_rule_through(void **state)
{
	struct clock_fake clk;
	struct outlimit *l;
	struct seen s = { "", 0, 0 };

	(void)state;
	clock_fake_init(&clk, 1000000000ULL, 0);
	l = outlimit_new(1.0, 20, &clk.clock);
	assert_non_null(l);
	assert_int_equal(allow_n(l, "Noisy", 1000), 20);
	/* another rule has its own bucket */
	assert_int_equal(allow_n(l, "Quiet", 3), 3);
	/* 2.5 s later: 2 more for the noisy one */
	clock_fake_advance_ms(&clk, 2500);
	assert_int_equal(allow_n(l, "Noisy", 10), 2);
	assert_int_equal(outlimit_summary(l, collect, &s), 980 + 8);
	assert_int_equal(s.calls, 1);
	assert_string_equal(s.rule, "Noisy");
	assert_int_equal(s.n, 988);
	/* counted once: the next summary starts from zero */
	assert_int_equal(outlimit_summary(l, collect, &s), 0);
	/* a long quiet time refills up to the burst, not beyond */
	clock_fake_advance_ms(&clk, 3600 * 1000);
	assert_int_equal(allow_n(l, "Noisy", 100), 20);
	outlimit_free(l);
}

static void test_rate_zero_never_limits(void **state)
{
	struct outlimit *l = outlimit_new(0, 1, NULL);

	(void)state;
	assert_non_null(l);
	assert_int_equal(allow_n(l, "Any", 100000), 100000);
	assert_int_equal(outlimit_summary(l, NULL, NULL), 0);
	/* a new setting (SIGHUP) applies at once, buckets full */
	outlimit_set(l, 0.5, 3);
	assert_int_equal(allow_n(l, "Any", 10), 3);
	outlimit_free(l);
}

/* Past HARRIER_OUTLIMIT_RULES rules the rest share one bucket: still
 * limited, never let through unlimited. */
static void test_many_rules_share_a_bucket(void **state)
{
	struct clock_fake clk;
	struct outlimit *l;
	char name[32];
	unsigned int i, ok = 0;

	(void)state;
	clock_fake_init(&clk, 1, 0);
	l = outlimit_new(1.0, 2, &clk.clock);
	assert_non_null(l);
	for (i = 0; i < HARRIER_OUTLIMIT_RULES + 100; i++) {
		(void)snprintf(name, sizeof(name), "rule %u", i);
		ok += outlimit_allow(l, name);
	}
	/* each of the first rules its burst share; the 100 others 2 */
	assert_int_equal(ok, HARRIER_OUTLIMIT_RULES + 2);
	outlimit_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flood_held_back_other_rule_through),
		cmocka_unit_test(test_rate_zero_never_limits),
		cmocka_unit_test(test_many_rules_share_a_bucket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
