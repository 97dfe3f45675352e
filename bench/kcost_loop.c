/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/kernel-cost's loop: N getpid() or open()+close() of a file, and
 * the mean nanoseconds per iteration on stdout. Raw syscalls, nothing
 * else, so that the kernel's audit filter is what changes the number.
 * The time is the thread's CPU time (user and system: the audit filter
 * and the records it writes run in the caller's syscall exit), so that
 * the time the loop waits for a CPU on a busy machine does not count.
 * usage: kcost_loop getpid N | kcost_loop open N FILE
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long n, i;
	double t0;

	if (argc < 3 || (strcmp(argv[1], "open") == 0 && argc < 4)) {
		fprintf(stderr, "usage: kcost_loop getpid N | open N FILE\n");
		return 2;
	}
	n = atol(argv[2]);
	if (n <= 0)
		return 2;
	t0 = now();
	if (strcmp(argv[1], "getpid") == 0) {
		for (i = 0; i < n; i++)
			(void)syscall(SYS_getpid);
	} else {
		for (i = 0; i < n; i++) {
			int fd = open(argv[3], O_RDONLY | O_CLOEXEC);

			if (fd < 0) {
				perror(argv[3]);
				return 1;
			}
			(void)close(fd);
		}
	}
	printf("%.1f\n", (now() - t0) / (double)n * 1e9);
	return 0;
}
