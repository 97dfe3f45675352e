/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Falco condition expressions: a recursive-descent compiler (not > and >
 * or, parentheses, macros expanded in place, lists flattened, constants
 * typed once) and the evaluator that runs per event. Compile errors go to
 * a struct diag, all of them, with file:line:col; evaluation never
 * allocates and never fails.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <libaudit.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "engine/cond.h"
#include "engine/cond_view.h"
#include "engine/fields.h"

enum cond_op {
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_IN,
	OP_INTERSECTS,
	OP_CONTAINS,
	OP_ICONTAINS,
	OP_BCONTAINS,
	OP_STARTSWITH,
	OP_BSTARTSWITH,
	OP_ENDSWITH,
	OP_GLOB,
	OP_IGLOB,
	OP_REGEX,
	OP_PMATCH,
	OP_EXISTS,
};

static const struct {
	const char *name;
	enum cond_op op;
} op_names[] = {
	{ "=", OP_EQ },
	{ "==", OP_EQ },
	{ "!=", OP_NE },
	{ "<", OP_LT },
	{ "<=", OP_LE },
	{ ">", OP_GT },
	{ ">=", OP_GE },
	{ "in", OP_IN },
	{ "intersects", OP_INTERSECTS },
	{ "contains", OP_CONTAINS },
	{ "icontains", OP_ICONTAINS },
	{ "bcontains", OP_BCONTAINS },
	{ "startswith", OP_STARTSWITH },
	{ "bstartswith", OP_BSTARTSWITH },
	{ "endswith", OP_ENDSWITH },
	{ "glob", OP_GLOB },
	{ "iglob", OP_IGLOB },
	{ "regex", OP_REGEX },
	{ "pmatch", OP_PMATCH },
	{ "exists", OP_EXISTS },
};

static bool op_takes_list(enum cond_op op)
{
	return op == OP_IN || op == OP_INTERSECTS || op == OP_PMATCH;
}

static bool op_relational(enum cond_op op)
{
	return op >= OP_LT && op <= OP_GE;
}

static bool op_textual(enum cond_op op)
{
	return op >= OP_CONTAINS && op <= OP_PMATCH;
}

static bool op_binary(enum cond_op op)
{
	return op == OP_BCONTAINS || op == OP_BSTARTSWITH;
}

/* Field transformers (Falco engine 0.57: tolower toupper b64 basename
 * len), applied innermost first. */
enum xform { XF_TOLOWER, XF_TOUPPER, XF_B64, XF_BASENAME, XF_LEN };

static const char *const xform_names[] = { "tolower", "toupper", "b64",
					   "basename", "len" };

/* A compiled constant: the text, and its number when it is one. */
struct cval {
	char *s;
	size_t len;
	int64_t n;
	bool has_n;
};

/* NODE_CMP compares a field as extracted with constants. NODE_XCMP is
 * any other comparison: transformers on the left, or a field (val()) on
 * the right; whoever derives facts from a tree (event types, success,
 * kernel filters) must treat it as opaque. */
enum node_kind { NODE_AND, NODE_OR, NODE_NOT, NODE_CMP, NODE_XCMP };

/* How a comparison's list is ordered for lookup. */
enum list_order { ORD_NONE, ORD_STR, ORD_NUM };

/* A field with the transformers applied to it, in order. */
struct operand {
	struct field_ref ref;
	unsigned char xf[HARRIER_MAX_XFORMS];
	unsigned int nxf;
	enum field_type type; /* after the transformers */
	bool multi; /* after the transformers */
};

/* Anything added here that changes what a node or a comparison means (a
 * transformer on the field, a modifier of the operator) must make
 * cond_view_get() below say CV_OTHER / CVO_OTHER for such nodes: the
 * kernel filter derivation (kfilter.c) trusts the view. */
struct cond_node {
	/* what evaluation reads of every node first, in one cache line */
	enum node_kind kind;
	enum cond_op op;
	/* common subexpressions (cond_memo): the node's class of equal
	 * subtrees, and whether more than one node is in it */
	unsigned int slot;
	bool shared;
	struct cond_node *a, *b; /* AND/OR: both; NOT: a */
	struct field_ref ref;
	struct cval v; /* single-value operators */
	struct cval *items;
	size_t nitems;
	enum list_order order;
	/* ORD_STR lists of HSET_MIN items or more: an open-addressing hash
	 * set of item indexes + 1 (0: empty), hmask + 1 slots */
	uint32_t *hset;
	size_t hmask;
	regex_t *re; /* OP_REGEX */
	char *re_need; /* a substring every match contains, or NULL */
	/* NODE_XCMP */
	struct operand *lhs; /* its ref is moved from ref */
	struct operand *rhs; /* val(field) or a transformed field; NULL */
};

struct cond {
	struct cond_node *root;
	struct cond_node *nodes; /* cond_pack: all nodes, root first */
	size_t nnodes;
};

/* ---- nodes ---- */

static void cval_clear(struct cval *v)
{
	free(v->s);
	v->s = NULL;
}

static void operand_free(struct operand *o)
{
	if (!o)
		return;
	field_ref_clear(&o->ref);
	free(o);
}

/* What a node owns, not the node. */
static void node_clear(struct cond_node *n)
{
	size_t i;

	field_ref_clear(&n->ref);
	cval_clear(&n->v);
	for (i = 0; i < n->nitems; i++)
		cval_clear(&n->items[i]);
	free(n->items);
	free(n->hset);
	if (n->re) {
		regfree(n->re);
		free(n->re);
	}
	free(n->re_need);
	operand_free(n->lhs);
	operand_free(n->rhs);
}

static void node_free(struct cond_node *n)
{
	if (!n)
		return;
	node_free(n->a);
	node_free(n->b);
	node_clear(n);
	free(n);
}

void cond_free(struct cond *c)
{
	size_t i;

	if (!c)
		return;
	if (c->nodes) {
		for (i = 0; i < c->nnodes; i++)
			node_clear(&c->nodes[i]);
		free(c->nodes);
	} else {
		node_free(c->root);
	}
	free(c);
}

static size_t node_count(const struct cond_node *n)
{
	return n ? 1 + node_count(n->a) + node_count(n->b) : 0;
}

/* Move the subtree n to out[*k...] in preorder; the old nodes are
 * freed, what they own moves. */
static struct cond_node *node_move(struct cond_node *n, struct cond_node *out,
				   size_t *k)
{
	struct cond_node *to = &out[(*k)++];

	*to = *n;
	free(n);
	if (to->a)
		to->a = node_move(to->a, out, k);
	if (to->b)
		to->b = node_move(to->b, out, k);
	return to;
}

/* The tree in one array, in the order evaluation walks it (a node, its
 * left subtree, its right one): an event's walk through a rule reads
 * memory in sequence instead of chasing pointers across the heap.
 * Without memory for the array the tree stays as it is. */
static void cond_pack(struct cond *c)
{
	size_t n = node_count(c->root), k = 0;
	struct cond_node *arr = n ? malloc(n * sizeof(*arr)) : NULL;

	if (!arr)
		return;
	c->root = node_move(c->root, arr, &k);
	c->nodes = arr;
	c->nnodes = n;
}

/* ---- parser state ---- */

/* Shared by a condition and the macros expanded into it. */
struct cshared {
	const struct cond_env *env;
	struct diag *d;
	unsigned int nerr;
	bool oom;
	bool abort; /* too deep: stop, report nothing more */
	const char *macros[HARRIER_MAX_COND_DEPTH + 1];
	unsigned int nmacros;
	struct cond_unsupported unsup;
};

struct parser {
	struct cshared *sh;
	const char *text;
	size_t pos;
	const struct cond_src *src;
	const char *macro; /* whose text this is; NULL: the condition's */
	unsigned int depth;
};

/* Where text[off] is in its file (file NULL: unknown). */
static void src_at(const struct cond_src *src, size_t off, const char **file,
		   unsigned int *line, unsigned int *col)
{
	const struct cond_srcseg *sg;
	size_t lo = 0, hi;

	*file = NULL;
	*line = *col = 0;
	if (!src || !src->nsegs)
		return;
	hi = src->nsegs;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (src->segs[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	sg = &src->segs[lo];
	*file = sg->file;
	*line = sg->line;
	*col = sg->col;
	if (sg->col && off > sg->off)
		*col += (unsigned int)(off - sg->off);
}

static void pmsg(struct parser *p, enum diag_level lvl, size_t off,
		 const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
static void pmsg(struct parser *p, enum diag_level lvl, size_t off,
		 const char *fmt, va_list ap)
{
	const struct cond_env *env = p->sh->env;
	char msg[512];
	const char *file;
	unsigned int line, col;

	if (p->sh->abort)
		return;
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	src_at(p->src, off, &file, &line, &col);
	if (env && env->report)
		env->report(env->ud, lvl, file, line, col, p->macro, msg);
	else if (p->macro)
		diag_add(p->sh->d, lvl, file, line, col, "%s (in macro '%s')",
			 msg, p->macro);
	else
		diag_add(p->sh->d, lvl, file, line, col, "%s", msg);
}

static void perr(struct parser *p, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void perr(struct parser *p, size_t off, const char *fmt, ...)
{
	va_list ap;

	p->sh->nerr++;
	va_start(ap, fmt);
	pmsg(p, DIAG_ERROR, off, fmt, ap);
	va_end(ap);
}

static void pwarn(struct parser *p, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void pwarn(struct parser *p, size_t off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pmsg(p, DIAG_WARNING, off, fmt, ap);
	va_end(ap);
}

/* The first construct audit data cannot support; parsing goes on, so
 * that real errors elsewhere are still found. */
static void punsup(struct parser *p, size_t off, const char *what,
		   const char *why)
{
	struct cond_unsupported *u = &p->sh->unsup;

	if (u->set)
		return;
	u->set = true;
	(void)snprintf(u->what, sizeof(u->what), "%s", what);
	(void)snprintf(u->why, sizeof(u->why), "%s", why);
	src_at(p->src, off, &u->file, &u->line, &u->col);
	(void)snprintf(u->macro, sizeof(u->macro), "%s",
		       p->macro ? p->macro : "");
}

static void *pcalloc(struct parser *p, size_t n, size_t sz)
{
	void *r = calloc(n, sz);

	if (!r)
		p->sh->oom = true;
	return r;
}

static char cur(const struct parser *p)
{
	return p->text[p->pos];
}

static void skip_ws(struct parser *p)
{
	while (isspace((unsigned char)cur(p)))
		p->pos++;
}

static bool is_delim(char c)
{
	return c == '\0' || isspace((unsigned char)c) || c == '(' || c == ')' ||
	       c == ',';
}

/* Is the keyword kw at pos, as a whole word? */
static bool at_kw_pos(const struct parser *p, size_t pos, const char *kw)
{
	size_t n = strlen(kw);

	if (strncmp(p->text + pos, kw, n) != 0)
		return false;
	if (pos > 0 && !is_delim(p->text[pos - 1]))
		return false;
	return is_delim(p->text[pos + n]);
}

static bool at_kw(const struct parser *p, const char *kw)
{
	return at_kw_pos(p, p->pos, kw);
}

static bool at_and_or(const struct parser *p)
{
	return at_kw(p, "and") || at_kw(p, "or");
}

/* Length of the token at pos, for messages. */
static int tok_len(const struct parser *p)
{
	size_t n = 0;

	if (p->text[p->pos] && is_delim(p->text[p->pos]))
		return 1;
	while (!is_delim(p->text[p->pos + n]) && n < 60)
		n++;
	return (int)n;
}

static void skip_quoted(struct parser *p)
{
	char q = cur(p);

	p->pos++;
	while (cur(p) && cur(p) != q) {
		if (cur(p) == '\\' && p->text[p->pos + 1])
			p->pos++;
		p->pos++;
	}
	if (cur(p))
		p->pos++;
}

/* Error recovery: skip to the next "and"/"or" or unmatched ')' at this
 * nesting level, or the end. */
static void skip_garbage(struct parser *p)
{
	int depth = 0;

	while (cur(p)) {
		char c = cur(p);

		if (c == '"' || c == '\'') {
			skip_quoted(p);
			continue;
		}
		if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (depth == 0)
				return;
			depth--;
		} else if (depth == 0 && at_and_or(p)) {
			return;
		}
		p->pos++;
	}
}

/* A term word: field name, macro name. Stops at delimiters, operator
 * characters and quotes; "[...]" is taken whole. */
static size_t scan_term(const struct parser *p)
{
	const char *s = p->text + p->pos;
	size_t n = 0;

	while (s[n] && !is_delim(s[n]) && !strchr("=!<>~\"'", s[n])) {
		if (s[n] == '[') {
			const char *e = strchr(s + n, ']');

			if (!e)
				break;
			n = (size_t)(e - s) + 1;
			continue;
		}
		n++;
	}
	return n;
}

/* ---- values ---- */

/* What "\c" means inside a quoted string (Falco's escapes); 0: not an
 * escape, the backslash stays as written. */
static char unescape(char c)
{
	switch (c) {
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	case '\\':
	case '/':
	case '"':
	case '\'':
		return c;
	default:
		return 0;
	}
}

/* Quoted string at pos, unescaped (see unescape). Returns an owned
 * string or NULL (error reported). */
static char *parse_quoted(struct parser *p)
{
	char q = cur(p);
	size_t start = p->pos, i, n = 0;
	char *out;

	for (i = p->pos + 1; p->text[i] && p->text[i] != q; i++)
		if (p->text[i] == '\\' && p->text[i + 1])
			i++;
	if (!p->text[i]) {
		perr(p, start, "unterminated string");
		p->pos = i;
		return NULL;
	}
	out = pcalloc(p, i - start, 1);
	if (!out) {
		p->pos = i + 1;
		return NULL;
	}
	for (i = start + 1; p->text[i] != q; i++) {
		char c = p->text[i];

		if (c == '\\' && unescape(p->text[i + 1]))
			c = unescape(p->text[++i]);
		out[n++] = c;
	}
	out[n] = '\0';
	p->pos = i + 1;
	return out;
}

/* A bare word value: up to whitespace, ')' or ','. */
static char *parse_bare(struct parser *p)
{
	size_t start = p->pos;
	char *s;

	while (cur(p) && !isspace((unsigned char)cur(p)) && cur(p) != ')' &&
	       cur(p) != ',')
		p->pos++;
	s = strndup(p->text + start, p->pos - start);
	if (!s)
		p->sh->oom = true;
	return s;
}

struct items {
	struct cval *v;
	size_t n, cap;
};

static bool items_add(struct parser *p, struct items *it, const char *s,
		      size_t off)
{
	if (it->n >= HARRIER_MAX_LIST_ITEMS) {
		if (it->n == HARRIER_MAX_LIST_ITEMS) {
			perr(p, off, "list has more than %d items",
			     HARRIER_MAX_LIST_ITEMS);
			it->n++; /* report once */
		}
		return false;
	}
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 8;
		struct cval *nv = realloc(it->v, cap * sizeof(*nv));

		if (!nv) {
			p->sh->oom = true;
			return false;
		}
		it->v = nv;
		it->cap = cap;
	}
	memset(&it->v[it->n], 0, sizeof(it->v[0]));
	it->v[it->n].s = strdup(s);
	if (!it->v[it->n].s) {
		p->sh->oom = true;
		return false;
	}
	it->v[it->n].len = strlen(s);
	it->n++;
	return true;
}

static void items_free(struct items *it)
{
	size_t i;

	for (i = 0; i < it->n && i < it->cap; i++)
		cval_clear(&it->v[i]);
	free(it->v);
	memset(it, 0, sizeof(*it));
}

/* A YAML list item goes into the condition as Falco puts it: an item
 * written quoted ('"(systemd)"') is a quoted string of the condition
 * language, unescaped; any other item is taken as it is (Falco quotes
 * those with blanks). */
static bool list_item_add(struct parser *p, struct items *it, const char *s,
			  size_t off)
{
	size_t n = strlen(s), i, k = 0;
	char *u;
	bool ok;

	if (n < 2 || (s[0] != '"' && s[0] != '\'') || s[n - 1] != s[0])
		return items_add(p, it, s, off);
	u = malloc(n);
	if (!u) {
		p->sh->oom = true;
		return false;
	}
	for (i = 1; i + 1 < n; i++) {
		char c = s[i];

		if (c == '\\' && i + 2 < n && unescape(s[i + 1]))
			c = unescape(s[++i]);
		u[k++] = c;
	}
	u[k] = '\0';
	ok = items_add(p, it, u, off);
	free(u);
	return ok;
}

static const char *const *env_list(struct parser *p, const char *name,
				   size_t *n)
{
	const struct cond_env *env = p->sh->env;

	if (!env || !env->list)
		return NULL;
	return env->list(env->ud, name, n);
}

/* Append the items of list name, expanding items that are themselves
 * lists (Falco lists may name other lists). */
static void expand_list(struct parser *p, struct items *it, const char *name,
			const char *const *items, size_t n, size_t off,
			const char **stack, unsigned int depth)
{
	size_t i, sn;
	unsigned int j;
	const char *const *sub;

	if (depth >= HARRIER_MAX_COND_DEPTH) {
		perr(p, off, "lists nested too deeply at '%s'", name);
		return;
	}
	stack[depth] = name;
	for (i = 0; i < n; i++) {
		if (!items[i])
			continue;
		sub = env_list(p, items[i], &sn);
		for (j = 0; sub && j <= depth; j++)
			if (strcmp(stack[j], items[i]) == 0)
				sub = NULL; /* a cycle: keep it literal */
		if (sub)
			expand_list(p, it, items[i], sub, sn, off, stack,
				    depth + 1);
		else if (!list_item_add(p, it, items[i], off))
			return;
	}
}

static void add_bare_item(struct parser *p, struct items *it, const char *s,
			  size_t off)
{
	const char *stack[HARRIER_MAX_COND_DEPTH];
	const char *const *l;
	size_t n;

	l = env_list(p, s, &n);
	if (l)
		expand_list(p, it, s, l, n, off, stack, 0);
	else
		(void)items_add(p, it, s, off);
}

/* "(a, 'b c', list_name)" at pos. Returns false on a syntax error
 * (reported; pos past the list or at the end). */
static bool parse_list(struct parser *p, struct items *it)
{
	size_t open = p->pos, off;
	char *s;
	bool ok = true;

	p->pos++;
	skip_ws(p);
	if (cur(p) == ')') {
		p->pos++;
		return true;
	}
	for (;;) {
		skip_ws(p);
		off = p->pos;
		if (cur(p) == '"' || cur(p) == '\'') {
			s = parse_quoted(p);
			if (s)
				(void)items_add(p, it, s, off);
			else
				ok = false;
			free(s);
		} else if (cur(p) == '\0') {
			perr(p, open, "unbalanced parentheses: missing ')'");
			return false;
		} else if (cur(p) == ',' || cur(p) == ')' || cur(p) == '(') {
			perr(p, off, "missing value in list");
			ok = false;
			if (cur(p) == '(')
				p->pos++;
		} else {
			s = parse_bare(p);
			if (s)
				add_bare_item(p, it, s, off);
			free(s);
		}
		skip_ws(p);
		if (cur(p) == ',') {
			p->pos++;
			continue;
		}
		if (cur(p) == ')') {
			p->pos++;
			return ok;
		}
		if (cur(p) == '\0') {
			perr(p, open, "unbalanced parentheses: missing ')'");
			return false;
		}
		perr(p, p->pos, "expected ',' or ')' in list, found '%.*s'",
		     tok_len(p), p->text + p->pos);
		while (cur(p) && cur(p) != ')')
			p->pos++;
		if (cur(p))
			p->pos++;
		return false;
	}
}

/* Numbers: decimal or 0x hex, optionally negative. */
static int parse_number(const char *s, int64_t *ret)
{
	const char *h = s[0] == '-' ? s + 1 : s;

	if (h[0] == '0' && (h[1] == 'x' || h[1] == 'X'))
		return parse_i64(s, 16, ret);
	return parse_i64(s, 10, ret);
}

static const char *type_name(enum field_type t)
{
	switch (t) {
	case FIELD_NUMBER:
		return "a number";
	case FIELD_BOOL:
		return "a bool";
	default:
		return "a string";
	}
}

/* Type a constant for what it is compared with (type, named name). */
static bool cval_type(struct parser *p, enum field_type type, const char *name,
		      struct cval *v, size_t off)
{
	switch (type) {
	case FIELD_NUMBER:
		if (parse_number(v->s, &v->n) != 0) {
			perr(p, off, "bad number '%s' for field '%s'", v->s,
			     name);
			return false;
		}
		v->has_n = true;
		return true;
	case FIELD_BOOL:
		if (strcmp(v->s, "true") == 0) {
			v->n = 1;
		} else if (strcmp(v->s, "false") == 0) {
			v->n = 0;
		} else {
			perr(p, off,
			     "bad boolean '%s' for field '%s' (true or false)",
			     v->s, name);
			return false;
		}
		v->has_n = true;
		return true;
	case FIELD_DYNAMIC:
		v->has_n = parse_number(v->s, &v->n) == 0;
		return true;
	default:
		return true;
	}
}

static int cval_cmp_str(const void *a, const void *b)
{
	return strcmp(((const struct cval *)a)->s, ((const struct cval *)b)->s);
}

static int cval_cmp_num(const void *a, const void *b)
{
	int64_t x = ((const struct cval *)a)->n,
		y = ((const struct cval *)b)->n;

	return x < y ? -1 : x > y;
}

/* pmatch prefixes: without trailing '/', except "/" itself. */
static void pmatch_normalise(struct cval *v)
{
	while (v->len > 1 && v->s[v->len - 1] == '/')
		v->s[--v->len] = '\0';
}

/* ---- hash sets of list items ---- */

/* Lists shorter than this are searched by bisection. */
#define HSET_MIN 8

static uint64_t str_hash(const char *s, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;

	while (len >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		s += 8;
		len -= 8;
	}
	w = 0;
	memcpy(&w, s, len);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

/* Index of the item equal to s[0..len) in n's hash set, or -1. */
static long hset_find(const struct cond_node *n, const char *s, size_t len)
{
	size_t i = (size_t)str_hash(s, len) & n->hmask;
	uint32_t k;

	while ((k = n->hset[i]) != 0) {
		const struct cval *it = &n->items[k - 1];

		if (it->len == len && memcmp(it->s, s, len) == 0)
			return (long)(k - 1);
		i = (i + 1) & n->hmask;
	}
	return -1;
}

/* The hash set of a long ORD_STR list (items already final); equal
 * items are entered once. False when out of memory. */
static bool hset_build(struct cond_node *n)
{
	size_t cap = 16, i;

	if (n->nitems < HSET_MIN || n->nitems > UINT32_MAX / 4)
		return true;
	while (cap < n->nitems * 2)
		cap *= 2;
	n->hset = calloc(cap, sizeof(*n->hset));
	if (!n->hset)
		return false;
	n->hmask = cap - 1;
	for (i = 0; i < n->nitems; i++) {
		const struct cval *it = &n->items[i];
		size_t j;

		if (hset_find(n, it->s, it->len) >= 0)
			continue;
		j = (size_t)str_hash(it->s, it->len) & n->hmask;
		while (n->hset[j])
			j = (j + 1) & n->hmask;
		n->hset[j] = (uint32_t)(i + 1);
	}
	return true;
}

/* ---- expressions ---- */

static bool is_syscall_name(const char *s);

static struct cond_node *parse_or(struct parser *p);
static struct cond_node *parse_text(struct parser *parent, const char *text,
				    const struct cond_src *src,
				    const char *macro);

static struct cond_node *mk2(struct parser *p, enum node_kind k,
			     struct cond_node *a, struct cond_node *b)
{
	struct cond_node *n;

	if (!a || (k != NODE_NOT && !b)) {
		node_free(a);
		node_free(b);
		return NULL;
	}
	n = pcalloc(p, 1, sizeof(*n));
	if (!n) {
		node_free(a);
		node_free(b);
		return NULL;
	}
	n->kind = k;
	n->a = a;
	n->b = b;
	return n;
}

static bool enter(struct parser *p, size_t off)
{
	if (p->depth + 1 > HARRIER_MAX_COND_DEPTH) {
		perr(p, off,
		     "condition nested too deeply (more than %d levels)",
		     HARRIER_MAX_COND_DEPTH);
		p->sh->abort = true;
		p->pos = strlen(p->text);
		return false;
	}
	p->depth++;
	return true;
}

/* Operator at pos, or -1 (nothing consumed, *len = its length). */
static int scan_op(const struct parser *p, size_t *len)
{
	const char *s = p->text + p->pos;
	size_t n = 0, i;

	if (s[0] && strchr("=!<>~", s[0])) {
		/* Longest known operator first, so that "evt.dir=<" is '='
		 * and the value '<'; any other run is one unknown operator. */
		if (s[1] == '=' && strchr("=!<>", s[0]))
			n = 2;
		else if (strchr("=<>", s[0]) && !(s[1] && strchr("=!~", s[1])))
			n = 1;
		else
			while (s[n] && strchr("=!<>~", s[n]))
				n++;
	} else {
		while (isalpha((unsigned char)s[n]) || s[n] == '_')
			n++;
		if (n && !is_delim(s[n]) && s[n] != '"' && s[n] != '\'')
			return -1;
	}
	*len = n;
	for (i = 0; n && i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (strlen(op_names[i].name) == n &&
		    memcmp(op_names[i].name, s, n) == 0)
			return (int)op_names[i].op;
	return -1;
}

/* A transformer name followed by '(' at pos: its index, else -1. */
static int scan_xform(const struct parser *p)
{
	const char *s = p->text + p->pos;
	size_t i, n;

	for (i = 0; i < sizeof(xform_names) / sizeof(xform_names[0]); i++) {
		n = strlen(xform_names[i]);
		if (strncmp(s, xform_names[i], n) == 0 && s[n] == '(' &&
		    (p->pos == 0 || is_delim(p->text[p->pos - 1]) ||
		     strchr("=!<>", p->text[p->pos - 1])))
			return (int)i;
	}
	return -1;
}

static bool at_val(const struct parser *p)
{
	return strncmp(p->text + p->pos, "val(", 4) == 0;
}

/* A field name at pos into *ref: false when unknown (reported). */
static bool parse_field_name(struct parser *p, struct field_ref *ref)
{
	size_t start = p->pos, wlen = scan_term(p);
	const char *why;
	char what[160];

	if (!wlen) {
		perr(p, start, "expected a field, found '%.*s'",
		     cur(p) ? tok_len(p) : 3, cur(p) ? p->text + start : "end");
		return false;
	}
	p->pos += wlen;
	switch (field_ref_parse(p->text + start, wlen, ref)) {
	case 0:
		break;
	case -ENOMEM:
		p->sh->oom = true;
		return false;
	default:
		perr(p, start, "unknown field '%.*s'", (int)wlen,
		     p->text + start);
		return false;
	}
	why = field_ref_unavailable(ref);
	if (why) {
		(void)snprintf(what, sizeof(what), "field '%s'", ref->name);
		punsup(p, start, what, why);
	}
	return true;
}

/* "tolower(" ... ")" and friends around a field, or (rhs) "val(field)".
 * Fills *o; false on error (reported). */
static bool parse_xoperand(struct parser *p, struct operand *o, bool rhs)
{
	size_t start, open;
	int x;

	skip_ws(p);
	start = p->pos;
	x = scan_xform(p);
	if (x < 0 && rhs && at_val(p)) {
		p->pos += 4;
		skip_ws(p);
		if (!parse_field_name(p, &o->ref))
			return false;
		o->type = o->ref.type;
		o->multi = o->ref.multi;
		skip_ws(p);
		if (cur(p) != ')') {
			perr(p, start, "missing ')' after 'val('");
			return false;
		}
		p->pos++;
		return true;
	}
	if (x < 0) {
		if (!parse_field_name(p, &o->ref))
			return false;
		o->type = o->ref.type;
		o->multi = o->ref.multi;
		return true;
	}
	open = p->pos;
	p->pos += strlen(xform_names[x]) + 1;
	if (!enter(p, open))
		return false;
	if (!parse_xoperand(p, o, false)) {
		/* recover past this transformer's ')' */
		while (cur(p) && cur(p) != ')')
			p->pos++;
		if (cur(p))
			p->pos++;
		p->depth--;
		return false;
	}
	p->depth--;
	skip_ws(p);
	if (cur(p) != ')') {
		perr(p, open, "missing ')' after '%s('", xform_names[x]);
		return false;
	}
	p->pos++;
	if (o->nxf == HARRIER_MAX_XFORMS) {
		perr(p, start, "more than %d transformers on one field",
		     HARRIER_MAX_XFORMS);
		return false;
	}
	if (x == XF_LEN) {
		if (o->type != FIELD_STRING && !o->multi) {
			perr(p, start,
			     "transformer 'len' needs a string or a list; '%s' is %s",
			     o->ref.name, type_name(o->type));
			return false;
		}
		o->type = FIELD_NUMBER;
		o->multi = false;
	} else if (o->type != FIELD_STRING) {
		perr(p, start,
		     "transformer '%s' needs a string; '%s' is %s here",
		     xform_names[x], o->ref.name, type_name(o->type));
		return false;
	}
	o->xf[o->nxf++] = (unsigned char)x;
	return true;
}

/* Operator/type agreement for a left side of type t named name. */
static bool check_op(struct parser *p, enum cond_op op, enum field_type t,
		     const char *name, size_t op_off, int op_len)
{
	const char *need = NULL;

	switch (t) {
	case FIELD_STRING:
		if (op_relational(op))
			need = "a number";
		break;
	case FIELD_NUMBER:
		if (op_textual(op))
			need = "a string";
		break;
	case FIELD_BOOL:
		if (op_relational(op) || op_textual(op))
			need = op_textual(op) ? "a string" : "a number";
		break;
	default:
		break;
	}
	if (!need)
		return true;
	perr(p, op_off, "operator '%.*s' needs %s field; '%s' is %s", op_len,
	     p->text + op_off, need, name, type_name(t));
	return false;
}

/* Falco's hex strings for bcontains/bstartswith: pairs of hex digits,
 * decoded in place into v. */
static bool cval_unhex(struct cval *v)
{
	size_t i;

	if (!v->len || v->len % 2)
		return false;
	for (i = 0; i < v->len; i++)
		if (!isxdigit((unsigned char)v->s[i]))
			return false;
	for (i = 0; i < v->len / 2; i++) {
		char h[3] = { v->s[2 * i], v->s[2 * i + 1], '\0' };

		v->s[i] = (char)strtoul(h, NULL, 16);
	}
	v->len /= 2;
	v->s[v->len] = '\0';
	return true;
}

/* The longest run of plain characters that every match of the ERE pat
 * must contain (outside groups, brackets, alternatives, quantified
 * characters), so that evaluation can reject most values with strstr
 * before running glibc's matcher. NULL when there is none. */
static char *regex_needed(const char *pat)
{
	size_t best = 0, bstart = 0, start = 0, len = 0, i;
	char *out;
	int depth = 0;

#define END_RUN()                               \
	do {                                    \
		if (len > best) {               \
			best = len;             \
			bstart = start;         \
		}                               \
		len = 0;                        \
	} while (0)

	for (i = 0; pat[i]; i++) {
		char c = pat[i];

		if (c == '[') {
			END_RUN();
			i++;
			if (pat[i] == '^')
				i++;
			if (pat[i] == ']')
				i++;
			while (pat[i] && pat[i] != ']')
				i++;
			if (!pat[i])
				return NULL;
		} else if (c == '(') {
			END_RUN();
			depth++;
		} else if (c == ')') {
			END_RUN();
			depth--;
		} else if (c == '|') {
			if (depth == 0)
				return NULL; /* a top-level alternative */
			END_RUN();
		} else if (c == '*' || c == '?' || c == '{') {
			/* the character before is optional */
			if (len)
				len--;
			END_RUN();
			if (c == '{')
				while (pat[i] && pat[i] != '}')
					i++;
			if (!pat[i])
				return NULL;
		} else if (c == '+' || c == '.' || c == '^' || c == '$' ||
			   c == '\\' || depth > 0) {
			/* '+': the character before stays; an escape may
			 * be a class (\\w): end the run either way */
			END_RUN();
			if (c == '\\' && pat[i + 1])
				i++;
		} else {
			if (!len)
				start = i;
			len++;
		}
	}
	END_RUN();
#undef END_RUN
	if (best < 2)
		return NULL;
	out = strndup(pat + bstart, best);
	return out;
}

/* What RE2 (Falco's) refuses and glibc would compile into an automaton
 * of unbounded size: a repetition of a repetition ("a++", "a*{2}"), and
 * counted repetitions whose product exceeds HARRIER_MAX_REGEX_REPEAT. */
static bool regex_bounded(const char *pat, char *err, size_t errlen)
{
	unsigned long product = 1;
	bool after_rep = false;
	size_t i;

	for (i = 0; pat[i]; i++) {
		char c = pat[i];

		if (c == '\\') {
			if (pat[i + 1])
				i++;
			after_rep = false;
		} else if (c == '[') {
			i++;
			if (pat[i] == '^')
				i++;
			if (pat[i] == ']')
				i++;
			while (pat[i] && pat[i] != ']')
				i++;
			if (!pat[i])
				break; /* regcomp reports it */
			after_rep = false;
		} else if (c == '*' || c == '+' || c == '?' || c == '{') {
			if (after_rep) {
				(void)snprintf(err, errlen,
					       "bad repetition operator '%c' "
					       "after a repetition",
					       c);
				return false;
			}
			if (c == '{') {
				unsigned long lo = 0, hi = 0;
				char *end;

				lo = strtoul(pat + i + 1, &end, 10);
				hi = lo;
				if (*end == ',')
					hi = end[1] == '}'
						     ? lo
						     : strtoul(end + 1, &end,
							       10);
				if (hi < lo)
					hi = lo;
				product *= hi ? hi : 1;
				if (hi > HARRIER_MAX_REGEX_REPEAT ||
				    product > HARRIER_MAX_REGEX_REPEAT) {
					(void)snprintf(
						err, errlen,
						"counted repetitions above %d",
						HARRIER_MAX_REGEX_REPEAT);
					return false;
				}
				while (pat[i] && pat[i] != '}')
					i++;
				if (!pat[i])
					break;
			}
			after_rep = true;
		} else {
			after_rep = false;
		}
	}
	return true;
}

/* POSIX extended syntax (Falco: RE2 in POSIX mode), matching the whole
 * value. Back-references are refused: RE2 has none, and they make
 * glibc's matcher exponential on hostile input. */
static bool regex_compile(struct parser *p, struct cond_node *n, size_t off)
{
	char err[128], *pat;
	size_t i;
	int r;

	if (n->v.len > HARRIER_MAX_REGEX_LEN) {
		perr(p, off, "regex longer than %d bytes", HARRIER_MAX_REGEX_LEN);
		return false;
	}
	for (i = 0; i + 1 < n->v.len; i++) {
		if (n->v.s[i] != '\\')
			continue;
		if (n->v.s[i + 1] >= '1' && n->v.s[i + 1] <= '9') {
			perr(p, off,
			     "regex back-references (\\%c) are not supported",
			     n->v.s[i + 1]);
			return false;
		}
		i++;
	}
	if (!regex_bounded(n->v.s, err, sizeof(err))) {
		perr(p, off, "bad regex '%s': %s", n->v.s, err);
		return false;
	}
	pat = malloc(n->v.len + 5);
	n->re = calloc(1, sizeof(*n->re));
	if (!pat || !n->re) {
		free(pat);
		free(n->re);
		n->re = NULL;
		p->sh->oom = true;
		return false;
	}
	(void)snprintf(pat, n->v.len + 5, "^(%s)$", n->v.s);
	r = regcomp(n->re, pat, REG_EXTENDED | REG_NOSUB);
	free(pat);
	if (r == 0)
		n->re_need = regex_needed(n->v.s);
	if (r != 0) {
		(void)regerror(r, n->re, err, sizeof(err));
		free(n->re);
		n->re = NULL;
		perr(p, off, "bad regex '%s': %s", n->v.s, err);
		return false;
	}
	return true;
}

/* What a comparison's left side is. */
static enum field_type node_type(const struct cond_node *n)
{
	return n->lhs ? n->lhs->type : n->ref.type;
}

static const char *node_field(const struct cond_node *n)
{
	return n->lhs ? n->lhs->ref.name : n->ref.name;
}

static bool is_numeric(enum field_type t)
{
	return t == FIELD_NUMBER || t == FIELD_BOOL;
}

/* A field on the right: val(f) or a transformed field. */
static bool parse_rhs_field(struct parser *p, struct cond_node *n,
			    bool field_ok, size_t op_off, int op_len)
{
	size_t off = p->pos;
	struct operand *o = pcalloc(p, 1, sizeof(*o));

	if (!o)
		return false;
	if (!parse_xoperand(p, o, true)) {
		operand_free(o);
		return false;
	}
	n->rhs = o;
	if (!field_ok)
		return false;
	if (n->op == OP_PMATCH || n->op == OP_REGEX || op_binary(n->op)) {
		perr(p, off, "operator '%.*s' takes no field on its right",
		     op_len, p->text + op_off);
		return false;
	}
	if ((op_textual(n->op) && o->type != FIELD_STRING) ||
	    (is_numeric(node_type(n)) != is_numeric(o->type) &&
	     node_type(n) != FIELD_DYNAMIC && o->type != FIELD_DYNAMIC)) {
		perr(p, off, "cannot compare '%s' (%s) with '%s' (%s)",
		     node_field(n), type_name(node_type(n)), o->ref.name,
		     type_name(o->type));
		return false;
	}
	return true;
}

/* The value(s) after an operator; the node gets them. */
static bool parse_operand(struct parser *p, struct cond_node *n, bool field_ok,
			  size_t op_off, int op_len)
{
	struct items it = { NULL, 0, 0 };
	enum field_type t = node_type(n);
	const char *fname = node_field(n);
	size_t off, i;
	bool ok = true;
	char *s;

	skip_ws(p);
	off = p->pos;
	if (!cur(p) || cur(p) == ')' || cur(p) == ',' || at_and_or(p)) {
		perr(p, op_off, "missing value after '%.*s'", op_len,
		     p->text + op_off);
		return false;
	}
	if (at_val(p) || scan_xform(p) >= 0)
		return parse_rhs_field(p, n, field_ok, op_off, op_len);
	if (op_takes_list(n->op)) {
		if (cur(p) == '(') {
			ok = parse_list(p, &it);
		} else if (cur(p) == '"' || cur(p) == '\'') {
			perr(p, off,
			     "operator '%.*s' needs a list: '(...)' "
			     "or a list name",
			     op_len, p->text + op_off);
			free(parse_quoted(p));
			return false;
		} else {
			const char *stack[HARRIER_MAX_COND_DEPTH];
			const char *const *l;
			size_t ln;

			s = parse_bare(p);
			if (!s)
				return false;
			l = env_list(p, s, &ln);
			if (l) {
				expand_list(p, &it, s, l, ln, off, stack, 0);
			} else {
				perr(p, off, "undefined list '%s'", s);
				ok = false;
			}
			free(s);
		}
		if (!ok || !field_ok || p->sh->oom) {
			items_free(&it);
			return false;
		}
		for (i = 0; i < it.n; i++)
			if (!cval_type(p, t, fname, &it.v[i], off))
				ok = false;
		if (!ok) {
			items_free(&it);
			return false;
		}
		n->items = it.v;
		n->nitems = it.n;
		if (n->op == OP_PMATCH) {
			for (i = 0; i < it.n; i++)
				pmatch_normalise(&it.v[i]);
			n->order = ORD_STR;
		} else if (t == FIELD_STRING) {
			n->order = ORD_STR;
		} else if (t == FIELD_NUMBER) {
			n->order = ORD_NUM;
		}
		if (n->order == ORD_STR && it.n > 1)
			qsort(it.v, it.n, sizeof(it.v[0]), cval_cmp_str);
		else if (n->order == ORD_NUM && it.n > 1)
			qsort(it.v, it.n, sizeof(it.v[0]), cval_cmp_num);
		if (n->order == ORD_STR && !hset_build(n)) {
			p->sh->oom = true;
			return false;
		}
		return true;
	}
	if (cur(p) == '(') {
		perr(p, off, "operator '%.*s' takes one value, not a list",
		     op_len, p->text + op_off);
		(void)parse_list(p, &it);
		items_free(&it);
		return false;
	}
	if (cur(p) == '"' || cur(p) == '\'')
		s = parse_quoted(p);
	else
		s = parse_bare(p);
	if (!s)
		return false;
	n->v.s = s;
	n->v.len = strlen(s);
	if (!field_ok)
		return false;
	if (!cval_type(p, t, fname, &n->v, off))
		return false;
	if (op_binary(n->op) && !cval_unhex(&n->v)) {
		perr(p, off,
		     "operator '%.*s' takes hex digits (e.g. cafebabe), not '%s'",
		     op_len, p->text + op_off, n->v.s);
		return false;
	}
	if (n->op == OP_REGEX && !regex_compile(p, n, off))
		return false;
	if (n->op == OP_ICONTAINS)
		for (i = 0; i < n->v.len; i++)
			n->v.s[i] = (char)tolower((unsigned char)n->v.s[i]);
	return true;
}

bool cond_event_type_known(const char *s)
{
	return is_syscall_name(s) || audit_name_to_msg_type(s) >= 0;
}

static bool is_syscall_name(const char *s)
{
	static const int machines[] = { MACH_86_64, MACH_X86, MACH_AARCH64,
					MACH_ARM, MACH_PPC64, MACH_PPC64LE,
					MACH_PPC, MACH_S390X, MACH_S390 };
	size_t i;

	for (i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
		if (audit_name_to_syscall(s, machines[i]) >= 0)
			return true;
	return false;
}

/* Comparisons that can never hold on audit data: warned, not refused
 * (Falco's files carry such checks for other event sources). */
static void check_never_true(struct parser *p, const struct cond_node *n,
			     size_t off)
{
	size_t i;
	bool lt = false;

	if (n->kind != NODE_CMP || n->rhs)
		return;
	if (strcmp(n->ref.name, "evt.dir") == 0) {
		if (n->op == OP_EQ || n->op == OP_NE)
			lt = strcmp(n->v.s, "<") == 0;
		else if (n->op == OP_IN)
			for (i = 0; i < n->nitems; i++)
				lt = lt || strcmp(n->items[i].s, "<") == 0;
		else
			return;
		if (lt == (n->op == OP_NE))
			pwarn(p, off,
			      "evt.dir is always '<' on audit data (syscalls are logged at exit): this comparison is never true");
		return;
	}
	if (!n->ref.is_evt_type || strcmp(n->ref.name, "evt.type") != 0)
		return;
	if (n->op == OP_EQ && !cond_event_type_known(n->v.s))
		pwarn(p, off,
		      "evt.type '%s' is no syscall and no audit event type: it never matches",
		      n->v.s);
	if (n->op != OP_IN && n->op != OP_INTERSECTS)
		return;
	for (i = 0; i < n->nitems; i++)
		if (!cond_event_type_known(n->items[i].s))
			pwarn(p, off,
			      "evt.type '%s' is no syscall and no audit event type: it never matches",
			      n->items[i].s);
}

/* Show the field the constants it is compared with (fields.h). */
static void note_constants(struct parser *p, const struct cond_node *n)
{
	const struct field_ref *r = n->lhs ? &n->lhs->ref : &n->ref;
	size_t i;
	int e = 0;

	if (n->v.s)
		e = field_ref_note_constant(r, n->v.s);
	for (i = 0; e == 0 && i < n->nitems; i++)
		e = field_ref_note_constant(r, n->items[i].s);
	if (e < 0)
		p->sh->oom = true;
}

static struct cond_node *parse_macro(struct parser *p, const char *name,
				     size_t off)
{
	const struct cond_env *env = p->sh->env;
	const struct cond_src *msrc = NULL;
	const char *text;
	unsigned int i;
	struct cond_node *n;
	size_t ln;

	text = env && env->macro ? env->macro(env->ud, name, &msrc) : NULL;
	if (!text) {
		if (env_list(p, name, &ln))
			perr(p, off, "list '%s' used as a condition", name);
		else if (field_known(name))
			perr(p, off, "missing operator after field '%s'", name);
		else
			perr(p, off, "undefined macro or list '%s'", name);
		return NULL;
	}
	for (i = 0; i < p->sh->nmacros; i++) {
		if (strcmp(p->sh->macros[i], name) == 0) {
			char chain[512];
			size_t cl = 0;
			unsigned int j;

			chain[0] = '\0';
			for (j = i; j < p->sh->nmacros; j++) {
				int w = snprintf(chain + cl, sizeof(chain) - cl,
						 "%s -> ", p->sh->macros[j]);

				if (w < 0 || (size_t)w >= sizeof(chain) - cl)
					break;
				cl += (size_t)w;
			}
			perr(p, off, "macro cycle: %s%s", chain, name);
			return NULL;
		}
	}
	if (!enter(p, off))
		return NULL;
	p->sh->macros[p->sh->nmacros++] = name;
	n = parse_text(p, text, msrc, name);
	p->sh->nmacros--;
	p->depth--;
	return n;
}

/* field op value | xform(field) op value | field exists | macro */
static struct cond_node *parse_term(struct parser *p)
{
	size_t start = p->pos, wlen = 0, op_off, op_len = 0;
	struct cond_node *n;
	struct operand *lhs = NULL;
	char *name;
	int op;
	bool field_ok = false;

	if (scan_xform(p) >= 0) {
		lhs = pcalloc(p, 1, sizeof(*lhs));
		if (!lhs)
			return NULL;
		field_ok = parse_xoperand(p, lhs, false);
		if (!field_ok && !lhs->ref.def) {
			operand_free(lhs);
			skip_garbage(p);
			return NULL;
		}
		skip_ws(p);
		op_off = p->pos;
	} else {
		wlen = scan_term(p);
		if (!wlen) {
			perr(p, start, "unexpected '%.*s'", tok_len(p),
			     p->text + start);
			p->pos++;
			skip_garbage(p);
			return NULL;
		}
		p->pos += wlen;
		skip_ws(p);
		op_off = p->pos;
		if (!cur(p) || cur(p) == ')' || at_and_or(p)) {
			/* A bare identifier: a macro. */
			name = strndup(p->text + start, wlen);
			if (!name) {
				p->sh->oom = true;
				return NULL;
			}
			n = parse_macro(p, name, start);
			free(name);
			return n;
		}
	}
	op = scan_op(p, &op_len);
	if (op < 0) {
		if (!lhs) {
			name = strndup(p->text + start, wlen);
			if (!name) {
				p->sh->oom = true;
				return NULL;
			}
			if (!memchr(name, '.', wlen) && !field_known(name)) {
				/* "macro garbage": the caller reports the
				 * garbage. */
				n = parse_macro(p, name, start);
				free(name);
				return n;
			}
			free(name);
		}
		operand_free(lhs);
		perr(p, op_off, "unknown operator '%.*s'",
		     op_len ? (int)op_len : tok_len(p), p->text + op_off);
		skip_garbage(p);
		return NULL;
	}
	p->pos += op_len;
	n = pcalloc(p, 1, sizeof(*n));
	if (!n) {
		operand_free(lhs);
		return NULL;
	}
	n->kind = lhs ? NODE_XCMP : NODE_CMP;
	n->op = (enum cond_op)op;
	n->lhs = lhs;
	if (!lhs) {
		p->pos = start;
		field_ok = parse_field_name(p, &n->ref);
		p->pos = op_off + op_len;
	}
	if (field_ok)
		field_ok = check_op(p, n->op, node_type(n), node_field(n),
				    op_off, (int)op_len);
	if (n->op == OP_EXISTS) {
		if (field_ok)
			return n;
	} else if (parse_operand(p, n, field_ok, op_off, (int)op_len) &&
		   field_ok) {
		if (n->rhs)
			n->kind = NODE_XCMP;
		if (n->kind == NODE_XCMP && !n->lhs) {
			/* the left side moves into an operand */
			n->lhs = pcalloc(p, 1, sizeof(*n->lhs));
			if (!n->lhs) {
				node_free(n);
				return NULL;
			}
			n->lhs->ref = n->ref;
			n->lhs->type = n->ref.type;
			n->lhs->multi = n->ref.multi;
			memset(&n->ref, 0, sizeof(n->ref));
		}
		check_never_true(p, n, start);
		note_constants(p, n);
		return n;
	}
	node_free(n);
	return NULL;
}

static struct cond_node *parse_not(struct parser *p);

static struct cond_node *parse_primary(struct parser *p)
{
	size_t open;
	struct cond_node *n;

	skip_ws(p);
	if (cur(p) == '(') {
		open = p->pos;
		if (!enter(p, open))
			return NULL;
		p->pos++;
		n = parse_or(p);
		skip_ws(p);
		if (cur(p) == ')') {
			p->pos++;
		} else if (!p->sh->abort) {
			perr(p, open, "unbalanced parentheses: missing ')'");
			node_free(n);
			n = NULL;
		}
		p->depth--;
		return n;
	}
	if (!cur(p) || cur(p) == ')' || at_and_or(p)) {
		if (!p->text[strspn(p->text, " \t\r\n")])
			perr(p, 0, "empty condition");
		else
			perr(p, p->pos, "expected a condition, found '%.*s'",
			     cur(p) ? tok_len(p) : 3,
			     cur(p) ? p->text + p->pos : "end");
		return NULL;
	}
	return parse_term(p);
}

static struct cond_node *parse_not(struct parser *p)
{
	struct cond_node *n;
	size_t off;

	skip_ws(p);
	if (!at_kw(p, "not"))
		return parse_primary(p);
	off = p->pos;
	p->pos += 3;
	if (!enter(p, off))
		return NULL;
	n = parse_not(p);
	p->depth--;
	return mk2(p, NODE_NOT, n, NULL);
}

static struct cond_node *parse_and(struct parser *p)
{
	struct cond_node *n = parse_not(p);

	for (;;) {
		skip_ws(p);
		if (at_kw(p, "and")) {
			p->pos += 3;
			n = mk2(p, NODE_AND, n, parse_not(p));
			continue;
		}
		if (!cur(p) || cur(p) == ')' || at_kw(p, "or"))
			return n;
		perr(p, p->pos, "unexpected '%.*s'", tok_len(p),
		     p->text + p->pos);
		skip_garbage(p);
		node_free(n);
		n = NULL;
	}
}

static struct cond_node *parse_or(struct parser *p)
{
	struct cond_node *n = parse_and(p);

	for (;;) {
		skip_ws(p);
		if (!at_kw(p, "or"))
			return n;
		p->pos += 2;
		n = mk2(p, NODE_OR, n, parse_and(p));
	}
}

/* A whole text: a condition or a macro's. */
static struct cond_node *parse_all(struct parser *p)
{
	struct cond_node *n = NULL, *m;
	bool first = true;

	for (;;) {
		m = parse_or(p);
		if (first)
			n = m;
		else
			node_free(m);
		first = false;
		skip_ws(p);
		if (!cur(p))
			return n;
		/* Only an unmatched ')' stops parse_or at the top. */
		perr(p, p->pos, "unbalanced parentheses: unexpected ')'");
		node_free(n);
		n = NULL;
		p->pos++;
		skip_ws(p);
		if (at_kw(p, "and"))
			p->pos += 3;
		else if (at_kw(p, "or"))
			p->pos += 2;
		if (!cur(p))
			return NULL;
	}
}

static struct cond_node *parse_text(struct parser *parent, const char *text,
				    const struct cond_src *src,
				    const char *macro)
{
	struct parser p = {
		.sh = parent->sh,
		.text = text,
		.pos = 0,
		.src = src,
		.macro = macro,
		.depth = parent->depth,
	};

	return parse_all(&p);
}

struct cond *cond_compile(const char *text, const struct cond_src *src,
			  const struct cond_env *env, struct diag *d,
			  struct cond_unsupported *ret_unsup)
{
	struct cshared sh;
	struct parser top;
	struct cond_node *root;
	struct cond *c;
	const char *file;
	unsigned int line, col;

	memset(&sh, 0, sizeof(sh));
	sh.env = env;
	sh.d = d;
	memset(&top, 0, sizeof(top));
	top.sh = &sh;
	top.src = src;
	root = parse_text(&top, text ? text : "", src, NULL);
	if (sh.oom && !sh.nerr) {
		sh.nerr++;
		top.macro = NULL;
		src_at(src, 0, &file, &line, &col);
		diag_add(d, DIAG_ERROR, file, line, col,
			 "out of memory compiling condition");
	}
	if (!sh.nerr && sh.unsup.set) {
		if (ret_unsup) {
			*ret_unsup = sh.unsup;
		} else {
			sh.nerr++;
			diag_add(d, DIAG_ERROR, sh.unsup.file, sh.unsup.line,
				 sh.unsup.col, "%s: %s", sh.unsup.what,
				 sh.unsup.why);
		}
	}
	if (sh.nerr || sh.oom || !root || sh.unsup.set) {
		node_free(root);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		src_at(src, 0, &file, &line, &col);
		diag_add(d, DIAG_ERROR, file, line, col,
			 "out of memory compiling condition");
		node_free(root);
		return NULL;
	}
	c->root = root;
	cond_pack(c);
	return c;
}

bool field_known(const char *name)
{
	struct field_ref r;

	if (!name || field_ref_parse(name, strlen(name), &r) != 0)
		return false;
	field_ref_clear(&r);
	return true;
}

/* ---- evaluation ---- */

static bool ci_contains(const char *s, const char *lower_pat, size_t plen)
{
	size_t i, j;

	if (!plen)
		return true;
	for (i = 0; s[i]; i++) {
		for (j = 0; j < plen && s[i + j]; j++)
			if (tolower((unsigned char)s[i + j]) != lower_pat[j])
				break;
		if (j == plen)
			return true;
	}
	return false;
}

/* Binary search of s[0..len) among string items sorted by strcmp. */
static bool find_str(const struct cval *items, size_t n, const char *s,
		     size_t len)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t il = items[mid].len;
		int r = memcmp(items[mid].s, s, il < len ? il : len);

		/* same order as strcmp: a proper prefix sorts first */
		if (r == 0)
			r = il < len ? -1 : il > len;
		if (r == 0)
			return true;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Is s[0..len) one of n's string items? */
static bool list_has(const struct cond_node *n, const char *s, size_t len)
{
	if (n->hset)
		return hset_find(n, s, len) >= 0;
	return find_str(n->items, n->nitems, s, len);
}

static bool find_num(const struct cval *items, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (items[mid].n == x)
			return true;
		if (items[mid].n < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Is s equal to one of the prefixes or below it? Looks up s and each of
 * its parent directories: O(depth * log n). */
static bool pmatch(const struct cond_node *n, const char *s)
{
	size_t len = strlen(s);

	while (len > 1 && s[len - 1] == '/')
		len--;
	if (s[0] == '/' && list_has(n, "/", 1))
		return true;
	while (len > 0) {
		if (list_has(n, s, len))
			return true;
		while (len > 0 && s[len - 1] != '/')
			len--;
		if (len > 0)
			len--; /* drop the '/' */
	}
	return false;
}

static bool num_cmp(enum cond_op op, int64_t x, int64_t y)
{
	switch (op) {
	case OP_EQ:
		return x == y;
	case OP_NE:
		return x != y;
	case OP_LT:
		return x < y;
	case OP_LE:
		return x <= y;
	case OP_GT:
		return x > y;
	default:
		return x >= y;
	}
}

static bool str_match(const struct cond_node *n, const char *s)
{
	size_t i, sl;

	switch (n->op) {
	case OP_EQ:
		return strcmp(s, n->v.s) == 0;
	case OP_NE:
		return strcmp(s, n->v.s) != 0;
	case OP_IN:
	case OP_INTERSECTS:
		if (n->order == ORD_STR)
			return list_has(n, s, strlen(s));
		for (i = 0; i < n->nitems; i++)
			if (strcmp(n->items[i].s, s) == 0)
				return true;
		return false;
	case OP_CONTAINS:
		return strstr(s, n->v.s) != NULL;
	case OP_ICONTAINS:
		return ci_contains(s, n->v.s, n->v.len);
	case OP_STARTSWITH:
		return strncmp(s, n->v.s, n->v.len) == 0;
	case OP_ENDSWITH:
		sl = strlen(s);
		return sl >= n->v.len &&
		       memcmp(s + sl - n->v.len, n->v.s, n->v.len) == 0;
	case OP_BCONTAINS:
		return memmem(s, strlen(s), n->v.s, n->v.len) != NULL;
	case OP_BSTARTSWITH:
		return strncmp(s, n->v.s, n->v.len) == 0 &&
		       strlen(s) >= n->v.len;
	case OP_GLOB:
		return fnmatch(n->v.s, s, 0) == 0;
	case OP_IGLOB:
		return fnmatch(n->v.s, s, FNM_CASEFOLD) == 0;
	case OP_REGEX:
		if (n->re_need && !strstr(s, n->re_need))
			return false;
		return n->re && regexec(n->re, s, 0, NULL, 0) == 0;
	case OP_PMATCH:
		return pmatch(n, s);
	default: {
		/* relational on a dynamic field holding text */
		int64_t x;

		return n->v.has_n && parse_number(s, &x) == 0 &&
		       num_cmp(n->op, x, n->v.n);
	}
	}
}

static bool num_match(const struct cond_node *n, int64_t x)
{
	size_t i;
	char buf[24];

	if (op_textual(n->op)) {
		(void)snprintf(buf, sizeof(buf), "%" PRId64, x);
		return str_match(n, buf);
	}
	if (n->op == OP_IN || n->op == OP_INTERSECTS) {
		if (n->order == ORD_NUM)
			return find_num(n->items, n->nitems, x);
		for (i = 0; i < n->nitems; i++) {
			if (n->items[i].has_n ? n->items[i].n == x : false)
				return true;
		}
		return false;
	}
	if (!n->v.has_n) {
		/* a dynamic field compared with text */
		(void)snprintf(buf, sizeof(buf), "%" PRId64, x);
		return str_match(n, buf);
	}
	return num_cmp(n->op, x, n->v.n);
}

static bool value_match(const struct cond_node *n, const struct fval *v)
{
	size_t i;

	switch (v->kind) {
	case FVAL_STR:
		if (n->ref.custom_eq &&
		    (n->op == OP_EQ || n->op == OP_NE || n->op == OP_IN ||
		     n->op == OP_INTERSECTS)) {
			/* by meaning: ip in a network, ip of a name */
			bool eq = false;

			if (n->op == OP_EQ || n->op == OP_NE)
				eq = field_value_eq(&n->ref, v->s, n->v.s);
			for (i = 0; !eq && (n->op == OP_IN ||
					    n->op == OP_INTERSECTS) &&
				    i < n->nitems;
			     i++)
				eq = field_value_eq(&n->ref, v->s,
						    n->items[i].s);
			return n->op == OP_NE ? !eq : eq;
		}
		return str_match(n, v->s);
	case FVAL_NUM:
		return num_match(n, v->n);
	default:
		if (n->op == OP_IN || n->op == OP_INTERSECTS) {
			for (i = 0; i < n->nitems; i++)
				if (n->items[i].has_n && n->items[i].n == v->n)
					return true;
			return false;
		}
		if (n->op == OP_EQ)
			return n->v.has_n && v->n == n->v.n;
		if (n->op == OP_NE)
			return n->v.has_n && v->n != n->v.n;
		return false;
	}
}

static bool eval_cmp(const struct cond_node *n, const struct event *ev)
{
	char scratch[FIELD_SCRATCH];
	struct fval v;
	unsigned int k;

	/* An unset field makes every comparison false (Falco). */
	for (k = 0; field_extract(&n->ref, ev, k, &v, scratch, sizeof(scratch));
	     k++) {
		if (n->op == OP_EXISTS || value_match(n, &v))
			return true;
		if (!n->ref.multi)
			break;
	}
	return false;
}

/* ---- transformed and field-to-field comparisons ---- */

/* Two scratch buffers per side: a transformer reads one, writes the
 * other (the extraction itself may have used the first). */
struct xbufs {
	char b[2][FIELD_SCRATCH];
};

static char *xbuf_other(struct xbufs *x, const char *s)
{
	if (s >= x->b[0] && s < x->b[0] + FIELD_SCRATCH)
		return x->b[1];
	return x->b[0];
}

static int b64_digit(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Standard base64, padding optional; false when s is not base64. The
 * result stops at its first NUL byte (values are C strings). */
static bool b64_decode(const char *s, char *out, size_t outlen)
{
	size_t n = strlen(s), i, k = 0;
	unsigned int acc = 0, bits = 0;

	while (n && s[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return false;
	for (i = 0; i < n; i++) {
		int d = b64_digit(s[i]);

		if (d < 0)
			return false;
		acc = (acc << 6) | (unsigned int)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (k + 1 >= outlen)
				break;
			out[k++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[k] = '\0';
	return true;
}

static bool xform_apply(enum xform x, struct fval *v, struct xbufs *xb)
{
	char *out, buf[24];
	const char *s;
	size_t i;

	if (x == XF_LEN) {
		s = fval_text(v, buf, sizeof(buf));
		v->kind = FVAL_NUM;
		v->n = (int64_t)strlen(s);
		v->s = NULL;
		return true;
	}
	if (v->kind != FVAL_STR)
		return false;
	switch (x) {
	case XF_BASENAME:
		s = strrchr(v->s, '/');
		v->s = s ? s + 1 : v->s;
		return true;
	case XF_B64:
		out = xbuf_other(xb, v->s);
		if (!b64_decode(v->s, out, FIELD_SCRATCH))
			return false;
		v->s = out;
		return true;
	default:
		out = xbuf_other(xb, v->s);
		for (i = 0; v->s[i] && i + 1 < FIELD_SCRATCH; i++)
			out[i] = (char)(x == XF_TOLOWER
						? tolower((unsigned char)v->s[i])
						: toupper((unsigned char)v->s[i]));
		out[i] = '\0';
		v->s = out;
		return true;
	}
}

/* The k-th value of an operand, transformed. len() of a list is the
 * number of values. */
static bool operand_value(const struct operand *o, const struct event *ev,
			  unsigned int k, struct fval *v, struct xbufs *xb)
{
	unsigned int i;
	int64_t count = 0;

	if (o->nxf && o->xf[0] == XF_LEN && o->ref.multi) {
		if (k > 0)
			return false;
		while (field_extract(&o->ref, ev, (unsigned int)count, v,
				     xb->b[0], sizeof(xb->b[0])))
			count++;
		v->kind = FVAL_NUM;
		v->n = count;
		v->s = NULL;
		i = 1;
	} else {
		if (!field_extract(&o->ref, ev, k, v, xb->b[0],
				   sizeof(xb->b[0])))
			return false;
		i = 0;
	}
	for (; i < o->nxf; i++)
		if (!xform_apply((enum xform)o->xf[i], v, xb))
			return false;
	return true;
}

/* Two extracted values (field on the right). Numbers compare as numbers,
 * anything else as text. */
static bool dyn_match(enum cond_op op, const struct fval *l,
		      const struct fval *r)
{
	char b1[24], b2[24];
	const char *ls, *rs;
	size_t ll, rl;

	if (l->kind != FVAL_STR && r->kind != FVAL_STR) {
		if (op == OP_IN || op == OP_INTERSECTS)
			op = OP_EQ;
		return num_cmp(op, l->n, r->n);
	}
	ls = fval_text(l, b1, sizeof(b1));
	rs = fval_text(r, b2, sizeof(b2));
	ll = strlen(ls);
	rl = strlen(rs);
	switch (op) {
	case OP_EQ:
	case OP_IN:
	case OP_INTERSECTS:
		return strcmp(ls, rs) == 0;
	case OP_NE:
		return strcmp(ls, rs) != 0;
	case OP_LT:
		return strcmp(ls, rs) < 0;
	case OP_LE:
		return strcmp(ls, rs) <= 0;
	case OP_GT:
		return strcmp(ls, rs) > 0;
	case OP_GE:
		return strcmp(ls, rs) >= 0;
	case OP_CONTAINS:
		return strstr(ls, rs) != NULL;
	case OP_ICONTAINS:
		return strcasestr(ls, rs) != NULL;
	case OP_STARTSWITH:
		return strncmp(ls, rs, rl) == 0;
	case OP_ENDSWITH:
		return ll >= rl && memcmp(ls + ll - rl, rs, rl) == 0;
	case OP_GLOB:
		return fnmatch(rs, ls, 0) == 0;
	case OP_IGLOB:
		return fnmatch(rs, ls, FNM_CASEFOLD) == 0;
	default:
		return false;
	}
}

static bool eval_xcmp(const struct cond_node *n, const struct event *ev)
{
	struct xbufs lb, rb;
	struct fval v, r;
	unsigned int k, j;

	for (k = 0; operand_value(n->lhs, ev, k, &v, &lb); k++) {
		if (n->op == OP_EXISTS)
			return true;
		if (!n->rhs) {
			if (value_match(n, &v))
				return true;
		} else {
			for (j = 0; operand_value(n->rhs, ev, j, &r, &rb);
			     j++) {
				if (dyn_match(n->op, &v, &r))
					return true;
				if (!n->rhs->multi)
					break;
			}
		}
		if (!n->lhs->multi)
			break;
	}
	return false;
}

/* Common subexpressions: every node gets the slot of its class of equal
 * subtrees (cond_memo_add); a class with more than one node (a macro
 * or a comparison many rules share) has its result kept per event in
 * res[slot] as gen << 1 | result. The intern table lives until
 * cond_memo_seal. */
struct cond_memo {
	/* interning (until sealed) */
	uint32_t *tab; /* open addressing: slot numbers, 0 empty */
	size_t tmask;
	uint64_t *hash; /* per slot */
	const struct cond_node **rep; /* per slot: a node of the class */
	unsigned int *count; /* per slot */
	struct cond **conds;
	size_t nconds;
	size_t nslots, capslots; /* slots are 1..nslots */
	bool oom;
	/* evaluation */
	uint32_t *res;
	uint32_t gen;
};

static bool eval_node(const struct cond_node *n, const struct event *ev,
		      struct cond_memo *m);

static bool eval_node_raw(const struct cond_node *n, const struct event *ev,
			  struct cond_memo *m)
{
	switch (n->kind) {
	case NODE_AND:
		return eval_node(n->a, ev, m) && eval_node(n->b, ev, m);
	case NODE_OR:
		return eval_node(n->a, ev, m) || eval_node(n->b, ev, m);
	case NODE_NOT:
		return !eval_node(n->a, ev, m);
	case NODE_XCMP:
		return eval_xcmp(n, ev);
	default:
		return eval_cmp(n, ev);
	}
}

static bool eval_node(const struct cond_node *n, const struct event *ev,
		      struct cond_memo *m)
{
	uint32_t *r;
	bool v;

	if (!m || !n->shared)
		return eval_node_raw(n, ev, m);
	r = &m->res[n->slot];
	if ((*r >> 1) == m->gen)
		return *r & 1;
	v = eval_node_raw(n, ev, m);
	*r = m->gen << 1 | (uint32_t)v;
	return v;
}

bool cond_eval(const struct cond *c, const struct event *ev)
{
	if (!c || !c->root || !ev)
		return false;
	return eval_node(c->root, ev, NULL);
}

bool cond_eval_memo(const struct cond *c, const struct event *ev,
		    struct cond_memo *m)
{
	if (!c || !c->root || !ev)
		return false;
	return eval_node(c->root, ev, m && m->res ? m : NULL);
}

struct cond_memo *cond_memo_new(void)
{
	return calloc(1, sizeof(struct cond_memo));
}

static void memo_drop_table(struct cond_memo *m)
{
	free(m->tab);
	free(m->hash);
	free(m->rep);
	free(m->count);
	free(m->conds);
	m->tab = NULL;
	m->hash = NULL;
	m->rep = NULL;
	m->count = NULL;
	m->conds = NULL;
	m->tmask = 0;
	m->nconds = 0;
}

void cond_memo_free(struct cond_memo *m)
{
	if (!m)
		return;
	memo_drop_table(m);
	free(m->res);
	free(m);
}

static uint64_t hash_mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x100000001b3ULL;
	return h ^ (h >> 31);
}

static uint64_t hash_str(uint64_t h, const char *s, size_t len)
{
	return hash_mix(h, s ? str_hash(s, len) : 0x5bd1e995);
}

static uint64_t operand_hash(uint64_t h, const struct operand *o)
{
	unsigned int i;

	if (!o)
		return hash_mix(h, 1);
	h = hash_str(h, o->ref.name, o->ref.name ? strlen(o->ref.name) : 0);
	for (i = 0; i < o->nxf; i++)
		h = hash_mix(h, o->xf[i] + 2);
	return hash_mix(h, o->nxf);
}

/* Children are interned first: their slots stand for them. */
static uint64_t node_hash(const struct cond_node *n)
{
	uint64_t h = hash_mix(0xcbf29ce484222325ULL, (uint64_t)n->kind);
	size_t i;

	switch (n->kind) {
	case NODE_AND:
	case NODE_OR:
		return hash_mix(hash_mix(h, n->a->slot), n->b->slot);
	case NODE_NOT:
		return hash_mix(h, n->a->slot);
	case NODE_XCMP:
		h = operand_hash(h, n->lhs);
		h = operand_hash(h, n->rhs);
		break;
	default:
		h = hash_str(h, n->ref.name,
			     n->ref.name ? strlen(n->ref.name) : 0);
		break;
	}
	h = hash_mix(h, (uint64_t)n->op);
	h = hash_str(h, n->v.s, n->v.len);
	h = hash_mix(h, n->nitems);
	for (i = 0; i < n->nitems; i++)
		h = hash_str(h, n->items[i].s, n->items[i].len);
	return h;
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool cval_same(const struct cval *a, const struct cval *b)
{
	if (!a->s || !b->s)
		return a->s == b->s;
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0 &&
	       a->has_n == b->has_n && a->n == b->n;
}

static bool operand_same(const struct operand *a, const struct operand *b)
{
	if (!a || !b)
		return a == b;
	return str_same(a->ref.name, b->ref.name) && a->nxf == b->nxf &&
	       memcmp(a->xf, b->xf, a->nxf) == 0;
}

/* Do a and b (children interned) always evaluate alike? Same field as
 * written (a field's name decides its getter, index and argument), same
 * operator, same constants in the same order. */
static bool node_same(const struct cond_node *a, const struct cond_node *b)
{
	size_t i;

	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case NODE_AND:
	case NODE_OR:
		return a->a->slot == b->a->slot && a->b->slot == b->b->slot;
	case NODE_NOT:
		return a->a->slot == b->a->slot;
	case NODE_XCMP:
		if (!operand_same(a->lhs, b->lhs) ||
		    !operand_same(a->rhs, b->rhs))
			return false;
		break;
	default:
		if (!str_same(a->ref.name, b->ref.name))
			return false;
		break;
	}
	if (a->op != b->op || a->order != b->order ||
	    a->nitems != b->nitems || !cval_same(&a->v, &b->v))
		return false;
	for (i = 0; i < a->nitems; i++)
		if (!cval_same(&a->items[i], &b->items[i]))
			return false;
	return true;
}

static bool memo_grow(struct cond_memo *m)
{
	size_t cap = m->capslots ? m->capslots * 2 : 256, i;
	uint64_t *h;
	const struct cond_node **rep;
	unsigned int *count;
	uint32_t *tab;

	if (cap > UINT32_MAX / 4)
		return false;
	h = realloc(m->hash, (cap + 1) * sizeof(*h));
	if (h)
		m->hash = h;
	rep = realloc(m->rep, (cap + 1) * sizeof(*rep));
	if (rep)
		m->rep = rep;
	count = realloc(m->count, (cap + 1) * sizeof(*count));
	if (count)
		m->count = count;
	tab = calloc(cap * 2, sizeof(*tab));
	if (!h || !rep || !count || !tab) {
		free(tab);
		return false;
	}
	m->capslots = cap;
	free(m->tab);
	m->tab = tab;
	m->tmask = cap * 2 - 1;
	for (i = 1; i <= m->nslots; i++) {
		size_t j = (size_t)m->hash[i] & m->tmask;

		while (m->tab[j])
			j = (j + 1) & m->tmask;
		m->tab[j] = (uint32_t)i;
	}
	return true;
}

static void memo_intern(struct cond_memo *m, struct cond_node *n)
{
	uint64_t h;
	size_t j;
	uint32_t k;

	if (m->oom)
		return;
	if (n->a)
		memo_intern(m, n->a);
	if (n->b)
		memo_intern(m, n->b);
	if (m->oom)
		return;
	h = node_hash(n);
	if (m->tab) {
		for (j = (size_t)h & m->tmask; (k = m->tab[j]) != 0;
		     j = (j + 1) & m->tmask)
			if (m->hash[k] == h && node_same(m->rep[k], n)) {
				m->count[k]++;
				n->slot = k;
				return;
			}
	}
	if (m->nslots == m->capslots && !memo_grow(m)) {
		m->oom = true;
		return;
	}
	k = (uint32_t)++m->nslots;
	m->hash[k] = h;
	m->rep[k] = n;
	m->count[k] = 1;
	n->slot = k;
	for (j = (size_t)h & m->tmask; m->tab[j]; j = (j + 1) & m->tmask)
		;
	m->tab[j] = k;
}

int cond_memo_add(struct cond_memo *m, struct cond *c)
{
	struct cond **p;

	if (!m || m->res)
		return -EINVAL;
	if (!c || !c->root)
		return 0;
	p = realloc(m->conds, (m->nconds + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	m->conds = p;
	m->conds[m->nconds++] = c;
	memo_intern(m, c->root);
	return m->oom ? -ENOMEM : 0;
}

static size_t memo_mark(const struct cond_memo *m, struct cond_node *n)
{
	size_t k = 0;

	if (n->a)
		k += memo_mark(m, n->a);
	if (n->b)
		k += memo_mark(m, n->b);
	n->shared = m->count[n->slot] > 1;
	return k + n->shared;
}

int cond_memo_seal(struct cond_memo *m)
{
	size_t i;

	if (!m || m->res)
		return -EINVAL;
	if (m->oom) {
		/* nothing marked: every condition evaluates in full */
		memo_drop_table(m);
		return -ENOMEM;
	}
	m->res = calloc(m->nslots + 1, sizeof(*m->res));
	if (!m->res) {
		memo_drop_table(m);
		return -ENOMEM;
	}
	for (i = 0; i < m->nconds; i++)
		(void)memo_mark(m, m->conds[i]->root);
	m->gen = 1;
	memo_drop_table(m);
	return 0;
}

void cond_memo_next(struct cond_memo *m)
{
	if (!m || !m->res)
		return;
	if (++m->gen > UINT32_MAX >> 1) {
		memset(m->res, 0, (m->nslots + 1) * sizeof(*m->res));
		m->gen = 1;
	}
}

/* ---- evt.type index ---- */

struct tset {
	bool any;
	const char **v;
	size_t n, cap;
	bool oom;
};

static void tset_add(struct tset *t, const char *s)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		const char **nv = realloc(t->v, cap * sizeof(*nv));

		if (!nv) {
			t->oom = true;
			return;
		}
		t->v = nv;
		t->cap = cap;
	}
	t->v[t->n++] = s;
}

static bool tset_has(const struct tset *t, const char *s)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i], s) == 0)
			return true;
	return false;
}

static void types_of(const struct cond_node *n, struct tset *out)
{
	struct tset a = { false, NULL, 0, 0, false };
	struct tset b = { false, NULL, 0, 0, false };
	size_t i;

	memset(out, 0, sizeof(*out));
	switch (n->kind) {
	case NODE_AND:
	case NODE_OR:
		types_of(n->a, &a);
		types_of(n->b, &b);
		out->oom = a.oom || b.oom;
		if (n->kind == NODE_OR && (a.any || b.any)) {
			out->any = true;
		} else if (n->kind == NODE_AND && (a.any || b.any)) {
			/* one side restricts: keep it */
			struct tset *r = a.any ? &b : &a;

			if (r->any) {
				out->any = true;
			} else {
				*out = *r;
				r->v = NULL;
			}
		} else if (n->kind == NODE_OR) {
			for (i = 0; i < a.n; i++)
				tset_add(out, a.v[i]);
			for (i = 0; i < b.n; i++)
				if (!tset_has(out, b.v[i]))
					tset_add(out, b.v[i]);
		} else {
			/* and: an event matching both sides is indexed under
			 * either side's set. Not the intersection: evt.type
			 * (syscall) and audit.type (record type) are different
			 * keys of one event. Keep the smaller set. */
			struct tset *r = a.n <= b.n ? &a : &b;

			for (i = 0; i < r->n; i++)
				tset_add(out, r->v[i]);
		}
		free(a.v);
		free(b.v);
		return;
	case NODE_NOT:
	case NODE_XCMP:
		out->any = true;
		return;
	default:
		if (!n->ref.is_evt_type) {
			out->any = true;
		} else if (n->op == OP_EQ) {
			tset_add(out, n->v.s);
		} else if (n->op == OP_IN || n->op == OP_INTERSECTS) {
			for (i = 0; i < n->nitems; i++)
				tset_add(out, n->items[i].s);
		} else {
			out->any = true;
		}
		return;
	}
}

void cond_event_types(const struct cond *c,
		      void (*cb)(const char *type, void *ud), void *ud,
		      bool *ret_any)
{
	struct tset t;
	size_t i;

	if (!c || !c->root) {
		*ret_any = true;
		return;
	}
	types_of(c->root, &t);
	if (t.oom) {
		/* Cannot say: the safe answer is "any type". */
		*ret_any = true;
	} else {
		*ret_any = t.any;
		if (!t.any)
			for (i = 0; i < t.n; i++)
				cb(t.v[i], ud);
	}
	free(t.v);
}

/* ---- syscall arguments named ---- */

/* The NAME of evt.arg.NAME / evt.rawarg.NAME, else NULL. */
static const char *syscall_arg(const struct field_ref *r)
{
	if (!r->arg || !r->name)
		return NULL;
	if (strncmp(r->name, "evt.arg.", 8) != 0 &&
	    strncmp(r->name, "evt.rawarg.", 11) != 0)
		return NULL;
	return r->arg;
}

static void args_of(const struct cond_node *n, bool necessary,
		    void (*cb)(const char *arg, bool necessary, void *ud),
		    void *ud)
{
	const char *a;

	if (!n)
		return;
	switch (n->kind) {
	case NODE_AND:
		args_of(n->a, necessary, cb, ud);
		args_of(n->b, necessary, cb, ud);
		return;
	case NODE_OR:
	case NODE_NOT:
		args_of(n->a, false, cb, ud);
		args_of(n->b, false, cb, ud);
		return;
	default:
		a = syscall_arg(n->lhs ? &n->lhs->ref : &n->ref);
		if (a)
			cb(a, necessary, ud);
		a = n->rhs ? syscall_arg(&n->rhs->ref) : NULL;
		if (a)
			cb(a, necessary, ud);
		return;
	}
}

void cond_args(const struct cond *c,
	       void (*cb)(const char *arg, bool necessary, void *ud), void *ud)
{
	if (c)
		args_of(c->root, true, cb, ud);
}

/* ---- success-only conditions ---- */

/* Can this comparison hold only for a syscall that succeeded? */
static bool cmp_implies_success(const struct cond_node *n, const char *syscall)
{
	size_t i;

	switch (field_outcome(&n->ref, syscall)) {
	case FIELD_OUTCOME_SUCCESS:
		/* audit.success = true, audit.success != false */
		return n->v.has_n && ((n->op == OP_EQ && n->v.n == 1) ||
				      (n->op == OP_NE && n->v.n == 0));
	case FIELD_OUTCOME_FAILED:
		/* evt.failed = false, evt.failed != true */
		return n->v.has_n && ((n->op == OP_EQ && n->v.n == 0) ||
				      (n->op == OP_NE && n->v.n == 1));
	case FIELD_OUTCOME_RES:
		return n->op == OP_EQ && n->v.s &&
		       strcmp(n->v.s, "SUCCESS") == 0;
	case FIELD_OUTCOME_EXIT:
		/* a return value >= 0 is never an error (-4095..-1) */
		if (n->op == OP_IN) {
			for (i = 0; i < n->nitems; i++)
				if (!n->items[i].has_n || n->items[i].n < 0)
					return false;
			return n->nitems > 0;
		}
		if (!n->v.has_n)
			return false;
		return ((n->op == OP_EQ || n->op == OP_GE) && n->v.n >= 0) ||
		       (n->op == OP_GT && n->v.n >= -1);
	default:
		return false;
	}
}

static bool node_implies_success(const struct cond_node *n, const char *syscall)
{
	/* parse_and builds left-deep chains: walk the left spine, recurse
	 * into right operands (parentheses nest at most
	 * HARRIER_MAX_COND_DEPTH deep). */
	for (; n && n->kind == NODE_AND; n = n->a)
		if (node_implies_success(n->b, syscall))
			return true;
	return n && n->kind == NODE_CMP && cmp_implies_success(n, syscall);
}

bool cond_implies_success(const struct cond *c, const char *syscall)
{
	return c && node_implies_success(c->root, syscall);
}

/* ---- read-only view for analyses (cond_view.h) ---- */

const struct cond_node *cond_view_root(const struct cond *c)
{
	return c ? c->root : NULL;
}

static enum cond_view_op view_op(enum cond_op op)
{
	switch (op) {
	case OP_EQ:
		return CVO_EQ;
	case OP_NE:
		return CVO_NE;
	case OP_LT:
		return CVO_LT;
	case OP_LE:
		return CVO_LE;
	case OP_GT:
		return CVO_GT;
	case OP_GE:
		return CVO_GE;
	case OP_IN:
		return CVO_IN;
	case OP_INTERSECTS:
		return CVO_INTERSECTS;
	case OP_CONTAINS:
		return CVO_CONTAINS;
	case OP_ICONTAINS:
		return CVO_ICONTAINS;
	case OP_STARTSWITH:
		return CVO_STARTSWITH;
	case OP_ENDSWITH:
		return CVO_ENDSWITH;
	case OP_GLOB:
		return CVO_GLOB;
	case OP_PMATCH:
		return CVO_PMATCH;
	case OP_EXISTS:
		return CVO_EXISTS;
	default:
		return CVO_OTHER;
	}
}

void cond_view_get(const struct cond_node *n, struct cond_view *ret)
{
	memset(ret, 0, sizeof(*ret));
	switch (n->kind) {
	case NODE_AND:
		ret->kind = CV_AND;
		break;
	case NODE_OR:
		ret->kind = CV_OR;
		break;
	case NODE_NOT:
		ret->kind = CV_NOT;
		break;
	case NODE_CMP:
		ret->kind = CV_CMP;
		break;
	default:
		ret->kind = CV_OTHER;
		return;
	}
	ret->a = n->a;
	ret->b = n->b;
	if (ret->kind != CV_CMP)
		return;
	ret->ref = &n->ref;
	ret->op = view_op(n->op);
	ret->v.s = n->v.s;
	ret->v.n = n->v.n;
	ret->v.has_n = n->v.has_n;
	ret->nitems = n->nitems;
}

void cond_view_item(const struct cond_node *n, size_t i,
		    struct cond_view_value *ret)
{
	ret->s = n->items[i].s;
	ret->n = n->items[i].n;
	ret->has_n = n->items[i].has_n;
}

bool cond_view_eval(const struct cond_node *n, const struct event *ev)
{
	return n && ev && eval_node(n, ev, NULL);
}
