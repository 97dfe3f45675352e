/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wiring of the stages. Owns the assembler; borrows engine, process table
 * and sinks. A failing sink never stops the others: each alert is offered
 * to every sink and what a sink drops is in its own stats.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "assemble/assembler.h"
#include "common/limits.h"
#include "common/log.h"
#include "enrich/proctable.h"
#include "pipeline/capture.h"
#include "pipeline/outlimit.h"
#include "pipeline/pipeline.h"
#include "sink/store.h"

#define PIPELINE_MAX_SINKS 16
/* Check the assembler's malformed counter this often (records). */
#define PIPELINE_MALFORMED_CHECK 4096

struct pipeline {
	struct assembler *assembler;
	struct engine *engine;
	struct proctable *proctable;
	struct sink *sinks[PIPELINE_MAX_SINKS];
	size_t nsinks;
	struct pipeline_stats stats;
	uint64_t malformed_reported;
	uint64_t closed_early_reported;
	unsigned int since_check;
	struct ratelimit warn_rl;
	pid_t ignore_pid;
	struct outlimit *limit; /* borrowed; NULL: no limit */
	bool (*observer)(const struct event *ev, void *ud);
	void *observer_ud;
	struct capture *capture;
};

static void pipeline_check_malformed(struct pipeline *p)
{
	struct assembler_stats as;
	uint64_t suppressed = 0, serial;
	const char *why;

	assembler_get_stats(p->assembler, &as);
	p->stats.records = as.records;
	p->stats.events = as.events;
	p->stats.malformed = as.malformed;
	p->stats.closed_early = as.closed_early;
	if (as.closed_early != p->closed_early_reported) {
		log_warning("%llu audit event(s) ended before all their records "
			    "came (more than %d events interleaved; %llu in "
			    "total): rules may have missed them",
			    (unsigned long long)(as.closed_early -
						 p->closed_early_reported),
			    HARRIER_ASM_MAX_OPEN,
			    (unsigned long long)as.closed_early);
		p->closed_early_reported = as.closed_early;
	}
	if (as.malformed == p->malformed_reported)
		return;
	why = assembler_malformed_why(p->assembler, &serial);
	if (ratelimit_ok(&p->warn_rl, &suppressed))
		log_warning("skipped %llu malformed audit record(s) "
			    "(%llu in total; the last: %s)%s",
			    (unsigned long long)(as.malformed -
						 p->malformed_reported),
			    (unsigned long long)as.malformed,
			    why ? why : ASSEMBLER_WHY_OVERLONG,
			    suppressed ? "; earlier warnings suppressed" : "");
	p->malformed_reported = as.malformed;
}

void pipeline_emit(struct pipeline *p, struct alert *a)
{
	bool notify;
	size_t i;

	p->stats.alerts++;
	if ((unsigned int)a->priority <= ALERT_PRIO_DEBUG)
		p->stats.alerts_by_priority[a->priority]++;
	/* the per-rule limit holds back notifications, never the store;
	 * Harrier's own alerts (a fault, a summary) are never held back */
	notify = !p->limit || (a->source && strcmp(a->source, "internal") == 0) ||
		 outlimit_allow(p->limit, a->rule);
	if (!notify)
		p->stats.suppressed++;
	for (i = 0; i < p->nsinks; i++)
		if (notify || !sink_is_notify(p->sinks[i]))
			(void)sink_emit(p->sinks[i], a);
	/* after the sinks: the context links to the stored alert */
	if (p->capture)
		capture_alert(p->capture, a);
	alert_free(a);
}

static void pipeline_alert(struct alert *a, void *userdata)
{
	pipeline_emit(userdata, a);
}

static void pipeline_event(const struct event *ev, void *userdata)
{
	struct pipeline *p = userdata;
	struct event copy;

	if (p->ignore_pid && ev->pid == p->ignore_pid)
		return;
	if (p->proctable) {
		/* The enricher adds to the event; the assembler's stays
		 * untouched (its strings are still borrowed). */
		copy = *ev;
		proctable_enrich(p->proctable, &copy);
		ev = &copy;
	}
	/* harrierd's own events (the observer says) are neither
	 * captured nor evaluated */
	if (p->observer && !p->observer(ev, p->observer_ud))
		return;
	if (p->capture)
		capture_event(p->capture, ev);
	if (p->engine)
		(void)engine_eval(p->engine, ev, pipeline_alert, p);
}

struct pipeline *pipeline_new(struct engine *engine, struct proctable *pt)
{
	struct pipeline *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->engine = engine;
	p->proctable = pt;
	p->assembler = assembler_new(pipeline_event, p);
	if (!p->assembler) {
		free(p);
		return NULL;
	}
	return p;
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	assembler_free(p->assembler);
	capture_free(p->capture);
	free(p);
}

int pipeline_add_sink(struct pipeline *p, struct sink *s)
{
	if (p->nsinks == PIPELINE_MAX_SINKS)
		return -ENOSPC;
	p->sinks[p->nsinks++] = s;
	return 0;
}

int pipeline_remove_sink(struct pipeline *p, struct sink *s)
{
	size_t i;

	for (i = 0; i < p->nsinks; i++) {
		if (p->sinks[i] != s)
			continue;
		memmove(&p->sinks[i], &p->sinks[i + 1],
			(p->nsinks - i - 1) * sizeof(p->sinks[0]));
		p->nsinks--;
		return 0;
	}
	return -ENOENT;
}

void pipeline_set_limit(struct pipeline *p, struct outlimit *l)
{
	p->limit = l;
}

void pipeline_ignore_pid(struct pipeline *p, pid_t pid)
{
	p->ignore_pid = pid;
}

void pipeline_set_observer(struct pipeline *p,
			   bool (*cb)(const struct event *ev, void *ud),
			   void *ud)
{
	p->observer = cb;
	p->observer_ud = ud;
}

void pipeline_set_engine(struct pipeline *p, struct engine *engine)
{
	p->engine = engine;
	if (p->capture && engine)
		(void)capture_set_rules(p->capture, engine);
}

static int to_store_event(void *ud, const struct context_event *e)
{
	return store_sink_emit_context(ud, e);
}

static int to_store_summary(void *ud, const struct context_summary *s)
{
	return store_sink_emit_summary(ud, s);
}

static int to_store_join(void *ud, const struct context_join *j)
{
	return store_sink_emit_join(ud, j);
}

int pipeline_capture_into(struct pipeline *p, struct sink *store,
			  const struct capture_options *o)
{
	struct capture_output out = { to_store_event, to_store_summary,
				      to_store_join, store };
	struct capture *c;
	int r;

	c = capture_new(o, &out, NULL);
	if (!c)
		return -ENOMEM;
	if (p->engine) {
		r = capture_set_rules(c, p->engine);
		if (r < 0) {
			capture_free(c);
			return r;
		}
	}
	capture_free(p->capture);
	p->capture = c;
	return 0;
}

void pipeline_capture_options(struct pipeline *p,
			      const struct capture_options *o)
{
	if (p->capture)
		capture_set_options(p->capture, o);
}

bool pipeline_capture_stats(const struct pipeline *p,
			    struct capture_stats *ret)
{
	if (!p->capture)
		return false;
	capture_get_stats(p->capture, ret);
	return true;
}

uint64_t pipeline_malformed(const struct pipeline *p, const char **ret_why,
			    uint64_t *ret_serial)
{
	struct assembler_stats as;

	assembler_get_stats(p->assembler, &as);
	*ret_why = assembler_malformed_why(p->assembler, ret_serial);
	return as.malformed;
}

int pipeline_record(const char *rec, size_t len, void *pipeline)
{
	struct pipeline *p = pipeline;
	int r;

	r = assembler_feed_record(p->assembler, rec, len);
	if (++p->since_check >= PIPELINE_MALFORMED_CHECK) {
		p->since_check = 0;
		pipeline_check_malformed(p);
	}
	return r;
}

void pipeline_age(struct pipeline *p)
{
	struct timespec now;

	(void)assembler_age(p->assembler);
	pipeline_check_malformed(p);
	if (p->capture) {
		(void)clock_gettime(CLOCK_REALTIME, &now);
		capture_tick(p->capture, (uint64_t)now.tv_sec * 1000000000ULL +
						 (uint64_t)now.tv_nsec);
	}
}

void pipeline_flush(struct pipeline *p)
{
	size_t i;

	(void)assembler_flush(p->assembler);
	pipeline_check_malformed(p);
	if (p->capture)
		capture_flush(p->capture);
	for (i = 0; i < p->nsinks; i++)
		(void)sink_flush(p->sinks[i]);
}

void pipeline_get_stats(const struct pipeline *p, struct pipeline_stats *ret)
{
	struct assembler_stats as;

	*ret = p->stats;
	assembler_get_stats(p->assembler, &as);
	ret->records = as.records;
	ret->events = as.events;
	ret->malformed = as.malformed;
	ret->closed_early = as.closed_early;
}

static int yaml_name_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	if (d->d_name[0] == '.')
		return 0;
	return (n > 5 && strcmp(d->d_name + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(d->d_name + n - 4, ".yml") == 0);
}

static int load_one(struct engine *e, const char *path,
		    pipeline_rules_check check, struct diag *d)
{
	char *why = NULL;
	int r;

	if (check) {
		r = check(path, &why);
		if (r < 0) {
			diag_add(d, DIAG_ERROR, path, 0, 0, "refusing it: %s",
				 why ? why : strerror(-r));
			free(why);
			return -EINVAL;
		}
	}
	r = engine_load_file(e, path, d);

	if (r < 0 && r != -EINVAL)
		diag_add(d, DIAG_ERROR, path, 0, 0, "cannot read: %s",
			 strerror(-r));
	return r;
}

static int load_rules(struct engine *e, const char *const *files,
		      size_t nfiles, const char *sysconfdir,
		      pipeline_rules_check check, struct diag *d)
{
	char path[4096];
	struct dirent **ents = NULL;
	int r = 0, n, i, first_err = 0;
	size_t k;

	if (nfiles > 0) {
		for (k = 0; k < nfiles; k++) {
			r = load_one(e, files[k], check, d);
			if (r < 0 && !first_err)
				first_err = r;
		}
	} else {
		(void)snprintf(path, sizeof(path), "%s/harrier_rules.yaml",
			       sysconfdir);
		r = load_one(e, path, check, d);
		if (r < 0 && !first_err)
			first_err = r;
		(void)snprintf(path, sizeof(path),
			       "%s/harrier_rules.local.yaml", sysconfdir);
		if (access(path, F_OK) == 0) {
			r = load_one(e, path, check, d);
			if (r < 0 && !first_err)
				first_err = r;
		}
		(void)snprintf(path, sizeof(path), "%s/rules.d", sysconfdir);
		n = scandir(path, &ents, yaml_name_filter, alphasort);
		for (i = 0; i < n; i++) {
			char file[4096];
			int w = snprintf(file, sizeof(file), "%s/%s", path,
					 ents[i]->d_name);

			if (w > 0 && (size_t)w < sizeof(file)) {
				r = load_one(e, file, check, d);
				if (r < 0 && !first_err)
					first_err = r;
			}
			free(ents[i]);
		}
		free(ents);
	}
	if (first_err)
		return first_err;
	return engine_compile(e, d);
}

int pipeline_load_rules(struct engine *e, const char *const *files,
			size_t nfiles, const char *sysconfdir,
			struct diag *d)
{
	return load_rules(e, files, nfiles, sysconfdir, NULL, d);
}

int pipeline_engine_new(const char *const *files, size_t nfiles,
			const char *sysconfdir, enum alert_priority min_priority,
			bool strict, struct diag *d, struct engine **ret)
{
	return pipeline_engine_new_checked(files, nfiles, sysconfdir,
					   min_priority, strict, NULL, d, ret);
}

int pipeline_engine_new_checked(const char *const *files, size_t nfiles,
				const char *sysconfdir,
				enum alert_priority min_priority, bool strict,
				pipeline_rules_check check, struct diag *d,
				struct engine **ret)
{
	struct engine *e = engine_new();
	int r;

	if (!e)
		return -ENOMEM;
	engine_set_min_priority(e, min_priority);
	engine_set_strict(e, strict);
	r = load_rules(e, files, nfiles, sysconfdir, check, d);
	if (r < 0) {
		engine_free(e);
		return r;
	}
	*ret = e;
	return 0;
}

void pipeline_print_version(FILE *out, const char *program)
{
	(void)fprintf(out, "%s %s\nFalco rules engine version: %s\n",
		      program, PACKAGE_VERSION, engine_version());
}
