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

/* Where each part of a condition's text is in its YAML file. A folded
 * block scalar ("condition: >") loses its line breaks and indentation:
 * segment k says that text[segs[k].off] is at file:line:col and that the
 * following bytes up to segs[k + 1].off are on that line, one column
 * each. Segments are ascending by off; segs[0].off is 0. */
struct cond_srcseg {
	size_t off;
	const char *file;
	unsigned int line, col;
};
struct cond_src {
	const struct cond_srcseg *segs;
	size_t nsegs;
};

/* How the compiler finds macros and lists (owned by the rules loader).
 * A macro's text is compiled in place of its name (recursively, with
 * cycle detection and HARRIER_MAX_COND_DEPTH); a list name inside "(...)"
 * is replaced by its items. Both callbacks return NULL when the name is
 * not a macro/list. report, when set, receives every diagnostic instead
 * of d, with the name of the macro whose text holds the problem (NULL:
 * the condition's own text). */
struct cond_env {
	const char *(*macro)(void *ud, const char *name,
			     const struct cond_src **ret_src);
	const char *const *(*list)(void *ud, const char *name, size_t *ret_n);
	void (*report)(void *ud, enum diag_level level, const char *file,
		       unsigned int line, unsigned int col, const char *macro,
		       const char *msg);
	void *ud;
};

/* A condition that is valid but needs what audit data cannot give (a
 * Falco field Harrier does not provide): the first such construct. */
struct cond_unsupported {
	bool set;
	char what[192]; /* "field 'evt.buffer'" */
	char why[256];
	const char *file; /* of the token */
	unsigned int line, col;
	char macro[128]; /* the macro holding it, "": the condition */
};

struct cond;

/* Compile text (positions from src). Every error found goes to env's
 * report or to d. Returns NULL on error; also when the condition is valid
 * but unsupported: then no error is reported and *ret_unsup says why
 * (with ret_unsup NULL that case is reported as an error). Warnings
 * (comparisons that can never be true on audit data) do not fail. */
struct cond *cond_compile(const char *text, const struct cond_src *src,
			  const struct cond_env *env, struct diag *d,
			  struct cond_unsupported *ret_unsup);
void cond_free(struct cond *c);
bool cond_eval(const struct cond *c, const struct event *ev);

/* Common subexpressions across conditions (a macro or a comparison that
 * many rules share), evaluated once per event. Evaluation is a pure
 * function of the event, so cond_eval_memo gives exactly cond_eval's
 * result. Use: cond_memo_add every condition (compiled, not yet
 * evaluated with m), cond_memo_seal once, then per event cond_memo_next
 * and cond_eval_memo of any of them. The conditions must outlive m's
 * use; a failed add or seal leaves every condition evaluating in full
 * (-ENOMEM). m is not thread-safe. */
struct cond_memo;
struct cond_memo *cond_memo_new(void);
void cond_memo_free(struct cond_memo *m);
int cond_memo_add(struct cond_memo *m, struct cond *c);
int cond_memo_seal(struct cond_memo *m);
/* A new event: the previous one's results are forgotten. */
void cond_memo_next(struct cond_memo *m);
bool cond_eval_memo(const struct cond *c, const struct event *ev,
		    struct cond_memo *m);

/* Calls cb for every comparison on evt.arg.NAME or evt.rawarg.NAME with
 * the argument's NAME and whether the comparison is a conjunct of the
 * top-level and-chain (through parentheses and macros): then the
 * condition cannot hold unless that comparison does. */
void cond_args(const struct cond *c,
	       void (*cb)(const char *arg, bool necessary, void *ud),
	       void *ud);

/* Is name a syscall (libaudit's spelling, any architecture) or an audit
 * record type (USER_LOGIN, ...): an evt.type audit data can have? */
bool cond_event_type_known(const char *name);

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
