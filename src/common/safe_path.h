/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whether a file may be trusted by a daemon running as root: harrierd
 * reads its config and rules (what to detect) and writes its store (the
 * evidence); a user who can change either can blind it or erase their
 * traces. Trusted owners are root and the process's own user (a replay
 * run by a user trusts that user's files).
 *
 * The path is walked component by component. Symlinks are followed
 * (Kubernetes ConfigMaps are symlinks into ..data), but every directory
 * on the way, the ones holding the links too, must be owned by a trusted
 * user and not writable by group or others; a root-owned sticky directory
 * (/tmp) passes as an ancestor, since nobody else may rename or replace
 * root's entries there.
 */
#ifndef HARRIER_SAFE_PATH_H
#define HARRIER_SAFE_PATH_H

#include <stdbool.h>
#include <sys/stat.h>

/* A regular file that may be trusted, and every directory on its path.
 * 0, or -EPERM (untrusted), -ENOENT, -ELOOP, ... with *ret_err saying
 * which component and why ("directory /srv/rules is writable by group or
 * others (mode 0777)"); the caller owns it. */
int safe_path_check_file(const char *path, char **ret_err);

/* A directory that may be trusted, and every directory above it. strict:
 * the directory itself must not be writable by anyone else even when it
 * is sticky (files planted there would be opened by name: a store's
 * -wal and -shm). */
int safe_path_check_dir(const char *path, bool strict, char **ret_err);

/* The test for one inode: owned by root or this process's user and not
 * writable by group or others. *ret_err names path. -EPERM if not. */
int safe_path_check_stat(const char *path, const struct stat *st,
			 char **ret_err);

#endif
