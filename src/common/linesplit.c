/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Line splitting over one bounded buffer: complete lines are delivered in
 * place, the partial tail moves to the front, and a tail that has grown
 * past the maximum without a newline is dropped up to its newline.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/linesplit.h"

int linesplit_init(struct linesplit *ls, size_t max, size_t chunk)
{
	memset(ls, 0, sizeof(*ls));
	ls->max = max;
	ls->cap = max + chunk;
	ls->buf = malloc(ls->cap + 2);
	return ls->buf ? 0 : -ENOMEM;
}

void linesplit_free(struct linesplit *ls)
{
	free(ls->buf);
	ls->buf = NULL;
	ls->len = ls->start = 0;
}

static int deliver(struct linesplit *ls, char *line, size_t n,
		   linesplit_cb cb, void *userdata)
{
	if (n == 0)
		return 0;
	if (n > ls->max) {
		ls->overlong++;
		ls->overlong_line = ls->lineno;
		return 0;
	}
	ls->lines++;
	return cb(line, n, userdata);
}

/* Every complete line; then the partial one goes to the front, or is
 * dropped when it is already longer than max. */
static int split(struct linesplit *ls, linesplit_cb cb, void *userdata)
{
	int r = 0;

	while (ls->len > 0) {
		char *line = ls->buf + ls->start;
		char *nl = memchr(line, '\n', ls->len);
		size_t n;

		if (!nl)
			break;
		n = (size_t)(nl - line);
		ls->start += n + 1;
		ls->len -= n + 1;
		ls->lineno++;
		if (ls->skipping) {
			ls->skipping = false;
			continue;
		}
		r = deliver(ls, line, n, cb, userdata);
		if (r < 0)
			return r;
	}
	if (ls->len > ls->max) {
		if (!ls->skipping) {
			ls->overlong++;
			ls->overlong_line = ls->lineno + 1;
		}
		ls->skipping = true;
		ls->len = 0;
	}
	if (ls->start && ls->len)
		memmove(ls->buf, ls->buf + ls->start, ls->len);
	ls->start = 0;
	return 0;
}

size_t linesplit_space(struct linesplit *ls, char **ret_p)
{
	if (ls->start) {
		if (ls->len)
			memmove(ls->buf, ls->buf + ls->start, ls->len);
		ls->start = 0;
	}
	*ret_p = ls->buf + ls->len;
	return ls->cap - ls->len;
}

int linesplit_commit(struct linesplit *ls, size_t n, linesplit_cb cb,
		     void *userdata)
{
	ls->len += n;
	return split(ls, cb, userdata);
}

int linesplit_feed(struct linesplit *ls, const char *data, size_t n,
		   linesplit_cb cb, void *userdata)
{
	char *p;
	size_t room, k;
	int r;

	r = split(ls, cb, userdata);
	while (r == 0 && n > 0) {
		room = linesplit_space(ls, &p);
		k = n < room ? n : room;
		memcpy(p, data, k);
		data += k;
		n -= k;
		r = linesplit_commit(ls, k, cb, userdata);
	}
	return r;
}

int linesplit_finish(struct linesplit *ls, linesplit_cb cb, void *userdata)
{
	int r;

	r = split(ls, cb, userdata);
	if (r < 0)
		return r;
	if (ls->len > 0 && !ls->skipping) {
		ls->lineno++;
		ls->buf[ls->len] = '\n';
		r = deliver(ls, ls->buf, ls->len, cb, userdata);
	}
	ls->len = 0;
	ls->start = 0;
	ls->skipping = false;
	return r;
}
