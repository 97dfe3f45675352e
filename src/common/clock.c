/* SPDX-License-Identifier: Apache-2.0 */
/* The system clock and the fake one tests move by hand. */
#include "config.h"

#include <time.h>

#include "common/clock.h"

static uint64_t sys_ns(clockid_t id)
{
	struct timespec ts;

	(void)clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t clock_mono_ns(const struct hclock *c)
{
	return c ? c->mono_ns(c) : sys_ns(CLOCK_MONOTONIC);
}

uint64_t clock_mono_ms(const struct hclock *c)
{
	return clock_mono_ns(c) / 1000000ULL;
}

uint64_t clock_real_ns(const struct hclock *c)
{
	return c ? c->real_ns(c) : sys_ns(CLOCK_REALTIME);
}

/* Atomic loads and stores: a test's thread moves the clock while a
 * module's thread (the store writer) reads it. */
static uint64_t fake_mono(const struct hclock *c)
{
	const struct clock_fake *f = (const struct clock_fake *)c;

	return __atomic_load_n(&f->mono, __ATOMIC_RELAXED);
}

static uint64_t fake_real(const struct hclock *c)
{
	const struct clock_fake *f = (const struct clock_fake *)c;

	return __atomic_load_n(&f->real, __ATOMIC_RELAXED);
}

void clock_fake_init(struct clock_fake *f, uint64_t mono_ns, uint64_t real_ns)
{
	f->clock.mono_ns = fake_mono;
	f->clock.real_ns = fake_real;
	__atomic_store_n(&f->mono, mono_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&f->real, real_ns, __ATOMIC_RELAXED);
}

void clock_fake_advance_ms(struct clock_fake *f, uint64_t ms)
{
	__atomic_add_fetch(&f->mono, ms * 1000000ULL, __ATOMIC_RELAXED);
	__atomic_add_fetch(&f->real, ms * 1000000ULL, __ATOMIC_RELAXED);
}
