/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Engine-internal: a read-only view of a compiled condition tree, for
 * analyses that must not evaluate events one by one (the kernel filter
 * derivation, kfilter.c). The tree stays cond.c's: the view says what a
 * node is in terms that do not change when cond.c grows. Anything cond.c
 * adds that the view cannot describe (an operator, a transformer on the
 * field, a new node kind) shows as CV_OTHER / CVO_OTHER, which analyses
 * must treat as "unknown": never narrower than the truth.
 */
#ifndef HARRIER_COND_VIEW_H
#define HARRIER_COND_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/event.h"
#include "engine/cond.h"
#include "engine/fields.h"

struct cond_node;

enum cond_view_kind { CV_AND, CV_OR, CV_NOT, CV_CMP, CV_OTHER };

enum cond_view_op {
	CVO_EQ,
	CVO_NE,
	CVO_LT,
	CVO_LE,
	CVO_GT,
	CVO_GE,
	CVO_IN,
	CVO_INTERSECTS,
	CVO_CONTAINS,
	CVO_ICONTAINS,
	CVO_STARTSWITH,
	CVO_ENDSWITH,
	CVO_GLOB,
	CVO_PMATCH,
	CVO_EXISTS,
	CVO_OTHER,
};

/* A constant as compiled: its text, and its number when it has one
 * (icontains constants are lower-cased, pmatch ones lose a trailing
 * '/'). Borrowed from the tree. */
struct cond_view_value {
	const char *s;
	int64_t n;
	bool has_n;
};

struct cond_view {
	enum cond_view_kind kind;
	const struct cond_node *a, *b; /* AND, OR: both; NOT: a */
	/* CV_CMP only: */
	const struct field_ref *ref;
	enum cond_view_op op;
	struct cond_view_value v; /* one-value operators */
	size_t nitems;		  /* in, intersects, pmatch */
};

/* The root of a compiled condition; NULL for NULL. */
const struct cond_node *cond_view_root(const struct cond *c);
/* Describe node n (not NULL). */
void cond_view_get(const struct cond_node *n, struct cond_view *ret);
/* Item i (< nitems) of a list comparison. */
void cond_view_item(const struct cond_node *n, size_t i,
		    struct cond_view_value *ret);
/* Evaluate the subtree n on ev, exactly as cond_eval would. */
bool cond_view_eval(const struct cond_node *n, const struct event *ev);

#endif
