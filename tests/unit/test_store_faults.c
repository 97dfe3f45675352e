/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store as the daemon runs it (trusted paths, a spool, never giving
 * up), against real faults on real files: a reader holding BEGIN
 * EXCLUSIVE with the sqlite3 CLI, a file system filled to its last byte,
 * chattr +i on the database, its -wal, -shm and directory (SIGBUS on the
 * WAL index), the files deleted or replaced while open, a restart in the
 * middle of a fault. After each, every alert emitted is in the store
 * exactly once and in order, the counters say so, and the fault was
 * reported when it began and when it cleared. Context around alerts
 * waits through a short fault and is dropped, counted, by one that
 * spills (it is never spooled), and goes with its alerts or by age. Also:
 * safe opening, retention on an injected clock, a WAL that stays
 * bounded.
 * Root is needed for chattr, chown and the mount namespaces.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/fs.h>
#include <sched.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_util.h"

#include "common/alert.h"
#include "common/clock.h"
#include "common/context.h"
#include "common/limits.h"
#include "sink/sink.h"
#include "sink/store.h"
#include "sink/store_guard.h"

#define T0 1795886107000000000ULL /* 2026-11-28T17:15:07Z */
/* how long a test waits for something the store does on its own before
 * it calls it a failure (not a timing assertion: a bound on hanging) */
#define WAIT_MS 30000

struct fixture {
	char dir[64];	/* 0700, root's */
	char sdir[96];	/* the store's directory */
	char db[128];
	char spool[96]; /* the spool directory, beside */
	uint64_t serial; /* next alert's marker (audit_serial) */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	(void)snprintf(f->dir, sizeof(f->dir), "/tmp/test_store_faults.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	(void)snprintf(f->sdir, sizeof(f->sdir), "%s/store", f->dir);
	(void)snprintf(f->db, sizeof(f->db), "%s/alerts.db", f->sdir);
	(void)snprintf(f->spool, sizeof(f->spool), "%s/spool", f->dir);
	if (mkdir(f->sdir, 0750) < 0) {
		free(f);
		return -1;
	}
	f->serial = 1;
	*state = f;
	return 0;
}

static void chattr(const char *path, bool on)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), flags = 0;

	if (fd < 0)
		return;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
		if (on)
			flags |= FS_IMMUTABLE_FL;
		else
			flags &= ~FS_IMMUTABLE_FL;
		(void)ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
	(void)close(fd);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char p[160];

	/* whatever a failed test left immutable */
	chattr(f->sdir, false);
	(void)snprintf(p, sizeof(p), "%s-wal", f->db);
	chattr(p, false);
	(void)snprintf(p, sizeof(p), "%s-shm", f->db);
	chattr(p, false);
	chattr(f->db, false);
	(void)umount2(f->sdir, MNT_DETACH);
	(void)umount2(f->spool, MNT_DETACH);
	(void)rm_tree(f->dir);
	free(f);
	return 0;
}

/* Root, and root tests not switched off (a package build runs make check
 * as root but must not chattr, chown or mount: HARRIER_NO_ROOT_TESTS). */
static void need_root(void)
{
	const char *off = getenv("HARRIER_NO_ROOT_TESTS");

	if (off && *off) {
		skip();
		return;
	}
	if (geteuid() != 0) {
		if (getenv("HARRIER_NO_SKIP"))
			fail_msg("needs root (HARRIER_NO_SKIP is set)");
		skip();
	}
}

static void daemon_options(const struct fixture *f, struct store_options *o)
{
	store_options_init(o);
	o->trusted = true;
	o->keep_trying = true;
	o->spool_dir = f->spool;
	o->busy_timeout_ms = 50;
	o->retry_max_ms = 50;
}

static struct sink *open_daemon(const struct fixture *f)
{
	struct store_options o;
	struct sink *s = NULL;
	char *err = NULL;
	int r;

	daemon_options(f, &o);
	r = store_sink_open(f->db, &o, &s, &err);
	if (r < 0)
		fail_msg("store_sink_open(%s): %s", f->db, err ? err : "?");
	return s;
}

/* n alerts, marked by consecutive audit serials from f->serial; each
 * rule's own tag ("tag-RULE") and container ("ctr-RULE"): the side
 * tables the writer keeps (schema/004) must survive faults too. */
static void emit_n(struct fixture *f, struct sink *s, unsigned int n,
		   const char *rule)
{
	char tag[64], ctr[64];
	unsigned int i;

	(void)snprintf(tag, sizeof(tag), "tag-%s", rule);
	(void)snprintf(ctr, sizeof(ctr), "ctr-%s", rule);
	for (i = 0; i < n; i++) {
		struct alert *a = calloc(1, sizeof(*a));

		assert_non_null(a);
		a->time_ns = T0 + f->serial;
		a->rule = xstrdup(rule);
		a->tags = calloc(2, sizeof(*a->tags));
		assert_non_null(a->tags);
		a->tags[0] = xstrdup(tag);
		a->tags[1] = xstrdup("mitre_credential_access");
		a->ntags = 2;
		a->container_id = xstrdup("c0ffee00c0ffee00c0ffee00c0ffee00");
		a->container_name = xstrdup(ctr);
		a->priority = ALERT_PRIO_WARNING;
		a->output = xstrdup("fault test: cat read /etc/shadow "
				    "(file=/etc/shadow proc=cat)");
		a->hostname = xstrdup("node-1");
		a->source = xstrdup("syscall");
		a->cmdline = xstrdup("cat /etc/shadow");
		a->file = xstrdup("/etc/shadow");
		a->pid = a->ppid = a->uid = a->auid = -1;
		a->audit_serial = f->serial++;
		assert_int_equal(sink_emit(s, a), 0);
		alert_free(a);
	}
}

static long long q_int(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st;
	long long v = -1;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	(void)sqlite3_busy_timeout(h, 5000);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s (%d)", sql, sqlite3_errmsg(h),
			 sqlite3_extended_errcode(h));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	(void)sqlite3_finalize(st);
	(void)sqlite3_close(h);
	return v;
}

/* The alerts marked first..last are each in the store once, in the
 * order they were emitted, and nothing else of rule is there; its tags
 * and container are in the side tables, once. */
static void assert_exactly_once(const char *db, const char *rule,
				uint64_t first, uint64_t last)
{
	char sql[512];

	(void)snprintf(sql, sizeof(sql),
		       "SELECT (SELECT count(*) FROM rule_tags WHERE rule = "
		       "'%s' AND tag IN ('tag-%s', 'mitre_credential_access'))"
		       " * 10 + (SELECT count(*) FROM containers WHERE name = "
		       "'ctr-%s')",
		       rule, rule, rule);
	assert_int_equal(q_int(db, sql), 21);

	(void)snprintf(sql, sizeof(sql),
		       "SELECT count(*) FROM alerts WHERE rule = '%s'", rule);
	assert_int_equal(q_int(db, sql), (long long)(last - first + 1));
	(void)snprintf(sql, sizeof(sql),
		       "SELECT count(DISTINCT audit_serial) FROM alerts WHERE "
		       "rule = '%s' AND audit_serial BETWEEN %llu AND %llu",
		       rule, (unsigned long long)first,
		       (unsigned long long)last);
	assert_int_equal(q_int(db, sql), (long long)(last - first + 1));
	/* in order: row ids grow with the serials */
	(void)snprintf(sql, sizeof(sql),
		       "SELECT count(*) FROM (SELECT audit_serial AS s, "
		       "lag(audit_serial) OVER (ORDER BY id) AS p FROM alerts "
		       "WHERE rule = '%s') WHERE p IS NOT NULL AND s <= p",
		       rule);
	assert_int_equal(q_int(db, sql), 0);
}

/* Wait for the next report of the kind asked; its text in *ret. */
static void wait_report(struct sink *s, bool start, struct sink_report *ret)
{
	int waited;

	for (waited = 0; waited < WAIT_MS; waited += 10) {
		while (sink_take_report(s, ret))
			if (ret->start == start)
				return;
		(void)usleep(10000);
	}
	fail_msg("no '%s' report within %d s", start ? "unavailable" :
		 "available again", WAIT_MS / 1000);
}

static void wait_status(struct sink *s, bool (*ok)(const struct store_status *))
{
	struct store_status st;
	int waited;

	for (waited = 0; waited < WAIT_MS; waited += 10) {
		store_sink_status(s, &st);
		if (ok(&st))
			return;
		(void)usleep(10000);
	}
	fail_msg("store status not reached within %d s", WAIT_MS / 1000);
}

static bool spooled_some(const struct store_status *st)
{
	return st->spooled > 0;
}

static bool all_clear(const struct store_status *st)
{
	return !st->fault && st->queued == 0 && st->spooled == 0;
}

static void assert_counts(struct sink *s, uint64_t written)
{
	struct sink_stats st;
	struct store_status ss;

	sink_stats(s, &st);
	store_sink_status(s, &ss);
	assert_int_equal(st.written, written);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.emitted, written);
	assert_int_equal(ss.queued, 0);
	assert_int_equal(ss.spooled, 0);
}

/* --- a reader holding the store (sqlite3 BEGIN EXCLUSIVE) --- */

/* The sqlite3 CLI on db with a pipe to its stdin and one from its stdout;
 * returns once it has run BEGIN EXCLUSIVE (it prints "held" after). */
static pid_t cli_hold(const char *db, int *ret_in)
{
	int in[2], out[2];
	char buf[16];
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		(void)dup2(in[0], 0);
		(void)dup2(out[1], 1);
		(void)close(in[1]);
		(void)close(out[0]);
		execlp("sqlite3", "sqlite3", db, (char *)NULL);
		_exit(127);
	}
	(void)close(in[0]);
	(void)close(out[1]);
	assert_true(write(in[1], "BEGIN EXCLUSIVE;\nSELECT 'held';\n", 32) ==
		    32);
	n = read(out[0], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "held\n");
	(void)close(out[0]);
	*ret_in = in[1];
	return pid;
}

static void cli_release(pid_t pid, int in)
{
	int st;

	assert_true(write(in, "COMMIT;\n.quit\n", 14) == 14);
	(void)close(in);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_reader_holds_exclusive(void **state)
{
	struct fixture *f = *state;
	struct sink_report rep;
	struct sink *s;
	pid_t cli;
	int in;

	if (system("sqlite3 -version >/dev/null 2>&1") != 0)
		fail_msg("sqlite3 (the CLI) is not installed");
	s = open_daemon(f);
	emit_n(f, s, 10, "Before");
	assert_int_equal(sink_flush(s), 0);
	cli = cli_hold(f->db, &in);
	/* more than the memory queue keeps during a fault: the rest goes
	 * to the spool */
	emit_n(f, s, 3 * HARRIER_STORE_SPILL_AT, "During");
	wait_report(s, true, &rep);
	assert_non_null(strstr(rep.text, "locked"));
	assert_non_null(strstr(rep.text, f->spool));
	wait_status(s, spooled_some);
	/* the reader lets go */
	cli_release(cli, in);
	emit_n(f, s, 10, "After");
	wait_report(s, false, &rep);
	assert_non_null(strstr(rep.text, "available again"));
	assert_non_null(strstr(rep.text, "0 lost"));
	assert_int_equal(sink_flush(s), 0);
	assert_exactly_once(f->db, "Before", 1, 10);
	assert_exactly_once(f->db, "During", 11, 10 + 3 * HARRIER_STORE_SPILL_AT);
	assert_exactly_once(f->db, "After", 11 + 3 * HARRIER_STORE_SPILL_AT,
			    20 + 3 * HARRIER_STORE_SPILL_AT);
	assert_counts(s, 20 + 3 * HARRIER_STORE_SPILL_AT);
	sink_free(s);
}

/* --- context around alerts through a fault --- */

/* A capture started by the alert marked serial (rule), joined by it, and
 * n events linked to it: what pipeline/capture hands the store. */
static void emit_capture(struct sink *s, const char *rule, uint64_t serial,
			 unsigned int n)
{
	struct alert_key k = { T0 + serial, serial, (char *)rule,
			       (char *)"node-1" };
	struct context_summary sum = { k, (char *)"host pid 42 lineage",
				       T0, T0 + serial + 1000, n, 0, 1,
				       true };
	struct context_join j = { k, k, T0, T0 + serial + 1000 };
	struct context_event e;
	unsigned int i;

	assert_int_equal(store_sink_emit_summary(s, &sum), 0);
	assert_int_equal(store_sink_emit_join(s, &j), 0);
	for (i = 0; i < n; i++) {
		memset(&e, 0, sizeof(e));
		e.time_ns = T0 + serial * 1000 + i;
		e.serial = 1000000 + serial * 1000 + i;
		e.hostname = (char *)"node-1";
		e.syscall = (char *)"execve";
		e.success = 1;
		e.pid = 42;
		e.ppid = e.uid = e.auid = e.ses = -1;
		e.cmdline = (char *)"sh -c id";
		e.container_id = (char *)"host";
		e.links = &k;
		e.nlinks = 1;
		assert_int_equal(store_sink_emit_context(s, &e), 0);
	}
}

/* n alerts of rule that each join the capture of the alert marked
 * capture right after it was handed over, as capture.c does in a storm
 * (the join rides on the alert's queue item). */
static void emit_joining(struct fixture *f, struct sink *s, unsigned int n,
			 const char *rule, uint64_t capture)
{
	struct alert_key c = { T0 + capture, capture, (char *)"Captured",
			       (char *)"node-1" };
	struct context_join j;
	unsigned int i;

	for (i = 0; i < n; i++) {
		j = (struct context_join){ { T0 + f->serial, f->serial,
					     (char *)rule, (char *)"node-1" },
					   c, T0, T0 + f->serial + 1000 };
		emit_n(f, s, 1, rule);
		assert_int_equal(store_sink_emit_join(s, &j), 0);
	}
}

/* The alerts of rule joined to the capture of the alert marked
 * capture. */
static long long joined(const char *db, const char *rule, uint64_t capture)
{
	char sql[512];

	(void)snprintf(sql, sizeof(sql),
		       "SELECT count(*) FROM alert_captures ac JOIN captures "
		       "c ON c.id = ac.capture_id JOIN alerts a ON a.id = "
		       "ac.alert_id WHERE c.audit_serial = %llu AND a.rule = "
		       "'%s'",
		       (unsigned long long)capture, rule);
	return q_int(db, sql);
}

/* The capture of the alert marked serial is stored whole: its row, the
 * alert's join and n events linked to it. */
static void assert_capture(const char *db, uint64_t serial, long long n)
{
	char sql[512];

	(void)snprintf(sql, sizeof(sql),
		       "SELECT count(*) FROM captures c JOIN alert_captures ac "
		       "ON ac.capture_id = c.id JOIN alerts a ON a.id = "
		       "ac.alert_id WHERE c.audit_serial = %llu AND "
		       "a.audit_serial = %llu",
		       (unsigned long long)serial, (unsigned long long)serial);
	assert_int_equal(q_int(db, sql), 1);
	(void)snprintf(sql, sizeof(sql),
		       "SELECT count(*) FROM capture_events ce JOIN captures c "
		       "ON c.id = ce.capture_id JOIN events e ON e.id = "
		       "ce.event_id WHERE c.audit_serial = %llu",
		       (unsigned long long)serial);
	assert_int_equal(q_int(db, sql), n);
}

/* Context waits in memory through a short fault and is written after
 * its alert; a fault long enough to spill drops it (counted: it is not
 * spooled) while every alert goes through the spool once. */
static void test_context_through_faults(void **state)
{
	struct fixture *f = *state;
	struct store_context_stats cs;
	struct sink_report rep;
	uint64_t a, b, c, d;
	struct sink *s;
	pid_t cli;
	int in;

	if (system("sqlite3 -version >/dev/null 2>&1") != 0)
		fail_msg("sqlite3 (the CLI) is not installed");
	s = open_daemon(f);
	assert_int_equal(store_sink_set_origin(s, "live"), 0);
	a = f->serial;
	emit_n(f, s, 1, "Captured");
	emit_capture(s, "Captured", a, 3);
	emit_joining(f, s, 2, "Joined-a", a);
	assert_int_equal(sink_flush(s), 0);
	assert_capture(f->db, a, 3);
	assert_int_equal(joined(f->db, "Joined-a", a), 2);

	/* short: everything waits in memory, then goes in, in order */
	cli = cli_hold(f->db, &in);
	b = f->serial;
	emit_n(f, s, 1, "Captured");
	emit_capture(s, "Captured", b, 2);
	wait_report(s, true, &rep);
	/* joins coming in while the writer retries */
	emit_joining(f, s, 3, "Joined-b", b);
	cli_release(cli, in);
	wait_report(s, false, &rep);
	assert_null(strstr(rep.text, "context"));
	assert_int_equal(sink_flush(s), 0);
	assert_capture(f->db, b, 2);
	assert_int_equal(joined(f->db, "Joined-b", b), 3);
	store_sink_context_stats(s, &cs);
	assert_int_equal(cs.events_written, 5);
	assert_int_equal(cs.events_dropped, 0);
	assert_int_equal(cs.links_missing, 0);

	/* long: the queue passes the spill mark; the context in it goes */
	cli = cli_hold(f->db, &in);
	c = f->serial;
	emit_n(f, s, 1, "Captured");
	emit_capture(s, "Captured", c, 5);
	emit_joining(f, s, 4, "Joined-c", c);
	emit_n(f, s, 3 * HARRIER_STORE_SPILL_AT, "During");
	wait_report(s, true, &rep);
	wait_status(s, spooled_some);
	cli_release(cli, in);
	wait_report(s, false, &rep);
	assert_non_null(strstr(rep.text, "0 lost"));
	/* its capture (summary, join, 5 events) and the 4 joins: the
	 * alerts they rode on are in the spool */
	assert_non_null(strstr(rep.text, "11 items of context around alerts "
					 "dropped"));
	/* and once it works, context is kept again */
	d = f->serial;
	emit_n(f, s, 1, "Captured");
	emit_capture(s, "Captured", d, 4);
	assert_int_equal(sink_flush(s), 0);
	assert_exactly_once(f->db, "During", c + 5,
			    c + 4 + 3 * HARRIER_STORE_SPILL_AT);
	assert_exactly_once(f->db, "Joined-c", c + 1, c + 4);
	assert_int_equal(joined(f->db, "Joined-c", c), 0);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM alerts WHERE "
				      "rule = 'Captured'"),
			 4);
	assert_int_equal(q_int(f->db, "SELECT count(DISTINCT audit_serial) "
				      "FROM alerts WHERE rule = 'Captured' "
				      "AND origin = 'live'"),
			 4);
	assert_capture(f->db, d, 4);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM captures"), 3);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM events"), 9);
	store_sink_context_stats(s, &cs);
	assert_int_equal(cs.events_written, 9);
	assert_int_equal(cs.events_dropped, 5);
	assert_int_equal(cs.summaries_dropped, 1);
	assert_int_equal(cs.joins_dropped, 1 + 4);
	assert_int_equal(cs.joins_written, 3 + 2 + 3);
	assert_int_equal(cs.duplicates, 0);
	assert_counts(s, 4 + 2 + 3 + 4 + 3 * HARRIER_STORE_SPILL_AT);
	sink_free(s);
}

/* --- a file system full to the last byte --- */

static int fill(const char *path)
{
	static char block[65536];
	size_t n = sizeof(block);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	while (n > 0) {
		if (write(fd, block, n) < 0) {
			if (errno != ENOSPC)
				break;
			n /= 2;
		}
	}
	(void)fsync(fd);
	(void)close(fd);
	return 0;
}

#define CHILD_CHECK(c, ...)                                                   \
	do {                                                                  \
		if (!(c)) {                                                   \
			(void)fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
			(void)fprintf(stderr, __VA_ARGS__);                   \
			(void)fputc('\n', stderr);                            \
			return 1;                                             \
		}                                                             \
	} while (0)

/* In a private mount namespace: the store on an 8 MiB tmpfs, the spool on
 * another one. Exit 0 ok, 77 no namespace, 1 wrong. */
static int full_child(struct fixture *f)
{
	struct sink_report rep;
	struct sink_stats st;
	char fillp[160], sql[128];
	struct sink *s;
	int waited;
	bool got;

	if (unshare(CLONE_NEWNS) < 0 ||
	    mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("harrier-test", f->sdir, "tmpfs", 0, "size=8m,mode=0750") <
		    0 ||
	    mkdir(f->spool, 0750) < 0 ||
	    mount("harrier-test", f->spool, "tmpfs", 0,
		  "size=16m,mode=0750") < 0)
		return 77;
	s = open_daemon(f);
	emit_n(f, s, 20, "Before");
	(void)sink_flush(s);
	(void)snprintf(fillp, sizeof(fillp), "%s/fill", f->sdir);
	CHILD_CHECK(fill(fillp) == 0, "cannot fill %s", f->sdir);
	/* a few KiB per alert and batch: far more than is left (nothing) */
	emit_n(f, s, 4000, "Full");
	for (got = false, waited = 0; !got && waited < WAIT_MS; waited += 10) {
		while (!got && sink_take_report(s, &rep))
			got = rep.start;
		if (!got)
			(void)usleep(10000);
	}
	CHILD_CHECK(got, "no fault reported on a full disk");
	CHILD_CHECK(strstr(rep.text, "full"), "report: %s", rep.text);
	CHILD_CHECK(unlink(fillp) == 0, "rm fill");
	emit_n(f, s, 10, "After");
	for (got = false, waited = 0; !got && waited < WAIT_MS; waited += 10) {
		while (!got && sink_take_report(s, &rep))
			got = !rep.start;
		if (!got)
			(void)usleep(10000);
	}
	CHILD_CHECK(got, "no recovery reported (%s)", store_sink_last_error(s));
	(void)sink_flush(s);
	sink_stats(s, &st);
	CHILD_CHECK(st.written == 4030 && st.dropped == 0,
		    "written %llu dropped %llu",
		    (unsigned long long)st.written,
		    (unsigned long long)st.dropped);
	sink_free(s);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM alerts");
	CHILD_CHECK(q_int(f->db, sql) == 4030, "rows: %lld",
		    q_int(f->db, sql));
	/* the side rows of the batches rolled back were written again */
	(void)snprintf(sql, sizeof(sql),
		       "SELECT (SELECT count(*) FROM rule_tags WHERE rule = "
		       "'Full') * 10 + (SELECT count(*) FROM containers WHERE "
		       "name = 'ctr-Full')");
	CHILD_CHECK(q_int(f->db, sql) == 21, "side tables: %lld",
		    q_int(f->db, sql));
	return 0;
}

static void test_disk_full(void **state)
{
	struct fixture *f = *state;
	pid_t pid;
	int st;

	need_root();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(full_child(f));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		fail_msg("cannot mount a tmpfs in a private namespace");
	assert_int_equal(WEXITSTATUS(st), 0);
	/* the mounts were the child's: its rows are gone with it, and the
	 * ordering was checked above */
}

/* --- chattr +i: files and directory immutable, SIGBUS on the index --- */

static void test_immutable_files(void **state)
{
	struct fixture *f = *state;
	struct sink_report rep;
	char wal[160], shm[160], cmd[256], out[64];
	uint64_t guard0 = store_guard_faults();
	struct statfs sfs;
	struct sink *s;
	FILE *p;

	need_root();
	s = open_daemon(f);
	emit_n(f, s, 10, "Before");
	assert_int_equal(sink_flush(s), 0);
	(void)snprintf(wal, sizeof(wal), "%s-wal", f->db);
	(void)snprintf(shm, sizeof(shm), "%s-shm", f->db);
	chattr(f->db, true);
	chattr(wal, true);
	chattr(shm, true);
	chattr(f->sdir, true);
	emit_n(f, s, 2 * HARRIER_STORE_SPILL_AT, "During");
	wait_report(s, true, &rep);
	/* a reader still reads, beside the daemon */
	(void)snprintf(cmd, sizeof(cmd),
		       "sqlite3 '%s' 'SELECT count(*) FROM alerts' 2>&1",
		       f->db);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, sizeof(out), p));
	(void)pclose(p);
	assert_string_equal(out, "10\n");
	wait_status(s, spooled_some);
	chattr(f->sdir, false);
	chattr(shm, false);
	chattr(wal, false);
	chattr(f->db, false);
	wait_report(s, false, &rep);
	assert_int_equal(sink_flush(s), 0);
	assert_exactly_once(f->db, "Before", 1, 10);
	assert_exactly_once(f->db, "During", 11, 10 + 2 * HARRIER_STORE_SPILL_AT);
	assert_counts(s, 10 + 2 * HARRIER_STORE_SPILL_AT);
	sink_free(s);
	/* ext4 refuses the write fault of an immutable file's page with
	 * SIGBUS: there the guard must have taken it (tmpfs does not) */
	if (statfs(f->dir, &sfs) == 0 && sfs.f_type == 0xEF53)
		assert_true(store_guard_faults() > guard0);
}

/* --- the files deleted, or replaced, while open --- */

static void rm_store_files(const struct fixture *f)
{
	char p[160];

	assert_int_equal(unlink(f->db), 0);
	(void)snprintf(p, sizeof(p), "%s-wal", f->db);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", f->db);
	(void)unlink(p);
}

static void test_deleted_while_open(void **state)
{
	struct fixture *f = *state;
	struct sink_report rep;
	struct sink *s;

	need_root();
	s = open_daemon(f);
	emit_n(f, s, 10, "Before");
	assert_int_equal(sink_flush(s), 0);
	rm_store_files(f);
	emit_n(f, s, 100, "After");
	wait_report(s, true, &rep);
	assert_non_null(strstr(rep.text, "deleted"));
	wait_report(s, false, &rep);
	assert_int_equal(sink_flush(s), 0);
	/* a new store at the path, with everything after the deletion */
	assert_exactly_once(f->db, "After", 11, 110);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM alerts WHERE "
				      "rule = 'Before'"),
			 0);
	assert_counts(s, 110);
	sink_free(s);
}

static void test_replaced_while_open(void **state)
{
	struct fixture *f = *state;
	struct sink_report rep;
	char other[160];
	struct sink *s;
	int fd;

	need_root();
	s = open_daemon(f);
	emit_n(f, s, 10, "Before");
	assert_int_equal(sink_flush(s), 0);
	/* an empty file moved over it (as a careless restore would) */
	(void)snprintf(other, sizeof(other), "%s/other.db", f->sdir);
	fd = open(other, O_WRONLY | O_CREAT | O_EXCL, 0640);
	assert_true(fd >= 0);
	(void)close(fd);
	assert_int_equal(rename(other, f->db), 0);
	emit_n(f, s, 100, "After");
	wait_report(s, true, &rep);
	assert_non_null(strstr(rep.text, "replaced"));
	wait_report(s, false, &rep);
	assert_int_equal(sink_flush(s), 0);
	assert_exactly_once(f->db, "After", 11, 110);
	assert_counts(s, 110);
	sink_free(s);
}

/* --- a restart in the middle of a fault: the spool carries it --- */

static void spool_file_path(const struct fixture *f, char *buf, size_t len)
{
	char cmd[256];
	FILE *p;

	(void)snprintf(cmd, sizeof(cmd), "ls %s/*.spool", f->spool);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(buf, (int)len, p));
	buf[strcspn(buf, "\n")] = '\0';
	(void)pclose(p);
}

static void copy_file(const char *from, const char *to)
{
	char cmd[1024];

	(void)snprintf(cmd, sizeof(cmd), "cp -p '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

static void test_restart_during_fault(void **state)
{
	struct fixture *f = *state;
	char sp[256], saved[300];
	struct stat st;
	struct sink *s;
	sqlite3 *w;
	int fd;

	need_root();
	s = open_daemon(f);
	emit_n(f, s, 10, "Before");
	assert_int_equal(sink_flush(s), 0);
	assert_int_equal(sqlite3_open(f->db, &w), SQLITE_OK);
	assert_int_equal(sqlite3_exec(w, "BEGIN IMMEDIATE", NULL, NULL, NULL),
			 SQLITE_OK);
	emit_n(f, s, 2000, "During");
	/* the daemon stops while the store is still held: what it could
	 * not write goes to the spool, and survives it */
	sink_free(s);
	spool_file_path(f, sp, sizeof(sp));
	assert_int_equal(stat(sp, &st), 0);
	if (st.st_size <= 2000 * 64)
		fail_msg("spool %s: %lld bytes", sp, (long long)st.st_size);
	assert_int_equal((int)(st.st_mode & 0777), 0640);
	(void)snprintf(saved, sizeof(saved), "%s.saved", sp);
	copy_file(sp, saved);
	/* a torn record at the end (power cut in an append) */
	fd = open(saved, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\x40\x00\x00\x00torn", 8), 8);
	(void)close(fd);
	assert_int_equal(sqlite3_exec(w, "COMMIT", NULL, NULL, NULL),
			 SQLITE_OK);
	(void)sqlite3_close(w);

	/* the next start writes the spool first, then what is new */
	s = open_daemon(f);
	emit_n(f, s, 10, "After");
	assert_int_equal(sink_flush(s), 0);
	wait_status(s, all_clear);
	sink_free(s);
	assert_exactly_once(f->db, "During", 11, 2010);
	assert_exactly_once(f->db, "After", 2011, 2020);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM (SELECT id FROM "
				      "alerts WHERE rule = 'After' ORDER BY id "
				      "LIMIT 1) a, (SELECT max(id) AS m FROM "
				      "alerts WHERE rule = 'During') d WHERE "
				      "a.id > d.m"),
			 1);
	assert_int_equal(stat(sp, &st), 0);
	assert_int_equal(st.st_size, 16); /* emptied: header only */

	/* the same spool again (its bookkeeping lost, say): nothing twice,
	 * and the torn tail is cut off */
	assert_int_equal(rename(saved, sp), 0);
	s = open_daemon(f);
	assert_int_equal(sink_flush(s), 0);
	wait_status(s, all_clear);
	sink_free(s);
	assert_exactly_once(f->db, "During", 11, 2010);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM alerts"), 2020);
}

/* --- opening only what root alone can write --- */

static void expect_refused(const struct fixture *f, const char *path,
			   const char *why)
{
	struct store_options o;
	struct sink *s = NULL;
	char *err = NULL;

	daemon_options(f, &o);
	assert_int_equal(store_sink_open(path, &o, &s, &err), -EPERM);
	assert_null(s);
	assert_non_null(err);
	if (!strstr(err, why))
		fail_msg("%s: '%s' does not say '%s'", path, err, why);
	free(err);
}

static void test_safe_open(void **state)
{
	struct fixture *f = *state;
	char elsewhere[160], link[200], cmd[256], sub[160];
	struct store_options o;
	struct group *adm;
	struct stat st;
	struct sink *s;
	char *err = NULL;
	int fd;

	need_root();
	/* a planted symlink in the last component is not followed */
	(void)snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere", f->dir);
	assert_int_equal(symlink(elsewhere, f->db), 0);
	expect_refused(f, f->db, "symbolic link");
	assert_int_equal(access(elsewhere, F_OK), -1);
	assert_int_equal(unlink(f->db), 0);
	/* a store someone else owns, or may write */
	fd = open(f->db, O_WRONLY | O_CREAT | O_EXCL, 0640);
	assert_true(fd >= 0);
	assert_int_equal(fchown(fd, 65534, 65534), 0);
	expect_refused(f, f->db, "owned by uid 65534");
	assert_int_equal(fchown(fd, 0, 0), 0);
	assert_int_equal(fchmod(fd, 0666), 0);
	expect_refused(f, f->db, "writable by group or others (mode 0666)");
	(void)close(fd);
	assert_int_equal(unlink(f->db), 0);
	/* a planted -wal */
	(void)snprintf(link, sizeof(link), "%s-wal", f->db);
	assert_int_equal(symlink(elsewhere, link), 0);
	expect_refused(f, f->db, "-wal is not a regular file");
	assert_int_equal(unlink(link), 0);
	/* a directory others may write */
	(void)snprintf(sub, sizeof(sub), "%s/open", f->dir);
	assert_int_equal(mkdir(sub, 0777), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	(void)snprintf(link, sizeof(link), "%s/alerts.db", sub);
	expect_refused(f, link, "writable by group or others (mode 0777)");
	assert_int_equal(access(link, F_OK), -1);

	/* created 0640 root:adm */
	adm = getgrnam("adm");
	daemon_options(f, &o);
	o.group = adm ? adm->gr_gid : 0;
	s = NULL;
	assert_int_equal(store_sink_open(f->db, &o, &s, &err), 0);
	emit_n(f, s, 1, "One");
	sink_free(s);
	assert_int_equal(stat(f->db, &st), 0);
	assert_int_equal((int)(st.st_mode & 07777), 0640);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_gid, o.group);
	(void)snprintf(cmd, sizeof(cmd), "%s-wal", f->db);
	if (stat(cmd, &st) == 0) {
		assert_int_equal((int)(st.st_mode & 07777), 0640);
		assert_int_equal(st.st_gid, o.group);
	}

	/* `harrier replay --db` writes where its user says: a symlink there
	 * is that user's choice */
	assert_int_equal(symlink(f->db, link), 0);
	store_options_init(&o);
	s = NULL;
	assert_int_equal(store_sink_open(link, &o, &s, &err), 0);
	sink_free(s);
}

/* --- retention and disk use --- */

static bool pruned_all(const struct store_status *st)
{
	return st->pruned >= 1200;
}

static bool pruned_more(const struct store_status *st)
{
	return st->pruned >= 1205;
}

static void test_retention(void **state)
{
	struct fixture *f = *state;
	struct clock_fake clk;
	struct store_options o;
	struct sink *s = NULL;
	char *err = NULL;
	long long free_before;
	unsigned int i;

	/* event times: 1200 alerts two hours old, 10 recent */
	clock_fake_init(&clk, 1000000000ULL, T0 + 7200ULL * 1000000000ULL);
	daemon_options(f, &o);
	o.clock = &clk.clock;
	o.max_age_s = 3600;
	o.prune_interval_ms = 600000;
	assert_int_equal(store_sink_open(f->db, &o, &s, &err), 0);
	emit_n(f, s, 1200, "Old");
	f->serial = 7200ULL * 1000000000ULL;
	emit_n(f, s, 10, "New");
	assert_int_equal(sink_flush(s), 0);
	/* an interval passes on the test's clock: pruned in batches */
	clock_fake_advance_ms(&clk, 600001);
	store_sink_prune_now(s);
	wait_status(s, pruned_all);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM alerts WHERE "
				      "rule = 'Old'"),
			 0);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM alerts WHERE "
				      "rule = 'New'"),
			 10);
	/* a new store vacuums incrementally: the freed pages went back */
	assert_int_equal(q_int(f->db, "PRAGMA auto_vacuum"), 2);
	free_before = q_int(f->db, "PRAGMA freelist_count");
	assert_true(free_before < 64);
	/* max_rows: the newest 5 stay */
	store_sink_set_retention(s, 0, 5);
	wait_status(s, pruned_more);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM alerts"), 5);
	assert_int_equal(q_int(f->db, "SELECT min(audit_serial) FROM alerts"),
			 (long long)(7200ULL * 1000000000ULL + 5));
	for (i = 0; i < 3; i++)
		emit_n(f, s, 1, "Late");
	assert_int_equal(sink_flush(s), 0);
	sink_free(s);
}

static bool pruned_context(const struct store_status *st)
{
	/* the old alert, the capture and the event no alert joins */
	return st->pruned >= 3;
}

/* max_age takes an old alert's capture and events with it (schema 2's
 * triggers), and the captures and events that no alert joins (their
 * joins were dropped) once they are that old too; the new alert keeps
 * its context. */
static void test_retention_context(void **state)
{
	struct fixture *f = *state;
	struct alert_key gone = { T0 + 5, 5, (char *)"Dropped",
				  (char *)"node-1" };
	struct context_summary orphan = { gone, (char *)"host pid 7 lineage",
					  T0, T0 + 10, 1, 0, 1, false };
	struct alert_key nowhere = { T0 + 7, 7, (char *)"Never captured",
				     (char *)"node-1" };
	struct clock_fake clk;
	struct store_options o;
	struct context_event e;
	struct sink *s = NULL;
	char *err = NULL;
	uint64_t old, young;

	/* the store prunes once as it opens: then nothing is old yet (the
	 * clock moves on before the prune the test asks for) */
	clock_fake_init(&clk, 1000000000ULL, T0 + 1000ULL * 1000000000ULL);
	daemon_options(f, &o);
	o.clock = &clk.clock;
	o.max_age_s = 3600;
	o.prune_interval_ms = 600000;
	assert_int_equal(store_sink_open(f->db, &o, &s, &err), 0);
	old = f->serial;
	emit_n(f, s, 1, "Old");
	emit_capture(s, "Old", old, 3);
	assert_int_equal(store_sink_emit_summary(s, &orphan), 0);
	memset(&e, 0, sizeof(e));
	e.time_ns = T0 + 6;
	e.serial = 6;
	e.hostname = (char *)"node-1";
	e.syscall = (char *)"connect";
	e.pid = e.ppid = e.uid = e.auid = e.ses = -1;
	e.links = &nowhere;
	e.nlinks = 1;
	assert_int_equal(store_sink_emit_context(s, &e), 0);
	f->serial = 7100ULL * 1000000000ULL;
	young = f->serial;
	emit_n(f, s, 1, "Young");
	emit_capture(s, "Young", young, 2);
	assert_int_equal(sink_flush(s), 0);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM captures"), 3);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM events"), 6);

	clock_fake_advance_ms(&clk, 6200000ULL + 600001ULL);
	store_sink_prune_now(s);
	wait_status(s, pruned_context);
	assert_int_equal(sink_flush(s), 0);
	sink_free(s);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM alerts"), 1);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM captures"), 1);
	assert_capture(f->db, young, 2);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM events"), 2);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM alert_captures"),
			 1);
}

/* The store's disk use follows its rows: while a reader keeps an old
 * snapshot the WAL must grow (nothing after the snapshot can be
 * checkpointed), but once the reader is gone the WAL is checkpointed and
 * cut back to journal_size_limit, not left at its largest. */
static void test_wal_shrinks_after_reader(void **state)
{
	struct fixture *f = *state;
	char wal[160];
	struct stat st;
	struct sink *s;
	sqlite3 *rd;
	off_t big;
	int i;

	s = open_daemon(f);
	emit_n(f, s, 10, "Bulk");
	assert_int_equal(sink_flush(s), 0);
	assert_int_equal(sqlite3_open(f->db, &rd), SQLITE_OK);
	assert_int_equal(sqlite3_exec(rd, "BEGIN; SELECT count(*) FROM alerts",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	for (i = 0; i < 30; i++) {
		emit_n(f, s, 1000, "Bulk");
		assert_int_equal(sink_flush(s), 0);
	}
	(void)snprintf(wal, sizeof(wal), "%s-wal", f->db);
	assert_int_equal(stat(wal, &st), 0);
	big = st.st_size;
	if (big <= 2 * HARRIER_STORE_JOURNAL_SIZE_LIMIT)
		fail_msg("the pinned WAL is only %lld bytes", (long long)big);
	assert_int_equal(sqlite3_exec(rd, "COMMIT", NULL, NULL, NULL),
			 SQLITE_OK);
	(void)sqlite3_close(rd);
	/* a checkpoint, then a new write cycle that starts the WAL over */
	for (i = 0; i < 3; i++) {
		emit_n(f, s, 1000, "Bulk");
		assert_int_equal(sink_flush(s), 0);
	}
	assert_int_equal(stat(wal, &st), 0);
	if (st.st_size > HARRIER_STORE_JOURNAL_SIZE_LIMIT + 1024 * 1024)
		fail_msg("the WAL stays at %lld bytes (was %lld)",
			 (long long)st.st_size, (long long)big);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM alerts"), 33010);
	sink_free(s);
}

/* The display column is escaped as stdout escapes it; the structured
 * ones keep the bytes. */
static void test_output_column_escaped(void **state)
{
	struct fixture *f = *state;
	struct alert *a = calloc(1, sizeof(*a));
	struct sink *s;

	assert_non_null(a);
	s = open_daemon(f);
	a->time_ns = T0;
	a->rule = xstrdup("Esc");
	a->output = xstrdup("proc=ca\x1b[31mt\nforged \xff end");
	a->exe = xstrdup("/tmp/ca\x1b[31mt");
	a->cmdline = xstrdup("ca\x1b[31mt\n-x");
	a->pid = a->ppid = a->uid = a->auid = -1;
	assert_int_equal(sink_emit(s, a), 0);
	alert_free(a);
	sink_free(s);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM alerts WHERE "
				      "output = 'proc=ca\\x1b[31mt\\x0aforged "
				      "\\xff end'"),
			 1);
	assert_int_equal(q_int(f->db, "SELECT count(*) FROM alerts WHERE "
				      "cmdline = 'ca' || char(27) || '[31mt' "
				      "|| char(10) || '-x' AND exe = '/tmp/ca' "
				      "|| char(27) || '[31mt'"),
			 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(x) cmocka_unit_test_setup_teardown(x, setup, teardown)
		T(test_reader_holds_exclusive),
		T(test_context_through_faults),
		T(test_disk_full),
		T(test_immutable_files),
		T(test_deleted_while_open),
		T(test_replaced_while_open),
		T(test_restart_during_fault),
		T(test_safe_open),
		T(test_retention),
		T(test_retention_context),
		T(test_wal_shrinks_after_reader),
		T(test_output_column_escaped),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
