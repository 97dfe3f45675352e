/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Live kernel audit source over NETLINK_AUDIT. The reader thread is the
 * only thing between the kernel's backlog and us: it blocks on nothing but
 * the socket (a stalled reader stalls every audited process once the
 * backlog fills), trusts only messages from the kernel (nl_pid 0) with sane
 * lengths, and drops-and-counts when the record queue is full.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libaudit.h>
#include <linux/netlink.h>

#include "common/limits.h"
#include "common/strbuf.h"
#include "kaudit/kstatus.h"
#include "source/netlink.h"

/* One datagram carries one kernel record (at most MAX_AUDIT_MESSAGE_LENGTH
 * of text); the extra room lets us detect, not truncate, oversized ones. */
#define NL_RECV_BUF 65536
/* Datagrams per recvmmsg(2): one system call for a burst of records (an
 * exec is 5-7 of them). The buffers are touched only as far as records
 * reach, so the resident cost is a few pages. */
#define NL_RECV_MSGS 16
/* Records per source_read() call, so the daemon's loop still runs timers
 * under a flood. */
#define NL_READ_BATCH 4096
/* Socket receive buffer asked for: rides out short consumer stalls. */
#define NL_SOCK_RCVBUF (8 * 1024 * 1024)
/* After a pass that found records, the reader waits this long before it
 * reads again (the socket buffer holds what arrives meanwhile): under
 * load one wake-up of the reader and of the daemon's loop carries many
 * records instead of one; the first record after a quiet spell is still
 * passed on at once. Bounds the added alert delay. Wake-ups are most of
 * the cost on a VM: at ~900 execs/s, 5 ms took 109 ms of CPU per 1000
 * events, 10 ms 96, 20 ms 71, 50 ms 64 (bench/live's load); with the
 * shipped rules at ~250 execs/s, harrierd's own CPU per 1000 events was
 * 0.19-0.23 s with 20 ms and 0.11-0.15 s with 50 ms (each batch has its
 * fixed costs: two threads woken, the runtime roots looked at), and the
 * p99 alert delay 61 ms (28-39 ms with 20 ms; target < 100 ms). */
#ifndef NL_BATCH_WINDOW_MS
#define NL_BATCH_WINDOW_MS 50
#endif

enum nl_mode { NL_MODE_NONE, NL_MODE_DAEMON, NL_MODE_MULTICAST };

/* Records travel from the reader to the daemon's loop in chunks: one
 * allocation and one lock for a batch, not for each record (a malloc in
 * one thread and a free in the other per record, with a lock on each
 * side, was about a tenth of harrierd's CPU under exec load). In a chunk
 * each record is its length (a size_t), its text and a NUL, padded to a
 * size_t. */
#define NL_CHUNK_SIZE (64 * 1024)
/* Emptied chunks kept for the reader to fill again. */
#define NL_CHUNKS_KEPT 4

struct nl_chunk {
	struct nl_chunk *next;
	size_t used, cap; /* bytes of data[] filled, allocated */
	size_t nrec;
	char data[];
};

struct nl_state {
	struct source_netlink_config cfg;
	enum nl_mode mode;
	bool locked;
	int sock;
	int evfd;
	int stopfd;
	pthread_t thread;
	bool thread_started;
	bool stopped; /* after stop: an empty queue is the end of input */

	pthread_mutex_t lock; /* queue, spare, counters, reader_error */
	struct nl_chunk *qhead, *qtail; /* published, oldest first */
	size_t count; /* records in the published chunks */
	struct nl_chunk *spare; /* emptied chunks, at most NL_CHUNKS_KEPT */
	size_t nspare;
	/* the reader's own: the chunk it fills, and how many records the
	 * queue may still take (count is only read when it publishes) */
	struct nl_chunk *fill;
	size_t room;
	/* the daemon loop's own: the chunk it reads, and where */
	struct nl_chunk *cur;
	size_t cur_off;
	uint64_t records, dropped, malformed;
	int reader_error;

	/* daemon mode: what we changed, to restore at stop */
	bool registered;
	bool set_enabled, set_backlog, set_wait;
	uint32_t old_enabled, old_backlog, old_wait;
};

static int nl_socket_error(int err, char **ret_err)
{
	if (err == EPROTONOSUPPORT || err == EAFNOSUPPORT || err == EINVAL) {
		err_set(ret_err,
			"this kernel has no audit support "
			"(CONFIG_AUDIT): %s",
			strerror(err));
		return -EPROTONOSUPPORT;
	}
	err_set(ret_err, "cannot open the audit netlink socket: %s",
		strerror(err));
	return -err;
}

static int nl_open_ctl(char **ret_err)
{
	int fd = audit_open();

	if (fd >= 0)
		return fd;
	return nl_socket_error(errno, ret_err);
}

static void nl_grow_rcvbuf(int fd)
{
	int sz = NL_SOCK_RCVBUF;

	/* FORCE needs CAP_NET_ADMIN; the plain one is capped by rmem_max.
	 * Either is only an improvement: failures are fine. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

static bool nl_pid_alive(uint32_t pid)
{
	return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

/* Undo what daemon mode changed, over a fresh socket: the kernel accepts
 * "pid 0" from any socket of the registered process. */
static void nl_daemon_restore(struct nl_state *st)
{
	int fd;

	if (!st->registered && !st->set_enabled && !st->set_backlog &&
	    !st->set_wait)
		return;
	fd = audit_open();
	if (fd < 0)
		return;
	if (st->set_enabled)
		(void)audit_set_enabled(fd, st->old_enabled);
	if (st->set_backlog)
		(void)audit_set_backlog_limit(fd, st->old_backlog);
	if (st->set_wait)
		(void)audit_set_backlog_wait_time(fd, st->old_wait);
	if (st->registered)
		(void)audit_set_pid(fd, 0, WAIT_NO);
	audit_close(fd);
	st->registered = false;
	st->set_enabled = st->set_backlog = st->set_wait = false;
}

static int nl_start_daemon(struct nl_state *st, int ctl,
			   const struct audit_status *ks, char **ret_err)
{
	uint32_t backlog;
	int fd, rc;

	fd = audit_open();
	if (fd < 0)
		return nl_socket_error(errno, ret_err);
	nl_grow_rcvbuf(fd);
	/* The kernel sends records to the socket that registered. WAIT_NO:
	 * audit_send() already consumed the ack; WAIT_YES would swallow the
	 * first record sent to us. */
	rc = audit_set_pid(fd, (uint32_t)getpid(), WAIT_NO);
	if (rc < 0) {
		audit_close(fd);
		if (rc == -EPERM || rc == -EACCES)
			err_set(ret_err,
				"registering as the audit daemon needs "
				"root (CAP_AUDIT_CONTROL)");
		else if (rc != -EEXIST)
			err_set(ret_err,
				"cannot register as the audit "
				"daemon: %s",
				strerror(-rc));
		return rc;
	}
	st->sock = fd;
	st->registered = true;
	if (st->locked)
		return 0;

	if (ks->enabled == 0) {
		rc = audit_set_enabled(ctl, 1);
		if (rc < 0) {
			err_set(ret_err, "cannot enable kernel audit: %s",
				strerror(-rc));
			return rc;
		}
		st->set_enabled = true;
		st->old_enabled = ks->enabled;
	}
	/* Only raise the backlog: an administrator's larger one stays. */
	backlog = st->cfg.backlog_limit ? st->cfg.backlog_limit
					: SOURCE_NETLINK_DEFAULT_BACKLOG;
	if (ks->backlog_limit < backlog) {
		rc = audit_set_backlog_limit(ctl, backlog);
		if (rc < 0) {
			err_set(ret_err,
				"cannot set the audit backlog limit "
				"to %u: %s",
				backlog, strerror(-rc));
			return rc;
		}
		st->set_backlog = true;
		st->old_backlog = ks->backlog_limit;
	}
	if (st->cfg.backlog_wait_time &&
	    st->cfg.backlog_wait_time != ks->backlog_wait_time) {
		rc = audit_set_backlog_wait_time(ctl,
						 st->cfg.backlog_wait_time);
		if (rc < 0) {
			err_set(ret_err,
				"cannot set backlog_wait_time to "
				"%u: %s",
				st->cfg.backlog_wait_time, strerror(-rc));
			return rc;
		}
		st->set_wait = true;
		st->old_wait = ks->backlog_wait_time;
	}
	return 0;
}

static int nl_start_multicast(struct nl_state *st, bool status_denied,
			      uint32_t holder, char **ret_err)
{
	struct sockaddr_nl sa;
	int grp = AUDIT_NLGRP_READLOG;
	int fd, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0)
		return nl_socket_error(errno, ret_err);
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		       sizeof(grp)) < 0) {
		err = errno;
		close(fd);
		if (err == EPERM && status_denied)
			err_set(ret_err,
				"not permitted to read kernel audit: run as "
				"root (CAP_AUDIT_CONTROL to be the audit "
				"daemon, or CAP_AUDIT_READ for the multicast "
				"group)");
		else if (err == EPERM)
			err_set(ret_err,
				"the audit pid is held by process %u "
				"(auditd?) and joining the audit multicast "
				"group is not permitted (needs CAP_AUDIT_READ)",
				holder);
		else
			err_set(ret_err,
				"cannot join the audit multicast "
				"group: %s",
				strerror(err));
		return -err;
	}
	nl_grow_rcvbuf(fd);
	st->sock = fd;
	return 0;
}

static void nl_signal(int fd)
{
	uint64_t one = 1;

	/* EAGAIN means the counter is already non-zero: still readable. */
	(void)!write(fd, &one, sizeof(one));
}

static size_t nl_rec_size(size_t len)
{
	size_t a = sizeof(size_t);

	return (sizeof(size_t) + len + 1 + a - 1) & ~(a - 1);
}

/* The reader's chunk goes to the queue (the daemon's loop sees it), and
 * the reader learns how much room the queue has left. While the loop is
 * behind (chunks wait), a chunk mostly empty is cut to what it holds:
 * the queue's memory stays near its records' size (a stalled loop and a
 * trickle of records would otherwise queue a whole chunk per record). */
static void nl_publish(struct nl_state *st)
{
	struct nl_chunk *c = st->fill, *cut;
	bool behind;

	pthread_mutex_lock(&st->lock);
	behind = st->qhead != NULL;
	if (c && c->nrec && behind && c->used < c->cap / 4) {
		pthread_mutex_unlock(&st->lock);
		cut = realloc(c, sizeof(*c) + c->used);
		if (cut) {
			c = st->fill = cut;
			c->cap = c->used;
		}
		pthread_mutex_lock(&st->lock);
	}
	if (c && c->nrec) {
		c->next = NULL;
		if (st->qtail)
			st->qtail->next = c;
		else
			st->qhead = c;
		st->qtail = c;
		st->count += c->nrec;
		st->records += c->nrec;
		st->fill = NULL;
	}
	st->room = st->count < HARRIER_RECORD_QUEUE_MAX
			   ? HARRIER_RECORD_QUEUE_MAX - st->count
			   : 0;
	pthread_mutex_unlock(&st->lock);
}

/* Room for a record of len bytes in the reader's chunk: a full chunk is
 * published and a spare (or new) one taken. NULL when out of memory. */
static char *nl_reserve(struct nl_state *st, size_t len)
{
	size_t need = nl_rec_size(len);
	struct nl_chunk *c = st->fill;

	if (c && c->cap - c->used >= need)
		return c->data + c->used;
	if (c) {
		nl_publish(st);
		/* an empty chunk is not published: it goes */
		free(st->fill);
		st->fill = NULL;
	}
	c = NULL;
	if (need <= NL_CHUNK_SIZE) {
		pthread_mutex_lock(&st->lock);
		c = st->spare;
		if (c) {
			st->spare = c->next;
			st->nspare--;
		}
		pthread_mutex_unlock(&st->lock);
	}
	if (!c) {
		size_t cap = need > NL_CHUNK_SIZE ? need : NL_CHUNK_SIZE;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->cap = cap;
	}
	c->next = NULL;
	c->used = 0;
	c->nrec = 0;
	st->fill = c;
	return c->data;
}

static void nl_free_chunks(struct nl_chunk *c)
{
	while (c) {
		struct nl_chunk *next = c->next;

		free(c);
		c = next;
	}
}

static void nl_count_malformed(struct nl_state *st)
{
	pthread_mutex_lock(&st->lock);
	st->malformed++;
	pthread_mutex_unlock(&st->lock);
}

/* Turn one kernel message into the line auditd would have written:
 * "type=NAME msg=audit(...): ...". Returns true if a record was queued. */
static bool nl_handle_msg(struct nl_state *st, uint16_t type, const char *data,
			  size_t len)
{
	const char *name;
	char prefix[64];
	char *r, *text;
	size_t plen, tlen, nlen, rlen, i;
	int n;

	/* Below 1100 are commands and their replies (AUDIT_GET, list
	 * replies, acks); AUDIT_REPLACE is the kernel's liveness probe of
	 * the audit daemon and carries a binary pid, not text. */
	if (type < AUDIT_FIRST_USER_MSG || type == AUDIT_REPLACE)
		return false;
	tlen = strnlen(data, len);
	while (tlen && (data[tlen - 1] == '\n' || data[tlen - 1] == '\r'))
		tlen--;
	if (tlen == 0) {
		nl_count_malformed(st);
		return false;
	}
	/* Built by hand: snprintf() here was a tenth of the reader's time. */
	name = audit_msg_type_to_name(type);
	nlen = name ? strlen(name) : 0;
	if (name && nlen + sizeof("type= msg=") <= sizeof(prefix)) {
		memcpy(prefix, "type=", 5);
		memcpy(prefix + 5, name, nlen);
		memcpy(prefix + 5 + nlen, " msg=", 5);
		plen = nlen + 10;
	} else {
		n = snprintf(prefix, sizeof(prefix), "type=UNKNOWN[%u] msg=",
			     (unsigned int)type);
		if (n < 0 || (size_t)n >= sizeof(prefix)) {
			nl_count_malformed(st);
			return false;
		}
		plen = (size_t)n;
	}
	if (plen + tlen > HARRIER_MAX_RECORD_LEN) {
		nl_count_malformed(st);
		return false;
	}
	rlen = plen + tlen;
	/* (room as of the last publish, which a full chunk's causes) */
	r = nl_reserve(st, rlen);
	if (r && st->room <= st->fill->nrec)
		r = NULL; /* the queue is full */
	if (!r) {
		pthread_mutex_lock(&st->lock);
		st->dropped++;
		pthread_mutex_unlock(&st->lock);
		return false;
	}
	memcpy(r, &rlen, sizeof(rlen));
	text = r + sizeof(size_t);
	memcpy(text, prefix, plen);
	memcpy(text + plen, data, tlen);
	/* One record is one line: a stray newline from a user-space message
	 * must not split it. */
	for (i = plen; i < rlen; i++)
		if (text[i] == '\n')
			text[i] = ' ';
	text[rlen] = '\0';
	st->fill->used += nl_rec_size(rlen);
	st->fill->nrec++;
	return true;
}

/* Returns the number of records queued, or -errno on a fatal socket error
 * (0 with nothing pending). buf holds NL_RECV_MSGS * NL_RECV_BUF bytes. */
static int nl_drain_socket(struct nl_state *st, char *buf)
{
	struct mmsghdr mm[NL_RECV_MSGS];
	struct iovec iov[NL_RECV_MSGS];
	struct sockaddr_nl sa[NL_RECV_MSGS];
	int queued = 0, pending = 0, n, i;

	for (;;) {
		memset(mm, 0, sizeof(mm));
		memset(sa, 0, sizeof(sa));
		for (i = 0; i < NL_RECV_MSGS; i++) {
			iov[i].iov_base = buf + (size_t)i * NL_RECV_BUF;
			iov[i].iov_len = NL_RECV_BUF;
			mm[i].msg_hdr.msg_name = &sa[i];
			mm[i].msg_hdr.msg_namelen = sizeof(sa[i]);
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(st->sock, mm, NL_RECV_MSGS, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return queued;
			if (errno == ENOBUFS) {
				/* The socket overran: the kernel dropped an
				 * unknown number of records; count it once. */
				pthread_mutex_lock(&st->lock);
				st->dropped++;
				pthread_mutex_unlock(&st->lock);
				continue;
			}
			return -errno;
		}
		for (i = 0; i < n; i++) {
			const struct msghdr *mh = &mm[i].msg_hdr;
			struct nlmsghdr *nlh = iov[i].iov_base;
			size_t len = mm[i].msg_len;

			/* Trust boundary: only the kernel (port 0) may talk
			 * to us. */
			if ((mh->msg_flags & MSG_TRUNC) ||
			    mh->msg_namelen != sizeof(sa[i]) ||
			    sa[i].nl_family != AF_NETLINK || sa[i].nl_pid != 0) {
				nl_count_malformed(st);
				continue;
			}
			/* The kernel sends one record per datagram. Unicast
			 * (daemon mode) keeps a historic quirk: nlmsg_len
			 * counts only the payload, while multicast counts the
			 * header too. So the datagram length bounds the text,
			 * and nlmsg_len must only lie within the datagram. */
			if (len < NLMSG_HDRLEN || nlh->nlmsg_len > len) {
				nl_count_malformed(st);
				continue;
			}
			if (nl_handle_msg(st, nlh->nlmsg_type, NLMSG_DATA(nlh),
					  len - NLMSG_HDRLEN)) {
				queued++;
				pending++;
			}
			if (pending >= 256) {
				nl_publish(st);
				nl_signal(st->evfd);
				pending = 0;
			}
		}
		/* Fewer than asked for: the socket is empty (what arrives
		 * now wakes the reader's poll again). */
		if (n < NL_RECV_MSGS)
			return queued;
	}
}

static void *nl_reader(void *arg)
{
	struct nl_state *st = arg;
	struct pollfd pfd[2];
	char *buf;
	int rc = 0;

	buf = malloc((size_t)NL_RECV_MSGS * NL_RECV_BUF);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	pfd[0].fd = st->sock;
	pfd[0].events = POLLIN;
	pfd[1].fd = st->stopfd;
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (pfd[1].revents)
			break;
		/* POLLERR is also how an overrun socket says ENOBUFS: the
		 * recvmsg() in the drain reports (and counts) it, and fails
		 * on anything else. */
		if (pfd[0].revents & POLLNVAL) {
			rc = -EIO;
			break;
		}
		rc = nl_drain_socket(st, buf);
		nl_publish(st);
		if (rc < 0)
			break;
		if (rc > 0) {
			nl_signal(st->evfd);
			/* Let records gather; stop still ends the wait. */
			if (poll(&pfd[1], 1, NL_BATCH_WINDOW_MS) > 0)
				break;
		}
		rc = 0;
	}
out:
	free(buf);
	nl_publish(st);
	if (rc < 0) {
		pthread_mutex_lock(&st->lock);
		st->reader_error = rc;
		pthread_mutex_unlock(&st->lock);
		nl_signal(st->evfd);
	}
	return NULL;
}

static int nl_start(struct source *s, char **ret_err)
{
	struct nl_state *st = s->state;
	struct audit_status ks;
	bool denied = false, try_daemon;
	sigset_t all, old;
	int ctl, rc;

	if (st->mode != NL_MODE_NONE) {
		err_set(ret_err, "netlink source already started");
		return -EALREADY;
	}
	st->room = HARRIER_RECORD_QUEUE_MAX;
	if (st->evfd < 0)
		st->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (st->stopfd < 0)
		st->stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (st->evfd < 0 || st->stopfd < 0) {
		err_set(ret_err, "netlink source: out of fds");
		return -ENOMEM;
	}

	ctl = nl_open_ctl(ret_err);
	if (ctl < 0)
		return ctl;
	memset(&ks, 0, sizeof(ks));
	rc = kaudit_status_request(ctl, &ks);
	if (rc == -EPERM || rc == -EACCES) {
		denied = true;
	} else if (rc < 0) {
		err_set(ret_err, "cannot read the kernel audit status: %s",
			strerror(-rc));
		goto fail;
	}
	st->locked = !denied && ks.enabled == 2;

	try_daemon = st->cfg.want != SOURCE_NETLINK_MULTICAST && !denied &&
		     (ks.pid == 0 || !nl_pid_alive(ks.pid));
	if (st->cfg.want == SOURCE_NETLINK_DAEMON && !try_daemon) {
		if (denied)
			err_set(ret_err, "registering as the audit daemon "
					 "needs root (CAP_AUDIT_CONTROL)");
		else
			err_set(ret_err,
				"the audit pid is held by process %u "
				"(auditd?): cannot run as the audit daemon",
				ks.pid);
		rc = denied ? -EPERM : -EEXIST;
		goto fail;
	}
	if (try_daemon) {
		rc = nl_start_daemon(st, ctl, &ks, ret_err);
		if (rc == 0) {
			st->mode = NL_MODE_DAEMON;
		} else if (rc == -EEXIST &&
			   st->cfg.want == SOURCE_NETLINK_AUTO) {
			/* Lost a race with another daemon: read along. */
			rc = 0;
		} else {
			if (rc == -EEXIST)
				err_set(ret_err, "another process registered "
						 "as the audit daemon first");
			goto fail;
		}
	}
	if (st->mode == NL_MODE_NONE) {
		rc = nl_start_multicast(st, denied, ks.pid, ret_err);
		if (rc < 0)
			goto fail;
		st->mode = NL_MODE_MULTICAST;
	}
	audit_close(ctl);
	ctl = -1;

	/* The reader takes no signals: they belong to the daemon's loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&st->thread, NULL, nl_reader, st);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0) {
		err_set(ret_err, "cannot start the netlink reader thread: %s",
			strerror(-rc));
		goto fail;
	}
	st->thread_started = true;
	return 0;

fail:
	if (ctl >= 0)
		audit_close(ctl);
	nl_daemon_restore(st);
	if (st->sock >= 0)
		close(st->sock);
	st->sock = -1;
	st->mode = NL_MODE_NONE;
	return rc < 0 ? rc : -EIO;
}

static int nl_get_fd(struct source *s)
{
	struct nl_state *st = s->state;

	return st->evfd;
}

/* The daemon loop's chunk is read: it goes back to the reader (or is
 * freed) and the oldest published one is taken. False when none is. */
static bool nl_next_chunk(struct nl_state *st)
{
	struct nl_chunk *done = st->cur;

	pthread_mutex_lock(&st->lock);
	if (done && done->cap == NL_CHUNK_SIZE &&
	    st->nspare < NL_CHUNKS_KEPT) {
		done->next = st->spare;
		st->spare = done;
		st->nspare++;
		done = NULL;
	}
	st->cur = st->qhead;
	if (st->cur) {
		st->qhead = st->cur->next;
		if (!st->qhead)
			st->qtail = NULL;
		st->count -= st->cur->nrec;
	}
	pthread_mutex_unlock(&st->lock);
	st->cur_off = 0;
	free(done);
	return st->cur != NULL;
}

static bool nl_cur_done(const struct nl_state *st)
{
	return !st->cur || st->cur_off == st->cur->used;
}

static int nl_read(struct source *s, source_record_cb cb, void *userdata)
{
	struct nl_state *st = s->state;
	uint64_t v;
	bool empty;
	int n, rc, err;

	if (st->evfd >= 0)
		(void)!read(st->evfd, &v, sizeof(v));
	for (n = 0; n < NL_READ_BATCH; n++) {
		size_t len;

		if (nl_cur_done(st) && !nl_next_chunk(st))
			break;
		memcpy(&len, st->cur->data + st->cur_off, sizeof(len));
		rc = cb(st->cur->data + st->cur_off + sizeof(size_t), len,
			userdata);
		st->cur_off += nl_rec_size(len);
		if (rc < 0) {
			nl_signal(st->evfd);
			return rc;
		}
	}
	/* a chunk read to its end goes back to the reader now */
	if (st->cur && nl_cur_done(st))
		(void)nl_next_chunk(st);
	pthread_mutex_lock(&st->lock);
	empty = st->count == 0 && nl_cur_done(st);
	err = empty ? st->reader_error : 0;
	if (empty && st->stopped) {
		pthread_mutex_unlock(&st->lock);
		return 0;
	}
	pthread_mutex_unlock(&st->lock);
	if (err)
		return err;
	if (n == NL_READ_BATCH)
		nl_signal(st->evfd);
	return 1;
}

static void nl_stats(struct source *s, struct source_stats *ret)
{
	struct nl_state *st = s->state;
	struct source_stats out;

	pthread_mutex_lock(&st->lock);
	out.records = st->records;
	out.dropped = st->dropped;
	out.malformed = st->malformed;
	pthread_mutex_unlock(&st->lock);
	*ret = out;
}

static void nl_stop(struct source *s)
{
	struct nl_state *st = s->state;

	if (st->thread_started) {
		uint64_t v;

		nl_signal(st->stopfd);
		pthread_join(st->thread, NULL);
		st->thread_started = false;
		(void)!read(st->stopfd, &v, sizeof(v));
	}
	st->stopped = true;
	nl_daemon_restore(st);
	if (st->sock >= 0)
		close(st->sock);
	st->sock = -1;
}

static void nl_free(struct source *s)
{
	struct nl_state *st = s->state;

	if (st) {
		nl_stop(s);
		nl_free_chunks(st->qhead);
		nl_free_chunks(st->spare);
		free(st->fill);
		free(st->cur);
		if (st->evfd >= 0)
			close(st->evfd);
		if (st->stopfd >= 0)
			close(st->stopfd);
		pthread_mutex_destroy(&st->lock);
		free(st);
	}
	free(s);
}

static const struct source_ops nl_ops = {
	.name = "netlink",
	.start = nl_start,
	.get_fd = nl_get_fd,
	.read = nl_read,
	.stats = nl_stats,
	.stop = nl_stop,
	.free = nl_free,
};

struct source *source_netlink_new(const struct source_netlink_config *cfg)
{
	struct source *s;
	struct nl_state *st;

	s = calloc(1, sizeof(*s));
	st = calloc(1, sizeof(*st));
	if (!s || !st) {
		free(s);
		free(st);
		return NULL;
	}
	if (cfg)
		st->cfg = *cfg;
	st->sock = st->evfd = st->stopfd = -1;
	pthread_mutex_init(&st->lock, NULL);
	s->ops = &nl_ops;
	s->state = st;
	set_aumessage_mode(MSG_QUIET, DBG_NO);
	return s;
}

const char *source_netlink_mode(struct source *s)
{
	struct nl_state *st = s->state;

	switch (st->mode) {
	case NL_MODE_DAEMON:
		return "daemon";
	case NL_MODE_MULTICAST:
		return "multicast";
	default:
		return "none";
	}
}

bool source_netlink_locked(struct source *s)
{
	struct nl_state *st = s->state;

	return st->locked;
}
