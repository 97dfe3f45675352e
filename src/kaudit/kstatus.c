/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel audit status over netlink: AUDIT_GET, and AUDIT_SET of the
 * enabled flag (0 or 1 only, never the lock) and the backlog limit.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>

#include "kaudit/kstatus.h"

/* 40 polls of 100 ms for the reply, as libaudit's audit_is_enabled(). */
#define KS_REPLY_POLLS 40
#define KS_REPLY_POLL_MS 100

int kaudit_status_request(int fd, struct audit_status *ret)
{
	struct audit_reply rep;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int rc, i;

	rc = audit_request_status(fd);
	if (rc < 0)
		return rc;
	for (i = 0; i < KS_REPLY_POLLS; i++) {
		rc = poll(&pfd, 1, KS_REPLY_POLL_MS);
		if (rc < 0 && errno != EINTR)
			return -errno;
		rc = audit_get_reply(fd, &rep, GET_REPLY_NONBLOCKING, 0);
		if (rc == -EAGAIN || rc == -EINTR)
			continue;
		if (rc < 0)
			return rc;
		if (rc == 0)
			return -EPROTO;
		if (rep.type == NLMSG_ERROR) {
			if (rep.error->error)
				return rep.error->error;
			continue;
		}
		if (rep.type == AUDIT_GET) {
			struct audit_status st;
			size_t n = rep.len > (int)NLMSG_HDRLEN
					   ? (size_t)rep.len - NLMSG_HDRLEN
					   : 0;

			memset(&st, 0, sizeof(st));
			if (n > sizeof(st))
				n = sizeof(st);
			memcpy(&st, rep.status, n);
			*ret = st;
			return 0;
		}
	}
	return -ETIMEDOUT;
}

int kaudit_status_get(struct kaudit_status *ret)
{
	struct kaudit_status out;
	struct audit_status ks;
	int fd, rc;

	fd = audit_open();
	if (fd < 0)
		return -errno;
	rc = kaudit_status_request(fd, &ks);
	audit_close(fd);
	if (rc < 0)
		return rc;
	out.enabled = ks.enabled;
	out.failure = ks.failure;
	out.pid = ks.pid;
	out.backlog_limit = ks.backlog_limit;
	out.lost = ks.lost;
	out.backlog = ks.backlog;
	out.backlog_wait_time = ks.backlog_wait_time;
	*ret = out;
	return 0;
}

int kaudit_status_set(uint32_t enabled, uint32_t backlog_limit)
{
	int fd, rc = 0;

	if (enabled != KAUDIT_KEEP && enabled > 1)
		return -EINVAL;
	if (backlog_limit == 0)
		return -EINVAL;
	fd = audit_open();
	if (fd < 0)
		return -errno;
	if (enabled != KAUDIT_KEEP)
		rc = audit_set_enabled(fd, enabled);
	if (rc >= 0 && backlog_limit != KAUDIT_KEEP)
		rc = audit_set_backlog_limit(fd, backlog_limit);
	audit_close(fd);
	return rc < 0 ? rc : 0;
}
