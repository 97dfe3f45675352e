/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test-only helper for test_container_attribution.sh: attributes a real
 * (runc) container process through the public enrich API and prints
 * key=value lines for the script to check. Never changes anything.
 *
 *   container_probe PID   PID = host pid of a process in the container
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/event.h"
#include "common/strbuf.h"
#include "enrich/container.h"
#include "enrich/proctable.h"

static const char *s(const char *v)
{
	return v ? v : "(null)";
}

static void print_container(const char *prefix, const struct event_container *c)
{
	if (!c) {
		printf("%s.id=(host)\n", prefix);
		return;
	}
	printf("%s.id=%s\n%s.runtime=%s\n%s.name=%s\n%s.image=%s\n"
	       "%s.pod_name=%s\n%s.pod_namespace=%s\n%s.pod_uid=%s\n"
	       "%s.k8s_container_name=%s\n",
	       prefix, s(c->id), prefix, s(c->runtime), prefix, s(c->name),
	       prefix, s(c->image), prefix, s(c->pod_name), prefix,
	       s(c->pod_namespace), prefix, s(c->pod_uid), prefix,
	       s(c->k8s_container_name));
}

/* First child of pid (the container's shell runs `sleep` as a child). */
static pid_t first_child(pid_t pid)
{
	char path[64], buf[256];
	uint64_t v;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid,
		 (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	buf[strcspn(buf, " \n")] = '\0';
	if (parse_u64(buf, 10, &v) < 0)
		return 0;
	return (pid_t)v;
}

int main(int argc, char **argv)
{
	struct cgroup_match m;
	struct container_cache *cc;
	struct proctable *pt;
	struct proctable_stats st;
	struct proc_view v;
	struct event ev;
	char path[64], text[16384];
	uint64_t pid64;
	pid_t pid, child, gone;
	ssize_t n;
	int fd, r;

	if (argc != 2 || parse_u64(argv[1], 10, &pid64) < 0 || pid64 == 0 ||
	    pid64 > INT32_MAX) {
		fprintf(stderr, "usage: container_probe PID\n");
		return 2;
	}
	pid = (pid_t)pid64;

	/* 1. cgroup_parse on the real file */
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "container_probe: %s: %s\n", path,
			strerror(errno));
		return 2;
	}
	n = read(fd, text, sizeof(text) - 1);
	(void)close(fd);
	if (n < 0)
		return 2;
	r = cgroup_parse(text, (size_t)n, &m);
	printf("parse=%d\n", r);
	if (r != 1)
		return 1;
	printf("cgroup.id=%s\ncgroup.runtime=%s\ncgroup.pod_uid=%s\n", m.id,
	       m.runtime, m.pod_uid);

	/* 2. metadata from the runtime's state on disk */
	cc = container_cache_new("/");
	if (!cc)
		return 2;
	print_container("cache", container_cache_get(cc, &m));
	container_cache_free(cc);

	/* 3. the process table: the container process, its child, and an
	 * event from a process that is already gone (parent attribution) */
	pt = proctable_new("/proc");
	if (!pt)
		return 2;
	if (proctable_get(pt, pid, &v) == 0) {
		printf("proc.comm=%s\nproc.vpid=%d\n", s(v.comm), (int)v.vpid);
		print_container("proc", v.container);
	}
	child = first_child(pid);
	if (child > 0) {
		memset(&ev, 0, sizeof(ev));
		ev.kind = EVENT_KIND_SYSCALL;
		ev.syscall_name = "nanosleep";
		ev.pid = child;
		ev.ppid = pid;
		proctable_enrich(pt, &ev);
		printf("child.vpid=%d\n", (int)ev.vpid);
		print_container("child", ev.container);
	}
	/* A pid that surely no longer exists: a child of ours, reaped. Its
	 * event claims the container process as parent, as the event of a
	 * short-lived command run by the container's shell would. */
	gone = fork();
	if (gone == 0)
		_exit(0);
	if (gone < 0 || waitpid(gone, NULL, 0) != gone)
		return 2;
	memset(&ev, 0, sizeof(ev));
	ev.kind = EVENT_KIND_SYSCALL;
	ev.syscall_name = "openat";
	ev.pid = gone;
	ev.ppid = pid;
	ev.comm = "cat";
	proctable_enrich(pt, &ev);
	print_container("gone", ev.container);
	proctable_get_stats(pt, &st);
	printf("gone.attributed_from_parent=%llu\n",
	       (unsigned long long)st.attributed_from_parent);
	proctable_free(pt);
	return 0;
}
