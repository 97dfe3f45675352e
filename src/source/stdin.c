/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auditd plugin source (string format on a pipe). Splits the byte stream
 * into lines (common/linesplit: an overlong line is dropped whole, never
 * split into pieces that would parse as records) without ever blocking
 * the daemon's loop: read(2) runs only when poll says the fd is ready.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/linesplit.h"
#include "source/stdin.h"

/* Bytes per read(2), and reads per source_read() call (bounds the time
 * one call spends before the loop runs its timers). */
#define STDIN_CHUNK 65536
#define STDIN_READS_PER_CALL 16

struct stdin_state {
	int fd;
	struct linesplit lines;
	bool eof;
};

static int stdin_start(struct source *s, char **ret_err)
{
	(void)s;
	(void)ret_err;
	return 0;
}

static int stdin_get_fd(struct source *s)
{
	struct stdin_state *st = s->state;

	return st->fd;
}

static int stdin_read(struct source *s, source_record_cb cb, void *userdata)
{
	struct stdin_state *st = s->state;
	int i, rc;

	if (st->eof)
		return 0;
	/* A callback error may have left complete lines behind. */
	rc = linesplit_commit(&st->lines, 0, cb, userdata);
	if (rc < 0)
		return rc;
	for (i = 0; i < STDIN_READS_PER_CALL; i++) {
		struct pollfd pfd = { .fd = st->fd, .events = POLLIN };
		size_t room;
		ssize_t n;
		char *p;

		rc = poll(&pfd, 1, 0);
		if (rc < 0)
			return errno == EINTR ? 1 : -errno;
		if (rc == 0)
			return 1;
		if (pfd.revents & POLLNVAL)
			return -EBADF;
		room = linesplit_space(&st->lines, &p);
		n = read(st->fd, p, room);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK)
				return 1;
			return -errno;
		}
		if (n == 0) {
			st->eof = true;
			rc = linesplit_finish(&st->lines, cb, userdata);
			return rc < 0 ? rc : 0;
		}
		rc = linesplit_commit(&st->lines, (size_t)n, cb, userdata);
		if (rc < 0)
			return rc;
	}
	return 1;
}

static void stdin_stats(struct source *s, struct source_stats *ret)
{
	struct stdin_state *st = s->state;
	struct source_stats out = { st->lines.lines, 0, st->lines.overlong };

	*ret = out;
}

static void stdin_free(struct source *s)
{
	struct stdin_state *st = s->state;

	if (st)
		linesplit_free(&st->lines);
	free(st);
	free(s);
}

static const struct source_ops stdin_ops = {
	.name = "stdin",
	.start = stdin_start,
	.get_fd = stdin_get_fd,
	.read = stdin_read,
	.stats = stdin_stats,
	.stop = NULL,
	.free = stdin_free,
};

struct source *source_stdin_new(int fd)
{
	struct source *s;
	struct stdin_state *st;

	if (fd < 0)
		return NULL;
	s = calloc(1, sizeof(*s));
	st = calloc(1, sizeof(*st));
	if (!s || !st) {
		free(s);
		free(st);
		return NULL;
	}
	st->fd = fd;
	if (linesplit_init(&st->lines, HARRIER_MAX_RECORD_LEN, STDIN_CHUNK) <
	    0) {
		free(st);
		free(s);
		return NULL;
	}
	s->ops = &stdin_ops;
	s->state = st;
	return s;
}
