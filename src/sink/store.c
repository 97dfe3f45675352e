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
#include <json-c/json.h>
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
#include "sink/store_schema.h"

struct store {
	struct sink sink;
	struct store_options opt;
	sqlite3 *db;
	sqlite3_stmt *ins;

	pthread_mutex_t lock;
	pthread_cond_t cv_work; /* writer: items, flush or stop */
	pthread_cond_t cv_space; /* producers and flush: items done */
	bool sync_init, thread_started;
	pthread_t thread;

	/* Ring of alerts not yet written. A slot is freed only once its
	 * alert is committed or dropped, so queue_max bounds everything in
	 * flight and "count == 0" means "all flushed". */
	struct alert **ring;
	unsigned int head, count;
	unsigned int flushers;
	bool stop;
	/* An enqueue timed out and no slot has been freed since: drop at
	 * once instead of stalling the pipeline for every alert. */
	bool overflowing;
	struct sink_stats st;
	char *last_error;

	/* writer thread only */
	struct alert **batch;
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
};

static const char insert_sql[] =
	"INSERT INTO alerts (time, time_ns, hostname, rule, priority, "
	"priority_num, output, tags, source, container_id, container_name, "
	"pod_name, pod_namespace, pid, ppid, uid, auid, exe, cmdline, "
	"syscall, file, audit_serial, fields) VALUES (?, ?, ?, ?, ?, ?, ?, "
	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

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

static int read_user_version(sqlite3 *db, int *ret)
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

	rc = read_user_version(db, &have);
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
		rc = read_user_version(db, &have);
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

static int insert_one(struct store *s, const struct alert *a)
{
	sqlite3_stmt *st = s->ins;
	char t[40];
	size_t i;
	int rc = SQLITE_OK;

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
	rc |= bind_text(st, COL_CONTAINER_ID, a->container_id);
	rc |= bind_text(st, COL_CONTAINER_NAME, a->container_name);
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
	if (rc != SQLITE_OK) {
		rc = sqlite3_errcode(s->db);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
out:
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
	return rc;
}

/* One transaction for n alerts; SQLITE_OK or the failing code (the
 * transaction is rolled back then). */
static int insert_batch(struct store *s, struct alert **a, unsigned int n,
			char *msg, size_t msglen)
{
	unsigned int i;
	int rc;

	rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	for (i = 0; rc == SQLITE_OK && i < n; i++)
		rc = insert_one(s, a[i]);
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

/* Write n alerts, retrying transient failures with backoff. A batch that
 * fails for a reason retrying cannot fix (one bad row) is split so that
 * only the bad alerts are lost. Returns how many were written. */
static unsigned int write_batch(struct store *s, struct alert **a,
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

static void *store_thread(void *arg)
{
	struct store *s = arg;
	unsigned int cap = s->opt.queue_max, full, n, i, w, rest;
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
		for (i = 0; i < n; i++)
			s->batch[i] = s->ring[(s->head + i) % cap];
		(void)pthread_mutex_unlock(&s->lock);

		was_degraded = s->degraded;
		w = write_batch(s, s->batch, n);
		for (i = 0; i < n; i++) {
			alert_free(s->batch[i]);
			s->batch[i] = NULL;
		}

		(void)pthread_mutex_lock(&s->lock);
		s->head = (s->head + n) % cap;
		s->count -= n;
		s->st.written += w;
		s->st.dropped += n - w;
		if (w == 0 && was_degraded && s->degraded && s->count) {
			/* still failing after a lost batch: what waits now
			 * would wait for the same broken store */
			rest = s->count;
			for (i = 0; i < rest; i++)
				alert_free(s->ring[(s->head + i) % cap]);
			s->head = (s->head + rest) % cap;
			s->count = 0;
			s->st.dropped += rest;
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
	s->ring[(s->head + s->count) % cap] = d;
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
			alert_free(s->ring[(s->head + i) % s->opt.queue_max]);
	if (s->sync_init) {
		(void)pthread_cond_destroy(&s->cv_space);
		(void)pthread_cond_destroy(&s->cv_work);
		(void)pthread_mutex_destroy(&s->lock);
	}
	(void)sqlite3_finalize(s->ins);
	(void)sqlite3_close(s->db);
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
	rc = sqlite3_exec(s->db, "PRAGMA synchronous = NORMAL", NULL, NULL,
			  NULL);
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
	return 0;
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

/* --- reading --- */

static bool is_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int num(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* "30s" "10m" "2h" "1d": that long before now. */
static int parse_relative(const char *s, uint64_t now_ns, uint64_t *ret)
{
	size_t n = strlen(s);
	uint64_t v, unit;

	if (n < 2 || !is_digits(s, n - 1) || n - 1 > 9)
		return -EINVAL;
	switch (s[n - 1]) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return -EINVAL;
	}
	v = (uint64_t)num(s, n - 1) * unit * 1000000000ULL;
	*ret = v > now_ns ? 0 : now_ns - v;
	return 0;
}

/* YYYY-MM-DD[(T| )HH[:MM[:SS[.frac]]]][Z|(+|-)HH:MM], UTC unless an
 * offset says otherwise. */
static int parse_iso(const char *s, uint64_t *ret)
{
	struct tm tm, chk;
	const char *p = s;
	int64_t sec, off = 0;
	uint64_t frac = 0, scale = 100000000ULL;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (strlen(p) < 10 || !is_digits(p, 4) || p[4] != '-' ||
	    !is_digits(p + 5, 2) || p[7] != '-' || !is_digits(p + 8, 2))
		return -EINVAL;
	tm.tm_year = num(p, 4) - 1900;
	tm.tm_mon = num(p + 5, 2) - 1;
	tm.tm_mday = num(p + 8, 2);
	p += 10;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (!is_digits(p, 2))
			return -EINVAL;
		tm.tm_hour = num(p, 2);
		p += 2;
		if (*p == ':') {
			if (!is_digits(p + 1, 2))
				return -EINVAL;
			tm.tm_min = num(p + 1, 2);
			p += 3;
			if (*p == ':') {
				if (!is_digits(p + 1, 2))
					return -EINVAL;
				tm.tm_sec = num(p + 1, 2);
				p += 3;
				if (*p == '.') {
					p++;
					if (*p < '0' || *p > '9')
						return -EINVAL;
					for (; *p >= '0' && *p <= '9'; p++) {
						frac += (uint64_t)(*p - '0') *
							scale;
						scale /= 10;
					}
				}
			}
		}
		if (*p == 'Z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			if (!is_digits(p + 1, 2) || p[3] != ':' ||
			    !is_digits(p + 4, 2))
				return -EINVAL;
			off = (int64_t)num(p + 1, 2) * 3600 +
			      (int64_t)num(p + 4, 2) * 60;
			if (*p == '-')
				off = -off;
			p += 6;
		}
	}
	if (*p)
		return -EINVAL;
	chk = tm;
	t = timegm(&tm);
	/* timegm normalises Feb 30 to Mar 2: reject what it had to fix */
	if (t == (time_t)-1 || tm.tm_mday != chk.tm_mday ||
	    tm.tm_mon != chk.tm_mon || tm.tm_hour != chk.tm_hour ||
	    tm.tm_min != chk.tm_min || tm.tm_sec != chk.tm_sec)
		return -EINVAL;
	sec = (int64_t)t - off;
	if (sec < 0)
		return -EINVAL;
	*ret = (uint64_t)sec * 1000000000ULL + frac;
	return 0;
}

static int parse_since(const char *s, uint64_t *ret)
{
	struct timespec now;

	if (parse_iso(s, ret) == 0)
		return 0;
	(void)clock_gettime(CLOCK_REALTIME, &now);
	return parse_relative(
		s, (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec,
		ret);
}

/* A rule name with '*' as SQLite GLOB: only '*' is a wildcard, so '?' and
 * '[' in rule names match themselves. */
static char *rule_glob(const char *r)
{
	struct strbuf sb = STRBUF_INIT;

	for (; *r; r++) {
		if (*r == '?')
			strbuf_appends(&sb, "[?]");
		else if (*r == '[')
			strbuf_appends(&sb, "[[]");
		else
			strbuf_appendc(&sb, *r);
	}
	if (strbuf_failed(&sb)) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_steal(&sb);
}

enum {
	QCOL_TIME_NS,
	QCOL_HOSTNAME,
	QCOL_RULE,
	QCOL_PRIORITY,
	QCOL_PRIORITY_NUM,
	QCOL_OUTPUT,
	QCOL_TAGS,
	QCOL_SOURCE,
	QCOL_CONTAINER_ID,
	QCOL_CONTAINER_NAME,
	QCOL_POD_NAME,
	QCOL_POD_NAMESPACE,
	QCOL_PID,
	QCOL_PPID,
	QCOL_UID,
	QCOL_AUID,
	QCOL_EXE,
	QCOL_CMDLINE,
	QCOL_SYSCALL,
	QCOL_FILE,
	QCOL_AUDIT_SERIAL,
	QCOL_FIELDS,
	QCOL_ID,
};

#define SELECT_COLUMNS                                                      \
	"time_ns, hostname, rule, priority, priority_num, output, tags, "   \
	"source, container_id, container_name, pod_name, pod_namespace, "   \
	"pid, ppid, uid, auid, exe, cmdline, syscall, file, audit_serial, " \
	"fields, id, time"

static int col_str(sqlite3_stmt *st, int col, char **ret)
{
	const unsigned char *t;

	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		*ret = NULL;
		return 0;
	}
	t = sqlite3_column_text(st, col);
	if (!t)
		return -ENOMEM;
	*ret = strdup((const char *)t);
	return *ret ? 0 : -ENOMEM;
}

static int64_t col_id(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return -1;
	return sqlite3_column_int64(st, col);
}

static int json_to_str(struct json_object *j, char **ret)
{
	if (!j) {
		*ret = NULL;
		return 0;
	}
	*ret = strdup(json_object_get_string(j));
	return *ret ? 0 : -ENOMEM;
}

static int row_tags(sqlite3_stmt *st, struct alert *a)
{
	const char *t = (const char *)sqlite3_column_text(st, QCOL_TAGS);
	struct json_object *j;
	size_t i, n;
	int r = 0;

	if (!t)
		return 0;
	j = json_tokener_parse(t);
	if (!j || !json_object_is_type(j, json_type_array)) {
		json_object_put(j);
		return -EBADMSG;
	}
	n = json_object_array_length(j);
	if (n) {
		a->tags = calloc(n, sizeof(*a->tags));
		if (!a->tags)
			r = -ENOMEM;
	}
	for (i = 0; !r && i < n; i++) {
		r = json_to_str(json_object_array_get_idx(j, i), &a->tags[i]);
		if (!r)
			a->ntags = i + 1;
	}
	json_object_put(j);
	return r;
}

static int row_fields(sqlite3_stmt *st, struct alert *a)
{
	const char *t = (const char *)sqlite3_column_text(st, QCOL_FIELDS);
	struct json_object *j;
	size_t n;
	int r = 0;

	if (!t)
		return 0;
	j = json_tokener_parse(t);
	if (!j || !json_object_is_type(j, json_type_object)) {
		json_object_put(j);
		return -EBADMSG;
	}
	n = (size_t)json_object_object_length(j);
	if (n) {
		a->fields = calloc(n, sizeof(*a->fields));
		if (!a->fields)
			r = -ENOMEM;
	}
	if (!r) {
		/* json-c keeps insertion order: the rule's output order */
		json_object_object_foreach(j, key, val)
		{
			struct alert_field *f = &a->fields[a->nfields];

			if (a->nfields == n)
				break;
			a->nfields++;
			f->name = strdup(key);
			f->literal = json_object_is_type(val, json_type_int) ||
				     json_object_is_type(val, json_type_boolean);
			if (!f->name || json_to_str(val, &f->value) < 0) {
				r = -ENOMEM;
				break;
			}
		}
	}
	json_object_put(j);
	return r;
}

static int row_to_alert(sqlite3_stmt *st, struct alert **ret)
{
	struct alert *a;
	int prio, r = 0;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->time_ns = (uint64_t)sqlite3_column_int64(st, QCOL_TIME_NS);
	prio = sqlite3_column_int(st, QCOL_PRIORITY_NUM);
	if (prio >= ALERT_PRIO_EMERGENCY && prio <= ALERT_PRIO_DEBUG)
		a->priority = (enum alert_priority)prio;
	else
		a->priority = ALERT_PRIO_WARNING;
	a->pid = col_id(st, QCOL_PID);
	a->ppid = col_id(st, QCOL_PPID);
	a->uid = col_id(st, QCOL_UID);
	a->auid = col_id(st, QCOL_AUID);
	a->audit_serial = (uint64_t)sqlite3_column_int64(st, QCOL_AUDIT_SERIAL);
	r |= col_str(st, QCOL_HOSTNAME, &a->hostname);
	r |= col_str(st, QCOL_RULE, &a->rule);
	r |= col_str(st, QCOL_OUTPUT, &a->output);
	r |= col_str(st, QCOL_SOURCE, &a->source);
	r |= col_str(st, QCOL_CONTAINER_ID, &a->container_id);
	r |= col_str(st, QCOL_CONTAINER_NAME, &a->container_name);
	r |= col_str(st, QCOL_POD_NAME, &a->pod_name);
	r |= col_str(st, QCOL_POD_NAMESPACE, &a->pod_namespace);
	r |= col_str(st, QCOL_EXE, &a->exe);
	r |= col_str(st, QCOL_CMDLINE, &a->cmdline);
	r |= col_str(st, QCOL_SYSCALL, &a->syscall);
	r |= col_str(st, QCOL_FILE, &a->file);
	if (r) {
		alert_free(a);
		return -ENOMEM;
	}
	r = row_tags(st, a);
	if (!r)
		r = row_fields(st, a);
	if (r) {
		alert_free(a);
		return r;
	}
	*ret = a;
	return 0;
}

/* Check the filters and build the query from constant fragments; every
 * value is a numbered parameter bound later. */
static int build_query(const struct store_query *q, struct strbuf *sql,
		       uint64_t *since_ns, enum alert_priority *prio,
		       char **ret_err)
{
	static const char *const prio_list =
		"Emergency, Alert, Critical, Error, Warning, Notice, "
		"Informational, Debug";

	if (q->since && parse_since(q->since, since_ns) < 0) {
		err_set(ret_err,
			"--since '%s': expected an ISO 8601 time "
			"(2026-11-28T17:00, UTC unless an offset is given) or "
			"an age (30s, 10m, 2h, 1d)",
			q->since);
		return -EINVAL;
	}
	if (q->priority && alert_priority_parse(q->priority, prio) < 0) {
		err_set(ret_err, "--priority '%s': expected one of %s",
			q->priority, prio_list);
		return -EINVAL;
	}
	if (q->rule && !*q->rule) {
		err_set(ret_err, "--rule: empty rule name");
		return -EINVAL;
	}
	if (q->container && !*q->container) {
		err_set(ret_err, "--container: empty id or name");
		return -EINVAL;
	}

	/* With a limit: the most recent N, still shown oldest first. */
	if (q->limit)
		strbuf_appends(sql, "SELECT * FROM (");
	strbuf_appends(sql, "SELECT " SELECT_COLUMNS " FROM alerts WHERE 1");
	if (q->since)
		strbuf_appends(sql, " AND time >= ?1");
	if (q->rule)
		strbuf_appends(sql, strchr(q->rule, '*') ? " AND rule GLOB ?2"
							 : " AND rule = ?2");
	if (q->container)
		strbuf_appends(sql,
			       " AND (container_name = ?3 OR "
			       "substr(container_id, 1, length(?3)) = ?3)");
	if (q->priority)
		strbuf_appends(sql, " AND priority_num <= ?4");
	if (q->limit)
		strbuf_appends(sql, " ORDER BY time DESC, id DESC LIMIT ?5)");
	strbuf_appends(sql, " ORDER BY time, id");
	if (strbuf_failed(sql)) {
		err_set(ret_err, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* "file:PATH?immutable=1" with PATH percent-encoded. */
static char *immutable_uri(const char *path)
{
	static const char hex[] = "0123456789abcdef";
	struct strbuf sb = STRBUF_INIT;
	const unsigned char *p;

	strbuf_appends(&sb, "file:");
	for (p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._-", *p)) {
			strbuf_appendc(&sb, (char)*p);
		} else {
			strbuf_appendc(&sb, '%');
			strbuf_appendc(&sb, hex[*p >> 4]);
			strbuf_appendc(&sb, hex[*p & 15]);
		}
	}
	strbuf_appends(&sb, "?immutable=1");
	if (strbuf_failed(&sb)) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_steal(&sb);
}

static int try_open_reader(const char *name, int flags, sqlite3 **ret,
			   int *ret_version)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open_v2(name, &db, flags, NULL);
	if (rc == SQLITE_OK) {
		(void)sqlite3_busy_timeout(db, HARRIER_STORE_BUSY_TIMEOUT_MS);
		rc = read_user_version(db, ret_version);
	}
	if (rc != SQLITE_OK && db)
		rc = sqlite3_extended_errcode(db);
	*ret = db; /* also on failure: the caller reads the message */
	return rc;
}

static int open_reader(const char *path, sqlite3 **ret, char **ret_err)
{
	struct stat stb;
	sqlite3 *db = NULL;
	char wal[PATH_MAX], *uri;
	int rc, e, v = 0;

	if (!path || !*path) {
		err_set(ret_err, "no store path given");
		return -EINVAL;
	}
	if (stat(path, &stb) < 0) {
		e = errno;
		err_set(ret_err, "%s%s", strerror(e),
			e == ENOENT ? " (no alerts stored yet?)" : "");
		return -EIO;
	}
	/* Read-only: a reader must never take the write lock, and in WAL
	 * mode it never waits for the writer either. */
	rc = try_open_reader(path, SQLITE_OPEN_READONLY, &db, &v);
	/* A WAL store with no -wal file (no writer has it open) on a
	 * read-only file system or directory: SQLite cannot create the
	 * -shm it wants. Nothing writes it, so read it as immutable. */
	if ((rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN) {
		if (snprintf(wal, sizeof(wal), "%s-wal", path) <
			    (int)sizeof(wal) &&
		    access(wal, F_OK) < 0 && errno == ENOENT) {
			uri = immutable_uri(path);
			if (uri) {
				(void)sqlite3_close(db);
				rc = try_open_reader(uri,
						     SQLITE_OPEN_READONLY |
							     SQLITE_OPEN_URI,
						     &db, &v);
				free(uri);
			}
		}
	}
	if (rc != SQLITE_OK) {
		err_set(ret_err, "%s",
			db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		(void)sqlite3_close(db);
		return -EIO;
	}
	if (v < 1) {
		err_set(ret_err, "not a harrier alert store (version %d)", v);
		(void)sqlite3_close(db);
		return -EIO;
	}
	*ret = db;
	return 0;
}

int store_query_alerts(const char *path, const struct store_query *q,
		       int (*cb)(const struct alert *a, void *ud), void *ud,
		       char **ret_err)
{
	static const struct store_query none = { NULL, NULL, NULL, NULL, 0 };
	struct strbuf sql = STRBUF_INIT;
	enum alert_priority prio = ALERT_PRIO_DEBUG;
	char since[40], *glob = NULL;
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;
	uint64_t since_ns = 0;
	struct alert *a;
	int rc, r;

	if (!q)
		q = &none;
	r = build_query(q, &sql, &since_ns, &prio, ret_err);
	if (r < 0)
		goto out;
	r = open_reader(path, &db, ret_err);
	if (r < 0)
		goto out;
	rc = sqlite3_prepare_v2(db, strbuf_str(&sql), -1, &st, NULL);
	if (rc != SQLITE_OK) {
		err_set(ret_err, "%s", sqlite3_errmsg(db));
		r = -EIO;
		goto out;
	}
	rc = SQLITE_OK;
	if (q->since) {
		alert_format_time(since_ns, since, sizeof(since));
		rc |= sqlite3_bind_text(st, 1, since, -1, SQLITE_STATIC);
	}
	if (q->rule && strchr(q->rule, '*')) {
		glob = rule_glob(q->rule);
		rc |= glob ? sqlite3_bind_text(st, 2, glob, -1, SQLITE_STATIC)
			   : SQLITE_NOMEM;
	} else if (q->rule) {
		rc |= sqlite3_bind_text(st, 2, q->rule, -1, SQLITE_STATIC);
	}
	if (q->container)
		rc |= sqlite3_bind_text(st, 3, q->container, -1, SQLITE_STATIC);
	if (q->priority)
		rc |= sqlite3_bind_int(st, 4, (int)prio);
	if (q->limit)
		rc |= sqlite3_bind_int64(st, 5, (sqlite3_int64)q->limit);
	if (rc != SQLITE_OK) {
		err_set(ret_err, "%s", sqlite3_errmsg(db));
		r = -EIO;
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = row_to_alert(st, &a);
		if (r < 0) {
			err_set(ret_err, "alert id %lld: %s",
				(long long)sqlite3_column_int64(st, QCOL_ID),
				r == -EBADMSG ? "tags or fields are not valid "
						"JSON"
					      : strerror(-r));
			r = -EIO;
			goto out;
		}
		r = cb(a, ud);
		alert_free(a);
		if (r < 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		err_set(ret_err, "%s", sqlite3_errmsg(db));
		r = -EIO;
		goto out;
	}
	r = 0;
out:
	(void)sqlite3_finalize(st);
	(void)sqlite3_close(db);
	strbuf_free(&sql);
	free(glob);
	return r;
}

int store_summary(const char *path, struct store_summary *ret, char **ret_err)
{
	static const char sql[] =
		"SELECT priority_num, count(*), max(time) FROM alerts "
		"GROUP BY priority_num";
	struct store_summary sum;
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;
	const unsigned char *t;
	int rc, r, p;

	memset(&sum, 0, sizeof(sum));
	r = open_reader(path, &db, ret_err);
	if (r < 0)
		return r;
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		p = sqlite3_column_int(st, 0);
		if (p >= 0 && p <= ALERT_PRIO_DEBUG)
			sum.by_priority[p] =
				(uint64_t)sqlite3_column_int64(st, 1);
		sum.total += (uint64_t)sqlite3_column_int64(st, 1);
		t = sqlite3_column_text(st, 2);
		if (t && strcmp((const char *)t, sum.last_time) > 0)
			(void)snprintf(sum.last_time, sizeof(sum.last_time),
				       "%s", (const char *)t);
	}
	if (rc != SQLITE_DONE) {
		err_set(ret_err, "%s", sqlite3_errmsg(db));
		r = -EIO;
	} else {
		*ret = sum;
		r = 0;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return r;
}
