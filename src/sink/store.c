/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite store's writer: safe opening, migration, and one thread that
 * writes queued items in batched transactions (WAL), waits out faults
 * with the items kept in memory and then in the spool, and prunes old
 * rows. emit() only copies the item into a bounded queue: a slow disk or
 * a locked database never stalls the pipeline, a reader never blocks the
 * writer. Untrusted text reaches SQLite only as bound parameters.
 *
 * Order and exactly-once: the queue is FIFO; during a fault its oldest
 * items move to the end of the spool, and once the store works the
 * spool is written before the queue. Each item carries (run, seq) under
 * a unique index, so rewriting a batch whose outcome is unknown (SIGBUS
 * in the commit, a crash between commit and spool bookkeeping) adds
 * nothing twice. A batch counts as written only when it committed and
 * the path still names the file it went to.
 *
 * Context around alerts (events, captures, joins: store_context.h)
 * shares the queue, so an alert is written before the context that links
 * to it, but it is best effort: at most half the queue, never waited
 * for, and not spooled (a fault long enough to spill drops it, counted).
 * Alerts are also unique by their own key (event time, audit serial,
 * rule, node): a log replayed twice stores each once.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/safe_path.h"
#include "common/strbuf.h"
#include "sink/store.h"
#include "sink/store_context.h"
#include "sink/store_guard.h"
#include "sink/store_schema.h"
#include "sink/store_spool.h"

/* Every table the writer knows. Another table adds its type here; the
 * order is the statement and counter index only (alerts first: their
 * counters are the sink's stats), spool records carry the type's tag. */
static const struct store_item_type *const store_item_types[] = {
	&store_alert_type,
	&store_event_type,
	&store_summary_type,
	&store_join_type,
};
#define NTYPES (sizeof(store_item_types) / sizeof(store_item_types[0]))
#define ALERTS 0 /* store_item_types[ALERTS] is store_alert_type */
/* An alert's item carries at most this many riders: the capture it
 * starts and its join (see struct qitem). */
#define RIDERS_MAX 2

struct qitem {
	const struct store_item_type *type;
	void *data;
	uint64_t run, seq;
	/* writer: what its write did */
	bool rejected; /* refused by SQLite on its own */
	/* the type's note: its write()'s, or 1 for a row already there */
	unsigned int note;
	/* Context about an alert that came right behind it, the capture
	 * it starts and its join (store_sink_emit_summary, _join), in
	 * that order: written after the alert in its transaction, each
	 * counted as an item of its type, never spooled. They take no
	 * place in the queue or a batch. */
	struct {
		const struct store_item_type *type;
		void *data;
		unsigned int note;
	} riders[RIDERS_MAX];
	unsigned int nriders;
};

/* Per item type (alerts: the sink's stats). */
struct type_stats {
	uint64_t emitted, written, dropped;
	uint64_t noted; /* alerts held already; links not made */
};

/* store_seen: 64-bit hashes of the keys, open addressing; forgotten all
 * at once when half full (it holds the pairs of a node's containers and
 * rules, a few hundred, and the captures of recent transactions: it
 * fills only on a node with thousands of containers, which then cost a
 * statement again now and then). A collision of two 64-bit hashes would
 * skip a side row: not a concern at this size. */
#define SEEN_SLOTS 8192
#define SEEN_ALERTS 64

struct store_seen {
	struct {
		uint64_t key; /* 0: empty */
		int64_t val;
	} slot[SEEN_SLOTS];
	unsigned int count;
	uint64_t txn;
	/* the last alerts inserted, in transaction alerts_txn */
	struct {
		struct alert_key k;
		int64_t id;
	} alerts[SEEN_ALERTS];
	unsigned int nalerts, alerts_next;
	uint64_t alerts_txn;
};

uint64_t store_seen_txn(const struct store_seen *s)
{
	return s->txn;
}

static void seen_clear(struct store_seen *s)
{
	memset(s->slot, 0, sizeof(s->slot));
	s->count = 0;
	s->nalerts = 0;
}

void store_seen_alert(struct store_seen *s, const struct alert_key *k,
		      int64_t id)
{
	if (s->alerts_txn != s->txn) {
		s->alerts_txn = s->txn;
		s->nalerts = 0;
	}
	s->alerts[s->alerts_next].k = *k;
	s->alerts[s->alerts_next].id = id;
	s->alerts_next = (s->alerts_next + 1) % SEEN_ALERTS;
	if (s->nalerts < SEEN_ALERTS)
		s->nalerts++;
}

bool store_seen_alert_id(const struct store_seen *s,
			 const struct alert_key *k, int64_t *ret)
{
	unsigned int i, at;

	if (s->alerts_txn != s->txn)
		return false;
	/* newest first: the join of the alert just written */
	for (i = 1; i <= s->nalerts; i++) {
		at = (s->alerts_next + SEEN_ALERTS - i) % SEEN_ALERTS;
		if (alert_key_same(&s->alerts[at].k, k)) {
			*ret = s->alerts[at].id;
			return true;
		}
	}
	return false;
}

uint64_t store_seen_key(char kind, const char *const *v, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	const char *p;
	size_t i;

	h = (h ^ (unsigned char)kind) * 1099511628211ULL;
	for (i = 0; i < n; i++) {
		p = v[i] ? v[i] : "";
		do { /* with its NUL: ("ab", "c") is not ("a", "bc") */
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		} while (*p++);
	}
	return h ? h : 1;
}

uint64_t store_seen_key_add(uint64_t key, uint64_t x)
{
	int i;

	for (i = 0; i < 8; i++, x >>= 8)
		key = (key ^ (x & 0xff)) * 1099511628211ULL;
	return key ? key : 1;
}

/* The slot of key, or the empty one where it would go. */
static unsigned int seen_slot(const struct store_seen *s, uint64_t key)
{
	unsigned int i;

	for (i = (unsigned int)(key % SEEN_SLOTS);
	     s->slot[i].key && s->slot[i].key != key; i = (i + 1) % SEEN_SLOTS)
		;
	return i;
}

void store_seen_put(struct store_seen *s, uint64_t key, int64_t val)
{
	unsigned int i = seen_slot(s, key);

	if (!s->slot[i].key) {
		if (s->count >= SEEN_SLOTS / 2) {
			seen_clear(s);
			i = seen_slot(s, key);
		}
		s->slot[i].key = key;
		s->count++;
	}
	s->slot[i].val = val;
}

bool store_seen_get(const struct store_seen *s, uint64_t key, int64_t *ret)
{
	unsigned int i = seen_slot(s, key);

	if (!s->slot[i].key)
		return false;
	*ret = s->slot[i].val;
	return true;
}

bool store_seen_first(struct store_seen *s, uint64_t key)
{
	int64_t v;

	if (store_seen_get(s, key, &v))
		return false;
	store_seen_put(s, key, 0);
	return true;
}

struct store {
	struct sink sink;
	struct store_options opt;
	char *path;
	char *spool_dir;
	uint64_t run_id;

	/* writer thread only (and open/free around it) */
	sqlite3 *db;
	sqlite3_stmt *ins[NTYPES][STORE_ITEM_SQL_MAX];
	dev_t dev;
	ino_t ino;
	uint64_t guard_seen;
	struct spool *spool;
	uint64_t spool_retry_ms;  /* spool failed: not before this */
	struct qitem *batch;	  /* BATCH_MAX */
	struct strbuf scratch, enc;
	struct store_seen seen;	  /* of this connection, committed or not */
	int last_rc;		  /* SQLite code of the last failure */
	uint64_t next_try_ms;
	unsigned int backoff_ms;
	unsigned int tries;	  /* replay: tries of the head batch */
	bool degraded;		  /* replay: a batch was lost, one try */
	uint64_t next_prune_ms;
	bool prune_more;
	uint64_t fault_start_ms;
	uint64_t fault_written0, fault_dropped0, fault_spilled;
	uint64_t fault_context0; /* context dropped when the fault began */

	/* shared, under lock */
	pthread_mutex_t lock;
	pthread_cond_t cv_work;	 /* writer: items, flush, stop, timers */
	pthread_cond_t cv_space; /* producers and flush: progress */
	bool sync_init, thread_started;
	pthread_t thread;
	struct qitem *ring;
	unsigned int head, count;
	unsigned int held; /* the head's items the writer works on */
	unsigned int queued_context; /* best-effort items in the ring */
	uint64_t next_seq;
	unsigned int flushers;
	bool stop;
	bool overflowing;
	bool fault;	/* reported as started, not yet as cleared */
	bool db_ok;	/* the last attempt worked */
	bool prune_now;
	bool flush_tried; /* a flush during a fault had its one try */
	uint64_t spooled, spool_bytes;
	struct type_stats cnt[NTYPES];
	uint64_t faults, rejected, pruned;
	char *last_error;
	/* every origin set so far (queued items may point at one), the
	 * last is current */
	char **origins;
	size_t norigins;
	struct sink_report reports[HARRIER_STORE_REPORTS];
	unsigned int rhead, rcount;
};

static const struct sink_ops store_ops;
static int store_take_report(struct sink *sk, struct sink_report *ret);

static uint64_t now_ms(const struct store *s)
{
	return clock_mono_ms(s->opt.clock);
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

static void sqlite_setup(void)
{
	/* SQLite counts every allocation under a global mutex for
	 * sqlite3_status(), which harrier never asks: ~5% of the store
	 * writer's time (a lock and unlock per malloc and free). Taken
	 * only before SQLite starts: a no-op (SQLITE_MISUSE) when another
	 * part of the process started it before. */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

void store_sqlite_setup(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	(void)pthread_once(&once, sqlite_setup);
}

static int store_migrate(sqlite3 *db, char **ret_err)
{
	const struct store_schema *sc = NULL;
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
	err_set(ret_err, "applying schema %s: %s", sc ? sc->name : "?",
		sqlite3_errmsg(db));
	if (!sqlite3_get_autocommit(db))
		(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -EIO;
}

/* --- opening --- */

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* Clear messages for the mistakes an operator makes (missing directory,
 * read-only file system) before SQLite's generic "unable to open". The
 * file is created here, 0640: alerts hold command lines. */
static int create_plain(const char *path, char **ret_err)
{
	struct stat stb;
	char *dir;
	int fd, e;

	dir = dir_of(path);
	if (!dir)
		return -ENOMEM;
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

/* The daemon's way: the directory and the file must be root's alone,
 * the last component no symlink; a new file is 0640 root:group. The
 * -wal and -shm files SQLite opens by name must not be planted either.
 * Returns an open fd of the file for the caller to compare with what
 * SQLite opened. */
static int open_trusted(struct store *s, char **ret_err)
{
	static const char *const side[] = { "-wal", "-shm" };
	char other[PATH_MAX], *dir, *why = NULL;
	struct stat st;
	size_t i;
	int fd, r;

	dir = dir_of(s->path);
	if (!dir)
		return -ENOMEM;
	r = safe_path_check_dir(dir, true, &why);
	free(dir);
	if (r < 0) {
		if (r == -EPERM)
			err_set(ret_err, "refusing it: %s", why);
		else
			err_set(ret_err, "%s%s", why,
				r == -ENOENT ? " (create it first)" : "");
		free(why);
		return r;
	}
	/* the side files first: nothing is created for a refused store */
	for (i = 0; i < 2; i++) {
		(void)snprintf(other, sizeof(other), "%s%s", s->path, side[i]);
		if (lstat(other, &st) < 0)
			continue;
		if (!S_ISREG(st.st_mode)) {
			err_set(ret_err, "refusing it: %s is not a regular "
				"file", other);
			return -EPERM;
		}
		r = safe_path_check_stat(other, &st, &why);
		if (r < 0) {
			err_set(ret_err, "refusing it: %s", why);
			free(why);
			return r;
		}
	}
	fd = open(s->path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT) {
		fd = open(s->path,
			  O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			  0640);
		/* (not root: a test or a user's own replay keeps its uid) */
		if (fd >= 0 &&
		    ((geteuid() == 0 && fchown(fd, 0, s->opt.group) < 0) ||
		     fchmod(fd, 0640) < 0)) {
			r = -errno;
			err_set(ret_err, "cannot set owner and mode: %s",
				strerror(-r));
			(void)close(fd);
			return r;
		}
	}
	if (fd < 0) {
		r = -errno;
		if (r == -ELOOP) {
			err_set(ret_err, "refusing it: it is a symbolic link");
			return -EPERM;
		}
		err_set(ret_err, "cannot open: %s", strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err_set(ret_err, "refusing it: not a regular file");
		(void)close(fd);
		return -EPERM;
	}
	r = safe_path_check_stat(s->path, &st, &why);
	if (r < 0) {
		err_set(ret_err, "refusing it: %s", why);
		free(why);
		(void)close(fd);
		return r;
	}
	return fd;
}

static int exec_pragma(sqlite3 *db, const char *sql, char **ret_err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	err_set(ret_err, "%s: %s", sql, sqlite3_errmsg(db));
	return -EIO;
}

static void close_db(struct store *s, bool checkpoint)
{
	size_t i, k;

	for (i = 0; i < NTYPES; i++)
		for (k = 0; k < STORE_ITEM_SQL_MAX; k++) {
			(void)sqlite3_finalize(s->ins[i][k]);
			s->ins[i][k] = NULL;
		}
	seen_clear(&s->seen);
	if (!s->db)
		return;
	/* after a fault the connection's view may be stale (a private WAL
	 * index, a file no longer at the path): it must not checkpoint */
	if (!checkpoint)
		(void)sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
					1, NULL);
	(void)sqlite3_close_v2(s->db);
	s->db = NULL;
}

/* The statements of every type, on the connection just opened. */
static int prepare_types(struct store *s, char **ret_err)
{
	const struct store_item_type *t;
	const char *sql;
	size_t i, k;
	int rc;

	for (i = 0; i < NTYPES; i++) {
		t = store_item_types[i];
		for (k = 0; k < STORE_ITEM_SQL_MAX; k++) {
			sql = k == 0 ? t->insert_sql :
			      t->more_sql ? t->more_sql[k - 1] : NULL;
			if (!sql)
				break;
			rc = sqlite3_prepare_v3(s->db, sql, -1,
						SQLITE_PREPARE_PERSISTENT,
						&s->ins[i][k], NULL);
			if (rc != SQLITE_OK) {
				err_set(ret_err, "preparing the %s insert: %s",
					t->name, sqlite3_errmsg(s->db));
				return -EIO;
			}
			/* more than STORE_ITEM_SQL_MAX: a programmer's error */
			assert(k + 1 < STORE_ITEM_SQL_MAX || !t->more_sql ||
			       !t->more_sql[k]);
		}
	}
	return 0;
}

static int open_db(struct store *s, char **ret_err)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *mode;
	struct stat a, b;
	int rc, fd = -1, r, flags;
	bool checked = false;
	char pragma[96];

	if (s->opt.trusted) {
		fd = open_trusted(s, ret_err);
		if (fd < 0)
			return fd;
		/* Closed before SQLite locks anything: closing any fd of a
		 * file drops all of the process's POSIX locks on it, and a
		 * WAL connection keeps a SHARED lock on its database that
		 * tells others it is in use (the last to close deletes the
		 * WAL and the index). */
		r = fstat(fd, &b);
		(void)close(fd);
		fd = -1;
		if (r < 0) {
			r = -errno;
			err_set(ret_err, "%s", strerror(-r));
			return r;
		}
		checked = true;
	} else {
		r = create_plain(s->path, ret_err);
		if (r < 0)
			return r;
	}
	/* only the writer thread uses the connection: no mutex per call */
	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
		SQLITE_OPEN_NOMUTEX;
	if (s->opt.trusted)
		flags |= SQLITE_OPEN_NOFOLLOW;
	s->guard_seen = store_guard_faults();
	rc = sqlite3_open_v2(s->path, &s->db, flags, STORE_GUARD_VFS);
	if (rc != SQLITE_OK) {
		err_set(ret_err, "%s",
			s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		r = -EIO;
		goto fail;
	}
	/* the file SQLite opened is the one checked (and stays known by
	 * its inode: a file deleted or replaced is noticed) */
	if (stat(s->path, &a) < 0 ||
	    (checked && (a.st_dev != b.st_dev || a.st_ino != b.st_ino))) {
		err_set(ret_err, "the file changed while it was opened");
		r = -EAGAIN;
		goto fail;
	}
	s->dev = a.st_dev;
	s->ino = a.st_ino;
	/* SQLite silently falls back to read-only when it cannot write */
	if (sqlite3_db_readonly(s->db, "main") == 1) {
		err_set(ret_err, "opened read-only (read-only file system?)");
		r = -EROFS;
		goto fail;
	}
	(void)sqlite3_extended_result_codes(s->db, 1);
	(void)sqlite3_busy_timeout(s->db, (int)s->opt.busy_timeout_ms);
	/* The database file is never memory-mapped: a fault there would be
	 * a SIGBUS too (only the -shm mapping is guarded). */
	r = exec_pragma(s->db, "PRAGMA mmap_size = 0", ret_err);
	if (r < 0)
		goto fail;
	/* A new store frees pages as retention deletes rows (incremental
	 * vacuum); set before the first table exists. */
	rc = sqlite3_prepare_v2(s->db, "PRAGMA page_count", -1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_int64(st, 0) == 0) {
		(void)sqlite3_finalize(st);
		st = NULL;
		r = exec_pragma(s->db, "PRAGMA auto_vacuum = INCREMENTAL",
				ret_err);
		if (r < 0)
			goto fail;
	}
	(void)sqlite3_finalize(st);
	st = NULL;
	rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st,
				NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		err_set(ret_err, "%s", sqlite3_errmsg(s->db));
		r = -EIO;
		goto fail;
	}
	mode = sqlite3_column_text(st, 0);
	if (!mode || strcmp((const char *)mode, "wal") != 0) {
		err_set(ret_err, "cannot switch to WAL (journal mode stays %s)",
			mode ? (const char *)mode : "unknown");
		r = -EIO;
		goto fail;
	}
	(void)sqlite3_finalize(st);
	st = NULL;
	(void)snprintf(pragma, sizeof(pragma),
		       "PRAGMA wal_autocheckpoint = %d; "
		       "PRAGMA journal_size_limit = %d",
		       HARRIER_STORE_WAL_AUTOCHECKPOINT,
		       HARRIER_STORE_JOURNAL_SIZE_LIMIT);
	/* temp_store: statement journals (an insert that can fail half
	 * way, the retention triggers' deletes) in memory, not a temporary
	 * file */
	r = exec_pragma(s->db,
			"PRAGMA synchronous = NORMAL; "
			"PRAGMA temp_store = MEMORY",
			ret_err);
	if (r == 0)
		r = exec_pragma(s->db, pragma, ret_err);
	if (r == 0) {
		(void)snprintf(pragma, sizeof(pragma),
			       "PRAGMA cache_size = -%d",
			       HARRIER_STORE_CACHE_KIB);
		r = exec_pragma(s->db, pragma, ret_err);
	}
	if (r < 0)
		goto fail;
	r = store_migrate(s->db, ret_err);
	if (r == 0)
		r = prepare_types(s, ret_err);
	if (r < 0)
		goto fail;
	if (store_guard_faults() != s->guard_seen) {
		err_set(ret_err, "the WAL index %s-shm cannot be written",
			s->path);
		r = -EIO;
		goto fail;
	}
	return 0;
fail:
	(void)sqlite3_finalize(st);
	close_db(s, false);
	return r;
}

/* --- writing --- */

/* Whether the path still names the file that is open; why says what
 * happened otherwise. */
static bool path_moved(struct store *s, char *why, size_t len)
{
	struct stat st;

	if (stat(s->path, &st) < 0) {
		(void)snprintf(why, len, "the file %s was deleted (%s)",
			       s->path, strerror(errno));
		return true;
	}
	if (st.st_dev != s->dev || st.st_ino != s->ino) {
		(void)snprintf(why, len,
			       "the file %s was replaced by another one",
			       s->path);
		return true;
	}
	return false;
}

static bool guard_tripped(struct store *s, char *why, size_t len)
{
	uint64_t g = store_guard_faults();

	if (g == s->guard_seen)
		return false;
	s->guard_seen = g;
	(void)snprintf(why, len,
		       "the WAL index %s-shm cannot be written (SIGBUS on "
		       "its memory map: immutable, truncated or on a failing "
		       "device)",
		       s->path);
	return true;
}

static size_t type_index(const struct store_item_type *t)
{
	size_t i;

	for (i = 0; i < NTYPES; i++)
		if (store_item_types[i] == t)
			return i;
	return NTYPES;
}

int store_bind_text(sqlite3_stmt *st, int col, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, col);
	return sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
}

int store_step(sqlite3_stmt *st, int rc, int *ret_changes)
{
	sqlite3 *db = sqlite3_db_handle(st);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		rc = rc == SQLITE_DONE || rc == SQLITE_ROW ?
			     SQLITE_OK :
			     sqlite3_extended_errcode(db);
	}
	if (ret_changes)
		*ret_changes = rc == SQLITE_OK ? sqlite3_changes(db) : 0;
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
	return rc;
}

int store_bind_id(sqlite3_stmt *st, int col, int64_t v)
{
	if (v < 0)
		return sqlite3_bind_null(st, col);
	return sqlite3_bind_int64(st, col, v);
}

/* An error of the item itself (SQLite would refuse it again), as opposed
 * to a store that does not work. */
static bool item_error(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_TOOBIG:
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
		return true;
	default:
		return false;
	}
}

static int insert_item(struct store *s, struct qitem *q)
{
	sqlite3_stmt *const *sts = s->ins[type_index(q->type)];
	sqlite3_stmt *st = sts[0];
	const struct store_item_type *t;
	unsigned int i;
	int rc;

	strbuf_reset(&s->scratch);
	q->note = 0;
	if (q->type->write)
		return q->type->write(sts, q->data, &s->scratch, &s->seen,
				      &q->note);
	rc = sqlite3_bind_int64(st, 1, (sqlite3_int64)q->run);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, (sqlite3_int64)q->seq);
	if (rc == SQLITE_OK)
		rc = q->type->bind(st, q->data, &s->scratch);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
			/* DO NOTHING: the row (its key) was there already */
			q->note = sqlite3_changes(s->db) == 0;
			if (!q->note && q->type->after)
				rc = q->type->after(sts, q->data, &s->seen);
		} else {
			rc = sqlite3_extended_errcode(s->db);
		}
	}
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
	for (i = 0; rc == SQLITE_OK && i < q->nriders; i++) {
		t = q->riders[i].type;
		strbuf_reset(&s->scratch);
		rc = t->write(s->ins[type_index(t)], q->riders[i].data,
			      &s->scratch, &s->seen, &q->riders[i].note);
		/* context SQLite refuses on its own (its statement alone
		 * is undone) is not written; the alert stays */
		if (item_error(rc)) {
			q->riders[i].note = 1;
			rc = SQLITE_OK;
		}
	}
	return rc;
}

/* One transaction for n items: SQLITE_OK or the failing code (rolled
 * back then), the message in why. */
static int insert_batch(struct store *s, struct qitem *q, unsigned int n,
			char *why, size_t len)
{
	unsigned int i;
	int rc;

	rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	s->seen.txn++;
	for (i = 0; rc == SQLITE_OK && i < n; i++)
		rc = insert_item(s, &q[i]);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		rc = sqlite3_extended_errcode(s->db);
		if (rc == SQLITE_OK)
			rc = SQLITE_ERROR;
		(void)snprintf(why, len, "%s", sqlite3_errmsg(s->db));
		if (!sqlite3_get_autocommit(s->db))
			(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL,
					   NULL);
		/* the side rows of this transaction are gone with it */
		seen_clear(&s->seen);
	}
	return rc;
}

/* Write n items. 0: every one is in the store or was refused by SQLite
 * on its own (*ret_rejected of them, marked rejected); <0: the store
 * does not work (why says how) and none counts as written. */
static int write_items(struct store *s, struct qitem *q, unsigned int n,
		       unsigned int *ret_rejected, char *why, size_t len)
{
	unsigned int i, rejected = 0;
	char *err = NULL;
	int rc, r;

	*ret_rejected = 0;
	for (i = 0; i < n; i++)
		q[i].rejected = false;
	if (!s->db) {
		r = open_db(s, &err);
		if (r < 0) {
			(void)snprintf(why, len, "%s: %s", s->path,
				       err ? err : strerror(-r));
			free(err);
			s->last_rc = SQLITE_CANTOPEN;
			return r;
		}
		if (s->last_rc == SQLITE_FULL)
			/* give the disk back what a grown WAL holds */
			(void)sqlite3_exec(s->db,
					   "PRAGMA wal_checkpoint(TRUNCATE)",
					   NULL, NULL, NULL);
	}
	if (path_moved(s, why, len)) {
		close_db(s, false);
		s->last_rc = SQLITE_CANTOPEN;
		return -ESTALE;
	}
	rc = insert_batch(s, q, n, why, len);
	if (rc != SQLITE_OK && item_error(rc) && !guard_tripped(s, why, len)) {
		/* one bad item must not hold back the rest: each alone */
		for (i = 0; i < n; i++) {
			rc = insert_batch(s, &q[i], 1, why, len);
			if (rc == SQLITE_OK)
				continue;
			if (!item_error(rc))
				break;
			q[i].rejected = true;
			rejected++;
			rc = SQLITE_OK;
		}
	}
	if (guard_tripped(s, why, len)) {
		close_db(s, false);
		s->last_rc = SQLITE_IOERR;
		return -EIO;
	}
	if (rc != SQLITE_OK) {
		s->last_rc = rc;
		/* a busy store keeps its connection; anything else may have
		 * left it in a state worth starting over from */
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			close_db(s, false);
		return -EIO;
	}
	/* committed: to the file the path names? */
	if (path_moved(s, why, len)) {
		close_db(s, false);
		s->last_rc = SQLITE_CANTOPEN;
		return -ESTALE;
	}
	*ret_rejected = rejected;
	return 0;
}

static void spool_file(const struct store *s, char *buf, size_t len);

static void record_error_locked(struct store *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void record_error_locked(struct store *s, const char *fmt, ...)
{
	char buf[768];
	va_list ap;
	char *m;

	va_start(ap, fmt);
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	m = strdup(buf);
	if (!m)
		return;
	free(s->last_error);
	s->last_error = m;
}

static void report_locked(struct store *s, bool start, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report_locked(struct store *s, bool start, const char *fmt, ...)
{
	struct sink_report *r;
	va_list ap;

	if (s->rcount == HARRIER_STORE_REPORTS)
		return;
	r = &s->reports[(s->rhead + s->rcount) % HARRIER_STORE_REPORTS];
	r->start = start;
	r->alert = true;
	r->rule = STORE_FAULT_RULE;
	va_start(ap, fmt);
	(void)vsnprintf(r->text, sizeof(r->text), fmt, ap);
	va_end(ap);
	s->rcount++;
}

/* Context items dropped so far (all best-effort types). */
static uint64_t context_dropped_locked(const struct store *s)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < NTYPES; i++)
		if (store_item_types[i]->best_effort)
			n += s->cnt[i].dropped;
	return n;
}

/* Alerts among the queued items. */
static unsigned int queued_alerts_locked(const struct store *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < s->count; i++)
		if (s->ring[(s->head + i) % s->opt.queue_max].type ==
		    store_item_types[ALERTS])
			n++;
	return n;
}

/* One item of type t written (with its note) or dropped. */
static void tally_one(struct store *s, const struct store_item_type *t,
		      bool written, unsigned int note)
{
	struct type_stats *c = &s->cnt[type_index(t)];

	if (written) {
		c->written++;
		c->noted += note;
	} else {
		c->dropped++;
	}
}

/* n items done with: written (but the rejected ones), or dropped. */
static void tally_locked(struct store *s, const struct qitem *q,
			 unsigned int n, bool written)
{
	unsigned int i, k;
	bool ok;

	for (i = 0; i < n; i++) {
		/* an alert's riders share its fate */
		ok = written && !q[i].rejected;
		tally_one(s, q[i].type, ok, q[i].note);
		for (k = 0; k < q[i].nriders; k++)
			tally_one(s, q[i].riders[k].type, ok,
				  q[i].riders[k].note);
	}
}

/* Alerts among n items. */
static unsigned int count_alerts(const struct qitem *q, unsigned int n)
{
	unsigned int i, k = 0;

	for (i = 0; i < n; i++)
		k += q[i].type == store_item_types[ALERTS];
	return k;
}

/* A write failed: the store is unavailable from now on until a write
 * works. The first failure of a fault is reported. */
static void fault_locked(struct store *s, const char *why)
{
	uint64_t now = now_ms(s);

	record_error_locked(s, "%s", why);
	s->db_ok = false;
	s->next_try_ms = now + s->backoff_ms;
	s->backoff_ms = s->backoff_ms * 2 > s->opt.retry_max_ms ?
				s->opt.retry_max_ms :
				s->backoff_ms * 2;
	if (s->fault)
		return;
	s->fault = true;
	s->faults++;
	s->fault_start_ms = now;
	s->fault_written0 = s->cnt[ALERTS].written;
	s->fault_dropped0 = s->cnt[ALERTS].dropped;
	s->fault_context0 = context_dropped_locked(s);
	s->fault_spilled = 0;
	if (!s->opt.keep_trying)
		return;
	if (s->spool_dir) {
		char sp[PATH_MAX];

		spool_file(s, sp, sizeof(sp));
		report_locked(s, true,
			      "alert store %s unavailable: %s; %u alerts "
			      "waiting; they are kept in memory and then in "
			      "the spool %s until it works again",
			      s->path, why, queued_alerts_locked(s), sp);
	} else
		report_locked(s, true,
			      "alert store %s unavailable: %s; %u alerts "
			      "waiting; they are kept in memory (at most %u: "
			      "no spool) until it works again",
			      s->path, why, queued_alerts_locked(s),
			      s->opt.queue_max);
}

static void ok_locked(struct store *s)
{
	s->db_ok = true;
	s->tries = 0;
	s->backoff_ms = HARRIER_STORE_RETRY_BACKOFF_MS;
}

/* Caught up after a fault: say so, with what it cost. */
static void maybe_clear_locked(struct store *s)
{
	uint64_t ms, ctx;
	char more[96] = "";

	if (!s->fault || !s->db_ok || s->spooled || s->count)
		return;
	s->fault = false;
	if (!s->opt.keep_trying)
		return;
	ms = now_ms(s) - s->fault_start_ms;
	ctx = context_dropped_locked(s) - s->fault_context0;
	if (ctx)
		(void)snprintf(more, sizeof(more),
			       "; %llu items of context around alerts "
			       "dropped (not spooled)",
			       (unsigned long long)ctx);
	report_locked(s, false,
		      "alert store %s available again after %llu.%01llu s: "
		      "%llu alerts written since the fault began (%llu of "
		      "them through the spool), %llu lost%s",
		      s->path, (unsigned long long)(ms / 1000),
		      (unsigned long long)(ms % 1000 / 100),
		      (unsigned long long)(s->cnt[ALERTS].written -
					   s->fault_written0),
		      (unsigned long long)s->fault_spilled,
		      (unsigned long long)(s->cnt[ALERTS].dropped -
					   s->fault_dropped0),
		      more);
}

/* q's riders dropped (counted as their types' items) and freed. */
static void drop_riders_locked(struct store *s, struct qitem *q)
{
	unsigned int k;

	for (k = 0; k < q->nriders; k++) {
		tally_one(s, q->riders[k].type, false, 0);
		q->riders[k].type->free(q->riders[k].data);
	}
	q->nriders = 0;
}

static void free_items(struct qitem *q, unsigned int n)
{
	unsigned int i, k;

	for (i = 0; i < n; i++) {
		q[i].type->free(q[i].data);
		q[i].data = NULL;
		for (k = 0; k < q[i].nriders; k++)
			q[i].riders[k].type->free(q[i].riders[k].data);
		q[i].nriders = 0;
	}
}

/* Remove n items from the head of the ring into out (no free; out NULL:
 * they are in the batch already). */
static void ring_take_locked(struct store *s, struct qitem *out,
			     unsigned int n)
{
	unsigned int i, cap = s->opt.queue_max;
	const struct qitem *q;

	for (i = 0; i < n; i++) {
		q = &s->ring[(s->head + i) % cap];
		if (q->type->best_effort)
			s->queued_context--;
		if (out)
			out[i] = *q;
	}
	s->head = (s->head + n) % cap;
	s->count -= n;
}

/* A batch from the head of the ring: copied, still queued. */
static unsigned int ring_peek_locked(struct store *s, unsigned int max)
{
	unsigned int i, n = s->count < max ? s->count : max;

	for (i = 0; i < n; i++)
		s->batch[i] = s->ring[(s->head + i) % s->opt.queue_max];
	s->held = n;
	return n;
}

static unsigned int batch_size(const struct store *s)
{
	return s->opt.queue_max < HARRIER_STORE_BATCH_MAX ?
		       s->opt.queue_max :
		       HARRIER_STORE_BATCH_MAX;
}

/* The oldest queued items, written (called unlocked, by the writer). */
static void write_from_ring(struct store *s)
{
	unsigned int n, rejected;
	char why[512];
	int r;

	(void)pthread_mutex_lock(&s->lock);
	n = ring_peek_locked(s, batch_size(s));
	(void)pthread_mutex_unlock(&s->lock);
	if (!n)
		return;
	r = write_items(s, s->batch, n, &rejected, why, sizeof(why));
	(void)pthread_mutex_lock(&s->lock);
	s->held = 0;
	if (r == 0) {
		/* the batch is the ring's head, with what the write did */
		ring_take_locked(s, NULL, n);
		tally_locked(s, s->batch, n, true);
		s->rejected += rejected;
		if (rejected)
			record_error_locked(s, "%s: %u item%s refused by "
					    "SQLite and dropped", why, rejected,
					    rejected == 1 ? "" : "s");
		ok_locked(s);
		s->overflowing = false;
		(void)pthread_cond_broadcast(&s->cv_space);
		(void)pthread_mutex_unlock(&s->lock);
		free_items(s->batch, n);
		return;
	}
	fault_locked(s, why);
	if (!s->opt.keep_trying &&
	    ++s->tries >= (s->degraded ? 1 : HARRIER_STORE_RETRY_MAX)) {
		/* replay: the batch goes, counted; what waits behind it gets
		 * one try each while the store keeps failing */
		ring_take_locked(s, NULL, n);
		tally_locked(s, s->batch, n, false);
		s->degraded = true;
		s->tries = 0;
		record_error_locked(s, "%s: %u alert%s dropped", why,
				    count_alerts(s->batch, n),
				    count_alerts(s->batch, n) == 1 ? "" : "s");
		(void)pthread_cond_broadcast(&s->cv_space);
		(void)pthread_mutex_unlock(&s->lock);
		free_items(s->batch, n);
		return;
	}
	(void)pthread_mutex_unlock(&s->lock);
}

/* Spool record: tag, run, seq, then the type's encoding. */
static int encode_item(struct store *s, const struct qitem *q)
{
	unsigned char h[17];
	int i;

	h[0] = q->type->tag;
	for (i = 0; i < 8; i++) {
		h[1 + i] = (unsigned char)(q->run >> (8 * i));
		h[9 + i] = (unsigned char)(q->seq >> (8 * i));
	}
	strbuf_reset(&s->enc);
	strbuf_append(&s->enc, (const char *)h, sizeof(h));
	q->type->encode(q->data, &s->enc);
	return strbuf_failed(&s->enc) ? -ENOMEM : 0;
}

static int decode_item(const unsigned char *p, size_t len, struct qitem *ret)
{
	size_t i;
	int k;

	if (len < 17)
		return -EINVAL;
	for (i = 0; i < NTYPES; i++)
		if (store_item_types[i]->tag == p[0])
			break;
	if (i == NTYPES)
		return -EINVAL;
	ret->type = store_item_types[i];
	ret->run = ret->seq = 0;
	ret->nriders = 0;
	for (k = 0; k < 8; k++) {
		ret->run |= (uint64_t)p[1 + k] << (8 * k);
		ret->seq |= (uint64_t)p[9 + k] << (8 * k);
	}
	ret->data = ret->type->decode(p + 17, len - 17);
	return ret->data ? 0 : -EINVAL;
}

/* The spool's next records, written. */
static void write_from_spool(struct store *s)
{
	unsigned int n = 0, bad = 0, rejected, max = batch_size(s);
	const void *p;
	size_t len;
	char why[512];
	int r = 0;

	while (n < max && (r = spool_next(s->spool, &p, &len)) == 1) {
		if (decode_item(p, len, &s->batch[n]) < 0)
			bad++;
		else
			n++;
	}
	if (r < 0 && n == 0 && bad == 0) {
		/* the spool cannot be read: give up on what is left */
		(void)pthread_mutex_lock(&s->lock);
		/* only alerts are spooled */
		s->cnt[ALERTS].dropped += spool_pending(s->spool);
		record_error_locked(s, "spool %s unreadable (%s): %llu alerts "
				    "lost", spool_path(s->spool),
				    strerror(-r),
				    (unsigned long long)spool_pending(
					    s->spool));
		(void)pthread_mutex_unlock(&s->lock);
		spool_close(s->spool);
		s->spool = NULL;
		(void)pthread_mutex_lock(&s->lock);
		s->spooled = s->spool_bytes = 0;
		(void)pthread_mutex_unlock(&s->lock);
		return;
	}
	r = n ? write_items(s, s->batch, n, &rejected, why, sizeof(why)) : 0;
	if (n == 0)
		rejected = 0;
	if (r == 0)
		/* if the bookkeeping fails, a restart writes them again:
		 * the unique keys keep them once */
		(void)spool_commit(s->spool);
	if (r < 0)
		spool_rewind(s->spool);
	(void)pthread_mutex_lock(&s->lock);
	if (r == 0) {
		tally_locked(s, s->batch, n, true);
		s->cnt[ALERTS].dropped += bad; /* only alerts are spooled */
		s->rejected += rejected + bad;
		if (bad)
			record_error_locked(s, "%u unreadable spool records "
					    "dropped", bad);
		ok_locked(s);
	} else {
		fault_locked(s, why);
	}
	s->spooled = spool_pending(s->spool);
	s->spool_bytes = spool_bytes(s->spool);
	(void)pthread_cond_broadcast(&s->cv_space);
	(void)pthread_mutex_unlock(&s->lock);
	free_items(s->batch, n);
}

/* One spool per store path: DIR/<db name>-<hash of its path>.spool. */
static void spool_file(const struct store *s, char *buf, size_t len)
{
	uint32_t h = 2166136261u;
	const char *c, *base;

	for (c = s->path; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	base = strrchr(s->path, '/');
	base = base ? base + 1 : s->path;
	(void)snprintf(buf, len, "%s/%s-%08x.spool", s->spool_dir, base, h);
}

/* Open the spool on first need (a fault), unless it failed lately. */
static bool spool_ready(struct store *s)
{
	char path[PATH_MAX], *err = NULL, *why = NULL;
	uint64_t cut = 0;
	int r;

	if (s->spool)
		return true;
	if (!s->spool_dir || now_ms(s) < s->spool_retry_ms)
		return false;
	/* until it works: not tried again before this */
	s->spool_retry_ms = now_ms(s) + s->opt.retry_max_ms;
	if (mkdir(s->spool_dir, 0750) < 0 && errno != EEXIST) {
		r = -errno;
		(void)pthread_mutex_lock(&s->lock);
		record_error_locked(s, "cannot create spool directory %s: %s",
				    s->spool_dir, strerror(-r));
		(void)pthread_mutex_unlock(&s->lock);
		return false;
	}
	r = safe_path_check_dir(s->spool_dir, true, &why);
	if (r < 0 && s->opt.trusted) {
		(void)pthread_mutex_lock(&s->lock);
		record_error_locked(s, "not using spool directory %s: %s",
				    s->spool_dir, why);
		(void)pthread_mutex_unlock(&s->lock);
		free(why);
		return false;
	}
	free(why);
	spool_file(s, path, sizeof(path));
	r = spool_open(path, s->opt.spool_max_bytes, &s->spool, &cut, &err);
	(void)pthread_mutex_lock(&s->lock);
	if (r < 0)
		record_error_locked(s, "%s", err ? err : strerror(-r));
	else {
		s->spool_retry_ms = 0;
		s->spooled = spool_pending(s->spool);
		s->spool_bytes = spool_bytes(s->spool);
		if (cut)
			record_error_locked(s, "spool %s: %llu bytes of a torn "
					    "record cut off", path,
					    (unsigned long long)cut);
	}
	(void)pthread_mutex_unlock(&s->lock);
	free(err);
	return r == 0;
}

/* Move the oldest queued items to the end of the spool: all of them
 * (flush, stop) or down to half the spill mark. */
static void spill(struct store *s, bool all)
{
	unsigned int n, i, k, done = 0, spilled = 0;
	unsigned int keep = all ? 0 : HARRIER_STORE_SPILL_AT / 2;
	int r = 0;

	if (!spool_ready(s))
		return;
	(void)pthread_mutex_lock(&s->lock);
	n = s->count > keep ? s->count - keep : 0;
	if (n > batch_size(s))
		n = batch_size(s);
	n = ring_peek_locked(s, n);
	(void)pthread_mutex_unlock(&s->lock);
	for (i = 0; i < n; i++) {
		/* context is not spooled (drop_context_locked took it out
		 * before; what came in since goes here) */
		if (s->batch[i].type->best_effort) {
			done++;
			continue;
		}
		r = encode_item(s, &s->batch[i]);
		if (r == 0)
			r = spool_append(s->spool, s->enc.buf, s->enc.len);
		if (r < 0)
			break;
		done++;
		spilled++;
	}
	if (spilled)
		/* fails only with the device: the records are still in
		 * the page cache, and the store is written from there */
		(void)spool_sync(s->spool);
	(void)pthread_mutex_lock(&s->lock);
	s->held = 0;
	ring_take_locked(s, NULL, done);
	for (i = 0; i < done; i++) {
		if (s->batch[i].type->best_effort)
			tally_one(s, s->batch[i].type, false, 0);
		/* freed with the batch below */
		for (k = 0; k < s->batch[i].nriders; k++)
			tally_one(s, s->batch[i].riders[k].type, false, 0);
	}
	s->fault_spilled += spilled;
	s->spooled = spool_pending(s->spool);
	s->spool_bytes = spool_bytes(s->spool);
	if (r < 0) {
		s->spool_retry_ms = now_ms(s) + s->opt.retry_max_ms;
		record_error_locked(s, "spool %s: %s", spool_path(s->spool),
				    r == -ENOSPC ? "full" : strerror(-r));
	}
	(void)pthread_cond_broadcast(&s->cv_space);
	(void)pthread_mutex_unlock(&s->lock);
	free_items(s->batch, done);
}

/* Drop what waits (a flush with no place left to put it). */
static void drop_queued_locked(struct store *s, const char *why)
{
	unsigned int n = 0;
	struct qitem q;

	while (s->count) {
		ring_take_locked(s, &q, 1);
		tally_locked(s, &q, 1, false);
		n += count_alerts(&q, 1);
		free_items(&q, 1);
	}
	record_error_locked(s, "%s: %u alerts dropped", why, n);
}

/* Drop the queued context, counted (a fault that filled the queue past
 * the spill mark, or a flush during a fault): the alerts keep their
 * order and get the room. The writer's alone (it holds no batch of the
 * ring meanwhile). */
static void drop_context_locked(struct store *s)
{
	unsigned int cap = s->opt.queue_max, i, k = 0;
	struct qitem *q;

	for (i = 0; i < s->count; i++) {
		q = &s->ring[(s->head + i) % cap];
		drop_riders_locked(s, q);
		if (q->type->best_effort) {
			s->cnt[type_index(q->type)].dropped++;
			q->type->free(q->data);
			continue;
		}
		if (k != i)
			s->ring[(s->head + k) % cap] = *q;
		k++;
	}
	s->count = k;
	s->queued_context = 0;
}

/* --- retention --- */

static int prune_one(struct store *s, const char *sql, sqlite3_int64 a,
		     const char *b, int *ret_changes)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	(void)sqlite3_bind_int64(st, 1, a);
	if (b)
		(void)sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	(void)sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc;
	*ret_changes += sqlite3_changes(s->db);
	return SQLITE_OK;
}

/* One small step of retention; prune_more when there is more to do. */
static void prune_step(struct store *s, uint64_t max_age_s, uint64_t max_rows)
{
	uint64_t cutoff;
	char t[40], why[256];
	int changes = 0, rc = SQLITE_OK;
	size_t i;

	s->prune_more = false;
	if ((!max_age_s && !max_rows) || !s->db)
		return;
	if (path_moved(s, why, sizeof(why)))
		return; /* the next write notices it */
	cutoff = clock_real_ns(s->opt.clock);
	cutoff = max_age_s * 1000000000ULL < cutoff ?
			 cutoff - max_age_s * 1000000000ULL :
			 0;
	alert_format_time(cutoff, t, sizeof(t));
	rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	for (i = 0; rc == SQLITE_OK && i < NTYPES; i++) {
		const struct store_item_type *ty = store_item_types[i];

		if (max_age_s && ty->prune_age_sql)
			rc = prune_one(s, ty->prune_age_sql,
				       (sqlite3_int64)cutoff, t, &changes);
		if (rc == SQLITE_OK && max_rows && ty->prune_rows_sql)
			rc = prune_one(s, ty->prune_rows_sql,
				       (sqlite3_int64)max_rows, NULL,
				       &changes);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	/* captures' ids may be gone (the triggers' deletes are not in
	 * changes) */
	seen_clear(&s->seen);
	if (rc != SQLITE_OK) {
		if (!sqlite3_get_autocommit(s->db))
			(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL,
					   NULL);
		return; /* tried again at the next interval */
	}
	if (changes > 0) {
		char vac[64];

		(void)snprintf(vac, sizeof(vac), "PRAGMA incremental_vacuum(%d)",
			       HARRIER_STORE_VACUUM_PAGES);
		(void)sqlite3_exec(s->db, vac, NULL, NULL, NULL);
		s->prune_more = true;
	}
	(void)pthread_mutex_lock(&s->lock);
	s->pruned += (uint64_t)changes;
	(void)pthread_mutex_unlock(&s->lock);
	if (guard_tripped(s, why, sizeof(why))) {
		close_db(s, false);
		(void)pthread_mutex_lock(&s->lock);
		fault_locked(s, why);
		(void)pthread_mutex_unlock(&s->lock);
	}
}

/* --- the writer thread --- */

static void timedwait_ms(struct store *s, uint64_t wait)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(wait / 1000);
	ts.tv_nsec += (long)(wait % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	(void)pthread_cond_timedwait(&s->cv_work, &s->lock, &ts);
}

/* Wait for work or until deadline_ms of the store's clock (UINT64_MAX:
 * no deadline). */
static void wait_until_locked(struct store *s, uint64_t deadline_ms)
{
	uint64_t now = now_ms(s), wait;

	if (deadline_ms == UINT64_MAX) {
		(void)pthread_cond_wait(&s->cv_work, &s->lock);
		return;
	}
	if (deadline_ms <= now)
		return;
	wait = deadline_ms - now;
	/* the condition variable runs on CLOCK_MONOTONIC; a test's clock
	 * may differ, so wait at most a real 50 ms at a time */
	if (s->opt.clock && wait > 50)
		wait = 50;
	timedwait_ms(s, wait);
}

/* The same on the real monotonic clock (batch collection: a matter of
 * throughput, not of policy). */
static void wait_real_locked(struct store *s, uint64_t deadline_ms)
{
	uint64_t now = clock_mono_ms(NULL);

	if (deadline_ms > now)
		timedwait_ms(s, deadline_ms - now);
}

static void *store_thread(void *arg)
{
	struct store *s = arg;
	uint64_t now, max_age, max_rows, deadline;
	unsigned int full = batch_size(s);
	bool prune;

	(void)pthread_mutex_lock(&s->lock);
	for (;;) {
		if (s->stop)
			break;
		now = now_ms(s);
		if (!s->db_ok) {
			/* a fault: keep memory bounded, retry when due; a
			 * flush gets one try now, then its items go to the
			 * spool, or are dropped when there is no place.
			 * Context goes first: it is not spooled. */
			if (s->opt.keep_trying && s->queued_context &&
			    (s->count > HARRIER_STORE_SPILL_AT ||
			     (s->flushers && s->flush_tried))) {
				drop_context_locked(s);
				(void)pthread_cond_broadcast(&s->cv_space);
				continue;
			}
			if (s->opt.keep_trying && s->count &&
			    (s->count > HARRIER_STORE_SPILL_AT ||
			     s->flushers) &&
			    s->spool_dir && now >= s->spool_retry_ms &&
			    (!s->flushers || s->flush_tried)) {
				(void)pthread_mutex_unlock(&s->lock);
				spill(s, s->flushers > 0);
				(void)pthread_mutex_lock(&s->lock);
				continue;
			}
			if (s->opt.keep_trying && s->flushers && s->count &&
			    s->flush_tried) {
				drop_queued_locked(s, s->last_error ?
							      s->last_error :
							      "store unavailable");
				(void)pthread_cond_broadcast(&s->cv_space);
				continue;
			}
			if ((s->count || s->spooled) &&
			    (now >= s->next_try_ms ||
			     (s->flushers && !s->flush_tried))) {
				if (s->flushers)
					s->flush_tried = true;
				(void)pthread_mutex_unlock(&s->lock);
				if (s->spooled && s->spool)
					write_from_spool(s);
				else
					write_from_ring(s);
				(void)pthread_mutex_lock(&s->lock);
				continue;
			}
			wait_until_locked(s, s->count || s->spooled ?
						     s->next_try_ms :
						     UINT64_MAX);
			continue;
		}
		if (s->spooled && s->spool) {
			(void)pthread_mutex_unlock(&s->lock);
			write_from_spool(s);
			(void)pthread_mutex_lock(&s->lock);
			continue;
		}
		if (s->count) {
			/* collect a batch: more rows per transaction, bounded
			 * latency; flush and stop do not wait for it */
			deadline = clock_mono_ms(NULL) +
				   HARRIER_STORE_BATCH_WAIT_MS;
			while (s->count < full && !s->stop && !s->flushers &&
			       clock_mono_ms(NULL) < deadline)
				wait_real_locked(s, deadline);
			(void)pthread_mutex_unlock(&s->lock);
			write_from_ring(s);
			(void)pthread_mutex_lock(&s->lock);
			continue;
		}
		maybe_clear_locked(s);
		if (s->flushers) {
			(void)pthread_cond_broadcast(&s->cv_space);
			wait_until_locked(s, UINT64_MAX);
			continue;
		}
		prune = s->prune_now || s->prune_more ||
			(s->opt.prune_interval_ms && now >= s->next_prune_ms);
		if (prune && (s->opt.max_age_s || s->opt.max_rows)) {
			max_age = s->opt.max_age_s;
			max_rows = s->opt.max_rows;
			if (!s->prune_more)
				s->next_prune_ms =
					now + s->opt.prune_interval_ms;
			s->prune_now = false;
			(void)pthread_mutex_unlock(&s->lock);
			if (!s->db) {
				char *err = NULL;

				if (open_db(s, &err) < 0)
					s->prune_more = false;
				free(err);
			}
			prune_step(s, max_age, max_rows);
			(void)pthread_mutex_lock(&s->lock);
			(void)pthread_cond_broadcast(&s->cv_space);
			continue;
		}
		s->prune_now = false;
		s->prune_more = false;
		wait_until_locked(s, (s->opt.max_age_s || s->opt.max_rows) &&
						   s->opt.prune_interval_ms ?
					     s->next_prune_ms :
					     UINT64_MAX);
	}
	(void)pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* --- the sink --- */

int store_enqueue(struct sink *sk, const struct store_item_type *type,
		  void *data)
{
	struct store *s = sk->state;
	unsigned int cap = s->opt.queue_max, limit = cap;
	size_t ti = type_index(type);
	struct timespec dl;
	int r = 0;

	if (ti == NTYPES) {
		if (data && type && type->free)
			type->free(data);
		return -EINVAL;
	}
	(void)pthread_mutex_lock(&s->lock);
	s->cnt[ti].emitted++;
	if (!data) {
		r = -ENOMEM;
		goto drop;
	}
	if (type->best_effort) {
		/* half the queue at most: the rest is the alerts' */
		limit = cap / 2 ? cap / 2 : 1;
		/* live, a fault past the spill mark takes context out of
		 * the queue: none comes in meanwhile */
		if (s->opt.enqueue_wait_ms >= 0 &&
		    (s->count >= limit ||
		     (!s->db_ok && s->count > HARRIER_STORE_SPILL_AT))) {
			r = -ENOBUFS;
			goto drop;
		}
	}
	if (s->opt.enqueue_wait_ms >= 0) {
		(void)clock_gettime(CLOCK_MONOTONIC, &dl);
		dl.tv_sec += s->opt.enqueue_wait_ms / 1000;
		dl.tv_nsec += (long)(s->opt.enqueue_wait_ms % 1000) * 1000000L;
		if (dl.tv_nsec >= 1000000000L) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000L;
		}
	}
	while (type->best_effort && s->count >= limit && s->thread_started)
		(void)pthread_cond_wait(&s->cv_space, &s->lock); /* replay */
	while (s->count == cap) {
		/* a failing store with a full memory queue: the spool is
		 * full or failing too; waiting would only stall detection */
		if ((s->overflowing || s->fault) &&
		    s->opt.enqueue_wait_ms >= 0) {
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
	s->ring[(s->head + s->count) % cap].type = type;
	s->ring[(s->head + s->count) % cap].data = data;
	s->ring[(s->head + s->count) % cap].run = s->run_id;
	s->ring[(s->head + s->count) % cap].seq = s->next_seq++;
	s->ring[(s->head + s->count) % cap].nriders = 0;
	s->count++;
	if (type->best_effort)
		s->queued_context++;
	if (s->count == 1 || s->count == batch_size(s) ||
	    (!s->db_ok && s->count == HARRIER_STORE_SPILL_AT + 1))
		(void)pthread_cond_signal(&s->cv_work);
	(void)pthread_mutex_unlock(&s->lock);
	return 0;
drop:
	s->cnt[ti].dropped++;
	/* context dropped is counted (store_sink_context_stats), and
	 * would bury the error an alert's loss left */
	if (!type->best_effort)
		record_error_locked(s,
				    r == -ENOBUFS ?
					    "queue full (%u waiting): dropped" :
					    "out of memory (%u waiting): "
					    "dropped",
				    s->count);
	(void)pthread_mutex_unlock(&s->lock);
	if (data)
		type->free(data);
	return r;
}

/* The origin alerts and context get from now on (interned: it stays
 * while the store lives). */
static const char *origin_of(struct store *s)
{
	const char *o;

	(void)pthread_mutex_lock(&s->lock);
	o = s->norigins ? s->origins[s->norigins - 1] : NULL;
	(void)pthread_mutex_unlock(&s->lock);
	return o;
}

static int store_emit(struct sink *sk, const struct alert *a)
{
	struct alert tmp = *a;

	tmp.origin = (char *)origin_of(sk->state);
	return store_enqueue(sk, &store_alert_type, store_alert_item(&tmp));
}

static int store_flush(struct sink *sk)
{
	struct store *s = sk->state;

	(void)pthread_mutex_lock(&s->lock);
	s->flushers++;
	s->flush_tried = false;
	(void)pthread_cond_signal(&s->cv_work);
	/* written, or in the spool while the store fails */
	while (s->thread_started &&
	       (s->count > 0 || (s->spooled > 0 && s->db_ok && s->spool))) {
		(void)pthread_cond_signal(&s->cv_work);
		(void)pthread_cond_wait(&s->cv_space, &s->lock);
	}
	s->flushers--;
	(void)pthread_mutex_unlock(&s->lock);
	return 0;
}

static void store_stats(struct sink *sk, struct sink_stats *ret)
{
	struct store *s = sk->state;

	(void)pthread_mutex_lock(&s->lock);
	ret->emitted = s->cnt[ALERTS].emitted;
	ret->written = s->cnt[ALERTS].written;
	ret->dropped = s->cnt[ALERTS].dropped;
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
			free_items(&s->ring[(s->head + i) % s->opt.queue_max],
				   1);
	if (s->sync_init) {
		(void)pthread_cond_destroy(&s->cv_space);
		(void)pthread_cond_destroy(&s->cv_work);
		(void)pthread_mutex_destroy(&s->lock);
	}
	close_db(s, s->db_ok);
	spool_close(s->spool);
	strbuf_free(&s->scratch);
	strbuf_free(&s->enc);
	free(s->ring);
	free(s->batch);
	free(s->last_error);
	free(s->path);
	free(s->spool_dir);
	strv_free(s->origins, s->norigins);
	free(s);
}

static const struct sink_ops store_ops = {
	.name = "sqlite",
	.emit = store_emit,
	.flush = store_flush,
	.stats = store_stats,
	.free = store_free,
	.take_report = store_take_report,
	.notify = false,
};

static struct store *store_of(struct sink *sk)
{
	return sk && sk->ops == &store_ops ? sk->state : NULL;
}

int store_sink_set_origin(struct sink *sk, const char *origin)
{
	struct store *s = store_of(sk);
	char *d, **p;

	if (!s)
		return -EINVAL;
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

int store_sink_emit_context(struct sink *sk, const struct context_event *e)
{
	struct store *s = store_of(sk);
	struct context_event tmp;

	if (!s)
		return -EINVAL;
	tmp = *e;
	tmp.origin = (char *)origin_of(s);
	return store_enqueue(sk, &store_event_type, context_event_dup(&tmp));
}

/* Context about the alert named k (type's, data) onto that alert's
 * queue item when it is the newest, not in the writer's hands, has room
 * and context is let in (as store_enqueue lets a best-effort item in);
 * else queued as an item of its own. Context follows its alert (the
 * capture the alert starts, its join): riding, it costs no queue or
 * batch place (a storm of alerts with captures makes transactions of
 * as many alerts as one without) and its alert's id needs no lookup. */
static int enqueue_riding(struct sink *sk, const struct alert_key *k,
			  const struct store_item_type *type, void *data)
{
	struct store *s = store_of(sk);
	struct qitem *q = NULL;

	if (!s) {
		type->free(data);
		return -EINVAL;
	}
	(void)pthread_mutex_lock(&s->lock);
	if (data && s->count > s->held &&
	    !(s->opt.enqueue_wait_ms >= 0 && !s->db_ok &&
	      s->count > HARRIER_STORE_SPILL_AT)) {
		q = &s->ring[(s->head + s->count - 1) % s->opt.queue_max];
		if (q->type != store_item_types[ALERTS] ||
		    q->nriders == RIDERS_MAX ||
		    !store_alert_item_is(q->data, k))
			q = NULL;
	}
	if (q) {
		s->cnt[type_index(type)].emitted++;
		q->riders[q->nriders].type = type;
		q->riders[q->nriders].data = data;
		q->riders[q->nriders].note = 0;
		q->nriders++;
	}
	(void)pthread_mutex_unlock(&s->lock);
	if (q)
		return 0;
	return store_enqueue(sk, type, data);
}

int store_sink_emit_summary(struct sink *sk, const struct context_summary *c)
{
	/* a capture is named by the alert that starts it */
	return enqueue_riding(sk, &c->capture, &store_summary_type,
			      context_summary_dup(c));
}

int store_sink_emit_join(struct sink *sk, const struct context_join *j)
{
	return enqueue_riding(sk, &j->alert, &store_join_type,
			      context_join_dup(j));
}

void store_sink_context_stats(struct sink *sk, struct store_context_stats *ret)
{
	struct store *s = store_of(sk);
	const struct type_stats *ev, *su, *jo;

	memset(ret, 0, sizeof(*ret));
	if (!s)
		return;
	ev = &s->cnt[type_index(&store_event_type)];
	su = &s->cnt[type_index(&store_summary_type)];
	jo = &s->cnt[type_index(&store_join_type)];
	(void)pthread_mutex_lock(&s->lock);
	ret->duplicates = s->cnt[ALERTS].noted;
	ret->events_written = ev->written;
	ret->events_dropped = ev->dropped;
	ret->links_missing = ev->noted;
	ret->summaries_written = su->written;
	ret->summaries_dropped = su->dropped;
	/* a join whose alert the store does not hold adds no row */
	ret->joins_written = jo->written - jo->noted;
	ret->joins_dropped = jo->dropped + jo->noted;
	(void)pthread_mutex_unlock(&s->lock);
}

char *store_sink_last_error(struct sink *sk)
{
	struct store *s = store_of(sk);
	char *m = NULL;

	if (!s)
		return NULL;
	(void)pthread_mutex_lock(&s->lock);
	if (s->last_error)
		m = strdup(s->last_error);
	(void)pthread_mutex_unlock(&s->lock);
	return m;
}

static int store_take_report(struct sink *sk, struct sink_report *ret)
{
	struct store *s = sk->state;
	int r = 0;

	(void)pthread_mutex_lock(&s->lock);
	if (s->rcount) {
		*ret = s->reports[s->rhead];
		s->rhead = (s->rhead + 1) % HARRIER_STORE_REPORTS;
		s->rcount--;
		r = 1;
	}
	(void)pthread_mutex_unlock(&s->lock);
	return r;
}

void store_sink_status(struct sink *sk, struct store_status *ret)
{
	struct store *s = store_of(sk);

	memset(ret, 0, sizeof(*ret));
	if (!s)
		return;
	(void)pthread_mutex_lock(&s->lock);
	ret->fault = s->fault;
	ret->queued = s->count;
	ret->spooled = s->spooled;
	ret->spool_bytes = s->spool_bytes;
	ret->faults = s->faults;
	ret->rejected = s->rejected;
	ret->pruned = s->pruned;
	(void)pthread_mutex_unlock(&s->lock);
}

void store_sink_prune_now(struct sink *sk)
{
	struct store *s = store_of(sk);

	if (!s)
		return;
	(void)pthread_mutex_lock(&s->lock);
	s->prune_now = true;
	(void)pthread_cond_signal(&s->cv_work);
	(void)pthread_mutex_unlock(&s->lock);
}

void store_sink_set_retention(struct sink *sk, uint64_t max_age_s,
			      uint64_t max_rows)
{
	struct store *s = store_of(sk);

	if (!s)
		return;
	(void)pthread_mutex_lock(&s->lock);
	s->opt.max_age_s = max_age_s;
	s->opt.max_rows = max_rows;
	s->prune_now = true;
	(void)pthread_cond_signal(&s->cv_work);
	(void)pthread_mutex_unlock(&s->lock);
}

void store_options_init(struct store_options *o)
{
	memset(o, 0, sizeof(*o));
	o->queue_max = HARRIER_STORE_QUEUE_MAX;
	o->enqueue_wait_ms = HARRIER_STORE_ENQUEUE_WAIT_MS;
	o->busy_timeout_ms = HARRIER_STORE_BUSY_TIMEOUT_MS;
	o->group = (gid_t)-1;
	o->spool_max_bytes = HARRIER_STORE_SPOOL_MAX_BYTES;
	o->retry_max_ms = HARRIER_STORE_RETRY_MAX_WAIT_MS;
	o->prune_interval_ms = HARRIER_STORE_PRUNE_INTERVAL_MS;
}

int store_sink_open(const char *path, const struct store_options *o,
		    struct sink **ret, char **ret_err)
{
	pthread_condattr_t ca;
	struct store *s;
	char *err = NULL;
	int r;

	if (!sqlite3_threadsafe()) {
		err_set(ret_err, "SQLite was built without thread support");
		return -ENOTSUP;
	}
	r = store_guard_init();
	if (r < 0) {
		err_set(ret_err, "cannot set up the WAL index guard: %s",
			strerror(-r));
		return r;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		err_set(ret_err, "out of memory");
		return -ENOMEM;
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
	if (s->opt.retry_max_ms < 10)
		s->opt.retry_max_ms = 10;
	if (s->opt.group == (gid_t)-1)
		s->opt.group = 0;
	s->backoff_ms = HARRIER_STORE_RETRY_BACKOFF_MS < s->opt.retry_max_ms ?
				HARRIER_STORE_RETRY_BACKOFF_MS :
				s->opt.retry_max_ms;
	s->db_ok = true;
	strbuf_init(&s->scratch);
	strbuf_init(&s->enc);
	s->path = strdup(path ? path : "");
	s->spool_dir = s->opt.spool_dir ? strdup(s->opt.spool_dir) : NULL;
	s->opt.spool_dir = NULL; /* the copy above is the one used */
	if (!s->path || (o && o->spool_dir && !s->spool_dir)) {
		r = -ENOMEM;
		err_set(&err, "out of memory");
		goto fail;
	}
	if (!*s->path) {
		r = -EINVAL;
		err_set(&err, "no store path given");
		goto fail;
	}
	/* random: rows of this run never collide with another run's */
	if (getrandom(&s->run_id, sizeof(s->run_id), 0) !=
	    (ssize_t)sizeof(s->run_id))
		s->run_id = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	s->run_id &= INT64_MAX;
	r = open_db(s, &err);
	if (r < 0)
		goto fail;
	s->ring = calloc(s->opt.queue_max, sizeof(*s->ring));
	s->batch = calloc(HARRIER_STORE_BATCH_MAX, sizeof(*s->batch));
	if (!s->ring || !s->batch) {
		r = -ENOMEM;
		err_set(&err, "out of memory");
		goto fail;
	}
	s->next_prune_ms = now_ms(s);
	if (pthread_condattr_init(&ca) != 0) {
		r = -ENOMEM;
		err_set(&err, "out of memory");
		goto fail;
	}
	(void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_mutex_init(&s->lock, NULL) != 0 ||
	    pthread_cond_init(&s->cv_work, &ca) != 0 ||
	    pthread_cond_init(&s->cv_space, &ca) != 0) {
		/* no cleanup of half-initialised sync: glibc's need none */
		(void)pthread_condattr_destroy(&ca);
		r = -ENOMEM;
		err_set(&err, "cannot initialise locks");
		goto fail;
	}
	(void)pthread_condattr_destroy(&ca);
	s->sync_init = true;
	/* what an earlier run left in the spool is written first */
	if (s->spool_dir && s->opt.keep_trying) {
		char sp[PATH_MAX];

		spool_file(s, sp, sizeof(sp));
		if (access(sp, F_OK) == 0)
			(void)spool_ready(s);
		s->spool_retry_ms = 0;
	}
	r = pthread_create(&s->thread, NULL, store_thread, s);
	if (r != 0) {
		err_set(&err, "cannot start the writer thread: %s",
			strerror(r));
		r = -r;
		goto fail;
	}
	s->thread_started = true;
	*ret = &s->sink;
	return 0;
fail:
	if (ret_err) {
		*ret_err = err ? err : strdup("out of memory");
		err = NULL;
	}
	free(err);
	store_free(&s->sink);
	return r < 0 ? r : -EIO;
}

struct sink *store_sink_new(const char *path, char **ret_err)
{
	struct sink *s = NULL;

	if (store_sink_open(path, NULL, &s, ret_err) < 0)
		return NULL;
	return s;
}
