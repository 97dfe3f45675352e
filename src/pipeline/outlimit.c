/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Token buckets in an open-addressing table keyed by rule name. The
 * table never grows past HARRIER_OUTLIMIT_RULES: later rules share one
 * overflow bucket (still limited, never unlimited).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "pipeline/outlimit.h"

_Static_assert((HARRIER_OUTLIMIT_RULES & (HARRIER_OUTLIMIT_RULES - 1)) == 0,
	       "the bucket table's size must be a power of two");

struct bucket {
	char *rule; /* NULL: free slot */
	double tokens;
	uint64_t last_ns;
	uint64_t suppressed; /* since the last summary */
};

struct outlimit {
	double rate;
	double burst;
	const struct hclock *clock;
	struct bucket *slots; /* 2 * HARRIER_OUTLIMIT_RULES */
	size_t nslots, used;
	struct bucket overflow;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct outlimit *outlimit_new(double rate, uint32_t max_burst,
			      const struct hclock *clock)
{
	struct outlimit *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->nslots = 2 * HARRIER_OUTLIMIT_RULES;
	l->slots = calloc(l->nslots, sizeof(*l->slots));
	if (!l->slots) {
		free(l);
		return NULL;
	}
	l->clock = clock;
	outlimit_set(l, rate, max_burst);
	return l;
}

void outlimit_free(struct outlimit *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->nslots; i++)
		free(l->slots[i].rule);
	free(l->slots);
	free(l);
}

void outlimit_set(struct outlimit *l, double rate, uint32_t max_burst)
{
	size_t i;

	l->rate = rate;
	l->burst = max_burst ? (double)max_burst : 1.0;
	for (i = 0; i < l->nslots; i++) {
		l->slots[i].tokens = l->burst;
		l->slots[i].last_ns = 0;
	}
	l->overflow.tokens = l->burst;
	l->overflow.last_ns = 0;
}

static struct bucket *find(struct outlimit *l, const char *rule)
{
	size_t i = (size_t)(hash(rule) & (l->nslots - 1));
	struct bucket *b;

	for (;;) {
		b = &l->slots[i];
		if (!b->rule)
			break;
		if (strcmp(b->rule, rule) == 0)
			return b;
		i = (i + 1) & (l->nslots - 1);
	}
	if (l->used >= HARRIER_OUTLIMIT_RULES)
		return &l->overflow;
	b->rule = strdup(rule);
	if (!b->rule)
		return &l->overflow;
	b->tokens = l->burst;
	l->used++;
	return b;
}

bool outlimit_allow(struct outlimit *l, const char *rule)
{
	struct bucket *b;
	uint64_t now;

	if (!l || l->rate <= 0)
		return true;
	b = find(l, rule ? rule : "");
	now = clock_mono_ns(l->clock);
	if (b->last_ns) {
		b->tokens += (double)(now - b->last_ns) / 1e9 * l->rate;
		if (b->tokens > l->burst)
			b->tokens = l->burst;
	}
	b->last_ns = now;
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return true;
	}
	b->suppressed++;
	return false;
}

uint64_t outlimit_summary(struct outlimit *l,
			  void (*cb)(const char *rule, uint64_t n, void *ud),
			  void *ud)
{
	uint64_t total = 0;
	size_t i;

	if (!l)
		return 0;
	for (i = 0; i < l->nslots; i++) {
		if (!l->slots[i].rule || !l->slots[i].suppressed)
			continue;
		total += l->slots[i].suppressed;
		if (cb)
			cb(l->slots[i].rule, l->slots[i].suppressed, ud);
		l->slots[i].suppressed = 0;
	}
	if (l->overflow.suppressed) {
		total += l->overflow.suppressed;
		if (cb)
			cb("(other rules)", l->overflow.suppressed, ud);
		l->overflow.suppressed = 0;
	}
	return total;
}
