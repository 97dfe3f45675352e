/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel filter derivation: a compiled condition, for one syscall, is
 * normalised to what the kernel's audit filter can test. A comparison the
 * kernel can test becomes atoms; anything else becomes "true"; "not" is
 * pushed down to the comparisons (and "not X" of something the kernel
 * cannot test is "true" too); "or" gives several conjunctions, "and"
 * intersects them. The result is a superset of what the rule matches,
 * bounded in size: past the bounds it only gets weaker, never narrower.
 * It never evaluates real events; it evaluates single comparisons on
 * made-up ones to learn what they accept (evt.type, evt.res, arguments).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "engine/cond_view.h"
#include "engine/kfilter.h"
#include "engine/rules.h"

/* Atoms in one conjunction, conjunctions per rule and syscall: past
 * these the derivation weakens (drops atoms, or gives "anything"). A
 * rule with more alternatives than this is not worth as many kernel
 * rules: each costs on every syscall. */
#define KF_MAX_ATOMS 12
#define KF_MAX_CLAUSES 32
/* Failing return values a comparison may list one by one (exit=N rules)
 * before it is widened to "failed" / "succeeded". */
#define KF_MAX_EXITS 4
/* Argument values a comparison may list (a0=N rules). */
#define KF_MAX_ARGS 8
/* Kernel value of an unset login uid. */
#define KF_UNSET_ID 4294967295LL
/* Fields named in the "why" of an unbounded rule. */
#define KF_WHY_FIELDS 4

struct katom {
	enum kfilter_field field;
	enum kfilter_op op;
	int64_t value;
	unsigned int arg;
	const char *path; /* interned in the context */
	bool primary; /* PATH/DIR of the event's primary item */
};

struct kclause {
	struct katom a[KF_MAX_ATOMS];
	size_t n;
};

/* A disjunction of clauses. TRUE: one empty clause. FALSE: none. */
struct kdnf {
	struct kclause *c;
	size_t n;
	bool oom;
};

struct kctx {
	const char *syscall;
	char **strings; /* interned paths */
	size_t nstrings;
	const char *why_fields[KF_WHY_FIELDS];
	size_t nwhy;
	bool too_many;
	bool oom;
};

/* ---- small helpers ---- */

static const char *intern(struct kctx *x, const char *s, size_t len)
{
	char **ns, *c;

	ns = realloc(x->strings, (x->nstrings + 1) * sizeof(*ns));
	c = strndup(s, len);
	if (!ns || !c) {
		free(c);
		if (ns)
			x->strings = ns;
		x->oom = true;
		return NULL;
	}
	x->strings = ns;
	x->strings[x->nstrings++] = c;
	return c;
}

static void note_field(struct kctx *x, const struct field_ref *r)
{
	size_t i;

	if (!r || !r->name)
		return;
	for (i = 0; i < x->nwhy; i++)
		if (strcmp(x->why_fields[i], r->name) == 0)
			return;
	if (x->nwhy < KF_WHY_FIELDS)
		x->why_fields[x->nwhy++] = r->name;
}

static struct kdnf dnf_false(void)
{
	struct kdnf d = { NULL, 0, false };

	return d;
}

static struct kdnf dnf_true(struct kctx *x)
{
	struct kdnf d = { calloc(1, sizeof(struct kclause)), 1, false };

	if (!d.c) {
		d.n = 0;
		d.oom = x->oom = true;
	}
	return d;
}

static bool dnf_is_true(const struct kdnf *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->c[i].n == 0)
			return true;
	return false;
}

static void dnf_free(struct kdnf *d)
{
	free(d->c);
	d->c = NULL;
	d->n = 0;
}

/* One clause of one atom. */
static struct kdnf dnf_atom(struct kctx *x, const struct katom *a)
{
	struct kdnf d = dnf_true(x);

	if (d.n) {
		d.c[0].a[0] = *a;
		d.c[0].n = 1;
	}
	return d;
}

static bool dnf_push(struct kctx *x, struct kdnf *d, const struct kclause *c)
{
	struct kclause *nc = realloc(d->c, (d->n + 1) * sizeof(*nc));

	if (!nc) {
		x->oom = d->oom = true;
		return false;
	}
	d->c = nc;
	d->c[d->n++] = *c;
	return true;
}

/* Is path p equal to d or below it? Both absolute and normalised. */
static bool path_under(const char *p, const char *d)
{
	size_t dl = strlen(d);

	if (strcmp(d, "/") == 0)
		return true;
	return strncmp(p, d, dl) == 0 && (p[dl] == '\0' || p[dl] == '/');
}

/* Absolute, no empty, "." or ".." components, no trailing '/' (but
 * "/"): the shape every name in an event has. */
static bool path_normal(const char *p, size_t len)
{
	size_t i, start;

	if (len == 0 || p[0] != '/')
		return false;
	if (len == 1)
		return true;
	if (p[len - 1] == '/')
		return false;
	for (i = 1, start = 1; i <= len; i++) {
		if (i == len || p[i] == '/') {
			size_t cl = i - start;

			if (cl == 0 || (cl == 1 && p[start] == '.') ||
			    (cl == 2 && p[start] == '.' && p[start + 1] == '.'))
				return false;
			start = i + 1;
		}
	}
	return true;
}

/* ---- atoms: implication and conjunction ---- */

static bool is_path_atom(const struct katom *a)
{
	return a->field == KFILTER_PATH || a->field == KFILTER_DIR;
}

static bool atom_same(const struct katom *a, const struct katom *b)
{
	if (a->field != b->field || a->op != b->op)
		return false;
	if (is_path_atom(a))
		return strcmp(a->path, b->path) == 0;
	return a->value == b->value && a->arg == b->arg;
}

static bool exit_is_failure(int64_t v)
{
	return v >= -4095 && v <= -1;
}

/* Does atom a (kernel semantics: any PATH item) imply atom b? */
static bool atom_implies(const struct katom *a, const struct katom *b)
{
	if (atom_same(a, b))
		return true;
	if (is_path_atom(a) && b->field == KFILTER_DIR)
		return path_under(a->path, b->path);
	if (a->field == KFILTER_EXIT && a->op == KFILTER_EQ &&
	    b->field == KFILTER_SUCCESS)
		return b->value == (exit_is_failure(a->value) ? 0 : 1);
	if (a->field == KFILTER_PERM && b->field == KFILTER_PERM)
		return (a->value & ~b->value) == 0;
	return false;
}

/* Does clause a imply clause b (every atom of b implied by one of a)? */
static bool clause_implies(const struct kclause *a, const struct kclause *b)
{
	size_t i, j;

	for (j = 0; j < b->n; j++) {
		bool ok = false;

		for (i = 0; i < a->n && !ok; i++)
			ok = atom_implies(&a->a[i], &b->a[j]);
		if (!ok)
			return false;
	}
	return true;
}

/* Add atom b to clause c (a conjunction). False when the conjunction can
 * never hold. Constraints on the primary item's name must agree, as one
 * name; a full clause stays as it is (weaker: still sound). */
static bool clause_add(struct kclause *c, const struct katom *b)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		struct katom *a = &c->a[i];

		if (atom_same(a, b) ||
		    (b->field == KFILTER_SUCCESS && a->field == KFILTER_EXIT &&
		     atom_implies(a, b)))
			return true;
		if (a->field == KFILTER_SUCCESS && b->field == KFILTER_SUCCESS)
			return false;
		if (a->field == KFILTER_EXIT && a->op == KFILTER_EQ &&
		    b->field == KFILTER_EXIT && b->op == KFILTER_EQ)
			return false;
		if ((a->field == KFILTER_EXIT && a->op == KFILTER_EQ &&
		     b->field == KFILTER_SUCCESS && !atom_implies(a, b)) ||
		    (b->field == KFILTER_EXIT && b->op == KFILTER_EQ &&
		     a->field == KFILTER_SUCCESS && !atom_implies(b, a)))
			return false;
		if (is_path_atom(a) && is_path_atom(b) && a->primary &&
		    b->primary) {
			if (a->field == KFILTER_PATH &&
			    b->field == KFILTER_PATH)
				return false; /* two different names */
			if (a->field == KFILTER_PATH)
				return path_under(a->path, b->path);
			if (b->field == KFILTER_PATH) {
				if (!path_under(b->path, a->path))
					return false;
				*a = *b;
				return true;
			}
			if (path_under(a->path, b->path))
				return true;
			if (path_under(b->path, a->path)) {
				*a = *b;
				return true;
			}
			return false;
		}
	}
	if (c->n < KF_MAX_ATOMS)
		c->a[c->n++] = *b;
	return true;
}

/* Drop duplicates and clauses implied by another (kept: the weaker). */
static void dnf_simplify(struct kdnf *d)
{
	size_t i, j, n = 0;

	for (i = 0; i < d->n; i++) {
		bool drop = false;

		for (j = 0; j < d->n && !drop; j++) {
			if (i == j)
				continue;
			/* i implied by j: drop i, unless they are equal
			 * and i is the first of them. */
			if (clause_implies(&d->c[i], &d->c[j]) &&
			    !(clause_implies(&d->c[j], &d->c[i]) && i < j))
				drop = true;
		}
		if (!drop)
			d->c[n++] = d->c[i];
	}
	d->n = n;
}

static struct kdnf dnf_or(struct kctx *x, struct kdnf a, struct kdnf b)
{
	size_t i;

	if (dnf_is_true(&a) || dnf_is_true(&b)) {
		dnf_free(&a);
		dnf_free(&b);
		return dnf_true(x);
	}
	for (i = 0; i < b.n; i++)
		if (!dnf_push(x, &a, &b.c[i]))
			break;
	dnf_free(&b);
	dnf_simplify(&a);
	if (a.n > KF_MAX_CLAUSES) {
		dnf_free(&a);
		x->too_many = true;
		return dnf_true(x);
	}
	return a;
}

static struct kdnf dnf_and(struct kctx *x, struct kdnf a, struct kdnf b)
{
	struct kdnf out = dnf_false();
	size_t i, j, k;

	if (a.n == 0 || b.n == 0) {
		dnf_free(&a);
		dnf_free(&b);
		return out;
	}
	if (dnf_is_true(&a) && a.n == 1) {
		dnf_free(&a);
		return b;
	}
	if (dnf_is_true(&b) && b.n == 1) {
		dnf_free(&b);
		return a;
	}
	if (a.n * b.n > KF_MAX_CLAUSES) {
		/* Too many combinations: keep one side's bound (the one
		 * with fewer alternatives), treat the other as "true". */
		if (a.n <= b.n) {
			dnf_free(&b);
			return a;
		}
		dnf_free(&a);
		return b;
	}
	for (i = 0; i < a.n; i++) {
		for (j = 0; j < b.n; j++) {
			struct kclause c = a.c[i];
			bool ok = true;

			for (k = 0; k < b.c[j].n && ok; k++)
				ok = clause_add(&c, &b.c[j].a[k]);
			if (ok && !dnf_push(x, &out, &c))
				break;
		}
	}
	dnf_free(&a);
	dnf_free(&b);
	dnf_simplify(&out);
	return out;
}

/* ---- comparisons ---- */

/* A syscall event of the context's syscall, everything else empty. */
static void synth_event(const struct kctx *x, struct event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = EVENT_KIND_SYSCALL;
	ev->type_name = "SYSCALL";
	ev->syscall_name = x->syscall;
	ev->syscall = -1;
	ev->machine = -1;
	ev->success = 1;
	ev->has_exit = true;
	ev->auid = EVENT_ID_UNSET;
	ev->ses = EVENT_ID_UNSET;
}

static bool cmp_on(const struct cond_node *n, const struct event *ev, bool neg)
{
	return cond_view_eval(n, ev) != neg;
}

static struct kdnf atom1(struct kctx *x, enum kfilter_field f,
			 enum kfilter_op op, int64_t v)
{
	struct katom a;

	memset(&a, 0, sizeof(a));
	a.field = f;
	a.op = op;
	a.value = v;
	return dnf_atom(x, &a);
}

static struct kdnf or_atom(struct kctx *x, struct kdnf d, enum kfilter_field f,
			   enum kfilter_op op, int64_t v)
{
	return dnf_or(x, d, atom1(x, f, op, v));
}

/* evt.res, audit.success, evt.failed, evt.rawres ...: what the
 * comparison accepts of a success and of each failing return value, by
 * evaluating it on made-up events. Values of a success are sampled
 * (0 and a few more): a comparison that tells successes apart by value
 * is bounded as "succeeded" only. */
static struct kdnf outcome(struct kctx *x, const struct cond_node *n,
			   const struct cond_view *v, bool neg)
{
	static const int64_t succ[] = { 0, 1, 2, 3, 4, 5, 64, 4096, 65536 };
	struct cond_view_value it;
	struct event ev;
	int64_t fails[KF_MAX_EXITS];
	size_t nfail = 0, nsucc = 0, i;
	bool allfail = true;
	int64_t e;
	struct kdnf d;

	/* A return value compared with constants: exit=N / exit!=N. */
	if (field_outcome(v->ref, x->syscall) == FIELD_OUTCOME_EXIT) {
		if (v->op == CVO_EQ && v->v.has_n)
			return atom1(x, KFILTER_EXIT,
				     neg ? KFILTER_NE : KFILTER_EQ, v->v.n);
		if (v->op == CVO_NE && v->v.has_n)
			return atom1(x, KFILTER_EXIT,
				     neg ? KFILTER_EQ : KFILTER_NE, v->v.n);
		if (v->op == CVO_IN && !neg && v->nitems <= KF_MAX_EXITS) {
			d = dnf_false();
			for (i = 0; i < v->nitems; i++) {
				cond_view_item(n, i, &it);
				if (!it.has_n) {
					dnf_free(&d);
					return dnf_true(x);
				}
				d = or_atom(x, d, KFILTER_EXIT, KFILTER_EQ,
					    it.n);
			}
			return d;
		}
	}
	synth_event(x, &ev);
	for (i = 0; i < sizeof(succ) / sizeof(succ[0]); i++) {
		ev.success = 1;
		ev.exit = succ[i];
		if (cmp_on(n, &ev, neg))
			nsucc++;
	}
	for (e = 1; e <= 4095; e++) {
		ev.success = 0;
		ev.exit = -e;
		if (cmp_on(n, &ev, neg)) {
			if (nfail < KF_MAX_EXITS)
				fails[nfail] = -e;
			nfail++;
		} else {
			allfail = false;
		}
	}
	if (nsucc == sizeof(succ) / sizeof(succ[0]) && allfail)
		return dnf_true(x);
	d = dnf_false();
	if (nsucc)
		d = or_atom(x, d, KFILTER_SUCCESS, KFILTER_EQ, 1);
	if (nfail && (allfail || nfail > KF_MAX_EXITS))
		d = or_atom(x, d, KFILTER_SUCCESS, KFILTER_EQ, 0);
	else
		for (i = 0; i < nfail; i++)
			d = or_atom(x, d, KFILTER_EXIT, KFILTER_EQ, fails[i]);
	return d;
}

static int64_t id_kernel_value(enum field_kernel_id id, int64_t v, bool *ok)
{
	*ok = true;
	if (id == FIELD_KID_LOGINUID && v == -1)
		return KF_UNSET_ID;
	if (v < 0 || v > KF_UNSET_ID ||
	    (id == FIELD_KID_AUID && v == KF_UNSET_ID))
		*ok = false;
	return v;
}

static enum kfilter_field id_field(enum field_kernel_id id)
{
	switch (id) {
	case FIELD_KID_UID:
		return KFILTER_UID;
	case FIELD_KID_EUID:
		return KFILTER_EUID;
	case FIELD_KID_GID:
		return KFILTER_GID;
	case FIELD_KID_EGID:
		return KFILTER_EGID;
	case FIELD_KID_PID:
		return KFILTER_PID;
	case FIELD_KID_PPID:
		return KFILTER_PPID;
	default:
		return KFILTER_AUID;
	}
}

static enum cond_view_op negate_op(enum cond_view_op op)
{
	switch (op) {
	case CVO_EQ:
		return CVO_NE;
	case CVO_NE:
		return CVO_EQ;
	case CVO_LT:
		return CVO_GE;
	case CVO_LE:
		return CVO_GT;
	case CVO_GT:
		return CVO_LE;
	case CVO_GE:
		return CVO_LT;
	default:
		return CVO_OTHER;
	}
}

static enum kfilter_op kop(enum cond_view_op op)
{
	switch (op) {
	case CVO_NE:
		return KFILTER_NE;
	case CVO_LT:
		return KFILTER_LT;
	case CVO_LE:
		return KFILTER_LE;
	case CVO_GT:
		return KFILTER_GT;
	case CVO_GE:
		return KFILTER_GE;
	default:
		return KFILTER_EQ;
	}
}

/* user.uid, audit.auid, user.loginuid, proc.pid ...: the kernel compares
 * 32-bit values; an unset login uid is 4294967295 there, -1 (loginuid)
 * or no value (audit.auid) here. */
static struct kdnf ids(struct kctx *x, const struct cond_view *v,
		       const struct field_kernel *fk, bool neg)
{
	enum kfilter_field f = id_field(fk->id);
	bool unsettable = fk->id == FIELD_KID_AUID ||
			  fk->id == FIELD_KID_LOGINUID;
	enum cond_view_op op = v->op;
	struct kdnf d;
	int64_t k;
	bool ok;

	if (!v->v.has_n)
		return dnf_true(x);
	if (neg)
		op = negate_op(op);
	k = id_kernel_value(fk->id, v->v.n, &ok);
	switch (op) {
	case CVO_EQ:
		if (!ok)
			return dnf_false();
		d = atom1(x, f, KFILTER_EQ, k);
		/* not audit.auid != N: also when unset */
		if (neg && fk->id == FIELD_KID_AUID)
			d = or_atom(x, d, f, KFILTER_EQ, KF_UNSET_ID);
		return d;
	case CVO_NE:
		if (!ok)
			return dnf_true(x);
		return atom1(x, f, KFILTER_NE, k);
	case CVO_LT:
	case CVO_LE:
	case CVO_GT:
	case CVO_GE:
		if (unsettable || !ok)
			return dnf_true(x);
		return atom1(x, f, kop(op), k);
	default:
		return dnf_true(x);
	}
}

/* "in (...)" of an id: one clause per value (not: one clause of !=). */
static struct kdnf ids_in(struct kctx *x, const struct cond_node *n,
			  const struct cond_view *v,
			  const struct field_kernel *fk, bool neg)
{
	enum kfilter_field f = id_field(fk->id);
	struct cond_view_value it;
	struct kdnf d;
	struct kclause c;
	struct katom a;
	size_t i;
	bool ok;

	if (v->nitems > KF_MAX_ARGS)
		return dnf_true(x);
	memset(&c, 0, sizeof(c));
	d = dnf_false();
	for (i = 0; i < v->nitems; i++) {
		int64_t k;

		cond_view_item(n, i, &it);
		if (!it.has_n)
			return dnf_free(&d), dnf_true(x);
		k = id_kernel_value(fk->id, it.n, &ok);
		if (!ok)
			continue;
		if (neg) {
			memset(&a, 0, sizeof(a));
			a.field = f;
			a.op = KFILTER_NE;
			a.value = k;
			(void)clause_add(&c, &a);
		} else {
			d = or_atom(x, d, f, KFILTER_EQ, k);
		}
	}
	if (!neg)
		return d;
	if (!dnf_push(x, &d, &c))
		return d;
	if (fk->id == FIELD_KID_AUID)
		d = or_atom(x, d, f, KFILTER_EQ, KF_UNSET_ID);
	return d;
}

/* An argument: the values among 0..255, the named ones and the
 * comparison's own constants that it accepts; values far from those
 * (probes) must not be accepted, or it is not bounded. */
static struct kdnf args(struct kctx *x, const struct cond_node *n,
			const struct cond_view *v,
			const struct field_kernel *fk, bool neg)
{
	static const uint64_t probes[] = {
		4096,		65535,
		65536,		0x7fffffffULL,
		0x80000000ULL,	0xfffffffeULL,
		0xffffffffULL,	0x100000000ULL,
		0xffffff9cULL,	0xffffffffffffff9cULL,
		0x123456789ULL,
	};
	int64_t cand[256 + 64 + 2 * KF_MAX_ARGS + 1];
	int64_t names[64];
	size_t nc = 0, nn, i;
	struct cond_view_value it;
	struct event ev;
	int64_t hit[KF_MAX_ARGS];
	size_t nhit = 0;
	struct kdnf d;

	synth_event(x, &ev);
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		ev.args[fk->arg] = probes[i];
		if (cmp_on(n, &ev, neg))
			return dnf_true(x);
	}
	for (i = 0; i < 256; i++)
		cand[nc++] = (int64_t)i;
	nn = field_kernel_arg_names(v->ref, x->syscall, names, 64);
	for (i = 0; i < nn && i < 64; i++)
		cand[nc++] = names[i];
	if (v->v.has_n)
		cand[nc++] = v->v.n;
	for (i = 0; i < v->nitems && i < 2 * KF_MAX_ARGS; i++) {
		cond_view_item(n, i, &it);
		if (it.has_n)
			cand[nc++] = it.n;
	}
	if (v->nitems > 2 * KF_MAX_ARGS)
		return dnf_true(x);
	for (i = 0; i < nc; i++) {
		size_t j;
		bool dup = false;

		if (cand[i] < 0 || cand[i] > 0xffffffffLL)
			continue;
		ev.args[fk->arg] = (uint64_t)cand[i];
		if (!cmp_on(n, &ev, neg))
			continue;
		for (j = 0; j < nhit && !dup; j++)
			dup = hit[j] == cand[i];
		if (dup)
			continue;
		if (nhit == KF_MAX_ARGS)
			return dnf_true(x);
		hit[nhit++] = cand[i];
	}
	d = dnf_false();
	for (i = 0; i < nhit; i++) {
		struct katom a;

		memset(&a, 0, sizeof(a));
		a.field = KFILTER_ARG;
		a.op = KFILTER_EQ;
		a.value = hit[i];
		a.arg = fk->arg;
		d = dnf_or(x, d, dnf_atom(x, &a));
	}
	return d;
}

/* fd.sockfamily, fd.typechar, fd.type of connect/bind: from the SOCKADDR
 * record's family, which the kernel filters as saddr_fam. */
static struct kdnf sockfamily(struct kctx *x, const struct cond_node *n,
			      bool neg)
{
	static const struct {
		enum event_sockfam fam;
		int raw;
	} fams[] = {
		{ EVENT_SOCK_INET, 2 },	  { EVENT_SOCK_INET6, 10 },
		{ EVENT_SOCK_UNIX, 1 },	  { EVENT_SOCK_NETLINK, 16 },
		{ EVENT_SOCK_OTHER, 17 }, { EVENT_SOCK_NONE, 0 },
	};
	struct event ev;
	struct kdnf d = dnf_false();
	size_t i;

	synth_event(x, &ev);
	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		ev.sockaddr.family = fams[i].fam;
		ev.sockaddr.raw_family = fams[i].raw;
		(void)snprintf(ev.sockaddr.addr, sizeof(ev.sockaddr.addr), "%s",
			       fams[i].fam == EVENT_SOCK_INET6 ? "::1"
							       : "10.0.0.1");
		ev.sockaddr.port = 80;
		ev.sockaddr.path = "/run/x";
		if (!cmp_on(n, &ev, neg))
			continue;
		if (fams[i].fam == EVENT_SOCK_OTHER ||
		    fams[i].fam == EVENT_SOCK_NONE) {
			dnf_free(&d);
			return dnf_true(x);
		}
		d = or_atom(x, d, KFILTER_SADDR_FAM, KFILTER_EQ, fams[i].raw);
	}
	return d;
}

static struct kdnf path_atom(struct kctx *x, enum kfilter_field f,
			     const char *p, size_t len, bool primary)
{
	struct katom a;

	if (!path_normal(p, len))
		return dnf_true(x);
	if (f == KFILTER_DIR && len == 1)
		return dnf_true(x); /* "/": everything */
	memset(&a, 0, sizeof(a));
	a.field = f;
	a.op = KFILTER_EQ;
	a.primary = primary;
	a.path = intern(x, p, len);
	if (!a.path)
		return dnf_true(x);
	return dnf_atom(x, &a);
}

/* "name starts with p": below p when p ends in '/', else below the
 * directory p is in (a sibling may start with p too). */
static struct kdnf startswith_dir(struct kctx *x, const char *p, bool primary)
{
	size_t len = strlen(p);
	const char *slash;

	if (len > 1 && p[len - 1] == '/')
		return path_atom(x, KFILTER_DIR, p, len - 1, primary);
	slash = strrchr(p, '/');
	if (!slash || slash == p)
		return dnf_true(x);
	return path_atom(x, KFILTER_DIR, p, (size_t)(slash - p), primary);
}

static struct kdnf paths(struct kctx *x, const struct cond_node *n,
			 const struct cond_view *v,
			 const struct field_kernel *fk, bool neg)
{
	bool dirname = fk->kind == FIELD_KERNEL_DIRNAME;
	enum kfilter_field exact = dirname ? KFILTER_DIR : KFILTER_PATH;
	struct cond_view_value it;
	struct kdnf d;
	size_t i, len;
	const char *g;

	if (neg)
		return dnf_true(x);
	switch (v->op) {
	case CVO_EQ:
		return path_atom(x, exact, v->v.s, strlen(v->v.s), fk->primary);
	case CVO_IN:
	case CVO_INTERSECTS:
	case CVO_PMATCH:
		if (v->nitems > KF_MAX_CLAUSES) {
			x->too_many = true;
			return dnf_true(x);
		}
		d = dnf_false();
		for (i = 0; i < v->nitems && !dnf_is_true(&d); i++) {
			cond_view_item(n, i, &it);
			d = dnf_or(x, d,
				   path_atom(x,
					     v->op == CVO_PMATCH ? KFILTER_DIR
								 : exact,
					     it.s, strlen(it.s), fk->primary));
		}
		return d;
	case CVO_STARTSWITH:
		return startswith_dir(x, v->v.s, fk->primary);
	case CVO_GLOB:
		/* the literal part before the first wildcard */
		g = v->v.s;
		len = strcspn(g, "*?[\\");
		while (len > 0 && g[len - 1] != '/')
			len--;
		if (len <= 1)
			return dnf_true(x);
		return path_atom(x, KFILTER_DIR, g, len - 1, fk->primary);
	default:
		return dnf_true(x);
	}
}

static struct kdnf cmp(struct kctx *x, const struct cond_node *n,
		       const struct cond_view *v, bool neg)
{
	struct field_kernel fk;
	struct event ev;
	struct kdnf d;

	if (v->op == CVO_OTHER) {
		note_field(x, v->ref);
		return dnf_true(x);
	}
	field_kernel(v->ref, x->syscall, &fk);
	switch (fk.kind) {
	case FIELD_KERNEL_EVT_TYPE:
		synth_event(x, &ev);
		return cmp_on(n, &ev, neg) ? dnf_true(x) : dnf_false();
	case FIELD_KERNEL_PATH:
	case FIELD_KERNEL_DIRNAME:
		d = paths(x, n, v, &fk, neg);
		break;
	case FIELD_KERNEL_OPEN_READ:
	case FIELD_KERNEL_OPEN_WRITE:
		if (!v->v.has_n ||
		    !((v->op == CVO_EQ && v->v.n == 1) ||
		      (v->op == CVO_NE && v->v.n == 0)) ||
		    neg) {
			d = dnf_true(x);
			break;
		}
		return atom1(x, KFILTER_PERM, KFILTER_EQ,
			     fk.kind == FIELD_KERNEL_OPEN_READ
				     ? KFILTER_PERM_READ
				     : KFILTER_PERM_WRITE);
	case FIELD_KERNEL_ID:
		if (v->op == CVO_IN)
			d = ids_in(x, n, v, &fk, neg);
		else
			d = ids(x, v, &fk, neg);
		break;
	case FIELD_KERNEL_ARG:
		d = args(x, n, v, &fk, neg);
		break;
	case FIELD_KERNEL_SOCKFAMILY:
		d = sockfamily(x, n, neg);
		break;
	case FIELD_KERNEL_INET_ONLY:
		if (neg) {
			d = dnf_true(x);
			break;
		}
		d = dnf_or(x, atom1(x, KFILTER_SADDR_FAM, KFILTER_EQ, 2),
			   atom1(x, KFILTER_SADDR_FAM, KFILTER_EQ, 10));
		break;
	default:
		if (field_outcome(v->ref, x->syscall) != FIELD_OUTCOME_NONE) {
			d = outcome(x, n, v, neg);
			break;
		}
		d = dnf_true(x);
		break;
	}
	if (dnf_is_true(&d))
		note_field(x, v->ref);
	return d;
}

/* neg: derive for "not n". Left-deep and-chains recurse on the left;
 * depth is bounded by the compiler's HARRIER_MAX_COND_DEPTH for the rest. */
static struct kdnf derive(struct kctx *x, const struct cond_node *n, bool neg)
{
	struct cond_view v;

	if (x->oom || !n)
		return dnf_true(x);
	cond_view_get(n, &v);
	switch (v.kind) {
	case CV_AND:
		if (neg)
			return dnf_or(x, derive(x, v.a, true),
				      derive(x, v.b, true));
		return dnf_and(x, derive(x, v.a, false), derive(x, v.b, false));
	case CV_OR:
		if (neg)
			return dnf_and(x, derive(x, v.a, true),
				       derive(x, v.b, true));
		return dnf_or(x, derive(x, v.a, false), derive(x, v.b, false));
	case CV_NOT:
		return derive(x, v.a, !neg);
	case CV_CMP:
		return cmp(x, n, &v, neg);
	default:
		return dnf_true(x);
	}
}

/* The kernel's shape: a successful call recorded its PATH items' inodes,
 * a failed one may not have (ENOENT, EACCES on a directory on the way):
 * a clause that names a path but admits failures also needs its failures
 * without the path. Then one path and one perm atom per clause. */
static void kernel_shape(struct kctx *x, struct kdnf *d)
{
	size_t i, j, n0 = d->n;

	for (i = 0; i < n0; i++) {
		struct kclause *c = &d->c[i];
		struct kclause f;
		bool has_path = false, succeeds = false;
		struct katom s;

		for (j = 0; j < c->n; j++) {
			has_path |= is_path_atom(&c->a[j]);
			if ((c->a[j].field == KFILTER_SUCCESS &&
			     c->a[j].value == 1) ||
			    (c->a[j].field == KFILTER_EXIT &&
			     c->a[j].op == KFILTER_EQ &&
			     !exit_is_failure(c->a[j].value)))
				succeeds = true;
		}
		if (!has_path || succeeds)
			continue;
		memset(&f, 0, sizeof(f));
		for (j = 0; j < c->n; j++)
			if (!is_path_atom(&c->a[j]))
				f.a[f.n++] = c->a[j];
		memset(&s, 0, sizeof(s));
		s.field = KFILTER_SUCCESS;
		s.value = 0;
		if (clause_add(&f, &s) && !dnf_push(x, d, &f))
			return;
	}
	for (i = 0; i < d->n; i++) {
		struct kclause *c = &d->c[i];
		struct kclause out;
		int best = -1, perm = -1;

		/* one path: an exact name over a directory, the deepest
		 * directory; one perm: write over read (rarer) */
		for (j = 0; j < c->n; j++) {
			const struct katom *a = &c->a[j];

			if (is_path_atom(a)) {
				if (best < 0 ||
				    (a->field == KFILTER_PATH &&
				     c->a[best].field == KFILTER_DIR) ||
				    (a->field == c->a[best].field &&
				     a->field == KFILTER_DIR &&
				     strlen(a->path) > strlen(c->a[best].path)))
					best = (int)j;
			} else if (a->field == KFILTER_PERM) {
				if (perm < 0 || a->value < c->a[perm].value)
					perm = (int)j;
			}
		}
		memset(&out, 0, sizeof(out));
		for (j = 0; j < c->n; j++) {
			const struct katom *a = &c->a[j];

			if ((is_path_atom(a) && (int)j != best) ||
			    (a->field == KFILTER_PERM && (int)j != perm))
				continue;
			out.a[out.n++] = *a;
		}
		*c = out;
	}
	dnf_simplify(d);
}

static void why_text(const struct kctx *x, struct strbuf *sb)
{
	size_t i;

	if (x->oom) {
		strbuf_appends(sb, "out of memory while deriving it");
		return;
	}
	if (x->too_many) {
		strbuf_appendf(sb,
			       "more than %d alternatives the kernel "
			       "would need a rule each for",
			       KF_MAX_CLAUSES);
		if (!x->nwhy)
			return;
		strbuf_appends(sb, "; ");
	}
	if (!x->nwhy) {
		strbuf_appends(sb, "nothing in its condition restricts this "
				   "syscall in a way the kernel can test");
		return;
	}
	strbuf_appends(sb, "it tests only what the kernel cannot (");
	for (i = 0; i < x->nwhy; i++)
		strbuf_appendf(sb, "%s%s", i ? ", " : "", x->why_fields[i]);
	strbuf_appends(sb, ")");
}

static int derive_rule(const struct rules_rule *r, const char *syscall,
		       kfilter_cb cb, void *ud)
{
	struct kctx x;
	struct kdnf d;
	struct kfilter f;
	struct kfilter_set *sets = NULL;
	struct kfilter_atom *atoms = NULL;
	struct strbuf why = STRBUF_INIT;
	size_t i, j, k = 0, total = 0;
	int rc = 0;

	memset(&x, 0, sizeof(x));
	x.syscall = syscall;
	d = derive(&x, cond_view_root(r->compiled), false);
	if (!x.oom)
		kernel_shape(&x, &d);
	if (x.oom) {
		dnf_free(&d);
		d = dnf_true(&x);
	}
	for (i = 0; i < d.n; i++)
		total += d.c[i].n;
	sets = calloc(d.n ? d.n : 1, sizeof(*sets));
	atoms = calloc(total ? total : 1, sizeof(*atoms));
	if (!sets || !atoms) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < d.n; i++) {
		sets[i].atoms = atoms + k;
		sets[i].natoms = d.c[i].n;
		for (j = 0; j < d.c[i].n; j++, k++) {
			const struct katom *a = &d.c[i].a[j];

			atoms[k].field = a->field;
			atoms[k].op = a->op;
			atoms[k].value = a->value;
			atoms[k].arg = a->arg;
			atoms[k].path = a->path;
		}
	}
	memset(&f, 0, sizeof(f));
	f.rule = r->name;
	f.syscall = syscall;
	f.sets = sets;
	f.nsets = d.n;
	if (dnf_is_true(&d)) {
		why_text(&x, &why);
		f.why = strbuf_failed(&why) ? "?" : strbuf_str(&why);
	}
	cb(&f, ud);
out:
	strbuf_free(&why);
	free(sets);
	free(atoms);
	dnf_free(&d);
	strv_free(x.strings, x.nstrings);
	return rc;
}

static int derive_list(const struct engine *e, const size_t *idx, size_t n,
		       const char *syscall, kfilter_cb cb, void *ud)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		const struct rules_rule *r = e->rules[idx[i]];

		if (!r->active)
			continue;
		rc = derive_rule(r, syscall, cb, ud);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int kfilter_derive(const struct engine *e, const char *syscall, kfilter_cb cb,
		   void *ud)
{
	/* As engine_eval() looks rules up: under the syscall's name, under
	 * "SYSCALL" (the first record's type), and those of any type. */
	const char *keys[2] = { syscall, "SYSCALL" };
	size_t k, idx;
	int rc;

	if (!e->compiled)
		return -EINVAL;
	for (k = 0; k < 2; k++) {
		if (!rules_map_get(&e->type_map, keys[k], &idx))
			continue;
		rc = derive_list(e, e->types[idx].rules, e->types[idx].n,
				 syscall, cb, ud);
		if (rc < 0)
			return rc;
	}
	return derive_list(e, e->any_rules, e->nany, syscall, cb, ud);
}

bool kfilter_path_under(const char *p, const char *d)
{
	return path_under(p, d);
}

static void katom_of(const struct kfilter_atom *a, struct katom *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->field = a->field;
	ret->op = a->op;
	ret->value = a->value;
	ret->arg = a->arg;
	ret->path = a->path;
}

bool kfilter_atom_implies(const struct kfilter_atom *a,
			  const struct kfilter_atom *b)
{
	struct katom x, y;

	katom_of(a, &x);
	katom_of(b, &y);
	return atom_implies(&x, &y);
}

bool kfilter_set_implies(const struct kfilter_set *a,
			 const struct kfilter_set *b)
{
	size_t i, j;

	for (j = 0; j < b->natoms; j++) {
		bool ok = false;

		for (i = 0; i < a->natoms && !ok; i++)
			ok = kfilter_atom_implies(&a->atoms[i], &b->atoms[j]);
		if (!ok)
			return false;
	}
	return true;
}
