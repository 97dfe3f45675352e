/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auditd plugin source (string format on a pipe). Splits the byte stream
 * into lines without ever blocking the daemon's loop: read(2) runs only
 * when poll says the fd is ready. An overlong line is dropped whole, never
 * split into pieces that would parse as records.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/limits.h"
#include "source/stdin.h"

/* Bytes per read(2), and reads per source_read() call (bounds the time
 * one call spends before the loop runs its timers). */
#define STDIN_CHUNK 65536
#define STDIN_READS_PER_CALL 16
#define STDIN_BUF_CAP (HARRIER_MAX_RECORD_LEN + STDIN_CHUNK)

struct stdin_state {
	int fd;
	char *buf; /* STDIN_BUF_CAP + 1 for the NUL after a final line */
	size_t start, len;
	bool skipping; /* inside an overlong line: drop up to its newline */
	bool eof;
	uint64_t records, malformed;
};

static int stdin_start(struct source *s, char **ret_err)
{
	struct stdin_state *st = s->state;

	(void)ret_err;
	if (!st->buf) {
		st->buf = malloc(STDIN_BUF_CAP + 1);
		if (!st->buf)
			return -ENOMEM;
	}
	return 0;
}

static int stdin_get_fd(struct source *s)
{
	struct stdin_state *st = s->state;

	return st->fd;
}

static int stdin_deliver(struct stdin_state *st, char *line, size_t n,
			 source_record_cb cb, void *userdata)
{
	if (n == 0)
		return 0;
	if (n > HARRIER_MAX_RECORD_LEN) {
		st->malformed++;
		return 0;
	}
	line[n] = '\0';
	st->records++;
	return cb(line, n, userdata);
}

/* Deliver every complete line in the buffer, then keep the partial one
 * at the front (or drop it if it is already too long). */
static int stdin_split(struct stdin_state *st, source_record_cb cb,
		       void *userdata)
{
	int rc = 0;

	while (st->len > 0 && rc >= 0) {
		char *line = st->buf + st->start;
		char *nl = memchr(line, '\n', st->len);
		size_t n;

		if (!nl)
			break;
		n = (size_t)(nl - line);
		if (st->skipping)
			st->skipping = false;
		else
			rc = stdin_deliver(st, line, n, cb, userdata);
		st->start += n + 1;
		st->len -= n + 1;
	}
	if (st->len > HARRIER_MAX_RECORD_LEN) {
		st->malformed++;
		st->skipping = true;
		st->len = 0;
	}
	if (st->start && st->len)
		memmove(st->buf, st->buf + st->start, st->len);
	st->start = 0;
	return rc < 0 ? rc : 0;
}

static int stdin_read(struct source *s, source_record_cb cb, void *userdata)
{
	struct stdin_state *st = s->state;
	int i, rc;

	if (!st->buf)
		return -EINVAL;
	if (st->eof)
		return 0;
	/* A callback error may have left complete lines behind. */
	rc = stdin_split(st, cb, userdata);
	if (rc < 0)
		return rc;
	for (i = 0; i < STDIN_READS_PER_CALL; i++) {
		struct pollfd pfd = { .fd = st->fd, .events = POLLIN };
		ssize_t n;

		rc = poll(&pfd, 1, 0);
		if (rc < 0)
			return errno == EINTR ? 1 : -errno;
		if (rc == 0)
			return 1;
		if (pfd.revents & POLLNVAL)
			return -EBADF;
		n = read(st->fd, st->buf + st->len, STDIN_BUF_CAP - st->len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK)
				return 1;
			return -errno;
		}
		if (n == 0) {
			st->eof = true;
			if (!st->skipping) {
				rc = stdin_deliver(st, st->buf, st->len, cb,
						   userdata);
				st->len = 0;
				if (rc < 0)
					return rc;
			}
			st->len = 0;
			return 0;
		}
		st->len += (size_t)n;
		rc = stdin_split(st, cb, userdata);
		if (rc < 0)
			return rc;
	}
	return 1;
}

static void stdin_stats(struct source *s, struct source_stats *ret)
{
	struct stdin_state *st = s->state;
	struct source_stats out = { st->records, 0, st->malformed };

	*ret = out;
}

static void stdin_free(struct source *s)
{
	struct stdin_state *st = s->state;

	if (st)
		free(st->buf);
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
	st->buf = malloc(STDIN_BUF_CAP + 1);
	if (!st->buf) {
		free(st);
		free(s);
		return NULL;
	}
	s->ops = &stdin_ops;
	s->state = st;
	return s;
}
