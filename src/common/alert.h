/* SPDX-License-Identifier: Apache-2.0 */
/*
 * struct alert: what the engine produces when a rule matches, and what
 * every sink consumes. Unlike struct event it owns all its strings, so a
 * sink may queue it (the SQLite writer does). Strings may be NULL where
 * the event had no such fact; sinks write NULL / omit them.
 */
#ifndef HARRIER_ALERT_H
#define HARRIER_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Falco's priorities, most severe first (numerically as syslog's). */
enum alert_priority {
	ALERT_PRIO_EMERGENCY = 0,
	ALERT_PRIO_ALERT,
	ALERT_PRIO_CRITICAL,
	ALERT_PRIO_ERROR,
	ALERT_PRIO_WARNING,
	ALERT_PRIO_NOTICE,
	ALERT_PRIO_INFORMATIONAL,
	ALERT_PRIO_DEBUG,
};

/* "Emergency", "Alert", "Critical", "Error", "Warning", "Notice",
 * "Informational", "Debug" (Falco's spelling). */
const char *alert_priority_name(enum alert_priority p);
/* Case-insensitive; accepts "info" for Informational as Falco does.
 * Returns 0 and writes *ret, or -EINVAL. */
int alert_priority_parse(const char *s, enum alert_priority *ret);

/* One output field: the name as the rule wrote it ("proc.name",
 * "proc.aname[2]") and its formatted value (NULL = <NA>). literal: the
 * value is a number or true/false, written bare in JSON ("proc.pid":
 * 1234, as Falco's output_fields), not as a string. */
struct alert_field {
	char *name;
	char *value;
	bool literal;
};

struct alert {
	uint64_t time_ns; /* event time */
	char *hostname;
	char *rule;
	enum alert_priority priority;
	char *output; /* formatted, not escaped (but see output_escaped) */
	/* output was escaped for display already (read back from the
	 * store's output column): sinks must not escape it twice */
	bool output_escaped;
	char **tags;
	size_t ntags;
	char *source; /* "syscall" or "audit" (non-syscall records) */

	char *container_id; /* full id; NULL on host */
	char *container_name;
	char *pod_name;
	char *pod_namespace;
	int64_t pid, ppid; /* -1 unknown */
	int64_t uid, auid; /* -1 unknown/unset */
	char *exe;
	char *cmdline;
	char *syscall;
	char *file; /* primary path */
	uint64_t audit_serial;

	struct alert_field *fields;
	size_t nfields;

	/* where its event came from: "live", a replayed log's path; NULL
	 * unknown. The engine leaves it NULL; the store sets it on its copy
	 * (store_sink_set_origin). */
	char *origin;

	/* one allocation (alert_dup's): members are not freed one by one */
	bool packed;
};

void alert_free(struct alert *a);
/* Frees f's n names and values and f itself (NULL-safe). */
void alert_fields_free(struct alert_field *f, size_t n);
/* Deep copy; NULL on allocation failure. */
struct alert *alert_dup(const struct alert *a);
/* An alert about Harrier itself (source "internal"): the time now, this
 * host's name, no process (pid, ppid, uid, auid -1). rule and output are
 * copied. Returns NULL on allocation failure. */
struct alert *alert_new_internal(enum alert_priority prio, const char *rule,
				 const char *output);
/* UTC ISO 8601 with nanoseconds: 2026-11-28T17:15:07.123456789Z.
 * buf must hold 40 bytes. */
void alert_format_time(uint64_t time_ns, char *buf, size_t len);

#endif
