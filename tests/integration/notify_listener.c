/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for systemd's notify socket, for tests/integration/
 * test_daemon.sh: binds a unix datagram socket at PATH and prints every
 * line of every datagram it gets ("READY=1", "WATCHDOG=1", ...), flushed
 * at once, until STOPPING=1 arrives or TIMEOUT seconds pass.
 *
 *   notify_listener PATH TIMEOUT_SEC     (exit 0 after STOPPING=1, else 1)
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Print each line of the datagram; true when one is STOPPING=1. */
static bool print_lines(char *msg)
{
	bool stopping = false;
	char *line = msg, *nl;

	while (line && *line) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		/* The daemon's text, not a format. */
		(void)fputs(line, stdout);
		(void)fputc('\n', stdout);
		if (strcmp(line, "STOPPING=1") == 0)
			stopping = true;
		line = nl ? nl + 1 : NULL;
	}
	(void)fflush(stdout);
	return stopping;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa;
	struct pollfd pfd;
	char buf[4096];
	long long deadline;
	char *end;
	long timeout;
	ssize_t n;
	int fd, rc = 1;

	if (argc != 3) {
		(void)fprintf(stderr, "usage: notify_listener PATH TIMEOUT\n");
		return 2;
	}
	errno = 0;
	timeout = strtol(argv[2], &end, 10);
	if (errno || *end || timeout <= 0 || timeout > 3600) {
		(void)fprintf(stderr, "bad timeout\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(argv[1]) >= sizeof(sa.sun_path)) {
		(void)fprintf(stderr, "path too long\n");
		return 2;
	}
	memcpy(sa.sun_path, argv[1], strlen(argv[1]) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("notify_listener: socket");
		return 2;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	deadline = now_ms() + timeout * 1000;
	while (now_ms() < deadline) {
		int r = poll(&pfd, 1, (int)(deadline - now_ms()));

		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			continue;
		buf[n] = '\0';
		if (print_lines(buf)) {
			rc = 0;
			break;
		}
	}
	(void)close(fd);
	(void)unlink(argv[1]);
	return rc;
}
