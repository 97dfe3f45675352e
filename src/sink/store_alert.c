/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The alerts table as a store item type: its insert, the binding of an
 * alert's columns, its spool encoding and its retention. Structured
 * columns keep untrusted text as it is (fields, cmdline, file, exe: what
 * queries compare); the display column `output` is escaped with the one
 * escaper stdout and journald use, so a terminal showing it is safe.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/strbuf.h"
#include "sink/alert_json.h"
#include "sink/store.h"

enum {
	COL_TIME = 3,
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

/* DO NOTHING on either key: the writer's (run, seq), a batch written
 * again after an unknown outcome; the alert's own (alerts_key: time_ns,
 * audit_serial, rule, hostname), a log replayed twice. The store counts
 * both as held already (store_context_stats.duplicates), and context
 * finds the stored alert by its key. */
static const char insert_sql[] =
	"INSERT INTO alerts (writer_run, writer_seq, time, time_ns, "
	"hostname, rule, priority, priority_num, output, tags, source, "
	"container_id, container_name, pod_name, pod_namespace, pid, ppid, "
	"uid, auid, exe, cmdline, syscall, file, audit_serial, fields, "
	"origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	"?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

/* The side tables (schema/004: the writer keeps them, no trigger):
 * every (name, id) of a container, every (rule, tags array) and
 * (tag, rule) seen. */
const char store_ins_container_sql[] =
	"INSERT OR IGNORE INTO containers (name, id) VALUES (?1, ?2)";
static const char ins_tagset_sql[] =
	"INSERT OR IGNORE INTO rule_tagsets (rule, tags) VALUES (?1, ?2)";
static const char ins_tag_sql[] =
	"INSERT OR IGNORE INTO rule_tags (tag, rule) VALUES (?1, ?2)";
static const char *const more_sql[] = { store_ins_container_sql,
					ins_tagset_sql, ins_tag_sql, NULL };

/* Oldest first, by event time (alerts_key leads with time_ns) and, for
 * max_rows, by id: at most a batch per statement. What only the deleted
 * alerts needed (their captures' events) goes with them (schema/002's
 * triggers). */
static const char prune_age_sql[] =
	"DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE time_ns "
	"< ?1 ORDER BY time_ns LIMIT " XSTR(HARRIER_STORE_PRUNE_BATCH) ")";
static const char prune_rows_sql[] =
	"DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE id <= "
	"(SELECT id FROM alerts ORDER BY id DESC LIMIT 1 OFFSET ?1) ORDER BY "
	"id LIMIT " XSTR(HARRIER_STORE_PRUNE_BATCH) ")";

/* Falco's container.id on the host ('host'). Internal alerts (no
 * process) stay without a container. */
static bool on_host(const struct alert *a)
{
	return !a->container_id &&
	       !(a->source && strcmp(a->source, "internal") == 0);
}

/* The container columns as stored: Falco's "host" on the host. */
static const char *container_id_of(const struct alert *a)
{
	return on_host(a) ? "host" : a->container_id;
}

static const char *container_name_of(const struct alert *a)
{
	return on_host(a) && !a->container_name ? "host" : a->container_name;
}

/* An alert as the store queues it: a copy, and its time, output, tags
 * and fields columns encoded where it was emitted, so that the writer
 * thread (the store's bottleneck under a flood of alerts) only binds
 * them. enc holds the four NUL-terminated. */
struct alert_item {
	struct alert *a;
	char *enc;
	size_t output_at, tags_at, fields_at;
};

/* The item for a (its copy: alert_dup), or NULL without memory. */
static struct alert_item *item_of(struct alert *a)
{
	struct strbuf sb = STRBUF_INIT;
	struct alert_item *it = NULL;
	size_t output_at, tags_at, fields_at;
	char t[40];

	if (!a)
		return NULL;
	alert_format_time(a->time_ns, t, sizeof(t));
	strbuf_appends(&sb, t);
	strbuf_appendc(&sb, '\0');
	output_at = sb.len;
	if (a->output) {
		if (a->output_escaped &&
		    strbuf_escaped_is_clean(a->output, strlen(a->output)))
			strbuf_appends(&sb, a->output);
		else
			strbuf_append_escaped(&sb, a->output,
					      strlen(a->output));
	}
	strbuf_appendc(&sb, '\0');
	tags_at = sb.len;
	alert_json_append_tags(&sb, a);
	strbuf_appendc(&sb, '\0');
	fields_at = sb.len;
	alert_json_append_fields(&sb, a);
	strbuf_appendc(&sb, '\0');
	if (!strbuf_failed(&sb))
		it = malloc(sizeof(*it));
	if (it) {
		it->a = a;
		it->enc = strbuf_steal(&sb);
		it->output_at = output_at;
		it->tags_at = tags_at;
		it->fields_at = fields_at;
	} else {
		alert_free(a);
	}
	strbuf_free(&sb);
	return it;
}

void *store_alert_item(const struct alert *a)
{
	return item_of(alert_dup(a));
}

bool store_alert_item_is(const void *item, const struct alert_key *k)
{
	const struct alert_key ak =
		alert_key_of(((const struct alert_item *)item)->a);

	return alert_key_same(&ak, k);
}

static int alert_bind(sqlite3_stmt *st, const void *data,
		      struct strbuf *scratch)
{
	const struct alert_item *it = data;
	const struct alert *a = it->a;
	int rc = SQLITE_OK;

	(void)scratch;
	rc |= store_bind_text(st, COL_TIME, it->enc);
	rc |= sqlite3_bind_int64(st, COL_TIME_NS, (sqlite3_int64)a->time_ns);
	rc |= store_bind_text(st, COL_HOSTNAME, a->hostname);
	rc |= store_bind_text(st, COL_RULE, a->rule ? a->rule : "");
	rc |= store_bind_text(st, COL_PRIORITY,
			      alert_priority_name(a->priority));
	rc |= sqlite3_bind_int(st, COL_PRIORITY_NUM, (int)a->priority);
	rc |= store_bind_text(st, COL_OUTPUT,
			      a->output ? it->enc + it->output_at : NULL);
	rc |= store_bind_text(st, COL_TAGS, it->enc + it->tags_at);
	rc |= store_bind_text(st, COL_SOURCE, a->source);
	rc |= store_bind_text(st, COL_CONTAINER_ID, container_id_of(a));
	rc |= store_bind_text(st, COL_CONTAINER_NAME, container_name_of(a));
	rc |= store_bind_text(st, COL_POD_NAME, a->pod_name);
	rc |= store_bind_text(st, COL_POD_NAMESPACE, a->pod_namespace);
	rc |= store_bind_id(st, COL_PID, a->pid);
	rc |= store_bind_id(st, COL_PPID, a->ppid);
	rc |= store_bind_id(st, COL_UID, a->uid);
	rc |= store_bind_id(st, COL_AUID, a->auid);
	rc |= store_bind_text(st, COL_EXE, a->exe);
	rc |= store_bind_text(st, COL_CMDLINE, a->cmdline);
	rc |= store_bind_text(st, COL_SYSCALL, a->syscall);
	rc |= store_bind_text(st, COL_FILE, a->file);
	rc |= sqlite3_bind_int64(st, COL_AUDIT_SERIAL,
				 (sqlite3_int64)a->audit_serial);
	rc |= store_bind_text(st, COL_FIELDS, it->enc + it->fields_at);
	rc |= store_bind_text(st, COL_ORIGIN, a->origin);
	return rc == SQLITE_OK ? SQLITE_OK : SQLITE_ERROR;
}

static int step_pair(sqlite3_stmt *st, const char *a, size_t alen,
		     const char *b)
{
	int rc;

	rc = sqlite3_bind_text(st, 1, a, (int)alen, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	return store_step(st, rc, NULL);
}

int store_write_container(sqlite3_stmt *st, struct store_seen *seen,
			  const char *name, const char *id)
{
	const char *v[2] = { name, id };

	if (!name || !id ||
	    !store_seen_first(seen, store_seen_key('c', v, 2)))
		return SQLITE_OK;
	return step_pair(st, name, strlen(name), id);
}

/* After a new alert row: its container and its rule's tags, each the
 * first time this connection sees them (no JSON parsed: the tags are
 * at hand). */
static int alert_after(sqlite3_stmt *const *st, const void *data,
		       struct store_seen *seen)
{
	const struct alert_item *it = data;
	const struct alert *a = it->a;
	const char *rule = a->rule ? a->rule : "";
	const struct alert_key k = alert_key_of(a);
	const char *v[1 + 64];
	size_t i, n;
	int rc;

	store_seen_alert(seen, &k,
			 sqlite3_last_insert_rowid(sqlite3_db_handle(st[0])));
	rc = store_write_container(st[1], seen, container_name_of(a),
				   container_id_of(a));
	if (rc != SQLITE_OK || a->ntags == 0)
		return rc;
	/* the key: the rule and its tags (a rule with more tags than
	 * that is keyed by its first 64 and written again each time) */
	v[0] = rule;
	n = a->ntags < 64 ? a->ntags : 64;
	for (i = 0; i < n; i++)
		v[1 + i] = a->tags[i];
	if (a->ntags <= 64 &&
	    !store_seen_first(seen, store_seen_key('t', v, 1 + n)))
		return SQLITE_OK;
	rc = step_pair(st[2], rule, strlen(rule), it->enc + it->tags_at);
	for (i = 0; rc == SQLITE_OK && i < a->ntags; i++)
		if (a->tags[i])
			rc = step_pair(st[3], a->tags[i], strlen(a->tags[i]),
				       rule);
	return rc;
}

/* --- spool encoding: fixed numbers, then length-prefixed strings (all
 * little-endian; 0xffffffff for NULL) --- */

#define NULL_LEN 0xffffffffu

static void put_u64(struct strbuf *sb, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	strbuf_append(sb, (const char *)b, 8);
}

static void put_u32(struct strbuf *sb, uint32_t v)
{
	unsigned char b[4];
	int i;

	for (i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	strbuf_append(sb, (const char *)b, 4);
}

static void put_str(struct strbuf *sb, const char *s)
{
	size_t n;

	if (!s) {
		put_u32(sb, NULL_LEN);
		return;
	}
	n = strlen(s);
	put_u32(sb, (uint32_t)n);
	strbuf_append(sb, s, n);
}

static void alert_encode(const void *data, struct strbuf *out)
{
	const struct alert *a = ((const struct alert_item *)data)->a;
	size_t i;

	put_u64(out, a->time_ns);
	put_u32(out, (uint32_t)a->priority);
	put_u64(out, (uint64_t)a->pid);
	put_u64(out, (uint64_t)a->ppid);
	put_u64(out, (uint64_t)a->uid);
	put_u64(out, (uint64_t)a->auid);
	put_u64(out, a->audit_serial);
	put_u32(out, a->output_escaped ? 1 : 0);
	put_str(out, a->hostname);
	put_str(out, a->rule);
	put_str(out, a->output);
	put_str(out, a->source);
	put_str(out, a->container_id);
	put_str(out, a->container_name);
	put_str(out, a->pod_name);
	put_str(out, a->pod_namespace);
	put_str(out, a->exe);
	put_str(out, a->cmdline);
	put_str(out, a->syscall);
	put_str(out, a->file);
	put_u32(out, (uint32_t)a->ntags);
	for (i = 0; i < a->ntags; i++)
		put_str(out, a->tags[i]);
	put_u32(out, (uint32_t)a->nfields);
	for (i = 0; i < a->nfields; i++) {
		put_str(out, a->fields[i].name);
		put_str(out, a->fields[i].value);
		put_u32(out, a->fields[i].literal ? 1 : 0);
	}
	put_str(out, a->origin);
}

struct rd {
	const unsigned char *p;
	size_t left;
	bool bad;
};

static uint64_t get_u(struct rd *r, size_t n)
{
	uint64_t v = 0;
	size_t i;

	if (r->bad || r->left < n) {
		r->bad = true;
		return 0;
	}
	for (i = 0; i < n; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	r->left -= n;
	return v;
}

/* A string, or NULL (also on error: r->bad says which). */
static char *get_str(struct rd *r)
{
	uint32_t n = (uint32_t)get_u(r, 4);
	char *s;

	if (r->bad || n == NULL_LEN)
		return NULL;
	if (n > r->left) {
		r->bad = true;
		return NULL;
	}
	s = malloc((size_t)n + 1);
	if (!s) {
		r->bad = true;
		return NULL;
	}
	memcpy(s, r->p, n);
	s[n] = '\0';
	r->p += n;
	r->left -= n;
	return s;
}

static void *alert_decode(const unsigned char *p, size_t len)
{
	struct rd r = { p, len, false };
	struct alert *a = calloc(1, sizeof(*a));
	uint32_t n, i;

	if (!a)
		return NULL;
	a->time_ns = get_u(&r, 8);
	a->priority = (enum alert_priority)get_u(&r, 4);
	a->pid = (int64_t)get_u(&r, 8);
	a->ppid = (int64_t)get_u(&r, 8);
	a->uid = (int64_t)get_u(&r, 8);
	a->auid = (int64_t)get_u(&r, 8);
	a->audit_serial = get_u(&r, 8);
	a->output_escaped = get_u(&r, 4) != 0;
	a->hostname = get_str(&r);
	a->rule = get_str(&r);
	a->output = get_str(&r);
	a->source = get_str(&r);
	a->container_id = get_str(&r);
	a->container_name = get_str(&r);
	a->pod_name = get_str(&r);
	a->pod_namespace = get_str(&r);
	a->exe = get_str(&r);
	a->cmdline = get_str(&r);
	a->syscall = get_str(&r);
	a->file = get_str(&r);
	n = (uint32_t)get_u(&r, 4);
	/* every entry takes at least 4 bytes: a count beyond that is bad */
	if (!r.bad && n > 0 && (n > r.left / 4 ||
				!(a->tags = calloc(n, sizeof(*a->tags)))))
		r.bad = true;
	for (i = 0; !r.bad && i < n; i++) {
		a->tags[i] = get_str(&r);
		a->ntags = i + 1;
	}
	n = (uint32_t)get_u(&r, 4);
	if (!r.bad && n > 0 && (n > r.left / 12 ||
				!(a->fields = calloc(n, sizeof(*a->fields)))))
		r.bad = true;
	for (i = 0; !r.bad && i < n; i++) {
		a->nfields = i + 1;
		a->fields[i].name = get_str(&r);
		a->fields[i].value = get_str(&r);
		a->fields[i].literal = get_u(&r, 4) != 0;
	}
	/* records spooled before alerts had an origin end here */
	if (!r.bad && r.left)
		a->origin = get_str(&r);
	if (r.bad || r.left != 0 || !a->rule ||
	    (unsigned int)a->priority > ALERT_PRIO_DEBUG) {
		alert_free(a);
		return NULL;
	}
	return item_of(a);
}

static void alert_item_free(void *data)
{
	struct alert_item *it = data;

	if (!it)
		return;
	alert_free(it->a);
	free(it->enc);
	free(it);
}

const struct store_item_type store_alert_type = {
	.tag = 1,
	.name = "alert",
	.insert_sql = insert_sql,
	.bind = alert_bind,
	.more_sql = more_sql,
	.after = alert_after,
	.encode = alert_encode,
	.decode = alert_decode,
	.free = alert_item_free,
	.prune_age_sql = prune_age_sql,
	.prune_rows_sql = prune_rows_sql,
};
