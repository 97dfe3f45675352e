/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Load generator for bench/live: fork+exec PROG at a fixed rate for
 * RATE_SECS seconds, then as fast as the machine goes for MAX_SECS
 * seconds. Each exec's CLOCK_REALTIME (ns) and child pid go to LOG, one
 * "pid time_ns" line each, so the bench can match alerts to execs.
 * Never more than one child at a time: it measures the audit path, not
 * the scheduler.
 *
 *   execload PROG RATE RATE_SECS MAX_SECS LOG
 *   execload stamp      (copy stdin to stdout, each line prefixed with
 *                        its arrival CLOCK_REALTIME in ns)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(clockid_t c)
{
	struct timespec ts;

	(void)clock_gettime(c, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int parse_long(const char *s, long lo, long hi, long *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* One fork+exec of prog, waited for; logs its pid and start time. */
static int run_one(const char *prog, FILE *log)
{
	long long t = now_ns(CLOCK_REALTIME);
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execl(prog, prog, (char *)NULL);
		_exit(127);
	}
	(void)fprintf(log, "%ld %lld\n", (long)pid, t);
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return 0;
}

/* Timestamps each line of a daemon's alert output on arrival. */
static int stamp(void)
{
	char line[8192];

	while (fgets(line, sizeof(line), stdin)) {
		(void)printf("%lld %s", now_ns(CLOCK_REALTIME), line);
		(void)fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	long rate, rate_secs, max_secs;
	long long start, end, next, step;
	unsigned long n_rate = 0, n_max = 0;
	FILE *log;

	if (argc == 2 && strcmp(argv[1], "stamp") == 0)
		return stamp();
	if (argc != 6 || parse_long(argv[2], 1, 1000000, &rate) < 0 ||
	    parse_long(argv[3], 0, 86400, &rate_secs) < 0 ||
	    parse_long(argv[4], 0, 86400, &max_secs) < 0) {
		(void)fprintf(stderr,
			      "usage: execload PROG RATE RATE_SECS MAX_SECS "
			      "LOG\n");
		return 2;
	}
	log = fopen(argv[5], "w");
	if (!log) {
		perror(argv[5]);
		return 2;
	}
	step = 1000000000LL / rate;
	start = now_ns(CLOCK_MONOTONIC);
	end = start + rate_secs * 1000000000LL;
	next = start;
	while (now_ns(CLOCK_MONOTONIC) < end) {
		long long t = now_ns(CLOCK_MONOTONIC);

		if (t < next) {
			struct timespec d = { 0, (long)(next - t) };

			(void)nanosleep(&d, NULL);
			continue;
		}
		if (run_one(argv[1], log) < 0)
			break;
		n_rate++;
		next += step;
		/* Behind by more than a second: the rate is not reachable;
		 * do not try to catch up in a burst. */
		if (now_ns(CLOCK_MONOTONIC) - next > 1000000000LL)
			next = now_ns(CLOCK_MONOTONIC);
	}
	start = now_ns(CLOCK_MONOTONIC);
	end = start + max_secs * 1000000000LL;
	while (now_ns(CLOCK_MONOTONIC) < end) {
		if (run_one(argv[1], log) < 0)
			break;
		n_max++;
	}
	(void)fclose(log);
	(void)printf("fixed_rate_execs %lu (%.0f/s) max_rate_execs %lu "
		     "(%.0f/s)\n",
		     n_rate, rate_secs ? (double)n_rate / (double)rate_secs : 0,
		     n_max,
		     max_secs ? (double)(n_max) /
					((double)(now_ns(CLOCK_MONOTONIC) -
						  start) /
					 1e9) :
				0);
	return 0;
}
