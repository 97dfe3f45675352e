/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite alert store: schema migration (schema/NNN_*.sql compiled in,
 * PRAGMA user_version), a writer with its own thread that commits batched
 * transactions in WAL mode, and the reader used by `harrier alerts`. A
 * reader never blocks the writer (WAL); the writer retries on SQLITE_BUSY
 * and counts what it has to drop.
 */
#ifndef HARRIER_STORE_H
#define HARRIER_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/alert.h"
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
/* The last write error of a store sink ("database or disk is full: 12
 * alerts dropped"), owned by the caller; NULL if none or not a store. */
char *store_sink_last_error(struct sink *s);

/* Query side for `harrier alerts`. All filters optional (NULL / 0). */
struct store_query {
	const char *since;     /* ISO 8601 time, or relative "10m" "2h" "1d" */
	const char *rule;      /* exact rule name, or glob with * */
	const char *container; /* id prefix or name */
	const char *priority;  /* this priority and more severe */
	unsigned int limit;    /* 0 = no limit */
};

/* Calls cb per matching alert, oldest first (with limit: the most recent
 * limit alerts, still oldest first). The alert is borrowed for the call.
 * Opens the store read-only: never blocks its writer. Returns 0, -EINVAL
 * with *ret_err for bad filters, -EIO with *ret_err, or the first
 * negative value cb returned (which stops the query). */
int store_query_alerts(const char *path, const struct store_query *q,
		       int (*cb)(const struct alert *a, void *ud), void *ud,
		       char **ret_err);

/* What `harrier status` shows of a store: alert counts and the newest
 * alert's time ("" when empty). Read-only, like store_query_alerts. */
struct store_summary {
	uint64_t total;
	uint64_t by_priority[ALERT_PRIO_DEBUG + 1];
	char last_time[40];
};
int store_summary(const char *path, struct store_summary *ret,
		  char **ret_err);

#endif
