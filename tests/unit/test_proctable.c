/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process table over a fake /proc tree built in a temp dir (with
 * container runtime state beside it) and over the real /proc (this
 * process and children it forks): reading entries, execve/clone/exit
 * updates, attribution of exited processes from their parent, pid reuse,
 * ancestors, and the bound with dead-first / least-recently-used eviction.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
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

#include "common/event.h"
#include "common/limits.h"
#include "enrich/container.h"
#include "enrich/proctable.h"

#define ID_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID_P "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

struct fixture {
	char root[128];
	char proc[256];
	struct proctable *pt;
};

struct fake_proc {
	pid_t pid, ppid, sid;
	unsigned long long start;
	const char *comm;
	unsigned int uid;
	const char *nspid; /* "NSpid:" values, e.g. "300\t1" */
	const char *cmdline; /* NUL-separated */
	size_t cmdline_len;
	const char *cgroup;
	const char *exe, *cwd;
	char state; /* 'S' when 0 */
};

static void write_file(const char *dir, const char *name, const char *data,
		       size_t len)
{
	char path[PATH_MAX];
	FILE *fp;

	assert_true(snprintf(path, sizeof(path), "%s/%s", dir, name) <
		    (int)sizeof(path));
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void write_str(const char *dir, const char *name, const char *s)
{
	write_file(dir, name, s, strlen(s));
}

static void mkproc(struct fixture *f, const struct fake_proc *p)
{
	char dir[512], buf[2048], path[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/%d", f->proc, (int)p->pid);
	mkdirs(dir);
	snprintf(buf, sizeof(buf),
		 "%d (%s) %c %d %d %d 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
		 "%llu 12345 300 18446744073709551615\n",
		 (int)p->pid, p->comm, p->state ? p->state : 'S', (int)p->ppid,
		 (int)p->pid, (int)p->sid, p->start);
	write_str(dir, "stat", buf);
	snprintf(buf, sizeof(buf),
		 "Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\n"
		 "Tgid:\t%d\nPid:\t%d\nPPid:\t%d\n"
		 "Uid:\t%u\t0\t0\t0\nGid:\t0\t0\t0\t0\nNSpid:\t%s\n",
		 p->comm, (int)p->pid, (int)p->pid, (int)p->ppid, p->uid,
		 p->nspid ? p->nspid : "1");
	write_str(dir, "status", buf);
	write_file(dir, "cmdline", p->cmdline ? p->cmdline : "",
		   p->cmdline ? p->cmdline_len : 0);
	write_str(dir, "cgroup", p->cgroup ? p->cgroup : "0::/\n");
	snprintf(path, sizeof(path), "%s/exe", dir);
	(void)unlink(path);
	if (p->exe)
		assert_int_equal(symlink(p->exe, path), 0);
	snprintf(path, sizeof(path), "%s/cwd", dir);
	(void)unlink(path);
	if (p->cwd)
		assert_int_equal(symlink(p->cwd, path), 0);
}

/* A small tree: 1 init, 200 containerd-shim-like parent on the host,
 * 300 a shell inside container ID_A (kubepods path, runc state with
 * pod annotations). */
static int setup(void **state)
{
	static const char sh_cmd[] = "/bin/sh\0-c\0sleep 100\0";
	static const char init_cmd[] = "/sbin/init\0splash\0";
	struct fixture *f = calloc(1, sizeof(*f));
	char dir[PATH_MAX];

	if (!f)
		return -1;
	snprintf(f->root, sizeof(f->root),
		 "/tmp/harrier-test-proctable-XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	snprintf(f->proc, sizeof(f->proc), "%s/proc", f->root);
	mkdirs(f->proc);
	*state = f;

	mkproc(f, &(struct fake_proc){ .pid = 1,
				       .ppid = 0,
				       .sid = 1,
				       .start = 5,
				       .comm = "systemd",
				       .cmdline = init_cmd,
				       .cmdline_len = sizeof(init_cmd) - 1,
				       .exe = "/usr/lib/systemd/systemd",
				       .cwd = "/" });
	mkproc(f, &(struct fake_proc){ .pid = 200,
				       .ppid = 1,
				       .sid = 200,
				       .start = 1000,
				       .comm = "shim",
				       .exe = "/usr/bin/containerd-shim",
				       .cwd = "/run" });
	mkproc(f, &(struct fake_proc){
			  .pid = 300,
			  .ppid = 200,
			  .sid = 300,
			  .start = 2000,
			  .comm = "my (odd) sh",
			  .uid = 1000,
			  .nspid = "300\t1",
			  .cmdline = sh_cmd,
			  .cmdline_len = sizeof(sh_cmd) - 1,
			  .cgroup = "4:memory:/kubepods/besteffort/pod"
				    "5bd0c2a4-1e7e-4f07-9c55-2f1d0b3a8e11/" ID_A
				    "\n0::/\n",
			  .exe = "/bin/busybox",
			  .cwd = "/root" });
	snprintf(dir, sizeof(dir), "%s/run/runc/%s", f->root, ID_A);
	mkdirs(dir);
	write_str(dir, "state.json",
		  "{\"config\":{\"labels\":["
		  "\"io.kubernetes.pod.name=web\","
		  "\"io.kubernetes.pod.namespace=prod\"]}}");
	/* not processes: ignored by seed */
	snprintf(dir, sizeof(dir), "%s/sys", f->proc);
	mkdirs(dir);
	snprintf(dir, sizeof(dir), "%s/0", f->proc);
	mkdirs(dir);

	f->pt = proctable_new(f->proc);
	return f->pt ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	proctable_free(f->pt);
	(void)rm_tree(f->root);
	free(f);
	return 0;
}

static struct event syscall_event(const char *name, pid_t pid, pid_t ppid)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = EVENT_KIND_SYSCALL;
	ev.syscall_name = name;
	ev.success = 1;
	ev.pid = pid;
	ev.ppid = ppid;
	ev.auid = EVENT_ID_UNSET;
	ev.ses = EVENT_ID_UNSET;
	return ev;
}

static void test_read_fake_proc_entry(void **state)
{
	struct fixture *f = *state;
	struct proc_view v;

	assert_int_equal(proctable_get(f->pt, 300, &v), 0);
	assert_int_equal(v.pid, 300);
	assert_int_equal(v.ppid, 200);
	assert_int_equal(v.sid, 300);
	assert_int_equal(v.vpid, 1);
	assert_int_equal(v.uid, 1000);
	assert_int_equal(v.start_time, 2000);
	assert_string_equal(v.comm, "my (odd) sh");
	assert_string_equal(v.exe, "/bin/busybox");
	assert_string_equal(v.cwd, "/root");
	assert_string_equal(v.argv0, "/bin/sh");
	assert_string_equal(v.args, "-c sleep 100");
	assert_string_equal(v.cmdline, "my (odd) sh -c sleep 100");
}

static void test_container_from_cgroup_and_state(void **state)
{
	struct fixture *f = *state;
	struct proc_view v;

	assert_int_equal(proctable_get(f->pt, 300, &v), 0);
	assert_non_null(v.container);
	assert_string_equal(v.container->id, ID_A);
	assert_string_equal(v.container->runtime, "cri");
	assert_string_equal(v.container->pod_name, "web");
	assert_string_equal(v.container->pod_namespace, "prod");
	assert_string_equal(v.container->pod_uid,
			    "5bd0c2a4-1e7e-4f07-9c55-2f1d0b3a8e11");
	assert_int_equal(proctable_get(f->pt, 200, &v), 0);
	assert_null(v.container);
}

static void test_unknown_pid(void **state)
{
	struct fixture *f = *state;
	struct proc_view v;
	struct proctable_stats st;

	assert_int_equal(proctable_get(f->pt, 4242, &v), -ENOENT);
	assert_int_equal(proctable_get(f->pt, 0, &v), -ENOENT);
	assert_int_equal(proctable_get(f->pt, -5, &v), -ENOENT);
	proctable_get_stats(f->pt, &st);
	assert_int_equal(st.proc_misses, 1);
	assert_int_equal(st.entries, 0);
}

static void test_seed(void **state)
{
	struct fixture *f = *state;
	struct proctable_stats st;

	assert_int_equal(proctable_seed(f->pt), 3);
	proctable_get_stats(f->pt, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.proc_reads, 3);
}

static void test_ancestors(void **state)
{
	struct fixture *f = *state;
	struct proc_view v;

	assert_int_equal(proctable_ancestor(f->pt, 300, 0, &v), 0);
	assert_int_equal(v.pid, 300);
	assert_int_equal(proctable_ancestor(f->pt, 300, 1, &v), 0);
	assert_int_equal(v.pid, 200);
	assert_string_equal(v.comm, "shim");
	assert_int_equal(proctable_ancestor(f->pt, 300, 2, &v), 0);
	assert_int_equal(v.pid, 1);
	assert_string_equal(v.argv0, "/sbin/init");
	assert_int_equal(proctable_ancestor(f->pt, 300, 3, &v), -ENOENT);
	assert_int_equal(proctable_ancestor(f->pt, 999, 1, &v), -ENOENT);
}

static void test_ancestor_missing_parent(void **state)
{
	struct fixture *f = *state;
	struct proc_view v;

	mkproc(f, &(struct fake_proc){ .pid = 500,
				       .ppid = 499,
				       .sid = 1,
				       .start = 7,
				       .comm = "orphan" });
	assert_int_equal(proctable_ancestor(f->pt, 500, 1, &v), -ENOENT);
}

static void test_enrich_sets_event_fields(void **state)
{
	struct fixture *f = *state;
	struct event ev = syscall_event("openat", 300, 200);
	struct proctable_stats st;

	proctable_enrich(f->pt, &ev);
	/* The engine's view of lineage is this table, through the event. */
	assert_non_null(ev.lineage);
	assert_ptr_equal(ev.lineage->ctx, f->pt);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->id, ID_A);
	assert_int_equal(ev.vpid, 1);
	assert_int_equal(ev.sid, 300);
	proctable_get_stats(f->pt, &st);
	assert_int_equal(st.attributed_from_self, 1);
	/* cached: no more /proc reads */
	proctable_enrich(f->pt, &ev);
	proctable_get_stats(f->pt, &st);
	assert_int_equal(st.proc_reads, 1);
}

static void test_execve_updates_entry(void **state)
{
	static const char *const argv[] = { "cat", "/etc/shadow", "-n" };
	struct fixture *f = *state;
	struct event ev = syscall_event("openat", 300, 200);
	struct proc_view v;

	proctable_enrich(f->pt, &ev);
	ev = syscall_event("execve", 300, 200);
	ev.comm = "cat";
	ev.exe = "/bin/cat";
	ev.cwd = "/tmp";
	ev.uid = 0;
	ev.argv = argv;
	ev.argc = 3;
	proctable_enrich(f->pt, &ev);
	assert_int_equal(proctable_get(f->pt, 300, &v), 0);
	assert_string_equal(v.comm, "cat");
	assert_string_equal(v.exe, "/bin/cat");
	assert_string_equal(v.cwd, "/tmp");
	assert_string_equal(v.argv0, "cat");
	assert_string_equal(v.args, "/etc/shadow -n");
	assert_string_equal(v.cmdline, "cat /etc/shadow -n");
	assert_int_equal(v.uid, 0);
	assert_non_null(v.container);
}

static void test_clone_child_inherits(void **state)
{
	struct fixture *f = *state;
	struct event ev = syscall_event("clone", 300, 200);
	struct proc_view v;

	ev.has_exit = true;
	ev.exit = 301; /* not in /proc: already gone */
	proctable_enrich(f->pt, &ev);
	assert_int_equal(proctable_get(f->pt, 301, &v), 0);
	assert_int_equal(v.ppid, 300);
	assert_string_equal(v.comm, "my (odd) sh");
	assert_string_equal(v.cwd, "/root");
	assert_non_null(v.container);
	assert_string_equal(v.container->id, ID_A);
	assert_string_equal(v.container->pod_name, "web");

	/* the child's own event is attributed from the inherited entry */
	ev = syscall_event("openat", 301, 300);
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->id, ID_A);
}

/* The kernel keeps a task's PROCTITLE from its first audited syscall,
 * across execve: a PROCTITLE argv loses to what the process's latest
 * execve said (runc init exec'ing "cat /etc/shadow"). */
static void test_stale_proctitle_loses_to_execve(void **state)
{
	static const char *const exec_argv[] = { "cat", "/etc/shadow", NULL };
	static const char *const title[] = { "/usr/bin/runc", "init", NULL };
	struct proctable *pt = proctable_new_offline();
	struct event ev = syscall_event("execve", 500, 400);

	(void)state;
	assert_non_null(pt);
	ev.comm = "cat";
	ev.exe = "/bin/cat";
	ev.argv = exec_argv;
	ev.argc = 2;
	ev.argv_from_execve = true;
	proctable_enrich(pt, &ev);
	assert_ptr_equal(ev.argv, exec_argv); /* its own EXECVE: kept */
	assert_false(ev.argv_from_process);

	ev = syscall_event("openat", 500, 400);
	ev.comm = "cat";
	ev.exe = "/bin/cat";
	ev.argv = title;
	ev.argc = 2;
	proctable_enrich(pt, &ev);
	assert_true(ev.argv_from_process);
	assert_int_equal(ev.argc, 2);
	assert_string_equal(ev.argv[0], "cat");
	assert_string_equal(ev.argv[1], "/etc/shadow");
	assert_null(ev.argv[2]);
	proctable_free(pt);
}

/* A process read from /proc: /proc/PID/cmdline is what it runs now, and
 * wins over a PROCTITLE from before its exec. */
static void test_stale_proctitle_loses_to_proc(void **state)
{
	static const char *const title[] = { "/usr/bin/runc", "init", NULL };
	struct fixture *f = *state;
	struct event ev = syscall_event("openat", 300, 200);

	ev.comm = "sh";
	ev.exe = "/bin/busybox";
	ev.argv = title;
	ev.argc = 2;
	proctable_enrich(f->pt, &ev);
	assert_true(ev.argv_from_process);
	assert_string_equal(ev.argv[0], "/bin/sh");
	assert_string_equal(ev.argv[1], "-c sleep 100");
}

/* An exec the table did not see (exe changed): a live process's argv is
 * read again from /proc, its comm taken from the record. */
static void test_unseen_exec_rereads_cmdline(void **state)
{
	static const char py[] = "python3\0/tmp/x.py\0";
	struct fixture *f = *state;
	struct event ev = syscall_event("openat", 300, 200);
	struct proc_view v;
	char dir[PATH_MAX];

	ev.exe = "/bin/busybox";
	proctable_enrich(f->pt, &ev);
	snprintf(dir, sizeof(dir), "%s/300", f->proc);
	write_file(dir, "cmdline", py, sizeof(py) - 1);
	ev = syscall_event("openat", 300, 200);
	ev.comm = "python3";
	ev.exe = "/usr/bin/python3.11";
	proctable_enrich(f->pt, &ev);
	assert_true(ev.argv_from_process);
	assert_string_equal(ev.argv[0], "python3");
	assert_string_equal(ev.argv[1], "/tmp/x.py");
	assert_int_equal(proctable_get(f->pt, 300, &v), 0);
	assert_string_equal(v.comm, "python3");
	assert_string_equal(v.exe, "/usr/bin/python3.11");
	assert_string_equal(v.cmdline, "python3 /tmp/x.py");
}

/* What a child inherited at fork is not trusted over its PROCTITLE once
 * its exe shows it exec'd unseen (offline: no /proc to ask). */
static void test_unseen_exec_offline_keeps_proctitle(void **state)
{
	static const char *const exec_argv[] = { "bash", "-i", NULL };
	static const char *const title[] = { "nc", "-l", "4444", NULL };
	struct proctable *pt = proctable_new_offline();
	struct event ev = syscall_event("execve", 600, 1);
	struct proc_view v;

	(void)state;
	assert_non_null(pt);
	ev.comm = "bash";
	ev.exe = "/bin/bash";
	ev.argv = exec_argv;
	ev.argc = 2;
	ev.argv_from_execve = true;
	proctable_enrich(pt, &ev);
	ev = syscall_event("clone", 600, 1);
	ev.comm = "bash";
	ev.exe = "/bin/bash";
	ev.has_exit = true;
	ev.exit = 601;
	proctable_enrich(pt, &ev);
	/* the forked child, not exec'd: the parent's command line */
	ev = syscall_event("openat", 601, 600);
	ev.comm = "bash";
	ev.exe = "/bin/bash";
	proctable_enrich(pt, &ev);
	assert_true(ev.argv_from_process);
	assert_string_equal(ev.argv[0], "bash");
	/* then it runs nc without an audited exec */
	ev = syscall_event("socket", 601, 600);
	ev.comm = "nc";
	ev.exe = "/usr/bin/nc";
	ev.argv = title;
	ev.argc = 3;
	proctable_enrich(pt, &ev);
	assert_false(ev.argv_from_process);
	assert_ptr_equal(ev.argv, title);
	assert_int_equal(proctable_get(pt, 601, &v), 0);
	assert_string_equal(v.comm, "nc");
	assert_string_equal(v.cmdline, "nc -l 4444");
	proctable_free(pt);
}

/* `podman run IMG cat /etc/shadow`: runc init exec'd cat in place and
 * cat was gone before its cgroup could be read; its parent is runc on the
 * host. runc's state names it as the container's init. */
static void test_gone_runtime_init_from_runc_state(void **state)
{
	static const char *const argv[] = { "cat", "/etc/shadow", NULL };
	struct fixture *f = *state;
	struct event ev;
	char dir[PATH_MAX];
	struct clock_fake clk;

	clock_fake_init(&clk, clock_mono_ns(NULL), clock_real_ns(NULL));
	proctable_set_clock(f->pt, &clk.clock);

	mkproc(f, &(struct fake_proc){ .pid = 250,
				       .ppid = 1,
				       .sid = 250,
				       .start = 1500,
				       .comm = "runc",
				       .exe = "/usr/sbin/runc",
				       .cwd = "/tmp" });
	snprintf(dir, sizeof(dir), "%s/run/runc/%s", f->root, ID_A);
	write_str(dir, "state.json",
		  "{\"init_process_pid\":901,\"cgroup_paths\":{"
		  "\"memory\":\"/sys/fs/cgroup/memory/system.slice/docker-"
		  ID_A ".scope\"},\"config\":{\"labels\":[]}}");
	ev = syscall_event("execve", 901, 250);
	ev.comm = "cat";
	ev.exe = "/bin/busybox";
	ev.argv = argv;
	ev.argc = 2;
	ev.argv_from_execve = true;
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->id, ID_A);
	assert_string_equal(ev.container->runtime, "docker");
	/* podman: by then runc create has exited and conmon is the parent */
	mkproc(f, &(struct fake_proc){ .pid = 260,
				       .ppid = 1,
				       .sid = 260,
				       .start = 1600,
				       .comm = "conmon",
				       .exe = "/usr/bin/conmon",
				       .cwd = "/" });
	/* a new container, seen by a lookup 10 ms after the last scan */
	clock_fake_advance_ms(&clk, 10);
	snprintf(dir, sizeof(dir), "%s/run/runc/%s", f->root, ID_P);
	mkdirs(dir);
	write_str(dir, "state.json",
		  "{\"init_process_pid\":903,\"cgroup_paths\":{"
		  "\"memory\":\"/sys/fs/cgroup/memory/libpod_parent/libpod-"
		  ID_P "\"},\"config\":{\"labels\":[]}}");
	ev = syscall_event("execve", 903, 260);
	ev.comm = "cat";
	ev.exe = "/bin/busybox";
	ev.argv = argv;
	ev.argc = 2;
	ev.argv_from_execve = true;
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->id, ID_P);
	assert_string_equal(ev.container->runtime, "podman");
	/* a host process is no container's init */
	ev = syscall_event("execve", 902, 300);
	ev.exe = "/bin/busybox";
	ev.argv = argv;
	ev.argc = 2;
	proctable_enrich(f->pt, &ev);
	assert_string_equal(ev.container->id, ID_A); /* from its parent */
}

/* Its parent exited, so the process was reparented: the same process
 * (same program) under a new ppid keeps its entry, its container and its
 * command line; it is not taken for a reused pid. */
static void test_reparented_keeps_entry(void **state)
{
	struct fixture *f = *state;
	struct event ev = syscall_event("openat", 300, 200);
	char dir[PATH_MAX];

	ev.exe = "/bin/busybox";
	proctable_enrich(f->pt, &ev);
	ev = syscall_event("exit_group", 200, 1);
	proctable_enrich(f->pt, &ev);
	snprintf(dir, sizeof(dir), "%s/300", f->proc);
	assert_int_equal(rm_tree(dir), 0);
	ev = syscall_event("openat", 300, 1);
	ev.exe = "/bin/busybox";
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->id, ID_A);
	assert_true(ev.argv_from_process);
	assert_string_equal(ev.argv[0], "/bin/sh");
}

static void test_clone_thread_makes_no_entry(void **state)
{
	struct fixture *f = *state;
	struct event ev = syscall_event("clone", 300, 200);
	struct proc_view v;

	ev.has_exit = true;
	ev.exit = 302;
	ev.args[0] = 0x3d0f00; /* CLONE_VM|CLONE_FS|...|CLONE_THREAD */
	proctable_enrich(f->pt, &ev);
	assert_int_equal(proctable_get(f->pt, 302, &v), -ENOENT);
}

static void test_failed_clone_makes_no_entry(void **state)
{
	struct fixture *f = *state;
	struct event ev = syscall_event("fork", 300, 200);
	struct proctable_stats st;
	struct proc_view v;

	ev.success = 0;
	ev.has_exit = true;
	ev.exit = -11;
	proctable_enrich(f->pt, &ev);
	ev = syscall_event("vfork", 300, 200);
	ev.has_exit = true;
	ev.exit = 0;
	proctable_enrich(f->pt, &ev);
	proctable_get_stats(f->pt, &st);
	assert_int_equal(st.entries, 1); /* only 300 itself */
	assert_int_equal(proctable_get(f->pt, 300, &v), 0);
}

static void test_short_lived_attributed_from_parent(void **state)
{
	static const char *const argv[] = { "cat", "/etc/shadow" };
	struct fixture *f = *state;
	struct event ev = syscall_event("openat", 777, 300);
	struct proctable_stats st;
	struct proc_view v;

	ev.comm = "cat";
	ev.exe = "/bin/cat";
	ev.argv = argv;
	ev.argc = 2;
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->id, ID_A);
	assert_string_equal(ev.container->pod_namespace, "prod");
	assert_int_equal(ev.sid, 300);
	proctable_get_stats(f->pt, &st);
	assert_int_equal(st.attributed_from_parent, 1);
	assert_int_equal(proctable_get(f->pt, 777, &v), 0);
	assert_string_equal(v.comm, "cat");
	assert_string_equal(v.exe, "/bin/cat");
	assert_int_equal(v.ppid, 300);
}

static void test_short_lived_no_parent(void **state)
{
	struct fixture *f = *state;
	struct event ev = syscall_event("openat", 778, 779);
	struct proctable_stats st;

	ev.comm = "x";
	proctable_enrich(f->pt, &ev);
	assert_null(ev.container);
	assert_non_null(ev.lineage);
	proctable_get_stats(f->pt, &st);
	assert_int_equal(st.attributed_from_parent, 0);
}

static void test_exit_keeps_entry_for_late_events(void **state)
{
	struct fixture *f = *state;
	struct event ev = syscall_event("exit_group", 300, 200);
	struct proc_view v;
	char path[PATH_MAX];

	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	/* the process is gone from /proc now */
	snprintf(path, sizeof(path), "%s/300/stat", f->proc);
	assert_int_equal(unlink(path), 0);
	ev = syscall_event("close", 300, 200);
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_int_equal(proctable_get(f->pt, 300, &v), 0);
	assert_string_equal(v.comm, "my (odd) sh");
	/* a child started just before the exit still finds its parent */
	ev = syscall_event("openat", 900, 300);
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
}

static void test_pid_reuse_after_exit(void **state)
{
	struct fixture *f = *state;
	struct event ev = syscall_event("exit_group", 300, 200);
	struct proc_view v;

	proctable_enrich(f->pt, &ev);
	/* same pid, new process: later start time, host cgroup */
	mkproc(f, &(struct fake_proc){ .pid = 300,
				       .ppid = 1,
				       .sid = 1,
				       .start = 9000,
				       .comm = "newproc",
				       .exe = "/usr/bin/newproc" });
	ev = syscall_event("openat", 300, 1);
	proctable_enrich(f->pt, &ev);
	assert_null(ev.container);
	assert_int_equal(proctable_get(f->pt, 300, &v), 0);
	assert_string_equal(v.comm, "newproc");
	assert_int_equal(v.start_time, 9000);
}

static void test_pid_reuse_missed_exit(void **state)
{
	struct fixture *f = *state;
	struct event ev = syscall_event("openat", 300, 200);
	struct proc_view v;

	proctable_enrich(f->pt, &ev);
	mkproc(f, &(struct fake_proc){ .pid = 300,
				       .ppid = 1,
				       .sid = 1,
				       .start = 9100,
				       .comm = "reused" });
	/* the parent differs: /proc is checked and the entry replaced */
	ev = syscall_event("openat", 300, 1);
	proctable_enrich(f->pt, &ev);
	assert_null(ev.container);
	assert_int_equal(proctable_get(f->pt, 300, &v), 0);
	assert_string_equal(v.comm, "reused");
}

static void test_exec_rereads_cgroup(void **state)
{
	struct fixture *f = *state;
	struct event ev = syscall_event("clone", 200, 1);

	/* runc-like: a host process forks, the child joins the container's
	 * cgroup and then execs */
	ev.has_exit = true;
	ev.exit = 600;
	mkproc(f, &(struct fake_proc){ .pid = 600,
				       .ppid = 200,
				       .sid = 200,
				       .start = 3000,
				       .comm = "runc:[2:INIT]" });
	proctable_enrich(f->pt, &ev);
	ev = syscall_event("openat", 600, 200);
	proctable_enrich(f->pt, &ev);
	assert_null(ev.container);
	mkproc(f, &(struct fake_proc){ .pid = 600,
				       .ppid = 200,
				       .sid = 200,
				       .start = 3000,
				       .comm = "sh",
				       .cgroup = "0::/system.slice/docker-" ID_A
						 ".scope\n" });
	ev = syscall_event("execve", 600, 200);
	ev.comm = "sh";
	ev.exe = "/bin/sh";
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->id, ID_A);
}

/* An exec of a pid the table has not seen: exe, cwd, argv and uid come
 * from the event (the process has no exe link, cwd or cmdline to read
 * here); the container, session, start time and the pid inside the
 * container come from /proc. */
static void test_exec_of_new_pid_uses_event(void **state)
{
	static const char *const argv[] = { "wget", "-q", "http://x" };
	struct fixture *f = *state;
	struct event ev = syscall_event("execve", 700, 300);
	struct proc_view v;

	mkproc(f, &(struct fake_proc){ .pid = 700,
				       .ppid = 300,
				       .sid = 300,
				       .start = 4000,
				       .comm = "wget",
				       .uid = 1000,
				       .nspid = "700\t7",
				       .cgroup = "0::/system.slice/docker-" ID_A
						 ".scope\n" });
	ev.comm = "wget";
	ev.exe = "/usr/bin/wget";
	ev.cwd = "/srv";
	ev.uid = 1000;
	ev.argv = argv;
	ev.argc = 3;
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->id, ID_A);
	assert_int_equal(ev.sid, 300);
	assert_int_equal(ev.vpid, 7);
	assert_int_equal(proctable_get(f->pt, 700, &v), 0);
	assert_int_equal(v.start_time, 4000);
	assert_int_equal(v.ppid, 300);
	assert_int_equal(v.uid, 1000);
	assert_string_equal(v.exe, "/usr/bin/wget");
	assert_string_equal(v.cwd, "/srv");
	assert_string_equal(v.cmdline, "wget -q http://x");
}

/* The same exec, with the process gone by the time its cgroup was read
 * but its stat not (cgroup v1 lines read "/" past cgroup_exit): the
 * host answer is not believed, the parent's container is. */
static void test_exec_of_new_pid_gone_from_parent(void **state)
{
	struct fixture *f = *state;
	struct event ev = syscall_event("execve", 701, 300);
	char path[PATH_MAX];

	mkproc(f, &(struct fake_proc){ .pid = 701,
				       .ppid = 300,
				       .sid = 300,
				       .start = 4001,
				       .comm = "true",
				       .state = 'Z' });
	ev.comm = "true";
	ev.exe = "/bin/true";
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->id, ID_A);
	/* and with no /proc entry at all */
	snprintf(path, sizeof(path), "%s/702", f->proc);
	ev = syscall_event("execve", 702, 300);
	ev.exe = "/bin/true";
	assert_int_not_equal(access(path, F_OK), 0);
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->id, ID_A);
}


/* The exec'd process was still there for its cgroup but gone before its
 * stat was read (the usual `cat` in a container): it keeps the container
 * from its cgroup and takes its session from its parent, as at fork. */
static void test_exec_gone_after_cgroup_keeps_parent_session(void **state)
{
	struct fixture *f = *state;
	struct event ev = syscall_event("execve", 703, 300);
	struct proc_view v;
	char path[PATH_MAX];

	assert_int_equal(proctable_get(f->pt, 300, &v), 0);
	assert_int_equal(v.sid, 300);
	mkproc(f, &(struct fake_proc){ .pid = 703,
				       .ppid = 300,
				       .sid = 300,
				       .start = 4003,
				       .comm = "cat",
				       .cgroup = "0::/system.slice/docker-" ID_A
						 ".scope\n" });
	snprintf(path, sizeof(path), "%s/703/stat", f->proc);
	assert_int_equal(unlink(path), 0);
	ev.comm = "cat";
	ev.exe = "/bin/cat";
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->id, ID_A);
	assert_int_equal(ev.sid, 300);
}

/* A process that exited with no exit event (no exit rule in the kernel:
 * every short-lived process) does not stay in the table: entries unused
 * for 5 s whose /proc directory is gone are marked dead and leave after
 * the grace period, while live processes stay. */
static void test_exited_unseen_leaves_table(void **state)
{
	struct fixture *f = *state;
	struct event ev = syscall_event("openat", 300, 200);
	struct proctable_stats st0, st1;
	struct clock_fake clk;
	char path[PATH_MAX];

	clock_fake_init(&clk, clock_mono_ns(NULL), clock_real_ns(NULL));
	proctable_set_clock(f->pt, &clk.clock);
	proctable_enrich(f->pt, &ev);
	ev = syscall_event("openat", 1, 0);
	proctable_enrich(f->pt, &ev);
	proctable_get_stats(f->pt, &st0);
	assert_true(st0.entries >= 2);
	snprintf(path, sizeof(path), "%s/300", f->proc);
	assert_int_equal(rm_tree(path), 0);
	/* unused for longer than the check age, then any event sweeps */
	clock_fake_advance_ms(&clk, 5200);
	ev = syscall_event("openat", 1, 0);
	proctable_enrich(f->pt, &ev);
	/* dead now; gone after the grace period */
	clock_fake_advance_ms(&clk, HARRIER_PROCTABLE_DEAD_GRACE_MS + 200);
	ev = syscall_event("openat", 1, 0);
	proctable_enrich(f->pt, &ev);
	proctable_get_stats(f->pt, &st1);
	assert_int_equal(st1.entries, st0.entries - 1);
	assert_int_equal(st1.evictions, st0.evictions + 1);
	ev = syscall_event("openat", 1, 0);
	proctable_enrich(f->pt, &ev);
	assert_int_equal(proctable_get(f->pt, 1, &(struct proc_view){ 0 }), 0);
}

/* Unlink pid's stat: the process is gone from /proc. */
static void gone(struct fixture *f, pid_t pid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%d/stat", f->proc, (int)pid);
	assert_int_equal(unlink(path), 0);
}

/* A busy container wraps the pid space: a pid the table knows from a host
 * process comes back as a short-lived process in the container, gone
 * before its event is processed. Its parent, not the stale entry, says
 * where it ran. */
static void test_pid_reuse_gone_attributed_from_parent(void **state)
{
	struct fixture *f = *state;
	struct event ev = syscall_event("openat", 500, 1);
	struct proc_view v;

	mkproc(f, &(struct fake_proc){ .pid = 500,
				       .ppid = 1,
				       .sid = 1,
				       .start = 4000,
				       .comm = "hostproc" });
	proctable_enrich(f->pt, &ev);
	assert_null(ev.container);
	gone(f, 500);
	ev = syscall_event("execve", 500, 300);
	ev.comm = "cat";
	ev.exe = "/bin/busybox";
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->id, ID_A);
	assert_int_equal(proctable_get(f->pt, 500, &v), 0);
	assert_int_equal(v.ppid, 300);
	assert_string_equal(v.comm, "cat");
}

/* The same when the stale entry is itself a dead one checked just now
 * (the 100 ms shortcut must not skip the parent check). */
static void test_pid_reuse_dead_entry_other_parent(void **state)
{
	struct fixture *f = *state;
	struct event ev = syscall_event("openat", 502, 1);

	proctable_enrich(f->pt, &ev); /* gone at once: host, from pid 1 */
	assert_null(ev.container);
	ev = syscall_event("execve", 502, 300);
	ev.comm = "true";
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->id, ID_A);
}

/* A runtime's init, seen in its container (mount, pivot_root), exec's
 * the container's first process after `runc create` exited: the process
 * is reparented to conmon or the shim (a host process) and gone before
 * its exec is processed. Still the container's, not its new parent's. */
static void test_reparented_container_init_keeps_container(void **state)
{
	struct fixture *f = *state;
	struct event ev;

	mkproc(f, &(struct fake_proc){
			  .pid = 700,
			  .ppid = 300,
			  .sid = 700,
			  .start = 7000,
			  .comm = "runc:[2:INIT]",
			  .cgroup = "4:memory:/kubepods/besteffort/pod"
				    "5bd0c2a4-1e7e-4f07-9c55-2f1d0b3a8e11/" ID_A
				    "\n0::/\n" });
	ev = syscall_event("pivot_root", 700, 300);
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	gone(f, 700);
	ev = syscall_event("execve", 700, 1);
	ev.comm = "cat";
	ev.exe = "/bin/cat";
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->id, ID_A);
}

/* The runtime named the cgroup of its init (kaudit, from the bundle), and
 * the init, exec'd into the container's first process, is gone before
 * any of its events is processed: the hint says where it ran. */
static void test_hint_cgroup_for_gone_init(void **state)
{
	struct fixture *f = *state;
	struct event ev;

	assert_int_equal(proctable_hint_cgroup(f->pt, 710,
					       "0::/system.slice/docker-" ID_A
					       ".scope\n"),
			 0);
	ev = syscall_event("execve", 710, 1);
	ev.comm = "cat";
	ev.exe = "/bin/cat";
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->id, ID_A);
	/* a host cgroup is no hint */
	assert_int_equal(proctable_hint_cgroup(f->pt, 711, "0::/user.slice\n"),
			 -EINVAL);
}

/* A zombie's cgroup v1 lines read "/": it is attributed from its parent,
 * not read as a host process. */
static void test_zombie_attributed_from_parent(void **state)
{
	struct fixture *f = *state;
	struct event ev = syscall_event("execve", 501, 300);

	mkproc(f, &(struct fake_proc){ .pid = 501,
				       .ppid = 300,
				       .sid = 300,
				       .start = 4100,
				       .comm = "true",
				       .state = 'Z',
				       .cgroup = "4:memory:/\n1:cpu:/\n" });
	ev.comm = "true";
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->id, ID_A);
}

/* A process that exits while it is read (its cgroup file already gone)
 * is attributed from its parent, not read as a host process. */
static void test_exited_while_read_attributed_from_parent(void **state)
{
	struct fixture *f = *state;
	struct event ev = syscall_event("execve", 503, 300);
	char path[PATH_MAX];

	mkproc(f, &(struct fake_proc){ .pid = 503,
				       .ppid = 300,
				       .sid = 300,
				       .start = 4200,
				       .comm = "true" });
	snprintf(path, sizeof(path), "%s/503/cgroup", f->proc);
	assert_int_equal(unlink(path), 0);
	ev.comm = "true";
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->id, ID_A);
}

/* runc's init runs in the container's cgroup before runc has saved its
 * state; the exec of the container's process comes after and finds the
 * pod metadata at once. */
static void test_exec_finds_state_saved_late(void **state)
{
	static const char id_b[] = "b123456789abcdef0123456789abcdef"
				   "0123456789abcdef0123456789abcdef";
	struct fixture *f = *state;
	struct event ev = syscall_event("openat", 610, 200);
	char cgroup[256], dir[PATH_MAX];

	snprintf(cgroup, sizeof(cgroup),
		 "0::/kubepods/besteffort/pod5bd0c2a4-1e7e-4f07-9c55-"
		 "2f1d0b3a8e11/%s\n",
		 id_b);
	mkproc(f, &(struct fake_proc){ .pid = 610,
				       .ppid = 200,
				       .sid = 610,
				       .start = 5000,
				       .comm = "runc:[2:INIT]",
				       .cgroup = cgroup });
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_null(ev.container->pod_name);
	snprintf(dir, sizeof(dir), "%s/run/runc/%s", f->root, id_b);
	mkdirs(dir);
	write_str(
		dir, "state.json",
		"{\"config\":{\"labels\":[\"io.kubernetes.pod.name=late\"]}}");
	ev = syscall_event("execve", 610, 200);
	ev.comm = "sh";
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->pod_name, "late");
}

/* The exec re-read of the cgroup may move a process into a container,
 * never out of one (an exited process's v1 lines read "/"). */
static void test_exec_reread_keeps_container(void **state)
{
	struct fixture *f = *state;
	struct event ev = syscall_event("openat", 300, 200);
	char dir[PATH_MAX];

	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	snprintf(dir, sizeof(dir), "%s/300", f->proc);
	write_str(dir, "cgroup", "4:memory:/\n0::/\n");
	ev = syscall_event("execve", 300, 200);
	ev.comm = "sleep";
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	assert_string_equal(ev.container->id, ID_A);
}

static void test_malformed_proc_files(void **state)
{
	struct fixture *f = *state;
	char dir[PATH_MAX];
	struct proc_view v;

	snprintf(dir, sizeof(dir), "%s/700", f->proc);
	mkdirs(dir);
	write_str(dir, "stat", "700 (no closing paren S 1 2 3");
	assert_int_equal(proctable_get(f->pt, 700, &v), -ENOENT);
	write_str(dir, "stat", "700 (x) S 1 2");
	assert_int_equal(proctable_get(f->pt, 700, &v), -ENOENT);
	write_str(dir, "stat",
		  "700 (x) S notanumber 2 3 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0 9");
	assert_int_equal(proctable_get(f->pt, 700, &v), -ENOENT);
	mkproc(f, &(struct fake_proc){ .pid = 701,
				       .ppid = 1,
				       .sid = 1,
				       .start = 1,
				       .comm = "x",
				       .cgroup = "garbage without colons" });
	snprintf(dir, sizeof(dir), "%s/701", f->proc);
	write_str(dir, "status", "Uid:\nNSpid:\tabc\n\n\n");
	assert_int_equal(proctable_get(f->pt, 701, &v), 0);
	assert_null(v.container);
	assert_null(v.exe);
	assert_null(v.argv0);
	assert_string_equal(v.cmdline, "x");
	assert_int_equal(v.vpid, 0);
}

static void test_non_syscall_and_bad_events(void **state)
{
	struct fixture *f = *state;
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = EVENT_KIND_OTHER;
	ev.pid = 300;
	proctable_enrich(f->pt, &ev);
	assert_non_null(ev.container);
	memset(&ev, 0, sizeof(ev));
	proctable_enrich(f->pt, &ev); /* pid 0 */
	assert_null(ev.container);
	assert_non_null(ev.lineage);
	proctable_enrich(NULL, &ev);
	proctable_enrich(f->pt, NULL);
}

static void test_bounded_dead_evicted_first(void **state)
{
	struct fixture *f = *state;
	struct proctable_stats st;
	struct proc_view v;
	int i, extra = 100;

	assert_int_equal(proctable_get(f->pt, 300, &v), 0);
	/* processes already gone: entries built from events, dead */
	for (i = 0; i < HARRIER_PROCTABLE_MAX + extra; i++) {
		struct event ev = syscall_event("openat", 100000 + i, 0);

		proctable_enrich(f->pt, &ev);
	}
	proctable_get_stats(f->pt, &st);
	assert_int_equal(st.entries, HARRIER_PROCTABLE_MAX);
	assert_true(st.evictions >= (uint64_t)extra + 1);
	/* the live entry survives: dead ones go first */
	assert_int_equal(proctable_get(f->pt, 300, &v), 0);
	assert_int_equal(v.start_time, 2000);
}

static void test_bounded_lru_live(void **state)
{
	struct fixture *f = *state;
	struct proctable_stats st;
	struct proc_view v;
	int i;

	/* fork children of 300 (live entries) until the table overflows */
	for (i = 0; i < HARRIER_PROCTABLE_MAX + 10; i++) {
		struct event ev = syscall_event("clone", 300, 200);

		ev.has_exit = true;
		ev.exit = 100000 + i;
		proctable_enrich(f->pt, &ev);
	}
	proctable_get_stats(f->pt, &st);
	assert_int_equal(st.entries, HARRIER_PROCTABLE_MAX);
	/* the parent was used by every event: kept */
	assert_int_equal(proctable_get(f->pt, 300, &v), 0);
	/* the oldest children were least recently used: evicted */
	assert_int_equal(proctable_get(f->pt, 100000, &v), -ENOENT);
	assert_int_equal(
		proctable_get(f->pt, 100000 + HARRIER_PROCTABLE_MAX + 9, &v),
		0);
	assert_int_equal(v.ppid, 300);
}

/* --- the real /proc --------------------------------------------------- */

static void test_real_proc_self(void **state)
{
	struct proctable *pt = proctable_new("/proc");
	struct proc_view v;
	const char *slash;

	(void)state;
	assert_non_null(pt);
	assert_int_equal(proctable_get(pt, getpid(), &v), 0);
	assert_int_equal(v.ppid, getppid());
	assert_int_equal(v.sid, getsid(0));
	assert_int_equal(v.uid, getuid());
	assert_true(v.start_time > 0);
	assert_non_null(v.exe);
	slash = strrchr(v.exe, '/');
	assert_non_null(slash);
	assert_non_null(strstr(slash, "test_proctable"));
	assert_non_null(strstr(v.comm, "test_proctable"));
	assert_true(proctable_seed(pt) > 1);
	proctable_free(pt);
}

static void test_real_proc_child_and_ancestor(void **state)
{
	struct proctable *pt = proctable_new("/proc");
	struct proc_view v;
	int fds[2];
	pid_t child;
	char c;

	(void)state;
	assert_non_null(pt);
	assert_int_equal(pipe(fds), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(fds[1]);
		(void)read(fds[0], &c, 1);
		_exit(0);
	}
	close(fds[0]);
	assert_int_equal(proctable_get(pt, child, &v), 0);
	assert_int_equal(v.ppid, getpid());
	assert_int_equal(proctable_ancestor(pt, child, 1, &v), 0);
	assert_int_equal(v.pid, getpid());
	close(fds[1]);
	assert_int_equal(waitpid(child, NULL, 0), child);
	proctable_free(pt);
}

static void test_real_proc_exited_child_from_parent(void **state)
{
	struct proctable *pt = proctable_new("/proc");
	struct proctable_stats st;
	struct event ev;
	struct proc_view self, v;
	pid_t child;

	(void)state;
	assert_non_null(pt);
	assert_int_equal(proctable_get(pt, getpid(), &self), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, NULL, 0), child);
	/* its event arrives after it is gone, as for `cat /etc/shadow` */
	ev = syscall_event("openat", child, getpid());
	ev.comm = "shortlived";
	proctable_enrich(pt, &ev);
	proctable_get_stats(pt, &st);
	assert_int_equal(st.attributed_from_parent, 1);
	assert_int_equal(ev.sid, getsid(0));
	assert_int_equal(proctable_get(pt, child, &v), 0);
	assert_string_equal(v.comm, "shortlived");
	assert_string_equal(v.cwd, self.cwd);
	proctable_free(pt);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_read_fake_proc_entry),
		T(test_container_from_cgroup_and_state),
		T(test_unknown_pid),
		T(test_seed),
		T(test_ancestors),
		T(test_ancestor_missing_parent),
		T(test_enrich_sets_event_fields),
		T(test_execve_updates_entry),
		T(test_clone_child_inherits),
		T(test_stale_proctitle_loses_to_proc),
		T(test_unseen_exec_rereads_cmdline),
		cmocka_unit_test(test_stale_proctitle_loses_to_execve),
		cmocka_unit_test(test_unseen_exec_offline_keeps_proctitle),
		T(test_gone_runtime_init_from_runc_state),
		T(test_reparented_keeps_entry),
		T(test_clone_thread_makes_no_entry),
		T(test_failed_clone_makes_no_entry),
		T(test_short_lived_attributed_from_parent),
		T(test_short_lived_no_parent),
		T(test_exit_keeps_entry_for_late_events),
		T(test_pid_reuse_after_exit),
		T(test_pid_reuse_missed_exit),
		T(test_exec_rereads_cgroup),
		T(test_exec_of_new_pid_uses_event),
		T(test_exec_of_new_pid_gone_from_parent),
		T(test_exec_gone_after_cgroup_keeps_parent_session),
		T(test_exited_unseen_leaves_table),
		T(test_pid_reuse_gone_attributed_from_parent),
		T(test_pid_reuse_dead_entry_other_parent),
		T(test_reparented_container_init_keeps_container),
		T(test_hint_cgroup_for_gone_init),
		T(test_zombie_attributed_from_parent),
		T(test_exec_reread_keeps_container),
		T(test_exited_while_read_attributed_from_parent),
		T(test_exec_finds_state_saved_late),
		T(test_malformed_proc_files),
		T(test_non_syscall_and_bad_events),
		T(test_bounded_dead_evicted_first),
		T(test_bounded_lru_live),
		cmocka_unit_test(test_real_proc_self),
		cmocka_unit_test(test_real_proc_child_and_ancestor),
		cmocka_unit_test(test_real_proc_exited_child_from_parent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
