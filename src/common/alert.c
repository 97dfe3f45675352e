/* SPDX-License-Identifier: Apache-2.0 */
/* struct alert ownership and the small formatting every sink shares. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/alert.h"
#include "common/strbuf.h"

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

void alert_fields_free(struct alert_field *f, size_t n)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < n; i++) {
		free(f[i].name);
		free(f[i].value);
	}
	free(f);
}

/* The string members of an alert, by offset (but tags and fields). */
static const size_t alert_strs[] = {
	offsetof(struct alert, hostname),
	offsetof(struct alert, rule),
	offsetof(struct alert, output),
	offsetof(struct alert, source),
	offsetof(struct alert, container_id),
	offsetof(struct alert, container_name),
	offsetof(struct alert, pod_name),
	offsetof(struct alert, pod_namespace),
	offsetof(struct alert, exe),
	offsetof(struct alert, cmdline),
	offsetof(struct alert, syscall),
	offsetof(struct alert, file),
	offsetof(struct alert, origin),
};

#define NALERT_STRS (sizeof(alert_strs) / sizeof(alert_strs[0]))

void alert_free(struct alert *a)
{
	if (!a)
		return;
	if (a->packed) {
		free(a); /* one block: alert_dup */
		return;
	}
	str_free_members(a, alert_strs, NALERT_STRS);
	strv_free(a->tags, a->ntags);
	alert_fields_free(a->fields, a->nfields);
	free(a);
}

/* alert_dup packs the copy into one allocation (the store queues one per
 * alert: a malloc per string was most of its cost). */
struct alert *alert_dup(const struct alert *a)
{
	size_t size = sizeof(*a), i;
	char *at;
	struct alert *d;

	size += a->ntags * sizeof(*d->tags) + a->nfields * sizeof(*d->fields) +
		str_pack_members_size(a, alert_strs, NALERT_STRS);
	for (i = 0; i < a->ntags; i++)
		size += str_pack_size(a->tags[i]);
	for (i = 0; i < a->nfields; i++)
		size += str_pack_size(a->fields[i].name) +
			str_pack_size(a->fields[i].value);
	d = malloc(size);
	if (!d)
		return NULL;
	*d = *a;
	d->packed = true;
	at = (char *)(d + 1);
	/* pointer arrays first (aligned after the struct), then text */
	d->tags = a->ntags ? (char **)(void *)at : NULL;
	at += a->ntags * sizeof(*d->tags);
	d->fields = a->nfields ? (struct alert_field *)(void *)at : NULL;
	at += a->nfields * sizeof(*d->fields);
	str_pack_members(d, a, alert_strs, NALERT_STRS, &at);
	for (i = 0; i < a->ntags; i++)
		d->tags[i] = str_pack(&at, a->tags[i]);
	for (i = 0; i < a->nfields; i++) {
		d->fields[i].name = str_pack(&at, a->fields[i].name);
		d->fields[i].value = str_pack(&at, a->fields[i].value);
		d->fields[i].literal = a->fields[i].literal;
	}
	return d;
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

/* The Gregorian date of day z since 1970-01-01 (z >= 0): counted in
 * 400-year eras of 146,097 days, each year from March 1 so that the
 * leap day is the last of its year. */
static void civil_from_days(uint64_t z, unsigned int *ret_y,
			    unsigned int *ret_m, unsigned int *ret_d)
{
	uint64_t era, doe, yoe, doy, mp;

	z += 719468; /* days from 0000-03-01 to 1970-01-01 */
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153; /* 0: March */
	*ret_d = (unsigned int)(doy - (153 * mp + 2) / 5 + 1);
	*ret_m = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);
	*ret_y = (unsigned int)(yoe + era * 400 + (*ret_m <= 2));
}

/* v in n decimal digits at p (zero-padded, the high ones dropped). */
static void put_digits(char *p, uint64_t v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* By hand, not gmtime_r and snprintf: `harrier alerts` formats one per
 * row printed (~0.5 us each that way). */
void alert_format_time(uint64_t time_ns, char *buf, size_t len)
{
	uint64_t sec = time_ns / 1000000000ULL, tod = sec % 86400;
	unsigned int y, m, d;
	char t[31];

	civil_from_days(sec / 86400, &y, &m, &d);
	memcpy(t, "0000-00-00T00:00:00.000000000Z", sizeof(t));
	put_digits(t, y, 4);
	put_digits(t + 5, m, 2);
	put_digits(t + 8, d, 2);
	put_digits(t + 11, tod / 3600, 2);
	put_digits(t + 14, tod / 60 % 60, 2);
	put_digits(t + 17, tod % 60, 2);
	put_digits(t + 20, time_ns % 1000000000ULL, 9);
	if (len >= sizeof(t)) {
		memcpy(buf, t, sizeof(t));
	} else if (len) {
		memcpy(buf, t, len - 1);
		buf[len - 1] = '\0';
	}
}
