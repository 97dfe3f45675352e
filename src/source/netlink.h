/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Live kernel audit source. Registers as the audit daemon when nobody holds
 * the audit pid ("daemon" mode), otherwise joins the read-only multicast
 * group ("multicast" mode, needs CAP_AUDIT_READ). A reader thread blocks
 * only on the netlink socket and never on the consumer: when the bounded
 * record queue is full it drops and counts.
 */
#ifndef HARRIER_SOURCE_NETLINK_H
#define HARRIER_SOURCE_NETLINK_H

#include <stdbool.h>
#include <stdint.h>

#include "source/source.h"

enum source_netlink_want {
	SOURCE_NETLINK_AUTO = 0, /* daemon if the audit pid is free */
	SOURCE_NETLINK_DAEMON, /* daemon or fail */
	SOURCE_NETLINK_MULTICAST, /* multicast even if the pid is free */
};

#define SOURCE_NETLINK_DEFAULT_BACKLOG 8192

struct source_netlink_config {
	enum source_netlink_want want;
	/* Daemon mode only, restored at stop. backlog_limit 0 = the default
	 * above; backlog_wait_time (jiffies) 0 = leave the kernel's value. */
	uint32_t backlog_limit;
	uint32_t backlog_wait_time;
};

/* cfg may be NULL (all defaults). Returns NULL on allocation failure.
 * Calls set_aumessage_mode(MSG_QUIET): libaudit must not print for us. */
struct source *source_netlink_new(const struct source_netlink_config *cfg);

/* "daemon", "multicast", or "none" before a successful start. */
const char *source_netlink_mode(struct source *s);

/* True when the kernel reported audit locked (enabled 2) at start: records
 * are read, but enabled/backlog were left as they were. */
bool source_netlink_locked(struct source *s);

#endif
