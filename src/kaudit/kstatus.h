/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel's audit settings and counters (auditctl -s) and the two
 * settings harrierd may change (enabled 0/1, backlog limit). Each call
 * opens its own audit netlink socket, so its replies never mix with
 * another socket's records. It never sets enabled 2 (lock) or the failure
 * mode.
 */
#ifndef HARRIER_KAUDIT_KSTATUS_H
#define HARRIER_KAUDIT_KSTATUS_H

#include <stdint.h>

#include <libaudit.h>

struct kaudit_status {
	uint32_t enabled, failure, pid, backlog_limit, lost, backlog;
	uint32_t backlog_wait_time;
};

/* Send AUDIT_GET on fd (an audit_open() socket) and wait for the reply.
 * The audit_status the kernel sends may be shorter or longer than our
 * header's: what both know is copied, the rest zeroed. 0 or -errno. */
int kaudit_status_request(int fd, struct audit_status *ret);

/* The kernel's audit settings, read over a fresh socket. 0 or -errno. */
int kaudit_status_get(struct kaudit_status *ret);

/* Set the enabled flag and/or the backlog limit (needs CAP_AUDIT_CONTROL);
 * KAUDIT_KEEP leaves a value alone. enabled may only be 0 or 1: 2 locks
 * audit until reboot and is refused (-EINVAL). The daemon uses this to
 * re-enable audit that someone disabled, and to put back what a crashed
 * earlier run changed. 0 or -errno. */
#define KAUDIT_KEEP UINT32_MAX
int kaudit_status_set(uint32_t enabled, uint32_t backlog_limit);

#endif
