/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The path walk of safe_path.h: a resolved prefix (real directories
 * only) and a queue of components still to walk; a symlink's target is
 * spliced in front of the queue. lstat on every step, no realpath():
 * the directory a link lives in is checked like every other.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/safe_path.h"
#include "common/strbuf.h"

/* As the kernel's limit on links followed in one lookup. */
#define SAFE_PATH_MAX_LINKS 40

static bool trusted_uid(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

int safe_path_check_stat(const char *path, const struct stat *st,
			 char **ret_err)
{
	const char *what = S_ISDIR(st->st_mode) ? "directory" : "file";

	if (!trusted_uid(st->st_uid)) {
		err_set(ret_err, "%s %s is owned by uid %u, not root", what,
			path, (unsigned int)st->st_uid);
		return -EPERM;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		err_set(ret_err,
			"%s %s is writable by group or others (mode %04o)",
			what, path, (unsigned int)(st->st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/* A directory on the way: as safe_path_check_stat, or root-owned and
 * sticky when not strict. */
static int check_dir(const char *path, const struct stat *st, bool strict,
		     char **ret_err)
{
	if (!strict && (st->st_mode & S_ISVTX) && st->st_uid == 0)
		return 0;
	return safe_path_check_stat(path, st, ret_err);
}

/* Walk path; the last component must be a directory (want_dir) or a
 * regular file. */
static int walk(const char *path, bool want_dir, bool strict_last,
		char **ret_err)
{
	char resolved[PATH_MAX], rest[PATH_MAX], link[PATH_MAX];
	char comp[NAME_MAX + 1], next[PATH_MAX];
	size_t rlen, clen;
	unsigned int links = 0;
	struct stat st;
	const char *p;
	ssize_t n;
	int w, r;

	if (!path || !*path) {
		err_set(ret_err, "empty path");
		return -EINVAL;
	}
	if (path[0] == '/') {
		resolved[0] = '\0';
		w = snprintf(rest, sizeof(rest), "%s", path);
	} else {
		if (!getcwd(resolved, sizeof(resolved))) {
			r = -errno;
			err_set(ret_err, "cannot get the working directory: %s",
				strerror(-r));
			return r;
		}
		if (strcmp(resolved, "/") == 0)
			resolved[0] = '\0';
		w = snprintf(rest, sizeof(rest), "%s", path);
	}
	if (w < 0 || (size_t)w >= sizeof(rest))
		goto too_long;
	/* the root itself */
	if (lstat("/", &st) < 0) {
		r = -errno;
		err_set(ret_err, "/: %s", strerror(-r));
		return r;
	}
	r = check_dir("/", &st, false, ret_err);
	if (r < 0)
		return r;
	if (resolved[0]) {
		/* a relative path: the working directory's own path first */
		char cwd[PATH_MAX];

		w = snprintf(cwd, sizeof(cwd), "%s/%s", resolved, rest);
		if (w < 0 || (size_t)w >= sizeof(cwd))
			goto too_long;
		memcpy(rest, cwd, (size_t)w + 1);
		resolved[0] = '\0';
	}
	for (;;) {
		p = rest;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		clen = strcspn(p, "/");
		if (clen > NAME_MAX)
			goto too_long;
		memcpy(comp, p, clen);
		comp[clen] = '\0';
		p += clen;
		memmove(rest, p, strlen(p) + 1);
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			char *slash = strrchr(resolved, '/');

			if (slash)
				*slash = '\0';
			continue;
		}
		rlen = strlen(resolved);
		if (rlen + 1 + clen >= sizeof(next))
			goto too_long;
		memcpy(next, resolved, rlen);
		next[rlen] = '/';
		memcpy(next + rlen + 1, comp, clen + 1);
		if (lstat(next, &st) < 0) {
			r = -errno;
			err_set(ret_err, "%s: %s", next, strerror(-r));
			return r;
		}
		if (S_ISLNK(st.st_mode)) {
			if (++links > SAFE_PATH_MAX_LINKS) {
				err_set(ret_err, "%s: too many symbolic links",
					path);
				return -ELOOP;
			}
			n = readlink(next, link, sizeof(link) - 1);
			if (n < 0) {
				r = -errno;
				err_set(ret_err, "%s: %s", next, strerror(-r));
				return r;
			}
			link[n] = '\0';
			w = snprintf(next, sizeof(next), "%s/%s", link, rest);
			if (w < 0 || (size_t)w >= sizeof(next))
				goto too_long;
			memcpy(rest, next, (size_t)w + 1);
			if (link[0] == '/')
				resolved[0] = '\0';
			continue;
		}
		/* is there more to walk after this one? */
		p = rest;
		while (*p == '/')
			p++;
		if (S_ISDIR(st.st_mode)) {
			/* strict: the last directory only */
			r = check_dir(next, &st, !*p && strict_last, ret_err);
			if (r < 0)
				return r;
			memcpy(resolved, next, strlen(next) + 1);
			if (!*p && !want_dir) {
				err_set(ret_err, "%s is a directory", next);
				return -EISDIR;
			}
			continue;
		}
		if (*p) {
			err_set(ret_err, "%s is not a directory", next);
			return -ENOTDIR;
		}
		if (want_dir) {
			err_set(ret_err, "%s is not a directory", next);
			return -ENOTDIR;
		}
		if (!S_ISREG(st.st_mode)) {
			err_set(ret_err, "%s is not a regular file", next);
			return -EINVAL;
		}
		return safe_path_check_stat(next, &st, ret_err);
	}
	if (!want_dir) {
		err_set(ret_err, "%s is a directory", path);
		return -EISDIR;
	}
	return 0;
too_long:
	err_set(ret_err, "%s: path too long", path);
	return -ENAMETOOLONG;
}

int safe_path_check_file(const char *path, char **ret_err)
{
	return walk(path, false, false, ret_err);
}

int safe_path_check_dir(const char *path, bool strict, char **ret_err)
{
	return walk(path, true, strict, ret_err);
}
