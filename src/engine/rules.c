/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rules loader: Falco-syntax YAML (libyaml document API, so that every
 * node keeps its line/column) into the engine's lists, macros and rules.
 * Redefinition, append and override are applied here, in file order. Rule
 * files are untrusted input: every problem becomes a file:line:col
 * diagnostic, loading goes on to report them all, and nothing is printed.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "common/limits.h"
#include "common/yaml_depth.h"
#include "common/strbuf.h"
#include "engine/exceptions.h"
#include "engine/fields.h"
#include "engine/rules.h"

/* ---- name -> index map ---- */

static uint64_t rules_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

void rules_map_free(struct rules_map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

static size_t rules_map_slot(const struct rules_map *m, const char *key)
{
	size_t i = (size_t)rules_hash(key) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int rules_map_grow(struct rules_map *m)
{
	struct rules_map n = { 0 };
	size_t i;

	n.cap = m->cap ? m->cap * 2 : 16;
	n.keys = calloc(n.cap, sizeof(*n.keys));
	n.vals = calloc(n.cap, sizeof(*n.vals));
	if (!n.keys || !n.vals) {
		free(n.keys);
		free(n.vals);
		return -ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		size_t s;

		if (!m->keys[i])
			continue;
		s = rules_map_slot(&n, m->keys[i]);
		n.keys[s] = m->keys[i];
		n.vals[s] = m->vals[i];
		n.n++;
	}
	free(m->keys);
	free(m->vals);
	*m = n;
	return 0;
}

int rules_map_put(struct rules_map *m, const char *key, size_t val)
{
	size_t s;

	/* keep the load factor under 1/2 */
	if ((m->n + 1) * 2 > m->cap) {
		int r = rules_map_grow(m);

		if (r < 0)
			return r;
	}
	s = rules_map_slot(m, key);
	if (!m->keys[s]) {
		m->keys[s] = key;
		m->n++;
	}
	m->vals[s] = val;
	return 0;
}

bool rules_map_get(const struct rules_map *m, const char *key, size_t *ret)
{
	size_t s;

	if (!m->cap)
		return false;
	s = rules_map_slot(m, key);
	if (!m->keys[s])
		return false;
	*ret = m->vals[s];
	return true;
}

/* ---- freeing ---- */

/* ---- texts with source maps ---- */

void rules_text_clear(struct rules_text *t)
{
	free(t->s);
	free(t->segs);
	memset(t, 0, sizeof(*t));
}

static int text_grow(struct rules_text *t, size_t len, size_t nsegs)
{
	char *s;

	if (nsegs > t->capsegs) {
		size_t cap = t->capsegs ? t->capsegs : 4;
		struct cond_srcseg *p;

		while (cap < nsegs)
			cap *= 2;
		p = realloc(t->segs, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		t->segs = p;
		t->capsegs = cap;
	}
	s = realloc(t->s, t->len + len + 1);
	if (!s)
		return -ENOMEM;
	t->s = s;
	return 0;
}

int rules_text_append(struct rules_text *t, const char *s, size_t len,
		      const struct rules_pos *pos)
{
	if (text_grow(t, len, t->nsegs + 1) < 0)
		return -ENOMEM;
	if (pos) {
		struct cond_srcseg *g = &t->segs[t->nsegs++];

		g->off = t->len;
		g->file = pos->file;
		g->line = pos->line;
		g->col = pos->col;
	}
	memcpy(t->s + t->len, s, len);
	t->len += len;
	t->s[t->len] = '\0';
	return 0;
}

int rules_text_append_text(struct rules_text *t, const struct rules_text *src)
{
	size_t i, base = t->len;

	if (text_grow(t, src->len, t->nsegs + src->nsegs) < 0)
		return -ENOMEM;
	for (i = 0; i < src->nsegs; i++) {
		t->segs[t->nsegs] = src->segs[i];
		t->segs[t->nsegs++].off += base;
	}
	memcpy(t->s + t->len, src->s ? src->s : "", src->len);
	t->len += src->len;
	t->s[t->len] = '\0';
	return 0;
}

/* ---- freeing ---- */

static void exc_value_clear(struct rules_exc_value *v)
{
	strv_free(v->items, v->nitems);
	v->items = NULL;
	v->nitems = 0;
}

static void exc_tuple_clear(struct rules_exc_tuple *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		exc_value_clear(&t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

static void exception_clear(struct rules_exception *x)
{
	size_t i;

	free(x->name);
	strv_free(x->fields, x->nfields);
	strv_free(x->comps, x->nfields);
	for (i = 0; i < x->nvalues; i++)
		exc_tuple_clear(&x->values[i]);
	free(x->values);
	memset(x, 0, sizeof(*x));
}

/* Everything but the name (kept by the maps) and position. */
static void rule_clear_body(struct rules_rule *r)
{
	size_t i;

	free(r->desc);
	rules_text_clear(&r->cond);
	free(r->output);
	strv_free(r->tags, r->ntags);
	for (i = 0; i < r->nexceptions; i++)
		exception_clear(&r->exceptions[i]);
	free(r->exceptions);
	cond_free(r->compiled);
	format_free(r->format);
	free(r->skip_reason);
	r->desc = r->output = NULL;
	r->tags = NULL;
	r->ntags = 0;
	r->exceptions = NULL;
	r->nexceptions = 0;
	r->compiled = NULL;
	r->format = NULL;
	r->skip_reason = NULL;
	r->active = false;
}

static void rule_free(struct rules_rule *r)
{
	if (!r)
		return;
	rule_clear_body(r);
	free(r->name);
	free(r);
}

static void macro_free(struct rules_macro *m)
{
	if (!m)
		return;
	free(m->name);
	rules_text_clear(&m->cond);
	free(m);
}

static void list_free(struct rules_list *l)
{
	if (!l)
		return;
	free(l->name);
	strv_free(l->items, l->nitems);
	strv_free(l->expanded, l->nexpanded);
	free(l);
}

void rules_free_items(struct engine *e)
{
	size_t i;

	for (i = 0; i < e->nrules; i++)
		rule_free(e->rules[i]);
	free(e->rules);
	for (i = 0; i < e->nmacros; i++)
		macro_free(e->macros[i]);
	free(e->macros);
	for (i = 0; i < e->nlists; i++)
		list_free(e->lists[i]);
	free(e->lists);
	strv_free(e->files, e->nfiles);
	rules_map_free(&e->rule_map);
	rules_map_free(&e->macro_map);
	rules_map_free(&e->list_map);
	e->rules = NULL;
	e->macros = NULL;
	e->lists = NULL;
	e->files = NULL;
	e->nrules = e->caprules = 0;
	e->nmacros = e->capmacros = 0;
	e->nlists = e->caplists = 0;
	e->nfiles = 0;
}

/* ---- loader state and diagnostics ---- */

struct loader {
	struct engine *e;
	struct diag *d;
	const char *file; /* interned */
	const char *data;
	size_t len;
	yaml_document_t *doc;
	bool oom;
};

static void lmsg(struct loader *l, enum diag_level lvl, const yaml_node_t *n,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void lmsg(struct loader *l, enum diag_level lvl, const yaml_node_t *n,
		 const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(l->d, lvl, l->file,
		 n ? (unsigned int)n->start_mark.line + 1 : 0,
		 n ? (unsigned int)n->start_mark.column + 1 : 0, "%s", msg);
}

#define lerr(l, n, ...) lmsg(l, DIAG_ERROR, n, __VA_ARGS__)
#define lwarn(l, n, ...) lmsg(l, DIAG_WARNING, n, __VA_ARGS__)

static void loom(struct loader *l, const yaml_node_t *n)
{
	if (!l->oom)
		lerr(l, n, "out of memory");
	l->oom = true;
}

static yaml_node_t *node(struct loader *l, yaml_node_item_t id)
{
	return yaml_document_get_node(l->doc, id);
}

static const char *node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a sequence";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE
		       ? (const char *)n->data.scalar.value
		       : NULL;
}

/* A plain empty/~/null scalar: YAML's null. */
static bool is_null(const yaml_node_t *n)
{
	const char *s = scalar(n);

	if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

static char *ldup(struct loader *l, const yaml_node_t *n, const char *s)
{
	char *p = strdup(s);

	if (!p)
		loom(l, n);
	return p;
}

static struct rules_pos item_pos(struct loader *l, const yaml_node_t *n)
{
	struct rules_pos p = { l->file, (unsigned int)n->start_mark.line + 1,
			       (unsigned int)n->start_mark.column + 1 };
	return p;
}

/* Where the text of a scalar starts: after the quote of a quoted scalar,
 * on the first content line of a block scalar (its mark is the '|' or
 * '>' indicator). */
static struct rules_pos text_pos(struct loader *l, const yaml_node_t *n)
{
	struct rules_pos p = { l->file, (unsigned int)n->start_mark.line + 1,
			       (unsigned int)n->start_mark.column + 1 };
	size_t i = n->start_mark.index, end = n->end_mark.index;

	switch (n->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		p.col++;
		break;
	case YAML_LITERAL_SCALAR_STYLE:
	case YAML_FOLDED_SCALAR_STYLE:
		if (end > l->len)
			end = l->len;
		while (i < end && l->data[i] != '\n')
			i++;
		if (i >= end)
			break;
		p.line++;
		p.col = 1;
		for (i++; i < end; i++) {
			if (l->data[i] == '\n') {
				p.line++;
				p.col = 1;
			} else if (l->data[i] == ' ' || l->data[i] == '\t') {
				p.col++;
			} else {
				break;
			}
		}
		break;
	default:
		break;
	}
	return p;
}

/* A scalar's value with a source map (see cond_src). YAML only changes
 * blanks, line breaks and indentation when it folds a scalar, and quotes
 * and escapes when it unquotes one, so every other byte of the value is
 * found, in order, in the file: walk both and start a segment wherever
 * the next byte is not one column to the right of the previous one. A
 * byte that cannot be found (an escape such as \x41) ends the map: what
 * follows is placed after the last found byte. */
static int scalar_text(struct loader *l, const yaml_node_t *n,
		       struct rules_text *ret)
{
	const char *v = scalar(n);
	size_t vlen = n->data.scalar.length, i, sp = n->start_mark.index;
	size_t end = n->end_mark.index;
	unsigned int line = (unsigned int)n->start_mark.line + 1;
	unsigned int col = (unsigned int)n->start_mark.column + 1;
	yaml_scalar_style_t st = n->data.scalar.style;
	bool dq = st == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	bool sq = st == YAML_SINGLE_QUOTED_SCALAR_STYLE;
	struct rules_text t = { 0 };
	struct rules_pos pos = { l->file, line, col };

	if (end > l->len)
		end = l->len;
	if (rules_text_append(&t, v, vlen, NULL) < 0)
		goto oom;
	if (st == YAML_LITERAL_SCALAR_STYLE || st == YAML_FOLDED_SCALAR_STYLE) {
		/* the indicator line ("> # comment") holds no content */
		while (sp < end && l->data[sp] != '\n')
			sp++;
	}
	for (i = 0; i < vlen; i++) {
		char c = v[i];
		size_t tp = sp;
		unsigned int tl = line, tc = col;
		const struct cond_srcseg *last;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		while (tp < end && l->data[tp] != c) {
			char d = l->data[tp];

			if (dq && d == '\\' && tp + 1 < end &&
			    l->data[tp + 1] == c)
				break; /* \" for " */
			if (d == '\n') {
				tl++;
				tc = 1;
			} else if (d == ' ' || d == '\t' || d == '\r' ||
				   (dq && d == '"') || (sq && d == '\'')) {
				tc++;
			} else if (dq && d == '\\' && tp + 1 < end) {
				tp++; /* an escape that became a blank */
				tc += 1;
			} else {
				goto done;
			}
			tp++;
		}
		if (tp >= end)
			goto done;
		if (dq && l->data[tp] == '\\') {
			tp++;
			tc++;
		}
		last = t.nsegs ? &t.segs[t.nsegs - 1] : NULL;
		if (!last || last->line != tl ||
		    last->col + (i - last->off) != tc) {
			struct cond_srcseg *g;

			if (text_grow(&t, 0, t.nsegs + 1) < 0)
				goto oom;
			g = &t.segs[t.nsegs++];
			g->off = i;
			g->file = l->file;
			g->line = tl;
			g->col = tc;
		}
		sp = tp + 1;
		line = tl;
		col = tc + 1;
		/* '' is one quote in a single-quoted scalar */
		if (sq && c == '\'' && sp < end && l->data[sp] == '\'') {
			sp++;
			col++;
		}
	}
done:
	if (!t.nsegs || t.segs[0].off != 0) {
		/* leading blanks, or nothing found: anchor at the scalar */
		if (text_grow(&t, 0, t.nsegs + 1) < 0)
			goto oom;
		memmove(t.segs + 1, t.segs, t.nsegs * sizeof(t.segs[0]));
		t.nsegs++;
		t.segs[0].off = 0;
		t.segs[0].file = pos.file;
		t.segs[0].line = t.nsegs > 1 ? t.segs[1].line : pos.line;
		t.segs[0].col = t.nsegs > 1 ? t.segs[1].col : pos.col;
	}
	*ret = t;
	return 0;
oom:
	rules_text_clear(&t);
	loom(l, n);
	return -ENOMEM;
}

static int get_scalar(struct loader *l, const yaml_node_t *n, const char *what,
		      const char **ret)
{
	const char *s = scalar(n);

	if (!s) {
		lerr(l, n, "%s must be a string, not %s", what, node_kind(n));
		return -EINVAL;
	}
	*ret = s;
	return 0;
}

static int get_bool(struct loader *l, const yaml_node_t *n, const char *what,
		    bool *ret)
{
	static const char *const t[] = { "true", "yes", "on", "y" };
	static const char *const f[] = { "false", "no", "off", "n" };
	const char *s = scalar(n);
	size_t i;

	for (i = 0; s && i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcasecmp(s, t[i]) == 0) {
			*ret = true;
			return 0;
		}
		if (strcasecmp(s, f[i]) == 0) {
			*ret = false;
			return 0;
		}
	}
	lerr(l, n, "%s must be true or false", what);
	return -EINVAL;
}

/* A sequence of scalars (null = empty), appended to *v / *n. */
static int append_strv(struct loader *l, const yaml_node_t *n, const char *what,
		       char ***v, size_t *count)
{
	yaml_node_item_t *it;
	size_t k = 0, i;
	char **p;
	int ret = 0;

	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE) {
		lerr(l, n, "%s must be a sequence, not %s", what, node_kind(n));
		return -EINVAL;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		const yaml_node_t *c = node(l, *it);

		if (!scalar(c)) {
			lerr(l, c, "%s entries must be strings, not %s", what,
			     node_kind(c));
			ret = -EINVAL;
		}
		k++;
	}
	if (ret < 0 || !k)
		return ret;
	if (*count + k > HARRIER_MAX_LIST_ITEMS) {
		lerr(l, n, "%s has more than %d items", what,
		     HARRIER_MAX_LIST_ITEMS);
		return -EINVAL;
	}
	p = realloc(*v, (*count + k) * sizeof(*p));
	if (!p) {
		loom(l, n);
		return -ENOMEM;
	}
	*v = p;
	i = *count;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		p[i] = ldup(l, n, scalar(node(l, *it)));
		if (!p[i]) {
			*count = i;
			return -ENOMEM;
		}
		i++;
	}
	*count = i;
	return 0;
}

/* Collect the values of a mapping's known keys; warn about unknown keys
 * and report duplicate ones. vals[i]/keys[i] stay NULL for absent keys. */
static int parse_keys(struct loader *l, const yaml_node_t *map,
		      const char *const *names, size_t nnames,
		      yaml_node_t **vals, yaml_node_t **keys, const char *what)
{
	yaml_node_pair_t *p;
	int ret = 0;
	size_t i;

	for (i = 0; i < nnames; i++)
		vals[i] = keys[i] = NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = node(l, p->key), *v = node(l, p->value);
		const char *ks = scalar(k);

		if (!ks) {
			lerr(l, k, "%s keys must be strings", what);
			ret = -EINVAL;
			continue;
		}
		for (i = 0; i < nnames; i++)
			if (strcmp(ks, names[i]) == 0)
				break;
		if (i == nnames) {
			/* Falco warns too: files written for a newer
			 * engine stay loadable */
			lwarn(l, k, "unknown key '%s' in %s (ignored)", ks,
			      what);
			continue;
		}
		if (keys[i]) {
			lerr(l, k,
			     "duplicate key '%s' in %s (first at line %u)", ks,
			     what, (unsigned int)keys[i]->start_mark.line + 1);
			ret = -EINVAL;
			continue;
		}
		keys[i] = k;
		vals[i] = v;
	}
	return ret;
}

static int get_name(struct loader *l, const yaml_node_t *n, const char *what,
		    const char **ret)
{
	const char *s;

	if (get_scalar(l, n, what, &s) < 0)
		return -EINVAL;
	if (!*s) {
		lerr(l, n, "%s must not be empty", what);
		return -EINVAL;
	}
	*ret = s;
	return 0;
}

static int set_text(struct loader *l, const yaml_node_t *n, const char *what,
		    char **dst, struct rules_pos *pos)
{
	const char *s;
	char *p;

	if (get_scalar(l, n, what, &s) < 0)
		return -EINVAL;
	p = ldup(l, n, s);
	if (!p)
		return -ENOMEM;
	free(*dst);
	*dst = p;
	if (pos)
		*pos = text_pos(l, n);
	return 0;
}

static void trim_end(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

/* Falco appends with a space. */
static int append_text(struct loader *l, const yaml_node_t *n, const char *what,
		       char **dst)
{
	struct strbuf sb = STRBUF_INIT;
	char *add = NULL;

	if (set_text(l, n, what, &add, NULL) < 0)
		return -EINVAL;
	strbuf_appends(&sb, *dst ? *dst : "");
	if (*dst && **dst && *add)
		strbuf_appendc(&sb, ' ');
	strbuf_appends(&sb, add);
	free(add);
	if (strbuf_failed(&sb)) {
		strbuf_free(&sb);
		loom(l, n);
		return -ENOMEM;
	}
	free(*dst);
	*dst = strbuf_steal(&sb);
	return 0;
}

/* A condition: replaced (append false) or extended with a space, as
 * Falco does; the source map keeps each part's own place. */
static int set_cond(struct loader *l, const yaml_node_t *n, bool append,
		    struct rules_text *dst)
{
	struct rules_text add = { 0 }, t = { 0 };

	if (!scalar(n)) {
		lerr(l, n, "condition must be a string, not %s", node_kind(n));
		return -EINVAL;
	}
	if (is_null(n) && !append) {
		lerr(l, n, "condition must not be empty");
		return -EINVAL;
	}
	if (scalar_text(l, n, &add) < 0)
		return -ENOMEM;
	if (append && dst->len) {
		if (rules_text_append_text(&t, dst) < 0 ||
		    rules_text_append(&t, " ", 1, NULL) < 0 ||
		    rules_text_append_text(&t, &add) < 0) {
			rules_text_clear(&t);
			rules_text_clear(&add);
			loom(l, n);
			return -ENOMEM;
		}
		rules_text_clear(&add);
		add = t;
	}
	rules_text_clear(dst);
	*dst = add;
	return 0;
}

/* ---- exceptions (read here, compiled by exceptions.c) ---- */

/* One value of a tuple: a string, or a sequence of strings. */
static int exc_read_value(struct loader *l, const yaml_node_t *n,
			  bool list_ok, struct rules_exc_value *ret)
{
	struct rules_exc_value v = { NULL, 0, false, item_pos(l, n) };

	if (scalar(n)) {
		v.items = calloc(1, sizeof(*v.items));
		if (!v.items || !(v.items[0] = ldup(l, n, scalar(n)))) {
			free(v.items);
			loom(l, n);
			return -ENOMEM;
		}
		v.nitems = 1;
		*ret = v;
		return 0;
	}
	if (!list_ok || n->type != YAML_SEQUENCE_NODE) {
		lerr(l, n, "exception value must be a string%s, not %s",
		     list_ok ? " or a sequence of strings" : "", node_kind(n));
		return -EINVAL;
	}
	v.is_list = true;
	if (append_strv(l, n, "exception values", &v.items, &v.nitems) < 0) {
		strv_free(v.items, v.nitems);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

static int exc_add_tuple(struct loader *l, struct rules_exception *x,
			 const yaml_node_t *at, struct rules_exc_tuple *t)
{
	struct rules_exc_tuple *p;

	p = realloc(x->values, (x->nvalues + 1) * sizeof(*p));
	if (!p) {
		exc_tuple_clear(t);
		loom(l, at);
		return -ENOMEM;
	}
	x->values = p;
	p[x->nvalues++] = *t;
	return 0;
}

/* values: of an exception, appended to x's. */
static int exc_values(struct loader *l, struct rules_exception *x,
		      const yaml_node_t *vals)
{
	yaml_node_item_t *it;
	int ret = 0;

	if (is_null(vals))
		return 0;
	if (vals->type != YAML_SEQUENCE_NODE) {
		lerr(l, vals, "exception values must be a sequence, not %s",
		     node_kind(vals));
		return -EINVAL;
	}
	for (it = vals->data.sequence.items.start;
	     it < vals->data.sequence.items.top; it++) {
		const yaml_node_t *t = node(l, *it);
		struct rules_exc_tuple tp = { NULL, 0, item_pos(l, t) };
		size_t n, i;

		if (x->single_field) {
			/* "fields: f": each value is one string */
			tp.v = calloc(1, sizeof(*tp.v));
			if (!tp.v) {
				loom(l, t);
				return -ENOMEM;
			}
			if (exc_read_value(l, t, false, &tp.v[0]) < 0) {
				free(tp.v);
				ret = -EINVAL;
				continue;
			}
			tp.n = 1;
			if (exc_add_tuple(l, x, t, &tp) < 0)
				return -ENOMEM;
			continue;
		}
		if (t->type != YAML_SEQUENCE_NODE) {
			lerr(l, t,
			     "exception value must be a sequence of %zu values (one per field), not %s",
			     x->nfields, node_kind(t));
			ret = -EINVAL;
			continue;
		}
		n = (size_t)(t->data.sequence.items.top -
			     t->data.sequence.items.start);
		if (n != x->nfields) {
			lerr(l, t,
			     "exception '%s' has %zu fields but this value has %zu",
			     x->name, x->nfields, n);
			ret = -EINVAL;
			continue;
		}
		tp.v = calloc(n, sizeof(*tp.v));
		if (!tp.v) {
			loom(l, t);
			return -ENOMEM;
		}
		for (i = 0; i < n; i++) {
			if (exc_read_value(
				    l, node(l, t->data.sequence.items.start[i]),
				    true, &tp.v[i]) < 0)
				break;
			tp.n++;
		}
		if (i < n) {
			exc_tuple_clear(&tp);
			ret = -EINVAL;
			continue;
		}
		if (exc_add_tuple(l, x, t, &tp) < 0)
			return -ENOMEM;
	}
	return ret;
}

enum { XK_NAME, XK_FIELDS, XK_COMPS, XK_VALUES, XK__N };
static const char *const exc_keys[XK__N] = { "name", "fields", "comps",
					     "values" };

static int exc_check_field(struct loader *l, const yaml_node_t *n)
{
	const char *s = scalar(n);

	if (!s) {
		lerr(l, n, "exception fields must be strings, not %s",
		     node_kind(n));
		return -EINVAL;
	}
	if (!field_known(s)) {
		lerr(l, n, "unknown field '%s' in exception", s);
		return -EINVAL;
	}
	return 0;
}

static int exc_check_comp(struct loader *l, const yaml_node_t *n)
{
	const char *s = scalar(n);

	if (!s) {
		lerr(l, n, "exception comps must be strings, not %s",
		     node_kind(n));
		return -EINVAL;
	}
	if (!exceptions_op_known(s)) {
		lerr(l, n, "unknown comparison operator '%s' in exception", s);
		return -EINVAL;
	}
	return 0;
}

/* A new exception from its fields/comps. */
static int exc_define(struct loader *l, struct rules_exception *x,
		      yaml_node_t **v)
{
	const yaml_node_t *f = v[XK_FIELDS], *c = v[XK_COMPS];
	size_t n, i;
	int ret = 0;

	if (!f) {
		lerr(l, v[XK_NAME], "exception '%s' has no fields", x->name);
		return -EINVAL;
	}
	if (scalar(f)) {
		x->single_field = true;
		n = 1;
	} else if (f->type == YAML_SEQUENCE_NODE) {
		n = (size_t)(f->data.sequence.items.top -
			     f->data.sequence.items.start);
	} else {
		lerr(l, f, "exception fields must be a sequence, not %s",
		     node_kind(f));
		return -EINVAL;
	}
	if (!n) {
		lerr(l, f, "exception '%s' has no fields", x->name);
		return -EINVAL;
	}
	if (c && x->single_field && !scalar(c)) {
		lerr(l, c, "exception comps must be a string when fields is");
		return -EINVAL;
	}
	if (c && !x->single_field) {
		if (c->type != YAML_SEQUENCE_NODE) {
			lerr(l, c, "exception comps must be a sequence, not %s",
			     node_kind(c));
			return -EINVAL;
		}
		if ((size_t)(c->data.sequence.items.top -
			     c->data.sequence.items.start) != n) {
			lerr(l, c,
			     "exception '%s' has %zu fields but %zu comps",
			     x->name, n,
			     (size_t)(c->data.sequence.items.top -
				      c->data.sequence.items.start));
			return -EINVAL;
		}
	}
	x->fields = calloc(n, sizeof(*x->fields));
	x->comps = calloc(n, sizeof(*x->comps));
	if (!x->fields || !x->comps) {
		loom(l, f);
		return -ENOMEM;
	}
	x->nfields = n;
	for (i = 0; i < n; i++) {
		const yaml_node_t *fn =
			x->single_field
				? f
				: node(l, f->data.sequence.items.start[i]);
		const yaml_node_t *cn =
			!c ? NULL
			: x->single_field
				? c
				: node(l, c->data.sequence.items.start[i]);

		if (exc_check_field(l, fn) < 0) {
			ret = -EINVAL;
			continue;
		}
		x->fields[i] = ldup(l, fn, scalar(fn));
		if (!x->fields[i])
			return -ENOMEM;
		if (!cn)
			continue;
		if (exc_check_comp(l, cn) < 0) {
			ret = -EINVAL;
			continue;
		}
		x->comps[i] = ldup(l, cn, scalar(cn));
		if (!x->comps[i])
			return -ENOMEM;
	}
	return ret;
}

static struct rules_exception *exc_find(struct rules_rule *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nexceptions; i++)
		if (strcmp(r->exceptions[i].name, name) == 0)
			return &r->exceptions[i];
	return NULL;
}

/* exceptions: of a rule. With append, an exception that exists gets more
 * values (and may only give name and values); a new one is defined. */
static int exc_load(struct loader *l, struct rules_rule *r,
		    const yaml_node_t *seq, bool append)
{
	yaml_node_item_t *it;
	int ret = 0;

	if (is_null(seq))
		return 0;
	if (seq->type != YAML_SEQUENCE_NODE) {
		lerr(l, seq, "exceptions must be a sequence, not %s",
		     node_kind(seq));
		return -EINVAL;
	}
	for (it = seq->data.sequence.items.start;
	     it < seq->data.sequence.items.top; it++) {
		yaml_node_t *m = node(l, *it), *v[XK__N], *k[XK__N];
		struct rules_exception *x, nx = { 0 }, *p;
		const char *name;

		if (m->type != YAML_MAPPING_NODE) {
			lerr(l, m, "an exception must be a mapping, not %s",
			     node_kind(m));
			ret = -EINVAL;
			continue;
		}
		if (parse_keys(l, m, exc_keys, XK__N, v, k, "exception") < 0)
			ret = -EINVAL;
		if (!v[XK_NAME]) {
			lerr(l, m, "exception has no name");
			ret = -EINVAL;
			continue;
		}
		if (get_name(l, v[XK_NAME], "exception name", &name) < 0) {
			ret = -EINVAL;
			continue;
		}
		x = exc_find(r, name);
		if (x && append) {
			if (v[XK_FIELDS] || v[XK_COMPS]) {
				lerr(l,
				     v[XK_FIELDS] ? k[XK_FIELDS] : k[XK_COMPS],
				     "appending to exception '%s': only values may be given",
				     name);
				ret = -EINVAL;
				continue;
			}
			if (v[XK_VALUES] && exc_values(l, x, v[XK_VALUES]) < 0)
				ret = -EINVAL;
			continue;
		}
		if (x) {
			lerr(l, v[XK_NAME], "duplicate exception '%s'", name);
			ret = -EINVAL;
			continue;
		}
		nx.name = ldup(l, m, name);
		nx.pos = item_pos(l, m);
		if (!nx.name || exc_define(l, &nx, v) < 0 ||
		    (v[XK_VALUES] && exc_values(l, &nx, v[XK_VALUES]) < 0)) {
			exception_clear(&nx);
			ret = -EINVAL;
			continue;
		}
		p = realloc(r->exceptions, (r->nexceptions + 1) * sizeof(*p));
		if (!p) {
			exception_clear(&nx);
			loom(l, m);
			return -ENOMEM;
		}
		r->exceptions = p;
		p[r->nexceptions++] = nx;
	}
	return ret;
}

/* ---- override: ---- */

enum ovr { OVR_NONE, OVR_APPEND, OVR_REPLACE };

/* Parse override: against the item's keys. can_append/can_replace are
 * per key index; out[i] receives the mode. Keys given in the item but not
 * in override (besides the name key 0 and override itself) are errors. */
static int parse_override(struct loader *l, const yaml_node_t *ov,
			  const char *const *names, size_t nnames,
			  yaml_node_t **vals, size_t override_key,
			  const bool *can_append, const bool *can_replace,
			  enum ovr *out, const char *what)
{
	yaml_node_pair_t *p;
	int ret = 0;
	size_t i;

	for (i = 0; i < nnames; i++)
		out[i] = OVR_NONE;
	if (ov->type != YAML_MAPPING_NODE) {
		lerr(l, ov, "override must be a mapping, not %s",
		     node_kind(ov));
		return -EINVAL;
	}
	for (p = ov->data.mapping.pairs.start; p < ov->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = node(l, p->key), *v = node(l, p->value);
		const char *ks = scalar(k), *vs = scalar(v);
		enum ovr mode;

		if (!ks) {
			lerr(l, k, "override keys must be strings");
			ret = -EINVAL;
			continue;
		}
		for (i = 0; i < nnames; i++)
			if (strcmp(ks, names[i]) == 0)
				break;
		if (i == nnames || (!can_append[i] && !can_replace[i])) {
			lerr(l, k, "'%s' of a %s cannot be overridden", ks,
			     what);
			ret = -EINVAL;
			continue;
		}
		if (out[i] != OVR_NONE) {
			lerr(l, k, "duplicate key '%s' in override", ks);
			ret = -EINVAL;
			continue;
		}
		if (vs && strcmp(vs, "append") == 0) {
			mode = OVR_APPEND;
		} else if (vs && strcmp(vs, "replace") == 0) {
			mode = OVR_REPLACE;
		} else {
			lerr(l, v, "override of '%s' must be append or replace",
			     ks);
			ret = -EINVAL;
			continue;
		}
		if ((mode == OVR_APPEND && !can_append[i]) ||
		    (mode == OVR_REPLACE && !can_replace[i])) {
			lerr(l, v, "'%s' of a %s cannot be %sed", ks, what,
			     mode == OVR_APPEND ? "append" : "replac");
			ret = -EINVAL;
			continue;
		}
		if (!vals[i]) {
			lerr(l, k, "override of '%s' but the %s gives no %s",
			     ks, what, ks);
			ret = -EINVAL;
			continue;
		}
		out[i] = mode;
	}
	for (i = 1; i < nnames; i++) {
		if (i == override_key || !vals[i] || out[i] != OVR_NONE)
			continue;
		if (!can_append[i] && !can_replace[i])
			continue; /* checked by the caller (append, source) */
		lerr(l, vals[i], "'%s' given without an override entry for it",
		     names[i]);
		ret = -EINVAL;
	}
	return ret;
}

/* ---- items ---- */

static int intern_file(struct loader *l, const char *name)
{
	char **p;

	p = realloc(l->e->files, (l->e->nfiles + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	l->e->files = p;
	p[l->e->nfiles] = strdup(name);
	if (!p[l->e->nfiles])
		return -ENOMEM;
	l->file = p[l->e->nfiles++];
	return 0;
}

static int grow_ptrs(void *pv, size_t n, size_t *cap)
{
	void ***pp = pv;
	size_t c;
	void **p;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 16;
	p = realloc(*pp, c * sizeof(*p));
	if (!p)
		return -ENOMEM;
	*pp = p;
	*cap = c;
	return 0;
}


enum { LK_LIST, LK_ITEMS, LK_APPEND, LK_OVERRIDE, LK__N };
static const char *const list_keys[LK__N] = { "list", "items", "append",
					      "override" };

static void load_list(struct loader *l, const yaml_node_t *item)
{
	static const bool can_app[LK__N] = { false, true, false, false };
	static const bool can_rep[LK__N] = { false, true, false, false };
	yaml_node_t *v[LK__N], *k[LK__N];
	struct rules_list *li, *old = NULL;
	enum ovr ovr[LK__N];
	bool append = false, bad;
	const char *name;
	size_t idx;

	bad = parse_keys(l, item, list_keys, LK__N, v, k, "list") < 0;
	if (get_name(l, v[LK_LIST], "list name", &name) < 0)
		return;
	if (bad) {
		if (!v[LK_ITEMS] && !v[LK_OVERRIDE])
			lerr(l, item, "list '%s' has no items", name);
		return;
	}
	if (rules_map_get(&l->e->list_map, name, &idx))
		old = l->e->lists[idx];
	if (v[LK_APPEND] && get_bool(l, v[LK_APPEND], "append", &append) < 0)
		return;
	if (v[LK_OVERRIDE]) {
		if (v[LK_APPEND]) {
			lerr(l, k[LK_APPEND],
			     "append and override cannot be used together");
			return;
		}
		if (parse_override(l, v[LK_OVERRIDE], list_keys, LK__N, v,
				   LK_OVERRIDE, can_app, can_rep, ovr,
				   "list") < 0)
			return;
		if (!old) {
			lerr(l, v[LK_LIST],
			     "override of list '%s', which is not defined",
			     name);
			return;
		}
		if (ovr[LK_ITEMS] == OVR_REPLACE) {
			strv_free(old->items, old->nitems);
			old->items = NULL;
			old->nitems = 0;
		}
		if (ovr[LK_ITEMS] != OVR_NONE)
			(void)append_strv(l, v[LK_ITEMS], "items", &old->items,
					  &old->nitems);
		return;
	}
	if (!v[LK_ITEMS]) {
		lerr(l, item, "list '%s' has no items", name);
		return;
	}
	if (append) {
		if (!old) {
			lerr(l, v[LK_LIST],
			     "append to list '%s', which is not defined", name);
			return;
		}
		(void)append_strv(l, v[LK_ITEMS], "items", &old->items,
				  &old->nitems);
		return;
	}
	li = calloc(1, sizeof(*li));
	if (!li) {
		loom(l, item);
		return;
	}
	li->pos = item_pos(l, item);
	if (append_strv(l, v[LK_ITEMS], "items", &li->items, &li->nitems) < 0) {
		list_free(li);
		return;
	}
	if (old) {
		/* Falco: a redefinition replaces, in the original place */
		strv_free(old->items, old->nitems);
		old->items = li->items;
		old->nitems = li->nitems;
		old->pos = li->pos;
		li->items = NULL;
		li->nitems = 0;
		list_free(li);
		return;
	}
	li->name = ldup(l, item, name);
	if (!li->name ||
	    grow_ptrs(&l->e->lists, l->e->nlists, &l->e->caplists) < 0 ||
	    rules_map_put(&l->e->list_map, li->name, l->e->nlists) < 0) {
		list_free(li);
		loom(l, item);
		return;
	}
	l->e->lists[l->e->nlists++] = li;
}

enum { MK_MACRO, MK_CONDITION, MK_APPEND, MK_OVERRIDE, MK__N };
static const char *const macro_keys[MK__N] = { "macro", "condition", "append",
					       "override" };

static void load_macro(struct loader *l, const yaml_node_t *item)
{
	static const bool can_app[MK__N] = { false, true, false, false };
	static const bool can_rep[MK__N] = { false, true, false, false };
	yaml_node_t *v[MK__N], *k[MK__N];
	struct rules_macro *m, *old = NULL;
	enum ovr ovr[MK__N];
	bool append = false, bad;
	const char *name;
	size_t idx;

	bad = parse_keys(l, item, macro_keys, MK__N, v, k, "macro") < 0;
	if (get_name(l, v[MK_MACRO], "macro name", &name) < 0)
		return;
	if (bad) {
		if (!v[MK_CONDITION] && !v[MK_OVERRIDE])
			lerr(l, item, "macro '%s' has no condition", name);
		return;
	}
	if (rules_map_get(&l->e->macro_map, name, &idx))
		old = l->e->macros[idx];
	if (v[MK_APPEND] && get_bool(l, v[MK_APPEND], "append", &append) < 0)
		return;
	if (v[MK_OVERRIDE]) {
		if (v[MK_APPEND]) {
			lerr(l, k[MK_APPEND],
			     "append and override cannot be used together");
			return;
		}
		if (parse_override(l, v[MK_OVERRIDE], macro_keys, MK__N, v,
				   MK_OVERRIDE, can_app, can_rep, ovr,
				   "macro") < 0)
			return;
		if (!old) {
			lerr(l, v[MK_MACRO],
			     "override of macro '%s', which is not defined",
			     name);
			return;
		}
		if (ovr[MK_CONDITION] == OVR_REPLACE)
			(void)set_cond(l, v[MK_CONDITION], false, &old->cond);
		else if (ovr[MK_CONDITION] == OVR_APPEND)
			(void)set_cond(l, v[MK_CONDITION], true, &old->cond);
		return;
	}
	if (!v[MK_CONDITION]) {
		lerr(l, item, "macro '%s' has no condition", name);
		return;
	}
	if (append) {
		if (!old) {
			lerr(l, v[MK_MACRO],
			     "append to macro '%s', which is not defined",
			     name);
			return;
		}
		(void)set_cond(l, v[MK_CONDITION], true, &old->cond);
		return;
	}
	if (old) {
		if (set_cond(l, v[MK_CONDITION], false, &old->cond) == 0)
			old->pos = item_pos(l, item);
		return;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		loom(l, item);
		return;
	}
	m->pos = item_pos(l, item);
	if (set_cond(l, v[MK_CONDITION], false, &m->cond) < 0) {
		macro_free(m);
		return;
	}
	m->name = ldup(l, item, name);
	if (!m->name ||
	    grow_ptrs(&l->e->macros, l->e->nmacros, &l->e->capmacros) < 0 ||
	    rules_map_put(&l->e->macro_map, m->name, l->e->nmacros) < 0) {
		macro_free(m);
		loom(l, item);
		return;
	}
	l->e->macros[l->e->nmacros++] = m;
}

enum {
	RK_RULE,
	RK_DESC,
	RK_CONDITION,
	RK_OUTPUT,
	RK_PRIORITY,
	RK_TAGS,
	RK_ENABLED,
	RK_EXCEPTIONS,
	RK_WARN_EVTTYPES,
	RK_SKIP_UNKNOWN,
	RK_SOURCE,
	RK_APPEND,
	RK_OVERRIDE,
	RK_CAPTURE,
	RK_CAPTURE_DURATION,
	RK__N
};
static const char *const rule_keys[RK__N] = {
	"rule",		 "desc",
	"condition",	 "output",
	"priority",	 "tags",
	"enabled",	 "exceptions",
	"warn_evttypes", "skip-if-unknown-filter",
	"source",	 "append",
	"override",	 "capture",
	"capture_duration",
};

/* Set one replaceable key of r from v (used by definitions and
 * override: replace). */
static int rule_set(struct loader *l, struct rules_rule *r, size_t key,
		    const yaml_node_t *v)
{
	const char *s;

	switch (key) {
	case RK_DESC:
		return set_text(l, v, "desc", &r->desc, NULL);
	case RK_CONDITION:
		return set_cond(l, v, false, &r->cond);
	case RK_OUTPUT:
		if (set_text(l, v, "output", &r->output, &r->output_pos) < 0)
			return -EINVAL;
		/* Falco trims it: a folded "output: >" ends in a newline */
		trim_end(r->output);
		return 0;
	case RK_PRIORITY:
		if (get_scalar(l, v, "priority", &s) < 0)
			return -EINVAL;
		if (alert_priority_parse(s, &r->priority) < 0) {
			lerr(l, v,
			     "unknown priority '%s' (expected emergency, alert, critical, error, warning, notice, informational or debug)",
			     s);
			return -EINVAL;
		}
		return 0;
	case RK_TAGS:
		strv_free(r->tags, r->ntags);
		r->tags = NULL;
		r->ntags = 0;
		return append_strv(l, v, "tags", &r->tags, &r->ntags);
	case RK_ENABLED:
		return get_bool(l, v, "enabled", &r->enabled);
	case RK_WARN_EVTTYPES:
		return get_bool(l, v, "warn_evttypes", &r->warn_evttypes);
	case RK_SKIP_UNKNOWN:
		return get_bool(l, v, "skip-if-unknown-filter",
				&r->skip_if_unknown_filter);
	case RK_CAPTURE:
		return get_bool(l, v, "capture", &r->capture);
	case RK_CAPTURE_DURATION: {
		int64_t ms;

		if (get_scalar(l, v, "capture_duration", &s) < 0)
			return -EINVAL;
		if (parse_i64(s, 10, &ms) < 0 || ms < 0) {
			lerr(l, v,
			     "capture_duration must be a number of milliseconds, not '%s'",
			     s);
			return -EINVAL;
		}
		r->capture_duration = (uint64_t)ms;
		return 0;
	}
	case RK_EXCEPTIONS: {
		size_t i;

		for (i = 0; i < r->nexceptions; i++)
			exception_clear(&r->exceptions[i]);
		free(r->exceptions);
		r->exceptions = NULL;
		r->nexceptions = 0;
		return exc_load(l, r, v, false);
	}
	default:
		return -EINVAL;
	}
}

static int rule_append(struct loader *l, struct rules_rule *r, size_t key,
		       const yaml_node_t *v)
{
	char **tags = NULL;
	size_t ntags = 0, i, j;
	int ret;

	switch (key) {
	case RK_DESC:
		return append_text(l, v, "desc", &r->desc);
	case RK_CONDITION:
		return set_cond(l, v, true, &r->cond);
	case RK_OUTPUT:
		return append_text(l, v, "output", &r->output);
	case RK_EXCEPTIONS:
		return exc_load(l, r, v, true);
	case RK_TAGS:
		ret = append_strv(l, v, "tags", &tags, &ntags);
		for (i = 0; ret == 0 && i < ntags; i++) {
			char **p;

			for (j = 0; j < r->ntags; j++)
				if (strcmp(r->tags[j], tags[i]) == 0)
					break;
			if (j < r->ntags)
				continue;
			p = realloc(r->tags, (r->ntags + 1) * sizeof(*p));
			if (!p) {
				loom(l, v);
				ret = -ENOMEM;
				break;
			}
			r->tags = p;
			p[r->ntags++] = tags[i];
			tags[i] = NULL;
		}
		strv_free(tags, ntags);
		return ret;
	default:
		return -EINVAL;
	}
}

static void load_rule(struct loader *l, const yaml_node_t *item)
{
	static const bool can_app[RK__N] = {
		[RK_DESC] = true, [RK_CONDITION] = true,  [RK_OUTPUT] = true,
		[RK_TAGS] = true, [RK_EXCEPTIONS] = true,
	};
	static const bool can_rep[RK__N] = {
		[RK_DESC] = true,	  [RK_CONDITION] = true,
		[RK_OUTPUT] = true,	  [RK_PRIORITY] = true,
		[RK_TAGS] = true,	  [RK_EXCEPTIONS] = true,
		[RK_ENABLED] = true,	  [RK_WARN_EVTTYPES] = true,
		[RK_SKIP_UNKNOWN] = true, [RK_CAPTURE] = true,
		[RK_CAPTURE_DURATION] = true,
	};
	static const size_t required[] = { RK_CONDITION, RK_OUTPUT, RK_PRIORITY,
					   RK_DESC };
	yaml_node_t *v[RK__N], *k[RK__N];
	struct rules_rule *r, *old = NULL;
	enum ovr ovr[RK__N];
	bool append = false, only_enabled = true, bad;
	const char *name, *src;
	size_t idx, i;

	/* unknown or duplicate keys: keep checking, but add nothing */
	bad = parse_keys(l, item, rule_keys, RK__N, v, k, "rule") < 0;
	if (get_name(l, v[RK_RULE], "rule name", &name) < 0)
		return;
	if (v[RK_SOURCE]) {
		if (get_scalar(l, v[RK_SOURCE], "source", &src) < 0)
			return;
		if (strcmp(src, "syscall") != 0) {
			lwarn(l, v[RK_SOURCE],
			      "rule '%s': source '%s' is not supported, rule skipped",
			      name, src);
			return;
		}
	}
	if (rules_map_get(&l->e->rule_map, name, &idx))
		old = l->e->rules[idx];
	if (v[RK_APPEND] && get_bool(l, v[RK_APPEND], "append", &append) < 0)
		return;
	if (bad && (v[RK_OVERRIDE] || append))
		return;

	if (v[RK_OVERRIDE]) {
		if (v[RK_APPEND]) {
			lerr(l, k[RK_APPEND],
			     "append and override cannot be used together");
			return;
		}
		if (parse_override(l, v[RK_OVERRIDE], rule_keys, RK__N, v,
				   RK_OVERRIDE, can_app, can_rep, ovr,
				   "rule") < 0)
			return;
		if (!old) {
			lerr(l, v[RK_RULE],
			     "override of rule '%s', which is not defined",
			     name);
			return;
		}
		for (i = 0; i < RK__N; i++) {
			if (ovr[i] == OVR_REPLACE)
				(void)rule_set(l, old, i, v[i]);
			else if (ovr[i] == OVR_APPEND)
				(void)rule_append(l, old, i, v[i]);
		}
		return;
	}

	if (append) {
		if (!old) {
			lerr(l, v[RK_RULE],
			     "append to rule '%s', which is not defined", name);
			return;
		}
		for (i = 0; i < RK__N; i++) {
			if (!v[i] || i == RK_RULE || i == RK_APPEND ||
			    i == RK_SOURCE)
				continue;
			if (!can_app[i]) {
				lerr(l, k[i],
				     "'%s' cannot be appended to (use override: replace)",
				     rule_keys[i]);
				continue;
			}
			(void)rule_append(l, old, i, v[i]);
		}
		return;
	}

	for (i = 0; i < RK__N; i++)
		if (v[i] && i != RK_RULE && i != RK_ENABLED && i != RK_SOURCE &&
		    i != RK_APPEND)
			only_enabled = false;
	if (only_enabled && v[RK_ENABLED] && !bad) {
		/* "- rule: X / enabled: false" switches an existing rule */
		if (!old) {
			lerr(l, v[RK_RULE],
			     "rule '%s' is not defined (a rule with only 'enabled' changes an existing one)",
			     name);
			return;
		}
		(void)get_bool(l, v[RK_ENABLED], "enabled", &old->enabled);
		return;
	}

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (!v[required[i]]) {
			lerr(l, item, "rule '%s' has no %s", name,
			     rule_keys[required[i]]);
			bad = true;
		}
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		loom(l, item);
		return;
	}
	r->enabled = true;
	r->warn_evttypes = true;
	r->pos = item_pos(l, item);
	for (i = 0; i < RK__N; i++) {
		if (!v[i] || i == RK_RULE || i == RK_SOURCE || i == RK_APPEND ||
		    i == RK_OVERRIDE)
			continue;
		if (rule_set(l, r, i, v[i]) < 0)
			bad = true;
	}
	if (bad) {
		rule_free(r);
		return;
	}
	if (old) {
		/* redefinition: replaces the old one, keeping its place */
		rule_clear_body(old);
		free(r->name);
		r->name = old->name;
		*old = *r;
		free(r);
		return;
	}
	r->name = ldup(l, item, name);
	if (!r->name ||
	    grow_ptrs(&l->e->rules, l->e->nrules, &l->e->caprules) < 0 ||
	    rules_map_put(&l->e->rule_map, r->name, l->e->nrules) < 0) {
		rule_free(r);
		loom(l, item);
		return;
	}
	l->e->rules[l->e->nrules++] = r;
}

/* "0.26.0", "0.26", 0.26 or the old plain engine number N (= 0.N.0). */
static int parse_version(const char *s, unsigned long v[3])
{
	size_t i;
	char *end;

	if (!strchr(s, '.')) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		errno = 0;
		v[0] = 0;
		v[1] = strtoul(s, &end, 10);
		v[2] = 0;
		return errno || *end ? -EINVAL : 0;
	}
	for (i = 0; i < 3; i++) {
		v[i] = 0;
		if (!*s && i > 0)
			continue;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		errno = 0;
		v[i] = strtoul(s, &end, 10);
		if (errno)
			return -EINVAL;
		s = end;
		if (*s == '.' && i < 2)
			s++;
		else if (*s)
			return -EINVAL;
	}
	return 0;
}

static void load_engine_version(struct loader *l, const yaml_node_t *item)
{
	static const unsigned long have[3] = { ENGINE_FALCO_VERSION_MAJOR,
					       ENGINE_FALCO_VERSION_MINOR,
					       ENGINE_FALCO_VERSION_PATCH };
	const yaml_node_pair_t *p = item->data.mapping.pairs.start;
	const yaml_node_t *v = NULL;
	unsigned long want[3];
	const char *s;
	size_t i;

	for (; p < item->data.mapping.pairs.top; p++) {
		const char *k = scalar(node(l, p->key));

		if (k && strcmp(k, "required_engine_version") == 0)
			v = node(l, p->value);
		else
			lwarn(l, node(l, p->key),
			      "unknown key '%s' in required_engine_version (ignored)",
			      k ? k : "");
	}
	s = scalar(v);
	if (!s || parse_version(s, want) < 0) {
		lerr(l, v ? v : item,
		     "required_engine_version must be Falco's engine version, like %d.%d.%d or %d",
		     ENGINE_FALCO_VERSION_MAJOR, ENGINE_FALCO_VERSION_MINOR,
		     ENGINE_FALCO_VERSION_PATCH, ENGINE_FALCO_VERSION_MINOR);
		return;
	}
	for (i = 0; i < 3; i++) {
		if (want[i] > have[i]) {
			/* Falco refuses; a Falco rules file is mostly older
			 * constructs, and those that are not fail where
			 * they are used, with their position. */
			lwarn(l, v,
			      "rules require Falco engine version %lu.%lu.%lu; Harrier implements the rules language of Falco engine %d.%d.%d: constructs added since (e.g. the join, concat and getopt transformers, the oneof/anyof/allof operator modifiers) are not understood and fail where they are used",
			      want[0], want[1], want[2],
			      ENGINE_FALCO_VERSION_MAJOR,
			      ENGINE_FALCO_VERSION_MINOR,
			      ENGINE_FALCO_VERSION_PATCH);
			return;
		}
		if (want[i] < have[i])
			return;
	}
}

static void load_item(struct loader *l, const yaml_node_t *item)
{
	static const char *const kinds[] = { "rule", "macro", "list",
					     "required_engine_version",
					     "required_plugin_versions" };
	const yaml_node_pair_t *p;
	const yaml_node_t *first = NULL, *kind_key = NULL;
	size_t kind = 0, i;

	if (item->type != YAML_MAPPING_NODE) {
		lerr(l, item,
		     "a rules file item must be a mapping (rule, macro, list, ...), not %s",
		     node_kind(item));
		return;
	}
	for (p = item->data.mapping.pairs.start;
	     p < item->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(l, p->key);
		const char *ks = scalar(k);

		if (!first)
			first = k;
		for (i = 0; ks && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
			if (strcmp(ks, kinds[i]) != 0)
				continue;
			if (kind_key) {
				lerr(l, k, "item has both '%s' and '%s'",
				     kinds[kind], ks);
				return;
			}
			kind_key = k;
			kind = i;
		}
	}
	if (!kind_key) {
		const char *ks = scalar(first);

		lerr(l, first ? first : item,
		     "unknown item '%s' (expected rule, macro, list, required_engine_version or required_plugin_versions)",
		     ks ? ks : "");
		return;
	}
	switch (kind) {
	case 0:
		load_rule(l, item);
		break;
	case 1:
		load_macro(l, item);
		break;
	case 2:
		load_list(l, item);
		break;
	case 3:
		load_engine_version(l, item);
		break;
	default:
		lwarn(l, kind_key,
		      "required_plugin_versions ignored: harrier has no plugins");
		break;
	}
}

static void load_document(struct loader *l, const yaml_node_t *root)
{
	yaml_node_item_t *it;

	if (is_null(root))
		return;
	if (root->type != YAML_SEQUENCE_NODE) {
		lerr(l, root,
		     "a rules file must be a sequence of items (- rule:, - macro:, - list:), not %s",
		     node_kind(root));
		return;
	}
	for (it = root->data.sequence.items.start;
	     it < root->data.sequence.items.top; it++)
		load_item(l, node(l, *it));
}

int rules_load(struct engine *e, const char *name, const char *data, size_t len,
	       struct diag *d)
{
	struct loader l = { .e = e, .d = d, .data = data, .len = len };
	yaml_parser_t parser;
	size_t nerr = d->nerrors;
	int r;

	if (intern_file(&l, name ? name : "<buffer>") < 0)
		return -ENOMEM;
	/* refused before libyaml builds a document: see yaml_depth.h */
	r = yaml_refuse_deep(l.file, data, len, d);
	if (r < 0)
		return r;
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	for (;;) {
		yaml_document_t doc;
		yaml_node_t *root;

		if (!yaml_parser_load(&parser, &doc)) {
			if (parser.error == YAML_MEMORY_ERROR) {
				l.oom = true;
				diag_add(d, DIAG_ERROR, l.file, 0, 0,
					 "out of memory");
				break;
			}
			diag_add(d, DIAG_ERROR, l.file,
				 (unsigned int)parser.problem_mark.line + 1,
				 (unsigned int)parser.problem_mark.column + 1,
				 "YAML syntax error: %s%s%s",
				 parser.problem ? parser.problem : "invalid",
				 parser.context ? " " : "",
				 parser.context ? parser.context : "");
			break;
		}
		root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		l.doc = &doc;
		load_document(&l, root);
		l.doc = NULL;
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	if (l.oom)
		return -ENOMEM;
	return d->nerrors > nerr ? -EINVAL : 0;
}
