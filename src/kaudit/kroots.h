/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container roots, found the ways a root shows itself to harrierd: a
 * runtime starting a container (runc/crun create or run with its bundle:
 * the bundle's config.json names the root), a mount of a directory that
 * has the shape of a root, and the root directory of a running process
 * that is not ours. A root is returned as a path in harrierd's own mount
 * namespace (what kernel path= and dir= rules resolve), checked to be the
 * same directory. Reads files under /proc and bundles; never changes
 * anything, never talks to the kernel's audit.
 */
#ifndef HARRIER_KAUDIT_KROOTS_H
#define HARRIER_KAUDIT_KROOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/event.h"

/* The root a runtime's successful execve is about to use, from its
 * argv (`runc [global options] create|run [--bundle DIR] ID`, also crun
 * and youki) and cwd (the bundle's default). 0 and *ret_root (owned) and
 * *ret_cgroup (owned, NULL when the bundle names none: the container's
 * cgroup as a /proc/PID/cgroup line, from linux.cgroupsPath), or
 * -ENOENT when this is not a container start or the bundle has no usable
 * root; -ENOMEM. */
int kroots_from_runtime(const struct event *ev, char **ret_root,
			char **ret_cgroup);

/* The directory a successful mount mounted on, when it has the shape of
 * a container root (etc/ and bin/ or usr/ in it) and is not ours. 0 and
 * *ret_root, -ENOENT, -ENOMEM. */
int kroots_from_mount(const struct event *ev, char **ret_root);

/* The host-visible path of pid's root directory: its root mount found in
 * our mount table (same device, a prefix of the same file system path),
 * checked to be the same directory (device and inode). 0 and *ret_root;
 * -ENOENT when pid's root is ours, it is gone, or no path of ours reaches
 * it (then only /proc/PID/root does); -ENOMEM. proc is "/proc". */
int kroots_of_pid(const char *proc, pid_t pid, char **ret_root);

/* Has path the shape of a system's root (an etc directory)? Processes
 * chrooted elsewhere have no files the path filters are about. */
bool kroots_is_root(const char *path);

/* Device and inode of pid's root directory (for telling roots apart
 * without mapping them). 0 or -errno. */
int kroots_pid_root_id(const char *proc, pid_t pid, dev_t *ret_dev,
		       ino_t *ret_ino);

/* Every pid under proc whose root directory is not ours, once per
 * distinct root (device, inode): cb(pid, dev, ino, ud). Returns how many
 * roots, or -errno when proc cannot be read. */
int kroots_scan(const char *proc,
		void (*cb)(pid_t pid, dev_t dev, ino_t ino, void *ud),
		void *ud);

#endif
