/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel rules the loaded detection rules need, pushed down: the
 * filters kfilter derives per rule and syscall, merged over the rules
 * (a set implied by a weaker one goes), their paths resolved on this host
 * (a missing file is watched through its directory, a missing directory
 * through its nearest existing ancestor), grouped into as few auditctl
 * rules as the kernel allows (one path or dir and one perm per rule).
 * Also what each container root needs: its copies of the file watches and
 * the directory trees to extend to it. Pure text and file-system look-ups:
 * it never talks to the kernel.
 */
#ifndef HARRIER_KAUDIT_KPLAN_H
#define HARRIER_KAUDIT_KPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include "common/strbuf.h"
#include "engine/engine.h"

/* What is at a path (kplan_stat_fn): missing, a directory, or something
 * else. Following symlinks, as the kernel resolves rule paths. */
enum kplan_ftype { KPLAN_MISSING = 0, KPLAN_DIR, KPLAN_OTHER };
typedef enum kplan_ftype (*kplan_stat_fn)(const char *path, void *ud);

/* Which path filters the plan may use (fewer: a wider superset). */
enum kplan_paths {
	KPLAN_PATHS_ALL = 0,
	KPLAN_PATHS_DIRS, /* dir= only (a file's filter goes) */
	KPLAN_PATHS_NONE, /* none */
};

struct kplan_opts {
	/* false: no filters from conditions, only each syscall the rules
	 * name, with -F success=1 where no rule can match a failed call
	 * (the rules of before push-down) */
	bool pushdown;
	/* NULL: stat(2) */
	kplan_stat_fn stat_path;
	void *stat_ud;
	enum kplan_paths paths;
	/* NULL: a path missing here is filtered as its nearest existing
	 * ancestor directory (wide). A directory: such a path gets a tree
	 * on an empty directory <anchors>/<n> of ours (kplan_anchor; the
	 * caller creates them), which containers that have the path join;
	 * the host's own path is looked for (kplan_changed), after which
	 * the plan is built again. */
	const char *anchors;
	/* Audit keys of kernel rules the caller installs itself: a syscall
	 * every rule of which requires one of them (engine_type_needs_key)
	 * gets no rule of the plan. */
	const char *const *builtin_keys;
	size_t nbuiltin_keys;
	/* Syscalls every successful call of which the caller needs when
	 * the plan filters paths (mount, pivot_root: container roots
	 * appearing): they join the plan's rules (key harrier). */
	const char *const *root_syscalls;
	size_t nroot_syscalls;
};

struct kplan;

/* Build the plan for the compiled engine. 0 and *ret, or -ENOMEM. */
int kplan_build(const struct engine *e, const struct kplan_opts *o,
		struct kplan **ret);
void kplan_free(struct kplan *p);

/* The host's kernel rules in auditctl syntax, one per line, key
 * "harrier"; "" when the rules need none. Borrowed. */
const char *kplan_text(const struct kplan *p);
/* What is installed: kplan_text per ABI. With two (x86_64: b64, b32)
 * its rules are for b64 and 32-bit calls of the same syscalls get one
 * rule without filters (cheaper than a twin of each; 32-bit programs are
 * rare). Borrowed. */
const char *kplan_install_text(const struct kplan *p);
/* Comment lines ("# ...") on what was not pushed down and why: which
 * rule kept a syscall unfiltered, which path fell back to what. */
const char *kplan_notes(const struct kplan *p);

/* Counts for the daemon's log line. */
struct kplan_stats {
	size_t syscalls; /* audited at all */
	size_t plain; /* of them unfiltered (a rule forced it) */
	size_t lines; /* rules in the text (before the ABI twins) */
	size_t trees; /* dir= rules */
	size_t watches; /* path= rules */
};
void kplan_get_stats(const struct kplan *p, struct kplan_stats *ret);

/*
 * Containers. A root is the host-visible path of a container's root
 * directory (absolute, normalised, not "/"). Its file watches are copies
 * of the host's path= rules under the root (for the 64-bit ABI when there
 * are two: see kplan_install_text; appended to out as auditctl
 * text, key harrier_ct; -ENOMEM); its directories join the host's trees (kernel
 * MAKE_EQUIV: old is the host rule's dir, new the directory under the root).
 */
int kplan_root_text(const struct kplan *p, const char *root,
		    struct strbuf *out);
typedef int (*kplan_equiv_cb)(const char *old, const char *new, void *ud);
int kplan_root_equivs(const struct kplan *p, const char *root,
		      kplan_equiv_cb cb, void *ud);
/* The host's own joins: directories that share another's dir= tree
 * (lines that differed only in it), cb(tree's path, directory) each;
 * after the host's rules are in, and again whenever they are put back.
 * 0 or the first error of cb. */
int kplan_host_equivs(const struct kplan *p, kplan_equiv_cb cb, void *ud);
/* The anchor directories the plan's rules need (see kplan_opts), as new
 * strings; NULL past the end and for an anchor no rule kept (its line
 * merged into a host directory's tree). */
size_t kplan_anchor_count(const struct kplan *p);
char *kplan_anchor(const struct kplan *p, size_t i);

/* Has anything the plan's path resolution looked at changed (a missing
 * path appeared, a watched one went)? Then build it again. */
bool kplan_changed(const struct kplan *p);

/* Does the plan send every successful call of syscall? */
bool kplan_sends_all_successes(const struct kplan *p, const char *syscall);
/* True when the plan has path or dir filters (containers need work). */
bool kplan_has_paths(const struct kplan *p);

#endif
