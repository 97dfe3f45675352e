/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's write rate, and a store to query: N alerts shaped like a
 * busy node's (200 rules with tags, thousands of executables and files,
 * pods and namespaces, most alerts Notice/Warning, a few Critical, over
 * 30 days) through harrier's own store writer (store.h, replay mode: the
 * queue waits), optionally with C context events per alert as a capture
 * hands them over (half of them shared with the previous alert's, as
 * overlapping captures do). Prints alerts/s, wall and per CPU second (the
 * machine is shared). --raw V instead inserts the same rows straight into
 * SQLite, in transactions of HARRIER_STORE_BATCH_MAX: V 0 a bare table
 * (the machine's baseline), 1.. the store's schema versions (what the
 * indexes cost, without the writer; the side tables that schema 4's
 * writer keeps are filled once at the end). Deterministic (fixed
 * seed). --every K: the context events of every Kth alert only (each
 * alert still joins its capture): what the capture's per-minute cap lets
 * through in a storm (the default 6,000 events a minute is one event per
 * 500 alerts at 50,000 alerts/s).
 * usage: store_bench DB N [--context C [--every K] | --raw 0|1|2|3|4]
 *        [--same|--storm]
 * build: cc -O2 -Isrc -IBUILD bench/store_bench.c BUILD/libharrier.a \
 *        $(pkg-config --libs sqlite3 json-c auparse audit yaml-0.1 libsystemd \
 *        libcurl zlib) -lpthread -lm
 */
#include "config.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "common/alert.h"
#include "common/context.h"
#include "common/limits.h"
#include "common/strbuf.h"
#include "sink/sink.h"
#include "sink/store.h"
#include "sink/store_schema.h"

static uint64_t rng = 88172645463325252ULL;
/* --same: every alert alike (one rule, the host, one program and file),
 * as bench/store.c's: each index has one place to grow.
 * --storm: what a storm of alerts on a node looks like (a loop running
 * `cat` over a directory tree, a scanner): three rules, the host and
 * three containers, four programs, one node, a new process per alert,
 * the files of a directory walk (in path order). */
static bool same, storm;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned int pick(unsigned int n)
{
	return (unsigned int)(next() % n);
}

/* Skewed toward small values, as alert sources are: a few programs,
 * files and containers raise most alerts. */
static unsigned int skew(unsigned int n)
{
	return (unsigned int)((uint64_t)pick(n) * pick(n) / n);
}

static double now_s(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *const tag_pool[] = {
	"host", "container", "filesystem", "network", "process",
	"mitre_credential_access", "mitre_execution", "mitre_persistence",
	"mitre_discovery", "mitre_defense_evasion", "mitre_exfiltration",
	"T1003", "T1059", "T1543", "T1552", "T1070", "T1082", "T1204",
	"T1611", "T1105", "maturity_stable", "maturity_sandbox",
};
#define NTAGS (sizeof(tag_pool) / sizeof(tag_pool[0]))

/* A rule's priority: the rarest rules are the severe ones (rules are
 * picked skewed: rule 0 fires most). */
static enum alert_priority priority(unsigned int rule)
{
	return rule >= 190 ? ALERT_PRIO_CRITICAL : rule >= 170 ?
	       ALERT_PRIO_ERROR : rule >= 60 ? ALERT_PRIO_WARNING :
	       rule % 3 ? ALERT_PRIO_NOTICE : ALERT_PRIO_INFORMATIONAL;
}

/* Alert i of n: fields deterministic from the generator. */
static void fill(struct alert *a, uint64_t i, uint64_t n, uint64_t t0,
		 char buf[][256])
{
	unsigned int rule = same ? 0 : storm ? pick(3) : skew(200), k, t, ntags;
	unsigned int ctr = same	 ? 0 :
			   storm ? pick(4) :
			   pick(4) ? 1 + skew(2000) :
				     0; /* 1/4 host */

	memset(a, 0, sizeof(*a));
	/* 30 days, in order */
	a->time_ns = t0 + i * (30ULL * 86400 * 1000000000ULL / n);
	a->audit_serial = 1000000 + i;
	(void)snprintf(buf[0], 256, "Rule %u", rule);
	a->rule = buf[0];
	a->priority = priority(rule);
	(void)snprintf(buf[1], 256, "node-%u", storm ? 0 : pick(10));
	a->hostname = buf[1];
	(void)snprintf(buf[2], 256,
		       "Something the rule saw (file=/srv/app-%u/f%u "
		       "process=p%u user=root parent=bash command=p%u -x)",
		       skew(500), pick(100), skew(5000), skew(5000));
	a->output = buf[2];
	a->source = (char *)"syscall";
	if (ctr) {
		(void)snprintf(buf[3], 256, "%08x%08x%08x%08x%08x%08x%08x%08x",
			       ctr, ctr * 7, ctr * 13, ctr * 17, ctr, ctr,
			       ctr, ctr);
		a->container_id = buf[3];
		(void)snprintf(buf[4], 256, "ctr-%u", ctr);
		a->container_name = buf[4];
		if (ctr % 2) {
			(void)snprintf(buf[5], 256, "web-%u", ctr % 500);
			a->pod_name = buf[5];
			(void)snprintf(buf[6], 256, "ns-%u", ctr % 20);
			a->pod_namespace = buf[6];
		}
	}
	/* pids grow with time (the kernel hands them out in order) */
	a->pid = 1000 + (unsigned int)((i / 3) % 4000000) + pick(64);
	if (storm)
		a->pid = 1000 + (unsigned int)(i % 4000000);
	a->ppid = a->pid - 1 - pick(500);
	a->uid = pick(3) ? 0 : 1000;
	a->auid = pick(2) ? -1 : 1000;
	k = same ? 0 : storm ? pick(4) : skew(5000);
	(void)snprintf(buf[7], 256, "/usr/bin/p%u", k);
	a->exe = buf[7];
	(void)snprintf(buf[8], 256, "p%u -x --flag value %u", k, pick(100));
	a->cmdline = buf[8];
	a->syscall = (char *)"openat";
	/* 0.1% /etc/shadow, else one of 50,000 files under 500 dirs */
	if (storm)
		(void)snprintf(buf[9], 256, "/usr/share/doc/pkg-%05u/f%02u",
			       (unsigned int)(i / 20), (unsigned int)(i % 20));
	else if (same || pick(1000) == 0)
		(void)snprintf(buf[9], 256, "/etc/shadow");
	else
		(void)snprintf(buf[9], 256, "/srv/app-%u/f%u", skew(500),
			       pick(100));
	a->file = buf[9];
	/* the rule's tags, in buf[10..] (the caller points a->tags at
	 * them): its own technique id, then 2 to 5 shared ones */
	ntags = 3 + rule % 4;
	(void)snprintf(buf[10], 256, "T%u.%03u", 1000 + rule / 10, rule);
	for (k = 1; k < ntags; k++) {
		t = (rule * 7 + k * 3) % NTAGS;
		(void)snprintf(buf[10 + k], 256, "%s", tag_pool[t]);
	}
	a->ntags = ntags;
}

static double cpu_s(void)
{
	struct rusage ru;

	(void)getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* The same rows straight into SQLite, in batches' transactions and the
 * writer's page cache: schema 0 is a bare table (no index), 1.. the
 * store's schema files as harrier applies them (the indexes' own cost,
 * without the writer). */
static int raw(const char *path, uint64_t n, uint64_t t0, int version)
{
	static const char bare[] =
		"CREATE TABLE alerts (id INTEGER PRIMARY KEY, time, time_ns, "
		"hostname, rule, priority, priority_num, output, tags, source, "
		"container_id, container_name, pod_name, pod_namespace, pid, "
		"ppid, uid, auid, exe, cmdline, syscall, file, audit_serial, "
		"fields, origin)";
	static const char ins[] =
		"INSERT OR IGNORE INTO alerts (time, time_ns, hostname, rule, "
		"priority, priority_num, output, tags, source, container_id, "
		"container_name, pod_name, pod_namespace, pid, ppid, uid, auid, "
		"exe, cmdline, syscall, file, audit_serial, fields%s) VALUES "
		"(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
		"?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23%s)";
	char buf[16][256], t[40], sql[1024], tags[512];
	struct alert a;
	sqlite3_stmt *st;
	sqlite3 *db;
	double t1, c1;
	uint64_t i;
	size_t k;
	int v;

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous "
			     "= NORMAL; PRAGMA temp_store = MEMORY; PRAGMA "
			     "cache_size = -" XSTR(HARRIER_STORE_CACHE_KIB),
			 NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (version == 0 &&
	    sqlite3_exec(db, bare, NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	for (k = 0; k < store_nschemas; k++) {
		v = store_schemas[k].version;
		if (v > version)
			break;
		if (sqlite3_exec(db, store_schemas[k].sql, NULL, NULL, NULL) !=
		    SQLITE_OK)
			goto fail;
		/* as the store's migration does */
		(void)snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
		if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
			goto fail;
	}
	(void)snprintf(sql, sizeof(sql), ins, version == 1 ? "" : ", origin",
		       version == 1 ? "" : ", 'bench'");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	t1 = now_s();
	c1 = cpu_s();
	(void)sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (i = 0; i < n; i++) {
		fill(&a, i, n, t0, buf);
		alert_format_time(a.time_ns, t, sizeof(t));
		sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)a.time_ns);
		sqlite3_bind_text(st, 3, a.hostname, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, a.rule, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, alert_priority_name(a.priority), -1,
				  SQLITE_STATIC);
		sqlite3_bind_int(st, 6, a.priority);
		sqlite3_bind_text(st, 7, a.output, -1, SQLITE_STATIC);
		tags[0] = '[';
		tags[1] = '\0';
		for (k = 0; k < a.ntags; k++)
			(void)snprintf(tags + strlen(tags),
				       sizeof(tags) - strlen(tags), "%s\"%s\"",
				       k ? "," : "", buf[10 + k]);
		(void)snprintf(tags + strlen(tags), sizeof(tags) - strlen(tags),
			       "]");
		sqlite3_bind_text(st, 8, tags, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, "syscall", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10,
				  a.container_id ? a.container_id : "host", -1,
				  SQLITE_STATIC);
		sqlite3_bind_text(st, 11,
				  a.container_name ? a.container_name : "host",
				  -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 12, a.pod_name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 13, a.pod_namespace, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 14, a.pid);
		sqlite3_bind_int64(st, 15, a.ppid);
		sqlite3_bind_int64(st, 16, a.uid);
		sqlite3_bind_int64(st, 17, a.auid);
		sqlite3_bind_text(st, 18, a.exe, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 19, a.cmdline, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 20, a.syscall, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 21, a.file, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 22, (sqlite3_int64)a.audit_serial);
		sqlite3_bind_text(st, 23, "{\"proc.name\":\"p\"}", -1,
				  SQLITE_STATIC);
		(void)sqlite3_step(st);
		(void)sqlite3_reset(st);
		if (i % HARRIER_STORE_BATCH_MAX == HARRIER_STORE_BATCH_MAX - 1) {
			(void)sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
			(void)sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		}
	}
	(void)sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	/* the store writes a rule's tags when it first sees the rule */
	if (version >= 2)
		(void)sqlite3_exec(db,
				   "INSERT OR IGNORE INTO rule_tags SELECT "
				   "DISTINCT t.value, a.rule FROM alerts a, "
				   "json_each(a.tags) t",
				   NULL, NULL, NULL);
	(void)sqlite3_finalize(st);
	(void)sqlite3_close(db);
	printf("raw schema %d: %llu rows in %.2f s (%.2f s CPU): %.0f rows/s, "
	       "%.0f rows per CPU second\n",
	       version, (unsigned long long)n, now_s() - t1, cpu_s() - c1,
	       (double)n / (now_s() - t1), (double)n / (cpu_s() - c1));
	return 0;
fail:
	fprintf(stderr, "%s\n", sqlite3_errmsg(db));
	return 1;
}

int main(int argc, char **argv)
{
	char buf[16][256], *tagp[8], *err = NULL, file[80];
	struct store_context_stats cs;
	struct store_options o;
	struct sink_stats ss;
	struct context_event ce;
	struct context_summary sum;
	struct context_join join;
	struct alert a;
	struct alert_key key, ckey = { 0 };
	struct sink *s;
	uint64_t n, i, t0, ctx = 0, every = 1, k;
	double t1, dt, c1;

	if (argc < 3) {
		fprintf(stderr, "usage: store_bench DB N [--context C "
				"[--every K] | --raw V] [--same|--storm]\n");
		return 2;
	}
	n = strtoull(argv[2], NULL, 10);
	t0 = (uint64_t)time(NULL) * 1000000000ULL - 30ULL * 86400 * 1000000000ULL;
	same = argc > 3 && strcmp(argv[argc - 1], "--same") == 0;
	storm = argc > 3 && strcmp(argv[argc - 1], "--storm") == 0;
	if (same || storm)
		argc--;
	if (argc > 4 && strcmp(argv[3], "--raw") == 0)
		return raw(argv[1], n, t0, atoi(argv[4]));
	if (argc > 4 && strcmp(argv[3], "--context") == 0)
		ctx = strtoull(argv[4], NULL, 10);
	if (argc > 6 && strcmp(argv[5], "--every") == 0)
		every = strtoull(argv[6], NULL, 10);
	if (every == 0)
		every = 1;
	store_options_init(&o);
	o.enqueue_wait_ms = -1;
	if (store_sink_open(argv[1], &o, &s, &err) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	(void)store_sink_set_origin(s, "bench");
	t1 = now_s();
	c1 = cpu_s();
	for (i = 0; i < n; i++) {
		fill(&a, i, n, t0, buf);
		for (k = 0; k < a.ntags; k++)
			tagp[k] = buf[10 + k];
		a.tags = tagp;
		(void)sink_emit(s, &a);
		if (!ctx)
			continue;
		/* its capture: C events, the first half of them the last
		 * half of the previous alert's (overlapping captures) */
		/* the capture this alert starts, and its join, as
		 * pipeline/capture.c hands them over; in a storm, one
		 * capture that every alert joins (one scope) */
		key = (struct alert_key){ a.time_ns, a.audit_serial, a.rule,
					  a.hostname };
		if (!storm || i == 0) {
			if (storm) {
				ckey = key;
				ckey.rule = strdup(a.rule);
				ckey.hostname = strdup(a.hostname);
			}
			sum = (struct context_summary){
				.capture = key,
				.scope = (char *)"host pid 1 lineage, session 1",
				.from_ns = a.time_ns - 5000000000ULL,
				.until_ns = a.time_ns + 5000000000ULL,
				.alerts = 1,
				.running = true
			};
			(void)store_sink_emit_summary(s, &sum);
		}
		join = (struct context_join){ key, storm ? ckey : key,
					      a.time_ns - 5000000000ULL,
					      a.time_ns + 5000000000ULL };
		(void)store_sink_emit_join(s, &join);
		if (storm)
			key = ckey;
		memset(&ce, 0, sizeof(ce));
		ce.hostname = (char *)"node-0";
		ce.syscall = (char *)"execve";
		ce.success = 1;
		ce.pid = a.pid;
		ce.ppid = a.ppid;
		ce.uid = 0;
		ce.auid = -1;
		ce.ses = -1;
		ce.exe = a.exe;
		ce.cmdline = a.cmdline;
		ce.container_id = a.container_id ? a.container_id :
						   (char *)"host";
		ce.links = &key;
		ce.nlinks = 1;
		for (k = 0; i % every == 0 && k < ctx; k++) {
			/* storm: each alert's own events (its exec, its
			 * open, ...); else the first half of them shared
			 * with the previous alert's capture */
			uint64_t j = storm ? i * ctx + k : i * (ctx / 2) + k;

			ce.time_ns = t0 + j * 1000;
			ce.serial = 5000000000ULL + j;
			(void)snprintf(file, sizeof(file), "/srv/x/%llu",
				       (unsigned long long)(j % 977));
			ce.file = file;
			(void)store_sink_emit_context(s, &ce);
		}
	}
	(void)sink_flush(s);
	dt = now_s() - t1;
	sink_stats(s, &ss);
	store_sink_context_stats(s, &cs);
	sink_free(s);
	printf("store%s: %llu alerts (%llu written, %llu dropped), %llu "
	       "context events (%llu dropped) in %.2f s (%.2f s CPU): %.0f "
	       "alerts/s, %.0f per CPU second\n",
	       ctx ? " + captures" : "", (unsigned long long)n,
	       (unsigned long long)ss.written, (unsigned long long)ss.dropped,
	       (unsigned long long)cs.events_written,
	       (unsigned long long)cs.events_dropped, dt, cpu_s() - c1,
	       (double)n / dt, (double)n / (cpu_s() - c1));
	return ss.dropped ? 1 : 0;
}
