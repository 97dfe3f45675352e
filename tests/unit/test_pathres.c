/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Symlink resolution of PATH items (fd.name): offline from the symlinks
 * the log created, live by walking a real tree under a process's root
 * (a fake /proc/PID/root pointing at a temp dir) with the inode checked
 * against the record, through relative and absolute links, and not for
 * a link itself (lstat, unlink: mode lnk) or an inode that differs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_util.h"

#include "common/event.h"
#include "enrich/pathres.h"

struct fixture {
	char root[128]; /* a process's root file system */
	char proc[256]; /* fake /proc with 77/root -> root */
};

static void touch(const char *path)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fclose(fp), 0);
}

static uint64_t ino(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_ino;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char p[PATH_MAX], q[PATH_MAX];

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "/tmp/harrier-test-pathres-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(f->proc, sizeof(f->proc), "%s/proc", f->root);
	snprintf(p, sizeof(p), "%s/fs/etc", f->root);
	mkdirs(p);
	snprintf(p, sizeof(p), "%s/fs/tmp/sub", f->root);
	mkdirs(p);
	snprintf(p, sizeof(p), "%s/fs/etc/shadow", f->root);
	touch(p);
	/* absolute link: inside the process's root, /etc/shadow */
	snprintf(p, sizeof(p), "%s/fs/tmp/x", f->root);
	assert_int_equal(symlink("/etc/shadow", p), 0);
	/* a directory link and a relative one */
	snprintf(p, sizeof(p), "%s/fs/tmp/etcdir", f->root);
	assert_int_equal(symlink("../etc", p), 0);
	snprintf(p, sizeof(p), "%s/fs/tmp/sub/up", f->root);
	assert_int_equal(symlink("../x", p), 0);
	snprintf(p, sizeof(p), "%s/77", f->proc);
	mkdirs(p);
	snprintf(p, sizeof(p), "%s/77/root", f->proc);
	snprintf(q, sizeof(q), "%s/fs", f->root);
	assert_int_equal(symlink(q, p), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	(void)rm_tree(f->root);
	free(f);
	return 0;
}

static struct event open_event(struct event_path *p, const char *name,
			       uint64_t inode, uint32_t mode)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	memset(p, 0, sizeof(*p));
	ev.kind = EVENT_KIND_SYSCALL;
	ev.syscall_name = "openat";
	ev.success = 1;
	ev.pid = 77;
	ev.ppid = 1;
	p->name = name;
	p->raw_name = name;
	p->nametype = "NORMAL";
	p->inode = inode;
	p->has_inode = true;
	p->mode = mode;
	p->has_mode = true;
	ev.paths = p;
	ev.npaths = 1;
	return ev;
}

static void test_live_absolute_link_in_root(void **state)
{
	struct fixture *f = *state;
	struct pathres *pr = pathres_new(f->proc, false);
	struct event_path p;
	struct event ev;
	struct pathres_stats st;
	char shadow[PATH_MAX];

	assert_non_null(pr);
	snprintf(shadow, sizeof(shadow), "%s/fs/etc/shadow", f->root);
	ev = open_event(&p, "/tmp/x", ino(shadow), 0100640);
	pathres_enrich(pr, &ev);
	assert_string_equal(ev.paths[0].resolved, "/etc/shadow");
	assert_string_equal(ev.paths[0].name, "/tmp/x");
	/* relative links and a directory link */
	ev = open_event(&p, "/tmp/sub/up", ino(shadow), 0100640);
	pathres_enrich(pr, &ev);
	assert_string_equal(ev.paths[0].resolved, "/etc/shadow");
	ev = open_event(&p, "/tmp/etcdir/shadow", ino(shadow), 0100640);
	pathres_enrich(pr, &ev);
	assert_string_equal(ev.paths[0].resolved, "/etc/shadow");
	/* the same again: from the cache */
	ev = open_event(&p, "/tmp/x", ino(shadow), 0100640);
	pathres_enrich(pr, &ev);
	assert_string_equal(ev.paths[0].resolved, "/etc/shadow");
	pathres_get_stats(pr, &st);
	assert_int_equal(st.cache_hits, 1);
	/* a plain path: nothing to resolve */
	ev = open_event(&p, "/etc/shadow", ino(shadow), 0100640);
	pathres_enrich(pr, &ev);
	assert_null(ev.paths[0].resolved);
	pathres_free(pr);
}

static void test_live_link_itself_and_wrong_inode(void **state)
{
	struct fixture *f = *state;
	struct pathres *pr = pathres_new(f->proc, false);
	struct event_path p;
	struct event ev;
	char x[PATH_MAX];

	assert_non_null(pr);
	snprintf(x, sizeof(x), "%s/fs/tmp/x", f->root);
	/* unlink/lstat of the link: the record's mode says lnk */
	ev = open_event(&p, "/tmp/x", ino(x), 0120777);
	pathres_enrich(pr, &ev);
	assert_null(ev.paths[0].resolved);
	/* the kernel reached another object than the link now names */
	ev = open_event(&p, "/tmp/x", 99999999, 0100640);
	pathres_enrich(pr, &ev);
	assert_null(ev.paths[0].resolved);
	pathres_free(pr);
}

/* Offline: only what the log said. symlinkat("/etc/shadow", ...,
 * "/tmp/y") then an open of /tmp/y; relative targets; unlink forgets. */
static void test_offline_links_from_log(void **state)
{
	struct pathres *pr = pathres_new(NULL, true);
	struct event_path ps[3], p;
	struct event ev;

	(void)state;
	assert_non_null(pr);
	ev = open_event(&p, "/tmp/y", 409613, 0100640);
	pathres_enrich(pr, &ev);
	assert_null(ev.paths[0].resolved);

	memset(&ev, 0, sizeof(ev));
	memset(ps, 0, sizeof(ps));
	ev.kind = EVENT_KIND_SYSCALL;
	ev.syscall_name = "symlinkat";
	ev.success = 1;
	ev.pid = 5;
	ps[0].name = "/tmp";
	ps[0].nametype = "PARENT";
	ps[0].has_inode = true;
	ps[1].name = "/home/u/etc/shadow"; /* the assembler's guess */
	ps[1].raw_name = "/etc/shadow";
	ps[1].nametype = "UNKNOWN";
	ps[2].name = ps[2].raw_name = "/tmp/y";
	ps[2].nametype = "CREATE";
	ps[2].has_inode = true;
	ps[2].mode = 0120777;
	ps[2].has_mode = true;
	ev.paths = ps;
	ev.npaths = 3;
	pathres_enrich(pr, &ev);
	ps[1].raw_name = "y";
	ps[2].name = ps[2].raw_name = "/tmp/d/z";
	ev.paths = ps;
	pathres_enrich(pr, &ev);

	ev = open_event(&p, "/tmp/y", 409613, 0100640);
	pathres_enrich(pr, &ev);
	assert_string_equal(ev.paths[0].resolved, "/etc/shadow");
	ev = open_event(&p, "/tmp/d/z", 409613, 0100640);
	pathres_enrich(pr, &ev);
	assert_string_equal(ev.paths[0].resolved, "/tmp/d/y");

	ev = open_event(&p, "/tmp/y", 1, 0120777);
	ev.syscall_name = "unlink";
	p.nametype = "DELETE";
	pathres_enrich(pr, &ev);
	assert_null(ev.paths[0].resolved);
	ev = open_event(&p, "/tmp/y", 409613, 0100640);
	pathres_enrich(pr, &ev);
	assert_null(ev.paths[0].resolved);
	pathres_free(pr);
}

/* A loop of links ends (ELOOP) with the name unresolved. */
static void test_offline_loop(void **state)
{
	struct pathres *pr = pathres_new(NULL, true);
	struct event_path ps[2], p;
	struct event ev;
	int i;

	(void)state;
	assert_non_null(pr);
	for (i = 0; i < 2; i++) {
		memset(&ev, 0, sizeof(ev));
		memset(ps, 0, sizeof(ps));
		ev.kind = EVENT_KIND_SYSCALL;
		ev.syscall_name = "symlink";
		ev.success = 1;
		ps[0].name = ps[0].raw_name = i ? "/a" : "/b";
		ps[0].nametype = "UNKNOWN";
		ps[1].name = ps[1].raw_name = i ? "/b" : "/a";
		ps[1].nametype = "CREATE";
		ev.paths = ps;
		ev.npaths = 2;
		pathres_enrich(pr, &ev);
	}
	ev = open_event(&p, "/a/f", 3, 0100644);
	pathres_enrich(pr, &ev);
	assert_null(ev.paths[0].resolved);
	pathres_free(pr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_live_absolute_link_in_root,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_live_link_itself_and_wrong_inode, setup, teardown),
		cmocka_unit_test(test_offline_links_from_log),
		cmocka_unit_test(test_offline_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
