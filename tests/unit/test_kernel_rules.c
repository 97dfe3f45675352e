/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the kernel audit rules parser (src/kaudit/kernel_rules.h):
 * auditctl syntax through libaudit's rule builder, the rejected options,
 * the harrier key requirement, ABI expansion and merged syscall rules.
 * Nothing here talks to the kernel (see tests/integration/ for that).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libaudit.h>

#include "common/diag.h"
#include "kaudit/kernel_rules.h"

/* Number of ABIs a syscall rule without arch= expands to here. */
static size_t nabis(void)
{
	return audit_determine_machine("b32") >= 0 ? 2 : 1;
}

static int load(struct kernel_rules *set, const char *text, struct diag *d)
{
	return kernel_rules_load_buffer(set, "t.rules", text, strlen(text), d);
}

/* Does some diagnostic format to a string containing all of want? */
static bool diag_has(const struct diag *d, const char *want)
{
	char buf[1024];
	size_t i;

	for (i = 0; i < d->n; i++) {
		diag_format(&d->items[i], buf, sizeof(buf));
		if (strstr(buf, want))
			return true;
	}
	return false;
}

static void dump(const struct diag *d)
{
	char buf[1024];
	size_t i;

	for (i = 0; i < d->n; i++) {
		diag_format(&d->items[i], buf, sizeof(buf));
		fprintf(stderr, "  diag: %s\n", buf);
	}
}

static void test_watch_rule(void **state)
{
	struct kernel_rules *set = kernel_rules_new(0);
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(
		load(set, "-w /etc/shadow -p r -k harrier_shadow\n", &d), 0);
	assert_int_equal(d.nerrors, 0);
	assert_int_equal(kernel_rules_count(set), 1);
	assert_non_null(strstr(kernel_rules_describe(set, 0),
			       "t.rules:1: -w /etc/shadow -p r"));
	assert_null(kernel_rules_describe(set, 1));
	diag_free(&d);
	kernel_rules_free(set);
}

static void test_comments_and_blank_lines(void **state)
{
	struct kernel_rules *set = kernel_rules_new(0);
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(load(set,
			      "# a comment\n\n   \n\t# indented\n"
			      "-w /etc/passwd -p wa -k harrier_pw",
			      &d),
			 0);
	assert_int_equal(kernel_rules_count(set), 1);
	/* the line number counts the comments */
	assert_non_null(strstr(kernel_rules_describe(set, 0), "t.rules:5:"));
	diag_free(&d);
	kernel_rules_free(set);
}

static void test_syscall_rule_without_arch_expands(void **state)
{
	struct kernel_rules *set = kernel_rules_new(0);
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(load(set,
			      "-a always,exit -S execve,execveat "
			      "-k harrier_exec\n",
			      &d),
			 0);
	assert_int_equal(kernel_rules_count(set), nabis());
	assert_non_null(strstr(kernel_rules_describe(set, 0), "(arch=b64)"));
	if (nabis() == 2)
		assert_non_null(
			strstr(kernel_rules_describe(set, 1), "(arch=b32)"));
	diag_free(&d);
	kernel_rules_free(set);
}

static void test_explicit_arch_is_one_rule(void **state)
{
	struct kernel_rules *set = kernel_rules_new(0);
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(load(set,
			      "-a exit,always -F arch=b64 -S openat "
			      "-F success=1 -F auid>=1000 "
			      "-F auid!=unset -k harrier_open\n",
			      &d),
			 0);
	assert_int_equal(kernel_rules_count(set), 1);
	diag_free(&d);
	kernel_rules_free(set);
}

static void test_b32_twin_skips_missing_syscalls(void **state)
{
	struct kernel_rules *set = kernel_rules_new(0);
	struct diag d;

	(void)state;
	if (nabis() < 2)
		skip();
	diag_init(&d);
	/* newfstatat does not exist on i386: the b32 rule has only openat */
	assert_int_equal(load(set,
			      "-a always,exit -S newfstatat,openat "
			      "-k harrier_x\n",
			      &d),
			 0);
	assert_int_equal(kernel_rules_count(set), 2);
	kernel_rules_free(set);
	diag_free(&d);

	/* ... and with nothing left for b32 there is no b32 rule at all */
	set = kernel_rules_new(0);
	diag_init(&d);
	assert_int_equal(load(set,
			      "-a always,exit -S newfstatat "
			      "-k harrier_x\n",
			      &d),
			 0);
	assert_int_equal(kernel_rules_count(set), 1);
	diag_free(&d);
	kernel_rules_free(set);
}

static void test_rejects_delete_all(void **state)
{
	struct kernel_rules *set = kernel_rules_new(0);
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(load(set,
			      "# header\n-D\n"
			      "-w /etc/shadow -p r -k harrier_s\n",
			      &d),
			 -EINVAL);
	if (!diag_has(&d, "t.rules:2:1: error: -D is not allowed"))
		dump(&d);
	assert_true(diag_has(&d, "t.rules:2:1: error: -D is not allowed"));
	/* a file with errors adds nothing, not even its valid rules */
	assert_int_equal(kernel_rules_count(set), 0);
	diag_free(&d);
	kernel_rules_free(set);
}

static void test_rejects_enable_lock_failure_backlog(void **state)
{
	struct kernel_rules *set = kernel_rules_new(0);
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(load(set, "-e 2\n-f 2\n-b 8192\n-e 1\n", &d), -EINVAL);
	assert_true(diag_has(&d, "t.rules:1:1: error: -e is not allowed"));
	assert_true(diag_has(&d, "t.rules:2:1: error: -f is not allowed"));
	assert_true(diag_has(&d, "t.rules:3:1: error: -b is not allowed"));
	assert_true(diag_has(&d, "t.rules:4:1: error: -e is not allowed"));
	assert_int_equal(d.nerrors, 4);
	assert_int_equal(kernel_rules_count(set), 0);
	diag_free(&d);
	kernel_rules_free(set);
}

static void test_rejects_missing_key(void **state)
{
	struct kernel_rules *set = kernel_rules_new(0);
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(load(set, "-w /etc/shadow -p r\n", &d), -EINVAL);
	assert_true(diag_has(&d, "t.rules:1:1: error: rule has no key "
				 "starting \"harrier\""));
	diag_free(&d);
	kernel_rules_free(set);
}

static void test_rejects_foreign_key(void **state)
{
	struct kernel_rules *set = kernel_rules_new(0);
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(load(set,
			      "\n-a always,exit -F arch=b64 -S execve "
			      "-k exec_watch\n",
			      &d),
			 -EINVAL);
	/* the column points at the key */
	assert_true(diag_has(&d, "t.rules:2:41: error: rule has no key"));
	diag_free(&d);
	kernel_rules_free(set);
}

static void test_second_key_may_be_harrier(void **state)
{
	struct kernel_rules *set = kernel_rules_new(0);
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(load(set,
			      "-w /etc/shadow -p r -k soc "
			      "-k harrier_s\n",
			      &d),
			 0);
	assert_int_equal(kernel_rules_count(set), 1);
	diag_free(&d);
	kernel_rules_free(set);
}

static void test_rejects_unknown_syscall_and_field(void **state)
{
	struct kernel_rules *set = kernel_rules_new(0);
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(load(set,
			      "-a always,exit -F arch=b64 -S nosuchcall "
			      "-k harrier_a\n"
			      "-a always,exit -F arch=b64 -S execve "
			      "-F bogus=1 -k harrier_b\n"
			      "-a always,exit -F arch=b64 -S execve "
			      "-F pid=abc -k harrier_c\n",
			      &d),
			 -EINVAL);
	/* every error of the file, each at its line and column */
	assert_true(diag_has(&d, "t.rules:1:31: error: unknown syscall "
				 "'nosuchcall'"));
	assert_true(diag_has(&d, "t.rules:2:41: error: -F bogus=1"));
	assert_true(diag_has(&d, "t.rules:3:41: error: -F pid=abc: value "
				 "must be numeric"));
	assert_int_equal(d.nerrors, 3);
	diag_free(&d);
	kernel_rules_free(set);
}

static void test_rejects_bad_shapes(void **state)
{
	struct kernel_rules *set = kernel_rules_new(0);
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(load(set,
			      "-a always -S execve -k harrier_a\n"
			      "-S execve -k harrier_b\n"
			      "-w etc/shadow -k harrier_c\n"
			      "-w /etc/shadow -p rz -k harrier_d\n"
			      "-a always,exit -S execve -k\n"
			      "-l\n",
			      &d),
			 -EINVAL);
	assert_true(diag_has(&d, "t.rules:1:4: error: -a needs a list"));
	assert_true(diag_has(&d, "t.rules:2:1: error: a rule needs -a"));
	assert_true(diag_has(&d, "t.rules:3:4: error: watch path must be "
				 "absolute"));
	assert_true(diag_has(&d, "t.rules:4:19: error: -p takes"));
	assert_true(diag_has(&d, "t.rules:5:26: error: -k needs an "
				 "argument"));
	assert_true(diag_has(&d, "t.rules:6:1: error: unsupported option"));
	diag_free(&d);
	kernel_rules_free(set);
}

static void test_comparison_and_prepend(void **state)
{
	struct kernel_rules *set = kernel_rules_new(0);
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(load(set,
			      "-A always,exit -F arch=b64 -S execve "
			      "-C uid!=euid -F euid=0 -k harrier_setuid\n",
			      &d),
			 0);
	if (d.nerrors)
		dump(&d);
	assert_int_equal(kernel_rules_count(set), 1);
	diag_free(&d);
	kernel_rules_free(set);
}

/* The file's examples ("#   -a ...", "#   -w ...") are rules that load. */
static void test_base_rules_examples(void)
{
	struct kernel_rules *set = kernel_rules_new(getpid());
	FILE *f = fopen(TOP_SRCDIR "/audit-rules/10-harrier-base.rules", "r");
	char line[512], text[2048] = "";
	size_t n = 0;
	struct diag d;
	int rc;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "#   -", 5) == 0) {
			strncat(text, line + 4, sizeof(text) - strlen(text) - 1);
			n++;
		}
	fclose(f);
	assert_true(n >= 2);
	diag_init(&d);
	rc = kernel_rules_load_buffer(set, "examples", text, strlen(text), &d);
	if (rc)
		dump(&d);
	assert_int_equal(rc, 0);
	assert_true(kernel_rules_count(set) >= n);
	diag_free(&d);
	kernel_rules_free(set);
}

static void test_shipped_base_rules_load(void **state)
{
	struct kernel_rules *set = kernel_rules_new(getpid());
	struct diag d;
	int rc;

	(void)state;
	diag_init(&d);
	rc = kernel_rules_load_file(
		set, TOP_SRCDIR "/audit-rules/10-harrier-base.rules", &d);
	if (rc)
		dump(&d);
	assert_int_equal(rc, 0);
	/* examples in comments only: every kernel rule costs every syscall
	 * of the node, and the detection rules bring their own */
	assert_int_equal(kernel_rules_count(set), 0);
	diag_free(&d);
	kernel_rules_free(set);
	test_base_rules_examples();
}

static void test_load_dir_in_name_order(void **state)
{
	char dir[] = "/tmp/harrier-krules-XXXXXX";
	char path[256];
	struct kernel_rules *set = kernel_rules_new(0);
	struct diag d;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/20-b.rules", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("-w /etc/group -p wa -k harrier_b\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/10-a.rules", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("-w /etc/passwd -p wa -k harrier_a\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/README", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("-D\n", f); /* not a .rules file: ignored */
	fclose(f);

	diag_init(&d);
	assert_int_equal(kernel_rules_load_dir(set, dir, &d), 0);
	assert_int_equal(kernel_rules_count(set), 2);
	assert_non_null(strstr(kernel_rules_describe(set, 0), "10-a.rules"));
	assert_non_null(strstr(kernel_rules_describe(set, 1), "20-b.rules"));
	diag_free(&d);
	kernel_rules_free(set);

	snprintf(path, sizeof(path), "%s/20-b.rules", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/10-a.rules", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/README", dir);
	unlink(path);
	rmdir(dir);
}

static void test_missing_dir_is_empty(void **state)
{
	struct kernel_rules *set = kernel_rules_new(0);
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(kernel_rules_load_dir(set, "/nonexistent/harrier", &d),
			 0);
	assert_int_equal(kernel_rules_count(set), 0);
	diag_free(&d);
	kernel_rules_free(set);
}

static void test_add_syscalls_merges_and_ignores_record_types(void **state)
{
	const char *names[] = { "execve", "USER_LOGIN", "openat",
				"execve", "connect",	"not_a_syscall" };
	struct kernel_rules *set = kernel_rules_new(1234);
	size_t added = 99;

	(void)state;
	assert_int_equal(kernel_rules_add_syscalls(set, names, 6, &added), 0);
	assert_int_equal(added, 3);
	/* one merged rule per ABI */
	assert_int_equal(kernel_rules_count(set), nabis());
	assert_non_null(strstr(kernel_rules_describe(set, 0),
			       "-S execve,openat,connect -k harrier"));
	kernel_rules_free(set);
}

static void test_add_syscalls_nothing_to_add(void **state)
{
	const char *names[] = { "USER_LOGIN", "ANOM_ABEND" };
	struct kernel_rules *set = kernel_rules_new(0);
	size_t added = 99;

	(void)state;
	assert_int_equal(kernel_rules_add_syscalls(set, names, 2, &added), 0);
	assert_int_equal(added, 0);
	assert_int_equal(kernel_rules_count(set), 0);
	kernel_rules_free(set);
}

static void test_add_syscalls_success_only_group(void **state)
{
	const char *any[] = { "read", "connect" };
	const char *succ[] = { "openat", "USER_LOGIN", "unlink" };
	struct kernel_rules *set = kernel_rules_new(1234);
	size_t added = 99, i;

	(void)state;
	assert_int_equal(kernel_rules_add_syscalls(set, any, 2, &added), 0);
	assert_int_equal(added, 2);
	assert_int_equal(
		kernel_rules_add_syscalls_success(set, succ, 3, &added), 0);
	assert_int_equal(added, 2);
	/* one merged rule per ABI and group */
	assert_int_equal(kernel_rules_count(set), 2 * nabis());
	for (i = 0; i < nabis(); i++) {
		const char *all = kernel_rules_describe(set, i);
		const char *ok = kernel_rules_describe(set, nabis() + i);

		assert_non_null(strstr(all, "-S read,connect -k harrier"));
		assert_null(strstr(all, "success"));
		assert_non_null(
			strstr(ok, "-S openat,unlink -F success=1 -k harrier"));
	}
	kernel_rules_free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watch_rule),
		cmocka_unit_test(test_comments_and_blank_lines),
		cmocka_unit_test(test_syscall_rule_without_arch_expands),
		cmocka_unit_test(test_explicit_arch_is_one_rule),
		cmocka_unit_test(test_b32_twin_skips_missing_syscalls),
		cmocka_unit_test(test_rejects_delete_all),
		cmocka_unit_test(test_rejects_enable_lock_failure_backlog),
		cmocka_unit_test(test_rejects_missing_key),
		cmocka_unit_test(test_rejects_foreign_key),
		cmocka_unit_test(test_second_key_may_be_harrier),
		cmocka_unit_test(test_rejects_unknown_syscall_and_field),
		cmocka_unit_test(test_rejects_bad_shapes),
		cmocka_unit_test(test_comparison_and_prepend),
		cmocka_unit_test(test_shipped_base_rules_load),
		cmocka_unit_test(test_load_dir_in_name_order),
		cmocka_unit_test(test_missing_dir_is_empty),
		cmocka_unit_test(
			test_add_syscalls_merges_and_ignores_record_types),
		cmocka_unit_test(test_add_syscalls_nothing_to_add),
		cmocka_unit_test(test_add_syscalls_success_only_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
