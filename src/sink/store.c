/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite alert store: migration, the writer thread and the reader.
 * emit() only copies the alert into a bounded queue; one thread commits
 * batches in WAL mode, so a slow disk or a locked database never stalls
 * the pipeline, and a reader never blocks the writer. Alert text reaches
 * SQLite only as bound parameters, never as SQL.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/strbuf.h"
#include "sink/store.h"
#include "sink/store_context.h"
#include "sink/store_schema.h"

/* One queued write: an alert, or what a capture adds around alerts (a
 * context event, a capture's summary). They share the queue, so that an
 * alert is always written before the context that links to it. */
enum store_item_kind {
	STORE_ITEM_ALERT,
	STORE_ITEM_EVENT,
	STORE_ITEM_SUMMARY,
	STORE_ITEM_JOIN,
};

struct store_item {
	enum store_item_kind kind;
	const char *origin; /* interned in struct store */
	union {
		struct alert *alert;
		struct context_event *event;
		struct context_summary *summary;
		struct context_join *join;
	} u;
	bool ok;	 /* writer: written, or was already there */
	bool dup;	 /* writer: an alert the store already held */
	unsigned int missing; /* writer: links to alerts not in the store */
};

struct store {
	struct sink sink;
	struct store_options opt;
	sqlite3 *db;
	sqlite3_stmt *ins;
	struct store_context *ctx;

	pthread_mutex_t lock;
	pthread_cond_t cv_work; /* writer: items, flush or stop */
	pthread_cond_t cv_space; /* producers and flush: items done */
	bool sync_init, thread_started;
	pthread_t thread;

	/* Ring of items not yet written. A slot is freed only once its
	 * item is committed or dropped, so queue_max bounds everything in
	 * flight and "count == 0" means "all flushed". */
	struct store_item *ring;
	unsigned int head, count;
	unsigned int flushers;
	bool stop;
	/* An enqueue timed out and no slot has been freed since: drop at
	 * once instead of stalling the pipeline for every alert. */
	bool overflowing;
	struct sink_stats st; /* alerts */
	struct store_context_stats cst;
	char *last_error;
	/* every origin set so far (items point at them), the last current */
	char **origins;
	size_t norigins;

	/* writer thread only */
	struct store_item *batch;
	/* A batch was lost to a store that stays locked or full: one try
	 * per batch until a commit succeeds, so that a long outage costs
	 * one busy timeout per batch, not the whole retry schedule. */
	bool degraded;
	struct strbuf tags_json, fields_json;
};

enum {
	COL_TIME = 1,
	COL_TIME_NS,
	COL_HOSTNAME,
	COL_RULE,
	COL_PRIORITY,
	COL_PRIORITY_NUM,
	COL_OUTPUT,
	COL_TAGS,
	COL_SOURCE,
	COL_CONTAINER_ID,
	COL_CONTAINER_NAME,
	COL_POD_NAME,
	COL_POD_NAMESPACE,
	COL_PID,
	COL_PPID,
	COL_UID,
	COL_AUID,
	COL_EXE,
	COL_CMDLINE,
	COL_SYSCALL,
	COL_FILE,
	COL_AUDIT_SERIAL,
	COL_FIELDS,
	COL_ORIGIN,
};

/* OR IGNORE: an alert already stored (same key: a log replayed twice,
 * a batch retried after its commit) is not stored again. */
static const char insert_sql[] =
	"INSERT OR IGNORE INTO alerts (time, time_ns, hostname, rule, "
	"priority, priority_num, output, tags, source, container_id, "
	"container_name, pod_name, pod_namespace, pid, ppid, uid, auid, exe, "
	"cmdline, syscall, file, audit_serial, fields, origin) VALUES (?, ?, "
	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

static void timespec_after_ms(struct timespec *ts, long ms)
{
	(void)clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* --- schema migration --- */

int store_read_user_version(sqlite3 *db, int *ret)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	(void)sqlite3_finalize(st);
	return rc;
}

static int store_migrate(sqlite3 *db, char **ret_err)
{
	const struct store_schema *sc;
	char pragma[64];
	int have, rc;
	size_t i;

	rc = store_read_user_version(db, &have);
	if (rc != SQLITE_OK) {
		err_set(ret_err, "cannot read the schema version: %s",
			sqlite3_errmsg(db));
		return -EIO;
	}
	if (store_nschemas &&
	    have > store_schemas[store_nschemas - 1].version) {
		err_set(ret_err,
			"the store has schema version %d, newer than this "
			"harrier knows (%d)",
			have, store_schemas[store_nschemas - 1].version);
		return -EIO;
	}
	for (i = 0; i < store_nschemas; i++) {
		sc = &store_schemas[i];
		if (sc->version <= have)
			continue;
		rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			goto fail;
		/* another process may have migrated while we waited */
		rc = store_read_user_version(db, &have);
		if (rc != SQLITE_OK)
			goto fail;
		if (sc->version <= have) {
			(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			continue;
		}
		rc = sqlite3_exec(db, sc->sql, NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			goto fail;
		(void)snprintf(pragma, sizeof(pragma),
			       "PRAGMA user_version = %d", sc->version);
		rc = sqlite3_exec(db, pragma, NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			goto fail;
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			goto fail;
		have = sc->version;
	}
	return 0;
fail:
	err_set(ret_err, "applying schema %s: %s", sc->name,
		sqlite3_errmsg(db));
	if (!sqlite3_get_autocommit(db))
		(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -EIO;
}

/* --- writing --- */

static void json_str(struct strbuf *sb, const char *s)
{
	if (!s) {
		strbuf_appends(sb, "null");
		return;
	}
	strbuf_appendc(sb, '"');
	strbuf_append_json(sb, s, strlen(s));
	strbuf_appendc(sb, '"');
}

static int bind_text(sqlite3_stmt *st, int col, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, col);
	return sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
}

/* -1 is "unknown" in struct alert: NULL in the table, so that queries
 * like "uid = 0" never match an unknown one. */
static int bind_id(sqlite3_stmt *st, int col, int64_t v)
{
	if (v < 0)
		return sqlite3_bind_null(st, col);
	return sqlite3_bind_int64(st, col, v);
}

/* Falco's container.id on the host. Internal alerts (no process) stay
 * without a container. */
static bool on_host(const struct alert *a)
{
	return !a->container_id &&
	       !(a->source && strcmp(a->source, "internal") == 0);
}

static int insert_one(struct store *s, const struct alert *a,
		      const char *origin, bool *ret_dup)
{
	sqlite3_stmt *st = s->ins;
	char t[40];
	size_t i;
	int rc = SQLITE_OK;
	bool host = on_host(a);

	strbuf_reset(&s->tags_json);
	strbuf_appendc(&s->tags_json, '[');
	for (i = 0; i < a->ntags; i++) {
		if (i)
			strbuf_appendc(&s->tags_json, ',');
		json_str(&s->tags_json, a->tags[i]);
	}
	strbuf_appendc(&s->tags_json, ']');
	strbuf_reset(&s->fields_json);
	strbuf_appendc(&s->fields_json, '{');
	for (i = 0; i < a->nfields; i++) {
		if (i)
			strbuf_appendc(&s->fields_json, ',');
		json_str(&s->fields_json,
			 a->fields[i].name ? a->fields[i].name : "");
		strbuf_appendc(&s->fields_json, ':');
		if (a->fields[i].literal && a->fields[i].value)
			strbuf_appends(&s->fields_json, a->fields[i].value);
		else
			json_str(&s->fields_json, a->fields[i].value);
	}
	strbuf_appendc(&s->fields_json, '}');
	if (strbuf_failed(&s->tags_json) || strbuf_failed(&s->fields_json))
		return SQLITE_NOMEM;

	alert_format_time(a->time_ns, t, sizeof(t));
	rc |= sqlite3_bind_text(st, COL_TIME, t, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int64(st, COL_TIME_NS, (sqlite3_int64)a->time_ns);
	rc |= bind_text(st, COL_HOSTNAME, a->hostname);
	rc |= bind_text(st, COL_RULE, a->rule ? a->rule : "");
	rc |= bind_text(st, COL_PRIORITY, alert_priority_name(a->priority));
	rc |= sqlite3_bind_int(st, COL_PRIORITY_NUM, (int)a->priority);
	rc |= bind_text(st, COL_OUTPUT, a->output);
	rc |= bind_text(st, COL_TAGS, strbuf_str(&s->tags_json));
	rc |= bind_text(st, COL_SOURCE, a->source);
	rc |= bind_text(st, COL_CONTAINER_ID, host ? "host" : a->container_id);
	rc |= bind_text(st, COL_CONTAINER_NAME,
			host && !a->container_name ? "host" : a->container_name);
	rc |= bind_text(st, COL_POD_NAME, a->pod_name);
	rc |= bind_text(st, COL_POD_NAMESPACE, a->pod_namespace);
	rc |= bind_id(st, COL_PID, a->pid);
	rc |= bind_id(st, COL_PPID, a->ppid);
	rc |= bind_id(st, COL_UID, a->uid);
	rc |= bind_id(st, COL_AUID, a->auid);
	rc |= bind_text(st, COL_EXE, a->exe);
	rc |= bind_text(st, COL_CMDLINE, a->cmdline);
	rc |= bind_text(st, COL_SYSCALL, a->syscall);
	rc |= bind_text(st, COL_FILE, a->file);
	rc |= sqlite3_bind_int64(st, COL_AUDIT_SERIAL,
				 (sqlite3_int64)a->audit_serial);
	rc |= bind_text(st, COL_FIELDS, strbuf_str(&s->fields_json));
	rc |= bind_text(st, COL_ORIGIN, origin);
	if (rc != SQLITE_OK) {
		rc = sqlite3_errcode(s->db);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
		*ret_dup = sqlite3_changes(s->db) == 0;
	}
out:
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
	return rc;
}

static int insert_item(struct store *s, struct store_item *it)
{
	it->dup = false;
	it->missing = 0;
	switch (it->kind) {
	case STORE_ITEM_ALERT:
		return insert_one(s, it->u.alert, it->origin, &it->dup);
	case STORE_ITEM_EVENT:
		return store_context_write_event(s->ctx, it->u.event,
						 it->origin, &it->missing);
	case STORE_ITEM_SUMMARY:
		return store_context_write_summary(s->ctx, it->u.summary);
	case STORE_ITEM_JOIN:
		return store_context_write_join(s->ctx, it->u.join,
						&it->missing);
	}
	return SQLITE_MISUSE;
}

static void item_free(struct store_item *it)
{
	switch (it->kind) {
	case STORE_ITEM_ALERT:
		alert_free(it->u.alert);
		break;
	case STORE_ITEM_EVENT:
		context_event_free(it->u.event);
		break;
	case STORE_ITEM_SUMMARY:
		context_summary_free(it->u.summary);
		break;
	case STORE_ITEM_JOIN:
		context_join_free(it->u.join);
		break;
	}
	memset(it, 0, sizeof(*it));
}

/* One transaction for n items; SQLITE_OK or the failing code (the
 * transaction is rolled back then). */
static int insert_batch(struct store *s, struct store_item *a, unsigned int n,
			char *msg, size_t msglen)
{
	unsigned int i;
	int rc;

	rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	for (i = 0; rc == SQLITE_OK && i < n; i++)
		rc = insert_item(s, &a[i]);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		(void)snprintf(msg, msglen, "%s", sqlite3_errmsg(s->db));
		if (!sqlite3_get_autocommit(s->db))
			(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	return rc;
}

static bool is_transient(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_PROTOCOL:
		return true;
	default:
		return false;
	}
}

static void record_error(struct store *s, const char *what, unsigned int n)
{
	char *m;

	m = str_printf("%s: %u alert%s dropped", what, n,
			   n == 1 ? "" : "s");
	if (!m)
		return;
	(void)pthread_mutex_lock(&s->lock);
	free(s->last_error);
	s->last_error = m;
	(void)pthread_mutex_unlock(&s->lock);
}

/* Write n items, retrying transient failures with backoff. A batch that
 * fails for a reason retrying cannot fix (one bad row) is split so that
 * only the bad items are lost. Marks each written item ok; returns how
 * many were written. */
static unsigned int write_batch(struct store *s, struct store_item *a,
				unsigned int n)
{
	long backoff = HARRIER_STORE_RETRY_BACKOFF_MS;
	int rc, tries = 0, max;
	unsigned int i, done;
	char msg[256];

	max = s->degraded ? 1 : HARRIER_STORE_RETRY_MAX;
	for (;;) {
		rc = insert_batch(s, a, n, msg, sizeof(msg));
		if (rc == SQLITE_OK) {
			s->degraded = false;
			for (i = 0; i < n; i++)
				a[i].ok = true;
			return n;
		}
		if (!is_transient(rc))
			break;
		if (++tries >= max)
			break;
		sleep_ms(backoff);
		backoff *= 2;
	}
	if (!is_transient(rc) && n > 1) {
		for (i = 0, done = 0; i < n; i++)
			done += write_batch(s, &a[i], 1);
		return done;
	}
	if (is_transient(rc))
		s->degraded = true;
	record_error(s, msg, n);
	return 0;
}

/* What the writer did with a batch, into the counters (lock held). */
static void tally(struct store *s, const struct store_item *it,
		  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++, it++) {
		switch (it->kind) {
		case STORE_ITEM_ALERT:
			if (it->ok)
				s->st.written++;
			else
				s->st.dropped++;
			if (it->ok && it->dup)
				s->cst.duplicates++;
			break;
		case STORE_ITEM_EVENT:
			if (it->ok)
				s->cst.events_written++;
			else
				s->cst.events_dropped++;
			s->cst.links_missing += it->ok ? it->missing : 0;
			break;
		case STORE_ITEM_SUMMARY:
			if (it->ok)
				s->cst.summaries_written++;
			else
				s->cst.summaries_dropped++;
			break;
		case STORE_ITEM_JOIN:
			if (it->ok && !it->missing)
				s->cst.joins_written++;
			else
				s->cst.joins_dropped++;
			break;
		}
	}
}

/* Drop count items from the head (lock held). */
static void drop_head(struct store *s, unsigned int count)
{
	unsigned int cap = s->opt.queue_max, i;
	struct store_item *it;

	for (i = 0; i < count; i++) {
		it = &s->ring[(s->head + i) % cap];
		it->ok = false;
		tally(s, it, 1);
		item_free(it);
	}
	s->head = (s->head + count) % cap;
	s->count -= count;
}

static void *store_thread(void *arg)
{
	struct store *s = arg;
	unsigned int cap = s->opt.queue_max, full, n, i, w, rest;
	(void)w;
	struct timespec dl;
	bool was_degraded;
	char *m;

	full = cap < HARRIER_STORE_BATCH_MAX ? cap : HARRIER_STORE_BATCH_MAX;
	(void)pthread_mutex_lock(&s->lock);
	for (;;) {
		while (s->count == 0 && !s->stop)
			(void)pthread_cond_wait(&s->cv_work, &s->lock);
		if (s->count == 0)
			break; /* stop, and nothing left */
		/* Collect a batch: more rows per transaction, bounded
		 * latency. flush() and stop do not wait for it. */
		timespec_after_ms(&dl, HARRIER_STORE_BATCH_WAIT_MS);
		while (s->count < full && !s->stop && !s->flushers)
			if (pthread_cond_timedwait(&s->cv_work, &s->lock,
						   &dl) == ETIMEDOUT)
				break;
		n = s->count < full ? s->count : full;
		for (i = 0; i < n; i++) {
			s->batch[i] = s->ring[(s->head + i) % cap];
			s->batch[i].ok = false;
		}
		(void)pthread_mutex_unlock(&s->lock);

		was_degraded = s->degraded;
		w = write_batch(s, s->batch, n);

		(void)pthread_mutex_lock(&s->lock);
		tally(s, s->batch, n);
		for (i = 0; i < n; i++)
			item_free(&s->batch[i]);
		s->head = (s->head + n) % cap;
		s->count -= n;
		if (w == 0 && was_degraded && s->degraded && s->count) {
			/* still failing after a lost batch: what waits now
			 * would wait for the same broken store */
			rest = s->count;
			drop_head(s, rest);
			m = str_printf("%s; still failing: %u queued "
					   "alerts dropped",
					   s->last_error ? s->last_error : "",
					   rest);
			if (m) {
				free(s->last_error);
				s->last_error = m;
			}
		}
		s->overflowing = false;
		(void)pthread_cond_broadcast(&s->cv_space);
	}
	(void)pthread_mutex_unlock(&s->lock);
	return NULL;
}

static int store_emit(struct sink *sk, const struct alert *a)
{
	struct store *s = sk->state;
	unsigned int cap = s->opt.queue_max, full;
	struct alert *d;
	struct timespec dl;
	int r = 0;

	d = alert_dup(a);
	(void)pthread_mutex_lock(&s->lock);
	s->st.emitted++;
	if (!d) {
		r = -ENOMEM;
		goto drop;
	}
	if (s->opt.enqueue_wait_ms >= 0)
		timespec_after_ms(&dl, s->opt.enqueue_wait_ms);
	while (s->count == cap) {
		if (s->overflowing && s->opt.enqueue_wait_ms >= 0) {
			r = -ENOBUFS;
			goto drop;
		}
		if (s->opt.enqueue_wait_ms < 0) {
			(void)pthread_cond_wait(&s->cv_space, &s->lock);
		} else if (pthread_cond_timedwait(&s->cv_space, &s->lock,
						  &dl) == ETIMEDOUT &&
			   s->count == cap) {
			s->overflowing = true;
			r = -ENOBUFS;
			goto drop;
		}
	}
	s->ring[(s->head + s->count) % cap] = (struct store_item){
		.kind = STORE_ITEM_ALERT,
		.origin = s->norigins ? s->origins[s->norigins - 1] : NULL,
		.u.alert = d,
	};
	s->count++;
	full = cap < HARRIER_STORE_BATCH_MAX ? cap : HARRIER_STORE_BATCH_MAX;
	if (s->count == 1 || s->count == full)
		(void)pthread_cond_signal(&s->cv_work);
	(void)pthread_mutex_unlock(&s->lock);
	return 0;
drop:
	s->st.dropped++;
	free(s->last_error);
	s->last_error = str_printf(
		r == -ENOBUFS ? "alert queue full (%u waiting): alert dropped"
			      : "out of memory (%u waiting): alert dropped",
		s->count);
	(void)pthread_mutex_unlock(&s->lock);
	alert_free(d);
	return r;
}

/* Queue a context item (taken over: freed on failure). Context may fill
 * half the queue only, and live it never waits: the other half is for
 * alerts, which context must never crowd out. Replay (wait forever)
 * waits, so that a replayed log gets all its context. */
static int store_enqueue_context(struct store *s, struct store_item *it)
{
	unsigned int cap = s->opt.queue_max, limit = cap / 2 ? cap / 2 : 1;
	unsigned int full;

	(void)pthread_mutex_lock(&s->lock);
	while (s->count >= limit && s->opt.enqueue_wait_ms < 0 &&
	       s->thread_started)
		(void)pthread_cond_wait(&s->cv_space, &s->lock);
	if (s->count >= limit) {
		it->ok = false;
		tally(s, it, 1);
		(void)pthread_mutex_unlock(&s->lock);
		item_free(it);
		return -ENOBUFS;
	}
	it->origin = s->norigins ? s->origins[s->norigins - 1] : NULL;
	s->ring[(s->head + s->count) % cap] = *it;
	s->count++;
	full = cap < HARRIER_STORE_BATCH_MAX ? cap : HARRIER_STORE_BATCH_MAX;
	if (s->count == 1 || s->count == full)
		(void)pthread_cond_signal(&s->cv_work);
	(void)pthread_mutex_unlock(&s->lock);
	return 0;
}

static const struct sink_ops store_ops;

/* A copy of a context event or summary (item kind) onto the queue. */
static int emit_context(struct sink *sk, enum store_item_kind kind,
			const void *x)
{
	struct store_item it = { .kind = kind };
	struct store *s;

	if (!sk || sk->ops != &store_ops)
		return -EINVAL;
	s = sk->state;
	if (kind == STORE_ITEM_EVENT)
		it.u.event = context_event_dup(x);
	else if (kind == STORE_ITEM_SUMMARY)
		it.u.summary = context_summary_dup(x);
	else
		it.u.join = context_join_dup(x);
	if (!it.u.event) { /* the union: whichever was set */
		(void)pthread_mutex_lock(&s->lock);
		tally(s, &it, 1); /* not ok: dropped */
		(void)pthread_mutex_unlock(&s->lock);
		return -ENOMEM;
	}
	return store_enqueue_context(s, &it);
}

int store_sink_emit_context(struct sink *sk, const struct context_event *e)
{
	return emit_context(sk, STORE_ITEM_EVENT, e);
}

int store_sink_emit_summary(struct sink *sk, const struct context_summary *c)
{
	return emit_context(sk, STORE_ITEM_SUMMARY, c);
}

int store_sink_emit_join(struct sink *sk, const struct context_join *j)
{
	return emit_context(sk, STORE_ITEM_JOIN, j);
}

int store_sink_set_origin(struct sink *sk, const char *origin)
{
	struct store *s;
	char *d, **p;

	if (!sk || sk->ops != &store_ops)
		return -EINVAL;
	s = sk->state;
	d = strdup(origin);
	if (!d)
		return -ENOMEM;
	(void)pthread_mutex_lock(&s->lock);
	p = realloc(s->origins, (s->norigins + 1) * sizeof(*p));
	if (!p) {
		(void)pthread_mutex_unlock(&s->lock);
		free(d);
		return -ENOMEM;
	}
	s->origins = p;
	s->origins[s->norigins++] = d;
	(void)pthread_mutex_unlock(&s->lock);
	return 0;
}

void store_sink_context_stats(struct sink *sk, struct store_context_stats *ret)
{
	struct store *s;

	memset(ret, 0, sizeof(*ret));
	if (!sk || sk->ops != &store_ops)
		return;
	s = sk->state;
	(void)pthread_mutex_lock(&s->lock);
	*ret = s->cst;
	(void)pthread_mutex_unlock(&s->lock);
}

static int store_flush(struct sink *sk)
{
	struct store *s = sk->state;

	(void)pthread_mutex_lock(&s->lock);
	s->flushers++;
	(void)pthread_cond_signal(&s->cv_work);
	while (s->count > 0 && s->thread_started)
		(void)pthread_cond_wait(&s->cv_space, &s->lock);
	s->flushers--;
	(void)pthread_mutex_unlock(&s->lock);
	return 0;
}

static void store_stats(struct sink *sk, struct sink_stats *ret)
{
	struct store *s = sk->state;

	(void)pthread_mutex_lock(&s->lock);
	*ret = s->st;
	(void)pthread_mutex_unlock(&s->lock);
}

static void store_free(struct sink *sk)
{
	struct store *s = sk->state;
	unsigned int i;

	if (s->thread_started) {
		(void)store_flush(sk);
		(void)pthread_mutex_lock(&s->lock);
		s->stop = true;
		(void)pthread_cond_signal(&s->cv_work);
		(void)pthread_mutex_unlock(&s->lock);
		(void)pthread_join(s->thread, NULL);
	}
	if (s->ring)
		for (i = 0; i < s->count; i++)
			item_free(&s->ring[(s->head + i) % s->opt.queue_max]);
	if (s->sync_init) {
		(void)pthread_cond_destroy(&s->cv_space);
		(void)pthread_cond_destroy(&s->cv_work);
		(void)pthread_mutex_destroy(&s->lock);
	}
	store_context_free(s->ctx);
	(void)sqlite3_finalize(s->ins);
	(void)sqlite3_close(s->db);
	for (i = 0; i < s->norigins; i++)
		free(s->origins[i]);
	free(s->origins);
	strbuf_free(&s->tags_json);
	strbuf_free(&s->fields_json);
	free(s->ring);
	free(s->batch);
	free(s->last_error);
	free(s);
}

static const struct sink_ops store_ops = {
	.name = "sqlite",
	.emit = store_emit,
	.flush = store_flush,
	.stats = store_stats,
	.free = store_free,
};

char *store_sink_last_error(struct sink *sk)
{
	struct store *s;
	char *m = NULL;

	if (!sk || sk->ops != &store_ops)
		return NULL;
	s = sk->state;
	(void)pthread_mutex_lock(&s->lock);
	if (s->last_error)
		m = strdup(s->last_error);
	(void)pthread_mutex_unlock(&s->lock);
	return m;
}

void store_options_init(struct store_options *o)
{
	o->queue_max = HARRIER_STORE_QUEUE_MAX;
	o->enqueue_wait_ms = HARRIER_STORE_ENQUEUE_WAIT_MS;
	o->busy_timeout_ms = HARRIER_STORE_BUSY_TIMEOUT_MS;
}

/* Clear messages for the mistakes an operator makes (missing directory,
 * read-only file system) before SQLite's generic "unable to open". The
 * file is created here, 0640: alerts hold command lines. */
static int store_create_file(const char *path, char **ret_err)
{
	struct stat stb;
	char *dir, *slash;
	int fd, e;

	if (!path || !*path) {
		err_set(ret_err, "no store path given");
		return -EINVAL;
	}
	dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash) {
		free(dir);
		dir = strdup(".");
		if (!dir)
			return -ENOMEM;
	} else if (slash == dir) {
		slash[1] = '\0';
	} else {
		*slash = '\0';
	}
	if (stat(dir, &stb) < 0) {
		e = errno;
		err_set(ret_err, "directory %s: %s%s", dir, strerror(e),
			e == ENOENT ? " (create it first)" : "");
		free(dir);
		return -e;
	}
	if (!S_ISDIR(stb.st_mode)) {
		err_set(ret_err, "%s is not a directory", dir);
		free(dir);
		return -ENOTDIR;
	}
	free(dir);
	if (stat(path, &stb) == 0) {
		if (S_ISDIR(stb.st_mode)) {
			err_set(ret_err, "is a directory");
			return -EISDIR;
		}
		if (access(path, R_OK | W_OK) < 0) {
			e = errno;
			err_set(ret_err, "cannot write: %s", strerror(e));
			return -e;
		}
		return 0;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0 && errno != EEXIST) {
		e = errno;
		err_set(ret_err, "cannot create: %s", strerror(e));
		return -e;
	}
	if (fd >= 0)
		(void)close(fd);
	return 0;
}

static int store_setup_db(struct store *s, const char *path, char **ret_err)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *mode;
	int rc;

	rc = sqlite3_open_v2(path, &s->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		err_set(ret_err, "%s",
			s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		return -EIO;
	}
	/* SQLite silently falls back to read-only when it cannot write */
	if (sqlite3_db_readonly(s->db, "main") == 1) {
		err_set(ret_err, "opened read-only (read-only file system?)");
		return -EROFS;
	}
	(void)sqlite3_extended_result_codes(s->db, 1);
	(void)sqlite3_busy_timeout(s->db, (int)s->opt.busy_timeout_ms);

	rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st,
				NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		err_set(ret_err, "%s", sqlite3_errmsg(s->db));
		(void)sqlite3_finalize(st);
		return -EIO;
	}
	mode = sqlite3_column_text(st, 0);
	if (!mode || strcmp((const char *)mode, "wal") != 0) {
		err_set(ret_err, "cannot switch to WAL (journal mode stays %s)",
			mode ? (const char *)mode : "unknown");
		(void)sqlite3_finalize(st);
		return -EIO;
	}
	(void)sqlite3_finalize(st);
	/* temp_store: the statement journals of INSERT OR IGNORE with
	 * triggers (schema 2) in memory, not a temporary file written per
	 * row (+70% rows/s on bench/store_bench --same) */
	rc = sqlite3_exec(s->db,
			  "PRAGMA synchronous = NORMAL; PRAGMA temp_store = "
			  "MEMORY",
			  NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		err_set(ret_err, "%s", sqlite3_errmsg(s->db));
		return -EIO;
	}
	rc = store_migrate(s->db, ret_err);
	if (rc < 0)
		return rc;
	rc = sqlite3_prepare_v3(s->db, insert_sql, -1,
				SQLITE_PREPARE_PERSISTENT, &s->ins, NULL);
	if (rc != SQLITE_OK) {
		err_set(ret_err, "preparing the insert: %s",
			sqlite3_errmsg(s->db));
		return -EIO;
	}
	s->ctx = store_context_new(s->db, ret_err);
	return s->ctx ? 0 : -EIO;
}

struct sink *store_sink_open(const char *path, const struct store_options *o,
			     char **ret_err)
{
	pthread_condattr_t ca;
	struct store *s;
	char *err = NULL;
	int r;

	if (!sqlite3_threadsafe()) {
		err_set(ret_err, "SQLite was built without thread support");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		err_set(ret_err, "out of memory");
		return NULL;
	}
	s->sink.ops = &store_ops;
	s->sink.state = s;
	if (o)
		s->opt = *o;
	else
		store_options_init(&s->opt);
	if (s->opt.queue_max == 0)
		s->opt.queue_max = 1;
	if (s->opt.queue_max > HARRIER_STORE_QUEUE_MAX)
		s->opt.queue_max = HARRIER_STORE_QUEUE_MAX;
	if (s->opt.enqueue_wait_ms < -1)
		s->opt.enqueue_wait_ms = -1;
	if (s->opt.busy_timeout_ms > 60000)
		s->opt.busy_timeout_ms = 60000;
	strbuf_init(&s->tags_json);
	strbuf_init(&s->fields_json);

	r = store_create_file(path, &err);
	if (r == 0)
		r = store_setup_db(s, path, &err);
	if (r < 0)
		goto fail;

	s->ring = calloc(s->opt.queue_max, sizeof(*s->ring));
	s->batch = calloc(HARRIER_STORE_BATCH_MAX, sizeof(*s->batch));
	if (!s->ring || !s->batch) {
		err_set(&err, "out of memory");
		goto fail;
	}
	if (pthread_condattr_init(&ca) != 0) {
		err_set(&err, "out of memory");
		goto fail;
	}
	(void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_mutex_init(&s->lock, NULL) != 0 ||
	    pthread_cond_init(&s->cv_work, &ca) != 0 ||
	    pthread_cond_init(&s->cv_space, &ca) != 0) {
		/* no cleanup of half-initialised sync: glibc's need none */
		(void)pthread_condattr_destroy(&ca);
		err_set(&err, "cannot initialise locks");
		goto fail;
	}
	(void)pthread_condattr_destroy(&ca);
	s->sync_init = true;
	r = pthread_create(&s->thread, NULL, store_thread, s);
	if (r != 0) {
		err_set(&err, "cannot start the writer thread: %s",
			strerror(r));
		goto fail;
	}
	s->thread_started = true;
	return &s->sink;
fail:
	if (ret_err) {
		*ret_err = err ? err : strdup("out of memory");
		err = NULL;
	}
	free(err);
	store_free(&s->sink);
	return NULL;
}

struct sink *store_sink_new(const char *path, char **ret_err)
{
	return store_sink_open(path, NULL, ret_err);
}
