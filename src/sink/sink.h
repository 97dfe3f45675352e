/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One interface, several outputs (the SQLite store, stdout, journald):
 * chosen at start, each alert handed to every sink. A sink borrows the
 * alert for the call; one that queues it copies it (alert_dup). A sink
 * that fails must not lose alerts silently nor stop the others: it
 * retries, counts what it dropped and reports that in its stats.
 */
#ifndef HARRIER_SINK_H
#define HARRIER_SINK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/alert.h"
#include "common/strbuf.h"
#include "sink/alert_json.h"

struct sink;

struct sink_stats {
	uint64_t emitted; /* accepted */
	uint64_t written; /* durably delivered */
	uint64_t dropped; /* lost after retries */
};

/* Something an output wants said while it runs: a fault that began or
 * cleared ("http output: cannot deliver ...; retrying"), for the daemon
 * to log (and, with alert set, to raise as an internal alert of rule). */
struct sink_report {
	bool start;	  /* false: the problem cleared */
	bool alert;	  /* raise an internal alert too */
	const char *rule; /* static; for alert */
	char text[768];
};

struct sink_ops {
	const char *name;
	int (*emit)(struct sink *s, const struct alert *a);
	/* Block until everything emitted so far is written. */
	int (*flush)(struct sink *s);
	void (*stats)(struct sink *s, struct sink_stats *ret);
	void (*free)(struct sink *s);
	/* The oldest report not taken yet: 1 with *ret, 0 when none. */
	int (*take_report)(struct sink *s, struct sink_report *ret);
	/* Reopen files (SIGUSR2, after logrotate); NULL when none. */
	void (*reopen)(struct sink *s);
	/* A notification output (stdout, journald, http, file, program):
	 * rate limited per rule. The store is not: it keeps every alert. */
	bool notify;
};

struct sink {
	const struct sink_ops *ops;
	void *state;
};

int sink_emit(struct sink *s, const struct alert *a);
int sink_flush(struct sink *s);
void sink_stats(struct sink *s, struct sink_stats *ret);
void sink_free(struct sink *s);
int sink_take_report(struct sink *s, struct sink_report *ret);
void sink_reopen(struct sink *s);
const char *sink_name(const struct sink *s);
bool sink_is_notify(const struct sink *s);

/* Falco's text line of an alert, without newline: "TIME: Priority
 * output" (the rule's name when it has no output), escaped for a
 * terminal: stdout's line, and program_output's without json_output. */
void alert_text_append(struct strbuf *sb, const struct alert *a);

/* stdout (or any FILE): one readable line per alert like Falco's
 * "TIME: Priority output", or Falco's JSON shape when json is true.
 * Untrusted text is escaped for the terminal. */
struct sink *sink_stdout_new(FILE *out, bool json);
/* By default each line is flushed as it is written. batched: lines are
 * only buffered, and the caller calls sink_flush() after each batch (a
 * daemon after each pass of its event loop): one write per batch. */
void sink_stdout_set_batched(struct sink *s, bool batched);

#endif
