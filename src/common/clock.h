/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one clock the modules read (process table, container cache, store,
 * rate limiter), so that tests can replace it: a module keeps a
 * `const struct hclock *` (NULL = the system's clocks) and asks it for
 * monotonic or wall time. A test builds a clock_fake and moves it on
 * instead of sleeping.
 */
#ifndef HARRIER_CLOCK_H
#define HARRIER_CLOCK_H

#include <stdint.h>

struct hclock {
	/* CLOCK_MONOTONIC and CLOCK_REALTIME in ns */
	uint64_t (*mono_ns)(const struct hclock *c);
	uint64_t (*real_ns)(const struct hclock *c);
};

/* c NULL: the system's clocks. */
uint64_t clock_mono_ns(const struct hclock *c);
uint64_t clock_mono_ms(const struct hclock *c);
uint64_t clock_real_ns(const struct hclock *c);

/* A clock that only moves when told (tests). Starts at the given times. */
struct clock_fake {
	struct hclock clock;
	uint64_t mono, real; /* ns, read and moved atomically */
};
void clock_fake_init(struct clock_fake *f, uint64_t mono_ns, uint64_t real_ns);
void clock_fake_advance_ms(struct clock_fake *f, uint64_t ms);

#endif
