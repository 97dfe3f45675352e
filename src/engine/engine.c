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
#include "engine/engine.h"
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

	for (i = 0; i < e->nrules; i++) {
		struct rules_rule *r = e->rules[i];

		cond_free(r->cond);
		format_free(r->format);
		r->cond = NULL;
		r->format = NULL;
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
		size_t j;

		for (j = 0; j < l->nexpanded; j++)
			free(l->expanded[j]);
		free(l->expanded);
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

int engine_load_buffer(struct engine *e, const char *name, const char *data,
		       size_t len, struct diag *d)
{
	struct diag local;
	int r;

	/* what was compiled may be redefined now: compile again after */
	engine_clear_compiled(e);
	if (d)
		return rules_load(e, name, data, len, d);
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

struct compile_ctx {
	struct engine *e;
	struct diag *d;
	bool failed;
};

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

static const char *env_macro(void *ud, const char *name, const char **ret_file,
			     unsigned int *ret_line, unsigned int *ret_col)
{
	struct engine *e = ud;
	struct rules_macro *m;
	size_t idx;

	if (!rules_map_get(&e->macro_map, name, &idx))
		return NULL;
	m = e->macros[idx];
	m->used = true;
	*ret_file = m->cond_pos.file;
	*ret_line = m->cond_pos.line;
	*ret_col = m->cond_pos.col;
	return m->condition;
}

static const char *const empty_list[1] = { NULL };

static const char *const *env_list(void *ud, const char *name, size_t *ret_n)
{
	struct engine *e = ud;
	struct rules_list *l;
	size_t idx;

	if (!rules_map_get(&e->list_map, name, &idx))
		return NULL;
	l = e->lists[idx];
	if (l->state != 2)
		return NULL;
	*ret_n = l->nexpanded;
	/* an empty list is still a list: never NULL */
	return l->nexpanded ? (const char *const *)l->expanded : empty_list;
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

/* Copy what compiling one rule found into d: as warnings when the rule
 * is skipped, else as they are, without repeating a problem an earlier
 * rule already reported (a bad macro used by ten rules is one error). */
static void diag_merge(struct diag *to, size_t from_idx,
		       const struct diag *from, const struct rules_rule *skip)
{
	size_t i, j, nerr = 0, dups = 0;

	for (i = 0; i < from->n; i++) {
		const struct diag_item *it = &from->items[i];

		if (skip) {
			diag_add(
				to, DIAG_WARNING, it->file, it->line, it->col,
				"rule '%s' skipped (skip-if-unknown-filter): %s",
				skip->name, it->message);
			continue;
		}
		for (j = from_idx; j < to->n; j++) {
			const struct diag_item *o = &to->items[j];

			if (o->level == it->level && o->line == it->line &&
			    o->col == it->col &&
			    strcmp(o->message, it->message) == 0 &&
			    (o->file == it->file ||
			     (o->file && it->file &&
			      strcmp(o->file, it->file) == 0)))
				break;
		}
		/* a repeat: the first report (from this compile) counts */
		if (j < to->n) {
			if (it->level == DIAG_ERROR)
				dups++;
			continue;
		}
		diag_add(to, it->level, it->file, it->line, it->col, "%s",
			 it->message);
		if (it->level == DIAG_ERROR)
			nerr++;
	}
	/* errors whose item failed to allocate were only counted */
	if (!skip && from->nerrors > nerr + dups)
		to->nerrors += from->nerrors - nerr - dups;
}

/* "(cond)\nand not ((x1) or (x2) ...)": Falco's exception expansion. The
 * newline makes the compiler report problems at the exception's line. */
static char *rule_exception_text(const struct rules_rule *r)
{
	struct strbuf sb = STRBUF_INIT;
	bool any = false;
	size_t i, j;

	strbuf_appendc(&sb, '(');
	strbuf_appends(&sb, r->condition);
	strbuf_appends(&sb, ")\nand not (");
	for (i = 0; i < r->nexceptions; i++) {
		for (j = 0; j < r->exceptions[i].nclauses; j++) {
			if (any)
				strbuf_appends(&sb, " or ");
			strbuf_appends(&sb, r->exceptions[i].clauses[j]);
			any = true;
		}
	}
	strbuf_appendc(&sb, ')');
	if (!any || strbuf_failed(&sb)) {
		strbuf_free(&sb);
		return any ? NULL : strdup("");
	}
	return strbuf_steal(&sb);
}

static const struct rules_pos *rule_exception_pos(const struct rules_rule *r)
{
	size_t i;

	for (i = 0; i < r->nexceptions; i++)
		if (r->exceptions[i].nclauses)
			return &r->exceptions[i].pos;
	return &r->cond_pos;
}

static int compile_rule(struct engine *e, size_t idx, struct diag *d,
			size_t from_idx)
{
	const struct cond_env env = { env_macro, env_list, e };
	struct rules_rule *r = e->rules[idx];
	struct type_ctx tc = { e, idx, 0 };
	struct cond *c;
	struct format *f;
	struct diag tmp;
	bool any = false;
	char *text;

	diag_init(&tmp);
	c = cond_compile(r->condition, &env, r->cond_pos.file, r->cond_pos.line,
			 r->cond_pos.col, &tmp);
	if (c && r->nexceptions) {
		const struct rules_pos *xp = rule_exception_pos(r);

		text = rule_exception_text(r);
		if (!text) {
			cond_free(c);
			diag_free(&tmp);
			return -ENOMEM;
		}
		if (*text) {
			cond_free(c);
			c = cond_compile(text, &env, xp->file, xp->line,
					 xp->col, &tmp);
		}
		free(text);
	}
	f = format_compile(r->output, r->output_pos.file, r->output_pos.line,
			   r->output_pos.col, &tmp);
	diag_merge(d, from_idx, &tmp,
		   (!c || !f) && r->skip_if_unknown_filter ? r : NULL);
	diag_free(&tmp);
	if (!c || !f) {
		cond_free(c);
		format_free(f);
		return r->skip_if_unknown_filter ? 0 : -EINVAL;
	}
	r->cond = c;
	r->format = f;
	cond_event_types(c, type_cb, &tc, &any);
	if (tc.err)
		return tc.err;
	r->any_type = any;
	r->active = true;
	if (any && r->warn_evttypes)
		diag_add(
			d, DIAG_WARNING, r->pos.file, r->pos.line, r->pos.col,
			"rule '%s' has no evt.type restriction: it is evaluated for every event",
			r->name);
	return 0;
}

/* Macros no rule used are still checked, so that a typo in one is found
 * before some rule starts using it; their problems are warnings, since
 * Falco rule sets carry macros for fields and sources harrier lacks. */
static void check_unused_macros(struct engine *e, struct diag *d)
{
	const struct cond_env env = { env_macro, env_list, e };
	size_t i, j;

	for (i = 0; i < e->nmacros; i++) {
		struct rules_macro *m = e->macros[i];
		struct diag tmp;
		struct cond *c;

		if (m->used)
			continue;
		diag_init(&tmp);
		c = cond_compile(m->condition, &env, m->cond_pos.file,
				 m->cond_pos.line, m->cond_pos.col, &tmp);
		cond_free(c);
		for (j = 0; j < tmp.n; j++)
			diag_add(d, DIAG_WARNING, tmp.items[j].file,
				 tmp.items[j].line, tmp.items[j].col,
				 "in unused macro '%s': %s", m->name,
				 tmp.items[j].message);
		diag_free(&tmp);
	}
}

static int engine_compile_d(struct engine *e, struct diag *d)
{
	size_t nerr = d->nerrors, from_idx = d->n, i;
	size_t *p;
	int r;

	engine_clear_compiled(e);
	for (i = 0; i < e->nlists; i++) {
		r = list_expand(e, e->lists[i], d, 0);
		if (r == -ENOMEM)
			return r;
	}
	for (i = 0; i < e->nrules; i++) {
		struct rules_rule *rr = e->rules[i];

		if (!rr->enabled || rr->priority > e->min_priority)
			continue;
		r = compile_rule(e, i, d, from_idx);
		if (r == -ENOMEM) {
			engine_clear_compiled(e);
			return r;
		}
		if (!rr->active || !rr->any_type)
			continue;
		p = realloc(e->any_rules, (e->nany + 1) * sizeof(*p));
		if (!p) {
			engine_clear_compiled(e);
			return -ENOMEM;
		}
		e->any_rules = p;
		p[e->nany++] = i;
	}
	check_unused_macros(e, d);
	if (d->nerrors > nerr) {
		engine_clear_compiled(e);
		return -EINVAL;
	}
	e->compiled = true;
	return 0;
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

	if (!cond_eval(r->cond, ev))
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
	ret->condition = r->condition;
	ret->priority = r->priority;
	ret->enabled = r->enabled;
	ret->tags = (const char *const *)r->tags;
	ret->ntags = r->ntags;
	ret->file = r->pos.file;
	ret->line = r->pos.line;
	ret->capture = r->capture;
	ret->capture_duration_ms = r->capture_duration_ms;
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

		if (r->active && !cond_implies_success(r->cond, type))
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
