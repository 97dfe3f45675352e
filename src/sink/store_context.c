/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Captures, the alerts joining them and their events into the store (see
 * store_context.h). Runs on the store's writer thread only. Each write is
 * one statement that is idempotent on its own (an event once per
 * events_key, a link once per pair, a capture updated in place), so a
 * batch written again after an unknown outcome adds nothing twice. Alerts
 * and captures are found by their keys (alerts_key, captures_key), the
 * identities the capture and the store share; the ids are joined in SQL,
 * not looked up here. rule_tags and containers are kept by triggers
 * (schema/002).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/alert.h"
#include "common/strbuf.h"
#include "sink/store_context.h"

struct store_context {
	sqlite3 *db; /* borrowed: the writer's */
	sqlite3_stmt *ins_event, *ins_link, *ins_summary, *ins_join;
};

/* OR IGNORE on events_key: an event stored already (another capture's,
 * an earlier replay's) stays as it is. */
static const char ins_event_sql[] =
	"INSERT OR IGNORE INTO events (time, time_ns, hostname, audit_serial, "
	"syscall, success, exit, pid, ppid, uid, auid, ses, exe, cmdline, cwd, "
	"file, address, container_id, container_name, pod_name, "
	"pod_namespace, origin, argv) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	"?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, "
	"?23)";
/* The capture (by its key) and the event (by its key): nothing when the
 * store holds no such capture. */
static const char ins_link_sql[] =
	"INSERT OR IGNORE INTO capture_events (capture_id, event_id) "
	"SELECT c.id, e.id FROM captures AS c, events AS e "
	"WHERE c.time_ns = ?1 AND c.audit_serial = ?2 AND c.rule = ?3 AND "
	"c.hostname IS ?4 AND e.time_ns = ?5 AND e.audit_serial = ?6 AND "
	"e.hostname IS ?7";
/* A capture starting, or its summary (in place: its id stays). */
static const char ins_summary_sql[] =
	"INSERT INTO captures (time_ns, audit_serial, rule, hostname, scope, "
	"from_ns, until_ns, events, left_out, alerts, running) VALUES (?1, "
	"?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (time_ns, "
	"audit_serial, rule, hostname) DO UPDATE SET scope = excluded.scope, "
	"from_ns = excluded.from_ns, until_ns = excluded.until_ns, events = "
	"excluded.events, left_out = excluded.left_out, alerts = "
	"excluded.alerts, running = excluded.running";
/* The alert (by its key) joining the capture (by its key): nothing when
 * the store holds no such alert (it was dropped). */
static const char ins_join_sql[] =
	"INSERT OR REPLACE INTO alert_captures (alert_id, capture_id, "
	"from_ns, until_ns) SELECT a.id, c.id, ?9, ?10 FROM alerts AS a, "
	"captures AS c WHERE a.time_ns = ?1 AND a.audit_serial = ?2 AND "
	"a.rule = ?3 AND a.hostname IS ?4 AND c.time_ns = ?5 AND "
	"c.audit_serial = ?6 AND c.rule = ?7 AND c.hostname IS ?8";

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **ret)
{
	return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, ret,
				  NULL);
}

struct store_context *store_context_new(sqlite3 *db, char **ret_err)
{
	struct store_context *c = calloc(1, sizeof(*c));
	int rc;

	if (!c) {
		err_set(ret_err, "out of memory");
		return NULL;
	}
	c->db = db;
	rc = prepare(db, ins_event_sql, &c->ins_event);
	if (rc == SQLITE_OK)
		rc = prepare(db, ins_link_sql, &c->ins_link);
	if (rc == SQLITE_OK)
		rc = prepare(db, ins_summary_sql, &c->ins_summary);
	if (rc == SQLITE_OK)
		rc = prepare(db, ins_join_sql, &c->ins_join);
	if (rc != SQLITE_OK) {
		err_set(ret_err, "preparing the context statements: %s",
			sqlite3_errmsg(db));
		store_context_free(c);
		return NULL;
	}
	return c;
}

void store_context_free(struct store_context *c)
{
	if (!c)
		return;
	(void)sqlite3_finalize(c->ins_event);
	(void)sqlite3_finalize(c->ins_link);
	(void)sqlite3_finalize(c->ins_summary);
	(void)sqlite3_finalize(c->ins_join);
	free(c);
}

static int bind_text(sqlite3_stmt *st, int col, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, col);
	return sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
}

static int bind_id(sqlite3_stmt *st, int col, int64_t v)
{
	if (v < 0)
		return sqlite3_bind_null(st, col);
	return sqlite3_bind_int64(st, col, v);
}

static int bind_key(sqlite3_stmt *st, int col, const struct alert_key *k)
{
	int rc = SQLITE_OK;

	rc |= sqlite3_bind_int64(st, col, (sqlite3_int64)k->time_ns);
	rc |= sqlite3_bind_int64(st, col + 1, (sqlite3_int64)k->serial);
	rc |= bind_text(st, col + 2, k->rule ? k->rule : "");
	rc |= bind_text(st, col + 3, k->hostname);
	return rc;
}

/* Step st once (bindings rc first): an SQLite code; *ret_changes the
 * rows it wrote (NULL: not wanted). */
static int run(struct store_context *c, sqlite3_stmt *st, int rc,
	       int *ret_changes)
{
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
	} else {
		rc = sqlite3_errcode(c->db);
	}
	if (ret_changes)
		*ret_changes = rc == SQLITE_OK ? sqlite3_changes(c->db) : 0;
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
	return rc;
}

int store_context_write_event(struct store_context *c,
			      const struct context_event *e,
			      const char *origin, unsigned int *ret_missing)
{
	sqlite3_stmt *st = c->ins_event;
	char t[40];
	size_t i;
	int rc = SQLITE_OK, changes;

	*ret_missing = 0;
	alert_format_time(e->time_ns, t, sizeof(t));
	rc |= sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
	rc |= sqlite3_bind_int64(st, 2, (sqlite3_int64)e->time_ns);
	rc |= bind_text(st, 3, e->hostname);
	rc |= sqlite3_bind_int64(st, 4, (sqlite3_int64)e->serial);
	rc |= bind_text(st, 5, e->syscall);
	rc |= e->success < 0 ? sqlite3_bind_null(st, 6) :
			       sqlite3_bind_int(st, 6, e->success ? 1 : 0);
	rc |= e->has_exit ? sqlite3_bind_int64(st, 7, e->exit) :
			    sqlite3_bind_null(st, 7);
	rc |= bind_id(st, 8, e->pid);
	rc |= bind_id(st, 9, e->ppid);
	rc |= bind_id(st, 10, e->uid);
	rc |= bind_id(st, 11, e->auid);
	rc |= bind_id(st, 12, e->ses);
	rc |= bind_text(st, 13, e->exe);
	rc |= bind_text(st, 14, e->cmdline);
	rc |= bind_text(st, 15, e->cwd);
	rc |= bind_text(st, 16, e->file);
	rc |= bind_text(st, 17, e->address);
	rc |= bind_text(st, 18, e->container_id);
	rc |= bind_text(st, 19, e->container_name);
	rc |= bind_text(st, 20, e->pod_name);
	rc |= bind_text(st, 21, e->pod_namespace);
	rc |= bind_text(st, 22, origin);
	rc |= bind_text(st, 23, e->argv);
	rc = run(c, st, rc, NULL);
	for (i = 0; rc == SQLITE_OK && i < e->nlinks; i++) {
		st = c->ins_link;
		rc = bind_key(st, 1, &e->links[i]);
		rc |= sqlite3_bind_int64(st, 5, (sqlite3_int64)e->time_ns);
		rc |= sqlite3_bind_int64(st, 6, (sqlite3_int64)e->serial);
		rc |= bind_text(st, 7, e->hostname);
		rc = run(c, st, rc, &changes);
		if (rc == SQLITE_OK && changes == 0)
			(*ret_missing)++;
	}
	return rc;
}

int store_context_write_summary(struct store_context *c,
				const struct context_summary *s)
{
	sqlite3_stmt *st = c->ins_summary;
	int rc;

	rc = bind_key(st, 1, &s->capture);
	rc |= bind_text(st, 5, s->scope);
	rc |= sqlite3_bind_int64(st, 6, (sqlite3_int64)s->from_ns);
	rc |= sqlite3_bind_int64(st, 7, (sqlite3_int64)s->until_ns);
	rc |= sqlite3_bind_int64(st, 8, (sqlite3_int64)s->events);
	rc |= sqlite3_bind_int64(st, 9, (sqlite3_int64)s->left_out);
	rc |= sqlite3_bind_int64(st, 10, (sqlite3_int64)s->alerts);
	rc |= sqlite3_bind_int(st, 11, s->running ? 1 : 0);
	return run(c, st, rc, NULL);
}

int store_context_write_join(struct store_context *c,
			     const struct context_join *j,
			     unsigned int *ret_missing)
{
	sqlite3_stmt *st = c->ins_join;
	int rc, changes;

	rc = bind_key(st, 1, &j->alert);
	rc |= bind_key(st, 5, &j->capture);
	rc |= sqlite3_bind_int64(st, 9, (sqlite3_int64)j->from_ns);
	rc |= sqlite3_bind_int64(st, 10, (sqlite3_int64)j->until_ns);
	rc = run(c, st, rc, &changes);
	*ret_missing = rc == SQLITE_OK && changes == 0;
	return rc;
}
