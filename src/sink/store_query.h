/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The alert store's read side, used only by the CLI: queries and the
 * summary `harrier status` shows. Opens the store read-only and never
 * blocks the daemon's writer (store.h).
 */
#ifndef HARRIER_STORE_QUERY_H
#define HARRIER_STORE_QUERY_H

#include <stdint.h>

#include "common/alert.h"

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
