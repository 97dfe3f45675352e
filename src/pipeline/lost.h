/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Lost-events accounting: from the counters of what was lost (the source's
 * queue drops, the kernel's lost counter) decides when the daemon raises
 * its "audit events lost" alert and with which text. Rate-limited, so a
 * sustained loss cannot flood the sinks. Pure: no clock, no I/O, no log.
 */
#ifndef HARRIER_PIPELINE_LOST_H
#define HARRIER_PIPELINE_LOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* At most one alert per this many seconds (Falco's drop alert is
 * rate-limited the same way); losses in between are told in the next. */
#define LOST_ALERT_INTERVAL_SEC 30
/* The alert's rule name. */
#define LOST_ALERT_RULE "Harrier internal: audit events lost"
/* A buffer of this size always holds the message. */
#define LOST_MSG_MAX 512

/* State between checks; set up with lost_init, members are private. */
struct lost {
	uint64_t reported; /* losses already told */
	uint64_t kernel_total; /* kernel losses since start, over resets */
	uint32_t kernel_last; /* the kernel counter last seen */
	int64_t last_alert; /* when the last alert was raised */
	bool alerted; /* last_alert is set */
};

/* The counters now. queue_dropped counts from the source's start. The
 * kernel's counters (auditctl -s "lost", "backlog") are used only when
 * kernel_known (a live netlink source that could read them). */
struct lost_counts {
	uint64_t queue_dropped;
	bool kernel_known;
	uint32_t kernel_lost;
	uint32_t kernel_backlog;
};

/* kernel_lost_at_start: the kernel's lost counter when the source started
 * (0 if unknown); only losses after it are ours to report. */
void lost_init(struct lost *l, uint32_t kernel_lost_at_start);

/* Account c at time now_sec (seconds of a monotonic clock). A kernel
 * counter lower than the last one seen was reset (auditctl --reset-lost)
 * or wrapped: counting goes on from its new value. Returns 1 with the
 * alert text in buf when an alert is due: something was lost since the
 * last alert and none was raised in the last LOST_ALERT_INTERVAL_SEC;
 * 0 when not; -ENOBUFS if buf (len bytes) is too small for the text
 * (nothing is then counted as reported). */
int lost_check(struct lost *l, const struct lost_counts *c, int64_t now_sec,
	       char *buf, size_t len);

/* Kernel losses since start as of the last lost_check (over resets). */
uint64_t lost_kernel_total(const struct lost *l);

#endif
