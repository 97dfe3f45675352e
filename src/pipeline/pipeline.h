/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one path every source's records take: assembler -> enricher ->
 * engine -> sinks. Live, plugin and replay use the same pipeline, so a
 * replayed audit.log raises exactly the alerts the daemon would have.
 * Not thread-safe: one thread feeds it.
 */
#ifndef HARRIER_PIPELINE_H
#define HARRIER_PIPELINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "common/alert.h"
#include "common/diag.h"
#include "engine/engine.h"
#include "pipeline/capture.h"
#include "sink/sink.h"

struct proctable;
struct pipeline;

struct pipeline_stats {
	uint64_t records, events, malformed, alerts;
	uint64_t suppressed; /* alerts held back from notification outputs */
	uint64_t closed_early; /* events split: too many interleaved */
	uint64_t alerts_by_priority[ALERT_PRIO_DEBUG + 1];
};

/* engine and sinks are borrowed; proctable may be NULL (no enrichment). */
struct pipeline *pipeline_new(struct engine *engine, struct proctable *pt);
void pipeline_free(struct pipeline *p);
int pipeline_add_sink(struct pipeline *p, struct sink *s);
/* Take s out (reload switches outputs on and off); -ENOENT if not in. */
int pipeline_remove_sink(struct pipeline *p, struct sink *s);
struct outlimit;
/* Hold notifications back per rule (outlimit.h); NULL: no limit. */
void pipeline_set_limit(struct pipeline *p, struct outlimit *l);
/* Drop events of this process (the daemon's own activity: its rule
 * changes emit CONFIG_CHANGE records the kernel rules cannot exclude). */
void pipeline_ignore_pid(struct pipeline *p, pid_t pid);
/* Called for every event after enrichment, before the engine (the daemon
 * watches CONFIG_CHANGE records and container starts this way); when it
 * returns false neither the capture nor the engine sees the event. NULL
 * to remove. */
void pipeline_set_observer(struct pipeline *p,
			   bool (*cb)(const struct event *ev, void *ud),
			   void *ud);
/* Swap the engine (reload); the old one is the caller's to free. */
void pipeline_set_engine(struct pipeline *p, struct engine *engine);
/* Keep context around alerts (capture.h) in the store sink store (added
 * with pipeline_add_sink; store.h): every enriched event goes to the
 * capture, and every alert after the sinks. It learns the rules' capture
 * settings from the engine, now and on every pipeline_set_engine. The
 * pipeline owns the capture; pipeline_flush and pipeline_free end its
 * captures. 0 or -ENOMEM. */
int pipeline_capture_into(struct pipeline *p, struct sink *store,
			  const struct capture_options *o);
/* New capture options (reload); nothing without a capture. */
void pipeline_capture_options(struct pipeline *p,
			      const struct capture_options *o);
/* The capture's counters; false when there is no capture. */
bool pipeline_capture_stats(const struct pipeline *p,
			    struct capture_stats *ret);

/* A source_record_cb: feed one record. */
int pipeline_record(const char *rec, size_t len, void *pipeline);
/* Timer: complete idle events. */
void pipeline_age(struct pipeline *p);
/* End of input: complete all events and flush the sinks. */
void pipeline_flush(struct pipeline *p);
/* Raise an alert that did not come from a rule (internal alerts such as
 * "audit events lost"); a is consumed. */
void pipeline_emit(struct pipeline *p, struct alert *a);

void pipeline_get_stats(const struct pipeline *p, struct pipeline_stats *ret);
/* Lines and events skipped as malformed so far, and why the last was
 * (assembler_malformed_why: *ret_why NULL before any, *ret_serial the
 * event's audit serial or 0 for a line). */
uint64_t pipeline_malformed(const struct pipeline *p, const char **ret_why,
			    uint64_t *ret_serial);

/* Load rules files into e and compile: the given files, or when nfiles is
 * 0 the defaults (sysconfdir/harrier_rules.yaml, harrier_rules.local.yaml
 * when present, rules.d/\*.yaml sorted). Returns 0, -EINVAL (d says why) or
 * -errno. */
int pipeline_load_rules(struct engine *e, const char *const *files,
			size_t nfiles, const char *sysconfdir,
			struct diag *d);

/* engine_new + min priority + strictness (engine_set_strict) +
 * pipeline_load_rules: a compiled engine in *ret, or NULL and -errno /
 * -EINVAL with every problem in d. */
int pipeline_engine_new(const char *const *files, size_t nfiles,
			const char *sysconfdir, enum alert_priority min_priority,
			bool strict, struct diag *d, struct engine **ret);

/* Asked about every rules file before it is read: 0, or -errno with a
 * message (the daemon refuses files a non-root user may change). */
typedef int (*pipeline_rules_check)(const char *path, char **ret_err);
/* pipeline_engine_new with check (NULL: none) on every file. */
int pipeline_engine_new_checked(const char *const *files, size_t nfiles,
				const char *sysconfdir,
				enum alert_priority min_priority, bool strict,
				pipeline_rules_check check, struct diag *d,
				struct engine **ret);
/* `PROGRAM --version`: the package version (configure.ac) and the Falco
 * rules-engine version the rules language implements. */
void pipeline_print_version(FILE *out, const char *program);

#endif
