/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harrierd's config table: defaults, Falco's shapes, every error with
 * file:line:col, bad values never replacing good defaults, reload checks.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/harrier_config.h"
#include "common/diag.h"

static struct config *load(const char *text, struct diag *d, int *ret)
{
	struct config *c = config_new();

	assert_non_null(c);
	diag_init(d);
	*ret = config_load_buffer(c, "test.yaml", text, strlen(text), d);
	return c;
}

static bool has_error(const struct diag *d, unsigned int line,
		      unsigned int col, const char *needle)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->items[i].level == DIAG_ERROR &&
		    d->items[i].line == line && d->items[i].col == col &&
		    strstr(d->items[i].message, needle))
			return true;
	diag_print(d, stderr);
	return false;
}

static void test_defaults(void **state)
{
	struct config *c = config_new();

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->nrules_files, 0);
	assert_int_equal(c->min_priority, ALERT_PRIO_DEBUG);
	assert_false(c->json_output);
	assert_true(c->stdout_output);
	assert_true(c->journald_output);
	assert_true(c->store_output);
	assert_string_equal(c->store_path, HARRIER_LOCALSTATEDIR "/alerts.db");
	assert_string_equal(c->source, "netlink");
	assert_string_equal(c->audit_rules_dir,
			    HARRIER_SYSCONFDIR "/audit-rules.d");
	assert_true(c->kernel_rules);
	assert_int_equal(c->backlog_limit, 8192);
	assert_false(c->track_forks);
	assert_int_equal(c->log_level, LOG_INFO);
	config_free(c);
}

static void test_falco_shapes(void **state)
{
	static const char text[] =
		"rules_file:\n"
		"  - /etc/harrier/a.yaml\n"
		"  - /etc/harrier/b.yaml\n"
		"priority: warning\n"
		"json_output: true\n"
		"stdout_output:\n"
		"  enabled: false\n"
		"journald_output: false\n"
		"store_output:\n"
		"  enabled: true\n"
		"  path: /tmp/x.db\n"
		"audit:\n"
		"  source: stdin\n"
		"  backlog_limit: 16384\n"
		"  kernel_rules: no\n"
		"  track_forks: yes\n"
		"log_level: debug\n";
	struct diag d;
	int r;
	struct config *c = load(text, &d, &r);

	(void)state;
	assert_int_equal(r, 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(c->nrules_files, 2);
	assert_string_equal(c->rules_files[1], "/etc/harrier/b.yaml");
	assert_int_equal(c->min_priority, ALERT_PRIO_WARNING);
	assert_true(c->json_output);
	assert_false(c->stdout_output);
	assert_false(c->journald_output);
	assert_string_equal(c->store_path, "/tmp/x.db");
	assert_string_equal(c->source, "stdin");
	assert_int_equal(c->backlog_limit, 16384);
	assert_false(c->kernel_rules);
	assert_true(c->track_forks);
	assert_int_equal(c->log_level, LOG_DEBUG);
	diag_free(&d);
	config_free(c);
}

/* Every error in the file, each at its place; the bad values leave the
 * defaults in place. */
static void test_every_error_reported(void **state)
{
	static const char text[] =
		"priority: loud\n"
		"nosuch: 1\n"
		"audit:\n"
		"  backlog_limit: 12\n"
		"  colour: blue\n"
		"stdout_output:\n"
		"  enabled: maybe\n"
		"rules_file: [a.yaml, [b]]\n";
	struct diag d;
	int r;
	struct config *c = load(text, &d, &r);

	(void)state;
	assert_int_equal(r, -EINVAL);
	assert_int_equal(d.nerrors, 6);
	assert_true(has_error(&d, 1, 11, "unknown priority 'loud'"));
	assert_true(has_error(&d, 2, 1, "unknown key 'nosuch'"));
	assert_true(has_error(&d, 4, 18, "from 64 to 1048576"));
	assert_true(has_error(&d, 5, 3, "unknown key 'audit.colour'"));
	assert_true(has_error(&d, 7, 12, "expected true or false"));
	assert_true(has_error(&d, 8, 22, "list items must be file names"));
	assert_int_equal(c->min_priority, ALERT_PRIO_DEBUG);
	assert_int_equal(c->backlog_limit, 8192);
	assert_true(c->stdout_output);
	assert_int_equal(c->nrules_files, 0);
	diag_free(&d);
	config_free(c);
}

static void test_yaml_syntax_error(void **state)
{
	struct diag d;
	int r;
	struct config *c = load("priority: [warning\n", &d, &r);

	(void)state;
	assert_int_equal(r, -EINVAL);
	assert_int_equal(d.nerrors, 1);
	assert_string_equal(d.items[0].file, "test.yaml");
	assert_true(d.items[0].line >= 1);
	assert_non_null(strstr(d.items[0].message, "YAML"));
	diag_free(&d);
	config_free(c);
}

static void test_not_a_mapping(void **state)
{
	struct diag d;
	int r;
	struct config *c = load("- a\n- b\n", &d, &r);

	(void)state;
	assert_int_equal(r, -EINVAL);
	assert_true(has_error(&d, 1, 1, "must be a mapping"));
	diag_free(&d);
	config_free(c);
	/* An empty file is a valid config of defaults. */
	c = load("", &d, &r);
	assert_int_equal(r, 0);
	assert_int_equal(d.n, 0);
	diag_free(&d);
	config_free(c);
}

static void test_missing_file(void **state)
{
	struct config *c = config_new();
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(config_load(c, "/nonexistent/harrier.yaml", &d),
			 -ENOENT);
	assert_int_equal(d.nerrors, 1);
	assert_string_equal(d.items[0].file, "/nonexistent/harrier.yaml");
	diag_free(&d);
	config_free(c);
}

static void test_reload_check(void **state)
{
	struct config *a = config_new(), *b;
	struct diag d;
	int r;

	(void)state;
	b = load("priority: error\nstore_output:\n  path: /tmp/other.db\n"
		 "audit:\n  backlog_limit: 100\n",
		 &d, &r);
	assert_int_equal(r, 0);
	diag_free(&d);
	diag_init(&d);
	config_check_reload(a, b, "test.yaml", &d);
	/* priority may change on reload; the store path and backlog not */
	assert_int_equal(d.nerrors, 0);
	assert_int_equal(d.n, 2);
	assert_non_null(strstr(d.items[0].message, "store_output.path"));
	assert_non_null(strstr(d.items[1].message, "audit.backlog_limit"));
	diag_free(&d);
	config_free(a);
	config_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_falco_shapes),
		cmocka_unit_test(test_every_error_reported),
		cmocka_unit_test(test_yaml_syntax_error),
		cmocka_unit_test(test_not_a_mapping),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_reload_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
