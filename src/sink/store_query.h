/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The alert store's read side, used only by the CLI: alert queries, the
 * report, the timeline of captured events and the summary `harrier
 * status` shows. Opens the store read-only and never blocks the daemon's
 * writer (store.h). Every filter is a bound parameter and each uses an
 * index (schema/002_forensics.sql), except a --file or --exe glob that
 * starts with a wildcard.
 */
#ifndef HARRIER_STORE_QUERY_H
#define HARRIER_STORE_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "common/alert.h"
#include "common/context.h"

/* Filters for `harrier alerts` and `harrier report`. All optional (NULL /
 * 0); given ones must all match. */
struct store_query {
	/* times: ISO 8601 (2026-11-28T17:00, UTC unless an offset is
	 * given), an age (30s 10m 2h 1d 1w), today, yesterday, now, or
	 * epoch seconds (1764620000[.5]) */
	const char *since;
	const char *until;     /* at or before */
	const char *rule;      /* exact rule name, or glob with * */
	const char *container; /* id prefix, name, or host */
	const char *priority;  /* this priority and more severe */
	unsigned int limit;    /* 0 = no limit */
	const char *pid;       /* process id */
	const char *file;      /* path, or glob (* ? [...]) */
	const char *exe;       /* executable path, or glob */
	const char *pod;       /* Kubernetes pod name */
	const char *namespace; /* Kubernetes namespace */
	const char *host;      /* hostname (node) */
	const char *tag;       /* one of the rule's tags */
	int64_t id;	       /* one alert; 0 = any */
	/* what the caller does not show: left out of the alerts it gets
	 * (not read from their JSON columns) */
	bool no_tags, no_fields;
	/* only what Falco's text line shows (time, priority, rule, output)
	 * is read: the alert's other strings are NULL, its ids -1 */
	bool line_only;
};

/* A stored alert as the query callbacks get it: its id and origin
 * beside the alert, all (the alert's strings too) valid during the call
 * only. */
struct store_row {
	int64_t id;
	const char *origin; /* "live", a replayed log, NULL unknown */
	const struct alert *alert;
};

/* Calls cb per matching alert, oldest first (with limit: the most recent
 * limit alerts, still oldest first). Opens the store read-only: never
 * blocks its writer. Returns the number of rows, -EINVAL with *ret_err
 * for bad filters, -EIO with *ret_err, or the first negative value cb
 * returned (which stops the query). Host alerts come back with
 * container_id and container_name NULL, as struct alert has them. */
int store_query_rows(const char *path, const struct store_query *q,
		     int (*cb)(const struct store_row *r, void *ud), void *ud,
		     char **ret_err);
/* The same with the alert alone; 0 on success. */
int store_query_alerts(const char *path, const struct store_query *q,
		       int (*cb)(const struct alert *a, void *ud), void *ud,
		       char **ret_err);
/* The SQL store_query_rows runs for q, with the values written in as SQL
 * literals: for a responder who wants to adapt it (`--sql`). Owned by
 * the caller; NULL with *ret_err for bad filters. */
char *store_query_sql(const struct store_query *q, char **ret_err);

/* `harrier report`: alert counts over the alerts q selects (its limit
 * ignored), by one dimension. cb gets each key (NULL: none, e.g. no pod)
 * and its count, most first. Returns 0 or as store_query_rows. */
enum store_report_by {
	STORE_BY_RULE,
	STORE_BY_PRIORITY,
	STORE_BY_CONTAINER, /* key "name (id)" or "host" */
	STORE_BY_POD,	    /* key "namespace/pod" */
	STORE_BY_EXE,
	STORE_BY_HOST,
};
struct store_report {
	uint64_t total;
	uint64_t first_ns, last_ns; /* 0 when total is 0 */
};
int store_report(const char *path, const struct store_query *q,
		 struct store_report *ret,
		 int (*cb)(enum store_report_by by, const char *key,
			   uint64_t count, void *ud),
		 void *ud, char **ret_err);

/* The captured context: one alert's, or a container's over a time
 * range. */
struct store_timeline_query {
	int64_t alert_id;      /* > 0: the events captured for this alert */
	const char *container; /* else: id prefix, name, or host */
	const char *since, *until;
};
/* An alert raised by a timeline event. */
struct store_event_alert {
	int64_t id;
	const char *rule;
	enum alert_priority priority;
};
struct store_event {
	int64_t id;
	const char *origin;
	const struct context_event *ev; /* no links */
	const struct store_event_alert *alerts;
	size_t nalerts;
};
/* An alert's capture (found false: the alert had none): its scope, the
 * alert's own window, the capture's counts (events handed over, left out
 * by the per-minute cap, alerts it serves); running: it has not ended,
 * the counts are not final. */
struct store_capture {
	bool found, running;
	char scope[256];
	uint64_t from_ns, until_ns, events, left_out, alerts;
};
/* Calls cb per event in time order; *ret_capture (alert mode, may be
 * NULL) gets the capture. Returns the number of events, or as
 * store_query_rows (-ENOENT with *ret_err: no such alert). */
int store_timeline(const char *path, const struct store_timeline_query *q,
		   struct store_capture *ret_capture,
		   int (*cb)(const struct store_event *e, void *ud), void *ud,
		   char **ret_err);

/* A --since/--until value at now_ns (see struct store_query) into ns
 * since the epoch. 0, or -EINVAL with *ret_err naming opt ("--since").
 * An age that reaches back before 1970 (or overflows) is an error. */
int store_query_parse_time(const char *opt, const char *s, uint64_t now_ns,
			   uint64_t *ret, char **ret_err);

/* What `harrier status` shows of a store: alert counts and the newest
 * alert's time ("" when empty); events and captures (0 in stores of
 * schema 1). Read-only, like store_query_rows. */
struct store_summary {
	uint64_t total;
	uint64_t by_priority[ALERT_PRIO_DEBUG + 1];
	char last_time[40];
	int version; /* schema */
	uint64_t events, captures;
};
int store_summary(const char *path, struct store_summary *ret,
		  char **ret_err);

#endif
