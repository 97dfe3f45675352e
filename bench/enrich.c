/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Micro-benchmark of per-event enrichment (src/enrich) on the real /proc:
 * cached (pid known), uncached (pid read from /proc the first time), and
 * exited (pid gone, attributed from its cached parent). Prints ns/event
 * and the ratio to a baseline measured in the same run: one open, read,
 * close of /proc/self/stat, the unit of work an uncached lookup repeats.
 *
 * Build and run from the source tree (any configured build dir BUILD for
 * config.h; no sanitizers, they distort the numbers):
 *   cc -O2 -Isrc -IBUILD bench/enrich.c src/enrich/proctable.c \
 *      src/enrich/pathres.c src/enrich/fdtable.c \
 *      src/enrich/container.c src/enrich/cgroup.c src/common/strbuf.c \
 *      src/common/clock.c src/common/event.c \
 *      $(pkg-config --cflags --libs json-c) -o /tmp/bench-enrich
 *   /tmp/bench-enrich
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/event.h"
#include "common/strbuf.h"
#include "enrich/proctable.h"

#define MAX_PIDS 4096

static uint64_t now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static size_t list_pids(pid_t *pids, size_t max)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir("/proc");

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		uint64_t v;

		if (parse_u64(de->d_name, 10, &v) == 0 && v > 0 &&
		    v < INT32_MAX)
			pids[n++] = (pid_t)v;
	}
	(void)closedir(d);
	return n;
}

static struct event mkev(pid_t pid, pid_t ppid)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = EVENT_KIND_SYSCALL;
	ev.syscall_name = "openat";
	ev.success = 1;
	ev.pid = pid;
	ev.ppid = ppid;
	return ev;
}

int main(void)
{
	static pid_t pids[MAX_PIDS];
	size_t npids = list_pids(pids, MAX_PIDS), i;
	uint64_t t0, t, base_ns, cached_ns, uncached_ns, gone_ns;
	unsigned long long sink = 0;
	struct proctable *pt;
	int rounds = 20, r, iters = 2000000;
	pid_t gone[256];
	size_t ngone = 0;
	char buf[1024];

	if (npids == 0) {
		fprintf(stderr, "bench-enrich: no pids in /proc\n");
		return 2;
	}

	/* baseline: one /proc file read */
	t0 = now_ns();
	for (i = 0; i < 20000; i++) {
		int fd = open("/proc/self/stat", O_RDONLY);
		ssize_t k = read(fd, buf, sizeof(buf));

		sink += (unsigned long long)k;
		(void)close(fd);
	}
	base_ns = (now_ns() - t0) / 20000;

	/* uncached: every pid read from /proc into a fresh table */
	t = 0;
	for (r = 0; r < rounds; r++) {
		pt = proctable_new("/proc");
		if (!pt)
			return 2;
		t0 = now_ns();
		for (i = 0; i < npids; i++) {
			struct event ev = mkev(pids[i], 0);

			proctable_enrich(pt, &ev);
			sink += (unsigned long long)ev.sid;
		}
		t += now_ns() - t0;
		proctable_free(pt);
	}
	uncached_ns = t / ((uint64_t)rounds * npids);

	/* cached: the same pids again and again (ppid as the table has it,
	 * as real events carry it) */
	pt = proctable_new("/proc");
	if (!pt)
		return 2;
	for (i = 0; i < npids; i++) {
		struct event ev = mkev(pids[i], 0);

		proctable_enrich(pt, &ev);
	}
	{
		static pid_t ppids[MAX_PIDS];

		for (i = 0; i < npids; i++) {
			struct proc_view v;

			ppids[i] = proctable_get(pt, pids[i], &v) == 0 ? v.ppid
								       : 0;
		}
		t0 = now_ns();
		for (r = 0; r < iters; r++) {
			size_t k = (size_t)r % npids;
			struct event ev = mkev(pids[k], ppids[k]);

			proctable_enrich(pt, &ev);
			sink += (unsigned long long)(uintptr_t)ev.container;
		}
		cached_ns = (now_ns() - t0) / (uint64_t)iters;
	}

	/* exited: pids that no longer exist, parent (this process) cached */
	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		pid_t c = fork();

		if (c == 0)
			_exit(0);
		if (c < 0 || waitpid(c, NULL, 0) != c)
			break;
		gone[ngone++] = c;
	}
	t0 = now_ns();
	for (i = 0; i < ngone; i++) {
		struct event ev = mkev(gone[i], getpid());

		proctable_enrich(pt, &ev);
		sink += (unsigned long long)ev.sid;
	}
	gone_ns = ngone ? (now_ns() - t0) / ngone : 0;
	proctable_free(pt);

	printf("processes in /proc:          %zu\n", npids);
	printf("baseline /proc/self/stat:    %6llu ns/read\n",
	       (unsigned long long)base_ns);
	printf("cached enrich:               %6llu ns/event  "
	       "(%.3fx baseline)\n",
	       (unsigned long long)cached_ns,
	       (double)cached_ns / (double)base_ns);
	printf("uncached enrich (/proc):     %6llu ns/event  "
	       "(%.2fx baseline)\n",
	       (unsigned long long)uncached_ns,
	       (double)uncached_ns / (double)base_ns);
	printf("exited, from parent:         %6llu ns/event  "
	       "(%.2fx baseline)\n",
	       (unsigned long long)gone_ns, (double)gone_ns / (double)base_ns);
	return sink == 42 ? 1 : 0;
}
