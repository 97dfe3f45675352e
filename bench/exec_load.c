/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Load generator for bench/containers, run inside a container (built
 * -static: the container's root has only busybox). Starts RATE short-lived
 * processes a second for SECONDS, each an execve of this binary that exits
 * at once, and prints how many it started. Never touches anything but its
 * own children.
 *
 *   exec_load direct RATE SECONDS  fork, child execs "hbload-child"
 *   exec_load nested RATE SECONDS  fork, child forks again and waits, the
 *                                  grandchild execs "hbload-gchild": its
 *                                  parent never execs and is gone too
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

static void run_child(const char *name)
{
	char *const argv[] = { (char *)name, NULL };
	char *const envp[] = { NULL };

	execve("/proc/self/exe", argv, envp);
	_exit(127);
}

/* Children not yet reaped: spawning does not wait for each one, so the
 * rate holds when one exec is slow. */
#define MAX_OUTSTANDING 64

static unsigned int outstanding;

static void reap(int block)
{
	int st;

	while (outstanding > 0 && waitpid(-1, &st, block ? 0 : WNOHANG) > 0) {
		outstanding--;
		block = 0;
	}
}

/* One started process; 0 or -errno. */
static int spawn(int nested)
{
	int st;
	pid_t c;

	reap(outstanding >= MAX_OUTSTANDING);
	c = fork();

	if (c < 0)
		return -errno;
	if (c == 0) {
		if (nested) {
			pid_t g = fork();

			if (g == 0)
				run_child("hbload-gchild");
			if (g < 0)
				_exit(1);
			(void)waitpid(g, &st, 0);
			_exit(0);
		}
		run_child("hbload-child");
	}
	outstanding++;
	return 0;
}

int main(int argc, char **argv)
{
	struct timespec t0, next, end;
	unsigned long rate, secs, i, total, started = 0;
	int nested;
	double el;

	if (argc >= 1 && (strcmp(argv[0], "hbload-child") == 0 ||
			  strcmp(argv[0], "hbload-gchild") == 0))
		return 0;
	if (argc != 4 ||
	    (strcmp(argv[1], "direct") != 0 &&
	     strcmp(argv[1], "nested") != 0) ||
	    parse_uint(argv[2], 100000, &rate) < 0 ||
	    parse_uint(argv[3], 3600, &secs) < 0) {
		fprintf(stderr,
			"usage: exec_load direct|nested RATE SECONDS\n");
		return 2;
	}
	nested = strcmp(argv[1], "nested") == 0;
	total = rate * secs;
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < total; i++) {
		/* absolute schedule: a slow spawn does not shift the rest */
		uint64_t ns = (uint64_t)i * 1000000000ULL / rate;

		next.tv_sec = t0.tv_sec + (time_t)(ns / 1000000000ULL);
		next.tv_nsec = t0.tv_nsec + (long)(ns % 1000000000ULL);
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
		if (spawn(nested) == 0)
			started++;
	}
	while (outstanding > 0)
		reap(1);
	(void)clock_gettime(CLOCK_MONOTONIC, &end);
	el = (double)(end.tv_sec - t0.tv_sec) +
	     (double)(end.tv_nsec - t0.tv_nsec) / 1e9;
	printf("started=%lu seconds=%.2f rate=%.0f\n", started, el,
	       el > 0 ? (double)started / el : 0.0);
	return 0;
}
