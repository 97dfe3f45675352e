/* SPDX-License-Identifier: Apache-2.0 */
/* struct alert ownership and the small formatting every sink shares. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/alert.h"

static const char *const priority_names[] = {
	[ALERT_PRIO_EMERGENCY] = "Emergency",
	[ALERT_PRIO_ALERT] = "Alert",
	[ALERT_PRIO_CRITICAL] = "Critical",
	[ALERT_PRIO_ERROR] = "Error",
	[ALERT_PRIO_WARNING] = "Warning",
	[ALERT_PRIO_NOTICE] = "Notice",
	[ALERT_PRIO_INFORMATIONAL] = "Informational",
	[ALERT_PRIO_DEBUG] = "Debug",
};

const char *alert_priority_name(enum alert_priority p)
{
	if ((unsigned int)p > ALERT_PRIO_DEBUG)
		return "Unknown";
	return priority_names[p];
}

int alert_priority_parse(const char *s, enum alert_priority *ret)
{
	unsigned int i;

	for (i = 0; i <= ALERT_PRIO_DEBUG; i++) {
		if (strcasecmp(s, priority_names[i]) == 0) {
			*ret = (enum alert_priority)i;
			return 0;
		}
	}
	if (strcasecmp(s, "info") == 0) {
		*ret = ALERT_PRIO_INFORMATIONAL;
		return 0;
	}
	return -EINVAL;
}

void alert_free(struct alert *a)
{
	size_t i;

	if (!a)
		return;
	free(a->hostname);
	free(a->rule);
	free(a->output);
	for (i = 0; i < a->ntags; i++)
		free(a->tags[i]);
	free(a->tags);
	free(a->source);
	free(a->container_id);
	free(a->container_name);
	free(a->pod_name);
	free(a->pod_namespace);
	free(a->exe);
	free(a->cmdline);
	free(a->syscall);
	free(a->file);
	for (i = 0; i < a->nfields; i++) {
		free(a->fields[i].name);
		free(a->fields[i].value);
	}
	free(a->fields);
	free(a);
}

static int dup_str(const char *s, char **ret)
{
	if (!s) {
		*ret = NULL;
		return 0;
	}
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

struct alert *alert_dup(const struct alert *a)
{
	struct alert *d;
	size_t i;
	int r = 0;

	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->time_ns = a->time_ns;
	d->priority = a->priority;
	d->pid = a->pid;
	d->ppid = a->ppid;
	d->uid = a->uid;
	d->auid = a->auid;
	d->audit_serial = a->audit_serial;
	d->output_escaped = a->output_escaped;

	r |= dup_str(a->hostname, &d->hostname);
	r |= dup_str(a->rule, &d->rule);
	r |= dup_str(a->output, &d->output);
	r |= dup_str(a->source, &d->source);
	r |= dup_str(a->container_id, &d->container_id);
	r |= dup_str(a->container_name, &d->container_name);
	r |= dup_str(a->pod_name, &d->pod_name);
	r |= dup_str(a->pod_namespace, &d->pod_namespace);
	r |= dup_str(a->exe, &d->exe);
	r |= dup_str(a->cmdline, &d->cmdline);
	r |= dup_str(a->syscall, &d->syscall);
	r |= dup_str(a->file, &d->file);
	if (r)
		goto fail;

	if (a->ntags) {
		d->tags = calloc(a->ntags, sizeof(*d->tags));
		if (!d->tags)
			goto fail;
		for (i = 0; i < a->ntags; i++) {
			/* counted as we go so alert_free frees what exists */
			if (dup_str(a->tags[i], &d->tags[i]) < 0)
				goto fail;
			d->ntags = i + 1;
		}
	}
	if (a->nfields) {
		d->fields = calloc(a->nfields, sizeof(*d->fields));
		if (!d->fields)
			goto fail;
		for (i = 0; i < a->nfields; i++) {
			const struct alert_field *f = &a->fields[i];
			struct alert_field *g = &d->fields[i];

			d->nfields = i + 1;
			g->literal = f->literal;
			if (dup_str(f->name, &g->name) < 0 ||
			    dup_str(f->value, &g->value) < 0)
				goto fail;
		}
	}
	return d;
fail:
	alert_free(d);
	return NULL;
}

struct alert *alert_new_internal(enum alert_priority prio, const char *rule,
				 const char *output)
{
	struct alert *a = calloc(1, sizeof(*a));
	char host[256];
	struct timespec ts;

	if (!a)
		return NULL;
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	a->time_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	if (gethostname(host, sizeof(host)) < 0)
		(void)snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	a->hostname = strdup(host);
	a->rule = strdup(rule);
	a->priority = prio;
	a->output = strdup(output);
	a->source = strdup("internal");
	a->pid = a->ppid = a->uid = a->auid = -1;
	if (!a->hostname || !a->rule || !a->output || !a->source) {
		alert_free(a);
		return NULL;
	}
	return a;
}

void alert_format_time(uint64_t time_ns, char *buf, size_t len)
{
	time_t sec = (time_t)(time_ns / 1000000000ULL);
	struct tm tm;

	if (!gmtime_r(&sec, &tm)) {
		(void)snprintf(buf, len, "1970-01-01T00:00:00.000000000Z");
		return;
	}
	(void)snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ",
		       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		       tm.tm_min, tm.tm_sec,
		       (unsigned int)(time_ns % 1000000000ULL));
}
