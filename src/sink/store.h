/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite store's writer: schema migration (schema/NNN_*.sql compiled
 * in, PRAGMA user_version), and a thread that commits batched
 * transactions in WAL mode. The reader is store_query.h.
 *
 * It never loses an alert it accepted while it can hold it: a write that
 * fails (disk full, read-only or immutable files, I/O error, a lock held
 * past the busy timeout, the file deleted or replaced: the path's inode
 * is checked before and after each commit, SIGBUS on the WAL index:
 * store_guard.h) keeps the items in a bounded memory queue, then in a
 * spool file (store_spool.h), and writes them, in order and exactly once,
 * when the store works again. Exactly once: every alert row carries the
 * writer's run id and the item's sequence number under a unique index,
 * and its own key (event time, audit serial, rule, node), so a batch
 * whose commit cannot be known is simply written again, and so is a log
 * replayed twice.
 * Faults are reported as they start and clear (sink_take_report).
 *
 * Items, not only alerts: a table is one struct store_item_type (insert
 * statement, binding, spool encoding, retention), all of them going
 * through the same queue, batches and retries. store_alert.c is the
 * alerts table, store_context.c the context around alerts (events,
 * captures and their joins: best effort, never spooled); another table
 * adds its type to store_item_types[] in store.c and calls
 * store_enqueue().
 */
#ifndef HARRIER_STORE_H
#define HARRIER_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/alert.h"
#include "common/clock.h"
#include "common/context.h"
#include "common/strbuf.h"
#include "sink/sink.h"

/* Statements of one item type: insert_sql and more_sql[] together. */
#define STORE_ITEM_SQL_MAX 6

/* What the writer's connection has written to the small side tables
 * (containers, rule_tagsets and rule_tags) since it opened the store, so
 * that a pair costs a statement the first time it is seen, not per row
 * (schema/004), the ids of captures it looked up (keyed by the
 * transaction) and of the alerts it inserted last. Forgotten when a
 * transaction rolls back, retention deletes rows or the store is
 * reopened. */
struct store_seen;
/* The key of n strings (NULL as ""), kind telling the tables apart ('c'
 * containers, 't' a rule's tags). */
uint64_t store_seen_key(char kind, const char *const *v, size_t n);
/* key with the number x added (its 8 bytes). */
uint64_t store_seen_key_add(uint64_t key, uint64_t x);
/* true when key was not seen yet (it is now): the caller writes it. */
bool store_seen_first(struct store_seen *s, uint64_t key);
/* A row id for key (a capture's, found by its key once): get is false
 * when it is not known. */
void store_seen_put(struct store_seen *s, uint64_t key, int64_t val);
bool store_seen_get(const struct store_seen *s, uint64_t key, int64_t *ret);
/* The writer's transaction, a number new for each: part of the key of
 * what holds only within one. */
uint64_t store_seen_txn(const struct store_seen *s);
/* The ids of the alerts this transaction inserted last (a join follows
 * its alert: it needs no lookup by key). k's strings must live as long
 * as the transaction (the batch's items do). get: false when not among
 * them. */
void store_seen_alert(struct store_seen *s, const struct alert_key *k,
		      int64_t id);
bool store_seen_alert_id(const struct store_seen *s,
			 const struct alert_key *k, int64_t *ret);

struct store_item_type {
	/* In spool records (and unique among the types, spooled or not):
	 * never change or reuse one. */
	uint8_t tag;
	const char *name; /* "alert", for messages */
	/* INSERT with ?1 = writer run id, ?2 = sequence number, then the
	 * type's own parameters from ?3; ending in ON CONFLICT DO NOTHING
	 * (the (run, seq) unique index, and any key of the table's own). */
	const char *insert_sql;
	/* Bind ?3.. for data; scratch is the writer's, reset before each
	 * call. An SQLite result code. */
	int (*bind)(sqlite3_stmt *st, const void *data, struct strbuf *scratch);
	/* Instead of bind: a type whose item takes several statements, each
	 * idempotent by the table's own keys (no run and seq). st[0] is
	 * insert_sql prepared, st[1..] more_sql's (NULL-terminated, at most
	 * STORE_ITEM_SQL_MAX in all). *ret_note: a count the store keeps
	 * for the type (links not made). An SQLite result code. */
	const char *const *more_sql;
	int (*write)(sqlite3_stmt *const *st, const void *data,
		     struct strbuf *scratch, struct store_seen *seen,
		     unsigned int *ret_note);
	/* With bind: after insert_sql added the row (not when it was
	 * there), the side tables' rows, with more_sql's statements (st[0]
	 * is insert_sql). An SQLite result code. */
	int (*after)(sqlite3_stmt *const *st, const void *data,
		     struct store_seen *seen);
	/* Spool form of data, appended to out; decode gives a new item back
	 * (NULL when the bytes are not one). */
	void (*encode)(const void *data, struct strbuf *out);
	void *(*decode)(const unsigned char *p, size_t len);
	void (*free)(void *data);
	/* Context, not evidence: it may fill half the memory queue only and
	 * never waits for room (but with enqueue_wait_ms -1), and it is not
	 * spooled (encode and decode NULL): what a fault moves from the
	 * queue to the spool, it drops and counts. */
	bool best_effort;
	/* Retention, NULL when the table keeps everything. Each deletes at
	 * most a small batch (store_item_type users pick it; store_alert
	 * uses HARRIER_STORE_PRUNE_BATCH) and reports sqlite3_changes():
	 * prune_age_sql: ?1 = the oldest time_ns to keep;
	 * prune_rows_sql: ?1 = how many of the newest rows to keep. */
	const char *prune_age_sql;
	const char *prune_rows_sql;
};

/* For item types' bind and write: text bound as is (SQLITE_STATIC: it
 * must outlive the step), NULL as NULL; an id (pid, uid, ...) below 0,
 * "unknown" in struct alert and struct context_event, as NULL, so that
 * "uid = 0" never matches an unknown one. SQLite result codes. */
int store_bind_text(sqlite3_stmt *st, int col, const char *s);
int store_bind_id(sqlite3_stmt *st, int col, int64_t v);
/* Step st once, rc its bindings' result first (not SQLITE_OK: no step):
 * an SQLite result code (extended); *ret_changes the rows it wrote
 * (NULL: not wanted). Reset and bindings cleared after. */
int store_step(sqlite3_stmt *st, int rc, int *ret_changes);
/* st (store_ins_container_sql prepared) for a container the connection
 * has not seen yet; nothing when name or id is NULL. An SQLite result
 * code. */
extern const char store_ins_container_sql[];
int store_write_container(sqlite3_stmt *st, struct store_seen *seen,
			  const char *name, const char *id);

struct store_options {
	unsigned int queue_max;	      /* 1..HARRIER_STORE_QUEUE_MAX */
	int enqueue_wait_ms;	      /* queue full: -1 = wait forever */
	unsigned int busy_timeout_ms; /* SQLite busy_timeout per attempt */
	/* Daemon: refuse a store whose file or directory anyone but root
	 * may write, never follow a symlink in the last component, create
	 * the file 0640 root:group. Off for `harrier replay --db`, which
	 * writes where its user says. */
	bool trusted;
	gid_t group; /* trusted: group of a new store; (gid_t)-1 = root */
	/* Where items go when the memory queue has more than
	 * HARRIER_STORE_SPILL_AT during a fault; NULL = no spool. */
	const char *spool_dir;
	uint64_t spool_max_bytes;
	/* true (daemon): a fault is waited out, retrying at most every
	 * retry_max_ms; false (replay): after HARRIER_STORE_RETRY_MAX tries
	 * the items are dropped and counted, as the input is still there. */
	bool keep_trying;
	unsigned int retry_max_ms;
	/* Retention: rows older than max_age_s seconds (by event time) and
	 * beyond the newest max_rows go, in small batches, every
	 * prune_interval_ms; 0 = keep. */
	uint64_t max_age_s, max_rows;
	unsigned int prune_interval_ms;
	const struct hclock *clock; /* NULL: the system's */
};

/* The defaults of common/limits.h: a replay-like store (no spool, not
 * trusted, limited retries, no retention). */
void store_options_init(struct store_options *o);

/* Open (creating and migrating) the store at path and start its writer
 * thread: 0 and *ret, or -errno with *ret_err set to a message the caller
 * logs (owned by caller, free()). -EPERM: the path was refused as
 * untrusted (bad input rather than a runtime failure). o NULL:
 * store_options_init's. */
int store_sink_open(const char *path, const struct store_options *o,
		    struct sink **ret, char **ret_err);
/* store_sink_open with the defaults; NULL on failure. */
struct sink *store_sink_new(const char *path, char **ret_err);

/* Queue an item of a table (the alert sink does this for alerts); data is
 * consumed, also on failure (-ENOBUFS queue full, -EINVAL unknown type).
 * Never blocks longer than enqueue_wait_ms. */
int store_enqueue(struct sink *s, const struct store_item_type *type,
		  void *data);

/* A fault starting or clearing comes out of sink_take_report() (alert
 * set, rule STORE_FAULT_RULE): the daemon logs it and raises it as an
 * internal alert. */
#define STORE_FAULT_RULE "Harrier internal: alert store unavailable"

struct store_status {
	bool fault;		/* a fault is going on */
	uint64_t queued;	/* in memory, not yet written */
	uint64_t spooled;	/* in the spool, not yet written */
	uint64_t spool_bytes;
	uint64_t faults;	/* faults since start */
	uint64_t rejected;	/* items SQLite refused on their own */
	uint64_t pruned;	/* rows removed by retention */
};
void store_sink_status(struct sink *s, struct store_status *ret);

/* Where the alerts and context emitted from now on come from: "live",
 * or the path of a replayed log (the origin column). Before any call:
 * NULL (unknown). Called from the thread that emits. 0, or -EINVAL (not
 * a store), -ENOMEM. */
int store_sink_set_origin(struct sink *s, const char *origin);

/* Context around alerts (pipeline/capture.h), queued behind the alerts
 * emitted before it and written in the same transactions (so an alert is
 * in the store before the context that links to it). Context is not
 * evidence the way an alert is: it may fill half the memory queue only,
 * so it never crowds out an alert, and when that half is full it is
 * dropped at once (counted), except with enqueue_wait_ms -1 (replay),
 * where it waits. During a fault it stays in memory, but it is not
 * spooled: what the queue moves to the spool, it drops (counted).
 * 0, -ENOBUFS, -ENOMEM, -EINVAL (not a store). */
int store_sink_emit_context(struct sink *s, const struct context_event *e);
int store_sink_emit_summary(struct sink *s, const struct context_summary *c);
int store_sink_emit_join(struct sink *s, const struct context_join *j);

/* What the store did beyond its sink_stats (which count alerts). */
struct store_context_stats {
	uint64_t duplicates;	 /* alerts it held already (not stored twice) */
	uint64_t events_written; /* context events (or found stored) */
	/* queue half full, a fault that spilled the queue, write failures */
	uint64_t events_dropped;
	uint64_t summaries_written, summaries_dropped;
	uint64_t joins_written; /* alerts joined to their capture */
	uint64_t joins_dropped; /* the alert not held, or dropped as above */
	/* links not made: the capture not held, or linked already */
	uint64_t links_missing;
};
void store_sink_context_stats(struct sink *s, struct store_context_stats *ret);

/* The last error message ("database or disk is full"), owned by the
 * caller; NULL if none or not a store. */
char *store_sink_last_error(struct sink *s);

/* Retention now, whatever the interval (tests, SIGHUP). */
void store_sink_prune_now(struct sink *s);
/* Change max_age_s/max_rows of a running store (SIGHUP). */
void store_sink_set_retention(struct sink *s, uint64_t max_age_s,
			      uint64_t max_rows);

/* The alert sink's item type (store_alert.c); the context's are in
 * store_context.h. */
extern const struct store_item_type store_alert_type;
/* store_alert_type's item for a copy of a (its columns encoded on the
 * caller's thread); NULL without memory. */
void *store_alert_item(const struct alert *a);
/* Whether item (store_alert_item's) is the alert named k. */
bool store_alert_item_is(const void *item, const struct alert_key *k);

#endif
