/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Engine cost per event: the events of an audit log, assembled and
 * enriched as harrier replay does, are evaluated against the rules given;
 * only the engine_eval() calls are timed (a clock pair around each; the
 * cost of an empty pair is measured and subtracted). Prints events,
 * alerts, the engine's ns per event, and the ns per event of everything
 * else (reading, auparse, assembly, enrichment) for scale.
 * usage: engine LOG RULES...   (built by bench/replay against a build)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assemble/assembler.h"
#include "common/alert.h"
#include "common/diag.h"
#include "engine/engine.h"
#include "enrich/proctable.h"

struct ctx {
	struct engine *e;
	struct proctable *pt;
	unsigned long events, alerts;
	uint64_t eval_ns;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void on_alert(struct alert *a, void *ud)
{
	struct ctx *c = ud;

	c->alerts++;
	alert_free(a);
}

static void on_event(const struct event *ev, void *ud)
{
	struct ctx *c = ud;
	struct event copy = *ev;
	uint64_t t0;

	proctable_enrich(c->pt, &copy);
	t0 = now_ns();
	(void)engine_eval(c->e, &copy, on_alert, c);
	c->eval_ns += now_ns() - t0;
	c->events++;
}

int main(int argc, char **argv)
{
	struct ctx c = { 0 };
	struct assembler *a;
	struct diag d;
	char *line = NULL;
	size_t cap = 0, i;
	ssize_t n;
	uint64_t t0, total, pair = 0;
	FILE *f;
	int k;

	if (argc < 3) {
		(void)fprintf(stderr, "usage: engine LOG RULES...\n");
		return 1;
	}
	c.e = engine_new();
	c.pt = proctable_new_offline();
	diag_init(&d);
	for (k = 2; c.e && k < argc; k++)
		if (engine_load_file(c.e, argv[k], &d) < 0) {
			diag_print(&d, stderr);
			return 1;
		}
	if (!c.e || !c.pt || engine_compile(c.e, &d) < 0) {
		diag_print(&d, stderr);
		return 1;
	}
	diag_free(&d);
	a = assembler_new(on_event, &c);
	f = fopen(argv[1], "r");
	if (!a || !f) {
		perror(argv[1]);
		return 1;
	}
	/* what one clock pair costs, to subtract */
	for (i = 0; i < 1000000; i++) {
		t0 = now_ns();
		pair += now_ns() - t0;
	}
	t0 = now_ns();
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		(void)assembler_feed_record(a, line, (size_t)n);
	}
	(void)assembler_flush(a);
	total = now_ns() - t0;
	(void)fclose(f);
	free(line);
	if (c.events) {
		double per_pair = (double)pair / 1e6;
		double eval = (double)c.eval_ns / (double)c.events - per_pair;

		(void)printf("%lu events, %lu alerts, %zu rules: engine %.0f ns/event;"
			     " the rest (read, auparse, assembly, enrichment) %.0f ns/event\n",
			     c.events, c.alerts, engine_rule_count(c.e),
			     eval < 0 ? 0 : eval,
			     ((double)total - (double)c.eval_ns) /
					     (double)c.events - per_pair);
	}
	assembler_free(a);
	proctable_free(c.pt);
	engine_free(c.e);
	return 0;
}
