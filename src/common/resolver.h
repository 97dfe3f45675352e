/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Domain names written in rules (fd.sip.name = example.com), resolved to
 * addresses in the background and compared by address, as Falco does: an
 * event never waits for DNS. Rules register their names at compile time
 * (resolver_add); the daemon starts a thread that resolves every name now
 * and then every refresh interval (resolver_start). Until a name has been
 * resolved, no address matches it. Process-wide, thread-safe.
 */
#ifndef HARRIER_RESOLVER_H
#define HARRIER_RESOLVER_H

#include <stdbool.h>

/* Register a name (copied; the same name once). 0, -ENOSPC past
 * HARRIER_RESOLVER_MAX_NAMES, -EINVAL for a name no resolver would take. */
int resolver_add(const char *name);

/* Is ip (textual, v4 or v6) one of name's addresses as last resolved?
 * Never blocks on the network. */
bool resolver_match(const char *name, const char *ip);

/* The first registered name that ip belongs to, copied into buf; NULL
 * when none (for outputs). */
const char *resolver_name_of(const char *ip, char *buf, size_t len);

/* Resolve every registered name now, in the caller's thread (the daemon
 * at start, tests). Returns how many names have addresses. */
int resolver_refresh(void);

/* A background thread that calls resolver_refresh every refresh_s
 * seconds (and for names added since, within a second). 0 or -errno. */
int resolver_start(unsigned int refresh_s);
void resolver_stop(void);

#endif
