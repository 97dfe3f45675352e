/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel filters derived from the compiled detection rules: for a rule and
 * a syscall it can see, the strongest conjunctions of what the kernel's
 * audit filter can test (success, exit, arguments, ids, open permissions,
 * socket family, paths) that together still admit every event of that
 * syscall the rule can match. Plain data for kaudit, which merges them
 * into kernel rules. The derivation never narrows: what it cannot bound
 * (a field the kernel never sees, an operator it does not know, too many
 * alternatives) becomes "anything", and a rule left with "anything" says
 * why.
 */
#ifndef HARRIER_KFILTER_H
#define HARRIER_KFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"

enum kfilter_field {
	KFILTER_SUCCESS, /* value 1: succeeded, 0: failed (op EQ) */
	KFILTER_EXIT, /* the return value, -errno on failure */
	KFILTER_ARG, /* argument a<arg>, as the kernel's 32 bits */
	KFILTER_UID, /* ids: the kernel's 32-bit values ... */
	KFILTER_EUID,
	KFILTER_GID,
	KFILTER_EGID,
	KFILTER_AUID, /* ... 4294967295 = unset */
	KFILTER_PID,
	KFILTER_PPID,
	KFILTER_PERM, /* open access mode has one of the bits (EQ) */
	KFILTER_SADDR_FAM, /* SOCKADDR address family (EQ) */
	KFILTER_PATH, /* some PATH item is exactly path (EQ) */
	KFILTER_DIR, /* some PATH item is path or below it (EQ) */
};

/* KFILTER_PERM values: the kernel's AUDIT_PERM_READ and _WRITE. */
#define KFILTER_PERM_WRITE 2
#define KFILTER_PERM_READ 4

enum kfilter_op {
	KFILTER_EQ,
	KFILTER_NE,
	KFILTER_LT,
	KFILTER_LE,
	KFILTER_GT,
	KFILTER_GE,
};

struct kfilter_atom {
	enum kfilter_field field;
	enum kfilter_op op;
	int64_t value; /* not for PATH, DIR */
	unsigned int arg; /* KFILTER_ARG: 0..3 */
	const char *path; /* PATH, DIR: absolute, normalised */
};

/* A conjunction: every atom holds. At most one PATH or DIR atom and one
 * PERM atom (the kernel takes one of each per rule). */
struct kfilter_set {
	const struct kfilter_atom *atoms;
	size_t natoms;
};

/* What one rule needs of one syscall. Borrowed for the callback only. */
struct kfilter {
	const char *rule;
	const char *syscall;
	/* Events matching any one set; no sets: the rule cannot match
	 * this syscall. A set with no atoms: every event (the plain
	 * syscall rule), and why says what forced it. */
	const struct kfilter_set *sets;
	size_t nsets;
	const char *why;
};

/* Does a imply b, in the kernel's terms (PATH/DIR: of any PATH item)?
 * E.g. path=/etc/shadow implies dir=/etc, exit=0 implies success=1,
 * perm=r implies perm=rw. For merging the sets of several rules. */
bool kfilter_atom_implies(const struct kfilter_atom *a,
			  const struct kfilter_atom *b);
/* Does every event that set a admits satisfy set b too? */
bool kfilter_set_implies(const struct kfilter_set *a,
			 const struct kfilter_set *b);
/* Is path p equal to d or below it (both absolute, normalised)? */
bool kfilter_path_under(const char *p, const char *d);

typedef void (*kfilter_cb)(const struct kfilter *f, void *ud);

/* For every enabled rule that can see events of syscall (libaudit
 * spelling): those naming it in evt.type, and those with no evt.type
 * restriction. 0, -ENOMEM, or -EINVAL before engine_compile succeeded. */
int kfilter_derive(const struct engine *e, const char *syscall, kfilter_cb cb,
		   void *ud);

#endif
