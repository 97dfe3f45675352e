/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit.log replay: reads a log file (or stdin for "-") in large blocks and
 * hands out one record per line. Lines longer than HARRIER_MAX_RECORD_LEN
 * are skipped and counted as malformed, never truncated into a record.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/limits.h"
#include "source/source.h"

#define FILE_READ_BLOCK (256 * 1024)

struct file_source {
	char *path;
	int fd;
	bool own_fd;
	char *buf;
	size_t len;	  /* bytes in buf */
	bool skipping;	  /* inside an over-long line */
	bool eof;
	struct source_stats stats;
};

static int file_start(struct source *s, char **ret_err)
{
	struct file_source *fs = s->state;
	char msg[512];

	if (strcmp(fs->path, "-") == 0) {
		fs->fd = STDIN_FILENO;
		fs->own_fd = false;
		return 0;
	}
	fs->fd = open(fs->path, O_RDONLY | O_CLOEXEC);
	if (fs->fd < 0) {
		int err = errno;

		(void)snprintf(msg, sizeof(msg), "cannot open %s: %s",
			       fs->path, strerror(err));
		if (ret_err)
			*ret_err = strdup(msg);
		return -err;
	}
	fs->own_fd = true;
	(void)posix_fadvise(fs->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return 0;
}

static int file_get_fd(struct source *s)
{
	struct file_source *fs = s->state;

	return fs->fd;
}

/* Deliver every complete line in buf; keep the partial tail. */
static int file_deliver(struct file_source *fs, source_record_cb cb,
			void *userdata)
{
	char *p = fs->buf, *end = fs->buf + fs->len, *nl;
	int r;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p)))) {
		size_t n = (size_t)(nl - p);

		if (fs->skipping) {
			fs->skipping = false;
		} else if (n > 0) {
			if (n > HARRIER_MAX_RECORD_LEN) {
				fs->stats.malformed++;
			} else {
				fs->stats.records++;
				r = cb(p, n, userdata);
				if (r < 0)
					return r;
			}
		}
		p = nl + 1;
	}
	fs->len = (size_t)(end - p);
	memmove(fs->buf, p, fs->len);
	if (fs->len > HARRIER_MAX_RECORD_LEN) {
		/* No newline within the limit: drop it up to the next one. */
		if (!fs->skipping)
			fs->stats.malformed++;
		fs->skipping = true;
		fs->len = 0;
	}
	return 0;
}

static int file_read(struct source *s, source_record_cb cb, void *userdata)
{
	struct file_source *fs = s->state;
	ssize_t n;
	int r;

	if (fs->eof)
		return 0;
	do {
		n = read(fs->fd, fs->buf + fs->len,
			 FILE_READ_BLOCK + HARRIER_MAX_RECORD_LEN + 1 -
				 fs->len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN)
			return 1;
		return -errno;
	}
	if (n == 0) {
		fs->eof = true;
		/* A last line without newline is still a record. */
		if (fs->len > 0 && !fs->skipping) {
			fs->buf[fs->len] = '\n';
			fs->len++;
			r = file_deliver(fs, cb, userdata);
			if (r < 0)
				return r;
		}
		fs->len = 0;
		return 0;
	}
	fs->len += (size_t)n;
	r = file_deliver(fs, cb, userdata);
	return r < 0 ? r : 1;
}

static void file_stats(struct source *s, struct source_stats *ret)
{
	struct file_source *fs = s->state;

	*ret = fs->stats;
}

static void file_free(struct source *s)
{
	struct file_source *fs;

	if (!s)
		return;
	fs = s->state;
	if (fs) {
		if (fs->own_fd && fs->fd >= 0)
			(void)close(fs->fd);
		free(fs->buf);
		free(fs->path);
		free(fs);
	}
	free(s);
}

static const struct source_ops file_ops = {
	.name = "file",
	.start = file_start,
	.get_fd = file_get_fd,
	.read = file_read,
	.stats = file_stats,
	.stop = NULL,
	.free = file_free,
};

struct source *source_file_new(const char *path)
{
	struct source *s = calloc(1, sizeof(*s));
	struct file_source *fs = calloc(1, sizeof(*fs));

	if (!s || !fs)
		goto fail;
	s->ops = &file_ops;
	s->state = fs;
	fs->fd = -1;
	fs->path = strdup(path);
	/* +1: room for the newline added to an unterminated last line. */
	fs->buf = malloc(FILE_READ_BLOCK + HARRIER_MAX_RECORD_LEN + 2);
	if (!fs->path || !fs->buf)
		goto fail;
	return s;
fail:
	if (fs) {
		free(fs->buf);
		free(fs->path);
		free(fs);
	}
	free(s);
	return NULL;
}
