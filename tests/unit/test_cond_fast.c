/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The condition evaluator's fast paths against a straightforward
 * evaluation written here: hash sets of long lists (in, intersects,
 * pmatch; duplicates, case, prefixes of one another, transformers),
 * common subexpressions shared across conditions (cond_memo), on random
 * conditions, lists and events from a fixed seed. Also the engine: the
 * same alerts with its memo as with every rule evaluated on its own.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/alert.h"
#include "common/diag.h"
#include "common/strbuf.h"
#include "engine/cond.h"
#include "engine/engine.h"

/* ---- random inputs ---- */

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static unsigned int rnd(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng % n);
}

/* A name from a small alphabet, so that lists and events collide often:
 * equal, prefixes of each other, differing in case only. */
static void rnd_name(char *out, size_t size)
{
	static const char abc[] = "abAB";
	size_t n = 1 + rnd(4), i;

	for (i = 0; i < n && i + 1 < size; i++)
		out[i] = abc[rnd(sizeof(abc) - 1)];
	out[i] = '\0';
}

/* An absolute path of 0-3 components (or "/"), sometimes with a
 * trailing '/'. */
static void rnd_path(char *out, size_t size)
{
	size_t n = rnd(4), i, len = 0;
	char seg[8];

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		rnd_name(seg, sizeof(seg));
		len += (size_t)snprintf(out + len, size - len, "/%s", seg);
	}
	if (n == 0 || rnd(5) == 0)
		(void)snprintf(out + len, size - len, "/");
}

#define MAXITEMS 40
#define ITEMLEN 32

struct list {
	char items[MAXITEMS][ITEMLEN];
	size_t n;
};

/* 0..MAXITEMS items, duplicates likely: both sides of the hash set's
 * threshold. */
static void rnd_list(struct list *l, bool paths)
{
	size_t i;

	l->n = rnd(MAXITEMS + 1);
	for (i = 0; i < l->n; i++) {
		if (paths)
			rnd_path(l->items[i], ITEMLEN);
		else
			rnd_name(l->items[i], ITEMLEN);
	}
}

static size_t list_text(const struct list *l, char *out, size_t size)
{
	size_t len = 0, i;

	len += (size_t)snprintf(out, size, "(");
	for (i = 0; i < l->n; i++)
		len += (size_t)snprintf(out + len, size - len, "%s'%s'",
					i ? ", " : "", l->items[i]);
	len += (size_t)snprintf(out + len, size - len, ")");
	return len;
}

/* ---- the straightforward semantics ---- */

static bool ref_in(const struct list *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->items[i], s) == 0)
			return true;
	return false;
}

/* Falco's pmatch: s is a prefix path or below one (trailing '/' of the
 * prefixes ignored; "/" is above every absolute path). */
static bool ref_pmatch(const struct list *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		char p[ITEMLEN];
		size_t pl;

		memcpy(p, l->items[i], ITEMLEN);
		pl = strlen(p);
		while (pl > 1 && p[pl - 1] == '/')
			p[--pl] = '\0';
		if (strcmp(p, "/") == 0) {
			if (s[0] == '/')
				return true;
			continue;
		}
		if (strncmp(s, p, pl) == 0 && (s[pl] == '\0' || s[pl] == '/'))
			return true;
	}
	return false;
}

static void lower(const char *s, char *out, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

/* ---- events ---- */

struct rev {
	char comm[16];
	char path[64];
	struct event_path p;
	struct event ev;
};

static void rnd_event(struct rev *r)
{
	rnd_name(r->comm, sizeof(r->comm));
	rnd_path(r->path, sizeof(r->path));
	memset(&r->p, 0, sizeof(r->p));
	r->p.name = r->path;
	r->p.nametype = "NORMAL";
	memset(&r->ev, 0, sizeof(r->ev));
	r->ev.kind = EVENT_KIND_SYSCALL;
	r->ev.type_name = "SYSCALL";
	r->ev.record_type = 1300;
	r->ev.syscall = 257;
	r->ev.syscall_name = "openat";
	r->ev.success = 1;
	r->ev.exit = 3;
	r->ev.has_exit = true;
	r->ev.pid = (int)rnd(20);
	r->ev.ppid = 1;
	r->ev.comm = r->comm;
	r->ev.exe = "/usr/bin/x";
	r->ev.paths = &r->p;
	r->ev.npaths = 1;
}

static struct cond *compile(const char *text, const struct cond_env *env)
{
	struct diag d;
	struct cond *c;
	char buf[512];
	size_t i;

	diag_init(&d);
	c = cond_compile(text, NULL, env, &d, NULL);
	for (i = 0; i < d.n; i++) {
		diag_format(&d.items[i], buf, sizeof(buf));
		print_error("diagnostic for '%s': %s\n", text, buf);
	}
	assert_non_null(c);
	diag_free(&d);
	return c;
}

/* ---- lists ---- */

/* Long and short lists, with duplicates and names differing in case,
 * through each list operator and a transformer: the hash set gives what
 * a scan of the list gives. */
static void test_lists_random(void **state)
{
	static char text[MAXITEMS * (ITEMLEN + 4) + 64];
	struct list l;
	int round, k;

	(void)state;
	for (round = 0; round < 300; round++) {
		bool paths = round % 2 == 1;
		struct cond *in, *inter, *pm, *low;
		size_t len;

		rnd_list(&l, paths);
		len = (size_t)snprintf(text, sizeof(text), "%s in ",
				       paths ? "fd.name" : "proc.name");
		list_text(&l, text + len, sizeof(text) - len);
		in = compile(text, NULL);
		len = (size_t)snprintf(text, sizeof(text), "%s intersects ",
				       paths ? "fd.name" : "proc.name");
		list_text(&l, text + len, sizeof(text) - len);
		inter = compile(text, NULL);
		len = (size_t)snprintf(text, sizeof(text), "fd.name pmatch ");
		list_text(&l, text + len, sizeof(text) - len);
		pm = compile(text, NULL);
		len = (size_t)snprintf(text, sizeof(text),
				       "tolower(proc.name) in ");
		list_text(&l, text + len, sizeof(text) - len);
		low = compile(text, NULL);
		for (k = 0; k < 40; k++) {
			struct rev r;
			const char *v;
			char lc[16];

			rnd_event(&r);
			/* half the probes are items of the list */
			if (l.n && rnd(2)) {
				if (paths)
					(void)snprintf(r.path, sizeof(r.path),
						       "%s",
						       l.items[rnd((unsigned)l.n)]);
				else
					(void)snprintf(r.comm, sizeof(r.comm),
						       "%s",
						       l.items[rnd((unsigned)l.n)]);
			}
			v = paths ? r.path : r.comm;
			assert_int_equal(cond_eval(in, &r.ev), ref_in(&l, v));
			assert_int_equal(cond_eval(inter, &r.ev),
					 ref_in(&l, v));
			assert_int_equal(cond_eval(pm, &r.ev),
					 ref_pmatch(&l, r.path));
			lower(r.comm, lc, sizeof(lc));
			assert_int_equal(cond_eval(low, &r.ev), ref_in(&l, lc));
		}
		cond_free(in);
		cond_free(inter);
		cond_free(pm);
		cond_free(low);
	}
}

/* The hash set's edges, by hand: duplicates, a name and its prefixes,
 * case, the empty string, numbers compared as numbers. */
static void test_lists_edges(void **state)
{
	struct rev r;
	struct cond *c;

	(void)state;
	rnd_event(&r);
	c = compile("proc.name in (b, bb, bbb, bbbb, bbbbb, bbbbbb, bbbbbbb, "
		    "bbbbbbbb, b, bb, B, '')",
		    NULL);
	(void)snprintf(r.comm, sizeof(r.comm), "bbbbbbbbb");
	assert_false(cond_eval(c, &r.ev));
	(void)snprintf(r.comm, sizeof(r.comm), "bbbbbbbb");
	assert_true(cond_eval(c, &r.ev));
	(void)snprintf(r.comm, sizeof(r.comm), "B");
	assert_true(cond_eval(c, &r.ev));
	(void)snprintf(r.comm, sizeof(r.comm), "BB");
	assert_false(cond_eval(c, &r.ev));
	cond_free(c);
	c = compile("fd.name pmatch (/a/b/, /a/b, /c, /c/d, /e, /f, /g, /h, "
		    "/i/j/k)",
		    NULL);
	(void)snprintf(r.path, sizeof(r.path), "/a/b/x");
	assert_true(cond_eval(c, &r.ev));
	(void)snprintf(r.path, sizeof(r.path), "/a/bx");
	assert_false(cond_eval(c, &r.ev));
	(void)snprintf(r.path, sizeof(r.path), "/i/j");
	assert_false(cond_eval(c, &r.ev));
	(void)snprintf(r.path, sizeof(r.path), "/i/j/k/");
	assert_true(cond_eval(c, &r.ev));
	cond_free(c);
	c = compile("proc.pid in (1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 11, 0x0c)",
		    NULL);
	r.ev.pid = 12;
	assert_true(cond_eval(c, &r.ev));
	r.ev.pid = 10;
	assert_false(cond_eval(c, &r.ev));
	cond_free(c);
}

/* ---- common subexpressions ---- */

/* Random condition trees over a fixed set of comparisons, some behind
 * macros that several conditions share; each also evaluated here. */
enum leaf_kind { LK_IN, LK_PMATCH, LK_EQ, LK_STARTS, LK_ICONT, LK_GLOB,
		 LK_LOWIN, LK_PID, LK_NKINDS };

struct leaf {
	enum leaf_kind kind;
	struct list l;
	char v[16];
	int n;
};

#define NLEAVES 16
#define NMACROS 6
#define NCONDS 40

struct tree {
	int kind; /* 0 leaf, 1 and, 2 or, 3 not, 4 macro */
	int leaf; /* or macro */
	struct tree *a, *b;
};

static struct leaf leaves[NLEAVES];
static struct tree *macros[NMACROS];
static char macro_text[NMACROS][8192];
static char macro_name[NMACROS][8];

static bool leaf_eval(const struct leaf *f, const struct rev *r)
{
	char lc[16], v[16];

	switch (f->kind) {
	case LK_IN:
		return ref_in(&f->l, r->comm);
	case LK_PMATCH:
		return ref_pmatch(&f->l, r->path);
	case LK_EQ:
		return strcmp(r->comm, f->v) == 0;
	case LK_STARTS:
		return strncmp(r->path, f->v, strlen(f->v)) == 0;
	case LK_ICONT:
		lower(r->comm, lc, sizeof(lc));
		lower(f->v, v, sizeof(v));
		return strstr(lc, v) != NULL;
	case LK_GLOB:
		return fnmatch(f->v, r->path, 0) == 0;
	case LK_LOWIN:
		lower(r->comm, lc, sizeof(lc));
		return ref_in(&f->l, lc);
	default:
		return r->ev.pid > f->n;
	}
}

static size_t leaf_text(const struct leaf *f, char *out, size_t size)
{
	size_t len;

	switch (f->kind) {
	case LK_IN:
		len = (size_t)snprintf(out, size, "proc.name in ");
		return len + list_text(&f->l, out + len, size - len);
	case LK_PMATCH:
		len = (size_t)snprintf(out, size, "fd.name pmatch ");
		return len + list_text(&f->l, out + len, size - len);
	case LK_LOWIN:
		len = (size_t)snprintf(out, size, "tolower(proc.name) in ");
		return len + list_text(&f->l, out + len, size - len);
	case LK_EQ:
		return (size_t)snprintf(out, size, "proc.name = '%s'", f->v);
	case LK_STARTS:
		return (size_t)snprintf(out, size, "fd.name startswith '%s'",
					f->v);
	case LK_ICONT:
		return (size_t)snprintf(out, size, "proc.name icontains '%s'",
					f->v);
	case LK_GLOB:
		return (size_t)snprintf(out, size, "fd.name glob '%s'", f->v);
	default:
		return (size_t)snprintf(out, size, "proc.pid > %d", f->n);
	}
}

static struct tree *rnd_tree(int depth, int max_macro)
{
	struct tree *t = calloc(1, sizeof(*t));
	unsigned int k = depth <= 0 ? 0 : rnd(max_macro > 0 ? 5 : 4);

	assert_non_null(t);
	t->kind = (int)k;
	if (k == 0) {
		t->leaf = (int)rnd(NLEAVES);
	} else if (k == 4) {
		t->leaf = (int)rnd((unsigned)max_macro);
	} else {
		t->a = rnd_tree(depth - 1, max_macro);
		if (k != 3)
			t->b = rnd_tree(depth - 1, max_macro);
	}
	return t;
}

static void tree_free(struct tree *t)
{
	if (!t)
		return;
	tree_free(t->a);
	tree_free(t->b);
	free(t);
}

static bool tree_eval(const struct tree *t, const struct rev *r)
{
	switch (t->kind) {
	case 0:
		return leaf_eval(&leaves[t->leaf], r);
	case 1:
		return tree_eval(t->a, r) && tree_eval(t->b, r);
	case 2:
		return tree_eval(t->a, r) || tree_eval(t->b, r);
	case 3:
		return !tree_eval(t->a, r);
	default:
		return tree_eval(macros[t->leaf], r);
	}
}

static size_t tree_text(const struct tree *t, char *out, size_t size)
{
	size_t len = 0;

	switch (t->kind) {
	case 0:
		return leaf_text(&leaves[t->leaf], out, size);
	case 1:
	case 2:
		len += (size_t)snprintf(out, size, "(");
		len += tree_text(t->a, out + len, size - len);
		len += (size_t)snprintf(out + len, size - len, "%s",
					t->kind == 1 ? " and " : " or ");
		len += tree_text(t->b, out + len, size - len);
		return len + (size_t)snprintf(out + len, size - len, ")");
	case 3:
		len += (size_t)snprintf(out, size, "not (");
		len += tree_text(t->a, out + len, size - len);
		return len + (size_t)snprintf(out + len, size - len, ")");
	default:
		return (size_t)snprintf(out, size, "%s", macro_name[t->leaf]);
	}
}

static const char *prop_macro(void *ud, const char *name,
			      const struct cond_src **ret_src)
{
	int i;

	(void)ud;
	*ret_src = NULL;
	for (i = 0; i < NMACROS; i++)
		if (strcmp(name, macro_name[i]) == 0)
			return macro_text[i];
	return NULL;
}

static const char *const *prop_list(void *ud, const char *name,
				    size_t *ret_n)
{
	(void)ud;
	(void)name;
	*ret_n = 0;
	return NULL;
}

static void rnd_leaves(void)
{
	static const char *const globs[] = { "/a*", "/*/b", "/[aA]*", "*B",
					     "/?" };
	int i;

	for (i = 0; i < NLEAVES; i++) {
		struct leaf *f = &leaves[i];

		f->kind = (enum leaf_kind)(i % LK_NKINDS);
		rnd_list(&f->l, f->kind == LK_PMATCH);
		if (f->kind == LK_GLOB)
			(void)snprintf(f->v, sizeof(f->v), "%s",
				       globs[rnd(5)]);
		else if (f->kind == LK_STARTS)
			rnd_path(f->v, sizeof(f->v));
		else
			rnd_name(f->v, sizeof(f->v));
		f->n = (int)rnd(20);
		/* the second of a kind: the first's list with one item
		 * changed (the same length, the same operator) */
		if (i >= LK_NKINDS && f->kind != LK_GLOB &&
		    f->kind != LK_EQ) {
			struct leaf *o = &leaves[i - LK_NKINDS];

			f->l = o->l;
			if (!f->l.n)
				f->l.n = 1;
			(void)snprintf(f->l.items[rnd((unsigned)f->l.n)],
				       ITEMLEN, "%s",
				       f->kind == LK_PMATCH ? "/Ba" : "Ba");
		}
	}
}

/* Many conditions sharing comparisons and macros, evaluated with one
 * memo in varying order on random events: each gives what it gives on
 * its own (cond_eval) and what the tree says. */
static void test_memo_random(void **state)
{
	static const struct cond_env env = { prop_macro, prop_list, NULL,
					     NULL };
	static char text[65536];
	struct tree *conds[NCONDS];
	struct cond *cc[NCONDS];
	int round, i, k;

	(void)state;
	for (round = 0; round < 20; round++) {
		struct cond_memo *m = cond_memo_new();

		assert_non_null(m);
		rnd_leaves();
		/* a macro may use the macros defined before it */
		for (i = 0; i < NMACROS; i++) {
			(void)snprintf(macro_name[i], sizeof(macro_name[i]),
				       "m%d", i);
			macros[i] = rnd_tree(3, i);
			tree_text(macros[i], macro_text[i],
				  sizeof(macro_text[i]));
		}
		for (i = 0; i < NCONDS; i++) {
			conds[i] = rnd_tree(4, NMACROS);
			tree_text(conds[i], text, sizeof(text));
			cc[i] = compile(text, &env);
			assert_int_equal(cond_memo_add(m, cc[i]), 0);
		}
		assert_int_equal(cond_memo_seal(m), 0);
		for (k = 0; k < 200; k++) {
			struct rev r;
			int start = (int)rnd(NCONDS);

			rnd_event(&r);
			cond_memo_next(m);
			for (i = 0; i < NCONDS; i++) {
				int j = (start + i * 7) % NCONDS;
				bool want = tree_eval(conds[j], &r);

				assert_int_equal(cond_eval_memo(cc[j], &r.ev, m),
						 want);
				assert_int_equal(cond_eval(cc[j], &r.ev), want);
				/* twice in one event: from the memo */
				assert_int_equal(cond_eval_memo(cc[j], &r.ev, m),
						 want);
			}
		}
		for (i = 0; i < NCONDS; i++) {
			cond_free(cc[i]);
			tree_free(conds[i]);
		}
		for (i = 0; i < NMACROS; i++)
			tree_free(macros[i]);
		cond_memo_free(m);
	}
}

/* A memo used before it is sealed, or one an add failed on, changes
 * nothing: every condition evaluates in full. */
static void test_memo_unsealed(void **state)
{
	struct cond_memo *m = cond_memo_new();
	struct cond *a = compile("proc.name in (a, b) and proc.pid > 3", NULL);
	struct cond *b = compile("proc.name in (a, b) and proc.pid > 5", NULL);
	struct rev r;

	(void)state;
	assert_int_equal(cond_memo_add(m, a), 0);
	assert_int_equal(cond_memo_add(m, b), 0);
	rnd_event(&r);
	(void)snprintf(r.comm, sizeof(r.comm), "a");
	r.ev.pid = 4;
	cond_memo_next(m);
	assert_true(cond_eval_memo(a, &r.ev, m));
	assert_false(cond_eval_memo(b, &r.ev, m));
	assert_int_equal(cond_memo_seal(m), 0);
	assert_int_equal(cond_memo_add(m, a), -EINVAL);
	cond_memo_next(m);
	assert_true(cond_eval_memo(a, &r.ev, m));
	assert_false(cond_eval_memo(b, &r.ev, m));
	/* the next event is not answered from the last one's results */
	(void)snprintf(r.comm, sizeof(r.comm), "c");
	cond_memo_next(m);
	assert_false(cond_eval_memo(a, &r.ev, m));
	cond_memo_free(m);
	cond_free(a);
	cond_free(b);
}

/* ---- the engine ---- */

static void on_alert(struct alert *a, void *ud)
{
	struct strbuf *sb = ud;

	strbuf_appends(sb, a->rule);
	strbuf_appendc(sb, ';');
	alert_free(a);
}

/* Rules sharing macros and lists in an engine (memo on) against each
 * rule compiled on its own: the same rules fire for every event. */
static void test_engine_same_alerts(void **state)
{
	static char yaml[1 << 17];
	static char cond_txt[65536];
	struct engine *e = engine_new();
	struct tree *conds[NCONDS];
	struct diag d;
	size_t len = 0;
	int i, k;

	(void)state;
	assert_non_null(e);
	rnd_leaves();
	for (i = 0; i < NMACROS; i++) {
		(void)snprintf(macro_name[i], sizeof(macro_name[i]), "m%d", i);
		macros[i] = rnd_tree(3, i);
		tree_text(macros[i], macro_text[i], sizeof(macro_text[i]));
		len += (size_t)snprintf(yaml + len, sizeof(yaml) - len,
					"- macro: %s\n  condition: >\n    %s\n",
					macro_name[i], macro_text[i]);
	}
	for (i = 0; i < NCONDS; i++) {
		conds[i] = rnd_tree(4, NMACROS);
		tree_text(conds[i], cond_txt, sizeof(cond_txt));
		len += (size_t)snprintf(
			yaml + len, sizeof(yaml) - len,
			"- rule: r%d\n  desc: d\n  condition: >\n    evt.type = openat and (%s)\n"
			"  output: o\n  priority: WARNING\n",
			i, cond_txt);
	}
	assert_true(len < sizeof(yaml));
	diag_init(&d);
	assert_int_equal(engine_load_buffer(e, "p.yaml", yaml, len, &d), 0);
	assert_int_equal(engine_compile(e, &d), 0);
	diag_free(&d);
	for (k = 0; k < 300; k++) {
		struct strbuf got = STRBUF_INIT, want = STRBUF_INIT;
		struct rev r;

		rnd_event(&r);
		(void)engine_eval(e, &r.ev, on_alert, &got);
		for (i = 0; i < NCONDS; i++)
			if (tree_eval(conds[i], &r))
				strbuf_appendf(&want, "r%d;", i);
		assert_string_equal(strbuf_str(&got), strbuf_str(&want));
		strbuf_free(&got);
		strbuf_free(&want);
	}
	for (i = 0; i < NCONDS; i++)
		tree_free(conds[i]);
	for (i = 0; i < NMACROS; i++)
		tree_free(macros[i]);
	engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists_random),
		cmocka_unit_test(test_lists_edges),
		cmocka_unit_test(test_memo_random),
		cmocka_unit_test(test_memo_unsealed),
		cmocka_unit_test(test_engine_same_alerts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
