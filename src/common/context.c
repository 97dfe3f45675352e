/* SPDX-License-Identifier: Apache-2.0 */
/* Ownership of context events and capture summaries (context.h). */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/alert.h"
#include "common/context.h"
#include "common/strbuf.h"

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

struct alert_key alert_key_of(const struct alert *a)
{
	struct alert_key k = { a->time_ns, a->audit_serial, a->rule,
			       a->hostname };

	return k;
}

bool alert_key_same(const struct alert_key *a, const struct alert_key *b)
{
	return a->time_ns == b->time_ns && a->serial == b->serial &&
	       same_str(a->rule ? a->rule : "", b->rule ? b->rule : "") &&
	       same_str(a->hostname, b->hostname);
}

/* The _dup functions pack their copy into one allocation: the struct,
 * then its arrays, then the strings (common/strbuf's str_pack). In a
 * storm with captures the store copies a join for every alert (and an
 * event for each event captured) on the pipeline's thread and its writer
 * frees them: one malloc and one free each instead of one a string. */

/* What k's strings take, and k's copy at *at (dst's strings there). */
static size_t key_size(const struct alert_key *k)
{
	return str_pack_size(k->rule) + str_pack_size(k->hostname);
}

static void key_pack(struct alert_key *dst, const struct alert_key *src,
		     char **at)
{
	*dst = *src;
	dst->rule = str_pack(at, src->rule);
	dst->hostname = str_pack(at, src->hostname);
}

/* The string members of a context_event, by offset. */
static const size_t event_strs[] = {
	offsetof(struct context_event, hostname),
	offsetof(struct context_event, syscall),
	offsetof(struct context_event, exe),
	offsetof(struct context_event, cmdline),
	offsetof(struct context_event, argv),
	offsetof(struct context_event, cwd),
	offsetof(struct context_event, file),
	offsetof(struct context_event, address),
	offsetof(struct context_event, container_id),
	offsetof(struct context_event, container_name),
	offsetof(struct context_event, pod_name),
	offsetof(struct context_event, pod_namespace),
	offsetof(struct context_event, origin),
};

#define NEVENT_STRS (sizeof(event_strs) / sizeof(event_strs[0]))

void context_event_free(struct context_event *e)
{
	free(e);
}

struct context_event *context_event_dup(const struct context_event *e)
{
	size_t size = sizeof(*e), i;
	struct context_event *d;
	char *at;

	size += e->nlinks * sizeof(*d->links) +
		str_pack_members_size(e, event_strs, NEVENT_STRS);
	for (i = 0; i < e->nlinks; i++)
		size += key_size(&e->links[i]);
	d = malloc(size);
	if (!d)
		return NULL;
	*d = *e;
	at = (char *)(d + 1);
	/* the links first (aligned after the struct), then text */
	d->links = e->nlinks ? (struct alert_key *)(void *)at : NULL;
	at += e->nlinks * sizeof(*d->links);
	str_pack_members(d, e, event_strs, NEVENT_STRS, &at);
	for (i = 0; i < e->nlinks; i++)
		key_pack(&d->links[i], &e->links[i], &at);
	return d;
}

void context_summary_free(struct context_summary *s)
{
	free(s);
}

struct context_summary *context_summary_dup(const struct context_summary *s)
{
	struct context_summary *d;
	char *at;

	d = malloc(sizeof(*d) + key_size(&s->capture) +
		   str_pack_size(s->scope));
	if (!d)
		return NULL;
	*d = *s;
	at = (char *)(d + 1);
	key_pack(&d->capture, &s->capture, &at);
	d->scope = str_pack(&at, s->scope);
	return d;
}

void context_join_free(struct context_join *j)
{
	free(j);
}

struct context_join *context_join_dup(const struct context_join *j)
{
	struct context_join *d;
	char *at;

	d = malloc(sizeof(*d) + key_size(&j->alert) + key_size(&j->capture));
	if (!d)
		return NULL;
	*d = *j;
	at = (char *)(d + 1);
	key_pack(&d->alert, &j->alert, &at);
	key_pack(&d->capture, &j->capture, &at);
	return d;
}
