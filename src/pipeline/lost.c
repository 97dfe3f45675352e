/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lost-events accounting for the daemon's "audit events lost" alert.
 * The kernel's lost counter is global and only grows (until someone resets
 * it), so what this run lost is its growth since the run started. Never
 * reads a clock or a counter itself: the caller passes them in.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "pipeline/lost.h"

void lost_init(struct lost *l, uint32_t kernel_lost_at_start)
{
	l->reported = 0;
	l->kernel_total = 0;
	l->kernel_last = kernel_lost_at_start;
	l->last_alert = 0;
	l->alerted = false;
}

int lost_check(struct lost *l, const struct lost_counts *c, int64_t now_sec,
	       char *buf, size_t len)
{
	uint64_t total, delta;
	int n;

	if (c->kernel_known) {
		if (c->kernel_lost >= l->kernel_last)
			l->kernel_total += c->kernel_lost - l->kernel_last;
		else
			l->kernel_total += c->kernel_lost; /* reset to 0 */
		l->kernel_last = c->kernel_lost;
	}
	total = c->queue_dropped + l->kernel_total;
	if (total <= l->reported)
		return 0;
	if (l->alerted && now_sec - l->last_alert < LOST_ALERT_INTERVAL_SEC)
		return 0;
	delta = total - l->reported;
	n = snprintf(buf, len,
		     "Audit events were lost (lost=%llu kernel_lost=%llu "
		     "queue_dropped=%llu kernel_backlog=%u): detections may "
		     "have been missed; raise audit.backlog_limit or reduce "
		     "the rules' event types",
		     (unsigned long long)delta,
		     (unsigned long long)l->kernel_total,
		     (unsigned long long)c->queue_dropped,
		     c->kernel_known ? c->kernel_backlog : 0);
	if (n < 0 || (size_t)n >= len)
		return -ENOBUFS;
	l->reported = total;
	l->last_alert = now_sec;
	l->alerted = true;
	return 1;
}

uint64_t lost_kernel_total(const struct lost *l)
{
	return l->kernel_total;
}
