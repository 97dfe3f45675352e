/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel audit rules Harrier installs at start and removes at stop. Rules
 * come from files in auditctl syntax and from the syscalls the detection
 * rules name in evt.type. Every rule carries a key starting "harrier";
 * Harrier removes exactly those, and never deletes others' rules, changes
 * the failure mode or locks audit (-D, -b, -f, -e are rejected in files).
 *
 * Not thread-safe: libaudit's rule builder keeps state in globals, so load
 * and add functions must run on one thread at a time.
 */
#ifndef HARRIER_KAUDIT_KERNEL_RULES_H
#define HARRIER_KAUDIT_KERNEL_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/diag.h"

/* Every key Harrier installs starts with this. */
#define KERNEL_RULES_KEY_PREFIX "harrier"

struct kernel_rules;

/* exclude_pid > 0 adds "-F pid!=<exclude_pid>" to every -a/-A exit-list
 * rule (the daemon's own syscalls must not feed back). Watches (-w) keep
 * their classic form so auditctl -l shows them as -w and -W deletes them:
 * do not watch paths the daemon itself writes. */
struct kernel_rules *kernel_rules_new(pid_t exclude_pid);
void kernel_rules_free(struct kernel_rules *set);

/* Parse rules in auditctl syntax: -a/-A list,action, -S, -F, -C, -k, -w,
 * -p, comments and blank lines. Syscall rules without -F arch= become one
 * rule per supported ABI (b64 and b32 on x86_64). Every error is added to
 * d as "name:line:col: ..."; the set gains the text's rules only if all of
 * it is valid. Returns 0, -EINVAL (errors in d), or -ENOMEM. */
int kernel_rules_load_buffer(struct kernel_rules *set, const char *name,
			     const char *text, size_t len, struct diag *d);
/* Same for a file; -errno if it cannot be read (also added to d). */
int kernel_rules_load_file(struct kernel_rules *set, const char *path,
			   struct diag *d);
/* Every "*.rules" file in dir, in name order. A missing dir is not an
 * error (0, nothing loaded). Files with errors are skipped; returns
 * -EINVAL if any had errors. */
int kernel_rules_load_dir(struct kernel_rules *set, const char *dir,
			  struct diag *d);

/* One exit rule per ABI with every syscall in names (libaudit spelling),
 * key "harrier". Names that are not syscalls of the native ABI (record
 * types such as USER_LOGIN, typos) are ignored; ret_added (may be NULL)
 * gets how many names were used. Names the 32-bit ABI lacks are left out
 * of its rule only. Returns 0 or -ENOMEM/-EINVAL. */
int kernel_rules_add_syscalls(struct kernel_rules *set,
			      const char *const *names, size_t n,
			      size_t *ret_added);
/* The same for syscalls whose failed calls no detection rule can match:
 * their own merged rule per ABI, with "-F success=1" (the kernel's
 * AUDIT_SUCCESS filter), key "harrier". */
int kernel_rules_add_syscalls_success(struct kernel_rules *set,
				      const char *const *names, size_t n,
				      size_t *ret_added);

/* Rules in the set (after ABI expansion). */
size_t kernel_rules_count(const struct kernel_rules *set);
/* Where rule i came from and what it says, e.g.
 * "10-harrier-base.rules:3: -w /etc/audit/ -p wa -k harrier_audit_config
 * (arch=b32)". Borrowed; NULL if i is out of range. */
const char *kernel_rules_describe(const struct kernel_rules *set, size_t i);

/*
 * Kernel side. Each call opens its own audit netlink socket (needs root /
 * CAP_AUDIT_CONTROL) and fails with a message in *ret_err (owned by the
 * caller) when audit is locked (enabled 2).
 */

/* Add every rule of the set. A rule the kernel already has counts as
 * installed. Keeps going after a rejected rule; returns the first error
 * (message names the rule) or 0. */
int kernel_rules_install(struct kernel_rules *set, char **ret_err);

/* Delete every kernel rule with a key starting "harrier" (ours, also from
 * a crashed earlier run), leaving all others. ret_removed may be NULL. */
int kernel_rules_remove_all(unsigned int *ret_removed, char **ret_err);

/* Delete every kernel rule with a key starting "harrier" that is not one of
 * keep's rules (keep NULL: all of them). Install a new set, then call this
 * with it: the kernel is never without Harrier's rules in between. */
int kernel_rules_remove_except(const struct kernel_rules *keep,
			       unsigned int *ret_removed, char **ret_err);

/* The same with several sets to keep (any may be NULL). */
int kernel_rules_remove_except_sets(const struct kernel_rules *const *keep,
				    size_t nkeep, unsigned int *ret_removed,
				    char **ret_err);

/* Delete the set's rules from the kernel (those already gone are fine).
 * Returns the first other error or 0. */
int kernel_rules_uninstall(struct kernel_rules *set, char **ret_err);

/* Extend every dir= tree at or above old to cover new as well (the
 * kernel's AUDIT_MAKE_EQUIV, auditctl -M): new is resolved in our mount
 * namespace. 0 or -errno. */
int kernel_rules_make_equiv(const char *old, const char *new,
			    char **ret_err);

/* Tamper check: how many of the set's installed rules are no longer in
 * the kernel (0 = all present). */
int kernel_rules_check(const struct kernel_rules *set,
		       unsigned int *ret_missing, char **ret_err);
/* The same for n sets (any may be NULL) from one listing of the kernel's
 * rules: ret_missing[i] for sets[i]. */
int kernel_rules_check_sets(const struct kernel_rules *const *sets, size_t n,
			    unsigned int *ret_missing, char **ret_err);

#endif
