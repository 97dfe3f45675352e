/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stderr logging with a level filter and a small rate limiter. It never
 * allocates, so it is safe on error paths.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "common/diag.h"
#include "common/limits.h"
#include "common/log.h"

static int log_level = LOG_INFO;
static const char *log_program = "harrier";
static bool log_syslog;

void log_set_level(int level)
{
	log_level = level;
}

void log_set_program(const char *name)
{
	log_program = name;
}

void log_use_syslog(bool on)
{
	if (on && !log_syslog)
		openlog(log_program, LOG_PID, LOG_DAEMON);
	log_syslog = on;
}

static const char *level_name(int level)
{
	switch (level) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_NOTICE:
		return "notice";
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

/* msg to syslog, or to stderr after the program's name and, with
 * say_level, the level's. */
static void log_out(int level, bool say_level, const char *msg)
{
	if (log_syslog) {
		syslog(level, "%s", msg);
		return;
	}
	/* One fprintf per message so that lines from threads do not mix. */
	(void)fprintf(stderr, "%s: %s%s%s\n", log_program,
		      say_level ? level_name(level) : "", say_level ? ": " : "",
		      msg);
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;
	char buf[2048];

	if (level > log_level)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_out(level, true, buf);
}

void log_diag(const struct diag *d)
{
	char buf[1536];
	size_t i;
	int level;

	for (i = 0; i < d->n; i++) {
		level = d->items[i].level == DIAG_ERROR ? LOG_ERR : LOG_WARNING;
		if (level > log_level)
			continue;
		/* "FILE:LINE:COL: error: ..." says its level itself */
		diag_format(&d->items[i], buf, sizeof(buf));
		log_out(level, false, buf);
	}
}

bool ratelimit_ok(struct ratelimit *rl, uint64_t *ret_suppressed)
{
	struct timespec ts;
	uint64_t now;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	if (rl->interval_start_ns == 0 ||
	    now - rl->interval_start_ns >
		    (uint64_t)HARRIER_WARN_INTERVAL_SEC * 1000000000ULL) {
		if (ret_suppressed)
			*ret_suppressed = rl->suppressed;
		rl->interval_start_ns = now;
		rl->printed = 0;
		rl->suppressed = 0;
	}
	if (rl->printed < HARRIER_WARN_BURST) {
		rl->printed++;
		return true;
	}
	rl->suppressed++;
	return false;
}
