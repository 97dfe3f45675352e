/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's forensic part, internal to the store: captures, the alerts
 * joining them and their events (common/context.h) into the captures,
 * alert_captures, events and capture_events tables, as three store item
 * types (store.h) the writer runs inside its batch transactions, with its
 * connection. Every statement is idempotent (a batch written again adds
 * nothing twice) and values reach SQLite only as bound parameters. They
 * are best effort: at most half the queue, never spooled.
 */
#ifndef HARRIER_STORE_CONTEXT_H
#define HARRIER_STORE_CONTEXT_H

#include "sink/store.h"

/* A context event (stored once: a second copy changes nothing) and its
 * links to captures; its note counts the links not made (the store has
 * no such capture, or the link was there). */
extern const struct store_item_type store_event_type;
/* A capture's row: written when it starts, updated when it ends. */
extern const struct store_item_type store_summary_type;
/* An alert joining a capture, with its own window; its note is 1 when
 * the store does not hold the alert (it was dropped). */
extern const struct store_item_type store_join_type;

#endif
