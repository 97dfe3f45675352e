/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stdout sink (Falco's "TIME: Priority output" line, or its JSON
 * document with --json), alert_to_json and alert_dup. Alert text is
 * untrusted (file names, command lines): it is escaped before it reaches a
 * terminal, so a crafted name can never forge a line or an ANSI sequence.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "sink/sink.h"

struct stdout_sink {
	struct sink sink;
	FILE *out; /* borrowed */
	bool json;
	bool batched; /* no fflush per line: the caller flushes */
	pthread_mutex_t lock; /* one line at a time, and the counters */
	struct sink_stats st;
};

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

static void json_string_or_null(struct strbuf *sb, const char *s)
{
	if (!s) {
		strbuf_appends(sb, "null");
		return;
	}
	strbuf_appendc(sb, '"');
	strbuf_append_json(sb, s, strlen(s));
	strbuf_appendc(sb, '"');
}

/* "TIME: Priority " — the prefix of the text line and of Falco's JSON
 * "output" (Falco's output string carries the time and priority too). */
static void append_prefix(struct strbuf *sb, const struct alert *a)
{
	char t[40];

	alert_format_time(a->time_ns, t, sizeof(t));
	strbuf_appends(sb, t);
	strbuf_appends(sb, ": ");
	strbuf_appends(sb, alert_priority_name(a->priority));
	strbuf_appendc(sb, ' ');
}

static void append_json(struct strbuf *sb, const struct alert *a)
{
	struct strbuf line = STRBUF_INIT;
	char t[40];
	size_t i;

	strbuf_appends(sb, "{\"hostname\":");
	json_string_or_null(sb, a->hostname);

	append_prefix(&line, a);
	if (a->output || a->rule)
		strbuf_appends(&line, a->output ? a->output : a->rule);
	if (strbuf_failed(&line))
		sb->failed = true;
	strbuf_appends(sb, ",\"output\":");
	json_string_or_null(sb, strbuf_str(&line));
	strbuf_free(&line);

	/* Falco always puts evt.time first, as an integer in ns; a rule that
	 * names %evt.time gets that, not a second, string-typed copy. */
	strbuf_appendf(sb, ",\"output_fields\":{\"evt.time\":%" PRIu64,
		       a->time_ns);
	for (i = 0; i < a->nfields; i++) {
		const struct alert_field *f = &a->fields[i];

		if (!f->name || strcmp(f->name, "evt.time") == 0)
			continue;
		strbuf_appendc(sb, ',');
		json_string_or_null(sb, f->name);
		strbuf_appendc(sb, ':');
		if (f->literal && f->value)
			strbuf_appends(sb, f->value);
		else
			json_string_or_null(sb, f->value);
	}
	strbuf_appends(sb, "},\"priority\":");
	json_string_or_null(sb, alert_priority_name(a->priority));
	strbuf_appends(sb, ",\"rule\":");
	json_string_or_null(sb, a->rule);
	strbuf_appends(sb, ",\"source\":");
	json_string_or_null(sb, a->source);
	strbuf_appends(sb, ",\"tags\":[");
	for (i = 0; i < a->ntags; i++) {
		if (i)
			strbuf_appendc(sb, ',');
		json_string_or_null(sb, a->tags[i]);
	}
	alert_format_time(a->time_ns, t, sizeof(t));
	strbuf_appends(sb, "],\"time\":\"");
	strbuf_appends(sb, t);
	strbuf_appends(sb, "\"}");
}

char *alert_to_json(const struct alert *a)
{
	struct strbuf sb = STRBUF_INIT;

	append_json(&sb, a);
	if (strbuf_failed(&sb)) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_steal(&sb);
}

static void append_text(struct strbuf *sb, const struct alert *a)
{
	/* without an output (a rule that has none) the rule name says it */
	const char *o = a->output ? a->output : a->rule;

	append_prefix(sb, a);
	if (o)
		strbuf_append_escaped(sb, o, strlen(o));
}

static int stdout_emit(struct sink *s, const struct alert *a)
{
	struct stdout_sink *o = s->state;
	struct strbuf sb = STRBUF_INIT;
	int r = 0;

	if (o->json)
		append_json(&sb, a);
	else
		append_text(&sb, a);
	strbuf_appendc(&sb, '\n');

	(void)pthread_mutex_lock(&o->lock);
	o->st.emitted++;
	if (strbuf_failed(&sb)) {
		r = -ENOMEM;
	} else if (fwrite(sb.buf, 1, sb.len, o->out) != sb.len ||
		   (!o->batched && fflush(o->out) != 0)) {
		/* A closed pipe or full disk: the line is lost; say so in
		 * the stats rather than retrying into a dead descriptor. */
		r = -EIO;
		clearerr(o->out);
	}
	if (r)
		o->st.dropped++;
	else
		o->st.written++;
	(void)pthread_mutex_unlock(&o->lock);
	strbuf_free(&sb);
	return r;
}

static int stdout_flush(struct sink *s)
{
	struct stdout_sink *o = s->state;
	int r;

	(void)pthread_mutex_lock(&o->lock);
	r = fflush(o->out) == 0 ? 0 : -EIO;
	(void)pthread_mutex_unlock(&o->lock);
	return r;
}

static void stdout_stats(struct sink *s, struct sink_stats *ret)
{
	struct stdout_sink *o = s->state;

	(void)pthread_mutex_lock(&o->lock);
	*ret = o->st;
	(void)pthread_mutex_unlock(&o->lock);
}

static void stdout_free(struct sink *s)
{
	struct stdout_sink *o = s->state;

	(void)fflush(o->out); /* the FILE stays the caller's */
	(void)pthread_mutex_destroy(&o->lock);
	free(o);
}

static const struct sink_ops stdout_ops = {
	.name = "stdout",
	.emit = stdout_emit,
	.flush = stdout_flush,
	.stats = stdout_stats,
	.free = stdout_free,
};

void sink_stdout_set_batched(struct sink *s, bool batched)
{
	struct stdout_sink *o;

	if (!s || s->ops != &stdout_ops)
		return;
	o = s->state;
	(void)pthread_mutex_lock(&o->lock);
	o->batched = batched;
	(void)pthread_mutex_unlock(&o->lock);
}

struct sink *sink_stdout_new(FILE *out, bool json)
{
	struct stdout_sink *o;

	if (!out)
		return NULL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	if (pthread_mutex_init(&o->lock, NULL) != 0) {
		free(o);
		return NULL;
	}
	o->out = out;
	o->json = json;
	o->sink.ops = &stdout_ops;
	o->sink.state = o;
	return &o->sink;
}
