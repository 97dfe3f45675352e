/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/capture-syscalls' load: N connect() calls to a closed loopback
 * port (each refused at once), timed; prints the mean ns per call.
 * usage: connect_loop N
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(1) };
	struct timespec t0, t1;
	long n = argc > 1 ? atol(argv[1]) : 20000, i;
	int fd;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			return 1;
		(void)connect(fd, (struct sockaddr *)&a, sizeof(a));
		(void)close(fd);
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.0f\n", ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
			  (double)(t1.tv_nsec - t0.tv_nsec)) / (double)n);
	return 0;
}
