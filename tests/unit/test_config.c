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
#include "common/limits.h"
#include "common/yaml_depth.h"

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

/* The outputs' and the store's keys: Falco's shapes, durations, rates,
 * an enabled output needs its destination. */
static void test_output_keys(void **state)
{
	static const char text[] =
		"http_output:\n"
		"  enabled: true\n"
		"  url: \"http://127.0.0.1:2801/\"\n"
		"  ca_cert: \"\"\n"
		"  compress_uploads: true\n"
		"  max_consecutive_timeouts: 3\n"
		"file_output: {enabled: true, keep_alive: true, filename: /x}\n"
		"program_output:\n"
		"  enabled: false\n"
		"  program: \"jq '{text: .output}'\"\n"
		"outputs:\n"
		"  rate: 0.5\n"
		"  max_burst: 10\n"
		"store_output:\n"
		"  max_age: 30d\n"
		"  max_rows: 1000000\n"
		"  spool_dir: /srv/spool\n";
	struct config *c;
	struct diag d;
	int r;

	(void)state;
	c = load(text, &d, &r);
	assert_int_equal(r, 0);
	assert_true(c->http_output);
	assert_string_equal(c->http_url, "http://127.0.0.1:2801/");
	assert_null(c->http_ca_cert); /* "" is unset */
	assert_true(c->http_compress);
	assert_int_equal(c->http_max_timeouts, 3);
	assert_int_equal(c->http_timeout_ms, 5000);
	assert_true(c->file_output && c->file_keep_alive);
	assert_string_equal(c->file_name, "/x");
	assert_string_equal(c->program, "jq '{text: .output}'");
	assert_true(c->out_rate == 0.5);
	assert_int_equal(c->out_max_burst, 10);
	assert_int_equal(c->max_age_s, 30ULL * 86400);
	assert_int_equal(c->max_rows, 1000000);
	assert_string_equal(c->spool_dir, "/srv/spool");
	assert_string_equal(c->store_group, "adm");
	diag_free(&d);
	config_free(c);

	c = load("store_output:\n  max_age: 3 days\noutputs:\n  rate: -1\n"
		 "http_output:\n  enabled: true\n",
		 &d, &r);
	assert_int_equal(r, -EINVAL);
	assert_true(has_error(&d, 2, 12, "max_age: expected a duration"));
	assert_true(has_error(&d, 4, 9, "outputs.rate"));
	config_free(c);
	diag_free(&d);
	/* an output on without where to send */
	c = load("http_output:\n  enabled: true\n", &d, &r);
	assert_int_equal(r, -EINVAL);
	assert_true(has_error(&d, 0, 0, "http_output.url is not set"));
	config_free(c);
	diag_free(&d);
}

/* Reload takes every reloadable key and leaves the others. */
static void test_take_reloadable(void **state)
{
	struct config *run = config_new(), *next;
	struct diag d;
	int r;

	(void)state;
	next = load("json_output: true\nstdout_output: false\n"
		    "journald_output: false\nhttp_output:\n  enabled: true\n"
		    "  url: http://a/\nstore_output:\n  max_rows: 5\n"
		    "  spool_dir: /elsewhere\noutputs:\n  rate: 2\n",
		    &d, &r);
	assert_int_equal(r, 0);
	assert_false(config_section_equal(run, next, "http_output."));
	assert_true(config_section_equal(run, next, "file_output."));
	config_take_reloadable(run, next);
	assert_true(run->json_output);
	assert_false(run->stdout_output);
	assert_false(run->journald_output);
	assert_true(run->http_output);
	assert_string_equal(run->http_url, "http://a/");
	assert_int_equal(run->max_rows, 5);
	assert_true(run->out_rate == 2);
	/* not reloadable: the running value stays */
	assert_string_equal(run->spool_dir, HARRIER_LOCALSTATEDIR "/spool");
	/* strings were swapped: the caller frees the old ones */
	assert_null(next->http_url);
	diag_free(&d);
	config_free(run);
	config_free(next);
}

/* Nesting past HARRIER_MAX_YAML_DEPTH is refused before it is loaded,
 * with the position of the first node too deep. */
static void test_deep_nesting_refused(void **state)
{
	struct config *c;
	struct diag d;
	char *text;
	size_t i, n = 100000;
	unsigned int line = 0, col = 0;
	int r;

	(void)state;
	text = malloc(2 * n + 16);
	assert_non_null(text);
	memcpy(text, "priority: ", 10);
	for (i = 0; i < n; i++) {
		text[10 + i] = '[';
		text[10 + n + i] = ']';
	}
	text[10 + 2 * n] = '\0';
	assert_int_equal(yaml_check_depth(text, strlen(text),
					  HARRIER_MAX_YAML_DEPTH, &line, &col),
			 -E2BIG);
	/* the top mapping is the first level, the 64th '[' the 65th */
	assert_int_equal(line, 1);
	assert_int_equal(col, 10 + HARRIER_MAX_YAML_DEPTH);
	c = load(text, &d, &r);
	assert_int_equal(r, -EINVAL);
	assert_true(has_error(&d, 1, 10 + HARRIER_MAX_YAML_DEPTH,
			      "nested deeper than"));
	config_free(c);
	diag_free(&d);
	free(text);
	/* what Falco's files need is far below */
	assert_int_equal(yaml_check_depth("a: [[[[1]]]]\n", 13,
					  HARRIER_MAX_YAML_DEPTH, &line, &col),
			 0);
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
		cmocka_unit_test(test_output_keys),
		cmocka_unit_test(test_take_reloadable),
		cmocka_unit_test(test_deep_nesting_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
