/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Diagnostics for the programs (not for library-like modules, which return
 * errors to the caller). Messages go to stderr, or to the journal when the
 * daemon runs under systemd. Untrusted text must be passed as an argument,
 * never as the format.
 */
#ifndef HARRIER_LOG_H
#define HARRIER_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

void log_set_level(int level);
void log_set_program(const char *name);
/* Log to syslog (the journal) instead of stderr: background daemon. */
void log_use_syslog(bool on);
void log_msg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

struct diag;
/* Every diagnostic as one log line (errors at LOG_ERR, warnings at
 * LOG_WARNING): for the daemon, whose stderr may not be read. */
void log_diag(const struct diag *d);

/*
 * A rate limiter for repeated warnings: HARRIER_WARN_BURST messages per
 * HARRIER_WARN_INTERVAL_SEC; ratelimit_ok() says whether to print this one
 * and, when a new interval starts, stores in *ret_suppressed how many the
 * last interval swallowed (so the caller can say so).
 */
struct ratelimit {
	uint64_t interval_start_ns;
	unsigned int printed;
	uint64_t suppressed;
};

bool ratelimit_ok(struct ratelimit *rl, uint64_t *ret_suppressed);

#endif
