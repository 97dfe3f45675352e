/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The alert store's reader, for the CLI (`harrier alerts`, `report`,
 * `timeline`, `status`): opens the store read-only, so it never takes
 * the write lock and never blocks the daemon's writer (WAL). It never
 * writes, migrates or creates a store; a store of schema 1 (before the
 * forensic indexes) is read as it is, more slowly, and has no events.
 * Every value a user gives reaches SQLite as a bound parameter; the SQL
 * is built from constant fragments only.
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

#define NS_PER_SEC 1000000000ULL

/* ---- times ---- */

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

/* "30s" "10m" "2h" "1d" "1w": that long before now. -ERANGE when that
 * is before 1970 (or more than 64-bit nanoseconds can say). */
static int parse_age(const char *s, uint64_t now_ns, uint64_t *ret)
{
	size_t n = strlen(s);
	uint64_t v = 0, unit;
	size_t i;

	if (n < 2 || n - 1 > 19 || !is_digits(s, n - 1))
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
	case 'w':
		unit = 7 * 86400;
		break;
	default:
		return -EINVAL;
	}
	for (i = 0; i < n - 1; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT64_MAX / unit / NS_PER_SEC)
		return -ERANGE;
	v *= unit * NS_PER_SEC;
	if (v > now_ns)
		return -ERANGE;
	*ret = now_ns - v;
	return 0;
}

/* Epoch seconds, with an optional fraction: 1764620000, 1764620000.25 */
static int parse_epoch(const char *s, uint64_t *ret)
{
	uint64_t sec = 0, frac = 0, scale = NS_PER_SEC / 10;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (sec > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		sec = sec * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			frac += (uint64_t)(*p - '0') * scale;
			scale /= 10;
		}
	}
	if (*p)
		return -EINVAL;
	if (sec > (UINT64_MAX - frac) / NS_PER_SEC)
		return -ERANGE;
	*ret = sec * NS_PER_SEC + frac;
	return 0;
}

/* Local midnight today (days_back 0) or days_back days before. */
static int parse_day(uint64_t now_ns, int days_back, uint64_t *ret)
{
	time_t now = (time_t)(now_ns / NS_PER_SEC), t;
	struct tm tm;

	if (!localtime_r(&now, &tm))
		return -EINVAL;
	tm.tm_hour = 0;
	tm.tm_min = 0;
	tm.tm_sec = 0;
	tm.tm_mday -= days_back;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1 || t < 0)
		return -ERANGE;
	*ret = (uint64_t)t * NS_PER_SEC;
	return 0;
}
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

int store_query_parse_time(const char *opt, const char *s, uint64_t now_ns,
			   uint64_t *ret, char **ret_err)
{
	int r;

	if (strcmp(s, "now") == 0) {
		*ret = now_ns;
		return 0;
	}
	if (strcmp(s, "today") == 0)
		r = parse_day(now_ns, 0, ret);
	else if (strcmp(s, "yesterday") == 0)
		r = parse_day(now_ns, 1, ret);
	else if (*s && strspn(s, "0123456789.") == strlen(s))
		r = parse_epoch(s, ret);
	else if (parse_iso(s, ret) == 0)
		r = 0;
	else
		r = parse_age(s, now_ns, ret);
	if (r == -ERANGE) {
		err_set(ret_err, "%s '%s': out of range (before 1970 or after "
			"2554)", opt, s);
		return -EINVAL;
	}
	if (r < 0) {
		err_set(ret_err,
			"%s '%s': expected a time (2026-11-28T17:00, UTC "
			"unless an offset is given), an age (30s, 10m, 2h, "
			"1d, 1w), today, yesterday, now or epoch seconds",
			opt, s);
		return -EINVAL;
	}
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec now;

	(void)clock_gettime(CLOCK_REALTIME, &now);
	return (uint64_t)now.tv_sec * NS_PER_SEC + (uint64_t)now.tv_nsec;
}

/* ---- building a query ---- */

/* Values bound to ?1, ?2, ... in order; or, for --sql, written into the
 * SQL as literals. */
#define QB_MAX_PARAMS 32

struct qparam {
	bool is_int;
	int64_t i;
	char *s; /* owned */
};

struct qb {
	struct strbuf sql;
	struct qparam p[QB_MAX_PARAMS];
	int n;
	bool literal; /* --sql: values in the text */
	bool failed;
	/* a term searches several ranges of an index (a glob after its
	 * literal prefix, a list of priorities, a container's name or id,
	 * the rules of a tag): the rows come out of the index in another
	 * order than time's and must be sorted */
	bool ranges;
	/* the alerts' own tag arrays are checked on the rows read by id
	 * (rows_by_id: one of the arrays that hold the tag), not in the
	 * query: the rules' index finds the rows */
	bool tags_later;
};

static void qb_free(struct qb *b)
{
	int i;

	for (i = 0; i < b->n; i++)
		free(b->p[i].s);
	strbuf_free(&b->sql);
}

static void qb_sql(struct qb *b, const char *s)
{
	strbuf_appends(&b->sql, s);
}

static void qb_literal(struct qb *b, const struct qparam *p)
{
	const char *c;

	if (p->is_int) {
		strbuf_appendf(&b->sql, "%lld", (long long)p->i);
		return;
	}
	strbuf_appendc(&b->sql, '\'');
	for (c = p->s; *c; c++) {
		if (*c == '\'')
			strbuf_appendc(&b->sql, '\'');
		strbuf_appendc(&b->sql, *c);
	}
	strbuf_appendc(&b->sql, '\'');
}

static void qb_param(struct qb *b, struct qparam p)
{
	if (b->n == QB_MAX_PARAMS || (!p.is_int && !p.s)) {
		free(p.s);
		b->failed = true;
		return;
	}
	b->p[b->n++] = p;
	if (b->literal)
		qb_literal(b, &p);
	else
		strbuf_appendf(&b->sql, "?%d", b->n);
}

static void qb_str(struct qb *b, const char *s)
{
	qb_param(b, (struct qparam){ .s = strdup(s) });
}

static void qb_int(struct qb *b, int64_t v)
{
	qb_param(b, (struct qparam){ .is_int = true, .i = v });
}

static int qb_bind(struct qb *b, sqlite3_stmt *st)
{
	int i, rc = SQLITE_OK;

	for (i = 0; i < b->n && rc == SQLITE_OK; i++)
		rc = b->p[i].is_int ?
			     sqlite3_bind_int64(st, i + 1, b->p[i].i) :
			     sqlite3_bind_text(st, i + 1, b->p[i].s, -1,
					       SQLITE_STATIC);
	return rc;
}

/* The smallest string greater than every string that starts with
 * prefix (byte order, SQLite's BINARY collation): the end of an index
 * range. NULL when there is none (all 0xff) or on allocation failure. */
static char *prefix_end(const char *prefix, size_t n)
{
	char *e;

	while (n > 0 && (unsigned char)prefix[n - 1] == 0xff)
		n--;
	if (n == 0)
		return NULL;
	e = malloc(n + 1);
	if (!e)
		return NULL;
	memcpy(e, prefix, n);
	e[n - 1] = (char)((unsigned char)e[n - 1] + 1);
	e[n] = '\0';
	return e;
}

/* col starts with the first n bytes of prefix: an index range. */
static void qb_prefix(struct qb *b, const char *col, const char *prefix,
		      size_t n)
{
	char *lo = strndup(prefix, n), *hi = prefix_end(prefix, n);

	qb_sql(b, col);
	qb_sql(b, " >= ");
	qb_param(b, (struct qparam){ .s = lo });
	if (hi) {
		qb_sql(b, " AND ");
		qb_sql(b, col);
		qb_sql(b, " < ");
		qb_param(b, (struct qparam){ .s = hi });
	}
}

/* col matches pattern: equality without wildcards; else the GLOB, after
 * an index range on the part before the first wildcard (none when the
 * pattern starts with one: that is a scan). only_star: only '*' is a
 * wildcard (rule names may hold ? and [ themselves). */
static void qb_match(struct qb *b, const char *col, const char *pattern,
		     bool only_star)
{
	struct strbuf g = STRBUF_INIT;
	const char *w = only_star ? "*" : "*?[";
	size_t lit = strcspn(pattern, w);
	const char *p;

	qb_sql(b, " AND ");
	if (!pattern[lit]) {
		qb_sql(b, col);
		qb_sql(b, " = ");
		qb_str(b, pattern);
		return;
	}
	if (lit) {
		qb_sql(b, "(");
		qb_prefix(b, col, pattern, lit);
		qb_sql(b, ") AND ");
		b->ranges = true;
	}
	/* GLOB with only '*' special: quote ? and [ as [?] and [[] */
	for (p = pattern; *p; p++) {
		if (only_star && *p == '?')
			strbuf_appends(&g, "[?]");
		else if (only_star && *p == '[')
			strbuf_appends(&g, "[[]");
		else
			strbuf_appendc(&g, *p);
	}
	qb_sql(b, col);
	qb_sql(b, " GLOB ");
	if (strbuf_failed(&g))
		b->failed = true;
	else
		qb_param(b, (struct qparam){ .s = strbuf_steal(&g) });
	strbuf_free(&g);
}

/* The key of the container indexes (schema 2): the short id. */
#define SHORT_ID "substr(container_id, 1, 12)"

/* A container by id prefix, name, or "host", on the table's
 * container_id / container_name: the names in the containers table, the
 * ids in the index on their first 12 characters (the rest of a longer
 * prefix checked on the row). Schema 1 has neither: plain columns. */
static void qb_container(struct qb *b, const char *c, int version)
{
	size_t n = strlen(c);

	qb_sql(b, " AND ");
	if (version < 2) {
		qb_sql(b, "(container_name = ");
		qb_str(b, c);
		qb_sql(b, " OR (");
		qb_prefix(b, "container_id", c, n);
		qb_sql(b, "))");
		return;
	}
	if (strcmp(c, "host") == 0) {
		qb_sql(b, SHORT_ID " = 'host'");
		return;
	}
	b->ranges = true;
	qb_sql(b, "((" SHORT_ID " IN (SELECT substr(id, 1, 12) FROM "
		  "containers WHERE name = ");
	qb_str(b, c);
	qb_sql(b, ") AND container_name = ");
	qb_str(b, c);
	qb_sql(b, ") OR (");
	if (n >= 12) {
		qb_sql(b, SHORT_ID " = ");
		qb_param(b, (struct qparam){ .s = strndup(c, 12) });
		qb_sql(b, " AND substr(container_id, 1, ");
		qb_int(b, (int64_t)n);
		qb_sql(b, ") = ");
		qb_str(b, c);
	} else {
		qb_prefix(b, SHORT_ID, c, n);
	}
	qb_sql(b, "))");
}

struct filters {
	uint64_t since_ns, until_ns;
	enum alert_priority prio;
	int64_t pid;
};

static int check_filters(const struct store_query *q, struct filters *f,
			 char **ret_err)
{
	static const char *const prio_list =
		"Emergency, Alert, Critical, Error, Warning, Notice, "
		"Informational, Debug";
	const struct {
		const char *opt, *v;
	} nonempty[] = {
		{ "--rule", q->rule },	   { "--container", q->container },
		{ "--file", q->file },	   { "--exe", q->exe },
		{ "--pod", q->pod },	   { "--namespace", q->namespace },
		{ "--host", q->host },	   { "--tag", q->tag },
	};
	uint64_t n = now_ns(), pid;
	size_t i;

	memset(f, 0, sizeof(*f));
	if (q->since && store_query_parse_time("--since", q->since, n,
					       &f->since_ns, ret_err) < 0)
		return -EINVAL;
	if (q->until && store_query_parse_time("--until", q->until, n,
					       &f->until_ns, ret_err) < 0)
		return -EINVAL;
	if (q->since && q->until && f->since_ns > f->until_ns) {
		err_set(ret_err, "--since '%s' is after --until '%s'",
			q->since, q->until);
		return -EINVAL;
	}
	if (q->priority && alert_priority_parse(q->priority, &f->prio) < 0) {
		err_set(ret_err, "--priority '%s': expected one of %s",
			q->priority, prio_list);
		return -EINVAL;
	}
	if (q->pid) {
		if (parse_u64(q->pid, 10, &pid) < 0 || pid > INT32_MAX) {
			err_set(ret_err, "--pid '%s': not a process id",
				q->pid);
			return -EINVAL;
		}
		f->pid = (int64_t)pid;
	}
	for (i = 0; i < sizeof(nonempty) / sizeof(nonempty[0]); i++) {
		if (nonempty[i].v && !*nonempty[i].v) {
			err_set(ret_err, "%s: empty value", nonempty[i].opt);
			return -EINVAL;
		}
	}
	return 0;
}

/* The WHERE terms for q on the alerts table (after "WHERE 1"). */
static void qb_alert_filters(struct qb *b, const struct store_query *q,
			     const struct filters *f, int version)
{
	if (q->id) {
		qb_sql(b, " AND id = ");
		qb_int(b, q->id);
	}
	if (q->since) {
		qb_sql(b, " AND time_ns >= ");
		qb_int(b, (int64_t)f->since_ns);
	}
	if (q->until) {
		qb_sql(b, " AND time_ns <= ");
		qb_int(b, (int64_t)f->until_ns);
	}
	if (q->rule)
		qb_match(b, "rule", q->rule, true);
	if (q->container)
		qb_container(b, q->container, version);
	if (q->priority) {
		/* "this and more severe" as a list of values: equality
		 * lookups in alerts_priority, which the planner takes over
		 * scanning in time order (a range it would not) */
		int p;

		if (f->prio > 0)
			b->ranges = true;
		qb_sql(b, " AND priority_num IN (");
		for (p = 0; p <= (int)f->prio; p++) {
			if (p)
				qb_sql(b, ", ");
			qb_int(b, p);
		}
		qb_sql(b, ")");
	}
	if (q->pid) {
		qb_sql(b, " AND pid = ");
		qb_int(b, f->pid);
	}
	if (q->file)
		qb_match(b, "file", q->file, false);
	if (q->exe)
		qb_match(b, "exe", q->exe, false);
	if (q->pod) {
		qb_sql(b, " AND pod_name = ");
		qb_str(b, q->pod);
	}
	if (q->namespace) {
		qb_sql(b, " AND pod_namespace = ");
		qb_str(b, q->namespace);
	}
	if (q->host) {
		qb_sql(b, " AND hostname = ");
		qb_str(b, q->host);
	}
	if (q->tag) {
		/* the rules that have the tag (an index), then the alert's
		 * own array, since a rule's tags can change over time */
		b->ranges = true;
		if (version >= 2) {
			qb_sql(b, " AND rule IN (SELECT rule FROM rule_tags "
				  "WHERE tag = ");
			qb_str(b, q->tag);
			qb_sql(b, ")");
			if (!b->tags_later) {
				/* the arrays that hold it, found once
				 * (rule_tagsets: each (rule, tags) written),
				 * not a JSON parse per row */
				qb_sql(b, " AND tags IN (SELECT s.tags FROM "
					  "rule_tagsets AS s, json_each(s.tags) "
					  "AS t WHERE t.value = ");
				qb_str(b, q->tag);
				qb_sql(b, ")");
			}
		} else {
			qb_sql(b, " AND EXISTS (SELECT 1 FROM "
				  "json_each(alerts.tags) WHERE value = ");
			qb_str(b, q->tag);
			qb_sql(b, ")");
		}
	}
}

/* ---- alerts ---- */

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
	QCOL_TIME,
	QCOL_ORIGIN,
};

#define SELECT_COLUMNS                                                      \
	"time_ns, hostname, rule, priority, priority_num, output, tags, "   \
	"source, container_id, container_name, pod_name, pod_namespace, "   \
	"pid, ppid, uid, auid, exe, cmdline, syscall, file, audit_serial, " \
	"fields, id, time, "

/* Column col's text, in the row (valid until the statement steps on):
 * struct alert has no const strings, the row's alert is read only. */
static int col_str(sqlite3_stmt *st, int col, char **ret)
{
	const unsigned char *t;

	*ret = NULL;
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return 0;
	t = sqlite3_column_text(st, col);
	if (!t)
		return -ENOMEM;
	*ret = (char *)t;
	return 0;
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

/* What row_to_alert allocated: the tag and field arrays (their strings
 * too), not the row's own strings. */
static void row_alert_clear(struct alert *a)
{
	strv_free(a->tags, a->ntags);
	alert_fields_free(a->fields, a->nfields);
	memset(a, 0, sizeof(*a));
}

/* *a from st's row: its strings are the row's (until the statement steps
 * on), the tags and fields allocated (row_alert_clear). */
static int row_to_alert(sqlite3_stmt *st, const struct store_query *q,
			struct alert *a)
{
	int prio, r = 0;

	memset(a, 0, sizeof(*a));
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
	/* the store says "host" (Falco's value); struct alert says NULL */
	if (!r && a->container_id && strcmp(a->container_id, "host") == 0) {
		a->container_id = NULL;
		if (a->container_name &&
		    strcmp(a->container_name, "host") == 0)
			a->container_name = NULL;
	}
	r |= col_str(st, QCOL_POD_NAME, &a->pod_name);
	r |= col_str(st, QCOL_POD_NAMESPACE, &a->pod_namespace);
	r |= col_str(st, QCOL_EXE, &a->exe);
	r |= col_str(st, QCOL_CMDLINE, &a->cmdline);
	r |= col_str(st, QCOL_SYSCALL, &a->syscall);
	r |= col_str(st, QCOL_FILE, &a->file);
	if (r)
		return -ENOMEM;
	if (!q->no_tags)
		r = row_tags(st, a);
	if (!r && !q->no_fields)
		r = row_fields(st, a);
	if (r)
		row_alert_clear(a);
	return r;
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

	store_sqlite_setup();
	/* a reader lives in one call on one thread: no mutex per call
	 * (a row's 25 columns took 50 lock operations) */
	rc = sqlite3_open_v2(name, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK) {
		(void)sqlite3_busy_timeout(db, HARRIER_STORE_BUSY_TIMEOUT_MS);
		rc = store_read_user_version(db, ret_version);
	}
	if (rc != SQLITE_OK && db)
		rc = sqlite3_extended_errcode(db);
	*ret = db; /* also on failure: the caller reads the message */
	return rc;
}

/* The store at path, read-only, and its schema version. */
static int open_reader(const char *path, sqlite3 **ret, int *ret_version,
		       char **ret_err)
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
	*ret_version = v;
	return 0;
}


/* q->line_only's: the same places (QCOL_*), the rest NULL (not read
 * from the row at all: a row's ~20 other columns took a third of the
 * time of printing it), tags kept for a tag filter's check. */
#define LINE_COLUMNS(tags)                                                   \
	"time_ns, NULL AS hostname, rule, NULL AS priority, priority_num, "  \
	"output, " tags ", NULL AS source, NULL AS container_id, "           \
	"NULL AS container_name, NULL AS pod_name, NULL AS pod_namespace, "  \
	"NULL AS pid, NULL AS ppid, NULL AS uid, NULL AS auid, NULL AS exe, " \
	"NULL AS cmdline, NULL AS syscall, NULL AS file, audit_serial, "     \
	"NULL AS fields, id, NULL AS time, NULL AS origin"

/* The alert columns read (QCOL_*) for q: schema 1 has no origin. */
static const char *select_columns(int version, const struct store_query *q)
{
	if (q->line_only)
		return q->tag ? "SELECT " LINE_COLUMNS("tags") :
				"SELECT " LINE_COLUMNS("NULL AS tags");
	return version >= 2 ? "SELECT " SELECT_COLUMNS "origin" :
			      "SELECT " SELECT_COLUMNS "NULL AS origin";
}

/* The alerts query for q: filters, time order, the limit. ids: only the
 * rows' ids (and time_ns), in the same order. */
static int build_alerts(struct qb *b, const struct store_query *q,
			int version, bool ids, char **ret_err)
{
	struct filters f;
	int r;

	r = check_filters(q, &f, ret_err);
	if (r < 0)
		return r;
	/* With a limit: the most recent N, still shown oldest first. */
	if (q->limit)
		qb_sql(b, "SELECT * FROM (");
	qb_sql(b, ids ? "SELECT id, time_ns" : select_columns(version, q));
	qb_sql(b, " FROM alerts WHERE 1");
	qb_alert_filters(b, q, &f, version);
	if (q->limit) {
		qb_sql(b, " ORDER BY time_ns DESC, id DESC LIMIT ");
		qb_int(b, (int64_t)q->limit);
		qb_sql(b, ")");
	}
	/* ids alone, all of them: sorted by the caller (rows_by_id) */
	if (!ids || q->limit)
		qb_sql(b, " ORDER BY time_ns, id");
	if (b->failed || strbuf_failed(&b->sql)) {
		err_set(ret_err, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

char *store_query_sql(const struct store_query *q, char **ret_err)
{
	static const struct store_query none = { .limit = 0 };
	struct qb b = { .literal = true };
	char *s = NULL;

	if (build_alerts(&b, q ? q : &none, 2, false, ret_err) == 0) {
		qb_sql(&b, ";");
		s = strbuf_failed(&b.sql) ? NULL : strbuf_steal(&b.sql);
	}
	qb_free(&b);
	return s;
}

/* Prepare b's SQL on db and bind its values. */
static int prepare_qb(sqlite3 *db, struct qb *b, sqlite3_stmt **ret,
		      char **ret_err)
{
	int rc;

	rc = sqlite3_prepare_v2(db, strbuf_str(&b->sql), -1, ret, NULL);
	if (rc == SQLITE_OK)
		rc = qb_bind(b, *ret);
	if (rc != SQLITE_OK) {
		err_set(ret_err, "%s", sqlite3_errmsg(db));
		return -EIO;
	}
	return 0;
}

/* One row of st (SELECT_COLUMNS, origin) to cb. */
static int emit_row(sqlite3_stmt *st, const struct store_query *q,
		    int (*cb)(const struct store_row *r, void *ud), void *ud,
		    char **ret_err)
{
	struct store_row row;
	struct alert a;
	int r;

	r = row_to_alert(st, q, &a);
	if (r < 0) {
		err_set(ret_err, "alert id %lld: %s",
			(long long)sqlite3_column_int64(st, QCOL_ID),
			r == -EBADMSG ? "tags or fields are not valid JSON" :
					strerror(-r));
		return -EIO;
	}
	row.id = sqlite3_column_int64(st, QCOL_ID);
	row.origin = (const char *)sqlite3_column_text(st, QCOL_ORIGIN);
	row.alert = &a;
	r = cb(&row, ud);
	row_alert_clear(&a);
	return r;
}

/* The tag arrays (rule_tagsets) that hold a tag, read once. */
struct tagsets {
	char **v;
	size_t n;
};

static void tagsets_free(struct tagsets *t)
{
	strv_free(t->v, t->n);
	t->v = NULL;
	t->n = 0;
}

static int tagsets_load(sqlite3 *db, const char *tag, struct tagsets *ret,
			char **ret_err)
{
	sqlite3_stmt *st = NULL;
	const char *t;
	char **v;
	int rc;

	rc = sqlite3_prepare_v2(db,
				"SELECT DISTINCT s.tags FROM rule_tagsets AS s, "
				"json_each(s.tags) AS t WHERE t.value = ?1",
				-1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, tag, -1, SQLITE_STATIC);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = realloc(ret->v, (ret->n + 1) * sizeof(*v));
		if (!v) {
			rc = SQLITE_NOMEM;
			break;
		}
		ret->v = v;
		t = (const char *)sqlite3_column_text(st, 0);
		v[ret->n] = strdup(t ? t : "");
		if (!v[ret->n]) {
			rc = SQLITE_NOMEM;
			break;
		}
		ret->n++;
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE)
		err_set(ret_err, "%s", rc == SQLITE_NOMEM ? "out of memory" :
							    sqlite3_errmsg(db));
	(void)sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

static bool tagsets_have(const struct tagsets *t, const unsigned char *tags)
{
	size_t i;

	for (i = 0; tags && i < t->n; i++)
		if (strcmp(t->v[i], (const char *)tags) == 0)
			return true;
	return false;
}

struct time_id {
	int64_t time_ns, id;
};

/* The rows of ids[0..n), in that order, to cb (row: store_query_rows'
 * statement of rows by their ids, ?1 a JSON array of them); with tags,
 * only those whose tag array is one of them. The rows cb got are added
 * to *count. */
static int rows_of(sqlite3 *db, sqlite3_stmt *row, const struct time_id *ids,
		   size_t n, struct strbuf *json, const struct tagsets *tags,
		   const struct store_query *q,
		   int (*cb)(const struct store_row *r, void *ud), void *ud,
		   int *count, char **ret_err)
{
	char num[24], *p;
	uint64_t v;
	size_t i;
	int rc, r = 0;

	strbuf_reset(json);
	strbuf_appendc(json, '[');
	for (i = 0; i < n; i++) {
		/* digits by hand, not snprintf (a rowid may be negative
		 * when a row was put in by hand) */
		p = num + sizeof(num);
		v = ids[i].id < 0 ? 0 - (uint64_t)ids[i].id :
				    (uint64_t)ids[i].id;
		do {
			*--p = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		if (ids[i].id < 0)
			*--p = '-';
		if (i)
			*--p = ',';
		strbuf_append(json, p, (size_t)(num + sizeof(num) - p));
	}
	strbuf_appendc(json, ']');
	if (strbuf_failed(json)) {
		err_set(ret_err, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	rc = sqlite3_bind_text(row, 1, json->buf, (int)json->len,
			       SQLITE_STATIC);
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		rc = sqlite3_step(row);
		if (rc != SQLITE_ROW)
			break;
		if (tags && !tagsets_have(tags, sqlite3_column_text(
							row, QCOL_TAGS)))
			continue;
		r = emit_row(row, q, cb, ud, ret_err);
		if (r < 0)
			break;
		(*count)++;
	}
	if (r >= 0 && rc != SQLITE_DONE) {
		err_set(ret_err, "%s", sqlite3_errmsg(db));
		r = -EIO;
	}
	(void)sqlite3_reset(row);
	(void)sqlite3_clear_bindings(row);
	return r;
}

static int by_time_id(const void *a, const void *b)
{
	const struct time_id *x = a, *y = b;

	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The rows of the ids st finds (id, time_ns) to cb, oldest first: the
 * ids first (sorted here unless st sorted them: with a limit), then
 * the rows a few thousand at a time, each batch by one statement (a
 * statement reset after each row frees and allocates again its
 * registers' memory: ~8 allocations a row); tags: the tag arrays a row
 * must have one of (NULL: any). The number of rows cb got, or <0. */
static int rows_by_id(sqlite3 *db, sqlite3_stmt *st, sqlite3_stmt *row,
		      const struct tagsets *tags, const struct store_query *q,
		      int (*cb)(const struct store_row *r, void *ud), void *ud,
		      char **ret_err)
{
	struct strbuf json = STRBUF_INIT;
	struct time_id *v = NULL, *more;
	size_t n = 0, cap = 0, at;
	int rc, r = 0, count = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			more = realloc(v, cap * sizeof(*v));
			if (!more) {
				err_set(ret_err, "%s", strerror(ENOMEM));
				r = -ENOMEM;
				break;
			}
			v = more;
		}
		v[n].id = sqlite3_column_int64(st, 0);
		v[n++].time_ns = sqlite3_column_int64(st, 1);
	}
	if (r == 0 && rc != SQLITE_DONE) {
		err_set(ret_err, "%s", sqlite3_errmsg(db));
		r = -EIO;
	}
	/* SQLite's sorter allocates per row; these are two numbers a row */
	if (r == 0 && !q->limit && n > 1)
		qsort(v, n, sizeof(*v), by_time_id);
	for (at = 0; r == 0 && at < n; at += HARRIER_QUERY_ROWS_BATCH)
		r = rows_of(db, row, v + at,
			    n - at < HARRIER_QUERY_ROWS_BATCH ?
				    n - at :
				    HARRIER_QUERY_ROWS_BATCH,
			    &json, tags, q, cb, ud, &count, ret_err);
	strbuf_free(&json);
	free(v);
	return r < 0 ? r : count;
}

int store_query_rows(const char *path, const struct store_query *q,
		     int (*cb)(const struct store_row *r, void *ud), void *ud,
		     char **ret_err)
{
	static const struct store_query none = { .limit = 0 };
	struct qb b = { .literal = false };
	struct tagsets tags = { NULL, 0 };
	sqlite3_stmt *st = NULL, *row = NULL;
	sqlite3 *db = NULL;
	char pragma[80];
	int rc, r, version = 0, n = 0;
	bool ids;

	if (!q)
		q = &none;
	/* the filters first: bad input is bad input, store or not */
	r = build_alerts(&b, q, 2, false, ret_err);
	if (r < 0)
		goto out;
	r = open_reader(path, &db, &version, ret_err);
	if (r < 0)
		goto out;
	/* rows are read once each: a small cache, reused (limits.h) */
	(void)snprintf(pragma, sizeof(pragma),
		       "PRAGMA cache_size = %d; PRAGMA temp_store = MEMORY",
		       HARRIER_QUERY_CACHE_PAGES);
	(void)sqlite3_exec(db, pragma, NULL, NULL, NULL);
	/* Rows that need sorting (several index ranges) are found and
	 * sorted by their ids and times alone (the index holds both), then
	 * read one by one: SQLite's sorter would hold whole rows (memory
	 * that is new pages, spilled past the cache size). */
	ids = b.ranges;
	if (version < 2 || ids) {
		qb_free(&b);
		memset(&b, 0, sizeof(b));
		/* a tag's rules are in an index, the alerts' arrays are not:
		 * checked on the rows read anyway (not with a limit, which
		 * counts the rows that have it) */
		b.tags_later = ids && q->tag && !q->limit && version >= 2;
		r = build_alerts(&b, q, version, ids, ret_err);
		if (r < 0)
			goto out;
	}
	r = prepare_qb(db, &b, &st, ret_err);
	if (r < 0)
		goto out;
	if (ids) {
		char sql[1024];

		/* the ids in a JSON array: CROSS JOIN keeps its order */
		if (snprintf(sql, sizeof(sql),
			     "%s FROM (SELECT value AS k FROM json_each(?1)) "
			     "AS j CROSS JOIN alerts ON alerts.id = j.k",
			     select_columns(version, q)) >= (int)sizeof(sql) ||
		    sqlite3_prepare_v2(db, sql, -1, &row, NULL) != SQLITE_OK) {
			err_set(ret_err, "%s", sqlite3_errmsg(db));
			r = -EIO;
			goto out;
		}
		if (b.tags_later)
			r = tagsets_load(db, q->tag, &tags, ret_err);
		if (r == 0)
			r = rows_by_id(db, st, row,
				       b.tags_later ? &tags : NULL, q, cb, ud,
				       ret_err);
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = emit_row(st, q, cb, ud, ret_err);
		if (r < 0)
			goto out;
		n++;
	}
	if (rc != SQLITE_DONE) {
		err_set(ret_err, "%s", sqlite3_errmsg(db));
		r = -EIO;
		goto out;
	}
	r = n;
out:
	tagsets_free(&tags);
	(void)sqlite3_finalize(row);
	(void)sqlite3_finalize(st);
	(void)sqlite3_close(db);
	qb_free(&b);
	return r;
}

struct alerts_only {
	int (*cb)(const struct alert *a, void *ud);
	void *ud;
};

static int row_alert(const struct store_row *r, void *ud)
{
	struct alerts_only *o = ud;

	return o->cb(r->alert, o->ud);
}

int store_query_alerts(const char *path, const struct store_query *q,
		       int (*cb)(const struct alert *a, void *ud), void *ud,
		       char **ret_err)
{
	struct alerts_only o = { cb, ud };
	int r = store_query_rows(path, q, row_alert, &o, ret_err);

	return r < 0 ? r : 0;
}

/* ---- report ---- */

static const char *const report_keys[] = {
	[STORE_BY_RULE] = "rule",
	[STORE_BY_PRIORITY] = "priority",
	/* "web-1 (3f2a9c1d5e6b)", "host" */
	[STORE_BY_CONTAINER] =
		"CASE WHEN container_id IS NULL OR container_id = 'host' "
		"THEN container_id WHEN container_name IS NULL THEN "
		"substr(container_id, 1, 12) ELSE container_name || ' (' || "
		"substr(container_id, 1, 12) || ')' END",
	[STORE_BY_POD] = "CASE WHEN pod_name IS NULL THEN NULL ELSE "
			 "coalesce(pod_namespace, '') || '/' || pod_name END",
	[STORE_BY_EXE] = "exe",
	[STORE_BY_HOST] = "hostname",
};

int store_report(const char *path, const struct store_query *q,
		 struct store_report *ret,
		 int (*cb)(enum store_report_by by, const char *key,
			   uint64_t count, void *ud),
		 void *ud, char **ret_err)
{
	struct store_query qq = *q;
	struct store_report rep = { 0, 0, 0 };
	struct filters f;
	struct qb b;
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;
	unsigned int by;
	int rc, r, version = 0;

	qq.limit = 0;
	*ret = rep;
	r = check_filters(&qq, &f, ret_err);
	if (r < 0)
		return r;
	r = open_reader(path, &db, &version, ret_err);
	if (r < 0)
		return r;
	/* the totals, then one query per dimension */
	for (by = 0; by <= STORE_BY_HOST + 1u && r >= 0; by++) {
		memset(&b, 0, sizeof(b));
		rc = SQLITE_DONE;
		if (by == 0) {
			qb_sql(&b, "SELECT count(*), min(time_ns), "
				   "max(time_ns) FROM alerts WHERE 1");
		} else {
			qb_sql(&b, "SELECT ");
			qb_sql(&b, report_keys[by - 1]);
			qb_sql(&b, " AS k, count(*) AS n FROM alerts WHERE 1");
		}
		qb_alert_filters(&b, &qq, &f, version);
		if (by > 0)
			qb_sql(&b, " GROUP BY k ORDER BY n DESC, k");
		if (b.failed) {
			err_set(ret_err, "out of memory");
			r = -ENOMEM;
		}
		if (r >= 0)
			r = prepare_qb(db, &b, &st, ret_err);
		while (r >= 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (by == 0) {
				rep.total = (uint64_t)sqlite3_column_int64(st,
									   0);
				rep.first_ns =
					(uint64_t)sqlite3_column_int64(st, 1);
				rep.last_ns =
					(uint64_t)sqlite3_column_int64(st, 2);
				*ret = rep;
				continue;
			}
			r = cb((enum store_report_by)(by - 1),
			       (const char *)sqlite3_column_text(st, 0),
			       (uint64_t)sqlite3_column_int64(st, 1), ud);
		}
		if (r >= 0 && rc != SQLITE_DONE) {
			err_set(ret_err, "%s", sqlite3_errmsg(db));
			r = -EIO;
		}
		(void)sqlite3_finalize(st);
		st = NULL;
		qb_free(&b);
	}
	(void)sqlite3_close(db);
	return r < 0 ? r : 0;
}

/* ---- timeline ---- */

enum {
	ECOL_ID,
	ECOL_TIME_NS,
	ECOL_HOSTNAME,
	ECOL_SERIAL,
	ECOL_SYSCALL,
	ECOL_SUCCESS,
	ECOL_EXIT,
	ECOL_PID,
	ECOL_PPID,
	ECOL_UID,
	ECOL_AUID,
	ECOL_SES,
	ECOL_EXE,
	ECOL_CMDLINE,
	ECOL_CWD,
	ECOL_FILE,
	ECOL_ADDRESS,
	ECOL_CONTAINER_ID,
	ECOL_CONTAINER_NAME,
	ECOL_POD_NAME,
	ECOL_POD_NAMESPACE,
	ECOL_ORIGIN,
	ECOL_ARGV,
};

#define EVENT_COLUMNS                                                       \
	"e.id, e.time_ns, e.hostname, e.audit_serial, e.syscall, e.success, " \
	"e.exit, e.pid, e.ppid, e.uid, e.auid, e.ses, e.exe, e.cmdline, "   \
	"e.cwd, e.file, e.address, e.container_id, e.container_name, "      \
	"e.pod_name, e.pod_namespace, e.origin, e.argv"

static const char *col_text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

/* Borrowed views of the row's columns (valid until the next step). */
static void row_to_event(sqlite3_stmt *st, struct context_event *e)
{
	memset(e, 0, sizeof(*e));
	e->time_ns = (uint64_t)sqlite3_column_int64(st, ECOL_TIME_NS);
	e->serial = (uint64_t)sqlite3_column_int64(st, ECOL_SERIAL);
	e->hostname = (char *)col_text(st, ECOL_HOSTNAME);
	e->syscall = (char *)col_text(st, ECOL_SYSCALL);
	e->success = sqlite3_column_type(st, ECOL_SUCCESS) == SQLITE_NULL ?
			     -1 :
			     sqlite3_column_int(st, ECOL_SUCCESS);
	e->has_exit = sqlite3_column_type(st, ECOL_EXIT) != SQLITE_NULL;
	e->exit = sqlite3_column_int64(st, ECOL_EXIT);
	e->pid = col_id(st, ECOL_PID);
	e->ppid = col_id(st, ECOL_PPID);
	e->uid = col_id(st, ECOL_UID);
	e->auid = col_id(st, ECOL_AUID);
	e->ses = col_id(st, ECOL_SES);
	e->exe = (char *)col_text(st, ECOL_EXE);
	e->cmdline = (char *)col_text(st, ECOL_CMDLINE);
	e->argv = (char *)col_text(st, ECOL_ARGV);
	e->cwd = (char *)col_text(st, ECOL_CWD);
	e->file = (char *)col_text(st, ECOL_FILE);
	e->address = (char *)col_text(st, ECOL_ADDRESS);
	e->container_id = (char *)col_text(st, ECOL_CONTAINER_ID);
	e->container_name = (char *)col_text(st, ECOL_CONTAINER_NAME);
	e->pod_name = (char *)col_text(st, ECOL_POD_NAME);
	e->pod_namespace = (char *)col_text(st, ECOL_POD_NAMESPACE);
}

#define TIMELINE_MAX_ALERTS 16

/* The alerts the event raised (same time, serial and node). */
static int event_alerts(sqlite3_stmt *find, const struct context_event *e,
			struct store_event_alert *out, char **rules,
			size_t *ret_n)
{
	int rc = SQLITE_OK, p;
	size_t n = 0;

	rc |= sqlite3_bind_int64(find, 1, (sqlite3_int64)e->time_ns);
	rc |= sqlite3_bind_int64(find, 2, (sqlite3_int64)e->serial);
	rc |= e->hostname ? sqlite3_bind_text(find, 3, e->hostname, -1,
					      SQLITE_STATIC) :
			    sqlite3_bind_null(find, 3);
	while (rc == SQLITE_OK && (rc = sqlite3_step(find)) == SQLITE_ROW) {
		if (n == TIMELINE_MAX_ALERTS)
			continue;
		out[n].id = sqlite3_column_int64(find, 0);
		rules[n] = strdup(col_text(find, 1) ? col_text(find, 1) : "");
		if (!rules[n])
			break;
		out[n].rule = rules[n];
		p = sqlite3_column_int(find, 2);
		out[n].priority = p >= 0 && p <= ALERT_PRIO_DEBUG ?
					  (enum alert_priority)p :
					  ALERT_PRIO_WARNING;
		n++;
	}
	(void)sqlite3_reset(find);
	(void)sqlite3_clear_bindings(find);
	*ret_n = n;
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int read_capture(sqlite3 *db, int64_t alert_id,
			struct store_capture *ret)
{
	static const char sql[] =
		"SELECT c.scope, ac.from_ns, ac.until_ns, c.events, "
		"c.left_out, c.running, c.alerts FROM alert_captures AS ac "
		"JOIN captures AS c ON c.id = ac.capture_id WHERE "
		"ac.alert_id = ?1";
	sqlite3_stmt *st = NULL;
	int rc;

	memset(ret, 0, sizeof(*ret));
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 1, alert_id);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		ret->found = true;
		(void)snprintf(ret->scope, sizeof(ret->scope), "%s",
			       col_text(st, 0) ? col_text(st, 0) : "");
		ret->from_ns = (uint64_t)sqlite3_column_int64(st, 1);
		ret->until_ns = (uint64_t)sqlite3_column_int64(st, 2);
		ret->events = (uint64_t)sqlite3_column_int64(st, 3);
		ret->left_out = (uint64_t)sqlite3_column_int64(st, 4);
		ret->running = sqlite3_column_int(st, 5) != 0;
		ret->alerts = (uint64_t)sqlite3_column_int64(st, 6);
		rc = SQLITE_DONE;
	}
	(void)sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int alert_exists(sqlite3 *db, int64_t id, bool *ret)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT 1 FROM alerts WHERE id = ?1", -1,
				&st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 1, id);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	*ret = rc == SQLITE_ROW;
	(void)sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_timeline(const char *path, const struct store_timeline_query *q,
		   struct store_capture *ret_capture,
		   int (*cb)(const struct store_event *e, void *ud), void *ud,
		   char **ret_err)
{
	struct store_event_alert alerts[TIMELINE_MAX_ALERTS];
	char *rules[TIMELINE_MAX_ALERTS];
	struct context_event ev;
	struct store_event se;
	struct store_query sq = { .since = q->since, .until = q->until,
				  .container = q->container };
	struct filters f;
	struct qb b = { .literal = false };
	sqlite3_stmt *st = NULL, *find = NULL;
	sqlite3 *db = NULL;
	size_t na, i;
	bool exists;
	int rc, r, version = 0, n = 0;

	if (q->alert_id <= 0 && !q->container) {
		err_set(ret_err, "an alert id or --container is needed");
		return -EINVAL;
	}
	r = check_filters(&sq, &f, ret_err);
	if (r < 0)
		return r;
	r = open_reader(path, &db, &version, ret_err);
	if (r < 0)
		return r;
	if (version < 2) {
		err_set(ret_err, "the store has schema version %d: it holds "
			"no captured events (harrierd upgrades it when it "
			"next opens it)", version);
		r = -EIO;
		goto out;
	}
	if (q->alert_id > 0) {
		rc = alert_exists(db, q->alert_id, &exists);
		if (rc == SQLITE_OK && !exists) {
			err_set(ret_err, "no alert with id %lld",
				(long long)q->alert_id);
			r = -ENOENT;
			goto out;
		}
		if (rc == SQLITE_OK && ret_capture)
			rc = read_capture(db, q->alert_id, ret_capture);
		if (rc != SQLITE_OK) {
			err_set(ret_err, "%s", sqlite3_errmsg(db));
			r = -EIO;
			goto out;
		}
		/* the alert's own window of its capture */
		qb_sql(&b, "SELECT " EVENT_COLUMNS " FROM alert_captures AS "
			   "ac JOIN capture_events AS ce ON ce.capture_id = "
			   "ac.capture_id JOIN events AS e ON e.id = "
			   "ce.event_id AND e.time_ns >= ac.from_ns AND "
			   "e.time_ns <= ac.until_ns WHERE ac.alert_id = ");
		qb_int(&b, q->alert_id);
	} else {
		qb_sql(&b, "SELECT " EVENT_COLUMNS " FROM events AS e WHERE 1");
		qb_container(&b, q->container, version);
	}
	if (q->since) {
		qb_sql(&b, " AND e.time_ns >= ");
		qb_int(&b, (int64_t)f.since_ns);
	}
	if (q->until) {
		qb_sql(&b, " AND e.time_ns <= ");
		qb_int(&b, (int64_t)f.until_ns);
	}
	qb_sql(&b, " ORDER BY e.time_ns, e.id");
	r = prepare_qb(db, &b, &st, ret_err);
	if (r < 0)
		goto out;
	rc = sqlite3_prepare_v2(db,
				"SELECT id, rule, priority_num FROM alerts "
				"WHERE time_ns = ?1 AND audit_serial = ?2 AND "
				"hostname IS ?3 ORDER BY id",
				-1, &find, NULL);
	if (rc != SQLITE_OK) {
		err_set(ret_err, "%s", sqlite3_errmsg(db));
		r = -EIO;
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_event(st, &ev);
		rc = event_alerts(find, &ev, alerts, rules, &na);
		if (rc == SQLITE_OK) {
			se.id = sqlite3_column_int64(st, ECOL_ID);
			se.origin = col_text(st, ECOL_ORIGIN);
			se.ev = &ev;
			se.alerts = alerts;
			se.nalerts = na;
			r = cb(&se, ud);
		}
		for (i = 0; i < na; i++)
			free(rules[i]);
		if (rc != SQLITE_OK)
			break;
		if (r < 0)
			goto out;
		n++;
	}
	if (rc != SQLITE_DONE) {
		err_set(ret_err, "%s", sqlite3_errmsg(db));
		r = -EIO;
		goto out;
	}
	r = n;
out:
	(void)sqlite3_finalize(find);
	(void)sqlite3_finalize(st);
	(void)sqlite3_close(db);
	qb_free(&b);
	return r;
}

/* ---- status ---- */

static int count_rows(sqlite3 *db, const char *sql, uint64_t *ret)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*ret = (uint64_t)sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	(void)sqlite3_finalize(st);
	return rc;
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
	r = open_reader(path, &db, &sum.version, ret_err);
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
	if (rc == SQLITE_DONE && sum.version >= 2) {
		rc = count_rows(db, "SELECT count(*) FROM events", &sum.events);
		if (rc == SQLITE_OK)
			rc = count_rows(db, "SELECT count(*) FROM captures",
					&sum.captures);
		if (rc == SQLITE_OK)
			rc = SQLITE_DONE;
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
