/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit.log replay: reads a log file (or stdin for "-") in large blocks and
 * hands out one record per line (common/linesplit: lines longer than
 * HARRIER_MAX_RECORD_LEN are dropped whole and counted as malformed).
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
#include "common/linesplit.h"
#include "source/source.h"

#define FILE_READ_BLOCK (256 * 1024)

struct file_source {
	char *path;
	int fd;
	bool own_fd;
	struct linesplit lines;
	bool eof;
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

static int file_read(struct source *s, source_record_cb cb, void *userdata)
{
	struct file_source *fs = s->state;
	size_t room;
	ssize_t n;
	char *p;
	int r;

	if (fs->eof)
		return 0;
	room = linesplit_space(&fs->lines, &p);
	do {
		n = read(fs->fd, p, room);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN)
			return 1;
		return -errno;
	}
	if (n == 0) {
		fs->eof = true;
		return linesplit_finish(&fs->lines, cb,
					userdata);
	}
	r = linesplit_commit(&fs->lines, (size_t)n, cb,
			     userdata);
	return r < 0 ? r : 1;
}

static void file_stats(struct source *s, struct source_stats *ret)
{
	struct file_source *fs = s->state;
	struct source_stats st = { fs->lines.lines, 0, fs->lines.overlong };

	*ret = st;
}

void source_file_position(const struct source *s, uint64_t *ret_line,
			  uint64_t *ret_overlong, uint64_t *ret_overlong_line)
{
	const struct file_source *fs = s->state;

	*ret_line = fs->lines.lineno;
	*ret_overlong = fs->lines.overlong;
	*ret_overlong_line = fs->lines.overlong_line;
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
		linesplit_free(&fs->lines);
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
	if (!fs->path || linesplit_init(&fs->lines, HARRIER_MAX_RECORD_LEN,
					FILE_READ_BLOCK) < 0)
		goto fail;
	return s;
fail:
	if (fs) {
		linesplit_free(&fs->lines);
		free(fs->path);
		free(fs);
	}
	free(s);
	return NULL;
}
