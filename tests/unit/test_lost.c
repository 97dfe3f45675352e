/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the lost-events accounting (src/pipeline/lost.h): no loss
 * is quiet, a loss gives one message with the right counts, the 30 s rate
 * limit and the delta told after it, the kernel counter taken relative to
 * its value at start, a reset kernel counter, and a too small buffer.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pipeline/lost.h"

static struct lost_counts counts(uint64_t queue, uint32_t kernel,
				 uint32_t backlog)
{
	struct lost_counts c = { queue, true, kernel, backlog };

	return c;
}

/* The counts part of a message, "lost=... kernel_backlog=N". */
static void assert_counts(const char *msg, const char *want)
{
	const char *open = strchr(msg, '(');
	const char *close = strchr(msg, ')');

	assert_non_null(open);
	assert_non_null(close);
	assert_int_equal((size_t)(close - open - 1), strlen(want));
	assert_memory_equal(open + 1, want, strlen(want));
}

static void test_no_loss_no_alert(void **state)
{
	struct lost l;
	struct lost_counts c = counts(0, 40, 3);
	char msg[LOST_MSG_MAX];

	(void)state;
	lost_init(&l, 40);
	assert_int_equal(lost_check(&l, &c, 0, msg, sizeof(msg)), 0);
	assert_int_equal(lost_check(&l, &c, 100, msg, sizeof(msg)), 0);
	c.kernel_known = false;
	c.kernel_lost = 0;
	assert_int_equal(lost_check(&l, &c, 200, msg, sizeof(msg)), 0);
}

static void test_queue_loss_message(void **state)
{
	struct lost l;
	struct lost_counts c = counts(5, 0, 7);
	char msg[LOST_MSG_MAX];

	(void)state;
	lost_init(&l, 0);
	assert_int_equal(lost_check(&l, &c, 0, msg, sizeof(msg)), 1);
	assert_string_equal(msg,
			    "Audit events were lost (lost=5 kernel_lost=0 "
			    "queue_dropped=5 kernel_backlog=7): detections "
			    "may have been missed; raise audit.backlog_limit "
			    "or reduce the rules' event types");
	/* Told once: the same counters later say nothing. */
	assert_int_equal(lost_check(&l, &c, 1000, msg, sizeof(msg)), 0);
}

static void test_kernel_loss_relative_to_start(void **state)
{
	struct lost l;
	struct lost_counts c = counts(2, 1004, 64);
	char msg[LOST_MSG_MAX];

	(void)state;
	lost_init(&l, 1000);
	assert_int_equal(lost_check(&l, &c, 10, msg, sizeof(msg)), 1);
	assert_counts(msg, "lost=6 kernel_lost=4 queue_dropped=2 "
			   "kernel_backlog=64");
}

static void test_rate_limit_then_delta(void **state)
{
	struct lost l;
	struct lost_counts c = counts(0, 103, 1);
	char msg[LOST_MSG_MAX];

	(void)state;
	lost_init(&l, 100);
	assert_int_equal(lost_check(&l, &c, 50, msg, sizeof(msg)), 1);
	assert_counts(msg, "lost=3 kernel_lost=3 queue_dropped=0 "
			   "kernel_backlog=1");

	c = counts(4, 110, 2);
	assert_int_equal(lost_check(&l, &c, 60, msg, sizeof(msg)), 0);
	c = counts(6, 111, 2);
	assert_int_equal(lost_check(&l, &c, 50 + LOST_ALERT_INTERVAL_SEC - 1,
				    msg, sizeof(msg)),
			 0);
	/* 30 s after the first: what was lost since it, 6 + 8. */
	assert_int_equal(lost_check(&l, &c, 50 + LOST_ALERT_INTERVAL_SEC, msg,
				    sizeof(msg)),
			 1);
	assert_counts(msg, "lost=14 kernel_lost=11 queue_dropped=6 "
			   "kernel_backlog=2");
	/* Nothing new: nothing, however late. */
	assert_int_equal(lost_check(&l, &c, 10000, msg, sizeof(msg)), 0);
}

static void test_kernel_counter_below_start(void **state)
{
	struct lost l;
	struct lost_counts c = counts(0, 0, 0);
	char msg[LOST_MSG_MAX];

	(void)state;
	lost_init(&l, 500);
	/* Reset to 0 (auditctl --reset-lost): nothing lost, no underflow. */
	assert_int_equal(lost_check(&l, &c, 0, msg, sizeof(msg)), 0);
	/* Then 10 lost after the reset: counted from the reset. */
	c = counts(0, 10, 5);
	assert_int_equal(lost_check(&l, &c, 1, msg, sizeof(msg)), 1);
	assert_counts(msg, "lost=10 kernel_lost=10 queue_dropped=0 "
			   "kernel_backlog=5");
	/* A second reset below the last value, with 2 new losses. */
	c = counts(0, 2, 5);
	assert_int_equal(lost_check(&l, &c, 100, msg, sizeof(msg)), 1);
	assert_counts(msg, "lost=2 kernel_lost=12 queue_dropped=0 "
			   "kernel_backlog=5");
	/* the total since start, over both resets (harrierd's SIGUSR1) */
	assert_int_equal(lost_kernel_total(&l), 12);
}

static void test_kernel_unknown_ignored(void **state)
{
	struct lost l;
	struct lost_counts c = counts(0, 0, 9);
	char msg[LOST_MSG_MAX];

	(void)state;
	lost_init(&l, 20);
	/* An unreadable kernel status is no reset and no loss. */
	c.kernel_known = false;
	assert_int_equal(lost_check(&l, &c, 0, msg, sizeof(msg)), 0);
	c = counts(1, 20, 9);
	c.kernel_known = false;
	assert_int_equal(lost_check(&l, &c, 0, msg, sizeof(msg)), 1);
	assert_counts(msg, "lost=1 kernel_lost=0 queue_dropped=1 "
			   "kernel_backlog=0");
	c = counts(1, 25, 9);
	assert_int_equal(lost_check(&l, &c, 30, msg, sizeof(msg)), 1);
	assert_counts(msg, "lost=5 kernel_lost=5 queue_dropped=1 "
			   "kernel_backlog=9");
}

static void test_small_buffer(void **state)
{
	struct lost l;
	struct lost_counts c = counts(3, 0, 0);
	char small[16], msg[LOST_MSG_MAX];

	(void)state;
	lost_init(&l, 0);
	assert_int_equal(lost_check(&l, &c, 0, small, sizeof(small)), -ENOBUFS);
	/* Not counted as told: the next check reports it. */
	assert_int_equal(lost_check(&l, &c, 0, msg, sizeof(msg)), 1);
	assert_counts(msg, "lost=3 kernel_lost=0 queue_dropped=3 "
			   "kernel_backlog=0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_loss_no_alert),
		cmocka_unit_test(test_queue_loss_message),
		cmocka_unit_test(test_kernel_loss_relative_to_start),
		cmocka_unit_test(test_rate_limit_then_delta),
		cmocka_unit_test(test_kernel_counter_below_start),
		cmocka_unit_test(test_kernel_unknown_ignored),
		cmocka_unit_test(test_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
