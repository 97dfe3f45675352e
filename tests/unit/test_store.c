/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite store against real database files in a temporary directory:
 * round trip, every query filter, migration, a reader that must not block
 * the writer, retries and drops, clear errors. (schema/queries.sql is
 * tested against a recorded intrusion: tests/integration/test_forensics.sh.)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_util.h"

#include "common/alert.h"
#include "common/limits.h"
#include "sink/sink.h"
#include "sink/store.h"
#include "sink/store_query.h"

#define T_1715 1795886107123456789ULL /* 2026-11-28T17:15:07.123456789Z */
#define T_1700 1795885200000000000ULL /* 2026-11-28T17:00:00Z */
#define NS_MIN 60000000000ULL

struct fixture {
	char dir[64];
	char db[128];
};

static struct alert *mk(uint64_t t, const char *rule, enum alert_priority p,
			const char *cid, const char *cname)
{
	struct alert *a = calloc(1, sizeof(*a));

	assert_non_null(a);
	a->time_ns = t;
	a->rule = xstrdup(rule);
	a->priority = p;
	a->output = xstrdup("something happened");
	a->hostname = xstrdup("node-1");
	a->source = xstrdup("syscall");
	a->container_id = xstrdup(cid);
	a->container_name = xstrdup(cname);
	a->pid = a->ppid = a->uid = a->auid = -1;
	return a;
}

static void add_tag(struct alert *a, const char *t)
{
	char **n = realloc(a->tags, (a->ntags + 1) * sizeof(*n));

	assert_non_null(n);
	a->tags = n;
	a->tags[a->ntags++] = xstrdup(t);
}

static void add_field(struct alert *a, const char *name, const char *value)
{
	struct alert_field *n =
		realloc(a->fields, (a->nfields + 1) * sizeof(*n));

	assert_non_null(n);
	a->fields = n;
	a->fields[a->nfields].name = xstrdup(name);
	a->fields[a->nfields].value = xstrdup(value);
	a->fields[a->nfields].literal = false;
	a->nfields++;
}

/* A number field (written bare in the JSON). */
static void add_number_field(struct alert *a, const char *name,
			     const char *value)
{
	add_field(a, name, value);
	a->fields[a->nfields - 1].literal = true;
}

/* An alert with every member set, and some hostile bytes. */
static struct alert *mk_full(void)
{
	struct alert *a = mk(T_1715, "Read sensitive file untrusted",
			     ALERT_PRIO_WARNING,
			     "3f2a9c1d5e6b7a8f9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f"
			     "5a6b7c8d9e0f1a2b",
			     "web-1");

	free(a->output);
	a->output = xstrdup("Sensitive file opened for reading "
			    "(file=/etc/shadow\n\x1b[31m proc=cat "
			    "'quote\" back\\slash' \xc3\xa9)");
	a->pod_name = xstrdup("web-7f9c");
	a->pod_namespace = xstrdup("prod");
	a->pid = 4242;
	a->ppid = 1;
	a->uid = 0;
	a->auid = 1000;
	a->exe = xstrdup("/usr/bin/cat");
	a->cmdline = xstrdup("cat /etc/shadow");
	a->syscall = xstrdup("openat");
	a->file = xstrdup("/etc/shadow");
	a->audit_serial = 123456789;
	add_tag(a, "filesystem");
	add_tag(a, "mitre_credential_access");
	add_field(a, "evt.time", "17:15:07.123456789");
	add_field(a, "fd.name", "/etc/shadow");
	add_field(a, "proc.name", "cat");
	add_field(a, "proc.aname[2]", NULL);
	add_field(a, "user.name", "root \"admin\"");
	add_number_field(a, "proc.pid", "4242");
	return a;
}

static void assert_str_eq(const char *a, const char *b)
{
	if (!a || !b) {
		assert_ptr_equal(a, b);
		return;
	}
	assert_string_equal(a, b);
}

static void assert_alert_eq(const struct alert *a, const struct alert *b)
{
	size_t i;

	assert_int_equal(a->time_ns, b->time_ns);
	assert_str_eq(a->hostname, b->hostname);
	assert_str_eq(a->rule, b->rule);
	assert_int_equal(a->priority, b->priority);
	assert_str_eq(a->output, b->output);
	assert_int_equal(a->ntags, b->ntags);
	for (i = 0; i < a->ntags; i++)
		assert_str_eq(a->tags[i], b->tags[i]);
	assert_str_eq(a->source, b->source);
	assert_str_eq(a->container_id, b->container_id);
	assert_str_eq(a->container_name, b->container_name);
	assert_str_eq(a->pod_name, b->pod_name);
	assert_str_eq(a->pod_namespace, b->pod_namespace);
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->ppid, b->ppid);
	assert_int_equal(a->uid, b->uid);
	assert_int_equal(a->auid, b->auid);
	assert_str_eq(a->exe, b->exe);
	assert_str_eq(a->cmdline, b->cmdline);
	assert_str_eq(a->syscall, b->syscall);
	assert_str_eq(a->file, b->file);
	assert_int_equal(a->audit_serial, b->audit_serial);
	assert_int_equal(a->nfields, b->nfields);
	for (i = 0; i < a->nfields; i++) {
		assert_str_eq(a->fields[i].name, b->fields[i].name);
		assert_str_eq(a->fields[i].value, b->fields[i].value);
		assert_int_equal(a->fields[i].literal, b->fields[i].literal);
	}
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	(void)snprintf(f->dir, sizeof(f->dir), "/tmp/test_store.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	(void)snprintf(f->db, sizeof(f->db), "%s/alerts.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	(void)rm_tree(f->dir);
	free(f);
	return 0;
}

static struct sink *open_store(const char *path)
{
	struct sink *s;
	char *err = NULL;

	s = store_sink_new(path, &err);
	if (!s)
		print_error("store_sink_new(%s): %s\n", path,
			    err ? err : "(no message)");
	assert_non_null(s);
	assert_null(err);
	return s;
}

static void emit_free(struct sink *s, struct alert *a)
{
	assert_int_equal(sink_emit(s, a), 0);
	alert_free(a);
}

/* Collects query results. */
struct got {
	struct alert *a[64];
	size_t n;
	int fail_after; /* return -ECANCELED after this many; 0 = never */
};

static int collect(const struct alert *a, void *ud)
{
	struct got *g = ud;

	assert_true(g->n < 64);
	g->a[g->n] = alert_dup(a);
	assert_non_null(g->a[g->n]);
	g->n++;
	if (g->fail_after && (int)g->n >= g->fail_after)
		return -ECANCELED;
	return 0;
}

static void got_free(struct got *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		alert_free(g->a[i]);
	g->n = 0;
}

static int query(const char *db, const struct store_query *q, struct got *g)
{
	char *err = NULL;
	int r;

	got_free(g);
	r = store_query_alerts(db, q, collect, g, &err);
	if (r == 0)
		assert_null(err);
	else if (r != -ECANCELED)
		assert_non_null(err);
	free(err);
	return r;
}

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	(void)sqlite3_busy_timeout(db, 5000);
	return db;
}

static long long raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	(void)sqlite3_finalize(st);
	return v;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* The newest schema version shipped in schema/, from the file names. */
static int newest_schema_version(void)
{
	char cmd[512], line[64];
	FILE *p;
	int v = 0;

	(void)snprintf(cmd, sizeof(cmd),
		       "ls '%s/schema' | grep -E '^[0-9]{3}_.*\\.sql$' | "
		       "sort | tail -n 1",
		       TOP_SRCDIR);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (fgets(line, sizeof(line), p))
		v = (line[0] - '0') * 100 + (line[1] - '0') * 10 +
		    (line[2] - '0');
	(void)pclose(p);
	assert_true(v >= 1);
	return v;
}

/* --- tests --- */

static void test_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct alert *full = mk_full();
	struct alert *bare =
		mk(T_1715 + 1, "Bare", ALERT_PRIO_DEBUG, NULL, NULL);
	struct sink_stats st;
	struct got g = { .n = 0 };
	struct sink *s;

	free(bare->hostname);
	bare->hostname = NULL;
	free(bare->output);
	bare->output = NULL;
	s = open_store(f->db);
	assert_int_equal(sink_emit(s, full), 0);
	assert_int_equal(sink_emit(s, bare), 0);
	assert_int_equal(sink_flush(s), 0);
	sink_stats(s, &st);
	assert_int_equal(st.emitted, 2);
	assert_int_equal(st.written, 2);
	assert_int_equal(st.dropped, 0);

	/* rows are there while the writer is still open; the display
	 * column comes back escaped as stdout escapes it (and marked so),
	 * everything else as it went in */
	assert_int_equal(query(f->db, NULL, &g), 0);
	assert_int_equal(g.n, 2);
	assert_true(g.a[0]->output_escaped);
	assert_string_equal(g.a[0]->output,
			    "Sensitive file opened for reading "
			    "(file=/etc/shadow\\x0a\\x1b[31m proc=cat "
			    "'quote\" back\\\\slash' \xc3\xa9)");
	{
		/* (a packed copy: its strings are not freed one by one) */
		char *stored = g.a[0]->output;

		g.a[0]->output = full->output;
		g.a[0]->output_escaped = false;
		assert_alert_eq(g.a[0], full);
		g.a[0]->output = stored;
	}
	g.a[1]->output_escaped = false;
	assert_alert_eq(g.a[1], bare);
	sink_free(s);
	got_free(&g);
	alert_free(full);
	alert_free(bare);
}

static void test_columns_are_queryable(void **state)
{
	struct fixture *f = *state;
	struct sink *s = open_store(f->db);
	sqlite3 *db;

	emit_free(s, mk_full());
	sink_free(s);
	db = raw_open(f->db);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM alerts WHERE "
				     "time = '2026-11-28T17:15:07.123456789Z'"
				     " AND priority = 'Warning' AND "
				     "priority_num = 4 AND pid = 4242 AND "
				     "uid = 0 AND auid = 1000"),
			 1);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM alerts WHERE "
				     "json_extract(fields, '$.\"fd.name\"') ="
				     " '/etc/shadow' AND fields->>'$.\"proc."
				     "aname[2]\"' IS NULL AND json_array_"
				     "length(tags) = 2"),
			 1);
	/* numbers are JSON numbers: fields->>'$."proc.pid"' = 4242 */
	assert_int_equal(raw_int(db, "SELECT count(*) FROM alerts WHERE "
				     "json_type(fields, '$.\"proc.pid\"') ="
				     " 'integer' AND fields->>'$.\"proc.pid"
				     "\"' = 4242"),
			 1);
	/* unknown ids are NULL, not -1; the host is Falco's "host" */
	s = open_store(f->db);
	emit_free(s, mk(T_1700, "Bare", ALERT_PRIO_DEBUG, NULL, NULL));
	sink_free(s);
	assert_int_equal(raw_int(db, "SELECT count(*) FROM alerts WHERE "
				     "pid IS NULL AND uid IS NULL AND "
				     "container_id = 'host' AND "
				     "container_name = 'host'"),
			 1);
	(void)sqlite3_close(db);
}

static void test_migrate_empty_file(void **state)
{
	static const char *const cols[] = {
		"id",
		"time",
		"time_ns",
		"hostname",
		"rule",
		"priority",
		"output",
		"tags",
		"source",
		"container_id",
		"container_name",
		"pod_name",
		"pod_namespace",
		"pid",
		"ppid",
		"uid",
		"auid",
		"exe",
		"cmdline",
		"syscall",
		"file",
		"audit_serial",
		"fields",
	};
	struct fixture *f = *state;
	char sql[128];
	struct sink *s;
	sqlite3 *db;
	size_t i;
	int fd;

	fd = open(f->db, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	(void)close(fd);
	s = open_store(f->db);
	sink_free(s);

	db = raw_open(f->db);
	assert_int_equal(raw_int(db, "PRAGMA user_version"),
			 newest_schema_version());
	assert_int_equal(raw_int(db, "SELECT count(*) FROM pragma_journal_mode"
				     " WHERE journal_mode = 'wal'"),
			 1);
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		(void)snprintf(
			sql, sizeof(sql),
			"SELECT count(*) FROM pragma_table_info('alerts')"
			" WHERE name = '%s'",
			cols[i]);
		if (raw_int(db, sql) != 1)
			fail_msg("column %s missing", cols[i]);
	}
	/* time ranges: the alert key leads with time_ns */
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master "
				     "WHERE type = 'index' AND tbl_name = "
				     "'alerts' AND sql LIKE '%(time_ns,%'"),
			 1);
	(void)sqlite3_close(db);
}

static void test_reopen_is_idempotent(void **state)
{
	struct fixture *f = *state;
	struct got g = { .n = 0 };
	struct sink *s;
	sqlite3 *db;

	s = open_store(f->db);
	emit_free(s, mk(T_1700, "First", ALERT_PRIO_ERROR, NULL, NULL));
	sink_free(s);
	s = open_store(f->db);
	emit_free(s, mk(T_1715, "Second", ALERT_PRIO_ERROR, NULL, NULL));
	sink_free(s);

	db = raw_open(f->db);
	assert_int_equal(raw_int(db, "PRAGMA user_version"),
			 newest_schema_version());
	assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master "
				     "WHERE name = 'alerts'"),
			 1);
	(void)sqlite3_close(db);
	assert_int_equal(query(f->db, NULL, &g), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.a[0]->rule, "First");
	assert_string_equal(g.a[1]->rule, "Second");
	got_free(&g);
}

static void test_newer_schema_is_refused(void **state)
{
	struct fixture *f = *state;
	char *err = NULL;
	sqlite3 *db;

	db = raw_open(f->db);
	raw_exec(db, "PRAGMA user_version = 999");
	(void)sqlite3_close(db);
	assert_null(store_sink_new(f->db, &err));
	assert_non_null(err);
	assert_non_null(strstr(err, "999"));
	assert_non_null(strstr(err, "newer"));
	free(err);
}

static void test_missing_directory(void **state)
{
	struct fixture *f = *state;
	char path[160], *err = NULL;

	(void)snprintf(path, sizeof(path), "%s/nope/alerts.db", f->dir);
	assert_null(store_sink_new(path, &err));
	assert_non_null(err);
	assert_non_null(strstr(err, "/nope"));
	assert_non_null(strstr(err, "No such file or directory"));
	free(err);
	assert_int_equal(access(path, F_OK), -1);
}

static int count_cb(const struct alert *a, void *ud)
{
	(void)a;
	(*(int *)ud)++;
	return 0;
}

/* Runs in a child with its own mount namespace: mounts a read-only tmpfs
 * and checks both a new and an existing store there give a clear error,
 * and that the existing one can still be queried.
 * Exit 0 ok, 77 cannot set up (skip), 1 wrong. */
static int readonly_child(const char *dir)
{
	char path[160], *err = NULL;
	struct alert *a;
	struct sink *s;
	int n = 0;

	if (unshare(CLONE_NEWNS) < 0 ||
	    mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("harrier-test", dir, "tmpfs", 0, "size=4m") < 0)
		return 77;
	(void)snprintf(path, sizeof(path), "%s/alerts.db", dir);
	s = store_sink_new(path, &err);
	if (!s) {
		(void)fprintf(stderr, "rw store: %s\n", err);
		return 1;
	}
	a = mk(T_1700, "On tmpfs", ALERT_PRIO_ERROR, NULL, NULL);
	(void)sink_emit(s, a);
	alert_free(a);
	sink_free(s);
	if (mount("harrier-test", dir, "tmpfs", MS_REMOUNT | MS_RDONLY,
		  "size=4m") < 0)
		return 77;
	/* an existing store on a read-only file system */
	s = store_sink_new(path, &err);
	if (s || !err || !strstr(err, "Read-only file system")) {
		(void)fprintf(stderr, "existing: %s\n", err ? err : "(none)");
		return 1;
	}
	free(err);
	err = NULL;
	/* a new store there */
	(void)snprintf(path, sizeof(path), "%s/new.db", dir);
	s = store_sink_new(path, &err);
	if (s || !err || !strstr(err, "Read-only file system")) {
		(void)fprintf(stderr, "new: %s\n", err ? err : "(none)");
		return 1;
	}
	free(err);
	/* and it can still be read (forensics on a read-only mount) */
	(void)snprintf(path, sizeof(path), "%s/alerts.db", dir);
	if (store_query_alerts(path, NULL, count_cb, &n, &err) != 0 || n != 1) {
		(void)fprintf(stderr, "query: %s\n", err ? err : "(none)");
		return 1;
	}
	(void)umount(dir);
	return 0;
}

static void test_readonly_path(void **state)
{
	struct fixture *f = *state;
	char dir[128];
	pid_t pid;
	int st;

	/* root: a private mount namespace (HARRIER_NO_ROOT_TESTS: none) */
	if (geteuid() != 0 || getenv("HARRIER_NO_ROOT_TESTS"))
		skip();
	(void)snprintf(dir, sizeof(dir), "%s/ro", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(readonly_child(dir));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_reader_does_not_block_writer(void **state)
{
	struct fixture *f = *state;
	struct sink_stats st;
	struct sink *s;
	sqlite3 *rd;
	int i;

	s = open_store(f->db);
	emit_free(s, mk(T_1700, "Before", ALERT_PRIO_ERROR, NULL, NULL));
	assert_int_equal(sink_flush(s), 0);

	/* a reader in the middle of a read transaction */
	assert_int_equal(
		sqlite3_open_v2(f->db, &rd, SQLITE_OPEN_READONLY, NULL),
		SQLITE_OK);
	raw_exec(rd, "BEGIN");
	assert_int_equal(raw_int(rd, "SELECT count(*) FROM alerts"), 1);

	for (i = 0; i < 100; i++)
		emit_free(s, mk(T_1715 + (uint64_t)i, "During",
				ALERT_PRIO_ERROR, NULL, NULL));
	assert_int_equal(sink_flush(s), 0);
	/* written while the reader's transaction is open */
	sink_stats(s, &st);
	assert_int_equal(st.written, 101);
	assert_int_equal(st.dropped, 0);

	/* the reader still sees its snapshot; a new one sees the rows */
	assert_int_equal(raw_int(rd, "SELECT count(*) FROM alerts"), 1);
	raw_exec(rd, "COMMIT");
	assert_int_equal(raw_int(rd, "SELECT count(*) FROM alerts"), 101);
	(void)sqlite3_close(rd);
	sink_free(s);
}

/* A commit is in the WAL file when the flush that waited for it
 * returns (the guard VFS gathers a WAL's writes; a commit writes them):
 * a writer that dies right after, without closing, loses none. */
static void test_commit_survives_writer_death(void **state)
{
	struct fixture *f = *state;
	int i, status;
	sqlite3 *rd;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sink *s = open_store(f->db);

		for (i = 0; i < 3000; i++)
			emit_free(s, mk(T_1700 + (uint64_t)i, "Committed",
					ALERT_PRIO_ERROR, NULL, NULL));
		_exit(sink_flush(s) == 0 ? 0 : 1); /* no close */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(
		sqlite3_open_v2(f->db, &rd, SQLITE_OPEN_READONLY, NULL),
		SQLITE_OK);
	assert_int_equal(raw_int(rd, "SELECT count(*) FROM alerts WHERE "
				     "rule = 'Committed'"),
			 3000);
	assert_int_equal(raw_int(rd, "SELECT count(*) FROM "
				     "pragma_integrity_check WHERE "
				     "integrity_check = 'ok'"),
			 1);
	(void)sqlite3_close(rd);
}

struct release_arg {
	sqlite3 *db;
	long after_ms;
};

static void *release_later(void *p)
{
	struct release_arg *r = p;
	struct timespec ts = { r->after_ms / 1000,
			       (r->after_ms % 1000) * 1000000L };

	(void)nanosleep(&ts, NULL);
	raw_exec(r->db, "COMMIT");
	return NULL;
}

static void test_busy_writer_retries(void **state)
{
	struct fixture *f = *state;
	struct store_options o;
	struct release_arg ra;
	struct sink_stats st;
	struct sink *s;
	pthread_t th;
	char *err = NULL;
	sqlite3 *w;

	/* short busy timeout: the store's own retry loop must carry it */
	store_options_init(&o);
	o.busy_timeout_ms = 20;
	s = NULL;
	assert_int_equal(store_sink_open(f->db, &o, &s, &err), 0);
	assert_non_null(s);
	w = raw_open(f->db);
	raw_exec(w, "BEGIN IMMEDIATE");
	ra.db = w;
	ra.after_ms = 500;
	assert_int_equal(pthread_create(&th, NULL, release_later, &ra), 0);
	emit_free(s, mk(T_1700, "Late", ALERT_PRIO_ERROR, NULL, NULL));
	assert_int_equal(sink_flush(s), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	sink_stats(s, &st);
	assert_int_equal(st.written, 1);
	assert_int_equal(st.dropped, 0);
	sink_free(s);
	assert_int_equal(raw_int(w, "SELECT count(*) FROM alerts"), 1);
	(void)sqlite3_close(w);
}

static void test_locked_store_drops_after_retries(void **state)
{
	struct fixture *f = *state;
	struct store_options o;
	struct sink_stats st;
	struct sink *s;
	char *err = NULL, *last;
	sqlite3 *w;
	int i;

	store_options_init(&o);
	o.busy_timeout_ms = 20;
	s = NULL;
	assert_int_equal(store_sink_open(f->db, &o, &s, &err), 0);
	assert_non_null(s);
	w = raw_open(f->db);
	raw_exec(w, "BEGIN IMMEDIATE");
	emit_free(s, mk(T_1700, "Lost", ALERT_PRIO_ERROR, NULL, NULL));
	emit_free(s, mk(T_1700, "Lost", ALERT_PRIO_ERROR, NULL, NULL));
	assert_int_equal(sink_flush(s), 0);
	sink_stats(s, &st);
	assert_int_equal(st.emitted, 2);
	assert_int_equal(st.written, 0);
	assert_int_equal(st.dropped, 2);
	last = store_sink_last_error(s);
	assert_non_null(last);
	assert_non_null(strstr(last, "locked"));
	assert_non_null(strstr(last, "alerts dropped"));
	free(last);

	/* still locked: what follows is dropped too, and counted (replay
	 * can run again; the daemon keeps trying instead) */
	for (i = 0; i < HARRIER_STORE_BATCH_MAX + 88; i++)
		emit_free(s, mk(T_1700, "Lost", ALERT_PRIO_ERROR, NULL, NULL));
	assert_int_equal(sink_flush(s), 0);
	sink_stats(s, &st);
	assert_int_equal(st.dropped, 2 + HARRIER_STORE_BATCH_MAX + 88);
	assert_int_equal(st.written, 0);
	raw_exec(w, "COMMIT");

	/* the writer goes on once the lock is gone */
	emit_free(s, mk(T_1715, "Kept", ALERT_PRIO_ERROR, NULL, NULL));
	assert_int_equal(sink_flush(s), 0);
	sink_stats(s, &st);
	assert_int_equal(st.written, 1);
	sink_free(s);
	assert_int_equal(raw_int(w, "SELECT count(*) FROM alerts"), 1);
	(void)sqlite3_close(w);
}

static void test_queue_overflow_counts_drops(void **state)
{
	struct fixture *f = *state;
	struct store_options o;
	struct sink_stats st;
	struct sink *s;
	char *err = NULL, *last;
	sqlite3 *w;
	int i, ok = 0, full = 0, r;

	store_options_init(&o);
	o.queue_max = 4;
	o.enqueue_wait_ms = 0;
	s = NULL;
	assert_int_equal(store_sink_open(f->db, &o, &s, &err), 0);
	assert_non_null(s);
	/* hold the write lock so the writer cannot free queue slots */
	w = raw_open(f->db);
	raw_exec(w, "BEGIN IMMEDIATE");
	for (i = 0; i < 10; i++) {
		struct alert *a = mk(T_1700 + (uint64_t)i, "Flood",
				     ALERT_PRIO_ERROR, NULL, NULL);

		r = sink_emit(s, a);
		alert_free(a);
		if (r == 0)
			ok++;
		else if (r == -ENOBUFS)
			full++;
	}
	assert_int_equal(ok, 4);
	assert_int_equal(full, 6);
	sink_stats(s, &st);
	assert_int_equal(st.emitted, 10);
	assert_int_equal(st.dropped, 6);
	last = store_sink_last_error(s);
	assert_non_null(last);
	assert_non_null(strstr(last, "queue full"));
	free(last);
	raw_exec(w, "COMMIT");
	assert_int_equal(sink_flush(s), 0);
	sink_stats(s, &st);
	assert_int_equal(st.written, 4);
	assert_int_equal(st.dropped, 6);
	sink_free(s);
	assert_int_equal(raw_int(w, "SELECT count(*) FROM alerts"), 4);
	(void)sqlite3_close(w);
}

static bool store_in_fault(struct sink *s)
{
	struct store_status ss;

	store_sink_status(s, &ss);
	return ss.fault;
}

/* Once the store is known to fail, a full queue drops at once instead of
 * making every alert wait for space (detection must not stall). */
static void test_overflow_does_not_stall_each_alert(void **state)
{
	struct fixture *f = *state;
	struct store_options o;
	struct sink_stats st;
	struct sink *s;
	char *err = NULL;
	sqlite3 *w;
	int i;

	store_options_init(&o);
	o.queue_max = 2;
	o.enqueue_wait_ms = 600000; /* would hang the test if it waited */
	o.busy_timeout_ms = 20;
	s = NULL;
	assert_int_equal(store_sink_open(f->db, &o, &s, &err), 0);
	w = raw_open(f->db);
	raw_exec(w, "BEGIN IMMEDIATE");
	emit_free(s, mk(T_1700, "Queued", ALERT_PRIO_ERROR, NULL, NULL));
	emit_free(s, mk(T_1700, "Queued", ALERT_PRIO_ERROR, NULL, NULL));
	while (!store_in_fault(s))
		(void)usleep(10000);
	for (i = 0; i < 5; i++) {
		struct alert *a =
			mk(T_1700, "Over", ALERT_PRIO_ERROR, NULL, NULL);

		assert_int_equal(sink_emit(s, a), -ENOBUFS);
		alert_free(a);
	}
	raw_exec(w, "COMMIT");
	assert_int_equal(sink_flush(s), 0);
	/* space again: the next alert is queued, not dropped */
	emit_free(s, mk(T_1715, "After", ALERT_PRIO_ERROR, NULL, NULL));
	assert_int_equal(sink_flush(s), 0);
	sink_stats(s, &st);
	assert_int_equal(st.written, 3);
	assert_int_equal(st.dropped, 5);
	sink_free(s);
	(void)sqlite3_close(w);
}

static void test_not_a_database(void **state)
{
	struct fixture *f = *state;
	char *err = NULL, buf[64];
	FILE *fp;

	fp = fopen(f->db, "w");
	assert_non_null(fp);
	(void)fputs("this is not sqlite, and it must stay like this\n", fp);
	assert_int_equal(fclose(fp), 0);
	assert_null(store_sink_new(f->db, &err));
	assert_non_null(err);
	assert_non_null(strstr(err, "not a database"));
	free(err);
	fp = fopen(f->db, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	(void)fclose(fp);
	assert_string_equal(buf,
			    "this is not sqlite, and it must stay like this\n");
}

static void test_full_queue_waits_for_space(void **state)
{
	struct fixture *f = *state;
	struct store_options o;
	struct release_arg ra;
	struct sink_stats st;
	struct sink *s;
	pthread_t th;
	char *err = NULL;
	sqlite3 *w;

	store_options_init(&o);
	o.queue_max = 1;
	o.enqueue_wait_ms = -1; /* replay: never drop */
	s = NULL;
	assert_int_equal(store_sink_open(f->db, &o, &s, &err), 0);
	assert_non_null(s);
	w = raw_open(f->db);
	raw_exec(w, "BEGIN IMMEDIATE");
	ra.db = w;
	ra.after_ms = 200;
	assert_int_equal(pthread_create(&th, NULL, release_later, &ra), 0);
	emit_free(s, mk(T_1700, "One", ALERT_PRIO_ERROR, NULL, NULL));
	emit_free(s, mk(T_1700 + 1, "Two", ALERT_PRIO_ERROR, NULL, NULL));
	emit_free(s, mk(T_1700 + 2, "Three", ALERT_PRIO_ERROR, NULL, NULL));
	assert_int_equal(pthread_join(th, NULL), 0);
	sink_stats(s, &st);
	assert_int_equal(st.dropped, 0);
	sink_free(s); /* flushes */
	assert_int_equal(raw_int(w, "SELECT count(*) FROM alerts"), 3);
	(void)sqlite3_close(w);
}

/* Five alerts for the filter tests. */
static void fill_for_filters(const char *db)
{
	struct sink *s = open_store(db);

	emit_free(s, mk(T_1700, "Write below etc", ALERT_PRIO_ERROR,
			"3f2a9c1d5e6b", "web-1"));
	emit_free(s, mk(T_1700 + 10 * NS_MIN, "Write below binary dir",
			ALERT_PRIO_WARNING, NULL, NULL));
	emit_free(s, mk(T_1700 + 20 * NS_MIN, "Read sensitive file",
			ALERT_PRIO_NOTICE, "77aa00", "db-1"));
	emit_free(s, mk(T_1700 + 30 * NS_MIN, "Odd [x]? name",
			ALERT_PRIO_CRITICAL, "3f2a9c1d5e6b", "web-1"));
	emit_free(s, mk(T_1700 + 40 * NS_MIN, "Write below", ALERT_PRIO_DEBUG,
			NULL, "3f2a"));
	sink_free(s);
}

static void test_filter_none_oldest_first(void **state)
{
	struct fixture *f = *state;
	struct got g = { .n = 0 };
	size_t i;

	fill_for_filters(f->db);
	assert_int_equal(query(f->db, NULL, &g), 0);
	assert_int_equal(g.n, 5);
	for (i = 1; i < g.n; i++)
		assert_true(g.a[i - 1]->time_ns < g.a[i]->time_ns);
	got_free(&g);
}

static void test_filter_since_iso(void **state)
{
	struct fixture *f = *state;
	struct store_query q = { .since = "2026-11-28T17:10" };
	struct got g = { .n = 0 };

	fill_for_filters(f->db);
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.a[0]->rule, "Write below binary dir");
	q.since = "2026-11-28T17:20:00.000000001Z";
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 2);
	q.since = "2026-11-28 18:25+01:00"; /* 17:25Z */
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 2);
	q.since = "2026-11-28";
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 5);
	q.since = "2026-11-29";
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 0);
	got_free(&g);
}

static void test_filter_since_relative(void **state)
{
	struct fixture *f = *state;
	struct store_query q = { .since = "1h" };
	struct got g = { .n = 0 };
	struct timespec now;
	uint64_t n;
	struct sink *s;

	(void)clock_gettime(CLOCK_REALTIME, &now);
	n = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
	s = open_store(f->db);
	emit_free(s, mk(n - 120 * NS_MIN, "Two hours ago", ALERT_PRIO_ERROR,
			NULL, NULL));
	emit_free(s, mk(n - 30 * NS_MIN, "Half an hour ago", ALERT_PRIO_ERROR,
			NULL, NULL));
	emit_free(s, mk(n - 10000000000ULL, "Ten seconds ago", ALERT_PRIO_ERROR,
			NULL, NULL));
	sink_free(s);
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.a[0]->rule, "Half an hour ago");
	q.since = "5m";
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 1);
	q.since = "60s";
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 1);
	q.since = "1d";
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 3);
	q.since = "3h";
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 3);
	got_free(&g);
}

static void test_filter_bad_input(void **state)
{
	static const char *const bad_since[] = {
		"lastweek",
		"213504d", /* 584 years: before 1970 (it used to wrap) */
		"99999999999999999999s",
		"10x",
		"2026-02-30",
		"2026-11-28T25:00",
		"2026-11-28T17:00junk",
		"",
		"-5m",
	};
	struct fixture *f = *state;
	struct store_query q;
	char *err = NULL;
	struct got g = { .n = 0 };
	size_t i;

	fill_for_filters(f->db);
	for (i = 0; i < sizeof(bad_since) / sizeof(bad_since[0]); i++) {
		memset(&q, 0, sizeof(q));
		q.since = bad_since[i];
		assert_int_equal(
			store_query_alerts(f->db, &q, collect, &g, &err),
			-EINVAL);
		assert_non_null(err);
		assert_non_null(strstr(err, "--since"));
		free(err);
		err = NULL;
	}
	memset(&q, 0, sizeof(q));
	q.priority = "Severe";
	assert_int_equal(store_query_alerts(f->db, &q, collect, &g, &err),
			 -EINVAL);
	assert_non_null(strstr(err, "--priority"));
	free(err);
	assert_int_equal(g.n, 0);
}

static void test_filter_rule(void **state)
{
	struct fixture *f = *state;
	struct store_query q = { .rule = "Write below" };
	struct got g = { .n = 0 };

	fill_for_filters(f->db);
	/* exact: not a prefix match */
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.a[0]->rule, "Write below");
	q.rule = "Write below *";
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 2);
	q.rule = "*below*";
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 3);
	/* only '*' is special: '[x]?' matches itself */
	q.rule = "Odd [x]? *";
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 1);
	q.rule = "Odd x? *";
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 0);
	q.rule = "Write below?etc*"; /* '?' is not "any character" */
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 0);
	q.rule = "write below"; /* case matters, as rule names do */
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 0);
	got_free(&g);
}

/* --tag: a rule's tags change over time; an alert has the tag when its
 * own array does (not its rule's newer one), with a limit or without. */
static void test_filter_tag_changed(void **state)
{
	struct fixture *f = *state;
	struct store_query q = { .tag = "new" };
	struct got g = { .n = 0 };
	struct sink *s = open_store(f->db);
	struct alert *a;
	int i;

	for (i = 0; i < 6; i++) {
		a = mk(T_1700 + (uint64_t)i * 1000000000ULL,
		       i % 2 ? "Tagged" : "Other", ALERT_PRIO_ERROR, NULL,
		       NULL);
		add_tag(a, "old");
		if (i >= 2)
			add_tag(a, "new"); /* the rules got a tag */
		emit_free(s, a);
	}
	assert_int_equal(sink_flush(s), 0);
	sink_free(s);
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(g.a[i]->time_ns,
				 T_1700 + (uint64_t)(i + 2) * 1000000000ULL);
	q.limit = 3; /* the 3 most recent that have it, oldest first */
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.a[0]->time_ns, T_1700 + 3 * 1000000000ULL);
	q.limit = 0;
	q.tag = "old";
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 6);
	q.rule = "Tagged";
	q.tag = "new";
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 2);
	got_free(&g);
}

struct order {
	uint64_t last_ns;
	int64_t n, ids_sum;
	bool ordered;
};

static int in_order(const struct store_row *r, void *ud)
{
	struct order *o = ud;

	if (o->n && r->alert->time_ns < o->last_ns)
		o->ordered = false;
	o->last_ns = r->alert->time_ns;
	o->ids_sum += r->id;
	o->n++;
	return 0;
}

/* Rows found through several index ranges (a priority and those above
 * it) are read by id in batches (limits.h): every row once, oldest
 * first across the batches, though the store holds them in another
 * order (a log replayed out of order), and a row put in by hand with a
 * negative id among them. */
static void test_filter_rows_by_id(void **state)
{
	struct fixture *f = *state;
	const int n = 2 * HARRIER_QUERY_ROWS_BATCH + 7;
	struct store_query q = { .priority = "error", .line_only = true };
	struct order o = { .ordered = true };
	struct sink *s = open_store(f->db);
	char *err = NULL;
	sqlite3 *db;
	int i;

	for (i = 0; i < n; i++)
		/* newest first, every other one Critical */
		emit_free(s, mk(T_1700 + (uint64_t)(n - i) * 1000000ULL,
				"Out of order",
				i % 2 ? ALERT_PRIO_CRITICAL : ALERT_PRIO_ERROR,
				NULL, NULL));
	assert_int_equal(sink_flush(s), 0);
	sink_free(s);
	db = raw_open(f->db);
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO alerts (id, time, time_ns, "
				      "rule, priority, priority_num, output) "
				      "SELECT -5, time, time_ns + 1, 'By hand', "
				      "priority, priority_num, 'by hand' FROM "
				      "alerts WHERE id = 9",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	(void)sqlite3_close(db);
	assert_int_equal(store_query_rows(f->db, &q, in_order, &o, &err),
			 n + 1);
	assert_null(err);
	assert_int_equal(o.n, n + 1);
	assert_true(o.ordered);
	/* 1..n once each, and -5 */
	assert_int_equal(o.ids_sum, (int64_t)n * (n + 1) / 2 - 5);
}

static void test_filter_container(void **state)
{
	struct fixture *f = *state;
	struct store_query q = { .container = "3f2a" };
	struct got g = { .n = 0 };

	fill_for_filters(f->db);
	/* id prefix, and the alert whose container is *named* 3f2a */
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 3);
	q.container = "3f2a9c1d5e6b";
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 2);
	q.container = "web-1";
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.a[0]->container_name, "web-1");
	q.container = "web"; /* names match whole */
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 0);
	q.container = "%"; /* no LIKE wildcards either */
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 0);
	got_free(&g);
}

static void test_filter_priority(void **state)
{
	struct fixture *f = *state;
	struct store_query q = { .priority = "warning" };
	struct got g = { .n = 0 };
	size_t i;

	fill_for_filters(f->db);
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 3);
	for (i = 0; i < g.n; i++)
		assert_true(g.a[i]->priority <= ALERT_PRIO_WARNING);
	q.priority = "Critical";
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.a[0]->priority, ALERT_PRIO_CRITICAL);
	q.priority = "info";
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 4);
	q.priority = "Emergency";
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 0);
	got_free(&g);
}

static void test_filter_limit_most_recent(void **state)
{
	struct fixture *f = *state;
	struct store_query q = { .limit = 2 };
	struct got g = { .n = 0 };

	fill_for_filters(f->db);
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.a[0]->rule, "Odd [x]? name");
	assert_string_equal(g.a[1]->rule, "Write below");
	q.limit = 100;
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 5);
	got_free(&g);
}

static void test_filters_combine(void **state)
{
	struct fixture *f = *state;
	struct store_query q = { .since = "2026-11-28T17:05",
				 .rule = "*",
				 .container = "3f2a9c",
				 .priority = "Error",
				 .limit = 10 };
	struct got g = { .n = 0 };

	fill_for_filters(f->db);
	assert_int_equal(query(f->db, &q, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.a[0]->rule, "Odd [x]? name");
	got_free(&g);
}

static void test_callback_error_stops(void **state)
{
	struct fixture *f = *state;
	struct got g = { .n = 0, .fail_after = 2 };

	fill_for_filters(f->db);
	assert_int_equal(query(f->db, NULL, &g), -ECANCELED);
	assert_int_equal(g.n, 2);
	got_free(&g);
}

static void test_query_missing_store(void **state)
{
	struct fixture *f = *state;
	struct got g = { .n = 0 };
	char *err = NULL;

	assert_int_equal(store_query_alerts(f->db, NULL, collect, &g, &err),
			 -EIO);
	assert_non_null(err);
	assert_non_null(strstr(err, "No such file"));
	free(err);
	/* the reader created nothing */
	assert_int_equal(access(f->db, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(x) cmocka_unit_test_setup_teardown(x, setup, teardown)
		T(test_roundtrip),
		T(test_columns_are_queryable),
		T(test_migrate_empty_file),
		T(test_reopen_is_idempotent),
		T(test_newer_schema_is_refused),
		T(test_missing_directory),
		T(test_readonly_path),
		T(test_reader_does_not_block_writer),
		T(test_commit_survives_writer_death),
		T(test_busy_writer_retries),
		T(test_locked_store_drops_after_retries),
		T(test_queue_overflow_counts_drops),
		T(test_full_queue_waits_for_space),
		T(test_overflow_does_not_stall_each_alert),
		T(test_not_a_database),
		T(test_filter_none_oldest_first),
		T(test_filter_since_iso),
		T(test_filter_since_relative),
		T(test_filter_bad_input),
		T(test_filter_rule),
		T(test_filter_tag_changed),
		T(test_filter_rows_by_id),
		T(test_filter_container),
		T(test_filter_priority),
		T(test_filter_limit_most_recent),
		T(test_filters_combine),
		T(test_callback_error_stops),
		T(test_query_missing_store),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
