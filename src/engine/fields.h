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

/* proc.cmdline of the event (Falco's "proc.name args"): the one
 * definition of a command line that alerts, the store's cmdline column and
 * the outputs use. NULL when unknown; else buf or a borrowed string. */
const char *field_cmdline(const struct event *ev, char *buf, size_t len);

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

#endif
