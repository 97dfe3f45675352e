/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http_output: alerts POSTed in Falco's JSON with libcurl, on the output's
 * own thread (sink/outq.h): one document per request as falcosidekick
 * takes them, or JSON lines (application/x-ndjson) in batches of up to
 * max_batch for receivers that take those. 2xx is delivered; a timeout,
 * a connection error, 408, 429 or 5xx is retried with backoff; any other
 * answer is a refusal (counted, reported). Falco's keys.
 */
#ifndef HARRIER_HTTP_H
#define HARRIER_HTTP_H

#include <stdbool.h>

#include "sink/sink.h"

struct http_options {
	const char *url;
	const char *user_agent;
	bool insecure;
	const char *ca_cert, *ca_bundle, *ca_path; /* NULL: unset */
	bool mtls;
	const char *client_cert, *client_key;
	bool echo;	       /* answers to stdout */
	bool compress_uploads; /* gzip, Content-Encoding: gzip */
	bool keep_alive;       /* one reused connection with TCP keepalive */
	unsigned int max_consecutive_timeouts;
	unsigned int timeout_ms;
	unsigned int max_batch;
	unsigned int queue_max;
};

/* The sink, or NULL with *ret_err (caller frees). Strings are copied. */
struct sink *http_sink_new(const struct http_options *o, char **ret_err);

#endif
