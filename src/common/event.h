/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct event: one assembled audit event, the unit that flows from the
 * assembler through the enricher and engine to the sinks. All numbers are
 * interpreted once, by the assembler; later stages only read. An event and
 * every string in it are borrowed: valid only during the callback that
 * hands it over. Copy what you keep.
 */
#ifndef HARRIER_EVENT_H
#define HARRIER_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/limits.h"

/* "unset" for ids that the kernel prints as -1 / 4294967295 (auid, ses). */
#define EVENT_ID_UNSET ((uint32_t)-1)

enum event_kind {
	EVENT_KIND_SYSCALL, /* has a SYSCALL record */
	EVENT_KIND_OTHER,   /* USER_*, CONFIG_CHANGE, ANOM_*, ... */
};

/* One PATH record. */
struct event_path {
	const char *name;     /* absolute, normalised; NULL if the record had
			       * no name (name=(null)) */
	const char *raw_name; /* as the record gave it (decoded from hex) */
	const char *nametype; /* NORMAL, PARENT, CREATE, DELETE, UNKNOWN ... */
	uint64_t inode;
	bool has_inode;
	uint32_t mode; /* st_mode incl. type bits */
	bool has_mode;
	uint32_t ouid, ogid;
	bool has_owner;
	uint32_t dev; /* makedev(major, minor) of the record's dev= */
	bool has_dev;
	const char *resolved; /* the object the syscall reached when name went
			       * through a symlink (set by the enricher,
			       * src/enrich/pathres.c); NULL = name itself */
};

/* SOCKADDR, decoded. */
enum event_sockfam {
	EVENT_SOCK_NONE = 0,
	EVENT_SOCK_INET,
	EVENT_SOCK_INET6,
	EVENT_SOCK_UNIX,
	EVENT_SOCK_NETLINK,
	EVENT_SOCK_OTHER,
};

struct event_sockaddr {
	enum event_sockfam family;
	int raw_family;	  /* AF_* number */
	char addr[46];	  /* INET6_ADDRSTRLEN: textual ip for inet/inet6 */
	uint16_t port;	  /* host order */
	const char *path; /* unix socket path ("@name" for abstract) */
};

/* A name=value pair of a record, value interpreted by auparse where
 * auparse knows how (uid -> name is NOT done: values stay numeric for
 * ids, so that rules are stable across hosts). */
struct event_field {
	const char *name;
	const char *value;     /* interpreted */
	const char *raw_value; /* as in the record */
};

/* One mount of a container, from its runtime's state. */
struct event_mount {
	const char *source, *dest;
	const char *mode;	 /* the options as written ("rbind,ro"), or "" */
	bool rw;
	const char *propagation; /* rprivate, shared, ... or "" */
};

/* Container facts, filled by the enricher (src/enrich); NULL when the
 * process runs on the host or is unknown. Strings may be NULL = unknown. */
struct event_container {
	const char *id;	     /* full id (64 hex for most runtimes) */
	const char *runtime; /* docker, containerd, cri-o, podman, ... */
	const char *name;
	const char *image;
	const char *pod_name;
	const char *pod_namespace;
	const char *pod_uid;
	const char *k8s_container_name;
	int privileged;	   /* 1 yes, 0 no, -1 unknown */
	uint64_t start_ts; /* ns since the epoch; 0 unknown */
	const struct event_mount *mounts;
	size_t nmounts;
};

/* What the enricher's fd table knows of the fd the syscall acted on
 * (src/enrich/fdtable.c): from earlier audited syscalls of the process
 * (socket, connect, bind, accept, open, dup*) and, while the process
 * lives, /proc/PID/fd and /proc/PID/net. Falco's fd.* facts. */
struct event_fd {
	int num;	 /* the fd; -1 unknown */
	char typechar;	 /* Falco's: f d 4 6 u p l (netlink) e s i t ...,
			  * 0 unknown */
	unsigned char l4proto; /* IPPROTO_TCP, _UDP, _ICMP(V6), 255 raw;
				* 0 unknown */
	bool connected;	 /* connect/accept succeeded (TCP), or a UDP
			  * socket with a remote address */
	bool is_server;	 /* the local end is the server (accept, listen,
			  * bind) */
	bool name_changed; /* this syscall gave the fd another tuple */
	bool has_local, has_remote;
	char lip[46], rip[46]; /* textual addresses */
	uint16_t lport, rport;
	const char *name; /* file path, or unix socket path; NULL none */
};

struct event_lineage; /* common/lineage.h */

struct event {
	enum event_kind kind;

	/* Audit envelope */
	uint64_t time_ns; /* event time, ns since the epoch (UTC) */
	uint64_t serial;
	int record_type;	/* AUDIT_* of the first record */
	const char *type_name;	/* "SYSCALL", "USER_LOGIN", ... */
	unsigned int nrecords;
	const char *node;	/* node= prefix when present, else NULL */

	/* SYSCALL record (kind == EVENT_KIND_SYSCALL) */
	const char *arch_name;	  /* "x86_64", "i386", "aarch64", ... */
	int machine;		  /* libaudit machine_t, -1 unknown */
	int syscall;		  /* number for that arch, -1 unknown */
	const char *syscall_name; /* libaudit spelling, e.g. "openat" */
	int success;		  /* 1 yes, 0 no, -1 not reported */
	int64_t exit;		  /* return value / -errno */
	bool has_exit;
	uint64_t args[4];	  /* a0..a3 */
	unsigned int items;	  /* PATH records the kernel announced */

	/* Process (from SYSCALL, or from the fields of an OTHER record) */
	pid_t pid, ppid;
	uint32_t uid, euid, suid, fsuid, gid, egid, sgid, fsgid;
	uint32_t auid, ses; /* EVENT_ID_UNSET when unset */
	const char *tty;    /* "(none)" kept as NULL */
	const char *comm;
	const char *exe;
	const char *key;   /* audit rule key; NULL for (null) */
	const char *subj;  /* LSM label, NULL if none */
	const char *cwd;   /* from CWD record */

	/* argv: the process's command line, one definition for
	 * proc.exe/args/cmdline, the store and the outputs. The assembler
	 * sets it from EXECVE when present (argv_from_execve), else from
	 * PROCTITLE. The kernel keeps a task's PROCTITLE from its first
	 * audited syscall, also across execve (runc init, a shell exec'ing
	 * its last command): so the enricher replaces a PROCTITLE argv by
	 * what the process's latest execve said (or /proc/PID/cmdline)
	 * when it knows that (argv_from_process; argv is then
	 * { argv[0], the other arguments space-joined }). argc may be 0.
	 * argv_truncated when limits cut it. */
	const char *const *argv;
	size_t argc;
	bool argv_from_execve;
	bool argv_from_process;
	bool argv_truncated;

	/* Capability sets a record of the event gave the process:
	 * BPRM_FCAPS (the sets after an execve) or CAPSET. */
	bool has_caps;
	uint64_t cap_inh, cap_prm, cap_eff;

	/* PATH records in item order. */
	const struct event_path *paths;
	size_t npaths;

	/* SOCKADDR */
	struct event_sockaddr sockaddr;

	/* All fields of the first record when it is not the SYSCALL record:
	 * every non-syscall event (USER_*, msg='...' split out), and records
	 * grouped with a SYSCALL (CONFIG_CHANGE + auditctl's sendto). Empty
	 * for plain syscall events. evt.arg.NAME falls back to these. */
	const struct event_field *fields;
	size_t nfields;

	/* Enrichment: filled by src/enrich before the engine sees the
	 * event; zero/NULL when no enricher ran. */
	const struct event_container *container;
	const struct event_lineage *lineage; /* ancestors; NULL = none */
	const struct event_fd *fd; /* NULL: no fd table ran or no fd */
	pid_t vpid;	/* pid in the container's pid namespace; 0 unknown */
	pid_t sid;	/* session id; 0 unknown */
};

/* Value of a field of a non-syscall event by name, or NULL. */
const struct event_field *event_field_get(const struct event *ev,
					  const char *name);

/* The "primary" path of the event: the first PATH item that is not a
 * PARENT entry (the object the syscall acted on), else the first item;
 * NULL when there is none. */
const struct event_path *event_primary_path(const struct event *ev);

#endif
