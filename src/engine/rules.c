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
#include "common/strbuf.h"
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

static void free_strv(char **v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void exception_clear(struct rules_exception *x)
{
	free(x->name);
	free_strv(x->fields, x->nfields);
	free_strv(x->comps, x->nfields);
	free_strv(x->clauses, x->nclauses);
	memset(x, 0, sizeof(*x));
}

/* Everything but the name (kept by the maps) and position. */
static void rule_clear_body(struct rules_rule *r)
{
	size_t i;

	free(r->desc);
	free(r->condition);
	free(r->output);
	free_strv(r->tags, r->ntags);
	for (i = 0; i < r->nexceptions; i++)
		exception_clear(&r->exceptions[i]);
	free(r->exceptions);
	cond_free(r->cond);
	format_free(r->format);
	r->desc = r->condition = r->output = NULL;
	r->tags = NULL;
	r->ntags = 0;
	r->exceptions = NULL;
	r->nexceptions = 0;
	r->cond = NULL;
	r->format = NULL;
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
	free(m->condition);
	free(m);
}

static void list_free(struct rules_list *l)
{
	if (!l)
		return;
	free(l->name);
	free_strv(l->items, l->nitems);
	free_strv(l->expanded, l->nexpanded);
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
	free_strv(e->files, e->nfiles);
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

/* Condition text of a scalar. A block scalar that spans several source
 * lines always contains a newline (folding may have removed them all), so
 * that the compiler reports at the scalar's position instead of computing
 * a column that does not exist; a one-line one loses its trailing
 * newline so that columns are exact. */
static char *cond_text(struct loader *l, const yaml_node_t *n)
{
	const char *s = scalar(n);
	size_t len = n->data.scalar.length, i, lines = 0;
	size_t end = n->end_mark.index;
	bool block = n->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
		     n->data.scalar.style == YAML_FOLDED_SCALAR_STYLE;
	char *p;

	if (!block)
		return ldup(l, n, s);
	if (end > l->len)
		end = l->len;
	/* count source lines holding content after the indicator line */
	for (i = n->start_mark.index; i < end; i++) {
		if (l->data[i] != '\n')
			continue;
		while (i + 1 < end &&
		       (l->data[i + 1] == ' ' || l->data[i + 1] == '\t'))
			i++;
		if (i + 1 < end && l->data[i + 1] != '\n')
			lines++;
	}
	p = malloc(len + 2);
	if (!p) {
		loom(l, n);
		return NULL;
	}
	memcpy(p, s, len);
	p[len] = '\0';
	if (lines <= 1) {
		while (len && (p[len - 1] == '\n' || p[len - 1] == ' '))
			p[--len] = '\0';
	} else if (!memchr(p, '\n', len)) {
		p[len] = '\n';
		p[len + 1] = '\0';
	}
	return p;
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

/* Collect the values of a mapping's known keys; report unknown and
 * duplicate keys. vals[i]/keys[i] stay NULL for absent keys. */
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
			lerr(l, k, "unknown key '%s' in %s", ks, what);
			ret = -EINVAL;
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
		    bool is_cond, char **dst, struct rules_pos *pos)
{
	const char *s;
	char *p;

	if (get_scalar(l, n, what, &s) < 0)
		return -EINVAL;
	if (is_cond && is_null(n)) {
		lerr(l, n, "%s must not be empty", what);
		return -EINVAL;
	}
	p = is_cond ? cond_text(l, n) : ldup(l, n, s);
	if (!p)
		return -ENOMEM;
	free(*dst);
	*dst = p;
	if (pos)
		*pos = text_pos(l, n);
	return 0;
}

/* Falco appends with a space. Conditions are joined with a newline so
 * the compiler reports errors at the definition's line rather than at a
 * column computed across two scalars. */
static int append_text(struct loader *l, const yaml_node_t *n, const char *what,
		       bool is_cond, char **dst)
{
	struct strbuf sb = STRBUF_INIT;
	char *add = NULL;

	if (set_text(l, n, what, is_cond, &add, NULL) < 0)
		return -EINVAL;
	strbuf_appends(&sb, *dst ? *dst : "");
	if (*dst && **dst && *add)
		strbuf_appendc(&sb, is_cond ? '\n' : ' ');
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

/* ---- exceptions ---- */

static const char *const exc_ops[] = {
	"=",	     "!=",	   "<",		 "<=",	   ">",
	">=",	     "in",	   "intersects", "pmatch", "contains",
	"icontains", "startswith", "endswith",	 "glob",
};

static bool exc_op_known(const char *op)
{
	size_t i;

	for (i = 0; i < sizeof(exc_ops) / sizeof(exc_ops[0]); i++)
		if (strcmp(op, exc_ops[i]) == 0)
			return true;
	return false;
}

static bool exc_op_is_list(const char *op)
{
	return strcmp(op, "in") == 0 || strcmp(op, "intersects") == 0 ||
	       strcmp(op, "pmatch") == 0;
}

/* A value as a condition operand: kept when the rule already quoted it
 * (Falco style), else double-quoted with \ and " escaped. */
static void exc_quote(struct strbuf *sb, const char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		strbuf_append(sb, v, n);
		return;
	}
	strbuf_appendc(sb, '"');
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			strbuf_appendc(sb, '\\');
		strbuf_appendc(sb, *v);
	}
	strbuf_appendc(sb, '"');
}

static bool is_plain_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' ||
		      *s == '.'))
			return false;
	return true;
}

/* "field op value" for one operand node: a sequence for a list operator
 * becomes "(a, b)", a name for a list operator "(name)" (a list). */
static int exc_term(struct loader *l, struct strbuf *sb, const char *field,
		    const char *op, const yaml_node_t *v)
{
	yaml_node_item_t *it;

	strbuf_appends(sb, field);
	strbuf_appendc(sb, ' ');
	strbuf_appends(sb, op);
	strbuf_appendc(sb, ' ');
	if (exc_op_is_list(op)) {
		strbuf_appendc(sb, '(');
		if (v->type == YAML_SEQUENCE_NODE) {
			for (it = v->data.sequence.items.start;
			     it < v->data.sequence.items.top; it++) {
				const yaml_node_t *c = node(l, *it);

				if (!scalar(c)) {
					lerr(l, c,
					     "exception values must be strings");
					return -EINVAL;
				}
				if (it != v->data.sequence.items.start)
					strbuf_appends(sb, ", ");
				exc_quote(sb, scalar(c));
			}
		} else if (scalar(v)) {
			if (is_plain_name(scalar(v)))
				strbuf_appends(sb, scalar(v));
			else
				exc_quote(sb, scalar(v));
		} else {
			lerr(l, v,
			     "exception value must be a string or a sequence");
			return -EINVAL;
		}
		strbuf_appendc(sb, ')');
		return 0;
	}
	if (!scalar(v)) {
		lerr(l, v,
		     "exception value for '%s %s' must be a string, not %s",
		     field, op, node_kind(v));
		return -EINVAL;
	}
	exc_quote(sb, scalar(v));
	return 0;
}

static int exc_add_clause(struct loader *l, struct rules_exception *x,
			  const yaml_node_t *at, struct strbuf *sb)
{
	char **p;

	if (strbuf_failed(sb)) {
		loom(l, at);
		return -ENOMEM;
	}
	p = realloc(x->clauses, (x->nclauses + 1) * sizeof(*p));
	if (!p) {
		loom(l, at);
		return -ENOMEM;
	}
	x->clauses = p;
	p[x->nclauses++] = strbuf_steal(sb);
	return 0;
}

/* Turn a values node into clauses of x. */
static int exc_values(struct loader *l, struct rules_exception *x,
		      const yaml_node_t *vals)
{
	struct strbuf sb = STRBUF_INIT;
	yaml_node_item_t *it;
	int ret = 0;

	if (is_null(vals))
		return 0;
	if (vals->type != YAML_SEQUENCE_NODE) {
		lerr(l, vals, "exception values must be a sequence, not %s",
		     node_kind(vals));
		return -EINVAL;
	}
	if (x->single_field) {
		const char *op = x->comps[0] ? x->comps[0] : "in";

		if (vals->data.sequence.items.start ==
		    vals->data.sequence.items.top)
			return 0;
		if (exc_op_is_list(op)) {
			strbuf_appendc(&sb, '(');
			ret = exc_term(l, &sb, x->fields[0], op, vals);
			strbuf_appendc(&sb, ')');
			if (ret == 0)
				ret = exc_add_clause(l, x, vals, &sb);
			strbuf_free(&sb);
			return ret;
		}
		for (it = vals->data.sequence.items.start;
		     it < vals->data.sequence.items.top; it++) {
			strbuf_reset(&sb);
			strbuf_appendc(&sb, '(');
			if (exc_term(l, &sb, x->fields[0], op, node(l, *it)) <
			    0) {
				ret = -EINVAL;
				continue;
			}
			strbuf_appendc(&sb, ')');
			if (exc_add_clause(l, x, vals, &sb) < 0)
				ret = -ENOMEM;
		}
		strbuf_free(&sb);
		return ret;
	}
	for (it = vals->data.sequence.items.start;
	     it < vals->data.sequence.items.top; it++) {
		const yaml_node_t *t = node(l, *it);
		size_t n, i;

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
		strbuf_reset(&sb);
		strbuf_appendc(&sb, '(');
		for (i = 0; i < n; i++) {
			const yaml_node_t *v =
				node(l, t->data.sequence.items.start[i]);
			const char *op = x->comps[i];

			if (!op)
				op = v->type == YAML_SEQUENCE_NODE ? "in" : "=";
			if (i)
				strbuf_appends(&sb, " and ");
			if (exc_term(l, &sb, x->fields[i], op, v) < 0)
				break;
		}
		if (i < n) {
			ret = -EINVAL;
			continue;
		}
		strbuf_appendc(&sb, ')');
		if (exc_add_clause(l, x, t, &sb) < 0)
			ret = -ENOMEM;
	}
	strbuf_free(&sb);
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
	if (!exc_op_known(s)) {
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
		nx.pos.file = l->file;
		nx.pos.line = (unsigned int)m->start_mark.line + 1;
		nx.pos.col = (unsigned int)m->start_mark.column + 1;
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

static struct rules_pos item_pos(struct loader *l, const yaml_node_t *n)
{
	struct rules_pos p = { l->file, (unsigned int)n->start_mark.line + 1,
			       (unsigned int)n->start_mark.column + 1 };
	return p;
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
			free_strv(old->items, old->nitems);
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
		free_strv(old->items, old->nitems);
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
			(void)set_text(l, v[MK_CONDITION], "condition", true,
				       &old->condition, &old->cond_pos);
		else if (ovr[MK_CONDITION] == OVR_APPEND)
			(void)append_text(l, v[MK_CONDITION], "condition", true,
					  &old->condition);
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
		(void)append_text(l, v[MK_CONDITION], "condition", true,
				  &old->condition);
		return;
	}
	if (old) {
		if (set_text(l, v[MK_CONDITION], "condition", true,
			     &old->condition, &old->cond_pos) == 0)
			old->pos = item_pos(l, item);
		return;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		loom(l, item);
		return;
	}
	m->pos = item_pos(l, item);
	if (set_text(l, v[MK_CONDITION], "condition", true, &m->condition,
		     &m->cond_pos) < 0) {
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
	RK_CAPTURE,
	RK_CAPTURE_DURATION,
	RK_SOURCE,
	RK_APPEND,
	RK_OVERRIDE,
	RK__N
};
static const char *const rule_keys[RK__N] = {
	"rule",		 "desc",
	"condition",	 "output",
	"priority",	 "tags",
	"enabled",	 "exceptions",
	"warn_evttypes", "skip-if-unknown-filter",
	"capture",	 "capture_duration",
	"source",	 "append",
	"override",
};

/* Set one replaceable key of r from v (used by definitions and
 * override: replace). */
static int rule_set(struct loader *l, struct rules_rule *r, size_t key,
		    const yaml_node_t *v)
{
	const char *s;

	switch (key) {
	case RK_DESC:
		return set_text(l, v, "desc", false, &r->desc, NULL);
	case RK_CONDITION:
		return set_text(l, v, "condition", true, &r->condition,
				&r->cond_pos);
	case RK_OUTPUT:
		return set_text(l, v, "output", false, &r->output,
				&r->output_pos);
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
		free_strv(r->tags, r->ntags);
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
		uint64_t ms;

		if (get_scalar(l, v, "capture_duration", &s) < 0)
			return -EINVAL;
		/* Falco's: milliseconds, an unsigned 32-bit number */
		if (parse_u64(s, 10, &ms) < 0 || ms > UINT32_MAX) {
			lerr(l, v,
			     "capture_duration must be a number of milliseconds, not '%s'",
			     s);
			return -EINVAL;
		}
		r->capture_duration_ms = (uint32_t)ms;
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
		return append_text(l, v, "desc", false, &r->desc);
	case RK_CONDITION:
		return append_text(l, v, "condition", true, &r->condition);
	case RK_OUTPUT:
		return append_text(l, v, "output", false, &r->output);
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
		free_strv(tags, ntags);
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
	static const unsigned long have[3] = { RULES_ENGINE_VERSION_MAJOR,
					       RULES_ENGINE_VERSION_MINOR,
					       RULES_ENGINE_VERSION_PATCH };
	const yaml_node_pair_t *p = item->data.mapping.pairs.start;
	const yaml_node_t *v = node(l, p->value);
	unsigned long want[3];
	const char *s;
	size_t i;

	if (item->data.mapping.pairs.top - p != 1) {
		lerr(l, item, "required_engine_version takes no other keys");
		return;
	}
	s = scalar(v);
	if (!s || parse_version(s, want) < 0) {
		lerr(l, v,
		     "required_engine_version must be a version like 0.1.0");
		return;
	}
	for (i = 0; i < 3; i++) {
		if (want[i] > have[i]) {
			lerr(l, v,
			     "rules require engine version %s, this engine implements " RULES_ENGINE_VERSION,
			     s);
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

	if (intern_file(&l, name ? name : "<buffer>") < 0)
		return -ENOMEM;
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
