/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Engine-internal: Falco condition expressions. cond_compile() parses a
 * condition once into a tree (macros expanded, lists resolved, fields
 * looked up) and cond_eval() tests an event against it. Output formats
 * ("%proc.name ...") are compiled and rendered here too, since they share
 * the field table. Not exported beyond src/engine.
 */
#ifndef HARRIER_COND_H
#define HARRIER_COND_H

#include <stdbool.h>
#include <stddef.h>

#include "common/diag.h"
#include "common/event.h"
#include "common/strbuf.h"

/* How the compiler finds macros and lists (owned by the rules loader).
 * A macro's text is compiled in place of its name (recursively, with
 * cycle detection and HARRIER_MAX_COND_DEPTH); a list name inside "(...)"
 * is replaced by its items. Both callbacks return NULL when the name is
 * not a macro/list. */
struct cond_env {
	const char *(*macro)(void *ud, const char *name, const char **ret_file,
			     unsigned int *ret_line, unsigned int *ret_col);
	const char *const *(*list)(void *ud, const char *name, size_t *ret_n);
	void *ud;
};

struct cond;

/* text starts at file:line:col in its YAML file; errors are reported at
 * the offending token (col advanced by its offset in text when text is
 * one line; otherwise at line, col of the scalar). Every error found is
 * added to d. NULL on error. */
struct cond *cond_compile(const char *text, const struct cond_env *env,
			  const char *file, unsigned int line,
			  unsigned int col, struct diag *d);
void cond_free(struct cond *c);
bool cond_eval(const struct cond *c, const struct event *ev);

/* The evt.type values this condition can match: cb once per name (may
 * repeat); *ret_any = true when it is not restricted by evt.type (e.g.
 * no evt.type test on some path, or evt.type under "not"/"!="). */
void cond_event_types(const struct cond *c,
		      void (*cb)(const char *type, void *ud), void *ud,
		      bool *ret_any);

/* True when every event of the syscall named (libaudit spelling) that c
 * matches is one where the syscall succeeded (SYSCALL record first, as
 * the kernel logs it). Conservative: some conjunct of the top-level
 * and-chain (through parentheses and macros) must be one of
 *   audit.success = true | audit.success != false
 *   evt.failed = false | evt.failed != true
 *   evt.res = SUCCESS
 *   X >= N, X = N (N >= 0), X > N (N >= -1), X in (N, ...) (all N >= 0)
 *     where X is evt.rawres, audit.exit, or fd.num of a syscall that
 *     returns the fd (open, openat, openat2, creat, socket, accept...);
 * anything else (or, not, other shapes) is false. */
bool cond_implies_success(const struct cond *c, const char *syscall);

/* Output formats: "%field" and "%(field)" substituted, "<NA>" when unset. */
struct format;
struct format *format_compile(const char *text, const char *file,
			      unsigned int line, unsigned int col,
			      struct diag *d);
void format_free(struct format *f);
/* Render into out; for each distinct field referenced, calls field_cb
 * with its name and formatted value (NULL = unset; literal: a number or
 * true/false), in order of first appearance: the alert's output_fields. */
void format_render(const struct format *f, const struct event *ev,
		   struct strbuf *out,
		   void (*field_cb)(const char *name, const char *value,
				    bool literal, void *ud),
		   void *ud);

/* Is name (with its [N] or .X argument) a known field? For tests/tools. */
bool field_known(const char *name);

#endif
