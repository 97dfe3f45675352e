/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-rule rate limiting of the notification outputs (stdout, journald,
 * http, file, program): Falco's outputs.rate / outputs.max_burst token
 * bucket, kept per rule, so that one noisy rule cannot drown the others.
 * Each rule may send max_burst notifications at once, then rate per
 * second. The store is never limited: it keeps every alert. What was
 * held back is counted per rule and handed out as a summary.
 */
#ifndef HARRIER_OUTLIMIT_H
#define HARRIER_OUTLIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/clock.h"

#define OUTLIMIT_ALERT_RULE "Harrier internal: alerts rate limited"

struct outlimit;

/* rate 0: no limit. clock NULL: the system's. NULL on ENOMEM. */
struct outlimit *outlimit_new(double rate, uint32_t max_burst,
			      const struct hclock *clock);
void outlimit_free(struct outlimit *l);
/* New settings (SIGHUP); the buckets start full again. */
void outlimit_set(struct outlimit *l, double rate, uint32_t max_burst);

/* Whether an alert of rule may go to the notification outputs (takes a
 * token if so; counts it as suppressed if not). */
bool outlimit_allow(struct outlimit *l, const char *rule);

/* What was suppressed since the last summary, rule by rule (cb), then
 * the counts start again from 0. Returns the total. */
uint64_t outlimit_summary(struct outlimit *l,
			  void (*cb)(const char *rule, uint64_t n, void *ud),
			  void *ud);

#endif
