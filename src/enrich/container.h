/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container attribution: the container id and runtime from the text of
 * /proc/PID/cgroup (cgroup v1 and v2, systemd and cgroupfs drivers:
 * docker, containerd, CRI-O, podman, Kubernetes), and metadata (name,
 * image, pod) from the runtime's state on disk, cached per container.
 * Missing or malformed state gives unknown (NULL) fields, never a crash.
 */
#ifndef HARRIER_CONTAINER_H
#define HARRIER_CONTAINER_H

#include <stddef.h>
#include <sys/types.h>

#include "common/clock.h"
#include "common/event.h"

/* Result of parsing a cgroup file's text. */
struct cgroup_match {
	char id[65];	     /* full container id, "" when none */
	char runtime[16];    /* docker, containerd, cri-o, podman, or cri
			      * (a Kubernetes pod path with no runtime
			      * marker: Falco's name for that case) */
	char pod_uid[40];    /* "" when not a Kubernetes pod */
};

/* Parse the contents of /proc/PID/cgroup. Returns 1 when a container was
 * found (ret filled), 0 for a host process, -EINVAL for malformed text. */
int cgroup_parse(const char *text, size_t len, struct cgroup_match *ret);

struct container_cache;

/* root is "/" except in tests (prefix for /run/containerd, ...). */
struct container_cache *container_cache_new(const char *root);
void container_cache_free(struct container_cache *cc);
/* Time for the retry schedule (borrowed; NULL = the system's). */
void container_cache_set_clock(struct container_cache *cc,
			       const struct hclock *clock);

/* The cached container for a match, reading runtime state the first time.
 * Borrowed: valid until the entry is evicted (only when more than
 * HARRIER_CONTAINER_CACHE_MAX containers are cached, least recently used
 * first) or the cache is freed; callers (the engine) hold it only during
 * one event. When no runtime state existed yet (a starting container), a
 * later lookup reads it again (HARRIER_CONTAINER_RETRY_*), filling only
 * fields still NULL: pointers already handed out stay valid.
 * NULL on ENOMEM or an empty/unterminated id. */
const struct event_container *
container_cache_get(struct container_cache *cc, const struct cgroup_match *m);

/* The container whose runtime state (runc's state.json under /run/runc,
 * docker's and containerd's runc roots) names pid as its init process:
 * for a container's first process that runc init exec'd in place and
 * that was gone before its cgroup could be read. The inits are kept from
 * a scan of the states (at most HARRIER_CONTAINER_INIT_SCAN_MAX); a lookup
 * that misses 10 ms after the last scan stats every state.json and reads
 * the new or changed ones, and so does one whose event (event_ns, ns since
 * the epoch; 0 = none) came after the last scan: cheap enough for every
 * exec of a gone process.
 * 1 and *ret, or 0. */
int container_find_init(struct container_cache *cc, pid_t pid,
			uint64_t event_ns, struct cgroup_match *ret);

/* The same for an event that is an exec in the container, at exec_time_ns
 * (the event's time, ns since the epoch; 0 = now): when no runtime state
 * was found yet and the last look was not after the exec, it is read again
 * now (within the same retry budget) rather than
 * HARRIER_CONTAINER_RETRY_MS after the last try. Runtimes save their state
 * before they start the container's process, but their own setup runs in
 * the container's cgroup earlier, and the daemon handles events in
 * batches: a look made before the exec may have missed the state, one
 * made after it (by more than the kernel's coarse event clock tick) has
 * not. */
const struct event_container *
container_cache_get_exec(struct container_cache *cc,
			 const struct cgroup_match *m, uint64_t exec_time_ns);

#endif
