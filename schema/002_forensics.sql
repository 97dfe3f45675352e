-- SPDX-License-Identifier: Apache-2.0
-- Harrier alert store, schema version 2: forensics.
--  * host alerts carry container_id = 'host' (Falco's value) and
--    container_name 'host', so "--container host" is one index lookup;
--  * origin: where an alert came from ('live', or the replayed log);
--  * one key per alert (event time, audit serial, rule, node): replaying a
--    log twice, or a retried batch, stores each alert once;
--  * indexes for what responders filter on (pid, file, priority, pod,
--    namespace, exe, host, time_ns, tags), each ending in time_ns so a
--    filter and a time range use one index and come out in time order;
--  * the events table: what happened around an alert (captures).
-- Applied in one transaction by store.c; user_version is set by it.

-- Host alerts: Falco's "host". Internal alerts (no process) stay NULL.
UPDATE alerts SET container_id = 'host',
		  container_name = coalesce(container_name, 'host')
 WHERE container_id IS NULL AND coalesce(source, '') <> 'internal';

-- 'live' (harrierd) or the path of the replayed log; NULL for alerts
-- stored before schema 2 (unknown).
ALTER TABLE alerts ADD COLUMN origin TEXT;

-- Replays before schema 2 could store an alert twice: keep the first.
DELETE FROM alerts WHERE id NOT IN (
	SELECT min(id) FROM alerts
	 GROUP BY time_ns, audit_serial, rule, hostname);

-- The alert's identity. Audit serials restart at boot, event times do
-- not; the node tells replayed logs of several machines apart. Leading
-- with time_ns, it is also the index for time ranges.
CREATE UNIQUE INDEX alerts_key ON alerts (time_ns, audit_serial, rule,
					  hostname);

-- Filters: equality on the first column, then a time_ns range, in order.
DROP INDEX alerts_time;
DROP INDEX alerts_rule;
DROP INDEX alerts_container_id;
DROP INDEX alerts_container_name;
CREATE INDEX alerts_rule ON alerts (rule, time_ns);
-- Containers by the first 12 characters of the id (Falco's short id, and
-- 'host'): a small key; the rest of a longer prefix is checked on the
-- row. Names are looked up in containers below, then the ids here.
CREATE INDEX alerts_container ON alerts (substr(container_id, 1, 12),
					 time_ns);
CREATE INDEX alerts_priority ON alerts (priority_num, time_ns);
CREATE INDEX alerts_pid ON alerts (pid, time_ns);
CREATE INDEX alerts_exe ON alerts (exe, time_ns);
CREATE INDEX alerts_hostname ON alerts (hostname, time_ns);
-- Most alerts have no pod or file: partial indexes skip those rows.
CREATE INDEX alerts_file ON alerts (file, time_ns) WHERE file IS NOT NULL;
CREATE INDEX alerts_pod ON alerts (pod_name, time_ns)
	WHERE pod_name IS NOT NULL;
CREATE INDEX alerts_namespace ON alerts (pod_namespace, time_ns)
	WHERE pod_namespace IS NOT NULL;

-- Container names: every (name, id) pair seen (a trigger below keeps
-- it). `--container NAME` finds the ids here, then their alerts (and
-- events) in the index above: one index on alerts instead of one per
-- column.
CREATE TABLE containers (
	name TEXT NOT NULL,
	id   TEXT NOT NULL,
	PRIMARY KEY (name, id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO containers (name, id)
	SELECT DISTINCT container_name, container_id FROM alerts
	 WHERE container_name IS NOT NULL AND container_id IS NOT NULL;
CREATE TRIGGER alerts_containers AFTER INSERT ON alerts
WHEN new.container_name IS NOT NULL AND new.container_id IS NOT NULL
BEGIN
	INSERT OR IGNORE INTO containers (name, id)
		VALUES (new.container_name, new.container_id);
END;

-- Tags: every (tag, rule) pair seen. A rule's alerts share its tags, so
-- the alerts with a tag are the alerts of these rules (alerts_rule) whose
-- tags array holds it: an index lookup, not a scan of every array.
-- rule_tagsets remembers each (rule, tags array) written, so that an
-- alert of a rule already seen costs one lookup, not a parse of its tags.
CREATE TABLE rule_tags (
	tag  TEXT NOT NULL,
	rule TEXT NOT NULL,
	PRIMARY KEY (tag, rule)
) WITHOUT ROWID;
CREATE TABLE rule_tagsets (
	rule TEXT NOT NULL,
	tags TEXT NOT NULL,
	PRIMARY KEY (rule, tags)
) WITHOUT ROWID;
INSERT OR IGNORE INTO rule_tagsets (rule, tags)
	SELECT DISTINCT rule, tags FROM alerts WHERE json_valid(tags);
INSERT OR IGNORE INTO rule_tags (tag, rule)
	SELECT DISTINCT t.value, s.rule FROM rule_tagsets AS s,
	       json_each(s.tags) AS t WHERE t.type = 'text';
CREATE TRIGGER alerts_rule_tags AFTER INSERT ON alerts
WHEN new.tags <> '[]' AND json_valid(new.tags) AND NOT EXISTS
	(SELECT 1 FROM rule_tagsets WHERE rule = new.rule AND tags = new.tags)
BEGIN
	INSERT INTO rule_tagsets (rule, tags) VALUES (new.rule, new.tags);
	INSERT OR IGNORE INTO rule_tags (tag, rule)
		SELECT value, new.rule FROM json_each(new.tags)
		 WHERE type = 'text';
END;

-- Enriched events around alerts (harrierd's capture: the same container,
-- or on the host the same process lineage and session, from
-- capture.before before an alert to its capture duration after). An
-- event is stored once however many captures hold it.
CREATE TABLE events (
	id             INTEGER PRIMARY KEY,
	time           TEXT NOT NULL,	-- UTC ISO 8601, as alerts.time
	time_ns        INTEGER NOT NULL,
	hostname       TEXT,
	audit_serial   INTEGER NOT NULL,
	-- syscall name (libaudit spelling), or the record type of a
	-- non-syscall event (USER_LOGIN, ...)
	syscall        TEXT,
	success        INTEGER,		-- 1, 0; NULL when not reported
	exit           INTEGER,		-- return value (-errno on failure)
	pid            INTEGER,
	ppid           INTEGER,
	uid            INTEGER,
	auid           INTEGER,		-- NULL when unset
	ses            INTEGER,		-- audit session; NULL when unset
	exe            TEXT,
	cmdline        TEXT,		-- proc.cmdline (comm and arguments), as alerts.cmdline
	argv           TEXT,		-- an exec's arguments as run, argv[0] first

	cwd            TEXT,
	file           TEXT,		-- primary path
	address        TEXT,		-- 10.0.0.5:443, [::1]:80, /run/x.sock
	container_id   TEXT,		-- 'host' outside containers
	container_name TEXT,
	pod_name       TEXT,
	pod_namespace  TEXT,
	origin         TEXT		-- as alerts.origin
);
CREATE UNIQUE INDEX events_key ON events (time_ns, audit_serial, hostname);
CREATE INDEX events_container ON events (substr(container_id, 1, 12),
					 time_ns);
CREATE TRIGGER events_containers AFTER INSERT ON events
WHEN new.container_name IS NOT NULL AND new.container_id IS NOT NULL
BEGIN
	INSERT OR IGNORE INTO containers (name, id)
		VALUES (new.container_name, new.container_id);
END;
CREATE INDEX events_pid ON events (pid, time_ns);
CREATE INDEX events_file ON events (file, time_ns) WHERE file IS NOT NULL;

-- Captures: one per scope at a time. An alert in the scope of a capture
-- that is running joins it (its window is added), so a storm of alerts in
-- one container or shell holds each event once. A capture is named by the
-- alert that started it (the key, as the writer knows no ids); events
-- and alerts are linked to it.
CREATE TABLE captures (
	id           INTEGER PRIMARY KEY,
	time_ns      INTEGER NOT NULL,	-- its first alert's key
	audit_serial INTEGER NOT NULL,
	rule         TEXT NOT NULL,
	hostname     TEXT,
	scope        TEXT,		-- "container web-1 (3f2a9c1d5e6b)", "host pid 4242 lineage, session 7"
	from_ns      INTEGER NOT NULL,	-- all its alerts' windows
	until_ns     INTEGER NOT NULL,
	events       INTEGER NOT NULL,	-- handed over
	left_out     INTEGER NOT NULL,	-- by capture.max_events_per_minute
	alerts       INTEGER NOT NULL,
	running      INTEGER NOT NULL DEFAULT 0	-- 1 until it ends
);
CREATE UNIQUE INDEX captures_key ON captures (time_ns, audit_serial, rule,
					      hostname);
CREATE TABLE capture_events (
	capture_id INTEGER NOT NULL,
	event_id   INTEGER NOT NULL,
	PRIMARY KEY (capture_id, event_id)
) WITHOUT ROWID;
CREATE INDEX capture_events_event ON capture_events (event_id);
-- Each alert's part of its capture: its own window.
CREATE TABLE alert_captures (
	alert_id   INTEGER NOT NULL,
	capture_id INTEGER NOT NULL,
	from_ns    INTEGER NOT NULL,
	until_ns   INTEGER NOT NULL,
	PRIMARY KEY (alert_id, capture_id)
) WITHOUT ROWID;
CREATE INDEX alert_captures_capture ON alert_captures (capture_id);

-- Retention deletes alerts (max_age, max_rows, by hand): what only they
-- needed goes with them: a capture no alert joins any more, then an
-- event no capture holds.
CREATE TRIGGER alerts_delete_context AFTER DELETE ON alerts
BEGIN
	DELETE FROM alert_captures WHERE alert_id = old.id;
END;
CREATE TRIGGER alert_captures_delete AFTER DELETE ON alert_captures
WHEN NOT EXISTS (SELECT 1 FROM alert_captures
		  WHERE capture_id = old.capture_id)
BEGIN
	DELETE FROM captures WHERE id = old.capture_id;
END;
CREATE TRIGGER captures_delete AFTER DELETE ON captures
BEGIN
	DELETE FROM capture_events WHERE capture_id = old.id;
END;
CREATE TRIGGER capture_events_delete AFTER DELETE ON capture_events
WHEN NOT EXISTS (SELECT 1 FROM capture_events WHERE event_id = old.event_id)
BEGIN
	DELETE FROM events WHERE id = old.event_id;
END;
