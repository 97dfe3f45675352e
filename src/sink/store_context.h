/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store writer's forensic part, internal to the store: context
 * events and capture summaries (common/context.h) into the events,
 * alert_events and captures tables, and the rule_tags index behind
 * `harrier alerts --tag`. Called only from the writer thread, inside its
 * batch transaction, with the writer's connection; values reach SQLite
 * only as bound parameters.
 */
#ifndef HARRIER_STORE_CONTEXT_H
#define HARRIER_STORE_CONTEXT_H

#include <sqlite3.h>
#include <stdint.h>

#include "common/context.h"

struct store_context;

/* Prepare the statements on db (schema 2 or later). NULL with *ret_err
 * (owned by the caller) on failure. */
struct store_context *store_context_new(sqlite3 *db, char **ret_err);
void store_context_free(struct store_context *c);

/* After an alert row: make sure rule_tags has (tag, rule) for each tag of
 * tags_json (the alert's JSON array). Remembers the pairs it wrote, so an
 * alert of a known rule costs no statement. SQLITE_OK or an error. */
int store_context_rule_tags(struct store_context *c, const char *rule,
			    const char *tags_json);

/* After an alert or event in a container: make sure containers has
 * (name, id), as store_context_rule_tags does for tags. NULLs: nothing. */
int store_context_container(struct store_context *c, const char *name,
			    const char *id);

/* One context event (stored once: a second copy finds the first) and its
 * links to alerts. A link to an alert the store does not hold (it was
 * dropped) is counted in *ret_missing and skipped. SQLITE_OK or an
 * error. */
int store_context_write_event(struct store_context *c,
			      const struct context_event *e,
			      const char *origin, unsigned int *ret_missing);

/* The captures row of an ended capture (replaced if there is one).
 * SQLITE_OK (also when the alert is not in the store: *ret_missing 1)
 * or an error. */
int store_context_write_summary(struct store_context *c,
				const struct context_summary *s,
				unsigned int *ret_missing);

/* Forget the alert ids looked up: after a rollback they may be gone. */
void store_context_rollback(struct store_context *c);

#endif
