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

#include "common/alert.h"
#include "common/diag.h"
#include "engine/cond.h"

/* The rules-language version this engine implements; a file whose
 * required_engine_version is greater is refused. */
#define RULES_ENGINE_VERSION "0.1.0"
#define RULES_ENGINE_VERSION_MAJOR 0
#define RULES_ENGINE_VERSION_MINOR 1
#define RULES_ENGINE_VERSION_PATCH 0

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
	char *condition;
	struct rules_pos cond_pos; /* of the condition scalar's text */
	struct rules_pos pos; /* of the "- macro:" item */
	bool used;
};

/* Falco exception: fields/comps and the values turned into condition
 * clauses "(f1 c1 v1 and f2 c2 v2)" as they were loaded. */
struct rules_exception {
	char *name;
	char **fields;
	char **comps;
	size_t nfields;
	bool single_field; /* "fields: name" form: values are one list */
	char **clauses;
	size_t nclauses;
	struct rules_pos pos;
};

struct rules_rule {
	char *name;
	char *desc;
	char *condition;
	struct rules_pos cond_pos;
	char *output;
	struct rules_pos output_pos;
	enum alert_priority priority;
	char **tags;
	size_t ntags;
	bool enabled;
	bool warn_evttypes;
	bool skip_if_unknown_filter;
	bool capture;			/* Falco's capture: true */
	uint32_t capture_duration_ms;	/* 0: the configured default */
	struct rules_exception *exceptions;
	size_t nexceptions;
	struct rules_pos pos;

	/* engine_compile */
	struct cond *cond;
	struct format *format;
	bool active; /* compiled and evaluated */
	bool any_type;
};

struct engine {
	char *hostname;
	enum alert_priority min_priority;

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
};

/* rules.c: parse one YAML buffer into e (see engine_load_buffer). */
int rules_load(struct engine *e, const char *name, const char *data, size_t len,
	       struct diag *d);
/* rules.c: free every loaded item (not the compiled state). */
void rules_free_items(struct engine *e);

#endif
