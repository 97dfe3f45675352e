/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which file a path record names when the path went through symlinks:
 * Falco's fd.name is the object actually opened (`ln -s /etc/shadow
 * /tmp/x; cat /tmp/x` opens /etc/shadow), while the PATH record carries
 * the name as passed and the inode of what was reached.
 *
 * Live: the name is walked in the process's own root (/proc/PID/root
 * while it or its parent lives, "/" for a host process), one readlink a
 * component, and the result is kept only when its inode is the record's
 * (the kernel's path=/dir= filters match by inode too). Results are
 * cached by (name, inode). Offline (replay), and live when the link is
 * gone: symlinks the log itself created (symlink/symlinkat records: the
 * link's CREATE item and the target as passed), forgotten when unlinked
 * or renamed over. A link that existed before the log started is unknown
 * offline: fd.name stays the name as passed. Never blocks on anything but
 * the file system of the process asked about; never prints.
 */
#ifndef HARRIER_PATHRES_H
#define HARRIER_PATHRES_H

#include <stdbool.h>
#include <stdint.h>

#include "common/event.h"

struct pathres;

/* proc_root: "/proc" except in tests; offline: never read the file
 * system (replay: the log's files are not this machine's now). */
struct pathres *pathres_new(const char *proc_root, bool offline);
void pathres_free(struct pathres *pr);

/* Learn the symlinks ev creates or removes, then point ev->paths at a
 * copy whose items have .resolved set where the name went through a
 * symlink. The copy lives until the next call. ev->container must already
 * be set (a container process's paths are inside its root). */
void pathres_enrich(struct pathres *pr, struct event *ev);

struct pathres_stats {
	uint64_t walks, cache_hits, resolved, unverified, links_known,
		links_evicted;
};
void pathres_get_stats(const struct pathres *pr, struct pathres_stats *ret);

#endif
