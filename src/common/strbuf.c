/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Growable buffer and escapers. Never prints; allocation failure sets a
 * flag instead of aborting so that one huge field cannot kill the daemon.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strbuf.h"

static char strbuf_empty[1];

void strbuf_init(struct strbuf *sb)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
	sb->failed = false;
}

void strbuf_free(struct strbuf *sb)
{
	if (!sb)
		return;
	free(sb->buf);
	strbuf_init(sb);
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
	sb->failed = false;
}

static bool strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need, cap;
	char *p;

	if (sb->failed)
		return false;
	if (extra > SIZE_MAX - sb->len - 1) {
		sb->failed = true;
		return false;
	}
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return true;
	cap = sb->cap ? sb->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(sb->buf, cap);
	if (!p) {
		sb->failed = true;
		return false;
	}
	sb->buf = p;
	sb->cap = cap;
	return true;
}

void strbuf_append(struct strbuf *sb, const char *s, size_t n)
{
	if (!strbuf_grow(sb, n))
		return;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void strbuf_appends(struct strbuf *sb, const char *s)
{
	strbuf_append(sb, s, strlen(s));
}

void strbuf_appendc(struct strbuf *sb, char c)
{
	strbuf_append(sb, &c, 1);
}

void strbuf_appendf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !strbuf_grow(sb, (size_t)n)) {
		sb->failed = true;
		return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void strbuf_append_json(struct strbuf *sb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, len;

	while (i < n) {
		unsigned char c = p[i];

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x7f) {
			run++;
			i++;
			continue;
		}
		if (run) {
			strbuf_append(sb, s + i - run, run);
			run = 0;
		}
		switch (c) {
		case '"':
			strbuf_append(sb, "\\\"", 2);
			i++;
			continue;
		case '\\':
			strbuf_append(sb, "\\\\", 2);
			i++;
			continue;
		case '\n':
			strbuf_append(sb, "\\n", 2);
			i++;
			continue;
		case '\t':
			strbuf_append(sb, "\\t", 2);
			i++;
			continue;
		case '\r':
			strbuf_append(sb, "\\r", 2);
			i++;
			continue;
		default:
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			strbuf_appendf(sb, "\\u%04x", c);
			i++;
			continue;
		}
		len = utf8_seq_len(p + i, n - i);
		if (len == 0) {
			strbuf_append(sb, "\\ufffd", 6);
			i++;
		} else {
			strbuf_append(sb, s + i, len);
			i += len;
		}
	}
	if (run)
		strbuf_append(sb, s + i - run, run);
}

/* Code points a terminal or a reader must not get raw: C1 controls (CSI
 * U+009B starts an escape sequence on some terminals), the line and
 * paragraph separators, and the bidirectional overrides and isolates
 * ("Trojan Source": text that reads in another order than it is). */
static bool display_unsafe_cp(unsigned int cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
	       cp == 0x200f || cp == 0x061c;
}

static unsigned int utf8_cp(const unsigned char *s, size_t len)
{
	if (len == 2)
		return ((s[0] & 0x1fu) << 6) | (s[1] & 0x3fu);
	if (len == 3)
		return ((s[0] & 0x0fu) << 12) | ((s[1] & 0x3fu) << 6) |
		       (s[2] & 0x3fu);
	return ((s[0] & 0x07u) << 18) | ((s[1] & 0x3fu) << 12) |
	       ((s[2] & 0x3fu) << 6) | (s[3] & 0x3fu);
}

/* Bytes at s[0..] to escape as \xNN: 0 when s starts a character that
 * may be shown as it is (*ret_len its length), else how many bytes. */
static size_t display_bad_len(const unsigned char *s, size_t n,
			      size_t *ret_len)
{
	size_t len;

	if (s[0] < 0x80) {
		*ret_len = 1;
		return s[0] < 0x20 || s[0] == 0x7f ? 1 : 0;
	}
	len = utf8_seq_len(s, n);
	if (len == 0)
		return 1;
	*ret_len = len;
	return display_unsafe_cp(utf8_cp(s, len)) ? len : 0;
}

void strbuf_append_escaped(struct strbuf *sb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, len, bad, k;

	while (i < n) {
		bad = display_bad_len(p + i, n - i, &len);
		if (!bad && p[i] != '\\') {
			run += len;
			i += len;
			continue;
		}
		if (run) {
			strbuf_append(sb, s + i - run, run);
			run = 0;
		}
		if (!bad) {
			strbuf_append(sb, "\\\\", 2);
			i++;
			continue;
		}
		for (k = 0; k < bad; k++)
			strbuf_appendf(sb, "\\x%02x", p[i + k]);
		i += bad;
	}
	if (run)
		strbuf_append(sb, s + i - run, run);
}

bool strbuf_escaped_is_clean(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len;

	while (i < n) {
		if (display_bad_len(p + i, n - i, &len))
			return false;
		i += len;
	}
	return true;
}

const char *strbuf_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : strbuf_empty;
}

bool strbuf_failed(const struct strbuf *sb)
{
	return sb->failed;
}

char *strbuf_steal(struct strbuf *sb)
{
	char *p = sb->buf;

	if (!p)
		p = strdup("");
	strbuf_init(sb);
	return p;
}

static char *str_vprintf(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

static char *str_vprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	char *s;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	(void)vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

void strv_free(char **v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

size_t str_pack_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

char *str_pack(char **at, const char *s)
{
	char *d = *at;
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	memcpy(d, s, n);
	*at = d + n;
	return d;
}

/* The char * member of obj at offset off: its value, and its place. */
static const char *member(const void *obj, size_t off)
{
	return *(char *const *)(const void *)((const char *)obj + off);
}

static char **member_at(void *obj, size_t off)
{
	return (char **)(void *)((char *)obj + off);
}

size_t str_pack_members_size(const void *src, const size_t *offs, size_t n)
{
	size_t i, size = 0;

	for (i = 0; i < n; i++)
		size += str_pack_size(member(src, offs[i]));
	return size;
}

void str_pack_members(void *dst, const void *src, const size_t *offs,
		      size_t n, char **at)
{
	size_t i;

	for (i = 0; i < n; i++)
		*member_at(dst, offs[i]) = str_pack(at, member(src, offs[i]));
}

void str_free_members(void *obj, const size_t *offs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(*member_at(obj, offs[i]));
}

char *str_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = str_vprintf(fmt, ap);
	va_end(ap);
	return s;
}

void err_set(char **ret_err, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (!ret_err)
		return;
	va_start(ap, fmt);
	s = str_vprintf(fmt, ap);
	va_end(ap);
	if (!s)
		return;
	free(*ret_err);
	*ret_err = s;
}

int parse_u64(const char *s, int base, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end)
		return -EINVAL;
	*ret = (uint64_t)v;
	return 0;
}

int parse_i64(const char *s, int base, int64_t *ret)
{
	long long v;
	char *end;

	if (!s || !*s || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, base);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end)
		return -EINVAL;
	*ret = (int64_t)v;
	return 0;
}

int read_file_max(const char *path, size_t max, int open_flags,
		  char **ret_buf, size_t *ret_len)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | open_flags);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto out;
	}
	if (st.st_size < 0 || (uint64_t)st.st_size > max) {
		r = -EFBIG;
		goto out;
	}
	/* The file may grow between fstat and read: room for one byte more
	 * than max, to notice. */
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap + 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t k;

		if (len == cap) {
			char *nb;

			if (cap > max) {
				r = -EFBIG;
				goto out;
			}
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				r = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		k = read(fd, buf + len, cap - len);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	if (len > max) {
		r = -EFBIG;
		goto out;
	}
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_len = len;
	buf = NULL;
	r = 0;
out:
	free(buf);
	(void)close(fd);
	return r;
}
