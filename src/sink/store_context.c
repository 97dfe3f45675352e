/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Context events, capture summaries and rule tags into the store (see
 * store_context.h). Runs on the store's writer thread only. An alert is
 * found by its key (alerts_key), the one identity the capture and the
 * store share; the last one found is remembered, since a capture's
 * events arrive together.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/alert.h"
#include "common/limits.h"
#include "common/strbuf.h"
#include "sink/store_context.h"

struct store_context {
	sqlite3 *db; /* borrowed: the writer's */
	sqlite3_stmt *ins_event, *find_event, *find_alert, *ins_link,
		*ins_summary, *ins_tags, *ins_container;

	/* the last alert found: key and id */
	struct alert_key last;
	int64_t last_id;

	/* pairs already written: "T rule\x1ftags" (rule_tags), "C name
	 * \x1fid" (containers); open addressing */
	char **seen;
	size_t nseen;
};

/* OR IGNORE on events_key: an event stored already (another capture's,
 * an earlier replay's) is found instead. (No RETURNING: SQLite 3.22.) */
static const char ins_event_sql[] =
	"INSERT OR IGNORE INTO events (time, time_ns, hostname, audit_serial, syscall, "
	"success, exit, pid, ppid, uid, auid, ses, exe, cmdline, cwd, file, "
	"address, container_id, container_name, pod_name, pod_namespace, "
	"origin, argv) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
	"?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)";
static const char find_event_sql[] =
	"SELECT id FROM events WHERE time_ns = ?1 AND audit_serial = ?2 AND "
	"hostname IS ?3";
static const char find_alert_sql[] =
	"SELECT id FROM alerts WHERE time_ns = ?1 AND audit_serial = ?2 AND "
	"rule = ?3 AND hostname IS ?4";
static const char ins_link_sql[] =
	"INSERT OR IGNORE INTO alert_events (alert_id, event_id) "
	"VALUES (?1, ?2)";
static const char ins_summary_sql[] =
	"INSERT OR REPLACE INTO captures (alert_id, scope, from_ns, until_ns, "
	"events, left_out, running) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char ins_tags_sql[] =
	"INSERT OR IGNORE INTO rule_tags (tag, rule) SELECT value, ?1 "
	"FROM json_each(?2) WHERE type = 'text'";
static const char ins_container_sql[] =
	"INSERT OR IGNORE INTO containers (name, id) VALUES (?1, ?2)";

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
	c->last_id = -1;
	c->seen = calloc(HARRIER_STORE_RULE_TAGS_CACHE, sizeof(*c->seen));
	if (!c->seen) {
		err_set(ret_err, "out of memory");
		store_context_free(c);
		return NULL;
	}
	rc = prepare(db, ins_event_sql, &c->ins_event);
	if (rc == SQLITE_OK)
		rc = prepare(db, find_event_sql, &c->find_event);
	if (rc == SQLITE_OK)
		rc = prepare(db, find_alert_sql, &c->find_alert);
	if (rc == SQLITE_OK)
		rc = prepare(db, ins_link_sql, &c->ins_link);
	if (rc == SQLITE_OK)
		rc = prepare(db, ins_summary_sql, &c->ins_summary);
	if (rc == SQLITE_OK)
		rc = prepare(db, ins_tags_sql, &c->ins_tags);
	if (rc == SQLITE_OK)
		rc = prepare(db, ins_container_sql, &c->ins_container);
	if (rc != SQLITE_OK) {
		err_set(ret_err, "preparing the context statements: %s",
			sqlite3_errmsg(db));
		store_context_free(c);
		return NULL;
	}
	return c;
}

static void forget_seen(struct store_context *c)
{
	size_t i;

	for (i = 0; i < HARRIER_STORE_RULE_TAGS_CACHE; i++) {
		free(c->seen[i]);
		c->seen[i] = NULL;
	}
	c->nseen = 0;
}

void store_context_free(struct store_context *c)
{
	if (!c)
		return;
	(void)sqlite3_finalize(c->ins_event);
	(void)sqlite3_finalize(c->find_event);
	(void)sqlite3_finalize(c->find_alert);
	(void)sqlite3_finalize(c->ins_link);
	(void)sqlite3_finalize(c->ins_summary);
	(void)sqlite3_finalize(c->ins_tags);
	(void)sqlite3_finalize(c->ins_container);
	if (c->seen)
		forget_seen(c);
	free(c->seen);
	alert_key_clear(&c->last);
	free(c);
}

void store_context_rollback(struct store_context *c)
{
	alert_key_clear(&c->last);
	c->last_id = -1;
	/* the pairs written in the rolled back transaction are gone too */
	forget_seen(c);
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

/* Step a statement that returns at most one integer: *ret = it, or -1
 * when there is no row. */
static int step_id(sqlite3_stmt *st, int64_t *ret)
{
	int rc = sqlite3_step(st);

	*ret = -1;
	if (rc == SQLITE_ROW) {
		*ret = sqlite3_column_int64(st, 0);
		rc = SQLITE_DONE;
	}
	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int exec_stmt(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	(void)sqlite3_reset(st);
	(void)sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The id of the alert with key k, or -1 when the store has none. */
static int find_alert(struct store_context *c, const struct alert_key *k,
		      int64_t *ret)
{
	sqlite3_stmt *st = c->find_alert;
	int rc = SQLITE_OK;

	if (c->last_id >= 0 && c->last.time_ns == k->time_ns &&
	    c->last.serial == k->serial && same_str(c->last.rule, k->rule) &&
	    same_str(c->last.hostname, k->hostname)) {
		*ret = c->last_id;
		return SQLITE_OK;
	}
	rc |= sqlite3_bind_int64(st, 1, (sqlite3_int64)k->time_ns);
	rc |= sqlite3_bind_int64(st, 2, (sqlite3_int64)k->serial);
	rc |= bind_text(st, 3, k->rule ? k->rule : "");
	rc |= bind_text(st, 4, k->hostname);
	if (rc != SQLITE_OK) {
		(void)sqlite3_clear_bindings(st);
		return sqlite3_errcode(c->db);
	}
	rc = step_id(st, ret);
	if (rc == SQLITE_OK && *ret >= 0) {
		alert_key_clear(&c->last);
		c->last_id = -1;
		if (alert_key_copy(&c->last, k) == 0)
			c->last_id = *ret;
	}
	return rc;
}

static int event_id(struct store_context *c, const struct context_event *e,
		    const char *origin, int64_t *ret)
{
	sqlite3_stmt *st = c->ins_event;
	char t[40];
	int rc = SQLITE_OK;

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
	if (rc != SQLITE_OK) {
		(void)sqlite3_clear_bindings(st);
		return sqlite3_errcode(c->db);
	}
	rc = exec_stmt(st);
	if (rc != SQLITE_OK)
		return rc;
	if (sqlite3_changes(c->db) == 1) {
		*ret = sqlite3_last_insert_rowid(c->db);
		return SQLITE_OK;
	}
	/* stored already (another capture, or an earlier replay) */
	st = c->find_event;
	rc |= sqlite3_bind_int64(st, 1, (sqlite3_int64)e->time_ns);
	rc |= sqlite3_bind_int64(st, 2, (sqlite3_int64)e->serial);
	rc |= bind_text(st, 3, e->hostname);
	if (rc != SQLITE_OK) {
		(void)sqlite3_clear_bindings(st);
		return sqlite3_errcode(c->db);
	}
	rc = step_id(st, ret);
	if (rc == SQLITE_OK && *ret < 0)
		rc = SQLITE_CORRUPT; /* neither inserted nor there */
	return rc;
}

int store_context_write_event(struct store_context *c,
			      const struct context_event *e,
			      const char *origin, unsigned int *ret_missing)
{
	int64_t eid = -1, aid;
	size_t i;
	int rc;

	*ret_missing = 0;
	rc = event_id(c, e, origin, &eid);
	if (rc == SQLITE_OK)
		rc = store_context_container(c, e->container_name,
					     e->container_id);
	for (i = 0; rc == SQLITE_OK && i < e->nlinks; i++) {
		rc = find_alert(c, &e->links[i], &aid);
		if (rc != SQLITE_OK)
			break;
		if (aid < 0) {
			(*ret_missing)++;
			continue;
		}
		rc |= sqlite3_bind_int64(c->ins_link, 1, aid);
		rc |= sqlite3_bind_int64(c->ins_link, 2, eid);
		rc = rc == SQLITE_OK ? exec_stmt(c->ins_link) :
				       sqlite3_errcode(c->db);
	}
	return rc;
}

int store_context_write_summary(struct store_context *c,
				const struct context_summary *s,
				unsigned int *ret_missing)
{
	sqlite3_stmt *st = c->ins_summary;
	int64_t aid;
	int rc;

	*ret_missing = 0;
	rc = find_alert(c, &s->alert, &aid);
	if (rc != SQLITE_OK)
		return rc;
	if (aid < 0) {
		*ret_missing = 1;
		return SQLITE_OK;
	}
	rc |= sqlite3_bind_int64(st, 1, aid);
	rc |= bind_text(st, 2, s->scope);
	rc |= sqlite3_bind_int64(st, 3, (sqlite3_int64)s->from_ns);
	rc |= sqlite3_bind_int64(st, 4, (sqlite3_int64)s->until_ns);
	rc |= sqlite3_bind_int64(st, 5, (sqlite3_int64)s->events);
	rc |= sqlite3_bind_int64(st, 6, (sqlite3_int64)s->left_out);
	rc |= sqlite3_bind_int(st, 7, s->running ? 1 : 0);
	if (rc != SQLITE_OK) {
		(void)sqlite3_clear_bindings(st);
		return sqlite3_errcode(c->db);
	}
	return exec_stmt(st);
}

static uint64_t hash_pair(char kind, const char *a, const char *b)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */
	const unsigned char *p;

	h = (h ^ (unsigned char)kind) * 1099511628211ULL;
	for (p = (const unsigned char *)a; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ 0x1f) * 1099511628211ULL;
	for (p = (const unsigned char *)b; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

/* Run st (a, b bound as ?1, ?2) unless the pair was written since
 * the last rollback: a known rule or container costs no statement. */
static int write_pair(struct store_context *c, sqlite3_stmt *st, char kind,
		      const char *a, const char *b)
{
	const size_t cap = HARRIER_STORE_RULE_TAGS_CACHE;
	size_t i, al = strlen(a), bl = strlen(b);
	char *pair;
	int rc = SQLITE_OK;

	for (i = hash_pair(kind, a, b) % cap; c->seen[i]; i = (i + 1) % cap) {
		pair = c->seen[i];
		if (pair[0] == kind && strncmp(pair + 1, a, al) == 0 &&
		    pair[1 + al] == '\x1f' && strcmp(pair + 2 + al, b) == 0)
			return SQLITE_OK;
	}
	rc |= bind_text(st, 1, a);
	rc |= bind_text(st, 2, b);
	rc = rc == SQLITE_OK ? exec_stmt(st) : sqlite3_errcode(c->db);
	if (rc != SQLITE_OK)
		return rc;
	/* remember it; a full table starts again (kept half empty, so the
	 * probe above always ends) */
	if (c->nseen >= cap / 2) {
		forget_seen(c);
		i = hash_pair(kind, a, b) % cap;
	}
	pair = malloc(al + bl + 3);
	if (!pair)
		return SQLITE_OK; /* written; only not remembered */
	pair[0] = kind;
	memcpy(pair + 1, a, al);
	pair[1 + al] = '\x1f';
	memcpy(pair + 2 + al, b, bl + 1);
	c->seen[i] = pair;
	c->nseen++;
	return SQLITE_OK;
}

int store_context_rule_tags(struct store_context *c, const char *rule,
			    const char *tags_json)
{
	if (strcmp(tags_json, "[]") == 0)
		return SQLITE_OK;
	return write_pair(c, c->ins_tags, 'T', rule, tags_json);
}

int store_context_container(struct store_context *c, const char *name,
			    const char *id)
{
	if (!name || !id)
		return SQLITE_OK;
	return write_pair(c, c->ins_container, 'C', name, id);
}
