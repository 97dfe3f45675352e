/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The background resolver (see resolver.h). Names and their addresses
 * live in one bounded table under a mutex; getaddrinfo runs without it, so
 * a slow DNS server delays only the refresh, never an event.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "common/limits.h"
#include "common/resolver.h"

struct rs_name {
	char name[256];
	unsigned int naddrs;
	char addrs[HARRIER_RESOLVER_MAX_ADDRS][46]; /* canonical text */
	bool resolved;
};

static struct rs_name rs_names[HARRIER_RESOLVER_MAX_NAMES];
static unsigned int rs_n;
static pthread_mutex_t rs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rs_wake = PTHREAD_COND_INITIALIZER;
static pthread_t rs_thread;
static bool rs_running, rs_stopping, rs_pending;
static unsigned int rs_refresh_s;

static bool rs_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n >= sizeof(rs_names[0].name))
		return false;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '-' ||
		      name[i] == '.' || name[i] == '_'))
			return false;
	return true;
}

int resolver_add(const char *name)
{
	unsigned int i;
	int r = 0;

	if (!name || !rs_valid(name))
		return -EINVAL;
	(void)pthread_mutex_lock(&rs_lock);
	for (i = 0; i < rs_n; i++)
		if (strcmp(rs_names[i].name, name) == 0)
			goto out;
	if (rs_n == HARRIER_RESOLVER_MAX_NAMES) {
		r = -ENOSPC;
		goto out;
	}
	memset(&rs_names[rs_n], 0, sizeof(rs_names[rs_n]));
	memcpy(rs_names[rs_n].name, name, strlen(name) + 1);
	rs_n++;
	rs_pending = true;
	(void)pthread_cond_signal(&rs_wake);
out:
	(void)pthread_mutex_unlock(&rs_lock);
	return r;
}

/* The canonical text of an address (so "::ffff:1.2.3.4" and friends
 * compare as inet_ntop writes them). */
static bool rs_canon(const char *ip, char *out)
{
	unsigned char b[16];

	if (inet_pton(AF_INET, ip, b) == 1)
		return inet_ntop(AF_INET, b, out, 46) != NULL;
	if (inet_pton(AF_INET6, ip, b) == 1)
		return inet_ntop(AF_INET6, b, out, 46) != NULL;
	return false;
}

bool resolver_match(const char *name, const char *ip)
{
	char c[46];
	unsigned int i, k;
	bool found = false;

	if (!name || !ip || !rs_canon(ip, c))
		return false;
	(void)pthread_mutex_lock(&rs_lock);
	for (i = 0; i < rs_n && !found; i++) {
		if (strcasecmp(rs_names[i].name, name) != 0)
			continue;
		for (k = 0; k < rs_names[i].naddrs; k++)
			if (strcmp(rs_names[i].addrs[k], c) == 0)
				found = true;
		break;
	}
	(void)pthread_mutex_unlock(&rs_lock);
	return found;
}

const char *resolver_name_of(const char *ip, char *buf, size_t len)
{
	char c[46];
	unsigned int i, k;
	const char *r = NULL;

	if (!ip || !rs_canon(ip, c))
		return NULL;
	(void)pthread_mutex_lock(&rs_lock);
	for (i = 0; i < rs_n && !r; i++)
		for (k = 0; k < rs_names[i].naddrs; k++)
			if (strcmp(rs_names[i].addrs[k], c) == 0 &&
			    strlen(rs_names[i].name) < len) {
				memcpy(buf, rs_names[i].name,
				       strlen(rs_names[i].name) + 1);
				r = buf;
				break;
			}
	(void)pthread_mutex_unlock(&rs_lock);
	return r;
}

int resolver_refresh(void)
{
	struct rs_name fresh;
	unsigned int i, n, ok = 0;

	(void)pthread_mutex_lock(&rs_lock);
	n = rs_n;
	rs_pending = false;
	(void)pthread_mutex_unlock(&rs_lock);
	for (i = 0; i < n; i++) {
		struct addrinfo hints, *res = NULL, *a;

		(void)pthread_mutex_lock(&rs_lock);
		memcpy(fresh.name, rs_names[i].name, sizeof(fresh.name));
		(void)pthread_mutex_unlock(&rs_lock);
		fresh.naddrs = 0;
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		if (getaddrinfo(fresh.name, NULL, &hints, &res) != 0)
			continue; /* keep what the last refresh found */
		for (a = res; a && fresh.naddrs < HARRIER_RESOLVER_MAX_ADDRS;
		     a = a->ai_next) {
			const void *src = NULL;

			if (a->ai_family == AF_INET)
				src = &((struct sockaddr_in *)(void *)a->ai_addr)
					       ->sin_addr;
			else if (a->ai_family == AF_INET6)
				src = &((struct sockaddr_in6 *)(void *)
						a->ai_addr)
					       ->sin6_addr;
			if (src && inet_ntop(a->ai_family, src,
					     fresh.addrs[fresh.naddrs],
					     sizeof(fresh.addrs[0])))
				fresh.naddrs++;
		}
		freeaddrinfo(res);
		(void)pthread_mutex_lock(&rs_lock);
		memcpy(rs_names[i].addrs, fresh.addrs, sizeof(fresh.addrs));
		rs_names[i].naddrs = fresh.naddrs;
		rs_names[i].resolved = true;
		(void)pthread_mutex_unlock(&rs_lock);
		ok++;
	}
	return (int)ok;
}

static void *rs_main(void *arg)
{
	struct timespec until;

	(void)arg;
	for (;;) {
		(void)resolver_refresh();
		(void)pthread_mutex_lock(&rs_lock);
		(void)clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += rs_refresh_s;
		while (!rs_stopping && !rs_pending &&
		       pthread_cond_timedwait(&rs_wake, &rs_lock, &until) == 0)
			;
		if (rs_stopping) {
			(void)pthread_mutex_unlock(&rs_lock);
			return NULL;
		}
		(void)pthread_mutex_unlock(&rs_lock);
	}
}

int resolver_start(unsigned int refresh_s)
{
	int r;

	(void)pthread_mutex_lock(&rs_lock);
	if (rs_running) {
		(void)pthread_mutex_unlock(&rs_lock);
		return 0;
	}
	rs_refresh_s = refresh_s ? refresh_s : 1;
	rs_stopping = false;
	(void)pthread_mutex_unlock(&rs_lock);
	r = pthread_create(&rs_thread, NULL, rs_main, NULL);
	if (r)
		return -r;
	rs_running = true;
	return 0;
}

void resolver_stop(void)
{
	if (!rs_running)
		return;
	(void)pthread_mutex_lock(&rs_lock);
	rs_stopping = true;
	(void)pthread_cond_signal(&rs_wake);
	(void)pthread_mutex_unlock(&rs_lock);
	(void)pthread_join(rs_thread, NULL);
	rs_running = false;
}
