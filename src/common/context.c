/* SPDX-License-Identifier: Apache-2.0 */
/* Ownership of context events and capture summaries (context.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/context.h"

static int dup_str(const char *s, char **ret)
{
	*ret = NULL;
	if (!s)
		return 0;
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

void alert_key_clear(struct alert_key *k)
{
	free(k->rule);
	free(k->hostname);
	k->rule = NULL;
	k->hostname = NULL;
}

int alert_key_copy(struct alert_key *dst, const struct alert_key *src)
{
	dst->time_ns = src->time_ns;
	dst->serial = src->serial;
	if (dup_str(src->rule, &dst->rule) < 0 ||
	    dup_str(src->hostname, &dst->hostname) < 0) {
		alert_key_clear(dst);
		return -ENOMEM;
	}
	return 0;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

bool alert_key_same(const struct alert_key *a, const struct alert_key *b)
{
	return a->time_ns == b->time_ns && a->serial == b->serial &&
	       same_str(a->rule ? a->rule : "", b->rule ? b->rule : "") &&
	       same_str(a->hostname, b->hostname);
}

void context_event_free(struct context_event *e)
{
	size_t i;

	if (!e)
		return;
	free(e->hostname);
	free(e->syscall);
	free(e->exe);
	free(e->cmdline);
	free(e->argv);
	free(e->cwd);
	free(e->file);
	free(e->address);
	free(e->container_id);
	free(e->container_name);
	free(e->pod_name);
	free(e->pod_namespace);
	free(e->origin);
	for (i = 0; i < e->nlinks; i++)
		alert_key_clear(&e->links[i]);
	free(e->links);
	free(e);
}

struct context_event *context_event_dup(const struct context_event *e)
{
	struct context_event *d = calloc(1, sizeof(*d));
	size_t i;
	int r = 0;

	if (!d)
		return NULL;
	*d = *e;
	d->links = NULL;
	d->nlinks = 0;
	r |= dup_str(e->hostname, &d->hostname);
	r |= dup_str(e->syscall, &d->syscall);
	r |= dup_str(e->exe, &d->exe);
	r |= dup_str(e->cmdline, &d->cmdline);
	r |= dup_str(e->argv, &d->argv);
	r |= dup_str(e->cwd, &d->cwd);
	r |= dup_str(e->file, &d->file);
	r |= dup_str(e->address, &d->address);
	r |= dup_str(e->container_id, &d->container_id);
	r |= dup_str(e->container_name, &d->container_name);
	r |= dup_str(e->pod_name, &d->pod_name);
	r |= dup_str(e->pod_namespace, &d->pod_namespace);
	r |= dup_str(e->origin, &d->origin);
	if (!r && e->nlinks) {
		d->links = calloc(e->nlinks, sizeof(*d->links));
		if (!d->links)
			r = -ENOMEM;
		for (i = 0; !r && i < e->nlinks; i++) {
			r = alert_key_copy(&d->links[i], &e->links[i]);
			if (!r)
				d->nlinks = i + 1;
		}
	}
	if (r) {
		context_event_free(d);
		return NULL;
	}
	return d;
}

void context_summary_free(struct context_summary *s)
{
	if (!s)
		return;
	alert_key_clear(&s->capture);
	free(s->scope);
	free(s);
}

struct context_summary *context_summary_dup(const struct context_summary *s)
{
	struct context_summary *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	*d = *s;
	d->capture.rule = NULL;
	d->capture.hostname = NULL;
	d->scope = NULL;
	if (alert_key_copy(&d->capture, &s->capture) < 0 ||
	    dup_str(s->scope, &d->scope) < 0) {
		context_summary_free(d);
		return NULL;
	}
	return d;
}

void context_join_free(struct context_join *j)
{
	if (!j)
		return;
	alert_key_clear(&j->alert);
	alert_key_clear(&j->capture);
	free(j);
}

struct context_join *context_join_dup(const struct context_join *j)
{
	struct context_join *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->from_ns = j->from_ns;
	d->until_ns = j->until_ns;
	if (alert_key_copy(&d->alert, &j->alert) < 0 ||
	    alert_key_copy(&d->capture, &j->capture) < 0) {
		context_join_free(d);
		return NULL;
	}
	return d;
}
