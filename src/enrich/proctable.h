/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process table: pid -> exe, comm, cmdline, cwd, uid, start time,
 * parent, container. Seeded from /proc, kept current from execve/clone/exit
 * events, bounded (HARRIER_PROCTABLE_MAX, least recently used evicted),
 * robust to pid reuse through the start time. Lookups never block on
 * anything but /proc of the pid asked about.
 */
#ifndef HARRIER_PROCTABLE_H
#define HARRIER_PROCTABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/clock.h"
#include "common/event.h"
#include "common/lineage.h"

struct proctable;


/* proc_root is "/proc" except in tests. Container runtime state is read
 * under the directory that holds proc_root ("/" for "/proc", DIR for a
 * test's "DIR/proc"). */
struct proctable *proctable_new(const char *proc_root);
/* A table kept from events alone, never reading /proc or runtime state:
 * for replay, where the log's pids are not the processes running now.
 * Lineage works for processes whose execve/clone the log contains. */
struct proctable *proctable_new_offline(void);
void proctable_free(struct proctable *pt);
/* Read time from clock (borrowed; NULL = the system's), for the table and
 * its container cache: tests move a clock_fake instead of sleeping. */
void proctable_set_clock(struct proctable *pt, const struct hclock *clock);

/* Read every /proc/PID now. Returns the number of processes read. */
int proctable_seed(struct proctable *pt);

/* Update from an event (execve, clone/fork/vfork, exit/exit_group, and any
 * event with a pid not yet known), then fill ev->container, ev->vpid,
 * ev->sid and ev->lineage (this table). */
void proctable_enrich(struct proctable *pt, struct event *ev);

/* What the runtime said when it started a container: pid (the runtime's
 * init, about to become the container's first process) is in the
 * cgroup described by cgroup (text in /proc/PID/cgroup's format). Used
 * when the table has no container for pid: the first process is often
 * gone before its own events are processed. 0, or -errno. */
int proctable_hint_cgroup(struct proctable *pt, pid_t pid, const char *cgroup);

/* Entry for pid (reading /proc when unknown). 0 or -ENOENT. */
int proctable_get(struct proctable *pt, pid_t pid, struct proc_view *ret);
/* The n-th ancestor of pid (n = 1 parent, 2 grandparent; 0 = itself).
 * 0 or -ENOENT. */
int proctable_ancestor(struct proctable *pt, pid_t pid, unsigned int n,
		       struct proc_view *ret);

struct proctable_stats {
	uint64_t entries, evictions, proc_reads, proc_misses;
	uint64_t attributed_from_self, attributed_from_parent;
};
void proctable_get_stats(const struct proctable *pt,
			 struct proctable_stats *ret);

#endif
