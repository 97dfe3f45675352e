/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Engine-internal: the field table shared by conditions (cond.c) and
 * output formats (format.c). A field name as written ("proc.aname[2]",
 * "evt.arg.flags") is parsed once into a field_ref; field_extract() then
 * reads its value from an event without allocating. Not exported beyond
 * src/engine.
 */
#ifndef HARRIER_FIELDS_H
#define HARRIER_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/event.h"
#include "common/limits.h"

/* How values of a field compare. DYNAMIC fields (evt.rawarg.X) give a
 * number for syscall arguments and a string for record fields. */
enum field_type {
	FIELD_STRING,
	FIELD_NUMBER,
	FIELD_BOOL,
	FIELD_DYNAMIC,
};

enum fval_kind { FVAL_STR, FVAL_NUM, FVAL_BOOL };

/* One extracted value; s is borrowed from the event, the process table
 * or the caller's scratch buffer, valid until the next extraction. */
struct fval {
	enum fval_kind kind;
	const char *s;
	int64_t n; /* FVAL_NUM value, FVAL_BOOL 0/1 */
};

struct field_def;

struct field_ref {
	const struct field_def *def;
	enum field_type type;
	bool multi; /* any-of field: proc.aname etc. without [N] */
	bool is_evt_type;
	bool custom_eq; /* =, !=, in compare through field_value_eq() */
	long idx; /* [N], -1 when absent */
	char *arg; /* .NAME argument, owned; NULL when absent */
	char *name; /* as written, owned */
};

/* Scratch space for composite values (proc.cmdline, "ip:port", names). */
#define FIELD_SCRATCH (HARRIER_MAX_CMDLINE + 128)

/* Parse name[0..len). Returns 0, -ENOENT (unknown field or bad
 * argument) or -ENOMEM. *ret is written on success only. */
int field_ref_parse(const char *name, size_t len, struct field_ref *ret);
void field_ref_clear(struct field_ref *r);

/* The n-th value of the field (n > 0 only for multi fields). Returns
 * true and fills *ret when set, false when the event has no such value. */
bool field_extract(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *ret, char *scratch,
		   size_t scratch_len);

/* The compiler shows a field every constant it is compared with, once,
 * at compile time (not per event). A field whose value needs preparing
 * for them says so here: fd.sip.name / fd.rip.name register the domain
 * names written in rules with the background resolver, so that events
 * compare by address and never wait for DNS. The other fields ignore
 * them. Returns 0 or -ENOMEM. */
int field_ref_note_constant(const struct field_ref *r, const char *value);

/* Equality for fields whose values compare by meaning, not text: an
 * ip against a network ("10.0.0.0/8", fd.net and friends) or against a
 * domain name resolved in the background (fd.sip.name and friends). */
bool field_value_eq(const struct field_ref *r, const char *value,
		    const char *constant);

/* NULL when the field can be read from events; otherwise why not (a
 * Falco field that audit data lacks or Harrier does not give yet: it
 * parses and type-checks, and always extracts as unset). */
const char *field_ref_unavailable(const struct field_ref *r);

/* proc.cmdline of the event (Falco's "proc.name args"): the one
 * definition of a command line that alerts, the store's cmdline column and
 * the outputs use. NULL when unknown; else buf or a borrowed string. */
const char *field_cmdline(const struct event *ev, char *buf, size_t len);

/* Whether evt.arg.ARG / evt.rawarg.ARG exists for a syscall (libaudit
 * spelling), for the rule compiler: 1 yes (Falco's argument names that
 * audit data can give, and a0..a3, res), 0 no (the syscall is known and
 * has no such argument from audit: a rule naming it can never match
 * that syscall), -1 unknown syscall (only a0..a3/res are certain). */
int field_syscall_has_arg(const char *syscall, const char *arg);

/* Text of a value: v->s for strings, else rendered into buf. */
const char *fval_text(const struct fval *v, char *buf, size_t len);

/* What a field's value says about whether the syscall failed, for events
 * of the syscall named (libaudit spelling). Set only from the SYSCALL
 * record's success= and exit=, which is what the kernel's success filter
 * tests (success means exit is not in -4095..-1). */
enum field_outcome {
	FIELD_OUTCOME_NONE, /* nothing that can be relied on */
	FIELD_OUTCOME_SUCCESS, /* bool, true iff it succeeded */
	FIELD_OUTCOME_FAILED, /* bool, true iff it failed */
	FIELD_OUTCOME_RES, /* string, "SUCCESS" iff it succeeded */
	FIELD_OUTCOME_EXIT, /* number, the return value (unset if none) */
};
enum field_outcome field_outcome(const struct field_ref *r,
				 const char *syscall);

/*
 * What the kernel's audit filter can test of a field, for events of the
 * syscall named (libaudit spelling): a promise about how the value this
 * table gives relates to what the kernel sees when the syscall exits. The
 * kernel rule derivation (kfilter.c) builds on it, so a getter that
 * changes where a value comes from must change this too; when in doubt,
 * FIELD_KERNEL_NONE (the kernel filters nothing for it) is always right.
 */
enum field_kernel_kind {
	FIELD_KERNEL_NONE = 0,
	/* evt.type: the syscall's name itself */
	FIELD_KERNEL_EVT_TYPE,
	/* string, set only when the event has the PATH item it names: the
	 * item's name, absolute and normalised as the process saw it. The
	 * kernel recorded the item's inode when the syscall succeeded. */
	FIELD_KERNEL_PATH,
	/* string: the directory part of such a name */
	FIELD_KERNEL_DIRNAME,
	/* bool: true only for an open whose access mode reads (writes):
	 * the kernel's perm=r (perm=w) for open, openat and openat2 */
	FIELD_KERNEL_OPEN_READ,
	FIELD_KERNEL_OPEN_WRITE,
	/* number: a process id the kernel filters as kfield (below); for
	 * user.loginuid the kernel's unset 4294967295 reads as -1 */
	FIELD_KERNEL_ID,
	/* the syscall's argument a<arg> (0..3), raw or rendered; the values
	 * field_kernel_arg_names() lists are the named ones */
	FIELD_KERNEL_ARG,
	/* string from the SOCKADDR record's family only (fd.sockfamily,
	 * fd.typechar, fd.type of connect and bind) */
	FIELD_KERNEL_SOCKFAMILY,
	/* set only when the SOCKADDR record is an IPv4 or IPv6 address
	 * (fd.sip, fd.rport, ... of connect and bind) */
	FIELD_KERNEL_INET_ONLY,
};

enum field_kernel_id {
	FIELD_KID_UID,
	FIELD_KID_EUID,
	FIELD_KID_GID,
	FIELD_KID_EGID,
	FIELD_KID_AUID, /* audit.auid: unset (no value) when the kernel's is */
	FIELD_KID_LOGINUID, /* user.loginuid: -1 when unset */
	FIELD_KID_PID,
	FIELD_KID_PPID,
};

struct field_kernel {
	enum field_kernel_kind kind;
	enum field_kernel_id id; /* FIELD_KERNEL_ID */
	unsigned int arg;	 /* FIELD_KERNEL_ARG: 0..3 */
	/* FIELD_KERNEL_PATH/DIRNAME: the event's primary item (fd.name),
	 * so two constraints on it must both hold of one name */
	bool primary;
};

/* Fills *ret (kind NONE when the kernel can test nothing of r). */
void field_kernel(const struct field_ref *r, const char *syscall,
		  struct field_kernel *ret);

/* FIELD_KERNEL_ARG: the argument values that have names of their own
 * (signals, ptrace requests, socket domains), at most max of them into
 * out; returns how many there are. 0 for plain numbers and flags. */
size_t field_kernel_arg_names(const struct field_ref *r, const char *syscall,
			      int64_t *out, size_t max);

#endif
