/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounded line queue plus delivery thread. The ring holds owned lines;
 * the thread copies a batch's pointers out, delivers without the lock,
 * and only then removes them, so a flush waits for what is in flight too.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/limits.h"
#include "common/strbuf.h"
#include "sink/alert_json.h"
#include "sink/outq.h"

struct outq {
	struct sink sink;
	struct sink_ops ops; /* outq_ops, named after the backend */
	const struct outq_backend *be;
	void *ctx;
	struct outq_options opt;

	pthread_mutex_t lock;
	pthread_cond_t cv_work, cv_done;
	pthread_t thread;
	bool thread_started;
	char **ring;
	size_t *lens;
	unsigned int head, count;
	unsigned int inflight; /* taken by the thread, not yet done */
	unsigned int flushers;
	bool stop, reopen;
	bool failing;
	uint64_t fail_start_ms, fail_sent0, fail_dropped0;
	unsigned int backoff_ms;
	uint64_t next_try_ms;
	struct sink_stats st;
	uint64_t rejected, overflowed;
	struct sink_report reports[HARRIER_OUTQ_REPORTS];
	unsigned int rhead, rcount;
};

static void report_locked(struct outq *q, bool start, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report_locked(struct outq *q, bool start, const char *fmt, ...)
{
	struct sink_report *r;
	va_list ap;

	if (q->rcount == HARRIER_OUTQ_REPORTS)
		return;
	r = &q->reports[(q->rhead + q->rcount) % HARRIER_OUTQ_REPORTS];
	memset(r, 0, sizeof(*r));
	r->start = start;
	va_start(ap, fmt);
	(void)vsnprintf(r->text, sizeof(r->text), fmt, ap);
	va_end(ap);
	q->rcount++;
}

static void timedwait_ms(struct outq *q, uint64_t ms)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	(void)pthread_cond_timedwait(&q->cv_work, &q->lock, &ts);
}

static void drop_head_locked(struct outq *q, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		free(q->ring[(q->head + i) % q->opt.queue_max]);
		q->ring[(q->head + i) % q->opt.queue_max] = NULL;
	}
	q->head = (q->head + n) % q->opt.queue_max;
	q->count -= n;
}

static void *outq_thread(void *arg)
{
	struct outq *q = arg;
	char **lines = calloc(q->opt.max_batch, sizeof(*lines));
	size_t *lens = calloc(q->opt.max_batch, sizeof(*lens));
	enum outq_result res;
	unsigned int n, i;
	uint64_t now, ms;
	char why[512];
	bool reopen;

	(void)pthread_mutex_lock(&q->lock);
	for (;;) {
		if (q->stop && (q->count == 0 || q->failing))
			break;
		if (q->count == 0 || !lines || !lens) {
			(void)pthread_cond_broadcast(&q->cv_done);
			(void)pthread_cond_wait(&q->cv_work, &q->lock);
			continue;
		}
		now = clock_mono_ms(NULL);
		if (q->failing && now < q->next_try_ms) {
			/* a flush does not wait out a failing receiver */
			if (q->flushers)
				(void)pthread_cond_broadcast(&q->cv_done);
			timedwait_ms(q, q->next_try_ms - now);
			continue;
		}
		n = q->count < q->opt.max_batch ? q->count : q->opt.max_batch;
		for (i = 0; i < n; i++) {
			lines[i] = q->ring[(q->head + i) % q->opt.queue_max];
			lens[i] = q->lens[(q->head + i) % q->opt.queue_max];
		}
		q->inflight = n;
		reopen = q->reopen;
		q->reopen = false;
		(void)pthread_mutex_unlock(&q->lock);

		if (reopen && q->be->reopen)
			q->be->reopen(q->ctx);
		why[0] = '\0';
		res = q->be->deliver(q->ctx, lines, lens, n, why, sizeof(why));

		(void)pthread_mutex_lock(&q->lock);
		q->inflight = 0;
		if (res == OUTQ_RETRY) {
			if (!q->failing) {
				q->failing = true;
				q->fail_start_ms = clock_mono_ms(NULL);
				q->fail_sent0 = q->st.written;
				q->fail_dropped0 = q->st.dropped;
				q->backoff_ms = q->opt.retry_min_ms;
				report_locked(q, true,
					      "%s output: cannot deliver: %s; "
					      "retrying (%u alerts waiting, at "
					      "most %u kept)",
					      q->be->name, why, q->count,
					      q->opt.queue_max);
			}
			q->next_try_ms = clock_mono_ms(NULL) + q->backoff_ms;
			q->backoff_ms = q->backoff_ms * 2 > q->opt.retry_max_ms ?
						q->opt.retry_max_ms :
						q->backoff_ms * 2;
			continue;
		}
		if (res == OUTQ_SENT) {
			q->st.written += n;
		} else {
			q->st.dropped += n;
			q->rejected += n;
			report_locked(q, true, "%s output: %u alert%s refused: "
				      "%s", q->be->name, n, n == 1 ? "" : "s",
				      why);
		}
		drop_head_locked(q, n);
		if (q->failing) {
			q->failing = false;
			ms = clock_mono_ms(NULL) - q->fail_start_ms;
			report_locked(q, false,
				      "%s output: delivering again after "
				      "%llu.%01llu s; %llu alerts sent, %llu "
				      "dropped since it began failing",
				      q->be->name,
				      (unsigned long long)(ms / 1000),
				      (unsigned long long)(ms % 1000 / 100),
				      (unsigned long long)(q->st.written -
							   q->fail_sent0),
				      (unsigned long long)(q->st.dropped -
							   q->fail_dropped0));
		}
		(void)pthread_cond_broadcast(&q->cv_done);
	}
	q->inflight = 0;
	(void)pthread_cond_broadcast(&q->cv_done);
	(void)pthread_mutex_unlock(&q->lock);
	free(lines);
	free(lens);
	return NULL;
}

static int outq_emit(struct sink *s, const struct alert *a)
{
	struct outq *q = s->state;
	struct strbuf sb = STRBUF_INIT;
	unsigned int at;
	char *line;
	size_t len;

	if (q->opt.json)
		alert_json_append(&sb, a);
	else
		alert_text_append(&sb, a);
	(void)pthread_mutex_lock(&q->lock);
	q->st.emitted++;
	if (strbuf_failed(&sb)) {
		q->st.dropped++;
		(void)pthread_mutex_unlock(&q->lock);
		strbuf_free(&sb);
		return -ENOMEM;
	}
	len = sb.len;
	line = strbuf_steal(&sb);
	if (q->count == q->opt.queue_max) {
		if (q->inflight) {
			/* the oldest are being sent this moment: the new
			 * line goes (rare: a full queue means a failing
			 * receiver, which is mostly waiting between tries) */
			q->st.dropped++;
			q->overflowed++;
			(void)pthread_mutex_unlock(&q->lock);
			free(line);
			return -ENOBUFS;
		}
		/* the oldest goes: the newest alerts matter most to whoever
		 * reads notifications (the store has all) */
		drop_head_locked(q, 1);
		q->st.dropped++;
		q->overflowed++;
	}
	at = (q->head + q->count) % q->opt.queue_max;
	q->ring[at] = line;
	q->lens[at] = len;
	q->count++;
	(void)pthread_cond_signal(&q->cv_work);
	(void)pthread_mutex_unlock(&q->lock);
	return 0;
}

/* Everything delivered, or (failing receiver) given its chance: a flush
 * at shutdown must not hang on a receiver that is down. */
static int outq_flush(struct sink *s)
{
	struct outq *q = s->state;

	(void)pthread_mutex_lock(&q->lock);
	q->flushers++;
	(void)pthread_cond_signal(&q->cv_work);
	while (q->thread_started && q->count > 0 && !q->failing)
		(void)pthread_cond_wait(&q->cv_done, &q->lock);
	if (q->failing && q->count > q->inflight) {
		/* given up: counted, and the counters say so at once */
		unsigned int n = q->count - q->inflight, at, i;

		for (i = 0; i < n; i++) {
			at = (q->head + q->inflight + i) % q->opt.queue_max;
			free(q->ring[at]);
			q->ring[at] = NULL;
		}
		q->count -= n;
		q->st.dropped += n;
	}
	q->flushers--;
	(void)pthread_mutex_unlock(&q->lock);
	return 0;
}

static void outq_stats(struct sink *s, struct sink_stats *ret)
{
	struct outq *q = s->state;

	(void)pthread_mutex_lock(&q->lock);
	*ret = q->st;
	(void)pthread_mutex_unlock(&q->lock);
}

static int outq_take_report(struct sink *s, struct sink_report *ret)
{
	struct outq *q = s->state;
	int r = 0;

	(void)pthread_mutex_lock(&q->lock);
	if (q->rcount) {
		*ret = q->reports[q->rhead];
		q->rhead = (q->rhead + 1) % HARRIER_OUTQ_REPORTS;
		q->rcount--;
		r = 1;
	}
	(void)pthread_mutex_unlock(&q->lock);
	return r;
}

static void outq_reopen(struct sink *s)
{
	struct outq *q = s->state;

	(void)pthread_mutex_lock(&q->lock);
	q->reopen = true;
	(void)pthread_cond_signal(&q->cv_work);
	(void)pthread_mutex_unlock(&q->lock);
}

static void outq_free(struct sink *s)
{
	struct outq *q = s->state;

	if (q->thread_started) {
		(void)outq_flush(s);
		(void)pthread_mutex_lock(&q->lock);
		q->stop = true;
		(void)pthread_cond_signal(&q->cv_work);
		(void)pthread_mutex_unlock(&q->lock);
		(void)pthread_join(q->thread, NULL);
		/* what a failing receiver never got */
		q->st.dropped += q->count;
		(void)pthread_mutex_destroy(&q->lock);
		(void)pthread_cond_destroy(&q->cv_work);
		(void)pthread_cond_destroy(&q->cv_done);
	}
	if (q->ring)
		drop_head_locked(q, q->count);
	if (q->be && q->be->free)
		q->be->free(q->ctx);
	free(q->ring);
	free(q->lens);
	free(q);
}

static const struct sink_ops outq_ops = {
	.name = "outq",
	.emit = outq_emit,
	.flush = outq_flush,
	.stats = outq_stats,
	.free = outq_free,
	.take_report = outq_take_report,
	.reopen = outq_reopen,
	.notify = true,
};

struct sink *outq_sink_new(const struct outq_backend *be, void *ctx,
			   const struct outq_options *o)
{
	pthread_condattr_t ca;
	struct outq *q = calloc(1, sizeof(*q));

	if (!q) {
		be->free(ctx);
		return NULL;
	}
	q->be = be;
	q->ctx = ctx;
	q->opt = *o;
	if (q->opt.queue_max == 0)
		q->opt.queue_max = 1;
	if (q->opt.max_batch == 0)
		q->opt.max_batch = 1;
	if (q->opt.retry_min_ms == 0)
		q->opt.retry_min_ms = 100;
	if (q->opt.retry_max_ms < q->opt.retry_min_ms)
		q->opt.retry_max_ms = q->opt.retry_min_ms;
	q->ops = outq_ops;
	q->ops.name = be->name;
	q->sink.ops = &q->ops;
	q->sink.state = q;
	q->ring = calloc(q->opt.queue_max, sizeof(*q->ring));
	q->lens = calloc(q->opt.queue_max, sizeof(*q->lens));
	if (!q->ring || !q->lens || pthread_condattr_init(&ca) != 0)
		goto fail;
	(void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_mutex_init(&q->lock, NULL) != 0 ||
	    pthread_cond_init(&q->cv_work, &ca) != 0 ||
	    pthread_cond_init(&q->cv_done, &ca) != 0) {
		(void)pthread_condattr_destroy(&ca);
		goto fail;
	}
	(void)pthread_condattr_destroy(&ca);
	if (pthread_create(&q->thread, NULL, outq_thread, q) != 0)
		goto fail;
	q->thread_started = true;
	return &q->sink;
fail:
	outq_free(&q->sink);
	return NULL;
}
