/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Captures, the alerts joining them and their events into the store (see
 * store_context.h): three store item types, run by the store's writer
 * inside its batch transactions. Each write is idempotent on its own (an
 * event once per events_key, a link once per pair, a capture updated in
 * place, a join once per pair), so a batch written again after an
 * unknown outcome adds nothing twice, without the writer's (run, seq)
 * keys. Alerts and captures are found by their keys (alerts_key,
 * captures_key), the identities the capture and the store share: an
 * alert stored before (a log replayed twice) is found the same way; an
 * alert this transaction inserted, by the id its insert gave (a join
 * follows its alert), and a capture once per transaction. The writer keeps
 * containers (schema/004: no trigger). Context is best effort:
 * never spooled (store.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/alert.h"
#include "common/limits.h"
#include "common/strbuf.h"
#include "sink/store.h"
#include "sink/store_context.h"

/* DO NOTHING on events_key: an event stored already (another capture's,
 * an earlier replay's) stays as it is. */
static const char ins_event_sql[] =
	"INSERT INTO events (time, time_ns, hostname, audit_serial, syscall, "
	"success, exit, pid, ppid, uid, auid, ses, exe, cmdline, cwd, file, "
	"address, container_id, container_name, pod_name, pod_namespace, "
	"origin, argv) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
	"?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23) "
	"ON CONFLICT DO NOTHING";
/* An event linked to a capture, by their ids: the event's from its
 * insert (or found by its key when it was stored already), the
 * capture's found by its key once per transaction (the writer's
 * store_seen: within it no one else can delete the capture). Plain
 * VALUES: an INSERT ... SELECT would open a statement journal per
 * row. */
static const char ins_link_sql[] =
	"INSERT INTO capture_events (capture_id, event_id) VALUES (?1, ?2) "
	"ON CONFLICT DO NOTHING";
static const char find_event_sql[] =
	"SELECT id FROM events WHERE time_ns = ?1 AND audit_serial = ?2 AND "
	"hostname IS ?3";
static const char find_capture_sql[] =
	"SELECT id FROM captures WHERE time_ns = ?1 AND audit_serial = ?2 "
	"AND rule = ?3 AND hostname IS ?4";
/* A capture starting, or its summary (in place: its id stays). */
static const char ins_summary_sql[] =
	"INSERT INTO captures (time_ns, audit_serial, rule, hostname, scope, "
	"from_ns, until_ns, events, left_out, alerts, running) VALUES (?1, "
	"?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (time_ns, "
	"audit_serial, rule, hostname) DO UPDATE SET scope = excluded.scope, "
	"from_ns = excluded.from_ns, until_ns = excluded.until_ns, events = "
	"excluded.events, left_out = excluded.left_out, alerts = "
	"excluded.alerts, running = excluded.running";
/* An alert joining a capture, by their ids, its window updated in place.
 * The alert's id: from its insert when this transaction wrote it (a join
 * follows its alert), else found by its key (a row stored by an earlier
 * transaction or replay); the capture's found by its key once per
 * transaction. Nothing when the store holds no such alert (it was
 * dropped). */
static const char ins_join_sql[] =
	"INSERT INTO alert_captures (alert_id, capture_id, from_ns, until_ns) "
	"VALUES (?1, ?2, ?3, ?4) ON CONFLICT (alert_id, capture_id) DO UPDATE "
	"SET from_ns = excluded.from_ns, until_ns = excluded.until_ns";
static const char find_alert_sql[] =
	"SELECT id FROM alerts WHERE time_ns = ?1 AND audit_serial = ?2 AND "
	"rule = ?3 AND hostname IS ?4";

/* Retention follows the alerts (schema/002's triggers: an alert
 * deleted takes its joins, a capture no alert joins, an event no capture
 * holds). What no alert ever joined (its join or summary was dropped)
 * goes by age here, oldest first, a batch per statement. */
static const char prune_captures_sql[] =
	"DELETE FROM captures WHERE id IN (SELECT c.id FROM captures AS c "
	"WHERE c.until_ns < ?1 AND NOT EXISTS (SELECT 1 FROM alert_captures "
	"AS ac WHERE ac.capture_id = c.id) ORDER BY c.time_ns LIMIT "
	XSTR(HARRIER_STORE_PRUNE_BATCH) ")";
static const char prune_events_sql[] =
	"DELETE FROM events WHERE id IN (SELECT e.id FROM events AS e WHERE "
	"e.time_ns < ?1 AND NOT EXISTS (SELECT 1 FROM capture_events AS ce "
	"WHERE ce.event_id = e.id) ORDER BY e.time_ns LIMIT "
	XSTR(HARRIER_STORE_PRUNE_BATCH) ")";

static int bind_key(sqlite3_stmt *st, int col, const struct alert_key *k)
{
	int rc = SQLITE_OK;

	rc |= sqlite3_bind_int64(st, col, (sqlite3_int64)k->time_ns);
	rc |= sqlite3_bind_int64(st, col + 1, (sqlite3_int64)k->serial);
	rc |= store_bind_text(st, col + 2, k->rule ? k->rule : "");
	rc |= store_bind_text(st, col + 3, k->hostname);
	return rc;
}

/* Step a lookup of one id: SQLITE_OK with *ret (0: no such row), or an
 * SQLite error. */
static int find_id(sqlite3_stmt *st, int rc, int64_t *ret)
{
	*ret = 0;
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*ret = sqlite3_column_int64(st, 0);
		rc = rc == SQLITE_DONE || rc == SQLITE_ROW ?
			     SQLITE_OK :
			     sqlite3_extended_errcode(sqlite3_db_handle(st));
	}
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
	return rc;
}

/* The id of the capture named k (0: the store has none), looked up once
 * per transaction. */
static int capture_id(sqlite3_stmt *find, struct store_seen *seen,
		      const struct alert_key *k, int64_t *ret)
{
	const char *v[2] = { k->rule, k->hostname };
	uint64_t key;
	int rc;

	key = store_seen_key('k', v, 2);
	key = store_seen_key_add(key, store_seen_txn(seen));
	key = store_seen_key_add(key, k->time_ns);
	key = store_seen_key_add(key, k->serial);
	if (store_seen_get(seen, key, ret))
		return SQLITE_OK;
	rc = find_id(find, bind_key(find, 1, k), ret);
	if (rc == SQLITE_OK && *ret)
		store_seen_put(seen, key, *ret);
	return rc;
}

/* st[0] the event, st[1] a link, st[2] its container, st[3] and st[4]
 * the event's and a capture's id; *ret_note the links not made. */
static int event_write(sqlite3_stmt *const *sts, const void *data,
		       struct strbuf *scratch, struct store_seen *seen,
		       unsigned int *ret_note)
{
	const struct context_event *e = data;
	sqlite3_stmt *st = sts[0];
	int64_t event_id = 0, cid;
	char t[40];
	size_t i;
	int rc = SQLITE_OK, changes;

	(void)scratch;
	*ret_note = 0;
	alert_format_time(e->time_ns, t, sizeof(t));
	rc |= sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int64(st, 2, (sqlite3_int64)e->time_ns);
	rc |= store_bind_text(st, 3, e->hostname);
	rc |= sqlite3_bind_int64(st, 4, (sqlite3_int64)e->serial);
	rc |= store_bind_text(st, 5, e->syscall);
	rc |= e->success < 0 ? sqlite3_bind_null(st, 6) :
			       sqlite3_bind_int(st, 6, e->success ? 1 : 0);
	rc |= e->has_exit ? sqlite3_bind_int64(st, 7, e->exit) :
			    sqlite3_bind_null(st, 7);
	rc |= store_bind_id(st, 8, e->pid);
	rc |= store_bind_id(st, 9, e->ppid);
	rc |= store_bind_id(st, 10, e->uid);
	rc |= store_bind_id(st, 11, e->auid);
	rc |= store_bind_id(st, 12, e->ses);
	rc |= store_bind_text(st, 13, e->exe);
	rc |= store_bind_text(st, 14, e->cmdline);
	rc |= store_bind_text(st, 15, e->cwd);
	rc |= store_bind_text(st, 16, e->file);
	rc |= store_bind_text(st, 17, e->address);
	rc |= store_bind_text(st, 18, e->container_id);
	rc |= store_bind_text(st, 19, e->container_name);
	rc |= store_bind_text(st, 20, e->pod_name);
	rc |= store_bind_text(st, 21, e->pod_namespace);
	rc |= store_bind_text(st, 22, e->origin);
	rc |= store_bind_text(st, 23, e->argv);
	rc = store_step(st, rc == SQLITE_OK ? SQLITE_OK : SQLITE_ERROR,
			&changes);
	if (rc != SQLITE_OK)
		return rc;
	if (changes) {
		event_id = sqlite3_last_insert_rowid(sqlite3_db_handle(st));
		rc = store_write_container(sts[2], seen, e->container_name,
					   e->container_id);
	} else if (e->nlinks) {
		/* stored already (another capture's, an earlier replay's) */
		st = sts[3];
		rc = sqlite3_bind_int64(st, 1, (sqlite3_int64)e->time_ns);
		rc |= sqlite3_bind_int64(st, 2, (sqlite3_int64)e->serial);
		rc |= store_bind_text(st, 3, e->hostname);
		rc = find_id(st, rc == SQLITE_OK ? SQLITE_OK : SQLITE_ERROR,
			     &event_id);
	}
	for (i = 0; rc == SQLITE_OK && i < e->nlinks; i++) {
		rc = capture_id(sts[4], seen, &e->links[i], &cid);
		if (rc != SQLITE_OK)
			break;
		if (!cid || !event_id) {
			(*ret_note)++;
			continue;
		}
		st = sts[1];
		rc = sqlite3_bind_int64(st, 1, cid);
		rc |= sqlite3_bind_int64(st, 2, event_id);
		rc = store_step(st, rc == SQLITE_OK ? SQLITE_OK : SQLITE_ERROR,
				&changes);
		if (rc == SQLITE_OK && changes == 0)
			(*ret_note)++;
	}
	return rc;
}

static int summary_write(sqlite3_stmt *const *sts, const void *data,
			 struct strbuf *scratch, struct store_seen *seen,
			 unsigned int *ret_note)
{
	const struct context_summary *c = data;
	sqlite3_stmt *st = sts[0];
	int rc;

	(void)scratch;
	(void)seen;
	*ret_note = 0;
	rc = bind_key(st, 1, &c->capture);
	rc |= store_bind_text(st, 5, c->scope);
	rc |= sqlite3_bind_int64(st, 6, (sqlite3_int64)c->from_ns);
	rc |= sqlite3_bind_int64(st, 7, (sqlite3_int64)c->until_ns);
	rc |= sqlite3_bind_int64(st, 8, (sqlite3_int64)c->events);
	rc |= sqlite3_bind_int64(st, 9, (sqlite3_int64)c->left_out);
	rc |= sqlite3_bind_int64(st, 10, (sqlite3_int64)c->alerts);
	rc |= sqlite3_bind_int(st, 11, c->running ? 1 : 0);
	return store_step(st, rc == SQLITE_OK ? SQLITE_OK : SQLITE_ERROR, NULL);
}

/* st[0] the join, st[1] and st[2] an alert's and a capture's id;
 * *ret_note 1 when the store does not hold the alert (it was dropped)
 * or the capture. */
static int join_write(sqlite3_stmt *const *sts, const void *data,
		      struct strbuf *scratch, struct store_seen *seen,
		      unsigned int *ret_note)
{
	const struct context_join *j = data;
	sqlite3_stmt *st = sts[0];
	int64_t aid = 0, cid = 0;
	int rc = SQLITE_OK;

	(void)scratch;
	if (!store_seen_alert_id(seen, &j->alert, &aid))
		rc = find_id(sts[1], bind_key(sts[1], 1, &j->alert), &aid);
	if (rc == SQLITE_OK && aid)
		rc = capture_id(sts[2], seen, &j->capture, &cid);
	*ret_note = rc == SQLITE_OK && (!aid || !cid);
	if (rc != SQLITE_OK || !aid || !cid)
		return rc;
	rc = sqlite3_bind_int64(st, 1, aid);
	rc |= sqlite3_bind_int64(st, 2, cid);
	rc |= sqlite3_bind_int64(st, 3, (sqlite3_int64)j->from_ns);
	rc |= sqlite3_bind_int64(st, 4, (sqlite3_int64)j->until_ns);
	return store_step(st, rc == SQLITE_OK ? SQLITE_OK : SQLITE_ERROR,
			  NULL);
}

static void event_free(void *data)
{
	context_event_free(data);
}

static void summary_free(void *data)
{
	context_summary_free(data);
}

static void join_free(void *data)
{
	context_join_free(data);
}

static const char *const event_more_sql[] = {
	ins_link_sql, store_ins_container_sql, find_event_sql,
	find_capture_sql, NULL
};

/* Tags 2..4 (1 is the alert's): never reused, though these are never in
 * a spool. */
const struct store_item_type store_event_type = {
	.tag = 2,
	.name = "context event",
	.insert_sql = ins_event_sql,
	.more_sql = event_more_sql,
	.write = event_write,
	.free = event_free,
	.best_effort = true,
	.prune_age_sql = prune_events_sql,
};

const struct store_item_type store_summary_type = {
	.tag = 3,
	.name = "capture",
	.insert_sql = ins_summary_sql,
	.write = summary_write,
	.free = summary_free,
	.best_effort = true,
	.prune_age_sql = prune_captures_sql,
};

static const char *const join_more_sql[] = { find_alert_sql,
					     find_capture_sql, NULL };

const struct store_item_type store_join_type = {
	.tag = 4,
	.name = "capture join",
	.insert_sql = ins_join_sql,
	.more_sql = join_more_sql,
	.write = join_write,
	.free = join_free,
	.best_effort = true,
};
