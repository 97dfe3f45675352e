/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The exceptions compiler: Falco's exceptions (fields, comps, values)
 * turned into the condition clauses Falco builds for them, each clause
 * mapped to the YAML value it came from. Values are untrusted text: each
 * is quoted for the condition language unless Falco would read it bare
 * (a list name after a list operator).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "engine/exceptions.h"

static const char *const exc_ops[] = {
	"=",	      "==",	   "!=",	 "<",	     "<=",
	">",	      ">=",	   "in",	 "intersects", "pmatch",
	"contains",   "icontains", "bcontains", "startswith", "bstartswith",
	"endswith",   "glob",	   "iglob",	 "regex",
};

bool exceptions_op_known(const char *op)
{
	size_t i;

	for (i = 0; i < sizeof(exc_ops) / sizeof(exc_ops[0]); i++)
		if (strcmp(op, exc_ops[i]) == 0)
			return true;
	return false;
}

bool exceptions_op_is_list(const char *op)
{
	return strcmp(op, "in") == 0 || strcmp(op, "intersects") == 0 ||
	       strcmp(op, "pmatch") == 0;
}

/* A name Falco would leave bare: a list name is then expanded. */
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

/* An item inside "(...)": bare when Falco reads it bare (so that a list
 * name expands), quoted otherwise. */
static void exc_item(struct strbuf *sb, const char *v)
{
	if (is_plain_name(v))
		strbuf_appends(sb, v);
	else
		exc_quote(sb, v);
}

/* "field op value" */
static void exc_term(struct strbuf *sb, const char *field, const char *op,
		     const struct rules_exc_value *v)
{
	size_t i;

	strbuf_appends(sb, field);
	strbuf_appendc(sb, ' ');
	strbuf_appends(sb, op);
	strbuf_appendc(sb, ' ');
	if (!exceptions_op_is_list(op)) {
		exc_quote(sb, v->nitems ? v->items[0] : "");
		return;
	}
	strbuf_appendc(sb, '(');
	for (i = 0; i < v->nitems; i++) {
		if (i)
			strbuf_appends(sb, ", ");
		exc_item(sb, v->items[i]);
	}
	strbuf_appendc(sb, ')');
}

/* One exception's clauses, " or "-joined, appended to t; *any says
 * whether t already has a clause. */
static int exc_clauses(const struct rules_exception *x, struct rules_text *t,
		       bool *any)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, k;
	int r = 0;

	if (!x->nvalues)
		return 0;
	if (x->single_field) {
		/* (field comp (v1, v2, ...)): Falco's one clause */
		const char *op = x->comps[0] ? x->comps[0] : "in";
		struct rules_exc_value all = { NULL, 0, true, x->pos };
		char **items = calloc(x->nvalues, sizeof(*items));

		if (!items)
			return -ENOMEM;
		for (i = 0; i < x->nvalues; i++)
			items[i] = x->values[i].v[0].nitems
					   ? x->values[i].v[0].items[0]
					   : (char *)"";
		all.items = items;
		all.nitems = x->nvalues;
		strbuf_appends(&sb, *any ? " or (" : "(");
		if (exceptions_op_is_list(op)) {
			exc_term(&sb, x->fields[0], op, &all);
		} else {
			/* one clause per value for a single-value op */
			for (i = 0; i < x->nvalues; i++) {
				if (i)
					strbuf_appends(&sb, " or ");
				exc_term(&sb, x->fields[0], op,
					 &x->values[i].v[0]);
			}
		}
		strbuf_appendc(&sb, ')');
		free(items);
		if (strbuf_failed(&sb) ||
		    rules_text_append(t, sb.buf, sb.len, &x->values[0].pos) < 0)
			r = -ENOMEM;
		*any = true;
		strbuf_free(&sb);
		return r;
	}
	for (i = 0; i < x->nvalues && r == 0; i++) {
		const struct rules_exc_tuple *tp = &x->values[i];

		strbuf_reset(&sb);
		strbuf_appends(&sb, *any ? " or (" : "(");
		for (k = 0; k < tp->n && k < x->nfields; k++) {
			const char *op = x->comps[k];

			if (!op)
				op = tp->v[k].is_list ? "in" : "=";
			if (k)
				strbuf_appends(&sb, " and ");
			exc_term(&sb, x->fields[k], op, &tp->v[k]);
		}
		strbuf_appendc(&sb, ')');
		if (strbuf_failed(&sb) ||
		    rules_text_append(t, sb.buf, sb.len, &tp->pos) < 0)
			r = -ENOMEM;
		*any = true;
	}
	strbuf_free(&sb);
	return r;
}

int exceptions_condition(const struct rules_rule *r, struct rules_text *ret)
{
	struct rules_text t = { 0 };
	bool any = false;
	size_t i;
	int rc = 0;

	rules_text_clear(ret);
	for (i = 0; i < r->nexceptions; i++)
		if (r->exceptions[i].nvalues)
			break;
	if (i == r->nexceptions)
		return rules_text_append_text(ret, &r->cond);
	if (rules_text_append(&t, "(", 1, NULL) < 0 ||
	    rules_text_append_text(&t, &r->cond) < 0 ||
	    rules_text_append(&t, ") and not (", 11, NULL) < 0)
		rc = -ENOMEM;
	for (i = 0; rc == 0 && i < r->nexceptions; i++)
		rc = exc_clauses(&r->exceptions[i], &t, &any);
	if (rc == 0 && rules_text_append(&t, ")", 1, NULL) < 0)
		rc = -ENOMEM;
	if (rc < 0) {
		rules_text_clear(&t);
		return rc;
	}
	*ret = t;
	return 0;
}
