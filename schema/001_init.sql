-- SPDX-License-Identifier: Apache-2.0
-- Harrier alert store, schema version 1.
-- Applied once by harrierd/harrier (compiled into the binaries) inside one
-- transaction; later versions go to 002_*.sql, 003_*.sql, ... and are
-- applied in order to stores whose PRAGMA user_version is lower.
-- Column names are a contract: forensic queries and users rely on them.

CREATE TABLE alerts (
	id             INTEGER PRIMARY KEY,
	-- UTC ISO 8601 with nanoseconds (2026-11-28T17:15:07.123456789Z):
	-- fixed width, so it sorts and compares lexically.
	time           TEXT NOT NULL,
	time_ns        INTEGER NOT NULL,	-- nanoseconds since the epoch
	hostname       TEXT,
	rule           TEXT NOT NULL,
	priority       TEXT NOT NULL,		-- Falco's name: "Warning"
	-- 0 Emergency .. 7 Debug (syslog order): "Warning and more severe"
	-- is priority_num <= 4.
	priority_num   INTEGER NOT NULL,
	output         TEXT,
	tags           TEXT NOT NULL DEFAULT '[]',	-- JSON array
	source         TEXT,			-- "syscall" or "audit"
	container_id   TEXT,			-- full id; NULL on the host
	container_name TEXT,
	pod_name       TEXT,
	pod_namespace  TEXT,
	pid            INTEGER,			-- NULL when unknown
	ppid           INTEGER,
	uid            INTEGER,
	auid           INTEGER,			-- NULL when unset
	exe            TEXT,
	cmdline        TEXT,
	syscall        TEXT,
	file           TEXT,
	audit_serial   INTEGER,
	-- JSON object of every field the rule's output named, e.g.
	-- {"proc.name":"cat","fd.name":"/etc/shadow"}; unset values are null.
	-- Query with json_extract(fields, '$."fd.name"') or fields->>'$."fd.name"'.
	fields         TEXT NOT NULL DEFAULT '{}'
);

CREATE INDEX alerts_time ON alerts (time);
CREATE INDEX alerts_rule ON alerts (rule, time);
CREATE INDEX alerts_container_id ON alerts (container_id, time);
CREATE INDEX alerts_container_name ON alerts (container_name, time);

PRAGMA user_version = 1;
