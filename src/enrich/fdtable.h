/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fd table: per process, what each fd is (file, directory, socket of
 * which family and protocol, its local and remote address), so that a
 * syscall that names only an fd (dup2(3, 0), read, write, close, sendto)
 * gets Falco's fd.* facts. Learned from the audited syscalls that create
 * or describe fds (socket, connect, bind, listen, accept, open*, dup*,
 * close), and, while the process lives, from /proc/PID/fd and
 * /proc/PID/net/{tcp,tcp6,udp,udp6,raw,raw6,unix} (socket inode ->
 * addresses). It never makes the kernel audit anything: what the loaded
 * rules audit is what it learns from. Bounded (HARRIER_FDTABLE_*), and a
 * process's fds leave with it. Never prints.
 */
#ifndef HARRIER_FDTABLE_H
#define HARRIER_FDTABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/event.h"

struct fdtable;

/* proc_root: "/proc" except in tests; offline: never read /proc (replay). */
struct fdtable *fdtable_new(const char *proc_root, bool offline);
void fdtable_free(struct fdtable *ft);

/* Learn from ev and set ev->fd to the facts of the fd it acted on (valid
 * until the next call), or leave it NULL when it names no fd. The paths
 * (already resolved) give an opened file's name. */
void fdtable_enrich(struct fdtable *ft, struct event *ev);

/* A child inherits its parent's fds at fork; a process's fds go with it. */
void fdtable_fork(struct fdtable *ft, pid_t parent, pid_t child);
void fdtable_forget(struct fdtable *ft, pid_t pid);

struct fdtable_stats {
	uint64_t entries, dropped, proc_lookups, proc_misses, stale;
};
void fdtable_get_stats(const struct fdtable *ft, struct fdtable_stats *ret);

#endif
