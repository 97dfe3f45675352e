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

/* Query side for `harrier alerts`. All filters optional (NULL / 0). */
struct store_query {
	const char *since;     /* ISO 8601 time, or relative "10m" "2h" "1d" */
	const char *rule;      /* exact rule name, or glob with * */
	const char *container; /* id prefix or name */
	const char *priority;  /* this priority and more severe */
	unsigned int limit;    /* 0 = no limit */
};

/* Calls cb per matching alert, oldest first. Returns 0, -EINVAL with
 * *ret_err for bad filters, or -EIO with *ret_err. */
int store_query_alerts(const char *path, const struct store_query *q,
		       int (*cb)(const struct alert *a, void *ud), void *ud,
		       char **ret_err);

#endif
