/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Context around alerts (Falco's captures, for audit events): a bounded
 * window of recent enriched events, and for each alert that asks for it
 * (its rule has capture: true, or it is at least capture.min_priority)
 * the events of its scope from `before` before the alert to its duration
 * after, handed to an output (the store). Scope: the alert's container;
 * on the host, the alert process's lineage (its ancestors, and the
 * descendants of its parent) within its audit session. One capture per
 * scope at a time: an alert in the scope of a running capture joins it
 * (adding its window), so a storm of alerts holds each event once. A
 * per-minute cap bounds the hand-overs and counts what it left out. It adds no kernel rules:
 * the window holds the events the kernel rules bring anyway.
 * Times are event times, so a replayed log gets the context the daemon
 * would have captured. Not thread-safe: the pipeline's thread only.
 */
#ifndef HARRIER_CAPTURE_H
#define HARRIER_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "common/alert.h"
#include "common/context.h"
#include "common/event.h"

struct engine;
struct capture;

struct capture_options {
	enum alert_priority min_priority; /* capture.min_priority */
	uint64_t before_ns;		  /* capture.before */
	uint64_t duration_ns;		  /* capture.default_duration */
	size_t max_bytes;		  /* capture.max_memory_mb */
	uint32_t max_per_minute;	  /* capture.max_events_per_minute */
};
/* The defaults of the capture.* config keys. */
void capture_options_init(struct capture_options *o);

/* Where captured context goes; the calls must not block for long (the
 * store queues). A capture's summary comes first (when it starts), then
 * the alerts joining it and its events; the summary again when it ends.
 * Their return values are the output's business: what it could not take
 * it counts itself. */
struct capture_output {
	int (*event)(void *ud, const struct context_event *e);
	int (*summary)(void *ud, const struct context_summary *s);
	int (*join)(void *ud, const struct context_join *j);
	void *ud;
};

/* hostname: the node name events get when their record has no node=
 * (the engine's, so that alerts and events agree); NULL: gethostname. */
struct capture *capture_new(const struct capture_options *o,
			    const struct capture_output *out,
			    const char *hostname);
/* Ends every capture (their summaries go out) and frees. NULL-safe. */
void capture_free(struct capture *c);
/* New options (reload); max_bytes applies to the window from now on. */
void capture_set_options(struct capture *c, const struct capture_options *o);
/* The rules with capture: true and their capture_duration, from e
 * (after engine_compile; again after a reload). 0 or -ENOMEM. */
int capture_set_rules(struct capture *c, const struct engine *e);

/* Every enriched event, before the engine sees it. */
void capture_event(struct capture *c, const struct event *ev);
/* Every alert, after the sinks have it (the output's link needs the
 * alert written first); starts a capture when the alert asks for one. */
void capture_alert(struct capture *c, const struct alert *a);
/* Ends the captures whose window closed before now_ns (less a grace
 * for events still on their way); live, from the event loop's timer. */
void capture_tick(struct capture *c, uint64_t now_ns);
/* Ends every capture now (end of input, stop). */
void capture_flush(struct capture *c);

struct capture_stats {
	uint64_t events;	 /* seen */
	uint64_t window_dropped; /* left the window early: memory cap */
	size_t window_bytes, window_events;
	uint64_t captures;	 /* started */
	uint64_t joined;	 /* alerts that joined a running capture */
	uint64_t captures_skipped; /* too many at once */
	uint64_t sent;		 /* events handed to the output */
	uint64_t left_out;	 /* per-minute cap */
};
void capture_get_stats(const struct capture *c, struct capture_stats *ret);

#endif
