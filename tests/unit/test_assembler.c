/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the record assembler (src/assemble/assembler.h) on real
 * records captured from this machine's kernel by auditd 3.0.9 (raw and
 * enriched format, tests/fixtures/assembler/), plus malformed input.
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
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "assemble/assembler.h"
#include "common/limits.h"
#include "common/strbuf.h"

#define FIXTURES TOP_SRCDIR "/tests/fixtures/assembler/"

/* ---- helpers ---- */

struct collect {
	char **digests; /* one text rendering of every event, in order */
	size_t n, cap;
	uint64_t want_serial;
	void (*check)(const struct event *ev);
	int checked;
};

static void digest_str(struct strbuf *sb, const char *name, const char *s)
{
	strbuf_appendf(sb, " %s=", name);
	if (s)
		strbuf_append_escaped(sb, s, strlen(s));
	else
		strbuf_appends(sb, "<null>");
}

/* Every field of the event, so that two runs can be compared. */
static char *digest(const struct event *ev)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_appendf(&sb, "kind=%d t=%llu serial=%llu rt=%d nrec=%u",
		       ev->kind, (unsigned long long)ev->time_ns,
		       (unsigned long long)ev->serial, ev->record_type,
		       ev->nrecords);
	digest_str(&sb, "type", ev->type_name);
	digest_str(&sb, "node", ev->node);
	digest_str(&sb, "arch", ev->arch_name);
	strbuf_appendf(&sb, " m=%d sc=%d", ev->machine, ev->syscall);
	digest_str(&sb, "scn", ev->syscall_name);
	strbuf_appendf(&sb, " ok=%d exit=%lld/%d a=%llx,%llx,%llx,%llx it=%u",
		       ev->success, (long long)ev->exit, ev->has_exit,
		       (unsigned long long)ev->args[0],
		       (unsigned long long)ev->args[1],
		       (unsigned long long)ev->args[2],
		       (unsigned long long)ev->args[3], ev->items);
	strbuf_appendf(&sb, " pid=%d ppid=%d ids=%u,%u,%u,%u,%u,%u,%u,%u",
		       (int)ev->pid, (int)ev->ppid, ev->uid, ev->euid, ev->suid,
		       ev->fsuid, ev->gid, ev->egid, ev->sgid, ev->fsgid);
	strbuf_appendf(&sb, " auid=%u ses=%u", ev->auid, ev->ses);
	digest_str(&sb, "tty", ev->tty);
	digest_str(&sb, "comm", ev->comm);
	digest_str(&sb, "exe", ev->exe);
	digest_str(&sb, "key", ev->key);
	digest_str(&sb, "subj", ev->subj);
	digest_str(&sb, "cwd", ev->cwd);
	strbuf_appendf(&sb, " argc=%zu/%d/%d", ev->argc, ev->argv_from_execve,
		       ev->argv_truncated);
	for (i = 0; i < ev->argc; i++)
		digest_str(&sb, "arg", ev->argv[i]);
	for (i = 0; i < ev->npaths; i++) {
		const struct event_path *p = &ev->paths[i];

		digest_str(&sb, "path", p->name);
		digest_str(&sb, "raw", p->raw_name);
		digest_str(&sb, "nt", p->nametype);
		strbuf_appendf(&sb, " ino=%llu/%d mode=%o/%d own=%u,%u/%d",
			       (unsigned long long)p->inode, p->has_inode,
			       p->mode, p->has_mode, p->ouid, p->ogid,
			       p->has_owner);
	}
	strbuf_appendf(&sb, " sock=%d/%d/%s/%u", ev->sockaddr.family,
		       ev->sockaddr.raw_family, ev->sockaddr.addr,
		       ev->sockaddr.port);
	digest_str(&sb, "spath", ev->sockaddr.path);
	for (i = 0; i < ev->nfields; i++) {
		digest_str(&sb, "f", ev->fields[i].name);
		digest_str(&sb, "v", ev->fields[i].value);
		digest_str(&sb, "r", ev->fields[i].raw_value);
	}
	assert_false(strbuf_failed(&sb));
	return strbuf_steal(&sb);
}

static void collect_cb(const struct event *ev, void *userdata)
{
	struct collect *c = userdata;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->digests = realloc(c->digests, c->cap * sizeof(char *));
		assert_non_null(c->digests);
	}
	c->digests[c->n++] = digest(ev);
	if (c->check && ev->serial == c->want_serial) {
		c->check(ev);
		c->checked++;
	}
}

static void collect_free(struct collect *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->digests[i]);
	free(c->digests);
	memset(c, 0, sizeof(*c));
}

static char *read_file(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;

	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)st.st_size, f),
			 (size_t)st.st_size);
	buf[st.st_size] = '\0';
	fclose(f);
	*ret_len = (size_t)st.st_size;
	return buf;
}

enum feed_mode { FEED_WHOLE, FEED_BYTES, FEED_RECORDS };

static void run_buf(const char *buf, size_t len, enum feed_mode mode,
		    struct collect *c, struct assembler_stats *ret_stats)
{
	struct assembler *a = assembler_new(collect_cb, c);
	const char *p, *nl, *end = buf + len;
	size_t i;

	assert_non_null(a);
	switch (mode) {
	case FEED_WHOLE:
		assert_int_equal(assembler_feed(a, buf, len), 0);
		break;
	case FEED_BYTES:
		for (i = 0; i < len; i++)
			assert_int_equal(assembler_feed(a, buf + i, 1), 0);
		break;
	case FEED_RECORDS:
		for (p = buf; p < end; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl)
				nl = end;
			assert_int_equal(
				assembler_feed_record(a, p, (size_t)(nl - p)),
				0);
		}
		break;
	}
	assert_int_equal(assembler_flush(a), 0);
	if (ret_stats)
		assembler_get_stats(a, ret_stats);
	assembler_free(a);
}

static void run_file(const char *name, enum feed_mode mode, struct collect *c,
		     struct assembler_stats *ret_stats)
{
	size_t len;
	char *buf = read_file(name, &len);

	run_buf(buf, len, mode, c, ret_stats);
	free(buf);
}

/* Distinct "msg=audit(ID)" in a log: the events auparse must produce. */
static size_t count_event_ids(const char *buf)
{
	char **ids = NULL;
	size_t n = 0, i;
	const char *p = buf, *q;

	while ((p = strstr(p, "msg=audit(")) != NULL) {
		p += 10;
		q = strchr(p, ')');
		assert_non_null(q);
		for (i = 0; i < n; i++)
			if (strlen(ids[i]) == (size_t)(q - p) &&
			    memcmp(ids[i], p, (size_t)(q - p)) == 0)
				break;
		if (i == n) {
			ids = realloc(ids, (n + 1) * sizeof(*ids));
			assert_non_null(ids);
			ids[n++] = strndup(p, (size_t)(q - p));
		}
		p = q;
	}
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	return n;
}

static void check_serial(const char *file, uint64_t serial,
			 void (*check)(const struct event *ev))
{
	struct collect c = { 0 };

	c.want_serial = serial;
	c.check = check;
	run_file(file, FEED_WHOLE, &c, NULL);
	assert_int_equal(c.checked, 1);
	collect_free(&c);
}

static char *repeat(char ch, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, ch, n);
	s[n] = '\0';
	return s;
}

/* ---- whole log ---- */

static void test_raw_log_all_events(void **state)
{
	struct collect c = { 0 };
	struct assembler_stats st;
	size_t len, nlines = 0, i;
	char *buf = read_file(FIXTURES "raw.txt", &len);

	for (i = 0; i < len; i++)
		nlines += buf[i] == '\n';
	run_buf(buf, len, FEED_WHOLE, &c, &st);
	assert_int_equal(c.n, count_event_ids(buf));
	assert_int_equal(st.events, c.n);
	assert_int_equal(st.records, nlines);
	assert_int_equal(st.malformed, 0);
	collect_free(&c);
	free(buf);
}

/* ---- SYSCALL + EXECVE ---- */

static void check_execve_hex(const struct event *ev)
{
	assert_int_equal(ev->kind, EVENT_KIND_SYSCALL);
	assert_int_equal(ev->record_type, 1300);
	assert_string_equal(ev->type_name, "SYSCALL");
	assert_int_equal(ev->nrecords, 7); /* + BPRM_FCAPS, CWD */
	assert_true(ev->time_ns == 1795886544008000000ULL);
	assert_null(ev->node);
	assert_string_equal(ev->arch_name, "x86_64");
	assert_int_equal(ev->syscall, 59);
	assert_string_equal(ev->syscall_name, "execve");
	assert_int_equal(ev->success, 1);
	assert_true(ev->has_exit);
	assert_int_equal(ev->exit, 0);
	assert_true(ev->args[3] == 8);
	assert_int_equal(ev->items, 2);
	assert_int_equal(ev->pid, 7937);
	assert_int_equal(ev->ppid, 7935);
	assert_int_equal(ev->uid, 0);
	assert_int_equal(ev->fsgid, 0);
	assert_int_equal(ev->auid, EVENT_ID_UNSET);
	assert_int_equal(ev->ses, EVENT_ID_UNSET);
	assert_null(ev->tty);
	assert_string_equal(ev->comm, "hecho");
	assert_string_equal(ev->exe, "/tmp/harrier-rec/hecho");
	assert_string_equal(ev->key, "harrier-exec");
	assert_string_equal(ev->cwd, "/tmp/hb-A/rec");

	assert_true(ev->argv_from_execve);
	assert_false(ev->argv_truncated);
	assert_int_equal(ev->argc, 5);
	assert_string_equal(ev->argv[0], "/tmp/harrier-rec/hecho");
	assert_string_equal(ev->argv[1], "hello world");
	assert_string_equal(ev->argv[2], "quote\"d");
	assert_string_equal(ev->argv[3], "plain");
	assert_string_equal(ev->argv[4], "caf\xc3\xa9");
	assert_null(ev->argv[5]);

	assert_int_equal(ev->npaths, 2);
	assert_string_equal(ev->paths[0].name, "/tmp/harrier-rec/hecho");
	assert_string_equal(ev->paths[1].name, "/lib64/ld-linux-x86-64.so.2");
	assert_int_equal(ev->paths[0].mode, 0100755);
	assert_int_equal(ev->nfields, 0);
}

static void test_execve_hex_args(void **state)
{
	check_serial(FIXTURES "raw.txt", 76, check_execve_hex);
}

static void check_execve_split(const struct event *ev)
{
	size_t i;

	assert_string_equal(ev->syscall_name, "execve");
	assert_int_equal(ev->argc, 3);
	assert_int_equal(strlen(ev->argv[1]), 9000);
	for (i = 0; i < 9000; i++)
		if (ev->argv[1][i] != 'a')
			fail_msg("argv[1][%zu] = %d", i, ev->argv[1][i]);
	assert_string_equal(ev->argv[2], "tail");
}

static void test_execve_split_long_arg(void **state)
{
	check_serial(FIXTURES "raw.txt", 77, check_execve_split);
}

static void check_execve_split_space(const struct event *ev)
{
	char *want = repeat('b', 9011);

	memcpy(want + 9000, " with space", 11);
	assert_int_equal(ev->argc, 3);
	assert_string_equal(ev->argv[1], want);
	assert_string_equal(ev->argv[2], "end");
	free(want);
}

static void test_execve_split_arg_with_space(void **state)
{
	check_serial(FIXTURES "raw.txt", 78, check_execve_split_space);
}

/* ---- PROCTITLE when there is no EXECVE ---- */

static void check_proctitle(const struct event *ev)
{
	static const char *const want[] = {
		/* auditctl splits "arch=b64" in its own argv */
		"auditctl",
		"-a",
		"always,exit",
		"-F",
		"arch",
		"b64",
		"-S",
		"execve",
		"-F",
		"exe",
		"/tmp/harrier-rec/hecho",
		"-k",
		"harrier-exec",
	};
	size_t i;

	assert_false(ev->argv_from_execve);
	assert_int_equal(ev->argc, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < ev->argc; i++)
		assert_string_equal(ev->argv[i], want[i]);
	assert_null(ev->argv[ev->argc]);
}

static void test_proctitle_argv(void **state)
{
	check_serial(FIXTURES "raw.txt", 72, check_proctitle);
}

/* ---- CWD / PATH ---- */

static void check_rel_dotdot(const struct event *ev)
{
	const struct event_path *p;

	assert_string_equal(ev->syscall_name, "openat");
	assert_string_equal(ev->key, "harrier-open");
	assert_string_equal(ev->cwd, "/tmp/harrier-rec/sub");
	assert_int_equal(ev->npaths, 1);
	p = event_primary_path(ev);
	assert_non_null(p);
	assert_string_equal(p->raw_name, "../sub/../file");
	assert_string_equal(p->name, "/tmp/harrier-rec/file");
	assert_string_equal(p->nametype, "NORMAL");
	assert_true(p->has_inode);
	assert_true(p->inode == 10953241);
	assert_true(p->has_mode);
	assert_int_equal(p->mode, 0100644);
	assert_true(p->has_owner);
	assert_int_equal(p->ouid, 0);
	assert_int_equal(p->ogid, 0);
}

static void test_path_relative_dotdot(void **state)
{
	check_serial(FIXTURES "raw.txt", 92, check_rel_dotdot);
}

static void check_rel_hex(const struct event *ev)
{
	assert_int_equal(ev->npaths, 1);
	assert_string_equal(ev->paths[0].raw_name, "../with space");
	assert_string_equal(ev->paths[0].name, "/tmp/harrier-rec/with space");
}

static void test_path_hex_name(void **state)
{
	check_serial(FIXTURES "raw.txt", 93, check_rel_hex);
}

static void check_rel_slashes(const struct event *ev)
{
	assert_string_equal(ev->paths[0].raw_name, "./../sub//../file");
	assert_string_equal(ev->paths[0].name, "/tmp/harrier-rec/file");
}

static void test_path_dot_and_double_slash(void **state)
{
	check_serial(FIXTURES "raw.txt", 94, check_rel_slashes);
}

static void check_parent_create(const struct event *ev)
{
	const struct event_path *p;

	assert_int_equal(ev->npaths, 2);
	/* trailing slash of the PARENT item is normalised away */
	assert_string_equal(ev->paths[0].raw_name, "/tmp/harrier-rec/");
	assert_string_equal(ev->paths[0].name, "/tmp/harrier-rec");
	assert_string_equal(ev->paths[0].nametype, "PARENT");
	assert_int_equal(ev->paths[0].mode, 040755);
	p = event_primary_path(ev);
	assert_ptr_equal(p, &ev->paths[1]);
	assert_string_equal(p->name, "/tmp/harrier-rec/sock");
	assert_string_equal(p->nametype, "CREATE");
	assert_int_equal(p->mode, 0140755);
	assert_true(p->has_dev);
	assert_int_equal(p->dev, makedev(0xfe, 0));
}

struct devs {
	bool has[8];
	uint32_t dev[8];
	size_t n;
};

static void devs_cb(const struct event *ev, void *userdata)
{
	struct devs *d = userdata;

	assert_int_equal(ev->npaths, 1);
	assert_true(d->n < 8);
	d->has[d->n] = ev->paths[0].has_dev;
	d->dev[d->n++] = ev->paths[0].dev;
}

/* dev is "MAJ:MIN" in hex; anything else leaves it unset. */
static void test_path_dev(void **state)
{
	static const char *const devs[] = { "fe:01", "FE:1a", "103:0",
					    "fe",    "fe:",   ":01",
					    "fe:01x", "1000:0" };
	struct devs d = { 0 };
	struct assembler *a = assembler_new(devs_cb, &d);
	char line[512];
	size_t i;
	int n;

	(void)state;
	assert_non_null(a);
	for (i = 0; i < 8; i++) {
		n = snprintf(line, sizeof(line),
			     "type=SYSCALL msg=audit(1795886544.000:%zu): "
			     "arch=c000003e syscall=257 success=yes exit=3 "
			     "items=1 pid=7 comm=\"cat\" key=(null)\n"
			     "type=PATH msg=audit(1795886544.000:%zu): item=0 "
			     "name=\"/x\" inode=5 dev=%s mode=0100640 ouid=0 "
			     "ogid=0 rdev=00:00 nametype=NORMAL\n"
			     "type=PROCTITLE msg=audit(1795886544.000:%zu): "
			     "proctitle=78\n",
			     i + 1, i + 1, devs[i], i + 1);
		assert_int_equal(assembler_feed(a, line, (size_t)n), 0);
	}
	assert_int_equal(assembler_flush(a), 0);
	assert_int_equal(d.n, 8);
	assert_true(d.has[0]);
	assert_int_equal(d.dev[0], makedev(0xfe, 1));
	assert_true(d.has[1]);
	assert_int_equal(d.dev[1], makedev(0xfe, 0x1a));
	assert_true(d.has[2]);
	assert_int_equal(d.dev[2], makedev(0x103, 0));
	for (i = 3; i < 8; i++)
		assert_false(d.has[i]);
	assembler_free(a);
}

static void test_path_parent_and_create(void **state)
{
	check_serial(FIXTURES "raw.txt", 116, check_parent_create);
}

static void check_failed_open(const struct event *ev)
{
	assert_int_equal(ev->success, 0);
	assert_true(ev->has_exit);
	assert_int_equal(ev->exit, -2);
	assert_string_equal(ev->key, "harrier-enoent");
	assert_int_equal(ev->npaths, 1);
	assert_string_equal(ev->paths[0].name, "/tmp/harrier-rec/nope");
	assert_string_equal(ev->paths[0].nametype, "UNKNOWN");
	assert_false(ev->paths[0].has_inode);
	assert_false(ev->paths[0].has_mode);
	assert_false(ev->paths[0].has_owner);
}

static void test_failed_syscall(void **state)
{
	check_serial(FIXTURES "raw.txt", 108, check_failed_open);
}

/* ---- SOCKADDR ---- */

static void check_inet_bind(const struct event *ev)
{
	assert_string_equal(ev->syscall_name, "bind");
	assert_int_equal(ev->sockaddr.family, EVENT_SOCK_INET);
	assert_int_equal(ev->sockaddr.raw_family, 2);
	assert_string_equal(ev->sockaddr.addr, "127.0.0.1");
	assert_int_equal(ev->sockaddr.port, 0);
	assert_null(ev->sockaddr.path);
}

static void check_inet_connect(const struct event *ev)
{
	assert_string_equal(ev->syscall_name, "connect");
	assert_string_equal(ev->comm, "python3.11");
	assert_int_equal(ev->sockaddr.family, EVENT_SOCK_INET);
	assert_string_equal(ev->sockaddr.addr, "127.0.0.1");
	assert_int_equal(ev->sockaddr.port, 0xA0A1);
	assert_int_equal(ev->argc, 2);
	assert_string_equal(ev->argv[0], "/usr/bin/python3.11");
	assert_string_equal(ev->argv[1], "-");
}

static void check_inet6_connect(const struct event *ev)
{
	assert_string_equal(ev->syscall_name, "connect");
	assert_int_equal(ev->sockaddr.family, EVENT_SOCK_INET6);
	assert_int_equal(ev->sockaddr.raw_family, 10);
	assert_string_equal(ev->sockaddr.addr, "::1");
	assert_int_equal(ev->sockaddr.port, 0x8867);
}

static void check_unix_connect(const struct event *ev)
{
	assert_string_equal(ev->syscall_name, "connect");
	assert_int_equal(ev->sockaddr.family, EVENT_SOCK_UNIX);
	assert_int_equal(ev->sockaddr.raw_family, 1);
	assert_string_equal(ev->sockaddr.path, "/tmp/harrier-rec/sock");
	assert_string_equal(ev->sockaddr.addr, "");
}

static void check_unix_abstract(const struct event *ev)
{
	assert_string_equal(ev->syscall_name, "connect");
	assert_int_equal(ev->sockaddr.family, EVENT_SOCK_UNIX);
	assert_string_equal(ev->sockaddr.path, "@harrier-abstract");
}

static void check_netlink(const struct event *ev)
{
	assert_string_equal(ev->syscall_name, "bind");
	assert_int_equal(ev->sockaddr.family, EVENT_SOCK_NETLINK);
	assert_int_equal(ev->sockaddr.raw_family, 16);
	assert_null(ev->sockaddr.path);
}

static void test_sockaddr_inet(void **state)
{
	check_serial(FIXTURES "raw.txt", 112, check_inet_bind);
	check_serial(FIXTURES "raw.txt", 113, check_inet_connect);
}

static void test_sockaddr_inet6(void **state)
{
	check_serial(FIXTURES "raw.txt", 115, check_inet6_connect);
}

static void test_sockaddr_unix(void **state)
{
	check_serial(FIXTURES "raw.txt", 117, check_unix_connect);
	check_serial(FIXTURES "raw.txt", 119, check_unix_abstract);
}

static void test_sockaddr_netlink(void **state)
{
	check_serial(FIXTURES "raw.txt", 120, check_netlink);
}

/* ---- non-syscall records ---- */

static void check_user(const struct event *ev)
{
	const struct event_field *f;

	assert_int_equal(ev->kind, EVENT_KIND_OTHER);
	assert_int_equal(ev->record_type, 1005);
	assert_string_equal(ev->type_name, "USER");
	assert_int_equal(ev->nrecords, 1);
	assert_null(ev->syscall_name);
	assert_int_equal(ev->syscall, -1);
	assert_int_equal(ev->pid, 7949);
	assert_int_equal(ev->uid, 0);
	assert_int_equal(ev->auid, EVENT_ID_UNSET);
	assert_int_equal(ev->ses, EVENT_ID_UNSET);
	assert_string_equal(ev->exe, "/usr/sbin/auditctl");
	assert_int_equal(ev->success, 1);
	/* the msg='...' part is split into its own fields */
	f = event_field_get(ev, "exe");
	assert_non_null(f);
	assert_string_equal(f->value, "/usr/sbin/auditctl");
	assert_string_equal(f->raw_value, "\"/usr/sbin/auditctl\"");
	f = event_field_get(ev, "res");
	assert_non_null(f);
	assert_string_equal(f->value, "success");
	/* ids stay numeric */
	f = event_field_get(ev, "auid");
	assert_non_null(f);
	assert_string_equal(f->value, "4294967295");
	assert_null(event_field_get(ev, "type"));
	assert_null(event_field_get(ev, "msg"));
}

static void test_user_record(void **state)
{
	check_serial(FIXTURES "raw.txt", 121, check_user);
}

static void check_user_start(const struct event *ev)
{
	const struct event_field *f;

	assert_string_equal(ev->type_name, "USER_START");
	f = event_field_get(ev, "op");
	assert_non_null(f);
	assert_string_equal(f->value, "PAM:session_open");
	f = event_field_get(ev, "acct");
	assert_non_null(f);
	assert_string_equal(f->value, "nobody");
	assert_string_equal(f->raw_value, "\"nobody\"");
	assert_string_equal(ev->exe, "/usr/bin/su");
}

static void test_user_pam_record(void **state)
{
	check_serial(FIXTURES "raw.txt", 125, check_user_start);
}

static void check_config_change(const struct event *ev)
{
	const struct event_field *f;

	/* CONFIG_CHANGE comes with auditctl's SYSCALL in one event */
	assert_int_equal(ev->kind, EVENT_KIND_SYSCALL);
	assert_string_equal(ev->type_name, "CONFIG_CHANGE");
	assert_int_equal(ev->nrecords, 3);
	assert_string_equal(ev->syscall_name, "sendto");
	assert_string_equal(ev->comm, "auditctl");
	assert_null(ev->key); /* the SYSCALL's key=(null) */
	f = event_field_get(ev, "op");
	assert_non_null(f);
	assert_string_equal(f->value, "add_rule");
	f = event_field_get(ev, "key");
	assert_non_null(f);
	assert_string_equal(f->value, "harrier-exec");
}

static void test_config_change(void **state)
{
	check_serial(FIXTURES "raw.txt", 72, check_config_change);
}

static void check_anom(const struct event *ev)
{
	const struct event_field *f;

	assert_int_equal(ev->kind, EVENT_KIND_OTHER);
	assert_string_equal(ev->type_name, "ANOM_ABEND");
	assert_int_equal(ev->pid, 7952);
	assert_int_equal(ev->gid, 0);
	assert_string_equal(ev->comm, "sh");
	assert_string_equal(ev->exe, "/usr/bin/dash");
	f = event_field_get(ev, "sig");
	assert_non_null(f);
	assert_string_equal(f->raw_value, "11");
	assert_string_equal(f->value, "SIGSEGV");
}

static void test_anom_abend(void **state)
{
	check_serial(FIXTURES "raw.txt", 128, check_anom);
}

/* ---- enriched format ---- */

static void check_enriched_execve(const struct event *ev)
{
	assert_string_equal(ev->node, "vm");
	assert_string_equal(ev->syscall_name, "execve");
	assert_string_equal(ev->key, "harrier-exec");
	assert_int_equal(ev->argc, 5);
	assert_string_equal(ev->argv[1], "hello world");
	assert_string_equal(ev->argv[4], "caf\xc3\xa9");
	assert_int_equal(ev->uid, 0);
	assert_int_equal(ev->auid, EVENT_ID_UNSET);
}

static void check_enriched_user(const struct event *ev)
{
	const struct event_field *f;

	assert_string_equal(ev->node, "vm");
	assert_string_equal(ev->type_name, "USER");
	f = event_field_get(ev, "uid");
	assert_non_null(f);
	/* not the "root" that auditd appended after 0x1D */
	assert_string_equal(f->value, "0");
	assert_null(event_field_get(ev, "node"));
	assert_null(event_field_get(ev, "UID"));
}

static void test_enriched_log(void **state)
{
	struct collect c = { 0 };
	struct assembler_stats st;
	size_t len, i;
	char *buf = read_file(FIXTURES "enriched.txt", &len);

	assert_non_null(memchr(buf, 0x1d, len));
	run_buf(buf, len, FEED_WHOLE, &c, &st);
	assert_int_equal(c.n, count_event_ids(buf));
	assert_int_equal(st.malformed, 0);
	for (i = 0; i < c.n; i++)
		assert_null(strchr(c.digests[i], 0x1d));
	collect_free(&c);
	free(buf);
	check_serial(FIXTURES "enriched.txt", 140, check_enriched_execve);
	check_serial(FIXTURES "enriched.txt", 185, check_enriched_user);
}

/* ---- feeding ---- */

static void assert_same_events(const struct collect *x, const struct collect *y)
{
	size_t i;

	assert_int_equal(x->n, y->n);
	for (i = 0; i < x->n; i++)
		assert_string_equal(x->digests[i], y->digests[i]);
}

static void test_byte_at_a_time(void **state)
{
	struct collect whole = { 0 }, bytes = { 0 };

	run_file(FIXTURES "raw.txt", FEED_WHOLE, &whole, NULL);
	run_file(FIXTURES "raw.txt", FEED_BYTES, &bytes, NULL);
	assert_true(whole.n > 50);
	assert_same_events(&whole, &bytes);
	collect_free(&whole);
	collect_free(&bytes);
}

static void test_record_at_a_time(void **state)
{
	struct collect whole = { 0 }, recs = { 0 };

	run_file(FIXTURES "enriched.txt", FEED_WHOLE, &whole, NULL);
	run_file(FIXTURES "enriched.txt", FEED_RECORDS, &recs, NULL);
	assert_same_events(&whole, &recs);
	collect_free(&whole);
	collect_free(&recs);
}

static void test_crlf_and_missing_final_newline(void **state)
{
	struct collect plain = { 0 }, crlf = { 0 };
	struct strbuf sb = STRBUF_INIT;
	size_t len, i;
	char *buf = read_file(FIXTURES "raw.txt", &len);

	for (i = 0; i < len; i++) {
		if (buf[i] == '\n')
			strbuf_appendc(&sb, '\r');
		strbuf_appendc(&sb, buf[i]);
	}
	sb.buf[--sb.len] = '\0'; /* no final '\n' */
	run_buf(buf, len, FEED_WHOLE, &plain, NULL);
	run_buf(sb.buf, sb.len, FEED_WHOLE, &crlf, NULL);
	assert_same_events(&plain, &crlf);
	collect_free(&plain);
	collect_free(&crlf);
	strbuf_free(&sb);
	free(buf);
}

/* ---- malformed input ---- */

static void test_malformed_lines_skipped(void **state)
{
	struct collect clean = { 0 }, dirty = { 0 };
	struct assembler_stats st;
	struct strbuf sb = STRBUF_INIT;
	size_t len, i, nbad = 0, line = 0;
	char *buf = read_file(FIXTURES "raw.txt", &len);
	char *huge = repeat('A', HARRIER_MAX_RECORD_LEN + 100);
	static const char nul_line[] =
		"type=USER msg=audit(1795886544.080:999): pid=1 \0 uid=0\n";
	const char *bad[] = {
		"garbage line here\n",
		"type=SYSCALL msg=audit(17958\n",
		"type=SYSCALL msg=audit(1795886544.000:abc): x=1\n",
		"msg=audit(1795886544.000:5): no type\n",
		"\x01\x02\xff\xfe binary\n",
		"node= type=\n",
	};

	memcpy(huge, "type=USER msg=audit(1795886544.080:998): a=", 43);
	for (i = 0; i < len; i++) {
		strbuf_appendc(&sb, buf[i]);
		if (buf[i] != '\n')
			continue;
		line++;
		/* between the records of one event and between events */
		if (line % 7 == 0) {
			strbuf_appends(&sb, bad[nbad % 6]);
			nbad++;
		} else if (line == 50) {
			strbuf_append(&sb, nul_line, sizeof(nul_line) - 1);
			nbad++;
		} else if (line == 60) {
			strbuf_appends(&sb, huge);
			strbuf_appendc(&sb, '\n');
			nbad++;
		}
	}
	run_buf(buf, len, FEED_WHOLE, &clean, NULL);
	run_buf(sb.buf, sb.len, FEED_BYTES, &dirty, &st);
	assert_true(nbad > 30);
	assert_int_equal(st.malformed, nbad);
	assert_same_events(&clean, &dirty);
	collect_free(&clean);
	collect_free(&dirty);
	strbuf_free(&sb);
	free(huge);
	free(buf);
}

static void test_bad_hex_event_skipped(void **state)
{
	struct collect c = { 0 };
	struct assembler_stats st;
	/* a real open event whose PATH name lost its last digit */
	static const char rec[] =
		"type=SYSCALL msg=audit(1795886544.020:93): arch=c000003e "
		"syscall=257 success=yes exit=4 a0=ffffff9c a1=7ffef5fb5a67 "
		"a2=0 a3=0 items=1 ppid=7935 pid=7946 auid=4294967295 uid=0 "
		"gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 "
		"tty=(none) ses=4294967295 comm=\"cat\" exe=\"/usr/bin/cat\" "
		"key=\"harrier-open\"\n"
		"type=CWD msg=audit(1795886544.020:93): "
		"cwd=\"/tmp/harrier-rec/sub\"\n"
		"type=PATH msg=audit(1795886544.020:93): item=0 "
		"name=2E2E2F7769746820737061636 inode=10953242 dev=fe:00 "
		"mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\n"
		"type=PROCTITLE msg=audit(1795886544.020:93): "
		"proctitle=636174\n"
		"type=USER msg=audit(1795886544.080:121): pid=7949 uid=0 "
		"auid=4294967295 ses=4294967295 msg='text=x res=success'\n";

	run_buf(rec, sizeof(rec) - 1, FEED_WHOLE, &c, &st);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(st.events, 1);
	assert_int_equal(c.n, 1);
	assert_non_null(strstr(c.digests[0], "type=USER"));
	collect_free(&c);
}

static void test_overlong_line_split_across_feeds(void **state)
{
	struct collect c = { 0 };
	struct assembler *a = assembler_new(collect_cb, &c);
	struct assembler_stats st;
	char *huge = repeat('x', 3 * HARRIER_MAX_RECORD_LEN);
	static const char good[] =
		"type=USER msg=audit(1795886544.080:121): pid=7949 uid=0 "
		"auid=4294967295 ses=4294967295 msg='text=x res=success'\n";
	size_t i, step = 1024;

	assert_non_null(a);
	memcpy(huge, "type=USER msg=audit(1.000:1): a=", 32);
	for (i = 0; i < 3 * HARRIER_MAX_RECORD_LEN; i += step)
		assert_int_equal(assembler_feed(a, huge + i, step), 0);
	assert_int_equal(assembler_feed(a, "\n", 1), 0);
	assert_int_equal(assembler_feed(a, good, sizeof(good) - 1), 0);
	assert_int_equal(assembler_flush(a), 0);
	assembler_get_stats(a, &st);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(st.records, 1);
	assert_int_equal(c.n, 1);
	assembler_free(a);
	collect_free(&c);
	free(huge);
}

static void test_feed_record_rejects_two_lines(void **state)
{
	struct collect c = { 0 };
	struct assembler *a = assembler_new(collect_cb, &c);
	struct assembler_stats st;
	static const char two[] =
		"type=USER msg=audit(1795886544.080:121): pid=1 uid=0\n"
		"type=USER msg=audit(1795886544.080:122): pid=2 uid=0\n";

	assert_non_null(a);
	assert_int_equal(assembler_feed_record(a, two, sizeof(two) - 1), 0);
	assert_int_equal(assembler_flush(a), 0);
	assembler_get_stats(a, &st);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(st.records, 0);
	assert_int_equal(c.n, 0);
	assembler_free(a);
	collect_free(&c);
}

/* ---- event completion ---- */

static void test_flush_and_age_complete_pending(void **state)
{
	struct collect c = { 0 };
	struct assembler *a = assembler_new(collect_cb, &c);
	char line[512];
	int n;

	assert_non_null(a);
	/* A SYSCALL whose PROCTITLE never comes, stamped 30 s ago: auparse
	 * holds it until it is old enough, aging releases it. */
	n = snprintf(line, sizeof(line),
		     "type=SYSCALL msg=audit(%lld.100:4242): arch=c000003e "
		     "syscall=257 success=yes exit=3 a0=ffffff9c a1=1 a2=0 "
		     "a3=0 items=0 ppid=1 pid=2 auid=1000 uid=1000 gid=1000 "
		     "euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 "
		     "fsgid=1000 tty=pts0 ses=3 comm=\"sh\" exe=\"/bin/sh\" "
		     "subj=unconfined key=(null)\n",
		     (long long)time(NULL) - 30);
	assert_true(n > 0 && (size_t)n < sizeof(line));
	assert_int_equal(assembler_feed(a, line, (size_t)n), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(assembler_age(a), 0);
	assert_int_equal(c.n, 1);
	assert_non_null(strstr(c.digests[0], " tty=pts0 "));
	assert_non_null(strstr(c.digests[0], " auid=1000 ses=3 "));
	assert_non_null(strstr(c.digests[0], " subj=unconfined "));
	assert_non_null(strstr(c.digests[0], " key=<null> "));

	/* a second one, released by flush */
	memcpy(strstr(line, ":4242)"), ":4243)", 6);
	assert_int_equal(assembler_feed(a, line, (size_t)n), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(assembler_flush(a), 0);
	assert_int_equal(c.n, 2);
	assembler_free(a);
	collect_free(&c);
}

/* ---- other architectures ---- */

static void test_i386_syscall_names(void **state)
{
	struct collect c = { 0 };
	static const char rec[] =
		"type=SYSCALL msg=audit(1795886544.000:1): arch=40000003 "
		"syscall=11 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=0 "
		"ppid=1 pid=2 auid=-1 uid=0 gid=0 euid=0 suid=0 fsuid=0 "
		"egid=0 sgid=0 fsgid=0 tty=(none) ses=-1 comm=\"a\" "
		"exe=\"/a\" key=(null)\n"
		"type=PROCTITLE msg=audit(1795886544.000:1): proctitle=\"a\"\n"
		"type=SYSCALL msg=audit(1795886544.000:2): arch=c000003e "
		"syscall=11 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=0 "
		"ppid=1 pid=2 auid=4294967295 uid=0 gid=0 euid=0 suid=0 "
		"fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 "
		"comm=\"a\" exe=\"/a\" key=(null)\n"
		"type=PROCTITLE msg=audit(1795886544.000:2): proctitle=\"a\"\n";

	run_buf(rec, sizeof(rec) - 1, FEED_WHOLE, &c, NULL);
	assert_int_equal(c.n, 2);
	assert_non_null(
		strstr(c.digests[0], " arch=i386 m=0 sc=11 scn=execve"));
	assert_non_null(
		strstr(c.digests[0], " auid=4294967295 ses=4294967295"));
	assert_non_null(strstr(c.digests[0], " argc=1/0/0 arg=a "));
	assert_non_null(
		strstr(c.digests[1], " arch=x86_64 m=1 sc=11 scn=munmap"));
	collect_free(&c);
}

/* ---- bounds on what auparse holds ---- */

static void test_open_events_bounded(void **state)
{
	struct collect c = { 0 };
	struct assembler *a = assembler_new(collect_cb, &c);
	struct assembler_stats st;
	char line[256];
	size_t i, total = 3 * HARRIER_EOE_DISTANCE;
	int n;

	assert_non_null(a);
	/* Events that never see their end record, all in one second: auparse
	 * alone would hold every one of them until the end of input. */
	for (i = 0; i < total; i++) {
		n = snprintf(line, sizeof(line),
			     "type=SYSCALL msg=audit(1795886544.000:%zu): "
			     "arch=c000003e syscall=2 success=yes exit=3 "
			     "items=0 pid=%zu comm=\"x\" key=(null)\n",
			     i + 1, i + 1);
		assert_true(n > 0 && (size_t)n < sizeof(line));
		assert_int_equal(assembler_feed(a, line, (size_t)n), 0);
	}
	assert_true(c.n >= total - HARRIER_EOE_DISTANCE);
	assert_int_equal(assembler_flush(a), 0);
	assembler_get_stats(a, &st);
	assert_int_equal(c.n, total);
	assert_int_equal(st.events, total);
	assert_int_equal(st.malformed, 0);
	assembler_free(a);
	collect_free(&c);
}

/* Records of concurrent events interleave (several CPUs): an event whose
 * records are split by fewer than HARRIER_EOE_DISTANCE other events is
 * still assembled whole, although the log has no EOE records. */
static void test_interleaved_events_whole(void **state)
{
	struct collect c = { 0 };
	struct assembler *a = assembler_new(collect_cb, &c);
	char line[256];
	size_t i, n_other = HARRIER_EOE_DISTANCE - 2;
	int n;

	assert_non_null(a);
	n = snprintf(line, sizeof(line),
		     "type=SYSCALL msg=audit(1795886544.000:1): arch=c000003e "
		     "syscall=257 success=yes exit=3 items=1 pid=7 comm=\"cat\" "
		     "key=(null)\n");
	assert_int_equal(assembler_feed(a, line, (size_t)n), 0);
	for (i = 0; i < n_other; i++) {
		n = snprintf(line, sizeof(line),
			     "type=SYSCALL msg=audit(1795886544.000:%zu): "
			     "arch=c000003e syscall=2 success=yes exit=3 "
			     "items=0 pid=%zu comm=\"x\" key=(null)\n",
			     i + 2, i + 2);
		assert_int_equal(assembler_feed(a, line, (size_t)n), 0);
	}
	n = snprintf(line, sizeof(line),
		     "type=PATH msg=audit(1795886544.000:1): item=0 "
		     "name=\"/etc/shadow\" inode=5 dev=fe:00 mode=0100640 "
		     "ouid=0 ogid=42 rdev=00:00 nametype=NORMAL\n");
	assert_int_equal(assembler_feed(a, line, (size_t)n), 0);
	assert_int_equal(assembler_flush(a), 0);
	assert_int_equal(c.n, n_other + 1);
	for (i = 0; i < c.n; i++)
		if (strstr(c.digests[i], "scn=openat"))
			break;
	assert_true(i < c.n);
	assert_non_null(strstr(c.digests[i], "/etc/shadow"));
	assembler_free(a);
	collect_free(&c);
}

/* More events interleave than HARRIER_EOE_DISTANCE (a machine with many
 * CPUs): every SYSCALL record first, then every PATH, then every
 * PROCTITLE. Each event is still assembled whole, none closed early. */
static void test_interleaved_beyond_distance(void **state)
{
	struct collect c = { 0 };
	struct assembler *a = assembler_new(collect_cb, &c);
	struct assembler_stats st;
	char line[512];
	size_t i, k, total = 3 * HARRIER_EOE_DISTANCE, whole = 0;
	int n;

	assert_non_null(a);
	/* a complete event first: the log has PROCTITLE records */
	n = snprintf(line, sizeof(line),
		     "type=SYSCALL msg=audit(1795886543.000:1): arch=c000003e "
		     "syscall=2 success=yes exit=3 items=0 pid=5 comm=\"x\" "
		     "key=(null)\ntype=PROCTITLE msg=audit(1795886543.000:1): "
		     "proctitle=78\n");
	assert_int_equal(assembler_feed(a, line, (size_t)n), 0);
	for (k = 0; k < 3; k++) {
		for (i = 0; i < total; i++) {
			if (k == 0)
				n = snprintf(line, sizeof(line),
					     "type=SYSCALL msg=audit(1795886544.000:%zu): "
					     "arch=c000003e syscall=257 success=yes "
					     "exit=3 items=1 pid=%zu comm=\"cat\" "
					     "key=(null)\n",
					     i + 1, i + 100);
			else if (k == 1)
				n = snprintf(line, sizeof(line),
					     "type=PATH msg=audit(1795886544.000:%zu): "
					     "item=0 name=\"/etc/shadow\" inode=5 "
					     "dev=fe:00 mode=0100640 ouid=0 ogid=42 "
					     "rdev=00:00 nametype=NORMAL\n",
					     i + 1);
			else
				n = snprintf(line, sizeof(line),
					     "type=PROCTITLE msg=audit(1795886544.000:%zu): "
					     "proctitle=636174\n",
					     i + 1);
			assert_true(n > 0 && (size_t)n < sizeof(line));
			assert_int_equal(assembler_feed(a, line, (size_t)n), 0);
		}
	}
	/* ended at their PROCTITLE, before the end of input (auparse
	 * hands over the last one with the next record it gets) */
	assert_true(c.n >= total);
	assert_int_equal(assembler_flush(a), 0);
	for (i = 0; i < c.n; i++)
		if (strstr(c.digests[i], "scn=openat") &&
		    strstr(c.digests[i], "/etc/shadow"))
			whole++;
	assert_int_equal(whole, total);
	assembler_get_stats(a, &st);
	assert_int_equal(st.closed_early, 0);
	assembler_free(a);
	collect_free(&c);
}

/* Past HARRIER_ASM_MAX_OPEN incomplete syscall events, the oldest are
 * ended as they stand, and counted. */
static void test_interleaved_bound_counted(void **state)
{
	struct collect c = { 0 };
	struct assembler *a = assembler_new(collect_cb, &c);
	struct assembler_stats st;
	char line[512];
	size_t i, extra = 10;
	int n;

	assert_non_null(a);
	/* one complete event: the log has PROCTITLE records */
	n = snprintf(line, sizeof(line),
		     "type=SYSCALL msg=audit(1795886544.000:1): arch=c000003e "
		     "syscall=2 success=yes exit=3 items=0 pid=5 comm=\"x\" "
		     "key=(null)\ntype=PROCTITLE msg=audit(1795886544.000:1): "
		     "proctitle=78\n");
	assert_int_equal(assembler_feed(a, line, (size_t)n), 0);
	for (i = 0; i < HARRIER_ASM_MAX_OPEN + extra; i++) {
		n = snprintf(line, sizeof(line),
			     "type=SYSCALL msg=audit(1795886544.000:%zu): "
			     "arch=c000003e syscall=2 success=yes exit=3 "
			     "items=0 pid=%zu comm=\"x\" key=(null)\n",
			     i + 2, i + 2);
		assert_int_equal(assembler_feed(a, line, (size_t)n), 0);
	}
	assembler_get_stats(a, &st);
	assert_int_equal(st.closed_early, extra);
	assert_int_equal(assembler_flush(a), 0);
	assembler_get_stats(a, &st);
	assert_int_equal(st.events, HARRIER_ASM_MAX_OPEN + extra + 1);
	assembler_free(a);
	collect_free(&c);
}

static void count_records_cb(const struct event *ev, void *userdata)
{
	unsigned int *max = userdata;

	if (ev->nrecords > *max)
		*max = ev->nrecords;
	assert_true(ev->npaths <= HARRIER_MAX_PATHS);
}

static void test_records_per_event_bounded(void **state)
{
	unsigned int max = 0;
	struct assembler *a = assembler_new(count_records_cb, &max);
	struct assembler_stats st;
	static const char sys[] =
		"type=SYSCALL msg=audit(1795886544.020:92): arch=c000003e "
		"syscall=257 success=yes exit=4 a0=ffffff9c a1=1 a2=0 a3=0 "
		"items=1 ppid=1 pid=2 comm=\"cat\" key=(null)\n";
	static const char path[] =
		"type=PATH msg=audit(1795886544.020:92): item=0 "
		"name=\"/tmp/x\" inode=1 dev=fe:00 mode=0100644 ouid=0 "
		"ogid=0 rdev=00:00 nametype=NORMAL\n";
	size_t i;

	assert_non_null(a);
	assert_int_equal(assembler_feed(a, sys, sizeof(sys) - 1), 0);
	for (i = 0; i < HARRIER_MAX_EVENT_RECORDS + 10; i++)
		assert_int_equal(assembler_feed(a, path, sizeof(path) - 1), 0);
	assert_int_equal(assembler_flush(a), 0);
	assembler_get_stats(a, &st);
	assert_int_equal(st.events, 2);
	assert_int_equal(max, HARRIER_MAX_EVENT_RECORDS);
	assembler_free(a);
}

static void check_no_cwd(const struct event *ev)
{
	assert_null(ev->cwd);
	assert_string_equal(ev->paths[0].raw_name, "../sub/../file");
	/* relative, since the cwd is unknown */
	assert_string_equal(ev->paths[0].name, "../file");
}

static void test_cwd_record_with_two_values(void **state)
{
	struct collect c = { 0 };
	struct assembler_stats st;
	static const char rec[] =
		"type=SYSCALL msg=audit(1795886544.020:92): arch=c000003e "
		"syscall=257 success=yes exit=4 a0=ffffff9c a1=1 a2=0 a3=0 "
		"items=1 ppid=1 pid=2 comm=\"cat\" key=(null)\n"
		"type=CWD msg=audit(1795886544.020:92): cwd=\"/a\" "
		"cwd=\"/b\"\n"
		"type=PATH msg=audit(1795886544.020:92): item=0 "
		"name=\"../sub/../file\" nametype=NORMAL\n"
		"type=PROCTITLE msg=audit(1795886544.020:92): "
		"proctitle=636174\n";

	c.want_serial = 92;
	c.check = check_no_cwd;
	run_buf(rec, sizeof(rec) - 1, FEED_WHOLE, &c, &st);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(c.checked, 1);
	collect_free(&c);
}

static void test_first_of_several_keys(void **state)
{
	struct collect c = { 0 };
	/* a syscall matched by a rule with two keys: the kernel joins them
	 * with 0x01 and hex-encodes the result */
	static const char rec[] =
		"type=SYSCALL msg=audit(1795886544.000:1): arch=c000003e "
		"syscall=2 success=yes exit=3 items=0 pid=2 comm=\"a\" "
		"key=6B31016B32\n"
		"type=PROCTITLE msg=audit(1795886544.000:1): proctitle=\"a\"\n";

	run_buf(rec, sizeof(rec) - 1, FEED_WHOLE, &c, NULL);
	assert_int_equal(c.n, 1);
	assert_non_null(strstr(c.digests[0], " key=k1 "));
	collect_free(&c);
}

static void check_path_forms(const struct event *ev)
{
	assert_int_equal(ev->npaths, 4);
	assert_string_equal(ev->paths[0].name, "/etc/passwd");
	assert_string_equal(ev->paths[0].raw_name, "/../../etc/./passwd");
	assert_string_equal(ev->paths[1].name, "/a/c");
	assert_null(ev->paths[2].name);
	assert_null(ev->paths[2].raw_name);
	assert_string_equal(ev->paths[2].nametype, "PARENT");
	assert_string_equal(ev->paths[3].name, "/");
}

static void test_path_forms(void **state)
{
	struct collect c = { 0 };
	static const char rec[] =
		"type=SYSCALL msg=audit(1795886544.000:5): arch=c000003e "
		"syscall=82 success=yes exit=0 a0=1 a1=2 a2=0 a3=0 items=4 "
		"pid=2 comm=\"a\" key=(null)\n"
		"type=CWD msg=audit(1795886544.000:5): cwd=\"/\"\n"
		"type=PATH msg=audit(1795886544.000:5): item=0 "
		"name=\"/../../etc/./passwd\" nametype=NORMAL\n"
		"type=PATH msg=audit(1795886544.000:5): item=1 "
		"name=\"a/b/../c\" nametype=CREATE\n"
		"type=PATH msg=audit(1795886544.000:5): item=2 "
		"name=(null) inode=2 nametype=PARENT\n"
		"type=PATH msg=audit(1795886544.000:5): item=3 "
		"name=\"..\" nametype=NORMAL\n"
		"type=PROCTITLE msg=audit(1795886544.000:5): proctitle=\"a\"\n";

	c.want_serial = 5;
	c.check = check_path_forms;
	run_buf(rec, sizeof(rec) - 1, FEED_WHOLE, &c, NULL);
	assert_int_equal(c.checked, 1);
	collect_free(&c);
}

static void check_dirfd(const struct event *ev)
{
	assert_string_equal(ev->syscall_name, "openat");
	/* relative to fd 3, not to the cwd: left relative */
	assert_string_equal(ev->paths[0].name, "x/y");
}

static void test_path_relative_to_dirfd(void **state)
{
	struct collect c = { 0 };
	static const char rec[] =
		"type=SYSCALL msg=audit(1795886544.000:6): arch=c000003e "
		"syscall=257 success=yes exit=4 a0=3 a1=7ffe a2=0 a3=0 "
		"items=1 pid=2 comm=\"a\" key=(null)\n"
		"type=CWD msg=audit(1795886544.000:6): cwd=\"/home\"\n"
		"type=PATH msg=audit(1795886544.000:6): item=0 "
		"name=\"./x//y\" nametype=NORMAL\n"
		"type=PROCTITLE msg=audit(1795886544.000:6): proctitle=\"a\"\n";

	c.want_serial = 6;
	c.check = check_dirfd;
	run_buf(rec, sizeof(rec) - 1, FEED_WHOLE, &c, NULL);
	assert_int_equal(c.checked, 1);
	collect_free(&c);
}

static void check_truncated(const struct event *ev)
{
	size_t i;

	assert_true(ev->argv_truncated);
	assert_true(ev->argv_from_execve);
	/* a prefix of argv, within the byte limit */
	assert_true(ev->argc > 0 && ev->argc < 40);
	for (i = 0; i < ev->argc; i++)
		assert_int_equal(strlen(ev->argv[i]), 10000);
	assert_null(ev->argv[ev->argc]);
}

static void test_argv_byte_limit(void **state)
{
	struct collect c = { 0 };
	struct strbuf sb = STRBUF_INIT;
	size_t i, j;

	/* 40 arguments of 10000 bytes: past HARRIER_MAX_ARGV_BYTES */
	assert_true(40 * 10000 > HARRIER_MAX_ARGV_BYTES);
	strbuf_appends(&sb, "type=SYSCALL msg=audit(1795886544.000:9): "
			    "arch=c000003e syscall=59 success=yes exit=0 "
			    "items=0 pid=2 comm=\"a\" key=(null)\n");
	for (i = 0; i < 40; i++) {
		strbuf_appendf(&sb,
			       "type=EXECVE msg=audit(1795886544.000:9): "
			       "%sa%zu_len=20000 a%zu[0]=",
			       i == 0 ? "argc=40 " : "", i, i);
		for (j = 0; j < 10000; j++)
			strbuf_appends(&sb, "41");
		strbuf_appendc(&sb, '\n');
	}
	strbuf_appends(&sb, "type=PROCTITLE msg=audit(1795886544.000:9): "
			    "proctitle=\"a\"\n");
	assert_false(strbuf_failed(&sb));
	c.want_serial = 9;
	c.check = check_truncated;
	run_buf(sb.buf, sb.len, FEED_WHOLE, &c, NULL);
	assert_int_equal(c.checked, 1);
	collect_free(&c);
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_log_all_events),
		cmocka_unit_test(test_execve_hex_args),
		cmocka_unit_test(test_execve_split_long_arg),
		cmocka_unit_test(test_execve_split_arg_with_space),
		cmocka_unit_test(test_proctitle_argv),
		cmocka_unit_test(test_path_relative_dotdot),
		cmocka_unit_test(test_path_hex_name),
		cmocka_unit_test(test_path_dot_and_double_slash),
		cmocka_unit_test(test_path_parent_and_create),
		cmocka_unit_test(test_path_dev),
		cmocka_unit_test(test_failed_syscall),
		cmocka_unit_test(test_sockaddr_inet),
		cmocka_unit_test(test_sockaddr_inet6),
		cmocka_unit_test(test_sockaddr_unix),
		cmocka_unit_test(test_sockaddr_netlink),
		cmocka_unit_test(test_user_record),
		cmocka_unit_test(test_user_pam_record),
		cmocka_unit_test(test_config_change),
		cmocka_unit_test(test_anom_abend),
		cmocka_unit_test(test_enriched_log),
		cmocka_unit_test(test_byte_at_a_time),
		cmocka_unit_test(test_record_at_a_time),
		cmocka_unit_test(test_crlf_and_missing_final_newline),
		cmocka_unit_test(test_malformed_lines_skipped),
		cmocka_unit_test(test_bad_hex_event_skipped),
		cmocka_unit_test(test_overlong_line_split_across_feeds),
		cmocka_unit_test(test_feed_record_rejects_two_lines),
		cmocka_unit_test(test_flush_and_age_complete_pending),
		cmocka_unit_test(test_i386_syscall_names),
		cmocka_unit_test(test_open_events_bounded),
		cmocka_unit_test(test_interleaved_events_whole),
		cmocka_unit_test(test_interleaved_beyond_distance),
		cmocka_unit_test(test_interleaved_bound_counted),
		cmocka_unit_test(test_records_per_event_bounded),
		cmocka_unit_test(test_cwd_record_with_two_values),
		cmocka_unit_test(test_first_of_several_keys),
		cmocka_unit_test(test_path_forms),
		cmocka_unit_test(test_path_relative_to_dirfd),
		cmocka_unit_test(test_argv_byte_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
