/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite alert store: schema migration (schema/NNN_*.sql compiled in,
 * PRAGMA user_version), a writer with its own thread that commits batched
 * transactions in WAL mode. The reader is store_query.h. A reader never
 * blocks the writer (WAL); the writer retries on SQLITE_BUSY and counts
 * what it has to drop.
 */
#ifndef HARRIER_STORE_H
#define HARRIER_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/alert.h"
#include "common/context.h"
#include "sink/sink.h"

/* Open (creating and migrating) the store at path and start its writer
 * thread. Returns a sink, or NULL with *ret_err set to a message the
 * caller logs (owned by caller, free()). */
struct sink *store_sink_new(const char *path, char **ret_err);

/* What store_sink_new uses unless told otherwise. Replay waits for queue
 * space instead of dropping (enqueue_wait_ms = -1); tests shrink the
 * queue. store_options_init fills in the production defaults from
 * common/limits.h. */
struct store_options {
	unsigned int queue_max; /* 1..HARRIER_STORE_QUEUE_MAX */
	int enqueue_wait_ms; /* when full: -1 = wait forever */
	unsigned int busy_timeout_ms; /* SQLite busy_timeout per attempt */
};
void store_options_init(struct store_options *o);
/* store_sink_new with options (NULL = defaults); out-of-range values are
 * clamped to the limits. */
struct sink *store_sink_open(const char *path, const struct store_options *o,
			     char **ret_err);
/* Where the alerts and context emitted from now on come from: "live",
 * or the path of a replayed log (the origin column). Before any call:
 * NULL (unknown). 0, or -EINVAL (not a store), -ENOMEM. */
int store_sink_set_origin(struct sink *s, const char *origin);

/* Context around alerts (pipeline/capture.h), queued behind the alerts
 * emitted before it and written in the same transactions. It may fill
 * half the queue only, so it never crowds out an alert: when that half is
 * full it is dropped at once (counted), except with enqueue_wait_ms -1
 * (replay), where it waits. 0, -ENOBUFS, -ENOMEM, -EINVAL (not a store). */
int store_sink_emit_context(struct sink *s, const struct context_event *e);
int store_sink_emit_summary(struct sink *s, const struct context_summary *c);
int store_sink_emit_join(struct sink *s, const struct context_join *j);

/* What the store did beyond its sink_stats (which count alerts). */
struct store_context_stats {
	uint64_t duplicates;	   /* alerts it held already (not stored twice) */
	uint64_t events_written;   /* context events (or found stored) */
	uint64_t events_dropped;   /* queue half full, or write failures */
	uint64_t summaries_written, summaries_dropped;
	uint64_t joins_written;	   /* alerts joined to their capture */
	uint64_t joins_dropped;	   /* the alert not held, or write failures */
	uint64_t links_missing;	   /* links not made: the alert not held, or linked already */
};
void store_sink_context_stats(struct sink *s, struct store_context_stats *ret);

/* The last write error of a store sink ("database or disk is full: 12
 * alerts dropped"), owned by the caller; NULL if none or not a store. */
char *store_sink_last_error(struct sink *s);

#endif
