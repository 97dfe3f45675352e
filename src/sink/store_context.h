/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store writer's forensic part, internal to the store: context
 * events and capture summaries (common/context.h) into the events,
 * alert_events and captures tables. Called only from the writer thread,
 * inside its batch transaction, with the writer's connection; every
 * statement is idempotent (a batch written again adds nothing twice) and
 * values reach SQLite only as bound parameters.
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

/* One context event (stored once: a second copy changes nothing) and its
 * links to alerts. A link not made (the store does not hold the alert:
 * it was dropped; or the link was there) is counted in *ret_missing.
 * SQLITE_OK or an error. */
int store_context_write_event(struct store_context *c,
			      const struct context_event *e,
			      const char *origin, unsigned int *ret_missing);

/* The captures row of an ended capture (replaced if there is one).
 * SQLITE_OK (also when the alert is not in the store: *ret_missing 1)
 * or an error. */
int store_context_write_summary(struct store_context *c,
				const struct context_summary *s,
				unsigned int *ret_missing);

#endif
