/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store writer's forensic part, internal to the store: captures,
 * the alerts joining them and their events (common/context.h) into the
 * captures, alert_captures, events and capture_events tables. Called only from the writer thread,
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
 * links to captures. A link not made (the store has no such capture, or
 * the link was there) is counted in *ret_missing. SQLITE_OK or an
 * error. */
int store_context_write_event(struct store_context *c,
			      const struct context_event *e,
			      const char *origin, unsigned int *ret_missing);

/* A capture's row: written when it starts, updated when it ends.
 * SQLITE_OK or an error. */
int store_context_write_summary(struct store_context *c,
				const struct context_summary *s);

/* An alert joining a capture, with its own window; *ret_missing 1 when
 * the store does not hold the alert (it was dropped). SQLITE_OK or an
 * error. */
int store_context_write_join(struct store_context *c,
			     const struct context_join *j,
			     unsigned int *ret_missing);

#endif
