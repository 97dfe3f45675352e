/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the rules loader and engine (src/engine/engine.h):
 * Falco rule syntax, errors with positions, append/override, exceptions,
 * the event-type index, and the alerts engine_eval produces.
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

#include "common/alert.h"
#include "common/diag.h"
#include "common/event.h"
#include "engine/engine.h"

/* ---- helpers ---- */

struct alerts {
	struct alert *a[16];
	size_t n;
};

static void collect(struct alert *a, void *ud)
{
	struct alerts *c = ud;

	if (c->n < sizeof(c->a) / sizeof(c->a[0]))
		c->a[c->n++] = a;
	else
		alert_free(a);
}

static void alerts_free(struct alerts *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		alert_free(c->a[i]);
	c->n = 0;
}

static void print_diag(const struct diag *d)
{
	char buf[1200];
	size_t i;

	for (i = 0; i < d->n; i++) {
		diag_format(&d->items[i], buf, sizeof(buf));
		fprintf(stderr, "  diag: %s\n", buf);
	}
}

/* Load text as "t.yaml" into a fresh engine and compile it; asserts
 * success. */
static struct engine *load_ok(const char *text)
{
	struct engine *e = engine_new();
	struct diag d;
	int r;

	assert_non_null(e);
	diag_init(&d);
	r = engine_load_buffer(e, "t.yaml", text, strlen(text), &d);
	if (r == 0)
		r = engine_compile(e, &d);
	if (r != 0 || d.nerrors)
		print_diag(&d);
	assert_int_equal(r, 0);
	assert_int_equal(d.nerrors, 0);
	diag_free(&d);
	return e;
}

/* Find an error at line:col whose message contains needle. */
static bool has_error(const struct diag *d, unsigned int line, unsigned int col,
		      const char *needle)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct diag_item *it = &d->items[i];

		if (it->level == DIAG_ERROR && it->line == line &&
		    (col == 0 || it->col == col) && strstr(it->message, needle))
			return true;
	}
	print_diag(d);
	return false;
}

static bool has_warning(const struct diag *d, const char *needle)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->items[i].level == DIAG_WARNING &&
		    strstr(d->items[i].message, needle))
			return true;
	print_diag(d);
	return false;
}

/* An openat(2) of path for reading by exe, as the assembler builds it
 * from SYSCALL + CWD + PATH records. */
struct test_event {
	struct event ev;
	struct event_path path;
	const char *argv[4];
	struct event_container ct;
};

static void open_event(struct test_event *t, const char *exe, const char *comm,
		       const char *path)
{
	memset(t, 0, sizeof(*t));
	t->ev.kind = EVENT_KIND_SYSCALL;
	t->ev.time_ns = 1764350107123456789ULL;
	t->ev.serial = 4242;
	t->ev.record_type = 1300;
	t->ev.type_name = "SYSCALL";
	t->ev.nrecords = 4;
	t->ev.arch_name = "x86_64";
	t->ev.machine = 0;
	t->ev.syscall = 257;
	t->ev.syscall_name = "openat";
	t->ev.success = 1;
	t->ev.exit = 3;
	t->ev.has_exit = true;
	t->ev.args[0] = (uint64_t)-100; /* AT_FDCWD */
	t->ev.args[1] = 0x7ffd1000;
	t->ev.args[2] = 0; /* O_RDONLY */
	t->ev.items = 1;
	t->ev.pid = 1234;
	t->ev.ppid = 1000;
	t->ev.uid = t->ev.euid = t->ev.suid = t->ev.fsuid = 1001;
	t->ev.gid = t->ev.egid = t->ev.sgid = t->ev.fsgid = 1001;
	t->ev.auid = 1001;
	t->ev.ses = 3;
	t->ev.tty = "pts0";
	t->ev.comm = comm;
	t->ev.exe = exe;
	t->ev.cwd = "/home/user";
	t->argv[0] = comm;
	t->argv[1] = path;
	t->ev.argv = t->argv;
	t->ev.argc = 2;
	t->path.name = path;
	t->path.raw_name = path;
	t->path.nametype = "NORMAL";
	t->path.inode = 1234567;
	t->path.has_inode = true;
	t->path.mode = 0100640;
	t->path.has_mode = true;
	t->ev.paths = &t->path;
	t->ev.npaths = 1;
}

static void exec_event(struct test_event *t, const char *exe, const char *comm)
{
	open_event(t, exe, comm, exe);
	t->ev.syscall = 59;
	t->ev.syscall_name = "execve";
	t->ev.exit = 0;
	t->ev.args[2] = 0x5000;
	t->ev.argv_from_execve = true;
	t->argv[1] = "--version";
}

static int eval(struct engine *e, const struct event *ev, struct alerts *c)
{
	return engine_eval(e, ev, collect, c);
}

static const char base_rules[] =
	"- list: trusted_readers\n"
	"  items: [sshd, sudo]\n"
	"- macro: open_read\n"
	"  condition: evt.type in (open, openat) and evt.is_open_read = true\n"
	"- rule: Read shadow\n"
	"  desc: a program reads /etc/shadow\n"
	"  condition: open_read and fd.name = /etc/shadow and not proc.name in (trusted_readers)\n"
	"  output: shadow read (file=%fd.name process=%proc.name uid=%user.uid)\n"
	"  priority: WARNING\n"
	"  tags: [filesystem, T1555]\n";

/* ---- loading and evaluation ---- */

static void test_load_and_introspect(void **state)
{
	struct engine *e = load_ok(base_rules);
	struct engine_rule_info ri;

	(void)state;
	assert_int_equal(engine_rule_count(e), 1);
	assert_int_equal(engine_rule_get(e, 0, &ri), 0);
	assert_string_equal(ri.name, "Read shadow");
	assert_string_equal(ri.desc, "a program reads /etc/shadow");
	assert_int_equal(ri.priority, ALERT_PRIO_WARNING);
	assert_true(ri.enabled);
	assert_int_equal(ri.ntags, 2);
	assert_string_equal(ri.tags[0], "filesystem");
	assert_string_equal(ri.tags[1], "T1555");
	assert_string_equal(ri.file, "t.yaml");
	assert_int_equal(ri.line, 5);
	assert_non_null(strstr(ri.condition, "fd.name = /etc/shadow"));
	assert_int_equal(engine_rule_get(e, 1, &ri), -ERANGE);
	engine_free(e);
}

static void test_eval_alert_fields(void **state)
{
	struct engine *e = load_ok(base_rules);
	struct test_event t;
	struct alerts c = { 0 };
	struct alert *a;

	(void)state;
	assert_int_equal(engine_set_hostname(e, "node-7"), 0);
	open_event(&t, "/usr/bin/cat", "cat", "/etc/shadow");
	t.ct.id =
		"4d5e6f00112233445566778899aabbccddeeff00112233445566778899aabbcc";
	t.ct.name = "web";
	t.ct.pod_name = "web-5d8f";
	t.ct.pod_namespace = "prod";
	t.ev.container = &t.ct;
	t.ev.auid = EVENT_ID_UNSET;
	assert_int_equal(eval(e, &t.ev, &c), 1);
	assert_int_equal(c.n, 1);
	a = c.a[0];
	assert_int_equal(a->time_ns, 1764350107123456789ULL);
	assert_string_equal(a->hostname, "node-7");
	assert_string_equal(a->rule, "Read shadow");
	assert_int_equal(a->priority, ALERT_PRIO_WARNING);
	assert_string_equal(
		a->output,
		"shadow read (file=/etc/shadow process=cat uid=1001)");
	assert_int_equal(a->ntags, 2);
	assert_string_equal(a->tags[0], "filesystem");
	assert_string_equal(a->tags[1], "T1555");
	assert_string_equal(a->source, "syscall");
	assert_string_equal(a->container_id, t.ct.id);
	assert_string_equal(a->container_name, "web");
	assert_string_equal(a->pod_name, "web-5d8f");
	assert_string_equal(a->pod_namespace, "prod");
	assert_int_equal(a->pid, 1234);
	assert_int_equal(a->ppid, 1000);
	assert_int_equal(a->uid, 1001);
	assert_int_equal(a->auid, -1);
	assert_string_equal(a->exe, "/usr/bin/cat");
	assert_string_equal(a->cmdline, "cat /etc/shadow");
	assert_string_equal(a->syscall, "openat");
	assert_string_equal(a->file, "/etc/shadow");
	assert_int_equal(a->audit_serial, 4242);
	assert_int_equal(a->nfields, 3);
	assert_string_equal(a->fields[0].name, "fd.name");
	assert_string_equal(a->fields[0].value, "/etc/shadow");
	assert_string_equal(a->fields[1].name, "proc.name");
	assert_string_equal(a->fields[1].value, "cat");
	assert_string_equal(a->fields[2].name, "user.uid");
	assert_string_equal(a->fields[2].value, "1001");
	alerts_free(&c);

	/* host process: no container columns, auid kept */
	t.ev.container = NULL;
	t.ev.auid = 1001;
	assert_int_equal(eval(e, &t.ev, &c), 1);
	assert_null(c.a[0]->container_id);
	assert_null(c.a[0]->pod_name);
	assert_int_equal(c.a[0]->auid, 1001);
	alerts_free(&c);
	engine_free(e);
}

/* The alert's cmdline (the store's column) is proc.cmdline: one
 * definition, "proc.name args", from the argv the event carries. */
static void test_alert_cmdline_is_proc_cmdline(void **state)
{
	struct engine *e = load_ok(base_rules);
	struct test_event t;
	struct alerts c = { 0 };

	(void)state;
	open_event(&t, "/usr/bin/cat", "cat", "/etc/shadow");
	t.argv[0] = "/usr/bin/cat";
	assert_int_equal(eval(e, &t.ev, &c), 1);
	assert_string_equal(c.a[0]->cmdline, "cat /etc/shadow");
	alerts_free(&c);
	engine_free(e);
}

static void test_eval_no_match(void **state)
{
	struct engine *e = load_ok(base_rules);
	struct test_event t;
	struct alerts c = { 0 };

	(void)state;
	/* trusted program */
	open_event(&t, "/usr/sbin/sshd", "sshd", "/etc/shadow");
	assert_int_equal(eval(e, &t.ev, &c), 0);
	/* other file */
	open_event(&t, "/usr/bin/cat", "cat", "/etc/hosts");
	assert_int_equal(eval(e, &t.ev, &c), 0);
	/* opened for writing */
	open_event(&t, "/usr/bin/cat", "cat", "/etc/shadow");
	t.ev.args[2] = 01; /* O_WRONLY */
	assert_int_equal(eval(e, &t.ev, &c), 0);
	assert_int_equal(c.n, 0);
	engine_free(e);
}

static void test_min_priority(void **state)
{
	static const char text[] = "- rule: Noisy\n"
				   "  desc: d\n"
				   "  condition: evt.type = openat\n"
				   "  output: noisy\n"
				   "  priority: NOTICE\n"
				   "- rule: Loud\n"
				   "  desc: d\n"
				   "  condition: evt.type = openat\n"
				   "  output: loud\n"
				   "  priority: ERROR\n";
	struct engine *e = engine_new();
	struct test_event t;
	struct alerts c = { 0 };
	struct diag d;

	(void)state;
	diag_init(&d);
	engine_set_min_priority(e, ALERT_PRIO_WARNING);
	assert_int_equal(
		engine_load_buffer(e, "p.yaml", text, strlen(text), &d), 0);
	assert_int_equal(engine_compile(e, &d), 0);
	open_event(&t, "/usr/bin/cat", "cat", "/etc/hosts");
	assert_int_equal(eval(e, &t.ev, &c), 1);
	assert_string_equal(c.a[0]->rule, "Loud");
	alerts_free(&c);
	diag_free(&d);
	engine_free(e);
}

/* ---- the event type index ---- */

struct types {
	char names[32][32];
	size_t n;
};

static void type_cb(const char *type, void *ud)
{
	struct types *t = ud;

	if (t->n < 32)
		(void)snprintf(t->names[t->n++], sizeof(t->names[0]), "%s",
			       type);
}

static bool types_has(const struct types *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->names[i], name) == 0)
			return true;
	return false;
}

static void test_event_types(void **state)
{
	static const char typed[] =
		"- rule: Exec of nc\n"
		"  desc: d\n"
		"  condition: evt.type = execve and proc.name = nc\n"
		"  output: nc\n"
		"  priority: NOTICE\n"
		"- rule: Open\n"
		"  desc: d\n"
		"  condition: evt.type in (open, openat)\n"
		"  output: open %fd.name\n"
		"  priority: NOTICE\n";
	struct engine *e = load_ok(typed);
	struct types t = { 0 };
	struct test_event ev;
	struct alerts c = { 0 };
	bool any = true;

	(void)state;
	engine_event_types(e, type_cb, &t, &any);
	assert_false(any);
	assert_int_equal(t.n, 3);
	assert_true(types_has(&t, "execve"));
	assert_true(types_has(&t, "open"));
	assert_true(types_has(&t, "openat"));

	/* an execve of nc matches only the first rule */
	exec_event(&ev, "/usr/bin/nc", "nc");
	assert_int_equal(eval(e, &ev.ev, &c), 1);
	assert_string_equal(c.a[0]->rule, "Exec of nc");
	alerts_free(&c);
	open_event(&ev, "/usr/bin/nc", "nc", "/etc/hosts");
	assert_int_equal(eval(e, &ev.ev, &c), 1);
	assert_string_equal(c.a[0]->rule, "Open");
	alerts_free(&c);
	engine_free(e);
}

/* audit.type indexes like evt.type: a CONFIG_CHANGE record grouped with
 * auditctl's sendto SYSCALL is found under its record type, and its own
 * fields answer evt.arg.NAME. An "and" of evt.type and audit.type keeps a
 * restriction instead of intersecting two different keys to nothing. */
static void test_event_types_audit_type(void **state)
{
	static const char typed[] =
		"- rule: Harrier rule removed\n"
		"  desc: d\n"
		"  condition: audit.type = CONFIG_CHANGE and evt.arg.op = remove_rule\n"
		"  output: removed %evt.arg.key by %proc.name\n"
		"  priority: CRITICAL\n"
		"- rule: Mixed keys\n"
		"  desc: d\n"
		"  condition: evt.type = sendto and audit.type = CONFIG_CHANGE\n"
		"  output: mixed\n"
		"  priority: DEBUG\n";
	static const struct event_field fields[] = {
		{ "op", "remove_rule", "remove_rule" },
		{ "key", "harrier", "\"harrier\"" },
	};
	struct engine *e = load_ok(typed);
	struct types t = { 0 };
	struct test_event ev;
	struct alerts c = { 0 };
	bool any = true;

	(void)state;
	engine_event_types(e, type_cb, &t, &any);
	assert_false(any);
	assert_true(types_has(&t, "CONFIG_CHANGE"));

	open_event(&ev, "/usr/sbin/auditctl", "auditctl", "/etc/hosts");
	ev.ev.syscall = 44;
	ev.ev.syscall_name = "sendto";
	ev.ev.type_name = "CONFIG_CHANGE";
	ev.ev.record_type = 1305;
	ev.ev.npaths = 0;
	ev.ev.fields = fields;
	ev.ev.nfields = 2;
	assert_int_equal(eval(e, &ev.ev, &c), 2);
	assert_string_equal(c.a[0]->rule, "Harrier rule removed");
	assert_string_equal(c.a[0]->output, "removed harrier by auditctl");
	assert_string_equal(c.a[1]->rule, "Mixed keys");
	alerts_free(&c);

	/* a plain sendto is not a CONFIG_CHANGE */
	ev.ev.type_name = "SYSCALL";
	ev.ev.nfields = 0;
	assert_int_equal(eval(e, &ev.ev, &c), 0);
	alerts_free(&c);
	engine_free(e);
}

static void test_event_types_any_and_order(void **state)
{
	static const char text[] =
		"- rule: First any\n"
		"  desc: d\n"
		"  condition: proc.name = nc\n"
		"  output: any1\n"
		"  priority: NOTICE\n"
		"  warn_evttypes: false\n"
		"- rule: Second typed\n"
		"  desc: d\n"
		"  condition: evt.type = openat and proc.name = nc\n"
		"  output: typed\n"
		"  priority: NOTICE\n"
		"- rule: Third any\n"
		"  desc: d\n"
		"  condition: proc.name = nc\n"
		"  output: any2\n"
		"  priority: NOTICE\n";
	struct engine *e = engine_new();
	struct types t = { 0 };
	struct test_event ev;
	struct alerts c = { 0 };
	struct diag d;
	bool any = false;

	(void)state;
	diag_init(&d);
	assert_int_equal(
		engine_load_buffer(e, "t.yaml", text, strlen(text), &d), 0);
	assert_int_equal(engine_compile(e, &d), 0);
	/* only the rule that did not switch warn_evttypes off warns */
	assert_int_equal(d.n, 1);
	assert_true(has_warning(&d, "'Third any' has no evt.type"));
	assert_int_equal(d.items[0].line, 12);
	engine_event_types(e, type_cb, &t, &any);
	assert_true(any);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.names[0], "openat");

	/* alerts come in file order, typed and untyped rules merged */
	open_event(&ev, "/usr/bin/nc", "nc", "/etc/hosts");
	assert_int_equal(eval(e, &ev.ev, &c), 3);
	assert_string_equal(c.a[0]->output, "any1");
	assert_string_equal(c.a[1]->output, "typed");
	assert_string_equal(c.a[2]->output, "any2");
	alerts_free(&c);
	exec_event(&ev, "/usr/bin/nc", "nc");
	assert_int_equal(eval(e, &ev.ev, &c), 2);
	alerts_free(&c);
	diag_free(&d);
	engine_free(e);
}

/* ---- errors ---- */

static void test_error_missing_keys(void **state)
{
	static const char text[] = "- rule: Incomplete\n"
				   "  desc: d\n"
				   "  condition: evt.type = openat\n"
				   "- macro: empty\n"
				   "- list: nothing\n";
	struct engine *e = engine_new();
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(
		engine_load_buffer(e, "m.yaml", text, strlen(text), &d),
		-EINVAL);
	assert_int_equal(d.nerrors, 4);
	assert_true(has_error(&d, 1, 3, "has no output"));
	assert_true(has_error(&d, 1, 3, "has no priority"));
	assert_true(has_error(&d, 4, 3, "macro 'empty' has no condition"));
	assert_true(has_error(&d, 5, 3, "list 'nothing' has no items"));
	assert_string_equal(d.items[0].file, "m.yaml");
	diag_free(&d);
	engine_free(e);
}

static void test_error_every_problem_reported(void **state)
{
	static const char text[] = "- rule: Bad priority\n" /* 1 */
				   "  desc: d\n"
				   "  condition: evt.type = openat\n"
				   "  output: o\n"
				   "  priority: SEVERE\n" /* 5 */
				   "- rulez: Typo\n" /* 6 */
				   "- rule: Bad tags\n"
				   "  desc: d\n"
				   "  condition: evt.type = openat\n"
				   "  output: o\n" /* 10 */
				   "  priority: INFO\n"
				   "  tags: filesystem\n" /* 12 */
				   "- rule: Dup\n"
				   "  desc: d\n"
				   "  desc: e\n" /* 15 */
				   "  condition: evt.type = openat\n"
				   "  output: o\n"
				   "  priority: INFO\n"
				   "- list: l\n"
				   "  items: [a, [b]]\n" /* 20 */
				   "- rule: Nope\n"
				   "  condition: and more\n"
				   "  append: true\n"
				   "- rule: Wrong enabled\n"
				   "  desc: d\n" /* 25 */
				   "  condition: evt.type = openat\n"
				   "  output: o\n"
				   "  priority: INFO\n"
				   "  enabled: maybe\n"
				   "- just a string\n" /* 30 */
				   "- rule: Typo key\n"
				   "  desc: d\n"
				   "  conditon: evt.type = openat\n";
	struct engine *e = engine_new();
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(
		engine_load_buffer(e, "e.yaml", text, strlen(text), &d),
		-EINVAL);
	assert_true(has_error(&d, 5, 13, "unknown priority 'SEVERE'"));
	assert_true(has_error(&d, 6, 3, "unknown item 'rulez'"));
	assert_true(has_error(&d, 12, 9, "tags must be a sequence"));
	assert_true(has_error(&d, 15, 3, "duplicate key 'desc'"));
	assert_true(has_error(&d, 20, 14, "items entries must be strings"));
	assert_true(has_error(&d, 21, 9, "append to rule 'Nope'"));
	assert_true(has_error(&d, 29, 12, "enabled must be true or false"));
	assert_true(has_error(&d, 30, 3, "must be a mapping"));
	/* an unknown key is a warning (Falco's forward compatibility);
	 * the rule then lacks its condition */
	assert_true(has_warning(&d, "unknown key 'conditon' in rule"));
	assert_true(has_error(&d, 31, 3, "'Typo key' has no condition"));
	/* and nothing was half-added */
	assert_int_equal(engine_rule_count(e), 0);
	diag_free(&d);
	engine_free(e);
}

static void test_error_yaml_syntax(void **state)
{
	static const char text[] = "- rule: x\n  desc: [unclosed\n";
	struct engine *e = engine_new();
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(
		engine_load_buffer(e, "y.yaml", text, strlen(text), &d),
		-EINVAL);
	assert_int_equal(d.nerrors, 1);
	assert_non_null(strstr(d.items[0].message, "YAML syntax error"));
	assert_int_equal(d.items[0].line, 3);
	diag_free(&d);
	engine_free(e);
}

static void test_error_not_a_sequence(void **state)
{
	static const char text[] = "rule: x\n";
	struct engine *e = engine_new();
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(
		engine_load_buffer(e, "n.yaml", text, strlen(text), &d),
		-EINVAL);
	assert_true(has_error(&d, 1, 1, "must be a sequence of items"));
	diag_free(&d);
	/* an empty file is fine */
	diag_init(&d);
	assert_int_equal(engine_load_buffer(e, "empty.yaml", "", 0, &d), 0);
	assert_int_equal(d.n, 0);
	diag_free(&d);
	engine_free(e);
}

static void test_error_condition_position(void **state)
{
	static const char text[] =
		"- rule: Unknown field\n"
		"  desc: d\n"
		"  condition: evt.type = openat and proc.nosuch = x\n"
		"  output: o\n"
		"  priority: INFO\n"
		"- rule: Bad output\n"
		"  desc: d\n"
		"  condition: evt.type = openat\n"
		"  output: \"x %nosuch.field\"\n"
		"  priority: INFO\n";
	struct engine *e = engine_new();
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(
		engine_load_buffer(e, "c.yaml", text, strlen(text), &d), 0);
	assert_int_equal(engine_compile(e, &d), -EINVAL);
	/* both rules' problems are reported, each on its own line */
	assert_true(has_error(&d, 3, 0, "proc.nosuch"));
	assert_true(has_error(&d, 9, 0, "nosuch.field"));
	/* the condition error points into the scalar, not at its start */
	{
		size_t i;
		bool found = false;

		for (i = 0; i < d.n; i++)
			if (d.items[i].line == 3 && d.items[i].col == 36)
				found = true;
		if (!found)
			print_diag(&d);
		assert_true(found);
	}
	diag_free(&d);
	engine_free(e);
}

static void test_error_macro_reported_once(void **state)
{
	static const char text[] = "- macro: m\n"
				   "  condition: >\n"
				   "    evt.type = openat\n"
				   "    and proc.nosuch = 1\n"
				   "- rule: R1\n"
				   "  desc: d\n"
				   "  condition: m\n"
				   "  output: o\n"
				   "  priority: INFO\n"
				   "- rule: R2\n"
				   "  desc: d\n"
				   "  condition: m and proc.name = x\n"
				   "  output: o\n"
				   "  priority: INFO\n";
	struct engine *e = engine_new();
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(
		engine_load_buffer(e, "m.yaml", text, strlen(text), &d), 0);
	assert_int_equal(engine_compile(e, &d), -EINVAL);
	/* at the token inside the macro's folded text, once, naming the
	 * macro and both rules */
	assert_true(has_error(&d, 4, 9,
			      "unknown field 'proc.nosuch' (in macro 'm', used "
			      "by rules 'R1', 'R2')"));
	assert_int_equal(d.n, 1);
	assert_int_equal(d.nerrors, 1);
	diag_free(&d);
	engine_free(e);
}

static void test_error_list_cycle(void **state)
{
	static const char text[] =
		"- list: a\n"
		"  items: [x, b]\n"
		"- list: b\n"
		"  items: [a]\n"
		"- rule: R\n"
		"  desc: d\n"
		"  condition: evt.type = openat and proc.name in (a)\n"
		"  output: o\n"
		"  priority: INFO\n";
	struct engine *e = engine_new();
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(
		engine_load_buffer(e, "l.yaml", text, strlen(text), &d), 0);
	assert_int_equal(engine_compile(e, &d), -EINVAL);
	assert_true(has_error(&d, 1, 3, "list 'a' includes itself"));
	diag_free(&d);
	engine_free(e);
}

static void test_load_file_errors(void **state)
{
	struct engine *e = engine_new();
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(engine_load_file(e, "/nonexistent/harrier.yaml", &d),
			 -ENOENT);
	assert_int_equal(engine_load_file(e, "/", &d), -EISDIR);
	diag_free(&d);
	engine_free(e);
}

/* ---- redefinition, append, override ---- */

static void test_redefinition_replaces_in_place(void **state)
{
	static const char text[] =
		"- rule: A\n  desc: d\n  condition: evt.type = openat\n"
		"  output: a1\n  priority: INFO\n"
		"- rule: B\n  desc: d\n  condition: evt.type = openat\n"
		"  output: b\n  priority: INFO\n"
		"- rule: A\n  desc: d2\n  condition: evt.type = openat\n"
		"  output: a2\n  priority: ERROR\n";
	struct engine *e = load_ok(text);
	struct engine_rule_info ri;
	struct test_event t;
	struct alerts c = { 0 };

	(void)state;
	assert_int_equal(engine_rule_count(e), 2);
	assert_int_equal(engine_rule_get(e, 0, &ri), 0);
	assert_string_equal(ri.name, "A");
	assert_string_equal(ri.desc, "d2");
	assert_int_equal(ri.priority, ALERT_PRIO_ERROR);
	open_event(&t, "/usr/bin/cat", "cat", "/etc/hosts");
	assert_int_equal(eval(e, &t.ev, &c), 2);
	assert_string_equal(c.a[0]->output, "a2");
	assert_string_equal(c.a[1]->output, "b");
	alerts_free(&c);
	engine_free(e);
}

static void test_load_after_compile(void **state)
{
	static const char more[] =
		"- rule: Read shadow\n"
		"  desc: d\n"
		"  condition: evt.type = openat and fd.name = /etc/hosts\n"
		"  output: hosts\n"
		"  priority: INFO\n";
	struct engine *e = load_ok(base_rules);
	struct test_event t;
	struct alerts c = { 0 };

	(void)state;
	open_event(&t, "/usr/bin/cat", "cat", "/etc/hosts");
	assert_int_equal(eval(e, &t.ev, &c), 0);
	assert_int_equal(
		engine_load_buffer(e, "more.yaml", more, strlen(more), NULL),
		0);
	/* loading drops the compiled rules until the next compile */
	assert_int_equal(eval(e, &t.ev, &c), 0);
	assert_int_equal(engine_compile(e, NULL), 0);
	assert_int_equal(eval(e, &t.ev, &c), 1);
	assert_string_equal(c.a[0]->output, "hosts");
	alerts_free(&c);
	engine_free(e);
}

static void test_append(void **state)
{
	static const char text[] =
		"- list: readers\n"
		"  items: [cat]\n"
		"- macro: is_open\n"
		"  condition: evt.type = openat\n"
		"- rule: R\n"
		"  desc: d\n"
		"  condition: is_open and proc.name in (readers)\n"
		"  output: read\n"
		"  priority: INFO\n"
		"  tags: [a]\n"
		"- list: readers\n"
		"  items: [less]\n"
		"  append: true\n"
		"- macro: is_open\n"
		"  condition: and fd.name startswith /etc\n"
		"  append: true\n"
		"- rule: R\n"
		"  condition: and not proc.pname = bash\n"
		"  output: (appended)\n"
		"  tags: [a, b]\n"
		"  append: true\n";
	struct engine *e = load_ok(text);
	struct engine_rule_info ri;
	struct test_event t;
	struct alerts c = { 0 };

	(void)state;
	assert_int_equal(engine_rule_get(e, 0, &ri), 0);
	assert_int_equal(ri.ntags, 2);
	assert_string_equal(ri.tags[1], "b");
	/* list append: less now matches */
	open_event(&t, "/usr/bin/less", "less", "/etc/hosts");
	assert_int_equal(eval(e, &t.ev, &c), 1);
	assert_string_equal(c.a[0]->output, "read (appended)");
	alerts_free(&c);
	/* macro append: outside /etc no longer matches */
	open_event(&t, "/usr/bin/cat", "cat", "/tmp/x");
	assert_int_equal(eval(e, &t.ev, &c), 0);
	open_event(&t, "/usr/bin/cat", "cat", "/etc/passwd");
	assert_int_equal(eval(e, &t.ev, &c), 1);
	alerts_free(&c);
	engine_free(e);
}

static void test_override(void **state)
{
	static const char text[] = "- list: readers\n"
				   "  items: [cat, less]\n"
				   "- macro: m\n"
				   "  condition: evt.type = execve\n"
				   "- rule: R\n"
				   "  desc: d\n"
				   "  condition: m and proc.name in (readers)\n"
				   "  output: o\n"
				   "  priority: INFO\n"
				   "- list: readers\n"
				   "  items: [more]\n"
				   "  override:\n"
				   "    items: replace\n"
				   "- macro: m\n"
				   "  condition: evt.type = openat\n"
				   "  override:\n"
				   "    condition: replace\n"
				   "- rule: R\n"
				   "  condition: and fd.name = /etc/hosts\n"
				   "  priority: CRITICAL\n"
				   "  override:\n"
				   "    condition: append\n"
				   "    priority: replace\n";
	struct engine *e = load_ok(text);
	struct test_event t;
	struct alerts c = { 0 };

	(void)state;
	open_event(&t, "/usr/bin/cat", "cat", "/etc/hosts");
	assert_int_equal(eval(e, &t.ev, &c), 0); /* cat replaced */
	open_event(&t, "/usr/bin/more", "more", "/etc/hosts");
	assert_int_equal(eval(e, &t.ev, &c), 1);
	assert_int_equal(c.a[0]->priority, ALERT_PRIO_CRITICAL);
	alerts_free(&c);
	open_event(&t, "/usr/bin/more", "more", "/etc/passwd");
	assert_int_equal(eval(e, &t.ev, &c), 0);
	engine_free(e);
}

static void test_override_errors(void **state)
{
	static const char text[] = "- rule: R\n"
				   "  desc: d\n"
				   "  condition: evt.type = openat\n"
				   "  output: o\n"
				   "  priority: INFO\n"
				   "- rule: R\n" /* 6 */
				   "  condition: and proc.name = x\n"
				   "  output: more\n" /* 8 */
				   "  override:\n"
				   "    condition: append\n"
				   "- rule: Missing\n" /* 11 */
				   "  enabled: false\n"
				   "  override:\n"
				   "    enabled: replace\n"
				   "- rule: R\n"
				   "  priority: INFO\n"
				   "  override:\n"
				   "    priority: append\n" /* 18 */
				   "- rule: R\n"
				   "  desc: x\n"
				   "  append: true\n" /* 21 */
				   "  override:\n"
				   "    desc: replace\n";
	struct engine *e = engine_new();
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(
		engine_load_buffer(e, "o.yaml", text, strlen(text), &d),
		-EINVAL);
	assert_true(has_error(&d, 8, 11, "'output' given without an override"));
	assert_true(has_error(&d, 11, 9, "override of rule 'Missing'"));
	assert_true(has_error(&d, 18, 15, "cannot be appended"));
	assert_true(has_error(&d, 21, 3, "append and override cannot"));
	diag_free(&d);
	engine_free(e);
}

static void test_enabled_only_disables(void **state)
{
	static const char text[] = "- rule: R\n"
				   "  desc: d\n"
				   "  condition: evt.type = openat\n"
				   "  output: o\n"
				   "  priority: INFO\n"
				   "- rule: R\n"
				   "  enabled: false\n";
	struct engine *e = load_ok(text);
	struct engine_rule_info ri;
	struct types ty = { 0 };
	struct test_event t;
	struct alerts c = { 0 };
	bool any = true;

	(void)state;
	assert_int_equal(engine_rule_get(e, 0, &ri), 0);
	assert_false(ri.enabled);
	open_event(&t, "/usr/bin/cat", "cat", "/etc/hosts");
	assert_int_equal(eval(e, &t.ev, &c), 0);
	engine_event_types(e, type_cb, &ty, &any);
	assert_int_equal(ty.n, 0);
	assert_false(any);
	engine_free(e);
}

static void test_definitions_across_files(void **state)
{
	/* a rule may use a macro and a list that a later file defines */
	static const char f1[] = "- rule: R\n"
				 "  desc: d\n"
				 "  condition: later_macro\n"
				 "  output: o\n"
				 "  priority: INFO\n";
	static const char f2[] =
		"- macro: later_macro\n"
		"  condition: evt.type = openat and proc.name in (outer)\n"
		"- list: outer\n"
		"  items: [inner, cat]\n"
		"- list: inner\n"
		"  items: [less]\n";
	struct engine *e = engine_new();
	struct test_event t;
	struct alerts c = { 0 };
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(engine_load_buffer(e, "f1.yaml", f1, strlen(f1), &d),
			 0);
	assert_int_equal(engine_load_buffer(e, "f2.yaml", f2, strlen(f2), &d),
			 0);
	assert_int_equal(engine_compile(e, &d), 0);
	assert_int_equal(d.nerrors, 0);
	open_event(&t, "/usr/bin/less", "less", "/etc/hosts");
	assert_int_equal(eval(e, &t.ev, &c), 1); /* nested list expanded */
	alerts_free(&c);
	open_event(&t, "/usr/bin/cat", "cat", "/etc/hosts");
	assert_int_equal(eval(e, &t.ev, &c), 1);
	alerts_free(&c);
	open_event(&t, "/usr/bin/vi", "vi", "/etc/hosts");
	assert_int_equal(eval(e, &t.ev, &c), 0);
	diag_free(&d);
	engine_free(e);
}

/* ---- exceptions ---- */

static const char exc_rules[] =
	"- list: editors\n"
	"  items: [vi, nano]\n"
	"- rule: Open etc\n"
	"  desc: d\n"
	"  condition: evt.type = openat and fd.name startswith /etc/\n"
	"  output: etc %fd.name\n"
	"  priority: NOTICE\n"
	"  exceptions:\n"
	"    - name: proc_file\n"
	"      fields: [proc.name, fd.name]\n"
	"      values:\n"
	"        - [cat, /etc/hosts]\n"
	"        - [less, \"/etc/with \\\"quote\"]\n"
	"    - name: proc_prefix\n"
	"      fields: [proc.name, fd.name]\n"
	"      comps: [in, startswith]\n"
	"      values:\n"
	"        - [[grep, awk], /etc/ssl/]\n"
	"        - [editors, /etc/apt/]\n"
	"    - name: single\n"
	"      fields: proc.name\n"
	"      comps: in\n"
	"      values: [sshd, sudo]\n";

static bool exc_alerts(struct engine *e, const char *comm, const char *path)
{
	struct test_event t;
	struct alerts c = { 0 };
	char exe[64];
	int n;

	(void)snprintf(exe, sizeof(exe), "/usr/bin/%s", comm);
	open_event(&t, exe, comm, path);
	n = eval(e, &t.ev, &c);
	alerts_free(&c);
	assert_true(n == 0 || n == 1);
	return n == 1;
}

static void test_exceptions(void **state)
{
	struct engine *e = load_ok(exc_rules);

	(void)state;
	assert_true(exc_alerts(e, "cat", "/etc/passwd"));
	assert_false(exc_alerts(e, "cat", "/etc/hosts"));
	assert_true(exc_alerts(e, "less", "/etc/hosts"));
	assert_false(exc_alerts(e, "less", "/etc/with \"quote"));
	assert_false(exc_alerts(e, "grep", "/etc/ssl/certs/x.pem"));
	assert_false(exc_alerts(e, "awk", "/etc/ssl/openssl.cnf"));
	assert_true(exc_alerts(e, "grep", "/etc/passwd"));
	assert_false(exc_alerts(e, "nano", "/etc/apt/sources.list")); /* list */
	assert_true(exc_alerts(e, "nano", "/etc/fstab"));
	assert_false(exc_alerts(e, "sshd", "/etc/anything"));
	assert_false(exc_alerts(e, "sudo", "/etc/sudoers"));
	engine_free(e);
}

static void test_exceptions_append(void **state)
{
	struct engine *e;
	char buf[2048];
	static const char more[] = "- rule: Open etc\n"
				   "  exceptions:\n"
				   "    - name: proc_file\n"
				   "      values:\n"
				   "        - [cat, /etc/passwd]\n"
				   "    - name: new_one\n"
				   "      fields: [proc.name]\n"
				   "      values: [[vim]]\n"
				   "  append: true\n";

	(void)state;
	(void)snprintf(buf, sizeof(buf), "%s%s", exc_rules, more);
	e = load_ok(buf);
	assert_false(exc_alerts(e, "cat", "/etc/passwd"));
	assert_false(exc_alerts(e, "cat", "/etc/hosts"));
	assert_true(exc_alerts(e, "cat", "/etc/fstab"));
	assert_false(exc_alerts(e, "vim", "/etc/fstab"));
	engine_free(e);
}

static void test_exception_errors(void **state)
{
	static const char text[] =
		"- rule: R\n"
		"  desc: d\n"
		"  condition: evt.type = openat\n"
		"  output: o\n"
		"  priority: INFO\n"
		"  exceptions:\n"
		"    - name: a\n"
		"      fields: [proc.name, fd.nosuch]\n" /* 8:27 */
		"    - name: b\n"
		"      fields: [proc.name, fd.name]\n"
		"      comps: [=, like]\n" /* 11:18 */
		"      values:\n"
		"        - [x]\n" /* 13:11 */
		"    - fields: [proc.name]\n"; /* 14:7 */
	struct engine *e = engine_new();
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(
		engine_load_buffer(e, "x.yaml", text, strlen(text), &d),
		-EINVAL);
	assert_true(has_error(&d, 8, 27, "unknown field 'fd.nosuch'"));
	assert_true(
		has_error(&d, 11, 18, "unknown comparison operator 'like'"));
	assert_true(has_error(&d, 14, 7, "exception has no name"));
	diag_free(&d);
	engine_free(e);
}

/* ---- versions, sources, skip-if-unknown-filter ---- */

static int load_text(const char *text, struct diag *d)
{
	struct engine *e = engine_new();
	int r;

	r = engine_load_buffer(e, "v.yaml", text, strlen(text), d);
	if (r == 0)
		r = engine_compile(e, d);
	engine_free(e);
	return r;
}

static void test_required_engine_version(void **state)
{
	struct diag d;

	(void)state;
	diag_init(&d);
	/* Falco's numbering: what falcosecurity/rules require loads */
	assert_int_equal(load_text("- required_engine_version: 0.57.0\n", &d),
			 0);
	assert_int_equal(load_text("- required_engine_version: 0.26.0\n", &d),
			 0);
	assert_int_equal(load_text("- required_engine_version: 0.57\n", &d),
			 0);
	assert_int_equal(load_text("- required_engine_version: '0.1.0'\n", &d),
			 0);
	/* Falco's old plain numbers mean 0.N.0 */
	assert_int_equal(load_text("- required_engine_version: 17\n", &d), 0);
	assert_int_equal(d.n, 0);
	/* newer: a warning naming what may be missing, not a refusal */
	assert_int_equal(load_text("- required_engine_version: 0.60.0\n", &d),
			 0);
	assert_int_equal(d.nerrors, 0);
	assert_true(has_warning(&d, "require Falco engine version 0.60.0"));
	assert_true(has_warning(&d, "Falco engine 0.57.0"));
	assert_true(has_warning(&d, "join"));
	diag_free(&d);
	diag_init(&d);
	assert_int_equal(load_text("- required_engine_version: 58\n", &d), 0);
	assert_true(has_warning(&d, "version 0.58.0"));
	assert_int_equal(load_text("- required_engine_version: x.y\n", &d),
			 -EINVAL);
	assert_int_equal(d.nerrors, 1);
	diag_free(&d);
	diag_init(&d);
	assert_int_equal(load_text("- required_plugin_versions:\n"
				   "  - name: k8saudit\n"
				   "    version: 0.1.0\n",
				   &d),
			 0);
	assert_true(has_warning(&d, "required_plugin_versions ignored"));
	diag_free(&d);
}

static void test_other_source_skipped(void **state)
{
	static const char text[] = "- rule: K8s thing\n"
				   "  desc: d\n"
				   "  condition: ka.verb = create\n"
				   "  output: o\n"
				   "  priority: INFO\n"
				   "  source: k8s_audit\n"
				   "- rule: Syscall thing\n"
				   "  desc: d\n"
				   "  condition: evt.type = openat\n"
				   "  output: o\n"
				   "  priority: INFO\n"
				   "  source: syscall\n";
	struct engine *e = engine_new();
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(
		engine_load_buffer(e, "s.yaml", text, strlen(text), &d), 0);
	assert_int_equal(engine_compile(e, &d), 0);
	assert_true(has_warning(&d, "source 'k8s_audit' is not supported"));
	assert_int_equal(engine_rule_count(e), 1);
	diag_free(&d);
	engine_free(e);
}

static void test_skip_if_unknown_filter(void **state)
{
	static const char text[] =
		"- rule: Future\n"
		"  desc: d\n"
		"  condition: evt.type = openat and fd.futurefield = 1\n"
		"  output: o\n"
		"  priority: INFO\n"
		"  skip-if-unknown-filter: true\n";
	struct engine *e = engine_new();
	struct test_event t;
	struct alerts c = { 0 };
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(
		engine_load_buffer(e, "k.yaml", text, strlen(text), &d), 0);
	assert_int_equal(engine_compile(e, &d), 0);
	assert_int_equal(d.nerrors, 0);
	assert_true(has_warning(&d, "'Future' skipped"));
	open_event(&t, "/usr/bin/cat", "cat", "/etc/hosts");
	assert_int_equal(eval(e, &t.ev, &c), 0);
	diag_free(&d);
	engine_free(e);
}

/* Every YAML scalar style folds or unquotes differently: the error is at
 * the token's own line and column in each. */
static void test_error_position_scalar_styles(void **state)
{
	static const char text[] =
		"- rule: Plain\n" /* 1 */
		"  desc: d\n"
		"  condition: evt.type = openat\n"
		"    and proc.nme = a\n" /* 4: col 9 */
		"  output: o\n"
		"  priority: INFO\n"
		"- rule: Single\n" /* 7 */
		"  desc: d\n"
		"  condition: 'proc.name = ''its'' and\n"
		"     fd.nme = b'\n" /* 10: col 6 */
		"  output: o\n"
		"  priority: INFO\n"
		"- rule: Double\n" /* 13 */
		"  desc: d\n"
		"  condition: \"proc.name = \\\"x\\\" and fd.nam = c\"\n" /* 15 */
		"  output: o\n"
		"  priority: INFO\n"
		"- rule: Literal\n" /* 18 */
		"  desc: d\n"
		"  condition: |  # a comment with proc.x in it\n"
		"    evt.type = openat and\n"
		"      proc.nam = d\n" /* 22: col 7 */
		"  output: o\n"
		"  priority: INFO\n"
		"- rule: Folded\n" /* 25 */
		"  desc: d\n"
		"  condition: >-\n"
		"    evt.type = openat\n"
		"\n"
		"    and (proc.name = e\n"
		"         or proc.nm = f)\n" /* 31: col 13 */
		"  output: o\n"
		"  priority: INFO\n";
	struct engine *e = engine_new();
	struct diag d;

	(void)state;
	diag_init(&d);
	assert_int_equal(
		engine_load_buffer(e, "p.yaml", text, strlen(text), &d), 0);
	assert_int_equal(engine_compile(e, &d), -EINVAL);
	assert_true(has_error(&d, 4, 9, "unknown field 'proc.nme'"));
	assert_true(has_error(&d, 10, 6, "unknown field 'fd.nme'"));
	assert_true(has_error(&d, 15, 37, "unknown field 'fd.nam'"));
	assert_true(has_error(&d, 22, 7, "unknown field 'proc.nam'"));
	assert_true(has_error(&d, 31, 13, "unknown field 'proc.nm'"));
	assert_int_equal(d.nerrors, 5);
	diag_free(&d);
	engine_free(e);
}

static void test_block_scalar_condition(void **state)
{
	static const char text[] = "- macro: m\n"
				   "  condition: >\n"
				   "    evt.type = openat\n"
				   "    and proc.name = cat\n"
				   "- rule: R\n"
				   "  desc: >\n"
				   "    multi line\n"
				   "    description\n"
				   "  condition: |\n"
				   "    m and fd.name = /etc/hosts\n"
				   "  output: o\n"
				   "  priority: info\n";
	struct engine *e = load_ok(text);
	struct test_event t;
	struct alerts c = { 0 };

	(void)state;
	open_event(&t, "/usr/bin/cat", "cat", "/etc/hosts");
	assert_int_equal(eval(e, &t.ev, &c), 1);
	alerts_free(&c);
	engine_free(e);
}

/* ---- the shipped rules ---- */

/* ---- success-only syscalls (engine_type_may_fail) ---- */

static struct engine *load_rule(const char *prefix, const char *cond)
{
	char text[1024];
	int n;

	n = snprintf(text, sizeof(text),
		     "%s- rule: R\n  desc: d\n  condition: %s\n"
		     "  output: o %%proc.name\n  priority: WARNING\n",
		     prefix, cond);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	return load_ok(text);
}

static void test_success_only_forms(void **state)
{
	static const char *const forms[] = {
		"evt.type = openat and fd.num >= 0",
		"evt.type = openat and fd.num > 2",
		"evt.type = openat and fd.num > -1",
		"evt.type = openat and fd.num = 3",
		"evt.type = openat and evt.res = SUCCESS",
		"evt.type = openat and evt.failed = false",
		"evt.type = openat and evt.failed != true",
		"evt.type = openat and evt.rawres >= 0",
		"evt.type = openat and audit.exit in (0, 3)",
		"evt.type = openat and audit.success = true",
		"evt.type = openat and audit.success != false",
		"proc.name = cat and (evt.type = openat and (fd.num >= 0))",
		"fd.num >= 0 and evt.type in (open, openat, creat)",
	};
	struct test_event t;
	struct alerts c = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct engine *e = load_rule("", forms[i]);

		if (engine_type_may_fail(e, "openat"))
			fail_msg("'%s': openat may fail", forms[i]);
		/* and the claim holds: a success matches, a failure not */
		open_event(&t, "/bin/cat", "cat", "/etc/hosts");
		assert_int_equal(eval(e, &t.ev, &c), 1);
		alerts_free(&c);
		t.ev.success = 0;
		t.ev.exit = -2;
		assert_int_equal(eval(e, &t.ev, &c), 0);
		engine_free(e);
	}
}

static void test_may_fail_forms(void **state)
{
	static const char *const forms[] = {
		"evt.type = openat",
		"evt.type = openat and proc.name = cat",
		"evt.type = openat and fd.num >= 0 or evt.type = openat",
		"evt.type = openat and (fd.num >= 0 or proc.name = cat)",
		"evt.type = openat and not evt.failed = true",
		"evt.type = openat and not fd.num < 0",
		"evt.type = openat and fd.num >= -1",
		"evt.type = openat and fd.num > -2",
		"evt.type = openat and fd.num != -2",
		"evt.type = openat and audit.exit in (0, -2)",
		"evt.type = openat and evt.res != ENOENT",
		"evt.type = openat and evt.failed = true",
		"evt.type = openat and audit.success = false",
		"evt.type = openat and evt.rawres < 0",
		"evt.type = openat and fd.num exists",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct engine *e = load_rule("", forms[i]);

		if (!engine_type_may_fail(e, "openat"))
			fail_msg("'%s': openat success-only", forms[i]);
		engine_free(e);
	}
}

static void test_success_only_per_syscall(void **state)
{
	/* fd.num is the return value of openat, but read's argument a0 */
	struct engine *e =
		load_rule("", "evt.type in (openat, read) and fd.num >= 0");

	(void)state;
	assert_false(engine_type_may_fail(e, "openat"));
	assert_true(engine_type_may_fail(e, "read"));
	engine_free(e);
	/* evt.rawres is the return value of every syscall */
	e = load_rule("", "evt.type in (openat, read) and evt.rawres >= 0");
	assert_false(engine_type_may_fail(e, "openat"));
	assert_false(engine_type_may_fail(e, "read"));
	engine_free(e);
}

static void test_success_only_macro(void **state)
{
	struct engine *e;

	(void)state;
	e = load_rule("- macro: opened\n  condition: (fd.num >= 0)\n",
		      "evt.type = openat and opened");
	assert_false(engine_type_may_fail(e, "openat"));
	engine_free(e);
	e = load_rule("- macro: ok\n"
		      "  condition: (evt.failed = false or proc.name = cat)\n",
		      "evt.type = openat and ok");
	assert_true(engine_type_may_fail(e, "openat"));
	engine_free(e);
	/* exceptions add "and not (...)": the conjunct still holds */
	e = load_ok(
		"- rule: R\n  desc: d\n"
		"  condition: evt.type = openat and evt.res = SUCCESS\n"
		"  output: o\n  priority: WARNING\n"
		"  exceptions:\n    - name: procs\n      fields: [proc.name]\n"
		"      values: [[cat]]\n");
	assert_false(engine_type_may_fail(e, "openat"));
	engine_free(e);
}

static void test_success_only_two_rules(void **state)
{
	struct engine *e = load_ok(
		"- rule: A\n  desc: d\n"
		"  condition: evt.type in (openat, execve) and evt.res = SUCCESS\n"
		"  output: o\n  priority: WARNING\n"
		"- rule: B\n  desc: d\n"
		"  condition: evt.type = openat and proc.name = cat\n"
		"  output: o\n  priority: WARNING\n");

	(void)state;
	assert_true(engine_type_may_fail(e, "openat"));
	assert_false(engine_type_may_fail(e, "execve"));
	engine_free(e);
}

static void test_success_only_any_type(void **state)
{
	static const char succ_rule[] =
		"- rule: S\n  desc: d\n"
		"  condition: evt.type = openat and fd.num >= 0\n"
		"  output: o\n  priority: WARNING\n";
	/* A second rule without evt.type, beside the success-only one: does
	 * openat still need its failed calls? */
	static const struct {
		const char *cond;
		bool may_fail;
	} cases[] = {
		/* a rule for every type sees failed openat calls too */
		{ "proc.name = cat", true },
		/* so does one for every SYSCALL record */
		{ "audit.type = SYSCALL and proc.name = cat", true },
		/* unless it can only match successful calls itself */
		{ "evt.failed = false and proc.name = cat", false },
		/* a rule for another record type does not count: such
		 * records make the kernel log the syscall whatever the exit
		 * rules say */
		{ "audit.type = CONFIG_CHANGE", false },
	};
	struct engine *e;
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		(void)snprintf(text, sizeof(text),
			       "%s- rule: A\n  desc: d\n  condition: %s\n"
			       "  output: o\n  priority: WARNING\n",
			       succ_rule, cases[i].cond);
		e = load_ok(text);
		if (engine_type_may_fail(e, "openat") != cases[i].may_fail)
			fail_msg("%s: may_fail should be %d", cases[i].cond,
				 cases[i].may_fail);
		engine_free(e);
	}
}

static void test_shipped_rules(void **state)
{
	struct engine *e = engine_new();
	struct test_event t;
	struct alerts c = { 0 };
	struct diag d;
	bool any = true;
	struct types ty = { 0 };
	size_t i;
	int r;

	(void)state;
	diag_init(&d);
	r = engine_load_file(e, TOP_SRCDIR "/rules/harrier_rules.yaml", &d);
	if (r == 0)
		r = engine_compile(e, &d);
	if (d.n)
		print_diag(&d);
	assert_int_equal(r, 0);
	assert_int_equal(d.n, 0); /* no warnings either */
	assert_true(engine_rule_count(e) >= 3);
	engine_event_types(e, type_cb, &ty, &any);
	assert_false(any);
	assert_true(types_has(&ty, "openat"));
	/* The shipped rules need only successful calls, except for the
	 * attempts worth reporting when the kernel refuses them: module
	 * loads and unloads, kexec, namespace changes, ptrace and packet
	 * sockets (rare calls).
	 * The frequent ones (open, exec, connect, file changes) stay
	 * success-only. Record types (CONFIG_CHANGE) are upper case and get
	 * no kernel rule. */
	assert_false(engine_type_may_fail(e, "openat"));
	assert_false(engine_type_may_fail(e, "execve"));
	assert_false(engine_type_may_fail(e, "connect"));
	assert_true(engine_type_may_fail(e, "finit_module"));
	/* Signals: only those to harrierd, through its own kernel rule. */
	{
		static const char *const self[] = { "harrier_self_signal" };

		assert_true(engine_type_needs_key(e, "kill", self, 1));
		assert_true(engine_type_needs_key(e, "tgkill", self, 1));
		assert_false(engine_type_needs_key(e, "openat", self, 1));
	}
	for (i = 0; i < ty.n; i++) {
		static const char *const attempts[] = {
			"init_module", "finit_module", "delete_module",
			"kexec_load",  "kexec_file_load", "setns",
			"unshare",     "ptrace",	"socket",
		};
		static const char *const self_key[] = { "harrier_self_signal" };
		size_t k;
		bool attempt = false;

		for (k = 0; k < sizeof(attempts) / sizeof(attempts[0]); k++)
			if (strcmp(ty.names[i], attempts[k]) == 0)
				attempt = true;
		if (engine_type_needs_key(e, ty.names[i], self_key, 1))
			continue; /* no kernel rule of its own */
		if (!attempt && !(ty.names[i][0] >= 'A' && ty.names[i][0] <= 'Z') &&
		    engine_type_may_fail(e, ty.names[i]))
			fail_msg("shipped rules: %s may fail", ty.names[i]);
	}

	open_event(&t, "/usr/bin/python3.11", "python3", "/etc/shadow");
	t.ev.auid = 1000;
	assert_true(eval(e, &t.ev, &c) >= 1);
	for (i = 0; i < c.n; i++)
		if (strcmp(c.a[i]->rule, "Read sensitive file untrusted") == 0)
			break;
	assert_true(i < c.n);
	assert_int_equal(c.a[i]->priority, ALERT_PRIO_WARNING);
	assert_non_null(strstr(
		c.a[i]->output,
		"Sensitive file opened for reading by non-trusted program (file=/etc/shadow "));
	assert_non_null(strstr(c.a[i]->output, "process=python3"));
	alerts_free(&c);

	/* a trusted program reads it quietly */
	open_event(&t, "/usr/sbin/sshd", "sshd", "/etc/shadow");
	assert_int_equal(eval(e, &t.ev, &c), 0);
	/* and so does the shadow password checker */
	open_event(&t, "/usr/sbin/unix_chkpwd", "unix_chkpwd", "/etc/shadow");
	assert_int_equal(eval(e, &t.ev, &c), 0);
	diag_free(&d);
	engine_free(e);
}

/* A type whose rules all require a key of Harrier's built-in kernel rules
 * needs no kernel rule of its own; one rule without the key, or with it
 * only under an "or", and it does. */
static void test_type_needs_key(void **state)
{
	static const char *const keys[] = { "harrier_self_signal", "harrier_x" };
	struct engine *e;

	(void)state;
	e = load_ok("- rule: a\n  desc: d\n"
		    "  condition: evt.type = kill and audit.key = harrier_self_signal\n"
		    "  output: o\n  priority: notice\n"
		    "- rule: b\n  desc: d\n"
		    "  condition: evt.type in (kill, tkill) and evt.res = SUCCESS"
		    " and (audit.key in (harrier_x, harrier_self_signal))\n"
		    "  output: o\n  priority: notice\n"
		    "- rule: c\n  desc: d\n"
		    "  condition: evt.type = tgkill and (audit.key = harrier_x"
		    " or proc.name = sh)\n"
		    "  output: o\n  priority: notice\n"
		    "- rule: d\n  desc: d\n"
		    "  condition: evt.type = ptrace and audit.key = other\n"
		    "  output: o\n  priority: notice\n");
	assert_true(engine_type_needs_key(e, "kill", keys, 2));
	assert_true(engine_type_needs_key(e, "tkill", keys, 2));
	assert_false(engine_type_needs_key(e, "tkill", keys, 1));
	assert_false(engine_type_needs_key(e, "tgkill", keys, 2));
	assert_false(engine_type_needs_key(e, "ptrace", keys, 2));
	assert_false(engine_type_needs_key(e, "openat", keys, 2));
	engine_free(e);
}

static bool raises(struct engine *e, const struct event *ev, const char *rule)
{
	struct alerts c = { 0 };
	bool found = false;
	size_t i;

	assert_true(eval(e, ev, &c) >= 0);
	for (i = 0; i < c.n; i++)
		if (strcmp(c.a[i]->rule, rule) == 0)
			found = true;
	alerts_free(&c);
	return found;
}

static void test_shipped_rules_more(void **state)
{
	static const char shell[] = "Terminal shell in container";
	static const char hist[] = "Delete or rename shell history";
	static const char keys[] = "Search Private Keys or Passwords";
	static const char bin[] = "Write below binary dir";
	struct engine *e = engine_new();
	struct event_path paths[2];
	struct test_event t;

	(void)state;
	assert_int_equal(
		engine_load_file(e, TOP_SRCDIR "/rules/harrier_rules.yaml",
				 NULL),
		0);
	assert_int_equal(engine_compile(e, NULL), 0);

	/* an interactive shell in a container, not on the host */
	exec_event(&t, "/bin/bash", "bash");
	t.ct.id =
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	t.ev.container = &t.ct;
	assert_true(raises(e, &t.ev, shell));
	t.ev.tty = NULL;
	assert_false(raises(e, &t.ev, shell));
	t.ev.tty = "pts0";
	t.ev.container = NULL;
	assert_false(raises(e, &t.ev, shell));
	t.ev.container = &t.ct;
	t.ev.success = 0;
	t.ev.exit = -13;
	assert_false(raises(e, &t.ev, shell));

	/* rm ~/.bash_history: PARENT + DELETE items, as audit logs them */
	open_event(&t, "/usr/bin/rm", "rm", "/home/u/.bash_history");
	t.ev.syscall = 263;
	t.ev.syscall_name = "unlinkat";
	t.ev.exit = 0;
	memset(paths, 0, sizeof(paths));
	paths[0].name = paths[0].raw_name = "/home/u";
	paths[0].nametype = "PARENT";
	paths[1].name = paths[1].raw_name = "/home/u/.bash_history";
	paths[1].nametype = "DELETE";
	t.ev.paths = paths;
	t.ev.npaths = 2;
	assert_true(raises(e, &t.ev, hist));
	paths[1].name = paths[1].raw_name = "/home/u/notes.txt";
	assert_false(raises(e, &t.ev, hist));

	/* grep for a PEM header */
	exec_event(&t, "/usr/bin/grep", "grep");
	t.argv[1] = "-r";
	t.argv[2] = "BEGIN RSA PRIVATE";
	t.argv[3] = "/home";
	t.ev.argc = 4;
	assert_true(raises(e, &t.ev, keys));
	t.argv[2] = "TODO";
	assert_false(raises(e, &t.ev, keys));

	/* a binary replaced by hand, but not by the package manager */
	open_event(&t, "/usr/bin/cp", "cp", "/usr/bin/ls");
	t.ev.args[2] = 01101; /* O_WRONLY|O_CREAT|O_TRUNC */
	assert_true(raises(e, &t.ev, bin));
	open_event(&t, "/usr/bin/dpkg", "dpkg", "/usr/bin/ls");
	t.ev.args[2] = 01101;
	assert_false(raises(e, &t.ev, bin));
	engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_introspect),
		cmocka_unit_test(test_eval_alert_fields),
		cmocka_unit_test(test_alert_cmdline_is_proc_cmdline),
		cmocka_unit_test(test_eval_no_match),
		cmocka_unit_test(test_min_priority),
		cmocka_unit_test(test_event_types),
		cmocka_unit_test(test_event_types_audit_type),
		cmocka_unit_test(test_event_types_any_and_order),
		cmocka_unit_test(test_success_only_forms),
		cmocka_unit_test(test_may_fail_forms),
		cmocka_unit_test(test_success_only_per_syscall),
		cmocka_unit_test(test_success_only_macro),
		cmocka_unit_test(test_success_only_two_rules),
		cmocka_unit_test(test_success_only_any_type),
		cmocka_unit_test(test_error_missing_keys),
		cmocka_unit_test(test_error_every_problem_reported),
		cmocka_unit_test(test_error_yaml_syntax),
		cmocka_unit_test(test_error_not_a_sequence),
		cmocka_unit_test(test_error_condition_position),
		cmocka_unit_test(test_error_macro_reported_once),
		cmocka_unit_test(test_error_list_cycle),
		cmocka_unit_test(test_load_file_errors),
		cmocka_unit_test(test_redefinition_replaces_in_place),
		cmocka_unit_test(test_load_after_compile),
		cmocka_unit_test(test_append),
		cmocka_unit_test(test_override),
		cmocka_unit_test(test_override_errors),
		cmocka_unit_test(test_enabled_only_disables),
		cmocka_unit_test(test_definitions_across_files),
		cmocka_unit_test(test_exceptions),
		cmocka_unit_test(test_exceptions_append),
		cmocka_unit_test(test_exception_errors),
		cmocka_unit_test(test_required_engine_version),
		cmocka_unit_test(test_other_source_skipped),
		cmocka_unit_test(test_skip_if_unknown_filter),
		cmocka_unit_test(test_block_scalar_condition),
		cmocka_unit_test(test_error_position_scalar_styles),
		cmocka_unit_test(test_type_needs_key),
		cmocka_unit_test(test_shipped_rules),
		cmocka_unit_test(test_shipped_rules_more),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
