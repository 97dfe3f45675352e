/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a capture (pipeline/capture.h) hands to the store: an enriched
 * event kept as context of one or more alerts, and the summary of a
 * capture when it ends. Alerts are named by their key (event time, audit
 * serial, rule, node), the store's identity of an alert, since the store
 * assigns ids only when it writes. Everything here is borrowed for the
 * call; a sink that queues it copies it (context_event_dup).
 */
#ifndef HARRIER_CONTEXT_H
#define HARRIER_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An alert as the store knows it (alerts_key in schema/002). */
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

	/* the alerts this event is context of */
	struct alert_key *links;
	size_t nlinks;
};

/* A capture: its window and scope, the events it linked and how many
 * the per-minute cap left out; handed over when it starts (running) and
 * when it ends. */
struct context_summary {
	struct alert_key alert;
	char *scope;
	uint64_t from_ns, until_ns;
	uint64_t events, left_out;
	bool running;
};

/* Deep copies (NULL on allocation failure) and frees (NULL-safe). */
struct context_event *context_event_dup(const struct context_event *e);
void context_event_free(struct context_event *e);
struct context_summary *context_summary_dup(const struct context_summary *s);
void context_summary_free(struct context_summary *s);
/* Frees the strings of k, not k itself. */
void alert_key_clear(struct alert_key *k);
/* Copy src's strings into *dst; 0 or -ENOMEM (dst cleared). */
int alert_key_copy(struct alert_key *dst, const struct alert_key *src);

#endif
