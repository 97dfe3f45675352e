/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a capture (pipeline/capture.h) hands to the store: a capture (its
 * scope and window), the alerts that join it, and the enriched events it
 * holds. Alerts are named by their key (event time, audit serial, rule,
 * node), the store's identity of an alert, since the store assigns ids
 * only when it writes; a capture by the key of the alert that started it.
 * Everything here is borrowed for the call; a sink that queues it copies
 * it (the _dup functions).
 */
#ifndef HARRIER_CONTEXT_H
#define HARRIER_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An alert as the store knows it (alerts_key in schema/002); a capture
 * by its first alert's (captures_key). */
struct alert_key {
	uint64_t time_ns;
	uint64_t serial;
	char *rule;
	char *hostname;
};

struct context_event {
	uint64_t time_ns;
	uint64_t serial;
	char *hostname;
	char *syscall; /* or the record type of a non-syscall event */
	int success;   /* 1, 0, -1 not reported */
	int64_t exit;
	bool has_exit;
	int64_t pid, ppid, uid; /* -1 unknown */
	int64_t auid, ses;	/* -1 unset */
	char *exe;
	char *cmdline; /* proc.cmdline, as alerts have it */
	char *argv;    /* an exec's arguments as run (argv[0] first), or NULL */
	char *cwd;
	char *file;
	char *address;
	char *container_id; /* "host" outside containers */
	char *container_name;
	char *pod_name;
	char *pod_namespace;
	/* "live", a replayed log's path, NULL unknown: the capture leaves it
	 * NULL, the store sets it on its copy (as struct alert's) */
	char *origin;

	/* the captures that hold it */
	struct alert_key *links;
	size_t nlinks;
};

/* A capture: its scope and window (all its alerts' windows together),
 * the events it handed over, how many the per-minute cap left out, how
 * many alerts it serves; handed over when it starts (running) and when it
 * ends. */
struct context_summary {
	struct alert_key capture;
	char *scope;
	uint64_t from_ns, until_ns;
	uint64_t events, left_out, alerts;
	bool running;
};

/* An alert joining a capture (the one it started, or one running in the
 * same scope): its own window, from capture.before before it to its
 * capture duration after. */
struct context_join {
	struct alert_key alert;
	struct alert_key capture;
	uint64_t from_ns, until_ns;
};

/* Deep copies (NULL on allocation failure), each one allocation: its
 * members are not freed or replaced one by one; and frees (NULL-safe). */
struct context_event *context_event_dup(const struct context_event *e);
void context_event_free(struct context_event *e);
struct context_summary *context_summary_dup(const struct context_summary *s);
void context_summary_free(struct context_summary *s);
struct context_join *context_join_dup(const struct context_join *j);
void context_join_free(struct context_join *j);
/* Frees the strings of k, not k itself. */
void alert_key_clear(struct alert_key *k);
/* Copy src's strings into *dst; 0 or -ENOMEM (dst cleared). */
int alert_key_copy(struct alert_key *dst, const struct alert_key *src);
struct alert;
/* The key of alert a (its strings borrowed from a). */
struct alert_key alert_key_of(const struct alert *a);
/* Whether a and b name the same alert (a NULL rule is ""). */
bool alert_key_same(const struct alert_key *a, const struct alert_key *b);

#endif
