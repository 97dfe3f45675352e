/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Engine-internal: the rule set as loaded from YAML (rules.c) and what
 * engine.c compiles from it. rules.c applies Falco's redefinition, append
 * and override semantics at load time, in file order; engine.c resolves
 * lists and macros lazily at compile time. Not exported beyond src/engine.
 */
#ifndef HARRIER_RULES_H
#define HARRIER_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/alert.h"
#include "common/diag.h"
#include "engine/cond.h"
#include "engine/engine.h"

/* The version string as rules.c once named it (engine_version() of the
 * pkg branch returns it): ENGINE_FALCO_VERSION in engine.h. */
#define RULES_ENGINE_VERSION ENGINE_FALCO_VERSION

/* Where a piece of text came from. file is interned (owned by the
 * engine's file table) and outlives every item pointing at it. */
struct rules_pos {
	const char *file;
	unsigned int line, col;
};

/* Name -> index hash map (open addressing; names borrowed). */
struct rules_map {
	const char **keys;
	size_t *vals;
	size_t cap, n;
};

void rules_map_free(struct rules_map *m);
/* Returns 0, or -ENOMEM. An existing key gets the new value. */
int rules_map_put(struct rules_map *m, const char *key, size_t val);
/* Returns true and writes *ret when found. */
bool rules_map_get(const struct rules_map *m, const char *key, size_t *ret);

/* A text (condition) and where each part of it is in the rule files. */
struct rules_text {
	char *s;
	size_t len;
	struct cond_srcseg *segs;
	size_t nsegs, capsegs;
};

void rules_text_clear(struct rules_text *t);
/* Append s[0..len): placed at pos (one segment; NULL: no position of
 * its own), or with the segments of src (rules_text_append_text).
 * Return 0 or -ENOMEM (t unchanged but for capacity). */
int rules_text_append(struct rules_text *t, const char *s, size_t len,
		      const struct rules_pos *pos);
int rules_text_append_text(struct rules_text *t, const struct rules_text *src);
static inline struct cond_src rules_text_src(const struct rules_text *t)
{
	struct cond_src s = { t->segs, t->nsegs };

	return s;
}

struct rules_list {
	char *name;
	char **items;
	size_t nitems;
	struct rules_pos pos;
	/* engine_compile: items with nested lists expanded */
	char **expanded;
	size_t nexpanded;
	int state; /* 0 not expanded, 1 expanding, 2 done, 3 failed */
};

struct rules_macro {
	char *name;
	struct rules_text cond;
	struct rules_pos pos; /* of the "- macro:" item */
	bool used;
	struct cond_src src; /* engine_compile: cond's map, for the compiler */
};

/* Falco exceptions as written: fields and comps (comps[i] NULL: the
 * default, "in" for a list value and "=" otherwise), and the values, a
 * tuple per entry with one value per field (single_field form: each
 * value is a tuple of one). exceptions.c turns them into condition
 * text. */
struct rules_exc_value {
	char **items; /* one item unless is_list */
	size_t nitems;
	bool is_list;
	struct rules_pos pos;
};

struct rules_exc_tuple {
	struct rules_exc_value *v;
	size_t n;
	struct rules_pos pos;
};

struct rules_exception {
	char *name;
	char **fields;
	char **comps;
	size_t nfields;
	bool single_field; /* "fields: name" form: values are one list */
	struct rules_exc_tuple *values;
	size_t nvalues;
	struct rules_pos pos;
};

struct rules_rule {
	char *name;
	char *desc;
	struct rules_text cond;
	char *output;
	struct rules_pos output_pos;
	enum alert_priority priority;
	char **tags;
	size_t ntags;
	bool enabled;
	bool warn_evttypes;
	bool skip_if_unknown_filter;
	bool capture;
	uint64_t capture_duration; /* ms, 0: the configured default */
	struct rules_exception *exceptions;
	size_t nexceptions;
	struct rules_pos pos;

	/* engine_compile */
	struct cond *compiled;
	struct format *format;
	bool active; /* compiled and evaluated */
	bool any_type;
	char *skip_reason; /* compiled but needs what audit cannot give */
};

struct engine {
	char *hostname;
	enum alert_priority min_priority;
	bool strict; /* rules_strict: unsupported constructs are errors */

	char **files;
	size_t nfiles;

	struct rules_rule **rules;
	size_t nrules, caprules;
	struct rules_map rule_map;
	struct rules_macro **macros;
	size_t nmacros, capmacros;
	struct rules_map macro_map;
	struct rules_list **lists;
	size_t nlists, caplists;
	struct rules_map list_map;

	/* engine_compile: evt.type -> active rule indices (ascending) and
	 * the active rules with no evt.type restriction. */
	bool compiled;
	struct rules_map type_map; /* type -> index into types[] */
	struct rules_type {
		char *name;
		size_t *rules;
		size_t n, cap;
	} * types;
	size_t ntypes, captypes;
	size_t *any_rules;
	size_t nany;
	/* the active rules' common subexpressions, evaluated once per
	 * event; NULL: every rule evaluated in full */
	struct cond_memo *memo;
};

/* rules.c: parse one YAML buffer into e (see engine_load_buffer). */
int rules_load(struct engine *e, const char *name, const char *data, size_t len,
	       struct diag *d);
/* rules.c: free every loaded item (not the compiled state). */
void rules_free_items(struct engine *e);

#endif
