/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The alert store's reader, for the CLI (`harrier alerts`, `harrier
 * status`): opens the store read-only, so it never takes the write lock
 * and never blocks the daemon's writer (WAL). It never writes, migrates
 * or creates a store.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/strbuf.h"
#include "sink/store_query.h"
#include "sink/store_schema.h"

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
	/* the writer stored it escaped for display */
	a->output_escaped = true;
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
		rc = store_read_user_version(db, ret_version);
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
