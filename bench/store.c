/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How many alerts a second the store keeps up with (not a test): N alerts
 * shaped like the shipped rules' (13 output fields, 6 tags, a command
 * line) are emitted into a store sink as the daemon opens it (trusted,
 * spool, WAL, batched transactions) and flushed; the baseline, in the
 * same run and on the same disk, is SQLite alone inserting the same rows
 * with one prepared statement in transactions of the same size. Also the
 * store with a reader holding a read transaction the whole time (its WAL
 * cannot be checkpointed meanwhile). Target: >= 50,000 alerts/s.
 *
 *   cc -O2 -Isrc -IBUILD bench/store.c BUILD/libharrier.a \
 *      $(pkg-config --cflags --libs sqlite3 json-c libsystemd yaml-0.1 \
 *        auparse audit libcurl zlib) -lpthread -lm -o /tmp/bench-store
 *   /tmp/bench-store [N] [DIR]     (N default 200000, DIR default /var/tmp)
 */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/alert.h"
#include "common/limits.h"
#include "sink/sink.h"
#include "sink/store.h"

static double now_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *dup_s(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

static struct alert *mk(uint64_t i)
{
	static const char *const names[] = {
		"fd.name",	 "proc.aname[2]", "proc.aname[3]", "evt.type",
		"user.name",	 "user.uid",	  "user.loginuid", "proc.name",
		"proc.exepath",	 "proc.pname",	  "proc.cmdline",  "proc.tty",
		"container.id",
	};
	static const char *const values[] = {
		"/etc/shadow", "sshd", "systemd", "openat", "root", "0", "1000",
		"cat", "/usr/bin/cat", "bash", "cat /etc/shadow", "34816",
		"host",
	};
	static const char *const tags[] = { "maturity_stable", "host",
					    "container", "filesystem",
					    "mitre_credential_access",
					    "T1555" };
	struct alert *a = calloc(1, sizeof(*a));
	char out[512];
	size_t k;

	if (!a)
		abort();
	a->time_ns = 1795886107000000000ULL + i * 1000;
	a->hostname = dup_s("node-1");
	a->rule = dup_s("Read sensitive file untrusted");
	a->priority = ALERT_PRIO_WARNING;
	(void)snprintf(out, sizeof(out),
		       "Sensitive file opened for reading by non-trusted "
		       "program (file=/etc/shadow gparent=sshd ggparent=systemd "
		       "evt_type=openat user=root user_uid=0 user_loginuid=1000 "
		       "process=cat proc_exepath=/usr/bin/cat parent=bash "
		       "command=cat /etc/shadow terminal=34816 container_id=host "
		       "container_name=host) n=%llu",
		       (unsigned long long)i);
	a->output = dup_s(out);
	a->source = dup_s("syscall");
	a->pid = 4242 + (int64_t)(i % 30000);
	a->ppid = 4000;
	a->uid = 0;
	a->auid = 1000;
	a->exe = dup_s("/usr/bin/cat");
	a->cmdline = dup_s("cat /etc/shadow");
	a->syscall = dup_s("openat");
	a->file = dup_s("/etc/shadow");
	a->audit_serial = i;
	a->ntags = 6;
	a->tags = calloc(6, sizeof(*a->tags));
	a->nfields = 13;
	a->fields = calloc(13, sizeof(*a->fields));
	if (!a->tags || !a->fields)
		abort();
	for (k = 0; k < 6; k++)
		a->tags[k] = dup_s(tags[k]);
	for (k = 0; k < 13; k++) {
		a->fields[k].name = dup_s(names[k]);
		a->fields[k].value = dup_s(values[k]);
		a->fields[k].literal = k == 5 || k == 6;
	}
	return a;
}

static void rm_db(const char *db)
{
	char p[600];

	(void)unlink(db);
	(void)snprintf(p, sizeof(p), "%s-wal", db);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", db);
	(void)unlink(p);
}

static struct sink *open_store(const char *db, const char *spool)
{
	struct store_options o;
	struct sink *s = NULL;
	char *err = NULL;

	store_options_init(&o);
	o.trusted = true;
	o.keep_trying = true;
	o.spool_dir = spool;
	o.enqueue_wait_ms = -1; /* measure the writer, not drops */
	if (store_sink_open(db, &o, &s, &err) < 0) {
		(void)fprintf(stderr, "store: %s\n", err ? err : "?");
		exit(1);
	}
	return s;
}

/* The store sink: emit all, flush. Alerts/s. */
static double run_store(const char *db, const char *spool,
			struct alert **a, size_t n, bool reader)
{
	struct sink_stats st;
	sqlite3 *rd = NULL;
	struct sink *s;
	double t0, t;
	size_t i;

	rm_db(db);
	s = open_store(db, spool);
	if (reader) {
		/* a reader in the middle of a long query the whole time */
		(void)sqlite3_open(db, &rd);
		(void)sqlite3_exec(rd, "BEGIN; SELECT count(*) FROM alerts;",
				   NULL, NULL, NULL);
	}
	t0 = now_s();
	for (i = 0; i < n; i++)
		(void)sink_emit(s, a[i]);
	(void)sink_flush(s);
	t = now_s() - t0;
	sink_stats(s, &st);
	if (st.written != n)
		(void)fprintf(stderr, "written %llu of %zu\n",
			      (unsigned long long)st.written, n);
	if (rd) {
		(void)sqlite3_exec(rd, "COMMIT", NULL, NULL, NULL);
		(void)sqlite3_close(rd);
	}
	sink_free(s);
	return (double)n / t;
}

/* SQLite alone: the same rows, one statement, same batch size. */
static double run_sqlite(const char *db, const char *spool,
			 struct alert **a, size_t n)
{
	static const char sql[] =
		"INSERT INTO alerts (time, time_ns, hostname, rule, priority, "
		"priority_num, output, tags, source, pid, ppid, uid, auid, "
		"exe, cmdline, syscall, file, audit_serial, fields) VALUES "
		"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	static const char tags[] =
		"[\"maturity_stable\",\"host\",\"container\",\"filesystem\","
		"\"mitre_credential_access\",\"T1555\"]";
	static const char fields[] =
		"{\"fd.name\":\"/etc/shadow\",\"proc.aname[2]\":\"sshd\","
		"\"proc.aname[3]\":\"systemd\",\"evt.type\":\"openat\","
		"\"user.name\":\"root\",\"user.uid\":0,\"user.loginuid\":1000,"
		"\"proc.name\":\"cat\",\"proc.exepath\":\"/usr/bin/cat\","
		"\"proc.pname\":\"bash\",\"proc.cmdline\":\"cat /etc/shadow\","
		"\"proc.tty\":\"34816\",\"container.id\":\"host\"}";
	sqlite3_stmt *st;
	struct sink *s;
	sqlite3 *h;
	char t[40];
	double t0, el;
	size_t i;

	rm_db(db);
	s = open_store(db, spool); /* the same schema and pragmas */
	sink_free(s);
	if (sqlite3_open(db, &h) != SQLITE_OK)
		exit(1);
	/* as the store sets them (temp_store: the statement journals of
	 * inserts that fire schema 2's triggers) */
	(void)sqlite3_exec(h, "PRAGMA synchronous = NORMAL; "
			   "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
		(void)fprintf(stderr, "%s\n", sqlite3_errmsg(h));
		exit(1);
	}
	t0 = now_s();
	for (i = 0; i < n; i++) {
		if (i % HARRIER_STORE_BATCH_MAX == 0)
			(void)sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
		alert_format_time(a[i]->time_ns, t, sizeof(t));
		(void)sqlite3_bind_text(st, 1, t, -1, SQLITE_TRANSIENT);
		(void)sqlite3_bind_int64(st, 2, (sqlite3_int64)a[i]->time_ns);
		(void)sqlite3_bind_text(st, 3, a[i]->hostname, -1, SQLITE_STATIC);
		(void)sqlite3_bind_text(st, 4, a[i]->rule, -1, SQLITE_STATIC);
		(void)sqlite3_bind_text(st, 5, "Warning", -1, SQLITE_STATIC);
		(void)sqlite3_bind_int(st, 6, 4);
		(void)sqlite3_bind_text(st, 7, a[i]->output, -1, SQLITE_STATIC);
		(void)sqlite3_bind_text(st, 8, tags, -1, SQLITE_STATIC);
		(void)sqlite3_bind_text(st, 9, a[i]->source, -1, SQLITE_STATIC);
		(void)sqlite3_bind_int64(st, 10, a[i]->pid);
		(void)sqlite3_bind_int64(st, 11, a[i]->ppid);
		(void)sqlite3_bind_int64(st, 12, a[i]->uid);
		(void)sqlite3_bind_int64(st, 13, a[i]->auid);
		(void)sqlite3_bind_text(st, 14, a[i]->exe, -1, SQLITE_STATIC);
		(void)sqlite3_bind_text(st, 15, a[i]->cmdline, -1, SQLITE_STATIC);
		(void)sqlite3_bind_text(st, 16, a[i]->syscall, -1, SQLITE_STATIC);
		(void)sqlite3_bind_text(st, 17, a[i]->file, -1, SQLITE_STATIC);
		(void)sqlite3_bind_int64(st, 18,
					 (sqlite3_int64)a[i]->audit_serial);
		(void)sqlite3_bind_text(st, 19, fields, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			(void)fprintf(stderr, "%s\n", sqlite3_errmsg(h));
			exit(1);
		}
		(void)sqlite3_reset(st);
		if (i % HARRIER_STORE_BATCH_MAX == HARRIER_STORE_BATCH_MAX - 1 ||
		    i == n - 1)
			(void)sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	}
	el = now_s() - t0;
	(void)sqlite3_finalize(st);
	(void)sqlite3_close(h);
	return (double)n / el;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 200000;
	const char *dir = argc > 2 ? argv[2] : "/var/tmp";
	char tmp[512], db[600], spool[600];
	double base[3], store[3], rd[3];
	struct alert **a;
	size_t i;
	int r;

	(void)snprintf(tmp, sizeof(tmp), "%s/bench-store.XXXXXX", dir);
	if (!mkdtemp(tmp)) {
		perror(tmp);
		return 1;
	}
	(void)snprintf(db, sizeof(db), "%s/alerts.db", tmp);
	(void)snprintf(spool, sizeof(spool), "%s/spool", tmp);
	a = calloc(n, sizeof(*a));
	if (!a)
		return 1;
	for (i = 0; i < n; i++)
		a[i] = mk(i);
	/* alternating, best of three each: the machine is shared */
	for (r = 0; r < 3; r++) {
		base[r] = run_sqlite(db, spool, a, n);
		store[r] = run_store(db, spool, a, n, false);
		rd[r] = run_store(db, spool, a, n, true);
	}
	qsort(base, 3, sizeof(double), cmp_d);
	qsort(store, 3, sizeof(double), cmp_d);
	qsort(rd, 3, sizeof(double), cmp_d);
	(void)printf("%zu alerts on %s, median of 3 runs each:\n", n, dir);
	(void)printf("  sqlite alone (baseline)      %9.0f alerts/s\n", base[1]);
	(void)printf("  store sink                   %9.0f alerts/s  ratio "
		     "%.2f of the baseline (target >= 50000/s)\n",
		     store[1], store[1] / base[1]);
	(void)printf("  store sink, reader holding   %9.0f alerts/s  ratio "
		     "%.2f\n",
		     rd[1], rd[1] / base[1]);
	for (i = 0; i < n; i++)
		alert_free(a[i]);
	free(a);
	rm_db(db);
	(void)snprintf(db, sizeof(db), "rm -rf '%s'", tmp);
	return system(db) == 0 ? 0 : 1;
}
