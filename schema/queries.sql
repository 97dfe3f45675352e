-- SPDX-License-Identifier: Apache-2.0
-- Forensic queries for the Harrier alert store. Run them with the sqlite3
-- CLI, read-only so the daemon is never disturbed:
--
--   sqlite3 -readonly -box /var/lib/harrier/alerts.db < queries.sql
--   sqlite3 -readonly -box /var/lib/harrier/alerts.db "SELECT ..."
--
-- Replace the example values ('web-1', '3f2a9c', the times, '/etc/%') with
-- yours. time is UTC ISO 8601 with nanoseconds and sorts as text; time_ns
-- is the same instant in nanoseconds. fields holds every field the rule's
-- output named, as JSON (numbers as numbers, unset as null):
-- fields->>'$."fd.name"' (SQLite >= 3.38) or
-- json_extract(fields, '$."fd.name"') (older). Each query ends with ';' at
-- the end of a line (the test suite runs them one by one).

-- Alerts per rule per hour.
SELECT substr(time, 1, 13) || ':00Z' AS hour, rule, count(*) AS alerts
FROM alerts
GROUP BY hour, rule
ORDER BY hour, alerts DESC;

-- Everything one container did, by name or by container id prefix.
SELECT time, priority, rule, pid, exe, cmdline, file
FROM alerts
WHERE container_name = 'web-1' OR container_id LIKE '3f2a9c%'
ORDER BY time;

-- Alerts within 5 minutes of a time (UTC).
SELECT time, priority, rule, container_name, output
FROM alerts
WHERE time >= strftime('%Y-%m-%dT%H:%M:%S', '2026-11-28T17:15:07', '-5 minutes')
  AND time <= strftime('%Y-%m-%dT%H:%M:%S', '2026-11-28T17:15:07', '+5 minutes') || '.999999999Z'
ORDER BY time;

-- Top processes by alert count.
SELECT exe, count(*) AS alerts, count(DISTINCT rule) AS rules,
       min(time) AS first, max(time) AS last
FROM alerts
GROUP BY exe
ORDER BY alerts DESC
LIMIT 20;

-- Which files under /etc were touched, and by what (output fields).
SELECT time, rule, fields->>'$."fd.name"' AS file,
       fields->>'$."proc.name"' AS process,
       fields->>'$."user.name"' AS user
FROM alerts
WHERE fields->>'$."fd.name"' LIKE '/etc/%'
ORDER BY time;

-- The same with json_extract, for SQLite older than 3.38: command lines
-- of processes that raised an alert, with their parent.
SELECT time, json_extract(fields, '$."proc.cmdline"') AS cmdline,
       json_extract(fields, '$."proc.pname"') AS parent
FROM alerts
WHERE json_extract(fields, '$."proc.cmdline"') IS NOT NULL
ORDER BY time;

-- Alerts per tag (tags is a JSON array).
SELECT tag.value AS tag, count(*) AS alerts
FROM alerts, json_each(alerts.tags) AS tag
GROUP BY tag.value
ORDER BY alerts DESC;

-- Warning and more severe in the last hour (priority_num: 0 Emergency ..
-- 4 Warning .. 7 Debug).
SELECT time, priority, rule, hostname, container_name, output
FROM alerts
WHERE priority_num <= 4
  AND time >= strftime('%Y-%m-%dT%H:%M:%S', 'now', '-1 hour')
ORDER BY time;

-- Kubernetes: alerts per namespace and pod.
SELECT pod_namespace, pod_name, count(*) AS alerts, max(time) AS last
FROM alerts
WHERE pod_name IS NOT NULL
GROUP BY pod_namespace, pod_name
ORDER BY alerts DESC;

-- Logged-in users behind alerts (auid survives su and sudo).
SELECT auid, uid, count(*) AS alerts, group_concat(DISTINCT rule) AS rules
FROM alerts
WHERE auid IS NOT NULL
GROUP BY auid, uid
ORDER BY alerts DESC;
