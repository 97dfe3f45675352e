/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stdout sink (Falco's "TIME: Priority output" line, or its JSON
 * document with --json, sink/alert_json). Alert text is
 * untrusted (file names, command lines): it is escaped before it reaches a
 * terminal, so a crafted name can never forge a line or an ANSI sequence.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "sink/alert_json.h"
#include "sink/sink.h"

struct stdout_sink {
	struct sink sink;
	FILE *out; /* borrowed */
	bool json;
	bool batched; /* no fflush per line: the caller flushes */
	pthread_mutex_t lock; /* one line at a time, and the counters */
	struct sink_stats st;
	struct strbuf line; /* under lock: reused, not allocated a line */
};

void alert_text_append(struct strbuf *sb, const struct alert *a)
{
	/* without an output (a rule that has none) the rule name says it */
	const char *o = a->output ? a->output : a->rule;
	char t[40];

	alert_format_time(a->time_ns, t, sizeof(t));
	strbuf_appends(sb, t);
	strbuf_appends(sb, ": ");
	strbuf_appends(sb, alert_priority_name(a->priority));
	strbuf_appendc(sb, ' ');
	if (!o)
		return;
	/* read back from the store, the output is escaped already: shown
	 * as it is unless someone put raw bytes there */
	if (a->output && a->output_escaped &&
	    strbuf_escaped_is_clean(o, strlen(o)))
		strbuf_appends(sb, o);
	else
		strbuf_append_escaped(sb, o, strlen(o));
}

static int stdout_emit(struct sink *s, const struct alert *a)
{
	struct stdout_sink *o = s->state;
	struct strbuf *sb = &o->line;
	int r = 0;

	(void)pthread_mutex_lock(&o->lock);
	strbuf_reset(sb);
	if (o->json)
		alert_json_append(sb, a);
	else
		alert_text_append(sb, a);
	strbuf_appendc(sb, '\n');
	o->st.emitted++;
	if (strbuf_failed(sb)) {
		r = -ENOMEM;
	} else if (fwrite(sb->buf, 1, sb->len, o->out) != sb->len ||
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
	strbuf_free(&o->line);
	free(o);
}

static const struct sink_ops stdout_ops = {
	.name = "stdout",
	.emit = stdout_emit,
	.flush = stdout_flush,
	.stats = stdout_stats,
	.free = stdout_free,
	.notify = true,
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
