/* SPDX-License-Identifier: Apache-2.0 */
/*
 * journald sink: one journal entry per alert with structured fields
 * (HARRIER_RULE, HARRIER_CONTAINER_ID, ... and the output fields as JSON),
 * PRIORITY mapped from Falco's priority (the same 0-7 scale as syslog).
 * Sent with sd_journal_sendv: no untrusted text ever reaches a format
 * string, and MESSAGE is escaped for terminals (journalctl prints it).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-journal.h>

#include "common/strbuf.h"
#include "sink/journald.h"

#define JOURNALD_MAX_FIELDS 32
/* A failing send (journald restarting, socket buffer full) is retried
 * this many times before the alert is counted as dropped. */
#define JOURNALD_RETRIES 3
/* No journald at all: sd_journal_sendv() then silently succeeds (socket
 * missing) or fails at once (not listening). Whether the socket is there
 * is checked this often; meanwhile alerts are counted as dropped, with
 * no fields built and no send or retry. */
#define JOURNALD_ABSENT_RECHECK_MS 5000
#define JOURNALD_SOCKET "/run/systemd/journal/socket"

struct journald_sink {
	char *identifier;
	struct sink_stats stats;
	bool absent;		/* no journald, as of the last check */
	uint64_t next_check_ms; /* CLOCK_MONOTONIC */
};

static uint64_t journald_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The errors of a journal socket that is not there, as opposed to a
 * busy one. */
static bool journald_absent(int r)
{
	return r == -ENOENT || r == -ECONNREFUSED || r == -ENOTCONN;
}

struct iovs {
	struct iovec iov[JOURNALD_MAX_FIELDS];
	struct strbuf bufs[JOURNALD_MAX_FIELDS];
	int n;
};

static void iovs_add(struct iovs *v, const char *name, const char *value,
		     bool escape)
{
	struct strbuf *b;

	if (!value || v->n == JOURNALD_MAX_FIELDS)
		return;
	b = &v->bufs[v->n];
	strbuf_appends(b, name);
	strbuf_appendc(b, '=');
	if (escape)
		strbuf_append_escaped(b, value, strlen(value));
	else
		strbuf_appends(b, value);
	if (strbuf_failed(b))
		return;
	v->iov[v->n].iov_base = b->buf;
	v->iov[v->n].iov_len = b->len;
	v->n++;
}

static void iovs_addf_i64(struct iovs *v, const char *name, int64_t value)
{
	char num[32];

	if (value < 0)
		return;
	(void)snprintf(num, sizeof(num), "%lld", (long long)value);
	iovs_add(v, name, num, false);
}

static int journald_emit(struct sink *s, const struct alert *a)
{
	struct journald_sink *js = s->state;
	struct iovs v;
	struct strbuf msg = STRBUF_INIT, tags = STRBUF_INIT;
	char prio[4], tbuf[40], serial[32];
	char *json = NULL;
	uint64_t now = journald_now_ms();
	int i, r = -EIO;

	js->stats.emitted++;
	if (now >= js->next_check_ms) {
		js->next_check_ms = now + JOURNALD_ABSENT_RECHECK_MS;
		js->absent = access(JOURNALD_SOCKET, F_OK) < 0 &&
			     errno == ENOENT;
	}
	if (js->absent) {
		js->stats.dropped++;
		return -ENOENT;
	}
	memset(&v, 0, sizeof(v));
	/* Message as Falco prints it: "Priority output". Fields in the
	 * entry carry the full, unescaped values. */
	strbuf_appends(&msg, alert_priority_name(a->priority));
	strbuf_appendc(&msg, ' ');
	strbuf_appends(&msg, a->output ? a->output : "");
	iovs_add(&v, "MESSAGE", strbuf_str(&msg), !a->output_escaped);
	/* one id for every alert: `journalctl MESSAGE_ID=...` selects alerts
	 * only (not the daemon's own log), `journalctl -x` explains them */
	iovs_add(&v, "MESSAGE_ID", JOURNALD_ALERT_MESSAGE_ID, false);
	(void)snprintf(prio, sizeof(prio), "%d", (int)a->priority);
	iovs_add(&v, "PRIORITY", prio, false);
	iovs_add(&v, "SYSLOG_IDENTIFIER", js->identifier, false);
	iovs_add(&v, "HARRIER_RULE", a->rule, false);
	iovs_add(&v, "HARRIER_PRIORITY", alert_priority_name(a->priority),
		 false);
	alert_format_time(a->time_ns, tbuf, sizeof(tbuf));
	iovs_add(&v, "HARRIER_TIME", tbuf, false);
	iovs_add(&v, "HARRIER_SOURCE", a->source, false);
	if (a->ntags) {
		for (i = 0; i < (int)a->ntags; i++) {
			if (i)
				strbuf_appendc(&tags, ',');
			strbuf_appends(&tags, a->tags[i] ? a->tags[i] : "");
		}
		iovs_add(&v, "HARRIER_TAGS", strbuf_str(&tags), false);
	}
	iovs_add(&v, "HARRIER_CONTAINER_ID", a->container_id, false);
	iovs_add(&v, "HARRIER_CONTAINER_NAME", a->container_name, false);
	iovs_add(&v, "HARRIER_POD_NAME", a->pod_name, false);
	iovs_add(&v, "HARRIER_POD_NAMESPACE", a->pod_namespace, false);
	iovs_addf_i64(&v, "HARRIER_PID", a->pid);
	iovs_addf_i64(&v, "HARRIER_PPID", a->ppid);
	iovs_addf_i64(&v, "HARRIER_UID", a->uid);
	iovs_addf_i64(&v, "HARRIER_AUID", a->auid);
	iovs_add(&v, "HARRIER_EXE", a->exe, false);
	iovs_add(&v, "HARRIER_CMDLINE", a->cmdline, false);
	iovs_add(&v, "HARRIER_SYSCALL", a->syscall, false);
	iovs_add(&v, "HARRIER_FILE", a->file, false);
	(void)snprintf(serial, sizeof(serial), "%llu",
		       (unsigned long long)a->audit_serial);
	iovs_add(&v, "HARRIER_AUDIT_SERIAL", serial, false);
	json = alert_to_json(a);
	iovs_add(&v, "HARRIER_JSON", json, false);

	for (i = 0; i < JOURNALD_RETRIES; i++) {
		r = sd_journal_sendv(v.iov, v.n);
		if (r >= 0)
			break;
		if (journald_absent(r)) {
			js->absent = true;
			js->next_check_ms = now + JOURNALD_ABSENT_RECHECK_MS;
			break;
		}
	}
	if (r >= 0)
		js->stats.written++;
	else
		js->stats.dropped++;
	free(json);
	strbuf_free(&msg);
	strbuf_free(&tags);
	for (i = 0; i < JOURNALD_MAX_FIELDS; i++)
		strbuf_free(&v.bufs[i]);
	return r < 0 ? r : 0;
}

static void journald_stats(struct sink *s, struct sink_stats *ret)
{
	struct journald_sink *js = s->state;

	*ret = js->stats;
}

static void journald_free(struct sink *s)
{
	struct journald_sink *js;

	if (!s)
		return;
	js = s->state;
	if (js)
		free(js->identifier);
	free(js);
	free(s);
}

static const struct sink_ops journald_ops = {
	.name = "journald",
	.emit = journald_emit,
	.flush = NULL,
	.stats = journald_stats,
	.free = journald_free,
	.notify = true,
};

struct sink *sink_journald_new(const char *identifier)
{
	struct sink *s = calloc(1, sizeof(*s));
	struct journald_sink *js = calloc(1, sizeof(*js));

	if (!s || !js)
		goto fail;
	js->identifier = strdup(identifier ? identifier : "harrierd");
	if (!js->identifier)
		goto fail;
	s->ops = &journald_ops;
	s->state = js;
	return s;
fail:
	free(js);
	free(s);
	return NULL;
}
