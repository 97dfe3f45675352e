/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the kernel audit settings restore file
 * (src/kaudit/kstate.h) on real files in a temporary directory and real
 * processes: parsing and its bounds, the atomic write, and the decision
 * between a crashed run (pid gone: restore its values) and a live one
 * (do nothing). Never touches kernel audit.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_util.h"

#include "common/limits.h"
#include "kaudit/kstate.h"

static char tmpdir[] = "/tmp/harrier-test-kstate.XXXXXX";

/* A path in the test directory; valid for the next 7 calls. */
static const char *path_in(const char *name)
{
	static char bufs[8][256];
	static unsigned int next;
	char *buf = bufs[next++ % 8];
	int n = snprintf(buf, sizeof(bufs[0]), "%s/%s", tmpdir, name);

	assert_true(n > 0 && (size_t)n < sizeof(bufs[0]));
	return buf;
}

static void write_file(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static int parse_str(const char *text, struct kstate_record *ret)
{
	return kstate_parse(text, strlen(text), ret);
}

/* A process that exists until killed. */
static pid_t live_child(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;)
			(void)pause();
	}
	return pid;
}

static void end_child(pid_t pid)
{
	int st;

	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
}

/* A pid that is gone: a child that exited and was reaped. */
static pid_t gone_pid(void)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return pid;
}

static void write_state(const char *path, pid_t pid, uint32_t en, uint32_t bl)
{
	char text[128];
	int n = snprintf(text, sizeof(text),
			 "pid=%ld\nenabled=%u\nbacklog_limit=%u\n", (long)pid,
			 en, bl);

	assert_true(n > 0 && (size_t)n < sizeof(text));
	write_file(path, text, (size_t)n);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rm_tree(tmpdir);
}

/* ---- parsing ---- */

static void test_parse_valid(void **state)
{
	struct kstate_record r;

	(void)state;
	assert_int_equal(parse_str("# harrierd: kernel audit settings to "
				   "restore\npid=4242\nenabled=1\n"
				   "backlog_limit=8192\n",
				   &r),
			 0);
	assert_int_equal(r.pid, 4242);
	assert_int_equal(r.saved.enabled, 1);
	assert_int_equal(r.saved.backlog_limit, 8192);
}

static void test_parse_order_blank_no_final_newline(void **state)
{
	struct kstate_record r;

	(void)state;
	assert_int_equal(parse_str("\nbacklog_limit=64\n\n# x=y\nenabled=0\n"
				   "pid=7",
				   &r),
			 0);
	assert_int_equal(r.pid, 7);
	assert_int_equal(r.saved.enabled, 0);
	assert_int_equal(r.saved.backlog_limit, 64);
}

static void test_parse_unknown_key_ignored(void **state)
{
	struct kstate_record r;

	(void)state;
	assert_int_equal(parse_str("pid=9\nenabled=1\nbacklog_wait_time=60000"
				   "\nbacklog_limit=320\n",
				   &r),
			 0);
	assert_int_equal(r.pid, 9);
	assert_int_equal(r.saved.backlog_limit, 320);
}

static void test_parse_missing_key(void **state)
{
	struct kstate_record r;

	(void)state;
	assert_int_equal(parse_str("enabled=1\nbacklog_limit=64\n", &r),
			 -EINVAL);
	assert_int_equal(parse_str("pid=3\nbacklog_limit=64\n", &r), -EINVAL);
	assert_int_equal(parse_str("pid=3\nenabled=1\n", &r), -EINVAL);
	assert_int_equal(parse_str("", &r), -EINVAL);
}

static void test_parse_duplicate_key(void **state)
{
	struct kstate_record r;

	(void)state;
	assert_int_equal(parse_str("pid=3\nenabled=1\nbacklog_limit=64\n"
				   "enabled=0\n",
				   &r),
			 -EINVAL);
}

static void test_parse_malformed_lines(void **state)
{
	static const char *const bad[] = {
		"pid=3\nenabled=1\nbacklog_limit=64\ngarbage\n",
		"pid=3\nenabled=1\n=5\nbacklog_limit=64\n",
		"pid=3\nenabled=1\nBacklog_limit=64\n",
		" pid=3\nenabled=1\nbacklog_limit=64\n",
		"pid =3\nenabled=1\nbacklog_limit=64\n",
	};
	struct kstate_record r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_str(bad[i], &r), -EINVAL);
}

static void test_parse_malformed_numbers(void **state)
{
	static const char *const bad[] = {
		"pid=",	    "pid=-1",  "pid=+3",  "pid= 3",	     "pid=3 ",
		"pid=0x10", "pid=12a", "pid=3\r", "pid=00000000003",
	};
	char text[128];
	struct kstate_record r;
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = snprintf(text, sizeof(text),
			     "%s\nenabled=1\nbacklog_limit=64\n", bad[i]);
		assert_true(n > 0 && (size_t)n < sizeof(text));
		assert_int_equal(parse_str(text, &r), -EINVAL);
	}
}

static void test_parse_bounds(void **state)
{
	struct kstate_record r;

	(void)state;
	assert_int_equal(parse_str("pid=0\nenabled=1\nbacklog_limit=64\n", &r),
			 -EINVAL);
	assert_int_equal(parse_str("pid=2147483648\nenabled=1\n"
				   "backlog_limit=64\n",
				   &r),
			 -EINVAL);
	assert_int_equal(parse_str("pid=3\nenabled=2\nbacklog_limit=64\n", &r),
			 -EINVAL);
	assert_int_equal(parse_str("pid=3\nenabled=1\nbacklog_limit=0\n", &r),
			 -EINVAL);
	assert_int_equal(parse_str("pid=3\nenabled=1\n"
				   "backlog_limit=4294967296\n",
				   &r),
			 -EINVAL);
	assert_int_equal(parse_str("pid=2147483647\nenabled=1\n"
				   "backlog_limit=4294967295\n",
				   &r),
			 0);
	assert_int_equal(r.pid, 2147483647u);
	assert_int_equal(r.saved.backlog_limit, 4294967295u);
}

static void test_parse_nul_byte(void **state)
{
	static const char text[] = "pid=3\nenabled=1\0\nbacklog_limit=64\n";
	struct kstate_record r;

	(void)state;
	assert_int_equal(kstate_parse(text, sizeof(text) - 1, &r), -EINVAL);
}

static void test_parse_oversized(void **state)
{
	char text[HARRIER_KSTATE_MAX_BYTES + 1];
	struct kstate_record r;
	const char *head = "pid=3\nenabled=1\nbacklog_limit=64\n";

	(void)state;
	memset(text, '\n', sizeof(text));
	memcpy(text, head, strlen(head));
	assert_int_equal(kstate_parse(text, HARRIER_KSTATE_MAX_BYTES - 1, &r),
			 0);
	assert_int_equal(kstate_parse(text, HARRIER_KSTATE_MAX_BYTES, &r),
			 -EFBIG);
	write_file(path_in("big"), text, sizeof(text));
	assert_int_equal(kstate_read(path_in("big"), &r), -EFBIG);
}

/* ---- reading ---- */

static void test_read_missing_symlink_notfile(void **state)
{
	struct kstate_record r;
	const char *real = path_in("real");

	(void)state;
	assert_int_equal(kstate_read(path_in("none"), &r), -ENOENT);
	write_state(real, 5, 1, 64);
	assert_int_equal(kstate_read(real, &r), 0);
	assert_int_equal(r.pid, 5);
	assert_int_equal(symlink(real, path_in("link")), 0);
	assert_int_equal(kstate_read(path_in("link"), &r), -ELOOP);
	assert_int_equal(mkfifo(path_in("fifo"), 0600), 0);
	assert_int_equal(kstate_read(path_in("fifo"), &r), -EINVAL);
}

/* ---- liveness ---- */

static void test_pid_alive(void **state)
{
	pid_t live = live_child();

	(void)state;
	assert_true(kstate_pid_alive(live));
	end_child(live);
	assert_false(kstate_pid_alive(live));
	assert_false(kstate_pid_alive(gone_pid()));
	assert_false(kstate_pid_alive(getpid()));
}

/* ---- prepare, write, restore, remove ---- */

static void test_no_file_restores_kernel_now(void **state)
{
	struct kstate_settings now = { 0, 64 }, got;
	struct kstate *ks = kstate_new(path_in("fresh/kernel-state"));
	struct kstate_record r;

	(void)state;
	assert_non_null(ks);
	assert_false(kstate_known(ks));
	assert_int_equal(kstate_saved(ks, &got), -ENODATA);
	assert_int_equal(kstate_write(ks, getpid()), -ENODATA);
	assert_int_equal(kstate_prepare(ks, &now, NULL), KSTATE_FROM_KERNEL);
	assert_true(kstate_known(ks));
	assert_int_equal(kstate_saved(ks, &got), 0);
	assert_int_equal(got.enabled, 0);
	assert_int_equal(got.backlog_limit, 64);

	/* The directory is created; the file says what to restore. */
	assert_int_equal(kstate_write(ks, 1234), 0);
	assert_int_equal(kstate_read(path_in("fresh/kernel-state"), &r), 0);
	assert_int_equal(r.pid, 1234);
	assert_int_equal(r.saved.enabled, 0);
	assert_int_equal(r.saved.backlog_limit, 64);
	assert_int_equal(access(path_in("fresh/kernel-state.tmp"), F_OK), -1);

	/* Not from a crash: nothing to put back at stop. */
	now.enabled = 1;
	now.backlog_limit = 8192;
	assert_false(kstate_restore_plan(ks, &now, &got));
	kstate_free(ks);
}

static void test_write_replaces_by_rename(void **state)
{
	struct kstate_settings now = { 1, 320 };
	const char *p = path_in("atomic");
	struct kstate *ks = kstate_new(p);
	struct kstate_record r;
	struct stat before, after;

	(void)state;
	assert_non_null(ks);
	assert_int_equal(kstate_prepare(ks, &now, NULL), KSTATE_FROM_KERNEL);
	/* Something at the path: a new inode replaces it whole, never a
	 * truncated old one. */
	write_file(p, "old\n", 4);
	assert_int_equal(stat(p, &before), 0);
	assert_int_equal(kstate_write(ks, 99), 0);
	assert_int_equal(stat(p, &after), 0);
	assert_true(before.st_ino != after.st_ino);
	assert_int_equal(after.st_mode & 07777, 0644);
	assert_int_equal(kstate_read(p, &r), 0);
	assert_int_equal(r.pid, 99);
	assert_int_equal(r.saved.backlog_limit, 320);
	kstate_free(ks);
}

static void test_write_failure_leaves_file(void **state)
{
	struct kstate_settings now = { 1, 320 };
	const char *p = path_in("keep");
	struct kstate *ks = kstate_new(p);
	struct kstate_record r;
	pid_t dead = gone_pid();

	(void)state;
	assert_non_null(ks);
	write_state(p, dead, 0, 64);
	assert_int_equal(mkdir(path_in("keep.tmp"), 0755), 0);
	assert_int_equal(kstate_prepare(ks, &now, NULL), KSTATE_FROM_CRASH);
	assert_int_equal(kstate_write(ks, 100), -EISDIR);
	assert_int_equal(kstate_read(p, &r), 0);
	assert_int_equal(r.pid, (uint32_t)dead);
	/* Not written by us: stop leaves the file and changes nothing. */
	assert_false(kstate_restore_plan(ks, &now, &now));
	assert_int_equal(kstate_remove(ks), 0);
	assert_int_equal(kstate_read(p, &r), 0);
	kstate_free(ks);
}

static void test_gone_pid_restores_recorded(void **state)
{
	struct kstate_settings now = { 1, 8192 }, got;
	const char *p = path_in("crash");
	struct kstate *ks = kstate_new(p);
	struct kstate_record file, r;
	pid_t dead = gone_pid();

	(void)state;
	assert_non_null(ks);
	write_state(p, dead, 0, 64);
	assert_int_equal(kstate_prepare(ks, &now, &file), KSTATE_FROM_CRASH);
	assert_int_equal(file.pid, (uint32_t)dead);
	assert_int_equal(file.saved.enabled, 0);
	assert_int_equal(file.saved.backlog_limit, 64);
	assert_true(kstate_known(ks));
	assert_int_equal(kstate_saved(ks, &got), 0);
	assert_int_equal(got.enabled, 0);
	assert_int_equal(got.backlog_limit, 64);

	/* This run records the crashed run's values under its own pid. */
	assert_int_equal(kstate_write(ks, getpid()), 0);
	assert_int_equal(kstate_read(p, &r), 0);
	assert_int_equal(r.pid, (uint32_t)getpid());
	assert_int_equal(r.saved.enabled, 0);
	assert_int_equal(r.saved.backlog_limit, 64);

	/* At stop the kernel still has the crashed run's settings. */
	assert_true(kstate_restore_plan(ks, &now, &got));
	assert_int_equal(got.enabled, 0);
	assert_int_equal(got.backlog_limit, 64);

	assert_int_equal(kstate_remove(ks), 0);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(kstate_remove(ks), 0);
	kstate_free(ks);
}

static void test_live_pid_does_nothing(void **state)
{
	struct kstate_settings now = { 1, 8192 }, got;
	const char *p = path_in("other");
	struct kstate *ks = kstate_new(p);
	struct kstate_record file, r;
	pid_t live = live_child();

	(void)state;
	assert_non_null(ks);
	write_state(p, live, 0, 64);
	assert_int_equal(kstate_prepare(ks, &now, &file), KSTATE_OTHER_RUN);
	assert_int_equal(file.pid, (uint32_t)live);
	assert_false(kstate_known(ks));
	assert_int_equal(kstate_saved(ks, &got), -ENODATA);
	assert_int_equal(kstate_write(ks, getpid()), -ENODATA);
	assert_false(kstate_restore_plan(ks, &now, &got));
	/* The other run's file stays as it wrote it. */
	assert_int_equal(kstate_remove(ks), 0);
	assert_int_equal(kstate_read(p, &r), 0);
	assert_int_equal(r.pid, (uint32_t)live);
	kstate_free(ks);
	end_child(live);
}

static void test_own_pid_is_a_crash(void **state)
{
	struct kstate_settings now = { 1, 8192 };
	const char *p = path_in("self");
	struct kstate *ks = kstate_new(p);

	(void)state;
	assert_non_null(ks);
	write_state(p, getpid(), 0, 100);
	assert_int_equal(kstate_prepare(ks, &now, NULL), KSTATE_FROM_CRASH);
	kstate_free(ks);
}

/* The file of a crashed run that set enabled 1, while the kernel now has
 * enabled 0 (an administrator disabled audit since, or the node booted
 * again with /run kept): restoring "enabled 1" would undo that. Seen in
 * CI: a stale file from a killed run turned audit on at every stop. */
static void test_changed_since_is_stale(void **state)
{
	struct kstate_settings now = { 0, 8192 }, got;
	const char *p = path_in("stale");
	struct kstate *ks = kstate_new(p);
	struct kstate_record file, r;
	pid_t dead = gone_pid();
	char text[256];
	int n;

	(void)state;
	assert_non_null(ks);
	n = snprintf(text, sizeof(text),
		     "pid=%ld\nenabled=1\nbacklog_limit=64\n"
		     "applied_enabled=1\napplied_backlog_limit=8192\n",
		     (long)dead);
	write_file(p, text, (size_t)n);
	assert_int_equal(kstate_prepare(ks, &now, &file), KSTATE_STALE);
	assert_true(file.has_applied);
	assert_int_equal(file.applied.enabled, 1);
	/* what the kernel has now is what will be restored */
	assert_true(kstate_known(ks));
	assert_int_equal(kstate_saved(ks, &got), 0);
	assert_int_equal(got.enabled, 0);
	assert_int_equal(got.backlog_limit, 8192);
	assert_int_equal(kstate_write(ks, getpid()), 0);
	assert_false(kstate_restore_plan(ks, &now, &got));
	assert_int_equal(kstate_read(p, &r), 0);
	assert_int_equal(r.saved.enabled, 0);
	assert_int_equal(kstate_remove(ks), 0);

	/* a file of an older version (no applied settings) was written
	 * with audit enabled: audit disabled now is a change since */
	write_state(p, dead, 1, 64);
	assert_int_equal(kstate_prepare(ks, &now, NULL), KSTATE_STALE);

	/* the same file while the kernel still has what the run set: a
	 * crash, restored */
	write_file(p, text, (size_t)n);
	now.enabled = 1;
	assert_int_equal(kstate_prepare(ks, &now, &file), KSTATE_FROM_CRASH);
	assert_int_equal(kstate_write(ks, getpid()), 0);
	assert_true(kstate_restore_plan(ks, &now, &got));
	assert_int_equal(got.enabled, KSTATE_KEEP);
	assert_int_equal(got.backlog_limit, 64);
	assert_int_equal(kstate_remove(ks), 0);
	kstate_free(ks);
}

/* A file of an earlier boot: even a live pid is someone else now. */
static void test_earlier_boot_is_stale(void **state)
{
	struct kstate_settings now = { 0, 8192 };
	const char *p = path_in("oldboot");
	struct kstate *ks = kstate_new(p);
	uint32_t boot = kstate_boot_time();
	char text[256];
	int n;

	(void)state;
	assert_non_null(ks);
	assert_true(boot > 3600);
	n = snprintf(text, sizeof(text),
		     "pid=%ld\nenabled=1\nbacklog_limit=64\nboot_time=%u\n",
		     (long)getppid(), boot - 3600);
	write_file(p, text, (size_t)n);
	assert_int_equal(kstate_prepare(ks, &now, NULL), KSTATE_STALE);
	assert_true(kstate_known(ks));
	/* this boot's, with a live pid: another run */
	n = snprintf(text, sizeof(text),
		     "pid=%ld\nenabled=1\nbacklog_limit=64\nboot_time=%u\n",
		     (long)getppid(), boot);
	write_file(p, text, (size_t)n);
	assert_int_equal(kstate_prepare(ks, &now, NULL), KSTATE_OTHER_RUN);
	kstate_free(ks);
}

/* What a run writes: the settings it applied and its boot, read back. */
static void test_write_records_applied_and_boot(void **state)
{
	struct kstate_settings now = { 0, 64 }, applied = { 1, 8192 };
	const char *p = path_in("applied");
	struct kstate *ks = kstate_new(p);
	struct kstate_record r;

	(void)state;
	assert_non_null(ks);
	assert_int_equal(kstate_prepare(ks, &now, NULL), KSTATE_FROM_KERNEL);
	kstate_set_applied(ks, &applied);
	assert_int_equal(kstate_write(ks, getpid()), 0);
	assert_int_equal(kstate_read(p, &r), 0);
	assert_true(r.has_applied);
	assert_int_equal(r.applied.enabled, 1);
	assert_int_equal(r.applied.backlog_limit, 8192);
	assert_true(r.has_boot_time);
	assert_int_equal(r.boot_time, kstate_boot_time());
	assert_int_equal(kstate_remove(ks), 0);
	kstate_free(ks);
	/* half a pair is malformed */
	assert_int_equal(parse_str("pid=5\nenabled=0\nbacklog_limit=64\n"
				   "applied_enabled=1\n",
				   &r),
			 -EINVAL);
}

static void test_malformed_file_ignored(void **state)
{
	struct kstate_settings now = { 1, 320 }, got;
	const char *p = path_in("bad");
	struct kstate *ks = kstate_new(p);
	struct kstate_record r;

	(void)state;
	assert_non_null(ks);
	write_file(p, "pid=3\nenabled=7\nbacklog_limit=64\n", 33);
	assert_int_equal(kstate_prepare(ks, &now, NULL), -EINVAL);
	assert_true(kstate_known(ks));
	assert_int_equal(kstate_saved(ks, &got), 0);
	assert_int_equal(got.enabled, 1);
	assert_int_equal(got.backlog_limit, 320);
	assert_int_equal(kstate_write(ks, 55), 0);
	assert_int_equal(kstate_read(p, &r), 0);
	assert_int_equal(r.pid, 55);
	assert_int_equal(r.saved.backlog_limit, 320);
	assert_false(kstate_restore_plan(ks, &now, &got));
	kstate_free(ks);
}

static void test_restore_plan_keeps_what_is_right(void **state)
{
	struct kstate_settings now = { 1, 8192 }, got;
	const char *p = path_in("plan");
	struct kstate *ks = kstate_new(p);

	(void)state;
	assert_non_null(ks);
	write_state(p, gone_pid(), 1, 64);
	assert_int_equal(kstate_prepare(ks, &now, NULL), KSTATE_FROM_CRASH);
	/* Not written yet: not ours to restore. */
	assert_false(kstate_restore_plan(ks, &now, &got));
	assert_int_equal(kstate_write(ks, getpid()), 0);

	assert_true(kstate_restore_plan(ks, &now, &got));
	assert_int_equal(got.enabled, KSTATE_KEEP);
	assert_int_equal(got.backlog_limit, 64);

	now.enabled = 0;
	now.backlog_limit = 64;
	assert_true(kstate_restore_plan(ks, &now, &got));
	assert_int_equal(got.enabled, 1);
	assert_int_equal(got.backlog_limit, KSTATE_KEEP);

	/* Locked (enabled 2): never touched. */
	now.enabled = 2;
	assert_false(kstate_restore_plan(ks, &now, &got));

	now.enabled = 1;
	assert_false(kstate_restore_plan(ks, &now, &got));
	assert_int_equal(kstate_remove(ks), 0);
	kstate_free(ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_order_blank_no_final_newline),
		cmocka_unit_test(test_parse_unknown_key_ignored),
		cmocka_unit_test(test_parse_missing_key),
		cmocka_unit_test(test_parse_duplicate_key),
		cmocka_unit_test(test_parse_malformed_lines),
		cmocka_unit_test(test_parse_malformed_numbers),
		cmocka_unit_test(test_parse_bounds),
		cmocka_unit_test(test_parse_nul_byte),
		cmocka_unit_test(test_parse_oversized),
		cmocka_unit_test(test_read_missing_symlink_notfile),
		cmocka_unit_test(test_pid_alive),
		cmocka_unit_test(test_no_file_restores_kernel_now),
		cmocka_unit_test(test_write_replaces_by_rename),
		cmocka_unit_test(test_write_failure_leaves_file),
		cmocka_unit_test(test_gone_pid_restores_recorded),
		cmocka_unit_test(test_live_pid_does_nothing),
		cmocka_unit_test(test_own_pid_is_a_crash),
		cmocka_unit_test(test_malformed_file_ignored),
		cmocka_unit_test(test_changed_since_is_stale),
		cmocka_unit_test(test_earlier_boot_is_stale),
		cmocka_unit_test(test_write_records_applied_and_boot),
		cmocka_unit_test(test_restore_plan_keeps_what_is_right),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
