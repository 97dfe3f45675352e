/* SPDX-License-Identifier: Apache-2.0 */
/*
 * How a stage that must not know the process table (the engine) asks an
 * event about its process and ancestors: an interface the enricher puts on
 * the event. The engine depends on common/ only; the process table
 * (src/enrich/proctable.c) is one implementation, a test can be another.
 */
#ifndef HARRIER_LINEAGE_H
#define HARRIER_LINEAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct event_container;

/* A borrowed view of one process: valid until the provider next changes
 * (the next lookup or event). */
struct proc_view {
	pid_t pid, ppid;
	pid_t vpid; /* 0 unknown */
	pid_t sid;  /* 0 unknown */
	uint32_t uid;
	uint64_t start_time; /* clock ticks since boot (/proc/PID/stat 22) */
	const char *comm;
	const char *exe;     /* absolute path of the executable */
	const char *argv0;   /* Falco's proc.exe */
	const char *args;    /* arguments after argv[0], space-joined */
	const char *cmdline; /* "comm args" as Falco's proc.cmdline */
	const char *cwd;
	const struct event_container *container; /* NULL = host */
	uint64_t start_ns; /* when it started, ns since the epoch; 0 unknown */
	pid_t pgid, vpgid; /* process group, and in its pid namespace; 0 unknown */
	bool has_caps;	   /* capability sets known (/proc status, BPRM_FCAPS,
			    * CAPSET) */
	uint64_t cap_inh, cap_prm, cap_eff;
};

/* Facts about a process's executable, looked up when a rule asks (they
 * cost a stat and a mountinfo read). -1 unknown for the tri-states. */
struct proc_exe_facts {
	uint64_t ino;	   /* 0 unknown */
	int64_t mtime_ns, ctime_ns; /* 0 unknown */
	int upper_layer;   /* overlayfs: the file is in the upper (written in
			    * the container) layer */
	int from_memfd;	   /* exe is a memfd ("/memfd:NAME (deleted)") */
};

struct event_lineage {
	/* The n-th ancestor of pid (n = 1 parent, 2 grandparent; 0 = the
	 * process itself) into *ret. 0, or -ENOENT when unknown. */
	int (*ancestor)(void *ctx, pid_t pid, unsigned int n,
			struct proc_view *ret);
	void *ctx;
	/* The environment of pid, NUL-separated "NAME=value" strings, len
	 * bytes, borrowed like a view; -ENOENT when unknown (gone, offline,
	 * unreadable). NULL when the provider has none. */
	int (*environ)(void *ctx, pid_t pid, const char **ret, size_t *ret_len);
	/* Executable facts of pid. NULL when the provider has none. */
	int (*exe_facts)(void *ctx, pid_t pid, struct proc_exe_facts *ret);
};

#endif
