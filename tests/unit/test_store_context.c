/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's context side against real database files: captures, the
 * alerts joining them and their events written beside alerts (each event
 * once, a capture's row updated in place, what the store cannot link
 * counted), an alert stored by an earlier run found for its context,
 * context that never crowds alerts out of the queue, the
 * timeline read back in order with its alerts marked, and the --since /
 * --until times (today, yesterday, weeks, epoch seconds, overflow).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_util.h"

#include "common/alert.h"
#include "common/context.h"
#include "sink/sink.h"
#include "sink/store.h"
#include "sink/store_query.h"

#define MS 1000000ULL
#define T0 1796158185000000000ULL /* 2026-12-01T20:49:45Z */

struct fixture {
	char dir[64];
	char db[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	(void)snprintf(f->dir, sizeof(f->dir), "/tmp/harrier-ctx.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	(void)snprintf(f->db, sizeof(f->db), "%s/alerts.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rm_tree(f->dir);
	free(f);
	return 0;
}

static struct alert *mk_alert(uint64_t t_ms, uint64_t serial,
			      const char *rule)
{
	struct alert *a = calloc(1, sizeof(*a));

	assert_non_null(a);
	a->time_ns = T0 + t_ms * MS;
	a->audit_serial = serial;
	a->rule = xstrdup(rule);
	a->priority = ALERT_PRIO_WARNING;
	a->output = xstrdup("o");
	a->hostname = xstrdup("node-1");
	a->source = xstrdup("syscall");
	a->container_id = xstrdup("aaaa00000000");
	a->container_name = xstrdup("web-1");
	a->pid = 100;
	a->ppid = 1;
	a->uid = 0;
	a->auid = -1;
	return a;
}

/* The store copies what it is given: the test's copy is freed. */
static int emit_free(struct sink *s, struct alert *a)
{
	int r = sink_emit(s, a);

	alert_free(a);
	return r;
}

static struct context_event ev_at(uint64_t t_ms, uint64_t serial,
				  const char *syscall, const char *file,
				  struct alert_key *links, size_t nlinks)
{
	struct context_event e;

	memset(&e, 0, sizeof(e));
	e.time_ns = T0 + t_ms * MS;
	e.serial = serial;
	e.hostname = (char *)"node-1";
	e.syscall = (char *)syscall;
	e.success = 1;
	e.pid = 100;
	e.ppid = 1;
	e.uid = 0;
	e.auid = -1;
	e.ses = -1;
	e.cmdline = (char *)"cat /etc/shadow";
	e.file = (char *)file;
	e.container_id = (char *)"aaaa00000000";
	e.container_name = (char *)"web-1";
	e.links = links;
	e.nlinks = nlinks;
	return e;
}

static int64_t count(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	(void)sqlite3_finalize(st);
	(void)sqlite3_close(h);
	return n;
}

static void test_context_written_once_with_links(void **state)
{
	struct fixture *f = *state;
	struct alert_key a = { T0 + 10 * MS, 2, (char *)"A", (char *)"node-1" };
	struct alert_key b = { T0 + 20 * MS, 3, (char *)"B", (char *)"node-1" };
	struct alert_key gone = { T0 + 30 * MS, 9, (char *)"Gone",
				  (char *)"node-1" };
	struct alert_key a_gone[2] = { a, gone };
	struct context_event e;
	/* capture A, started by alert A: B joins it; Gone was dropped */
	struct context_summary sum = { a, (char *)"container web-1", T0,
				       T0 + 5000 * MS, 0, 0, 1, true };
	struct context_join ja = { a, a, T0, T0 + 5000 * MS };
	struct context_join jb = { b, a, T0 + 10 * MS, T0 + 5020 * MS };
	struct context_join jg = { gone, a, T0, T0 };
	struct store_context_stats cs;
	struct sink *s;
	char *err = NULL;

	s = store_sink_new(f->db, &err);
	assert_non_null(s);
	assert_int_equal(store_sink_set_origin(s, "live"), 0);
	assert_int_equal(emit_free(s, mk_alert(10, 2, "A")), 0);
	assert_int_equal(emit_free(s, mk_alert(20, 3, "B")), 0);
	assert_int_equal(store_sink_emit_summary(s, &sum), 0);
	assert_int_equal(store_sink_emit_join(s, &ja), 0);
	assert_int_equal(store_sink_emit_join(s, &jb), 0);
	assert_int_equal(store_sink_emit_join(s, &jg), 0);
	e = ev_at(0, 1, "execve", NULL, &a, 1);
	assert_int_equal(store_sink_emit_context(s, &e), 0);
	/* the same event again: stored once, linked once */
	assert_int_equal(store_sink_emit_context(s, &e), 0);
	/* linked to A's capture and to one the store does not have */
	e = ev_at(10, 2, "openat", "/etc/shadow", a_gone, 2);
	assert_int_equal(store_sink_emit_context(s, &e), 0);
	sum.events = 3;
	sum.left_out = 1;
	sum.alerts = 2;
	sum.until_ns = T0 + 5020 * MS;
	sum.running = false;
	assert_int_equal(store_sink_emit_summary(s, &sum), 0);
	assert_int_equal(sink_flush(s), 0);
	store_sink_context_stats(s, &cs);
	sink_free(s);

	assert_int_equal(count(f->db, "SELECT count(*) FROM events"), 2);
	assert_int_equal(count(f->db, "SELECT count(*) FROM capture_events"),
			 2);
	assert_int_equal(count(f->db, "SELECT count(*) FROM events WHERE "
				      "origin = 'live' AND container_id = "
				      "'aaaa00000000' AND file = '/etc/shadow' "
				      "AND time = '2026-12-01T20:49:45."
				      "010000000Z' AND ses IS NULL"),
			 1);
	/* one row for the capture, updated in place (its id kept) */
	assert_int_equal(count(f->db, "SELECT count(*) FROM captures WHERE "
				      "rule = 'A' AND events = 3 AND "
				      "left_out = 1 AND alerts = 2 AND running "
				      "= 0 AND until_ns - from_ns = "
				      "5020000000 AND id = 1"),
			 1);
	assert_int_equal(count(f->db, "SELECT count(*) FROM captures"), 1);
	/* B's own window in its capture */
	assert_int_equal(count(f->db, "SELECT count(*) FROM alert_captures "
				      "ac JOIN alerts a ON a.id = ac.alert_id "
				      "WHERE a.rule = 'B' AND ac.capture_id = "
				      "1 AND ac.from_ns - a.time_ns = -10000000"),
			 1);
	assert_int_equal(count(f->db, "SELECT count(*) FROM alert_captures"),
			 2);
	assert_int_equal(cs.events_written, 3);
	assert_int_equal(cs.events_dropped, 0);
	/* the second link of the first event, the link to no capture */
	assert_int_equal(cs.links_missing, 2);
	assert_int_equal(cs.summaries_written, 2);
	assert_int_equal(cs.joins_written, 2);
	assert_int_equal(cs.joins_dropped, 1); /* Gone */
}

/* A log replayed twice: the second run (another writer, so other
 * writer keys) stores no alert again, counts them as held already, and
 * its context links to the alert stored the first time. */
static void test_duplicate_alert_gets_its_context(void **state)
{
	struct fixture *f = *state;
	struct alert_key a = { T0 + 10 * MS, 2, (char *)"A", (char *)"node-1" };
	struct context_summary sum = { a, (char *)"container web-1", T0,
				       T0 + 5000 * MS, 1, 0, 1, false };
	struct context_join ja = { a, a, T0, T0 + 5000 * MS };
	struct store_context_stats cs;
	struct sink_stats ss;
	struct context_event e;
	struct sink *s;
	char *err = NULL;

	s = store_sink_new(f->db, &err);
	assert_non_null(s);
	assert_int_equal(store_sink_set_origin(s, "/var/log/audit/a.log"), 0);
	assert_int_equal(emit_free(s, mk_alert(10, 2, "A")), 0);
	sink_free(s);
	assert_int_equal(count(f->db, "SELECT count(*) FROM captures"), 0);

	s = store_sink_new(f->db, &err);
	assert_non_null(s);
	assert_int_equal(store_sink_set_origin(s, "/var/log/audit/b.log"), 0);
	assert_int_equal(emit_free(s, mk_alert(10, 2, "A")), 0);
	assert_int_equal(emit_free(s, mk_alert(11, 3, "A")), 0);
	assert_int_equal(store_sink_emit_summary(s, &sum), 0);
	assert_int_equal(store_sink_emit_join(s, &ja), 0);
	e = ev_at(10, 2, "openat", "/etc/shadow", &a, 1);
	assert_int_equal(store_sink_emit_context(s, &e), 0);
	assert_int_equal(sink_flush(s), 0);
	sink_stats(s, &ss);
	store_sink_context_stats(s, &cs);
	sink_free(s);

	assert_int_equal(ss.emitted, 2);
	assert_int_equal(ss.written, 2);
	assert_int_equal(ss.dropped, 0);
	assert_int_equal(cs.duplicates, 1);
	assert_int_equal(cs.joins_written, 1);
	assert_int_equal(cs.joins_dropped, 0);
	assert_int_equal(cs.links_missing, 0);
	assert_int_equal(count(f->db, "SELECT count(*) FROM alerts"), 2);
	/* the first run's row, with the first run's origin, joined */
	assert_int_equal(count(f->db, "SELECT count(*) FROM alerts a JOIN "
				      "alert_captures ac ON ac.alert_id = a.id "
				      "WHERE a.id = 1 AND a.origin = "
				      "'/var/log/audit/a.log'"),
			 1);
	assert_int_equal(count(f->db, "SELECT count(*) FROM alerts WHERE "
				      "id = 2 AND origin = "
				      "'/var/log/audit/b.log'"),
			 1);
	assert_int_equal(count(f->db, "SELECT count(*) FROM events WHERE "
				      "origin = '/var/log/audit/b.log'"),
			 1);
	/* both keys are there: the writer's and the alert's own */
	assert_int_equal(count(f->db, "SELECT count(*) FROM sqlite_master "
				      "WHERE type = 'index' AND name IN "
				      "('alerts_writer', 'alerts_key')"),
			 2);
	assert_int_equal(count(f->db, "SELECT count(DISTINCT writer_run) "
				      "FROM alerts"),
			 2);
}

struct seen {
	uint64_t serials[8];
	size_t n;
};

static int seen_cb(const struct store_event *se, void *ud)
{
	struct seen *v = ud;

	assert_true(v->n < 8);
	v->serials[v->n++] = se->ev->serial;
	if (se->ev->serial == 2) {
		assert_int_equal(se->nalerts, 1);
		assert_int_equal(se->alerts[0].id, 1);
		assert_string_equal(se->alerts[0].rule, "A");
	} else {
		assert_int_equal(se->nalerts, 0);
	}
	return 0;
}

static void test_timeline_reads_back(void **state)
{
	struct fixture *f = *state;
	struct alert_key a = { T0 + 10 * MS, 2, (char *)"A", (char *)"node-1" };
	struct context_summary sum = { a, (char *)"container web-1",
				       T0, T0 + 5000 * MS, 3, 0, 1, false };
	struct context_join ja = { a, a, T0, T0 + 5000 * MS };
	struct store_timeline_query q = { .alert_id = 1 };
	struct store_capture cap;
	struct context_event e;
	struct sink *s;
	struct seen v = { .n = 0 };
	char *err = NULL;
	int r;

	s = store_sink_new(f->db, &err);
	assert_non_null(s);
	assert_int_equal(emit_free(s, mk_alert(10, 2, "A")), 0);
	(void)store_sink_emit_summary(s, &sum);
	(void)store_sink_emit_join(s, &ja);
	/* handed over out of order: read back in time order */
	e = ev_at(30, 4, "execve", NULL, &a, 1);
	(void)store_sink_emit_context(s, &e);
	e = ev_at(0, 1, "execve", NULL, &a, 1);
	(void)store_sink_emit_context(s, &e);
	e = ev_at(10, 2, "openat", "/etc/shadow", &a, 1);
	(void)store_sink_emit_context(s, &e);
	sink_free(s);

	r = store_timeline(f->db, &q, &cap, seen_cb, &v, &err);
	assert_int_equal(r, 3);
	assert_int_equal(v.serials[0], 1);
	assert_int_equal(v.serials[1], 2);
	assert_int_equal(v.serials[2], 4);
	assert_true(cap.found);
	assert_string_equal(cap.scope, "container web-1");
	assert_int_equal(cap.events, 3);
	assert_int_equal(cap.alerts, 1);
	/* a container by id prefix and time range */
	v.n = 0;
	q.alert_id = 0;
	q.container = "aaaa";
	q.since = "2026-12-01T20:49:45.005Z";
	r = store_timeline(f->db, &q, NULL, seen_cb, &v, &err);
	assert_int_equal(r, 2);
	assert_int_equal(v.serials[0], 2);
	/* no such alert */
	q.alert_id = 7;
	q.container = NULL;
	q.since = NULL;
	assert_int_equal(store_timeline(f->db, &q, &cap, seen_cb, &v, &err),
			 -ENOENT);
	assert_non_null(strstr(err, "no alert with id 7"));
	free(err);
}

/* A live store of queue_max items whose writer a reader holding the
 * write lock (*ret_lock) stalls. */
static struct sink *open_stalled(const char *db, unsigned int queue_max,
				 sqlite3 **ret_lock)
{
	struct store_options o;
	struct sink *s;
	char *err = NULL;

	store_options_init(&o);
	o.queue_max = queue_max;
	o.enqueue_wait_ms = 0;
	o.busy_timeout_ms = 20;
	assert_int_equal(store_sink_open(db, &o, &s, &err), 0);
	assert_int_equal(sqlite3_open(db, ret_lock), SQLITE_OK);
	assert_int_equal(sqlite3_exec(*ret_lock, "BEGIN EXCLUSIVE", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	return s;
}

/* The lock let go, everything written: s's counts, s freed. */
static void release_stalled(sqlite3 *lock, struct sink *s,
			    struct sink_stats *ret_ss,
			    struct store_context_stats *ret_cs)
{
	assert_int_equal(sqlite3_exec(lock, "COMMIT", NULL, NULL, NULL),
			 SQLITE_OK);
	(void)sqlite3_close(lock);
	assert_int_equal(sink_flush(s), 0);
	sink_stats(s, ret_ss);
	store_sink_context_stats(s, ret_cs);
	sink_free(s);
}

/* Context fills half the queue at most, and live it never waits: an
 * alert always finds room while context is dropped and counted. */
static void test_context_never_crowds_out_alerts(void **state)
{
	struct fixture *f = *state;
	struct alert_key a = { T0, 1, (char *)"A", (char *)"node-1" };
	struct store_context_stats cs;
	struct sink_stats ss;
	struct context_event e;
	sqlite3 *lock;
	struct sink *s;
	int i, accepted = 0;

	s = open_stalled(f->db, 8, &lock);
	for (i = 0; i < 10; i++) {
		e = ev_at((uint64_t)i, (uint64_t)i + 10, "openat", "/x", &a,
			  1);
		if (store_sink_emit_context(s, &e) == 0)
			accepted++;
	}
	assert_true(accepted <= 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(emit_free(s, mk_alert((uint64_t)i, (uint64_t)i,
						      "A")),
				 0);
	release_stalled(lock, s, &ss, &cs);
	assert_int_equal(ss.emitted, 4);
	assert_int_equal(ss.dropped, 0);
	assert_int_equal(count(f->db, "SELECT count(*) FROM alerts"), 4);
	assert_int_equal(cs.events_dropped + cs.events_written, 10);
	assert_true(cs.events_dropped >= 6);
}

/* A storm of alerts joining one capture, while the store is stalled:
 * each alert's join rides on the alert's own place in the queue, so
 * captures halve neither the room for alerts nor the joins kept
 * (before, each join took a place, and context half the queue at most:
 * here 8 of 12 joins were refused). */
static void test_joins_take_no_queue_place(void **state)
{
	struct fixture *f = *state;
	struct alert_key a = { T0, 1, (char *)"A", (char *)"node-1" };
	struct context_summary sum = { a, (char *)"container web-1", T0,
				       T0 + 5000 * MS, 0, 0, 1, true };
	struct context_join j = { a, a, T0, T0 + 5000 * MS };
	struct store_context_stats cs;
	struct sink_stats ss;
	sqlite3 *lock;
	struct sink *s;
	char *err = NULL;
	uint64_t i;

	/* the capture's first alert, its summary and join, written
	 * before the writer stalls */
	s = store_sink_new(f->db, &err);
	assert_non_null(s);
	assert_int_equal(emit_free(s, mk_alert(0, 1, "A")), 0);
	assert_int_equal(store_sink_emit_summary(s, &sum), 0);
	assert_int_equal(store_sink_emit_join(s, &j), 0);
	sink_free(s);
	s = open_stalled(f->db, 16, &lock);
	for (i = 0; i < 12; i++) {
		assert_int_equal(emit_free(s, mk_alert(10 + i, 2 + i, "B")),
				 0);
		j.alert = (struct alert_key){ T0 + (10 + i) * MS, 2 + i,
					      (char *)"B", (char *)"node-1" };
		j.from_ns = T0 + i * MS;
		assert_int_equal(store_sink_emit_join(s, &j), 0);
	}
	release_stalled(lock, s, &ss, &cs);
	assert_int_equal(ss.emitted, 12);
	assert_int_equal(ss.dropped, 0);
	assert_int_equal(cs.joins_written, 12);
	assert_int_equal(cs.joins_dropped, 0);
	/* each with its own window */
	assert_int_equal(count(f->db, "SELECT count(*) FROM alert_captures "
				      "ac JOIN alerts a ON a.id = ac.alert_id "
				      "WHERE a.rule = 'B' AND ac.capture_id = 1 "
				      "AND a.time_ns - ac.from_ns = 10000000"),
			 12);
}

static void test_times(void **state)
{
	/* 2026-12-01T20:49:45.5Z, a Tuesday */
	const uint64_t now = T0 + 500 * MS;
	char *err = NULL;
	uint64_t t;

	(void)state;
	assert_int_equal(setenv("TZ", "UTC", 1), 0);
	tzset();
	assert_int_equal(store_query_parse_time("--since", "today", now, &t,
						&err),
			 0);
	assert_int_equal(t, 1796083200ULL * 1000000000ULL); /* 00:00 UTC */
	assert_int_equal(store_query_parse_time("--since", "yesterday", now,
						&t, &err),
			 0);
	assert_int_equal(t, (1796083200ULL - 86400) * 1000000000ULL);
	assert_int_equal(setenv("TZ", "Europe/Paris", 1), 0); /* UTC+1 */
	tzset();
	assert_int_equal(store_query_parse_time("--since", "today", now, &t,
						&err),
			 0);
	assert_int_equal(t, (1796083200ULL - 3600) * 1000000000ULL);
	assert_int_equal(unsetenv("TZ"), 0);
	tzset();
	assert_int_equal(store_query_parse_time("--since", "1w", now, &t,
						&err),
			 0);
	assert_int_equal(t, now - 7 * 86400ULL * 1000000000ULL);
	assert_int_equal(store_query_parse_time("--until", "now", now, &t,
						&err),
			 0);
	assert_int_equal(t, now);
	assert_int_equal(store_query_parse_time("--since", "1796158185.25",
						now, &t, &err),
			 0);
	assert_int_equal(t, T0 + 250 * MS);
	assert_int_equal(store_query_parse_time("--since", "0", now, &t,
						&err),
			 0);
	assert_int_equal(t, 0);
	/* 213504 days used to wrap to about 25 minutes ago */
	assert_int_equal(store_query_parse_time("--since", "213504d", now, &t,
						&err),
			 -EINVAL);
	assert_non_null(strstr(err, "--since '213504d': out of range"));
	free(err);
	err = NULL;
	/* 56 years back is 1970: still fine; 57 is before it */
	assert_int_equal(store_query_parse_time("--since", "20400d", now, &t,
						&err),
			 0);
	assert_int_equal(store_query_parse_time("--since", "20900d", now, &t,
						&err),
			 -EINVAL);
	free(err);
	err = NULL;
	assert_int_equal(store_query_parse_time("--since",
						"99999999999999999999w", now,
						&t, &err),
			 -EINVAL);
	free(err);
	err = NULL;
	assert_int_equal(store_query_parse_time("--until",
						"99999999999999999999", now,
						&t, &err),
			 -EINVAL);
	assert_non_null(strstr(err, "--until"));
	free(err);
	err = NULL;
	assert_int_equal(store_query_parse_time("--since", "1.2.3", now, &t,
						&err),
			 -EINVAL);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_context_written_once_with_links, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_duplicate_alert_gets_its_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeline_reads_back, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_context_never_crowds_out_alerts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_joins_take_no_queue_place,
						setup, teardown),
		cmocka_unit_test(test_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
