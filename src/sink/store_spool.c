/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Spool file layout: a 16-byte header ("HRSPOOL1" and the little-endian
 * offset up to which records are in the store), then records: u32 length,
 * u32 CRC-32 of the payload, payload. Positioned reads and writes only
 * (one thread uses a spool).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "common/strbuf.h"
#include "sink/store_spool.h"

#define SPOOL_MAGIC "HRSPOOL1"
#define SPOOL_HEADER 16
#define SPOOL_REC_HEADER 8
/* Largest record: an alert with a 256 KiB argv and its fields. */
#define SPOOL_REC_MAX (16u * 1024 * 1024)

struct spool {
	char *path;
	int fd;
	uint64_t max_bytes;
	uint64_t end;	   /* file size */
	uint64_t done;	   /* records before this are in the store */
	uint64_t cursor;   /* next record to read */
	uint64_t pending;  /* records after done */
	uint64_t read_n;   /* records read since the last commit */
	unsigned char *buf;
	size_t cap;
};

static void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_u64(unsigned char *p, uint64_t v)
{
	put_u32(p, (uint32_t)v);
	put_u32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t get_u64(const unsigned char *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static int full_pread(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;
	ssize_t k;

	while (got < n) {
		k = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			return -EIO; /* shorter than its header said */
		got += (size_t)k;
	}
	return 0;
}

static int full_pwrite(int fd, const void *buf, size_t n, uint64_t off)
{
	size_t done = 0;
	ssize_t k;

	while (done < n) {
		k = pwrite(fd, (const char *)buf + done, n - done,
			   (off_t)(off + done));
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)k;
	}
	return 0;
}

static int grow(struct spool *sp, size_t n)
{
	unsigned char *p;

	if (n <= sp->cap)
		return 0;
	p = realloc(sp->buf, n);
	if (!p)
		return -ENOMEM;
	sp->buf = p;
	sp->cap = n;
	return 0;
}

/* Read the record header at off: 1 and the payload length when a whole,
 * intact record starts there, 0 when not. */
static int rec_at(struct spool *sp, uint64_t off, size_t *ret_len)
{
	unsigned char h[SPOOL_REC_HEADER];
	uint32_t len;

	if (sp->end - off < SPOOL_REC_HEADER)
		return 0;
	if (full_pread(sp->fd, h, sizeof(h), off) < 0)
		return 0;
	len = get_u32(h);
	if (len == 0 || len > SPOOL_REC_MAX ||
	    sp->end - off - SPOOL_REC_HEADER < len)
		return 0;
	if (grow(sp, len) < 0)
		return -ENOMEM;
	if (full_pread(sp->fd, sp->buf, len, off + SPOOL_REC_HEADER) < 0)
		return 0;
	if ((uint32_t)crc32(0L, sp->buf, len) != get_u32(h + 4))
		return 0;
	*ret_len = len;
	return 1;
}

static int write_done(struct spool *sp)
{
	unsigned char d[8];

	put_u64(d, sp->done);
	return full_pwrite(sp->fd, d, sizeof(d), 8);
}

int spool_open(const char *path, uint64_t max_bytes, struct spool **ret,
	       uint64_t *ret_cut, char **ret_err)
{
	unsigned char h[SPOOL_HEADER];
	struct spool *sp;
	struct stat st;
	uint64_t off;
	size_t len;
	int r;

	if (ret_cut)
		*ret_cut = 0;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	sp->fd = -1;
	sp->max_bytes = max_bytes;
	sp->path = strdup(path);
	sp->fd = open(path,
		      O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		      0640);
	if (!sp->path || sp->fd < 0) {
		r = sp->path ? -errno : -ENOMEM;
		err_set(ret_err, "cannot open spool %s: %s", path,
			strerror(-r));
		goto fail;
	}
	if (flock(sp->fd, LOCK_EX | LOCK_NB) < 0) {
		r = -errno;
		err_set(ret_err, "spool %s is in use by another process",
			path);
		goto fail;
	}
	if (fstat(sp->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = -EINVAL;
		err_set(ret_err, "spool %s is not a regular file", path);
		goto fail;
	}
	sp->end = (uint64_t)st.st_size;
	if (sp->end < SPOOL_HEADER ||
	    full_pread(sp->fd, h, sizeof(h), 0) < 0 ||
	    memcmp(h, SPOOL_MAGIC, 8) != 0) {
		if (sp->end > 0 && ret_cut)
			*ret_cut = sp->end;
		/* new, or not ours: start over */
		memcpy(h, SPOOL_MAGIC, 8);
		put_u64(h + 8, SPOOL_HEADER);
		if (ftruncate(sp->fd, 0) < 0 ||
		    full_pwrite(sp->fd, h, sizeof(h), 0) < 0) {
			r = -errno;
			err_set(ret_err, "cannot write spool %s: %s", path,
				strerror(-r));
			goto fail;
		}
		sp->end = SPOOL_HEADER;
	}
	sp->done = get_u64(h + 8);
	if (sp->done < SPOOL_HEADER || sp->done > sp->end)
		sp->done = SPOOL_HEADER;
	/* count what is left, and cut a torn tail */
	for (off = sp->done; (r = rec_at(sp, off, &len)) == 1;
	     off += SPOOL_REC_HEADER + len)
		sp->pending++;
	if (r < 0)
		goto fail;
	if (off < sp->end) {
		if (ret_cut)
			*ret_cut = sp->end - off;
		if (ftruncate(sp->fd, (off_t)off) < 0) {
			r = -errno;
			err_set(ret_err, "cannot repair spool %s: %s", path,
				strerror(-r));
			goto fail;
		}
		sp->end = off;
	}
	sp->cursor = sp->done;
	*ret = sp;
	return 0;
fail:
	spool_close(sp);
	return r;
}

void spool_close(struct spool *sp)
{
	if (!sp)
		return;
	if (sp->fd >= 0)
		(void)close(sp->fd);
	free(sp->buf);
	free(sp->path);
	free(sp);
}

const char *spool_path(const struct spool *sp)
{
	return sp->path;
}

int spool_append(struct spool *sp, const void *rec, size_t len)
{
	unsigned char h[SPOOL_REC_HEADER];
	uint64_t was = sp->end;
	int r;

	if (len == 0 || len > SPOOL_REC_MAX)
		return -EINVAL;
	if (sp->end - SPOOL_HEADER + SPOOL_REC_HEADER + len > sp->max_bytes)
		return -ENOSPC;
	put_u32(h, (uint32_t)len);
	put_u32(h + 4, (uint32_t)crc32(0L, rec, (uInt)len));
	r = full_pwrite(sp->fd, h, sizeof(h), was);
	if (r == 0)
		r = full_pwrite(sp->fd, rec, len, was + sizeof(h));
	if (r < 0) {
		/* no half record left behind for the next append */
		(void)ftruncate(sp->fd, (off_t)was);
		return r;
	}
	sp->end = was + SPOOL_REC_HEADER + len;
	sp->pending++;
	return 0;
}

int spool_sync(struct spool *sp)
{
	return fdatasync(sp->fd) < 0 ? -errno : 0;
}

int spool_next(struct spool *sp, const void **ret_p, size_t *ret_len)
{
	size_t len;
	int r;

	if (sp->cursor >= sp->end)
		return 0;
	r = rec_at(sp, sp->cursor, &len);
	if (r <= 0)
		return r < 0 ? r : -EIO;
	sp->cursor += SPOOL_REC_HEADER + len;
	sp->read_n++;
	*ret_p = sp->buf;
	*ret_len = len;
	return 1;
}

int spool_commit(struct spool *sp)
{
	sp->done = sp->cursor;
	sp->pending -= sp->read_n;
	sp->read_n = 0;
	if (sp->done >= sp->end) {
		/* all written: empty the file (header only) */
		if (ftruncate(sp->fd, SPOOL_HEADER) < 0)
			return -errno;
		sp->end = sp->done = sp->cursor = SPOOL_HEADER;
		sp->pending = 0;
	}
	return write_done(sp);
}

void spool_rewind(struct spool *sp)
{
	sp->cursor = sp->done;
	sp->read_n = 0;
}

uint64_t spool_pending(const struct spool *sp)
{
	return sp ? sp->pending : 0;
}

uint64_t spool_bytes(const struct spool *sp)
{
	return sp ? sp->end - SPOOL_HEADER : 0;
}
