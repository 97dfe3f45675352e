/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harrierd's kernel audit control: the kernel rule set built from the
 * audit-rules directory and the loaded detection rules, installed at
 * start, swapped at reload (new rules in before old ones out), verified
 * and restored when someone removes them (tamper self-heal), removed at
 * stop; audit switched back on when someone disables it while harrierd is
 * the audit daemon; and the crash-restore state of the kernel settings
 * daemon mode changes. It logs what it does (it decides, the caller
 * wires). Never sets enabled 2 or the failure mode; touches only rules
 * keyed "harrier...". Not thread-safe: the daemon's loop calls it.
 */
#ifndef HARRIER_KAUDIT_KAUDIT_H
#define HARRIER_KAUDIT_KAUDIT_H

#include <stdbool.h>
#include <stdio.h>

#include "common/event.h"
#include "common/harrier_config.h"
#include "engine/engine.h"

struct kaudit;

/* Empty directories of harrierd's own that carry the kernel's dir= trees
 * for paths missing on this host (see kplan.h); created and removed by
 * harrierd. */
#ifndef HARRIER_RUNSTATEDIR
#define HARRIER_RUNSTATEDIR "/run/harrier"
#endif
#define KAUDIT_ANCHORS_DIR HARRIER_RUNSTATEDIR "/anchors"

/* How harrierd reads the kernel's records. */
enum kaudit_reader {
	KAUDIT_READER_OTHER = 0, /* not from the kernel (stdin, file) */
	KAUDIT_READER_DAEMON, /* holds the audit pid */
	KAUDIT_READER_MULTICAST, /* reads another daemon's copy */
};

/* kstate_path: where the kernel settings to restore after a crash are
 * recorded (NULL: none, for sources that do not read the kernel). NULL
 * on allocation failure. */
struct kaudit *kaudit_new(const char *kstate_path);
/* Frees; does not touch the kernel (kaudit_stop and kaudit_restore_finish
 * do). Accepts NULL. */
void kaudit_free(struct kaudit *k);

/* Build the kernel rule set for the config and the compiled engine (not
 * installed yet). Errors in the audit-rules files are logged. 0, or
 * -EINVAL (bad rules files) / -ENOMEM. */
int kaudit_build(struct kaudit *k, const struct config *c,
		 const struct engine *e);

/* `harrier rules kernel`: the kernel rules the detection rules of e
 * need on this host, in auditctl syntax, and comments on what was not
 * pushed down (which rule kept a syscall unfiltered, and why). Does not
 * touch the kernel. 0 or -ENOMEM. */
int kaudit_print_rules(const struct engine *e, bool pushdown, FILE *out);

/* Before the netlink source starts: learn the kernel settings to restore
 * at stop (those of before a crashed earlier run when its state file is
 * there). */
void kaudit_restore_prepare(struct kaudit *k);
/* The source has started reading as reader (locked: audit is locked,
 * enabled 2): as the audit daemon, record what to restore. */
void kaudit_source_started(struct kaudit *k, enum kaudit_reader reader,
			   bool locked);
/* After the source stopped (it put back what it changed itself): put
 * back what a crashed earlier run changed, then remove the state file. */
void kaudit_restore_finish(struct kaudit *k);

/* Remove leftovers of a crashed run, then install the built set. 0 or
 * -errno (logged). Without a built set: 0, nothing done. */
int kaudit_start(struct kaudit *k);
/* Reload: build the set for c and e, install it, then remove what only
 * the old set had (no moment without rules). A set that does not build
 * leaves the running one. Nothing when no set was built at start. */
void kaudit_reload(struct kaudit *k, const struct config *c,
		   const struct engine *e);
/* Remove every harrier rule from the kernel, if we installed any. */
void kaudit_stop(struct kaudit *k);

/* Where a container's first process belongs, learnt from its runtime
 * (the cgroup its bundle names) when its init mounts the root: fn(pid,
 * cgroup as a /proc/PID/cgroup line, ud). For the process table. */
void kaudit_set_hint(struct kaudit *k,
		     void (*fn)(pid_t pid, const char *cgroup, void *ud),
		     void *ud);

/* Every event, before the rules see it. CONFIG_CHANGE records: a removal
 * of a harrier rule or audit being disabled makes kaudit_tick check and
 * restore. Syscalls: container roots appearing (a runtime starting a
 * container, a mount, a process in a container whose root is new) get
 * the path filters extended to them. Returns false for an event that is
 * harrierd's own business and not for the rules: the kernel removing one
 * of harrierd's rules because what it watched went away. */
bool kaudit_observe(struct kaudit *k, const struct event *ev);
/* Each loop tick: check at once when an observed change asks for it. */
void kaudit_tick(struct kaudit *k);
/* Housekeeping (every second): enabled flag and our rules, restored when
 * someone changed them. */
void kaudit_check(struct kaudit *k);

#endif
