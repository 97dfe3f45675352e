/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The engine: resolves lists and macros, compiles every enabled rule once
 * into a condition and an output format, indexes rules by the event types
 * they can match, and turns matches into owned struct alerts. Evaluation
 * never changes the engine, so it never allocates beyond the alert it
 * hands out; it never prints.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/strbuf.h"
#include "engine/cond_view.h"
#include "engine/engine.h"
#include "engine/exceptions.h"
#include "engine/fields.h"
#include "engine/rules.h"

struct engine *engine_new(void)
{
	struct engine *e = calloc(1, sizeof(*e));
	char host[256];

	if (!e)
		return NULL;
	e->min_priority = ALERT_PRIO_DEBUG;
	if (gethostname(host, sizeof(host)) < 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	e->hostname = strdup(host);
	if (!e->hostname) {
		free(e);
		return NULL;
	}
	return e;
}

static void engine_clear_compiled(struct engine *e)
{
	size_t i;

	cond_memo_free(e->memo);
	e->memo = NULL;
	for (i = 0; i < e->nrules; i++) {
		struct rules_rule *r = e->rules[i];

		cond_free(r->compiled);
		format_free(r->format);
		free(r->skip_reason);
		r->compiled = NULL;
		r->format = NULL;
		r->skip_reason = NULL;
		r->active = false;
		r->any_type = false;
	}
	for (i = 0; i < e->ntypes; i++) {
		free(e->types[i].name);
		free(e->types[i].rules);
	}
	free(e->types);
	e->types = NULL;
	e->ntypes = e->captypes = 0;
	rules_map_free(&e->type_map);
	free(e->any_rules);
	e->any_rules = NULL;
	e->nany = 0;
	for (i = 0; i < e->nlists; i++) {
		struct rules_list *l = e->lists[i];

		strv_free(l->expanded, l->nexpanded);
		l->expanded = NULL;
		l->nexpanded = 0;
		l->state = 0;
	}
	for (i = 0; i < e->nmacros; i++)
		e->macros[i]->used = false;
	e->compiled = false;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	engine_clear_compiled(e);
	rules_free_items(e);
	free(e->hostname);
	free(e);
}

int engine_set_hostname(struct engine *e, const char *hostname)
{
	char *h = strdup(hostname);

	if (!h)
		return -ENOMEM;
	free(e->hostname);
	e->hostname = h;
	return 0;
}

void engine_set_min_priority(struct engine *e, enum alert_priority p)
{
	e->min_priority = p;
}

void engine_set_strict(struct engine *e, bool strict)
{
	e->strict = strict;
}

static void diag_sort(const struct engine *e, struct diag *d, size_t from);

int engine_load_buffer(struct engine *e, const char *name, const char *data,
		       size_t len, struct diag *d)
{
	struct diag local;
	size_t from;
	int r;

	/* what was compiled may be redefined now: compile again after */
	engine_clear_compiled(e);
	if (d) {
		from = d->n;
		r = rules_load(e, name, data, len, d);
		diag_sort(e, d, from);
		return r;
	}
	diag_init(&local);
	r = rules_load(e, name, data, len, &local);
	diag_free(&local);
	return r;
}

int engine_load_file(struct engine *e, const char *path, struct diag *d)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		r = -EISDIR;
		goto out;
	}
	if (S_ISREG(st.st_mode) && st.st_size > HARRIER_MAX_RULES_FILE_BYTES) {
		r = -EFBIG;
		goto out;
	}
	/* read to EOF (also works for pipes), bounded */
	for (;;) {
		size_t cap = len ? len * 2 : 65536;
		ssize_t n;
		char *p;

		if (cap > HARRIER_MAX_RULES_FILE_BYTES + 1)
			cap = HARRIER_MAX_RULES_FILE_BYTES + 1;
		p = realloc(buf, cap);
		if (!p) {
			r = -ENOMEM;
			goto out;
		}
		buf = p;
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > HARRIER_MAX_RULES_FILE_BYTES) {
			r = -EFBIG;
			goto out;
		}
	}
	r = engine_load_buffer(e, path, buf ? buf : "", len, d);
out:
	free(buf);
	(void)close(fd);
	return r;
}

/* ---- compile ---- */

static int list_expand(struct engine *e, struct rules_list *l, struct diag *d,
		       unsigned int depth);

static int strv_push(char ***v, size_t *n, const char *s)
{
	char **p = realloc(*v, (*n + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	*v = p;
	p[*n] = strdup(s);
	if (!p[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* Items naming another list are replaced by that list's items (Falco),
 * whether it is defined before or after; cycles are errors. */
static int list_expand(struct engine *e, struct rules_list *l, struct diag *d,
		       unsigned int depth)
{
	size_t i, j, idx;

	if (l->state == 2)
		return 0;
	if (l->state == 3)
		return -EINVAL;
	if (l->state == 1 || depth > HARRIER_MAX_COND_DEPTH) {
		diag_add(d, DIAG_ERROR, l->pos.file, l->pos.line, l->pos.col,
			 "list '%s' includes itself", l->name);
		l->state = 3;
		return -EINVAL;
	}
	l->state = 1;
	for (i = 0; i < l->nitems; i++) {
		struct rules_list *sub;

		if (!rules_map_get(&e->list_map, l->items[i], &idx) ||
		    e->lists[idx] == l) {
			if (l->nexpanded >= HARRIER_MAX_LIST_ITEMS)
				goto too_many;
			if (strv_push(&l->expanded, &l->nexpanded,
				      l->items[i]) < 0)
				goto oom;
			continue;
		}
		sub = e->lists[idx];
		if (list_expand(e, sub, d, depth + 1) < 0) {
			l->state = 3;
			return -EINVAL;
		}
		if (l->nexpanded + sub->nexpanded > HARRIER_MAX_LIST_ITEMS)
			goto too_many;
		for (j = 0; j < sub->nexpanded; j++)
			if (strv_push(&l->expanded, &l->nexpanded,
				      sub->expanded[j]) < 0)
				goto oom;
	}
	l->state = 2;
	return 0;
too_many:
	diag_add(d, DIAG_ERROR, l->pos.file, l->pos.line, l->pos.col,
		 "list '%s' has more than %d items after expansion", l->name,
		 HARRIER_MAX_LIST_ITEMS);
	l->state = 3;
	return -EINVAL;
oom:
	l->state = 3;
	return -ENOMEM;
}

/* The compile state: the engine and the diagnostics collected from every
 * rule, merged by place and message, so that a problem in a macro used by
 * ten rules is one message naming the macro and the ten rules. */
struct pending {
	enum diag_level level;
	char *file; /* owned: the diagnostic may outlive its source */
	unsigned int line, col;
	char *msg;
	char *macro; /* holding the problem; NULL: a rule's own text */
	const char **rules; /* borrowed names */
	size_t nrules;
	size_t seq;
};

struct compile_ctx {
	struct engine *e;
	struct pending *p;
	size_t n, cap;
	const char *rule; /* being compiled; NULL: an unused macro */
	const char *unused_macro;
	/* skip-if-unknown-filter: the rule's first error, which skips it
	 * instead of failing the file */
	bool catch_errors;
	char caught[640];
	bool oom;
};

static const char *env_macro(void *ud, const char *name,
			     const struct cond_src **ret_src)
{
	struct compile_ctx *c = ud;
	struct rules_macro *m;
	size_t idx;

	if (!rules_map_get(&c->e->macro_map, name, &idx))
		return NULL;
	m = c->e->macros[idx];
	m->used = true;
	m->src = rules_text_src(&m->cond);
	*ret_src = &m->src;
	return m->cond.s;
}

static const char *const empty_list[1] = { NULL };

static const char *const *env_list(void *ud, const char *name, size_t *ret_n)
{
	struct compile_ctx *c = ud;
	struct rules_list *l;
	size_t idx;

	if (!rules_map_get(&c->e->list_map, name, &idx))
		return NULL;
	l = c->e->lists[idx];
	if (l->state != 2)
		return NULL;
	*ret_n = l->nexpanded;
	/* an empty list is still a list: never NULL */
	return l->nexpanded ? (const char *const *)l->expanded : empty_list;
}

static bool same_file(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static void pending_add(struct compile_ctx *c, enum diag_level level,
			const char *file, unsigned int line, unsigned int col,
			const char *macro, const char *msg)
{
	struct pending *p = NULL;
	size_t i;

	for (i = 0; i < c->n; i++) {
		p = &c->p[i];
		if (p->level == level && p->line == line && p->col == col &&
		    same_file(p->file, file) && strcmp(p->msg, msg) == 0 &&
		    ((!p->macro && !macro) ||
		     (p->macro && macro && strcmp(p->macro, macro) == 0)))
			break;
	}
	if (i == c->n) {
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 16;
			struct pending *np = realloc(c->p, cap * sizeof(*np));

			if (!np) {
				c->oom = true;
				return;
			}
			c->p = np;
			c->cap = cap;
		}
		p = &c->p[c->n];
		memset(p, 0, sizeof(*p));
		p->level = level;
		p->file = file ? strdup(file) : NULL;
		p->line = line;
		p->col = col;
		p->seq = c->n;
		p->msg = strdup(msg);
		p->macro = macro ? strdup(macro) : NULL;
		if (!p->msg || (macro && !p->macro) || (file && !p->file)) {
			free(p->msg);
			free(p->macro);
			free(p->file);
			c->oom = true;
			return;
		}
		c->n++;
	}
	if (!c->rule || (p->nrules && p->rules[p->nrules - 1] == c->rule))
		return;
	{
		const char **nr =
			realloc(p->rules, (p->nrules + 1) * sizeof(*nr));

		if (!nr) {
			c->oom = true;
			return;
		}
		p->rules = nr;
		p->rules[p->nrules++] = c->rule;
	}
}

/* Forget the "evt.type 'x' ... never matches" warnings that compiling
 * rule alone added since index from. */
static void pending_drop_types(struct compile_ctx *c, size_t from,
			       const char *rule)
{
	size_t i = from, k = from;

	for (; i < c->n; i++) {
		struct pending *p = &c->p[i];

		if (p->level == DIAG_WARNING && p->nrules == 1 &&
		    p->rules[0] == rule && strncmp(p->msg, "evt.type '", 10) == 0) {
			free(p->msg);
			free(p->macro);
			free(p->file);
			free(p->rules);
			continue;
		}
		c->p[k++] = *p;
	}
	c->n = k;
}

static void env_report(void *ud, enum diag_level level, const char *file,
		       unsigned int line, unsigned int col, const char *macro,
		       const char *msg)
{
	struct compile_ctx *c = ud;
	char buf[640];

	if (c->catch_errors && level == DIAG_ERROR) {
		if (!c->caught[0])
			(void)snprintf(c->caught, sizeof(c->caught), "%s",
				       msg);
		return;
	}
	if (c->unused_macro) {
		/* Falco's files carry macros for fields and sources audit
		 * lacks: a problem in an unused macro is a warning. */
		(void)snprintf(buf, sizeof(buf), "in unused macro '%s': %s",
			       c->unused_macro, msg);
		pending_add(c, DIAG_WARNING, file, line, col, macro, buf);
		return;
	}
	pending_add(c, level, file, line, col, macro, msg);
}

/* "msg (in macro 'm', used by rules 'a', 'b')" into d. */
static void pending_emit(const struct pending *p, struct diag *d)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_appends(&sb, p->msg);
	if (p->macro) {
		strbuf_appendf(&sb, " (in macro '%s'", p->macro);
		if (p->nrules)
			strbuf_appendf(&sb, ", used by rule%s ",
				       p->nrules > 1 ? "s" : "");
	} else if (p->nrules) {
		strbuf_appendf(&sb, " (rule%s ", p->nrules > 1 ? "s" : "");
	}
	for (i = 0; i < p->nrules && i < 5; i++)
		strbuf_appendf(&sb, "%s'%s'", i ? ", " : "", p->rules[i]);
	if (p->nrules > 5)
		strbuf_appendf(&sb, " and %zu more", p->nrules - 5);
	if (p->macro || p->nrules)
		strbuf_appendc(&sb, ')');
	if (strbuf_failed(&sb))
		diag_add(d, p->level, p->file, p->line, p->col, "%s", p->msg);
	else
		diag_add(d, p->level, p->file, p->line, p->col, "%s", sb.buf);
	strbuf_free(&sb);
}

static void compile_ctx_free(struct compile_ctx *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->p[i].msg);
		free(c->p[i].macro);
		free(c->p[i].file);
		free(c->p[i].rules);
	}
	free(c->p);
	memset(c, 0, sizeof(*c));
}

/* Place of a file in load order; unknown files (the caller's own
 * diagnostics) come first. */
static long file_rank(const struct engine *e, const char *file)
{
	size_t i;

	for (i = 0; file && i < e->nfiles; i++)
		if (same_file(e->files[i], file))
			return (long)i;
	return -1;
}

struct diag_key {
	long rank;
	unsigned int line, col;
	size_t idx;
};

static int diag_key_cmp(const void *a, const void *b)
{
	const struct diag_key *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Put d's items from index from on in file order (stable). */
static void diag_sort(const struct engine *e, struct diag *d, size_t from)
{
	size_t n = d->n > from ? d->n - from : 0, i;
	struct diag_key *k;
	struct diag_item *items;

	if (n < 2)
		return;
	k = calloc(n, sizeof(*k));
	items = calloc(n, sizeof(*items));
	if (!k || !items) {
		free(k);
		free(items);
		return; /* left in the order found */
	}
	for (i = 0; i < n; i++) {
		k[i].rank = file_rank(e, d->items[from + i].file);
		k[i].line = d->items[from + i].line;
		k[i].col = d->items[from + i].col;
		k[i].idx = from + i;
	}
	qsort(k, n, sizeof(*k), diag_key_cmp);
	for (i = 0; i < n; i++)
		items[i] = d->items[k[i].idx];
	memcpy(d->items + from, items, n * sizeof(*items));
	free(items);
	free(k);
}

static int type_add(struct engine *e, const char *name, size_t rule)
{
	struct rules_type *t;
	size_t idx;

	if (!rules_map_get(&e->type_map, name, &idx)) {
		struct rules_type *p;

		if (e->ntypes == e->captypes) {
			size_t cap = e->captypes ? e->captypes * 2 : 32;

			p = realloc(e->types, cap * sizeof(*p));
			if (!p)
				return -ENOMEM;
			e->types = p;
			e->captypes = cap;
		}
		t = &e->types[e->ntypes];
		memset(t, 0, sizeof(*t));
		t->name = strdup(name);
		if (!t->name)
			return -ENOMEM;
		/* the map borrows t->name, which never moves */
		if (rules_map_put(&e->type_map, t->name, e->ntypes) < 0) {
			free(t->name);
			return -ENOMEM;
		}
		idx = e->ntypes++;
	}
	t = &e->types[idx];
	if (t->n && t->rules[t->n - 1] == rule)
		return 0;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		size_t *p = realloc(t->rules, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		t->rules = p;
		t->cap = cap;
	}
	t->rules[t->n++] = rule;
	return 0;
}

struct type_ctx {
	struct engine *e;
	size_t rule;
	int err;
};

static void type_cb(const char *type, void *ud)
{
	struct type_ctx *c = ud;

	if (c->err == 0)
		c->err = type_add(c->e, type, c->rule);
}

/* Does the rule run, i.e. is it indexed and evaluated? */
static bool rule_wanted(const struct engine *e, const struct rules_rule *r)
{
	return r->enabled && r->priority <= e->min_priority;
}

struct known_ctx {
	bool known;
	const char *first;
};

static void known_cb(const char *type, void *ud)
{
	struct known_ctx *k = ud;

	if (cond_event_type_known(type))
		k->known = true;
	else if (!k->first)
		k->first = type;
}

/* The rule's evt.type values, and what its syscall arguments say. */
struct args_ctx {
	const char *types[64];
	size_t ntypes;
	bool too_many;
	const char *dead; /* an argument no type of the rule has */
	bool dead_necessary;
};

static void args_type_cb(const char *type, void *ud)
{
	struct args_ctx *a = ud;

	if (a->ntypes < sizeof(a->types) / sizeof(a->types[0]))
		a->types[a->ntypes++] = type;
	else
		a->too_many = true;
}

static void args_cb(const char *arg, bool necessary, void *ud)
{
	struct args_ctx *a = ud;
	size_t i;

	for (i = 0; i < a->ntypes; i++)
		if (field_syscall_has_arg(a->types[i], arg) != 0)
			return; /* has it, or cannot say */
	if (!a->dead || (necessary && !a->dead_necessary)) {
		a->dead = arg;
		a->dead_necessary = necessary;
	}
}

/* A rule naming an argument that none of its syscalls has in audit data:
 * skipped (*un set) when the condition needs that comparison, else
 * warned about. */
static void check_args(struct compile_ctx *c, const struct rules_rule *r,
		       bool wanted, const struct cond *cond,
		       struct cond_unsupported *un)
{
	struct args_ctx a;
	bool any = false;
	char list[256];
	size_t i, n = 0;
	char msg[512];

	memset(&a, 0, sizeof(a));
	cond_event_types(cond, args_type_cb, &a, &any);
	if (any || a.too_many || !a.ntypes)
		return;
	cond_args(cond, args_cb, &a);
	if (!a.dead)
		return;
	list[0] = '\0';
	for (i = 0; i < a.ntypes && n < sizeof(list); i++) {
		int w = snprintf(list + n, sizeof(list) - n, "%s%s",
				 i ? ", " : "", a.types[i]);

		if (w < 0)
			break;
		n += (size_t)w;
	}
	if (a.dead_necessary) {
		un->set = true;
		(void)snprintf(un->what, sizeof(un->what), "argument '%s'",
			       a.dead);
		(void)snprintf(un->why, sizeof(un->why),
			       "no syscall of the rule (%s) has it in audit data",
			       list);
		un->file = r->pos.file;
		un->line = r->pos.line;
		un->col = r->pos.col;
		return;
	}
	if (!wanted)
		return;
	(void)snprintf(msg, sizeof(msg),
		       "rule '%s': argument '%s' is no argument of its syscalls (%s) in audit data: that comparison is never true",
		       r->name, a.dead, list);
	pending_add(c, DIAG_WARNING, r->pos.file, r->pos.line, r->pos.col,
		    NULL, msg);
}

/* Compile rule idx: its condition (with exceptions) and output. Returns
 * 0 (compiled, skipped or failed: see r and the diagnostics) or
 * -ENOMEM. */
static int compile_rule(struct compile_ctx *c, size_t idx)
{
	const struct cond_env env = { env_macro, env_list, env_report, c };
	struct engine *e = c->e;
	struct rules_rule *r = e->rules[idx];
	struct cond_unsupported un;
	struct rules_text text = { 0 };
	struct known_ctx kc = { false, NULL };
	struct type_ctx tc = { e, idx, 0 };
	struct cond_src src;
	struct cond *cond;
	struct format *f;
	struct diag tmp;
	bool any = false, wanted = rule_wanted(e, r);
	char why[sizeof(un.what) + sizeof(un.macro) + sizeof(un.why) + 32];
	char msg[sizeof(why) + 256];
	size_t i, npend;

	npend = c->n;
	c->rule = r->name;
	c->catch_errors = r->skip_if_unknown_filter;
	c->caught[0] = '\0';
	if (exceptions_condition(r, &text) < 0)
		return -ENOMEM;
	memset(&un, 0, sizeof(un));
	src = rules_text_src(&text);
	cond = cond_compile(text.s ? text.s : "", &src, &env, NULL, &un);
	rules_text_clear(&text);
	diag_init(&tmp);
	f = format_compile(r->output, r->output_pos.file, r->output_pos.line,
			   r->output_pos.col, &tmp);
	for (i = 0; i < tmp.n; i++)
		env_report(c, tmp.items[i].level, tmp.items[i].file,
			   tmp.items[i].line, tmp.items[i].col, NULL,
			   tmp.items[i].message);
	diag_free(&tmp);
	c->rule = NULL;
	c->catch_errors = false;
	if (c->caught[0] && !un.set) {
		/* Falco's skip-if-unknown-filter: skipped, not failed */
		cond_free(cond);
		cond = NULL;
		un.set = true;
		(void)snprintf(un.what, sizeof(un.what), "%s",
			       "a construct it does not know");
		(void)snprintf(un.why, sizeof(un.why),
			       "%s (skip-if-unknown-filter)", c->caught);
		un.file = r->pos.file;
		un.line = r->pos.line;
		un.col = r->pos.col;
	}
	if (cond && !un.set)
		check_args(c, r, wanted, cond, &un);
	if (cond && !un.set) {
		cond_event_types(cond, known_cb, &kc, &any);
		if (!any && !kc.known && kc.first) {
			/* every evt.type it names is no syscall and no
			 * audit event: it could never fire */
			un.set = true;
			(void)snprintf(un.what, sizeof(un.what),
				       "evt.type '%s'", kc.first);
			(void)snprintf(un.why, sizeof(un.why),
				       "no syscall and no audit event has that type");
			un.file = r->cond.nsegs ? r->cond.segs[0].file
						: r->pos.file;
			un.line = r->cond.nsegs ? r->cond.segs[0].line
						: r->pos.line;
			un.col = r->cond.nsegs ? r->cond.segs[0].col
					       : r->pos.col;
			/* the skip says it: drop this rule's own warnings
			 * about those types */
			pending_drop_types(c, npend, r->name);
		}
	}
	if (un.set) {
		cond_free(cond);
		format_free(f);
		if (un.macro[0])
			(void)snprintf(why, sizeof(why),
				       "%s (in macro '%s'): %s", un.what,
				       un.macro, un.why);
		else
			(void)snprintf(why, sizeof(why), "%s: %s", un.what,
				       un.why);
		r->skip_reason = strdup(why);
		if (!r->skip_reason)
			return -ENOMEM;
		/* one message per rule; disabled rules are skipped too,
		 * but silently: nothing is lost until one is enabled */
		(void)snprintf(msg, sizeof(msg), "rule '%s' %s: needs %s",
			       r->name,
			       e->strict ? "cannot be loaded (rules_strict)"
					 : "skipped",
			       why);
		if (wanted)
			pending_add(c, e->strict ? DIAG_ERROR : DIAG_WARNING,
				    un.file, un.line, un.col, NULL, msg);
		return c->oom ? -ENOMEM : 0;
	}
	if (!cond || !f) {
		cond_free(cond);
		format_free(f);
		return c->oom ? -ENOMEM : 0;
	}
	r->compiled = cond;
	r->format = f;
	if (!wanted)
		return c->oom ? -ENOMEM : 0;
	cond_event_types(cond, type_cb, &tc, &any);
	if (tc.err)
		return tc.err;
	r->any_type = any;
	r->active = true;
	if (any && r->warn_evttypes) {
		(void)snprintf(msg, sizeof(msg),
			       "rule '%s' has no evt.type restriction: it is evaluated for every event",
			       r->name);
		pending_add(c, DIAG_WARNING, r->pos.file, r->pos.line,
			    r->pos.col, NULL, msg);
	}
	return c->oom ? -ENOMEM : 0;
}

/* Macros no rule used are still checked, so that a typo in one is found
 * before some rule starts using it. */
static void check_unused_macros(struct compile_ctx *c)
{
	const struct cond_env env = { env_macro, env_list, env_report, c };
	struct engine *e = c->e;
	struct cond_unsupported un;
	size_t i, n = e->nmacros;
	bool *used = calloc(n ? n : 1, sizeof(*used));

	if (!used) {
		c->oom = true;
		return;
	}
	for (i = 0; i < n; i++)
		used[i] = e->macros[i]->used;
	for (i = 0; i < n; i++) {
		struct rules_macro *m = e->macros[i];
		struct cond_src src = rules_text_src(&m->cond);

		if (used[i])
			continue;
		c->unused_macro = m->name;
		cond_free(cond_compile(m->cond.s, &src, &env, NULL, &un));
	}
	c->unused_macro = NULL;
	free(used);
}

/* What the active rules have in common is evaluated once per event. Out
 * of memory here costs speed only: the rules evaluate in full. */
static void engine_share(struct engine *e)
{
	size_t i;
	int r = 0;

	e->memo = cond_memo_new();
	for (i = 0; e->memo && r == 0 && i < e->nrules; i++)
		if (e->rules[i]->active)
			r = cond_memo_add(e->memo, e->rules[i]->compiled);
	if (e->memo && r == 0 && cond_memo_seal(e->memo) == 0)
		return;
	cond_memo_free(e->memo);
	e->memo = NULL;
}

static int engine_compile_d(struct engine *e, struct diag *d)
{
	struct compile_ctx c = { 0 };
	size_t nerr = d->nerrors, i;
	size_t *p;
	int r;

	engine_clear_compiled(e);
	c.e = e;
	for (i = 0; i < e->nlists; i++) {
		r = list_expand(e, e->lists[i], d, 0);
		if (r == -ENOMEM)
			return r;
	}
	for (i = 0; i < e->nrules; i++) {
		struct rules_rule *rr = e->rules[i];

		r = compile_rule(&c, i);
		if (r == -ENOMEM)
			goto oom;
		if (!rr->active || !rr->any_type)
			continue;
		p = realloc(e->any_rules, (e->nany + 1) * sizeof(*p));
		if (!p)
			goto oom;
		e->any_rules = p;
		p[e->nany++] = i;
	}
	check_unused_macros(&c);
	if (c.oom)
		goto oom;
	for (i = 0; i < c.n; i++)
		pending_emit(&c.p[i], d);
	compile_ctx_free(&c);
	diag_sort(e, d, 0);
	if (d->nerrors > nerr) {
		engine_clear_compiled(e);
		return -EINVAL;
	}
	engine_share(e);
	e->compiled = true;
	return 0;
oom:
	compile_ctx_free(&c);
	engine_clear_compiled(e);
	return -ENOMEM;
}

int engine_compile(struct engine *e, struct diag *d)
{
	struct diag local;
	int r;

	if (d)
		return engine_compile_d(e, d);
	diag_init(&local);
	r = engine_compile_d(e, &local);
	diag_free(&local);
	return r;
}

/* ---- evaluation ---- */

struct alert_ctx {
	struct alert *a;
	bool failed;
};

static void field_cb(const char *name, const char *value, bool literal,
		     void *ud)
{
	struct alert_ctx *c = ud;
	struct alert_field *p;
	struct alert *a = c->a;

	if (c->failed)
		return;
	p = realloc(a->fields, (a->nfields + 1) * sizeof(*p));
	if (!p) {
		c->failed = true;
		return;
	}
	a->fields = p;
	p[a->nfields].name = strdup(name);
	p[a->nfields].value = value ? strdup(value) : NULL;
	p[a->nfields].literal = literal;
	if (!p[a->nfields].name || (value && !p[a->nfields].value)) {
		free(p[a->nfields].name);
		free(p[a->nfields].value);
		c->failed = true;
		return;
	}
	a->nfields++;
}

static bool dup_opt(const char *s, char **ret)
{
	if (!s) {
		*ret = NULL;
		return true;
	}
	*ret = strdup(s);
	return *ret != NULL;
}

static struct alert *make_alert(const struct engine *e,
				const struct rules_rule *r,
				const struct event *ev)
{
	struct alert *a = calloc(1, sizeof(*a));
	struct strbuf out = STRBUF_INIT;
	struct alert_ctx ctx = { a, false };
	const struct event_container *ct = ev->container;
	const struct event_path *path;
	bool ok = true;
	size_t i;

	if (!a)
		return NULL;
	a->time_ns = ev->time_ns;
	a->priority = r->priority;
	a->pid = ev->pid > 0 ? ev->pid : -1;
	a->ppid = ev->ppid > 0 ? ev->ppid : -1;
	a->uid = ev->uid == EVENT_ID_UNSET ? -1 : (int64_t)ev->uid;
	a->auid = ev->auid == EVENT_ID_UNSET ? -1 : (int64_t)ev->auid;
	a->audit_serial = ev->serial;

	format_render(r->format, ev, &out, field_cb, &ctx);
	if (strbuf_failed(&out) || ctx.failed) {
		strbuf_free(&out);
		alert_free(a);
		return NULL;
	}
	a->output = strbuf_steal(&out);
	if (!a->output)
		a->output = strdup("");

	if (r->ntags) {
		a->tags = calloc(r->ntags, sizeof(*a->tags));
		if (!a->tags) {
			alert_free(a);
			return NULL;
		}
		for (i = 0; i < r->ntags; i++) {
			a->tags[i] = strdup(r->tags[i]);
			if (!a->tags[i]) {
				ok = false;
				break;
			}
			a->ntags++;
		}
	}
	path = event_primary_path(ev);
	/* a log's node= names the machine the event happened on */
	ok = ok && a->output &&
	     dup_opt(ev->node ? ev->node : e->hostname, &a->hostname) &&
	     dup_opt(r->name, &a->rule) &&
	     dup_opt(ev->kind == EVENT_KIND_SYSCALL ? "syscall" : "audit",
		     &a->source) &&
	     dup_opt(ct ? ct->id : NULL, &a->container_id) &&
	     dup_opt(ct ? ct->name : NULL, &a->container_name) &&
	     dup_opt(ct ? ct->pod_name : NULL, &a->pod_name) &&
	     dup_opt(ct ? ct->pod_namespace : NULL, &a->pod_namespace) &&
	     dup_opt(ev->exe, &a->exe) &&
	     dup_opt(ev->kind == EVENT_KIND_SYSCALL ? ev->syscall_name : NULL,
		     &a->syscall) &&
	     dup_opt(!path		? NULL
		     : path->resolved	? path->resolved
		     : path->name	? path->name
					: path->raw_name,
		     &a->file);
	if (ok) {
		char cmd[FIELD_SCRATCH];
		const char *c = field_cmdline(ev, cmd, sizeof(cmd));

		ok = dup_opt(c, &a->cmdline);
	}
	if (!ok) {
		alert_free(a);
		return NULL;
	}
	return a;
}

static int eval_rule(const struct engine *e, size_t idx, const struct event *ev,
		     engine_alert_cb cb, void *ud)
{
	const struct rules_rule *r = e->rules[idx];
	struct alert *a;

	if (!cond_eval_memo(r->compiled, ev, e->memo))
		return 0;
	a = make_alert(e, r, ev);
	if (!a)
		return -ENOMEM;
	cb(a, ud);
	return 1;
}

int engine_eval(struct engine *e, const struct event *ev, engine_alert_cb cb,
		void *userdata)
{
	/* An event is indexed under its syscall name and its first record's
	 * type (they differ for CONFIG_CHANGE grouped with a SYSCALL). The
	 * candidate lists are ascending rule indexes: merge them, so alerts
	 * come in rule file order and no rule is evaluated twice. */
	const char *keys[2] = { NULL, ev->type_name };
	const size_t *list[3];
	size_t len[3], pos[3] = { 0, 0, 0 }, nlists = 0, k, idx, min;
	int n = 0, r;

	if (!e->compiled)
		return 0;
	cond_memo_next(e->memo);
	if (ev->kind == EVENT_KIND_SYSCALL)
		keys[0] = ev->syscall_name;
	for (k = 0; k < 2; k++) {
		if (!keys[k] || (k == 1 && keys[0] &&
				 strcmp(keys[0], keys[1]) == 0))
			continue;
		if (rules_map_get(&e->type_map, keys[k], &idx)) {
			list[nlists] = e->types[idx].rules;
			len[nlists++] = e->types[idx].n;
		}
	}
	list[nlists] = e->any_rules;
	len[nlists++] = e->nany;
	for (;;) {
		min = SIZE_MAX;
		for (k = 0; k < nlists; k++)
			if (pos[k] < len[k] && list[k][pos[k]] < min)
				min = list[k][pos[k]];
		if (min == SIZE_MAX)
			break;
		for (k = 0; k < nlists; k++)
			if (pos[k] < len[k] && list[k][pos[k]] == min)
				pos[k]++;
		r = eval_rule(e, min, ev, cb, userdata);
		if (r < 0)
			return r;
		n += r;
	}
	return n;
}

/* ---- introspection ---- */

size_t engine_rule_count(const struct engine *e)
{
	return e->nrules;
}

int engine_rule_get(const struct engine *e, size_t i,
		    struct engine_rule_info *ret)
{
	const struct rules_rule *r;

	if (i >= e->nrules)
		return -ERANGE;
	r = e->rules[i];
	ret->name = r->name;
	ret->desc = r->desc;
	ret->condition = r->cond.s ? r->cond.s : "";
	ret->priority = r->priority;
	ret->enabled = r->enabled;
	ret->tags = (const char *const *)r->tags;
	ret->ntags = r->ntags;
	ret->file = r->pos.file;
	ret->line = r->pos.line;
	ret->skipped = r->skip_reason != NULL;
	ret->skip_reason = r->skip_reason;
	ret->capture = r->capture;
	ret->capture_duration_ms = r->capture_duration;
	return 0;
}

void engine_event_types(const struct engine *e,
			void (*cb)(const char *type, void *userdata),
			void *userdata, bool *ret_any)
{
	size_t i;

	for (i = 0; i < e->ntypes; i++)
		cb(e->types[i].name, userdata);
	if (ret_any)
		*ret_any = e->nany > 0;
}

static bool rules_may_fail(const struct engine *e, const size_t *rules,
			   size_t n, const char *type)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct rules_rule *r = e->rules[rules[i]];

		if (r->active && !cond_implies_success(r->compiled, type))
			return true;
	}
	return false;
}

bool engine_type_may_fail(const struct engine *e, const char *type)
{
	/* The rules engine_eval() runs on a syscall event whose first record
	 * is SYSCALL: those indexed under its name and under "SYSCALL", and
	 * those with no evt.type restriction. An event that starts with
	 * another record (CONFIG_CHANGE, AVC, ...) is logged whatever the
	 * exit rules say: a record logged during a syscall makes the kernel
	 * log the syscall. */
	const char *keys[2] = { type, "SYSCALL" };
	size_t k, idx;

	if (!e->compiled)
		return true;
	for (k = 0; k < 2; k++)
		if (rules_map_get(&e->type_map, keys[k], &idx) &&
		    rules_may_fail(e, e->types[idx].rules, e->types[idx].n,
				   type))
			return true;
	return rules_may_fail(e, e->any_rules, e->nany, type);
}

static bool key_listed(const char *k, const char *const *keys, size_t nkeys)
{
	size_t i;

	for (i = 0; k && i < nkeys; i++)
		if (strcmp(k, keys[i]) == 0)
			return true;
	return false;
}

/* The subtree n holds only for events whose audit key is among keys: a
 * conjunct on the AND spine (walked as cond_implies_success walks it)
 * compares audit.key with = or in against keys only. */
static bool node_needs_key(const struct cond_node *n, const char *const *keys,
			   size_t nkeys)
{
	struct cond_view v;
	struct cond_view_value it;
	size_t i;

	for (;;) {
		if (!n)
			return false;
		cond_view_get(n, &v);
		if (v.kind != CV_AND)
			break;
		if (node_needs_key(v.b, keys, nkeys))
			return true;
		n = v.a;
	}
	if (v.kind != CV_CMP || !v.ref || !v.ref->name ||
	    strcmp(v.ref->name, "audit.key") != 0)
		return false;
	if (v.op == CVO_EQ)
		return key_listed(v.v.s, keys, nkeys);
	if (v.op != CVO_IN || v.nitems == 0)
		return false;
	for (i = 0; i < v.nitems; i++) {
		cond_view_item(n, i, &it);
		if (!key_listed(it.s, keys, nkeys))
			return false;
	}
	return true;
}

static bool rules_need_key(const struct engine *e, const size_t *rules,
			   size_t n, const char *const *keys, size_t nkeys,
			   size_t *seen)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct rules_rule *r = e->rules[rules[i]];

		if (!r->active)
			continue;
		(*seen)++;
		if (!node_needs_key(cond_view_root(r->compiled), keys, nkeys))
			return false;
	}
	return true;
}

bool engine_type_needs_key(const struct engine *e, const char *type,
			   const char *const *keys, size_t nkeys)
{
	/* The same rules engine_type_may_fail looks at. */
	const char *names[2] = { type, "SYSCALL" };
	size_t k, idx, seen = 0;

	if (!e->compiled)
		return false;
	for (k = 0; k < 2; k++)
		if (rules_map_get(&e->type_map, names[k], &idx) &&
		    !rules_need_key(e, e->types[idx].rules, e->types[idx].n,
				    keys, nkeys, &seen))
			return false;
	if (!rules_need_key(e, e->any_rules, e->nany, keys, nkeys, &seen))
		return false;
	return seen > 0;
}

const char *engine_version(void)
{
	return RULES_ENGINE_VERSION;
}
