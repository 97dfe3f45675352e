/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The capture (pipeline/capture.h) with events built here and an output
 * that records what it is handed: scope (container; host lineage and
 * session), the window before and after, alerts of one scope sharing one
 * capture, one hand-over per event with every capture it belongs to, the
 * per-minute cap and its count, the memory bound, rules' capture: true
 * and capture_duration (through a real engine), min_priority, internal
 * alerts, too many captures at once.
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

#include <cmocka.h>

#include "unit_util.h"

#include "common/alert.h"
#include "common/context.h"
#include "common/diag.h"
#include "common/lineage.h"
#include "common/limits.h"
#include "engine/engine.h"
#include "pipeline/capture.h"

#define MS 1000000ULL
#define T0 1796158185000000000ULL /* 2026-12-01T20:49:45Z */

/* ---- what the output was handed ---- */

struct handed {
	struct context_event *ev[512];
	size_t nev;
	struct context_summary *sum[512]; /* ended */
	size_t nsum;
	size_t nstarted;
	struct context_join *join[512];
	size_t njoin;
};

static int out_event(void *ud, const struct context_event *e)
{
	struct handed *h = ud;

	assert_true(h->nev < 512);
	h->ev[h->nev] = context_event_dup(e);
	assert_non_null(h->ev[h->nev]);
	h->nev++;
	return 0;
}

static int out_summary(void *ud, const struct context_summary *s)
{
	struct handed *h = ud;

	/* each capture is announced when it starts: its scope and window
	 * at once, no counts yet; then again when it ends */
	if (s->running) {
		assert_int_equal(s->events, 0);
		assert_non_null(s->scope);
		assert_true(s->until_ns > s->from_ns);
		h->nstarted++;
		return 0;
	}
	assert_true(h->nsum < 512);
	h->sum[h->nsum] = context_summary_dup(s);
	assert_non_null(h->sum[h->nsum]);
	h->nsum++;
	return 0;
}

static int out_join(void *ud, const struct context_join *j)
{
	struct handed *h = ud;

	assert_true(h->njoin < 512);
	h->join[h->njoin] = context_join_dup(j);
	assert_non_null(h->join[h->njoin]);
	h->njoin++;
	return 0;
}

static void handed_free(struct handed *h)
{
	size_t i;

	for (i = 0; i < h->nev; i++)
		context_event_free(h->ev[i]);
	for (i = 0; i < h->nsum; i++)
		context_summary_free(h->sum[i]);
	for (i = 0; i < h->njoin; i++)
		context_join_free(h->join[i]);
	h->nev = h->nsum = h->njoin = h->nstarted = 0;
}

/* The serials handed over for the capture its first alert's serial
 * names. */
static size_t serials_for(const struct handed *h, uint64_t aserial,
			  uint64_t *out, size_t max)
{
	size_t i, j, n = 0;

	for (i = 0; i < h->nev; i++)
		for (j = 0; j < h->ev[i]->nlinks; j++)
			if (h->ev[i]->links[j].serial == aserial && n < max)
				out[n++] = h->ev[i]->serial;
	return n;
}

static bool has(const uint64_t *v, size_t n, uint64_t x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static const struct context_summary *summary_of(const struct handed *h,
						uint64_t aserial)
{
	size_t i;

	for (i = 0; i < h->nsum; i++)
		if (h->sum[i]->capture.serial == aserial)
			return h->sum[i];
	return NULL;
}

/* ---- a lineage: pid -> parent, as a process table would say ---- */

static pid_t parents[65536];

static int lin_ancestor(void *ctx, pid_t pid, unsigned int n,
			struct proc_view *ret)
{
	(void)ctx;
	while (n-- > 0) {
		if (pid <= 0 || pid >= 65536 || !parents[pid])
			return -ENOENT;
		pid = parents[pid];
	}
	memset(ret, 0, sizeof(*ret));
	ret->pid = pid;
	return 0;
}

static const struct event_lineage lineage = { lin_ancestor, NULL };

/* ---- events ---- */

struct evspec {
	uint64_t t_ms; /* after T0 */
	uint64_t serial;
	pid_t pid, ppid;
	uint32_t ses;
	const char *syscall;
	const char *file;
	const struct event_container *ct;
};

static const struct event_container ct_a = { .id = "aaaa00000000", .name =
							     "web-1" };
static const struct event_container ct_b = { .id = "bbbb00000000", .name =
							     "db-1" };

static void feed(struct capture *c, const struct evspec *s)
{
	struct event_path p = { .name = s->file, .nametype = "NORMAL" };
	const char *argv[] = { "cmd", "arg" };
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = EVENT_KIND_SYSCALL;
	ev.time_ns = T0 + s->t_ms * MS;
	ev.serial = s->serial;
	ev.type_name = "SYSCALL";
	ev.syscall_name = s->syscall ? s->syscall : "openat";
	ev.success = 1;
	ev.pid = s->pid;
	ev.ppid = s->ppid;
	ev.uid = 0;
	ev.auid = s->ses ? 1000 : EVENT_ID_UNSET;
	ev.ses = s->ses ? s->ses : EVENT_ID_UNSET;
	ev.comm = "cmd";
	ev.exe = "/usr/bin/cmd";
	ev.argv = argv;
	ev.argc = 2;
	if (s->file) {
		ev.paths = &p;
		ev.npaths = 1;
	}
	ev.container = s->ct;
	ev.lineage = &lineage;
	/* the process table learns the parent from the event first */
	if (s->pid > 0 && s->pid < 65536)
		parents[s->pid] = s->ppid;
	capture_event(c, &ev);
}

/* The alert an engine would raise for the event s. */
static void alert_on(struct capture *c, const struct evspec *s,
		     const char *rule, enum alert_priority prio)
{
	struct alert a;

	memset(&a, 0, sizeof(a));
	a.time_ns = T0 + s->t_ms * MS;
	a.audit_serial = s->serial;
	a.rule = (char *)rule;
	a.priority = prio;
	a.hostname = (char *)"node-1";
	a.source = (char *)"syscall";
	a.pid = s->pid;
	a.ppid = s->ppid;
	a.uid = 0;
	a.auid = -1;
	if (s->ct) {
		a.container_id = (char *)s->ct->id;
		a.container_name = (char *)s->ct->name;
	}
	capture_alert(c, &a);
}

static struct capture *new_capture(struct handed *h,
				   const struct capture_options *o)
{
	struct capture_output out = { out_event, out_summary, out_join, h };
	struct capture *c = capture_new(o, &out, "node-1");

	assert_non_null(c);
	memset(parents, 0, sizeof(parents));
	return c;
}

/* ---- tests ---- */

static void test_container_scope_and_window(void **state)
{
	static const struct evspec ev[] = {
		{ 100, 1, 300, 1, 0, "execve", "/bin/sh", &ct_a }, /* too old */
		{ 6000, 2, 301, 300, 0, "execve", "/bin/ls", &ct_a },
		{ 6001, 3, 400, 1, 0, "execve", "/bin/ls", &ct_b },
		{ 6002, 4, 500, 1, 0, "openat", "/etc/hosts", NULL },
		{ 12000, 5, 302, 300, 0, "openat", "/etc/shadow", &ct_a },
	};
	static const struct evspec after[] = {
		{ 13000, 6, 303, 300, 0, "execve", "/bin/echo", &ct_a },
		{ 13001, 7, 401, 1, 0, "execve", "/bin/echo", &ct_b },
		{ 17001, 8, 304, 300, 0, "execve", "/bin/late", &ct_a },
	};
	struct capture_options o;
	struct handed h = { .nev = 0 };
	const struct context_summary *sum;
	struct capture *c;
	uint64_t got[64];
	size_t i, n;

	(void)state;
	capture_options_init(&o); /* 10 s before, 5 s after */
	c = new_capture(&h, &o);
	for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		feed(c, &ev[i]);
	alert_on(c, &ev[4], "Shadow", ALERT_PRIO_WARNING);
	for (i = 0; i < sizeof(after) / sizeof(after[0]); i++)
		feed(c, &after[i]);
	capture_flush(c);
	n = serials_for(&h, 5, got, 64);
	assert_int_equal(n, 3);
	assert_true(has(got, n, 2) && has(got, n, 5) && has(got, n, 6));
	/* the handed-over copy says where it happened */
	for (i = 0; i < h.nev; i++)
		if (h.ev[i]->serial == 5) {
			assert_string_equal(h.ev[i]->container_id,
					    "aaaa00000000");
			assert_string_equal(h.ev[i]->container_name, "web-1");
			assert_string_equal(h.ev[i]->file, "/etc/shadow");
			assert_string_equal(h.ev[i]->hostname, "node-1");
			assert_string_equal(h.ev[i]->cmdline, "cmd arg");
			assert_string_equal(h.ev[i]->links[0].rule, "Shadow");
		}
	sum = summary_of(&h, 5);
	assert_non_null(sum);
	assert_int_equal(sum->events, 3);
	assert_int_equal(sum->left_out, 0);
	assert_int_equal(sum->from_ns, T0 + 2000 * MS);
	assert_int_equal(sum->until_ns, T0 + 17000 * MS);
	assert_non_null(strstr(sum->scope, "web-1"));
	handed_free(&h);
	capture_free(c);
}

static void test_host_lineage_and_session(void **state)
{
	/* 10 bash -> 20 sh (session 7) -> 21 ls, 22 cat (alert), 23 sleep
	 * -> 24 its child; 30 (session 7, another parent) and 40 (same
	 * parent, session 8: not this login) are not its lineage */
	static const struct evspec ev[] = {
		{ 1000, 1, 20, 10, 7, "execve", "/bin/sh", NULL },
		{ 1001, 2, 21, 20, 7, "execve", "/bin/ls", NULL },
		{ 1002, 3, 30, 11, 7, "execve", "/bin/other", NULL },
		{ 1003, 4, 40, 20, 8, "execve", "/bin/foreign", NULL },
		{ 1004, 5, 50, 20, 7, "execve", "/bin/c", &ct_a },
		{ 1005, 6, 22, 20, 7, "openat", "/etc/shadow", NULL },
	};
	static const struct evspec after[] = {
		{ 2000, 7, 23, 20, 7, "execve", "/bin/sleep", NULL },
		{ 2001, 8, 24, 23, 7, "execve", "/bin/grandchild", NULL },
		{ 2002, 9, 10, 1, 7, "openat", "/etc/passwd", NULL },
	};
	struct capture_options o;
	struct handed h = { .nev = 0 };
	struct capture *c;
	uint64_t got[64];
	size_t i, n;

	(void)state;
	capture_options_init(&o);
	c = new_capture(&h, &o);
	parents[20] = 10;
	parents[10] = 1;
	for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		feed(c, &ev[i]);
	alert_on(c, &ev[5], "Shadow", ALERT_PRIO_WARNING);
	for (i = 0; i < sizeof(after) / sizeof(after[0]); i++)
		feed(c, &after[i]);
	capture_flush(c);
	n = serials_for(&h, 6, got, 64);
	/* the parent, its children and theirs, and the ancestors */
	assert_true(has(got, n, 1) && has(got, n, 2) && has(got, n, 6) &&
		    has(got, n, 7) && has(got, n, 8) && has(got, n, 9));
	assert_false(has(got, n, 3)); /* another lineage */
	assert_false(has(got, n, 4)); /* another session */
	assert_false(has(got, n, 5)); /* a container */
	assert_int_equal(n, 6);
	assert_non_null(strstr(summary_of(&h, 6)->scope,
			       "host pid 20 lineage, session 7"));
	handed_free(&h);
	capture_free(c);
}

static void test_alerts_of_one_scope_share_a_capture(void **state)
{
	static const struct evspec ev[] = {
		{ 0, 1, 100, 1, 0, "execve", "/bin/sh", &ct_a },
		{ 10, 2, 101, 100, 0, "openat", "/etc/shadow", &ct_a },
		{ 20, 3, 102, 100, 0, "openat", "/etc/gshadow", &ct_a },
		{ 30, 4, 103, 100, 0, "execve", "/bin/echo", &ct_a },
	};
	struct capture_options o;
	struct handed h = { .nev = 0 };
	struct capture *c;
	size_t i;

	(void)state;
	capture_options_init(&o);
	c = new_capture(&h, &o);
	feed(c, &ev[0]);
	feed(c, &ev[1]);
	alert_on(c, &ev[1], "A", ALERT_PRIO_ERROR);
	feed(c, &ev[2]);
	alert_on(c, &ev[2], "B", ALERT_PRIO_ERROR);
	feed(c, &ev[3]);
	capture_flush(c);
	/* one capture (A's); B joins it with its own window */
	assert_int_equal(h.nstarted, 1);
	assert_int_equal(h.nsum, 1);
	assert_int_equal(summary_of(&h, 2)->alerts, 2);
	assert_int_equal(h.njoin, 2);
	assert_string_equal(h.join[1]->alert.rule, "B");
	assert_string_equal(h.join[1]->capture.rule, "A");
	assert_int_equal(h.join[1]->from_ns, T0 + 20 * MS - o.before_ns);
	assert_int_equal(h.join[1]->until_ns, T0 + 20 * MS + o.duration_ns);
	/* each event handed over once */
	assert_int_equal(h.nev, 4);
	for (i = 0; i < h.nev; i++)
		assert_int_equal(h.ev[i]->nlinks, 1);
	assert_int_equal(summary_of(&h, 2)->events, 4);
	assert_int_equal(summary_of(&h, 2)->until_ns,
			 T0 + 20 * MS + o.duration_ns);
	handed_free(&h);
	capture_free(c);
}

/* Two host scopes that overlap (the second alert's parent is in the
 * first's lineage): an event in both is handed over once, with both. */
static void test_overlapping_captures_hand_over_once(void **state)
{
	static const struct evspec ev[] = {
		{ 0, 1, 21, 20, 0, "execve", "/bin/sh", NULL },
		{ 10, 2, 22, 20, 0, "openat", "/etc/shadow", NULL },
		{ 20, 3, 23, 21, 0, "openat", "/etc/gshadow", NULL },
		{ 30, 4, 24, 21, 0, "execve", "/bin/echo", NULL },
	};
	struct capture_options o;
	struct handed h = { .nev = 0 };
	struct capture *c;
	size_t i, after = 0;

	(void)state;
	capture_options_init(&o);
	c = new_capture(&h, &o);
	parents[20] = 10;
	feed(c, &ev[0]);
	feed(c, &ev[1]);
	alert_on(c, &ev[1], "A", ALERT_PRIO_ERROR); /* root 20 */
	feed(c, &ev[2]);
	alert_on(c, &ev[2], "B", ALERT_PRIO_ERROR); /* root 21 */
	feed(c, &ev[3]);
	assert_int_equal(h.nstarted, 2);
	for (i = 0; i < h.nev; i++)
		if (h.ev[i]->serial == 4) {
			after++;
			assert_int_equal(h.ev[i]->nlinks, 2);
			assert_string_equal(h.ev[i]->links[0].rule, "A");
			assert_string_equal(h.ev[i]->links[1].rule, "B");
		}
	assert_int_equal(after, 1);
	capture_flush(c);
	handed_free(&h);
	capture_free(c);
}

static void test_per_minute_cap_counts_what_it_left_out(void **state)
{
	struct capture_options o;
	struct handed h = { .nev = 0 };
	struct evspec s = { 0, 0, 100, 1, 0, "openat", "/etc/x", &ct_a };
	struct capture *c;
	struct capture_stats st;
	uint64_t i;

	(void)state;
	capture_options_init(&o);
	o.max_per_minute = 3;
	o.duration_ns = 50000 * MS;
	c = new_capture(&h, &o);
	s.serial = 1;
	s.t_ms = 1000;
	feed(c, &s);
	alert_on(c, &s, "A", ALERT_PRIO_CRITICAL);
	for (i = 2; i <= 6; i++) {
		s.serial = i;
		s.t_ms = 1000 + i;
		feed(c, &s);
	}
	/* a new minute: the cap starts again */
	s.serial = 7;
	s.t_ms = 1000 + 60000 - 45000; /* 2026-12-01T20:50:01 */
	feed(c, &s);
	capture_flush(c);
	assert_int_equal(h.nev, 4);
	assert_int_equal(summary_of(&h, 1)->events, 4);
	assert_int_equal(summary_of(&h, 1)->left_out, 3);
	capture_get_stats(c, &st);
	assert_int_equal(st.left_out, 3);
	assert_int_equal(st.sent, 4);
	handed_free(&h);
	capture_free(c);
}

/* A capture that starts hands over its window's events, which may be of
 * the minute before: they are written now, so they count in this minute
 * (going back a minute reset the count, and coming forward again reset it
 * once more: twice the cap). */
static void test_per_minute_cap_with_older_events(void **state)
{
	/* the minute turns at 15,000 ms after T0 */
	static const struct evspec ev[] = {
		{ 14000, 1, 200, 1, 0, "openat", "/etc/b", &ct_b },
		{ 14001, 2, 200, 1, 0, "openat", "/etc/b", &ct_b },
		{ 15500, 3, 100, 1, 0, "openat", "/etc/a", &ct_a },
		{ 15600, 4, 100, 1, 0, "openat", "/etc/a", &ct_a },
		{ 15700, 5, 100, 1, 0, "openat", "/etc/a", &ct_a },
		{ 15800, 6, 200, 1, 0, "openat", "/etc/b", &ct_b },
		{ 75000, 7, 100, 1, 0, "openat", "/etc/a", &ct_a },
	};
	struct capture_options o;
	struct handed h = { .nev = 0 };
	struct capture *c;
	struct capture_stats st;
	size_t i;

	(void)state;
	capture_options_init(&o);
	o.max_per_minute = 3;
	o.duration_ns = 70000 * MS;
	c = new_capture(&h, &o);
	for (i = 0; i < 3; i++)
		feed(c, &ev[i]);
	alert_on(c, &ev[2], "A", ALERT_PRIO_CRITICAL);
	feed(c, &ev[3]);
	feed(c, &ev[4]); /* the minute's third */
	feed(c, &ev[5]);
	alert_on(c, &ev[5], "B", ALERT_PRIO_CRITICAL); /* 1, 2 and 6 */
	assert_int_equal(h.nev, 3);
	feed(c, &ev[6]); /* a later minute */
	capture_flush(c);
	assert_int_equal(h.nev, 4);
	assert_int_equal(summary_of(&h, 6)->left_out, 3);
	assert_int_equal(summary_of(&h, 3)->events, 4);
	capture_get_stats(c, &st);
	assert_int_equal(st.left_out, 3);
	assert_int_equal(st.sent, 4);
	handed_free(&h);
	capture_free(c);
}

static void test_window_memory_bound(void **state)
{
	struct capture_options o;
	struct handed h = { .nev = 0 };
	struct evspec s = { 0, 0, 100, 1, 0, "openat", "/etc/x", &ct_a };
	struct capture_stats st;
	struct capture *c;
	uint64_t i;

	(void)state;
	capture_options_init(&o);
	o.max_bytes = 4096; /* a few events */
	c = new_capture(&h, &o);
	for (i = 1; i <= 200; i++) {
		s.serial = i;
		s.t_ms = i;
		feed(c, &s);
	}
	capture_get_stats(c, &st);
	assert_true(st.window_bytes <= 4096);
	assert_true(st.window_events > 0 && st.window_events < 200);
	assert_int_equal(st.window_dropped, 200 - st.window_events);
	/* an alert now gets what the window still has */
	alert_on(c, &s, "A", ALERT_PRIO_CRITICAL);
	capture_flush(c);
	assert_int_equal(h.nev, st.window_events);
	handed_free(&h);
	capture_free(c);
}

static void test_rule_capture_and_min_priority(void **state)
{
	static const char rules[] =
		"- rule: Asks\n  desc: d\n  condition: evt.type = openat\n"
		"  output: o\n  priority: debug\n  capture: true\n"
		"  capture_duration: 1500\n"
		"- rule: Quiet\n  desc: d\n  condition: evt.type = openat\n"
		"  output: o\n  priority: notice\n";
	struct capture_options o;
	struct handed h = { .nev = 0 };
	struct evspec s = { 1000, 1, 100, 1, 0, "openat", "/etc/x", &ct_a };
	struct engine *e = engine_new();
	struct diag d;
	struct capture *c;

	(void)state;
	assert_non_null(e);
	diag_init(&d);
	assert_int_equal(engine_load_buffer(e, "t.yaml", rules,
					    sizeof(rules) - 1, &d),
			 0);
	assert_int_equal(engine_compile(e, &d), 0);
	diag_free(&d);
	capture_options_init(&o);
	c = new_capture(&h, &o);
	assert_int_equal(capture_set_rules(c, e), 0);
	feed(c, &s);
	alert_on(c, &s, "Quiet", ALERT_PRIO_NOTICE); /* below Warning */
	alert_on(c, &s, "Asks", ALERT_PRIO_DEBUG);   /* capture: true */
	capture_flush(c);
	assert_int_equal(h.nsum, 1);
	assert_string_equal(h.sum[0]->capture.rule, "Asks");
	assert_int_equal(h.sum[0]->until_ns, T0 + 2500 * MS);
	/* min_priority lowered: the quiet rule's alerts get context too */
	handed_free(&h);
	o.min_priority = ALERT_PRIO_NOTICE;
	capture_set_options(c, &o);
	alert_on(c, &s, "Quiet", ALERT_PRIO_NOTICE);
	capture_flush(c);
	assert_int_equal(h.nsum, 1);
	assert_int_equal(h.sum[0]->until_ns, T0 + 6000 * MS);
	handed_free(&h);
	capture_free(c);
	engine_free(e);
}

static void test_internal_alerts_and_storms(void **state)
{
	static struct event_container cts[HARRIER_CAPTURE_MAX_ACTIVE + 3];
	static char ids[HARRIER_CAPTURE_MAX_ACTIVE + 3][16];
	struct capture_options o;
	struct handed h = { .nev = 0 };
	struct evspec s = { 1000, 1, 100, 1, 0, "openat", "/etc/x", &ct_a };
	struct capture_stats st;
	struct capture *c;
	struct alert *in;
	unsigned int i;

	(void)state;
	capture_options_init(&o);
	c = new_capture(&h, &o);
	feed(c, &s);
	in = alert_new_internal(ALERT_PRIO_CRITICAL, "lost", "events lost");
	assert_non_null(in);
	capture_alert(c, in);
	alert_free(in);
	capture_get_stats(c, &st);
	assert_int_equal(st.captures, 0);
	/* a storm in one scope: one capture */
	for (i = 0; i < 100; i++) {
		s.serial = 10 + i;
		alert_on(c, &s, "Storm", ALERT_PRIO_CRITICAL);
	}
	capture_get_stats(c, &st);
	assert_int_equal(st.captures, 1);
	assert_int_equal(st.joined, 99);
	capture_flush(c);
	handed_free(&h);
	/* a storm over more scopes than captures may run at once */
	for (i = 0; i < HARRIER_CAPTURE_MAX_ACTIVE + 3; i++) {
		(void)snprintf(ids[i], sizeof(ids[i]), "c%03u", i);
		cts[i].id = ids[i];
		s.ct = &cts[i];
		s.serial = 1000 + i;
		alert_on(c, &s, "Storm", ALERT_PRIO_CRITICAL);
	}
	capture_get_stats(c, &st);
	assert_int_equal(st.captures, 1 + HARRIER_CAPTURE_MAX_ACTIVE);
	assert_int_equal(st.captures_skipped, 3);
	assert_int_equal(h.nstarted, HARRIER_CAPTURE_MAX_ACTIVE);
	/* the skipped ones say so in their summary */
	assert_int_equal(h.nsum, 3);
	assert_non_null(strstr(h.sum[0]->scope, "too many captures"));
	capture_free(c);
	handed_free(&h);
}

static void test_tick_ends_after_grace(void **state)
{
	struct capture_options o;
	struct handed h = { .nev = 0 };
	struct evspec s = { 1000, 1, 100, 1, 0, "openat", "/etc/x", &ct_a };
	struct capture *c;

	(void)state;
	capture_options_init(&o);
	c = new_capture(&h, &o);
	feed(c, &s);
	alert_on(c, &s, "A", ALERT_PRIO_ERROR);
	/* until = 6 s; the grace lets late events of the window in */
	capture_tick(c, T0 + 6000 * MS + HARRIER_CAPTURE_END_GRACE_MS * MS);
	assert_int_equal(h.nsum, 0);
	capture_tick(c, T0 + 6001 * MS + HARRIER_CAPTURE_END_GRACE_MS * MS);
	assert_int_equal(h.nsum, 1);
	handed_free(&h);
	capture_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_container_scope_and_window),
		cmocka_unit_test(test_host_lineage_and_session),
		cmocka_unit_test(test_alerts_of_one_scope_share_a_capture),
		cmocka_unit_test(test_overlapping_captures_hand_over_once),
		cmocka_unit_test(test_per_minute_cap_counts_what_it_left_out),
		cmocka_unit_test(test_per_minute_cap_with_older_events),
		cmocka_unit_test(test_window_memory_bound),
		cmocka_unit_test(test_rule_capture_and_min_priority),
		cmocka_unit_test(test_internal_alerts_and_storms),
		cmocka_unit_test(test_tick_ends_after_grace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
