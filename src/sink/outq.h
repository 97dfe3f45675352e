/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The notification outputs that talk to something outside (http, file,
 * program) share this: emit() formats the alert (Falco's JSON, or the
 * text line) and puts the line in a bounded queue; a thread of the
 * output's own hands batches to a backend, retries with backoff while it
 * fails, and reports when it starts and stops failing. Detection never
 * waits for a receiver: when the queue is full the oldest line goes, and
 * is counted.
 */
#ifndef HARRIER_OUTQ_H
#define HARRIER_OUTQ_H

#include <stdbool.h>
#include <stddef.h>

#include "sink/sink.h"

/* What deliver() says about a batch. */
enum outq_result {
	OUTQ_SENT,	/* every line delivered */
	OUTQ_RETRY,	/* nothing delivered; try again later */
	OUTQ_REJECTED,	/* the receiver refused them: counted as dropped */
};

struct outq_backend {
	const char *name; /* "http", "file", "program" */
	/* Deliver lines[0..n) (each without newline, NUL-terminated, of
	 * lens[i] bytes). why gets the reason of a failure. Runs on the
	 * output's thread only. */
	enum outq_result (*deliver)(void *ctx, char *const *lines,
				    const size_t *lens, unsigned int n,
				    char *why, size_t whylen);
	/* Called before each batch when a reopen was asked (SIGUSR2). */
	void (*reopen)(void *ctx);
	void (*free)(void *ctx);
};

struct outq_options {
	unsigned int queue_max; /* lines */
	unsigned int max_batch; /* lines per deliver() */
	bool json;		/* Falco's JSON; else the text line */
	unsigned int retry_min_ms, retry_max_ms;
};

/* The sink; ctx is the backend's, freed by be->free with the sink. NULL
 * on ENOMEM (ctx freed then too). */
struct sink *outq_sink_new(const struct outq_backend *be, void *ctx,
			   const struct outq_options *o);

#endif
