-- SPDX-License-Identifier: Apache-2.0
-- An incident responder's ten questions, as queries on the Harrier store.
-- Run them with the sqlite3 CLI, read-only so the daemon is never
-- disturbed, after setting the parameters a question names:
--
--   sqlite3 -readonly -box /var/lib/harrier/alerts.db
--   sqlite> .param set :alert_id 42
--   sqlite> .read /usr/share/doc/harrier/queries.sql   (or paste one)
--
-- or in one line:
--   sqlite3 -readonly -box -cmd ".param set :file /etc/shadow" DB "SELECT ..."
--
-- alerts: one row per alert (time UTC ISO 8601 with nanoseconds, time_ns
-- the same in ns; container_id 'host' outside containers). events: the
-- enriched events harrierd captured around alerts (the same container,
-- or on the host the alert process's lineage and session, from
-- capture.before before to the capture duration after). captures: one
-- per scope at a time (its window, what the per-minute cap left out);
-- capture_events links events to it, alert_captures each alert to its
-- capture with the alert's own window. Times as parameters (:since, :until)
-- are 'YYYY-MM-DD HH:MM:SS' in UTC. Each question starts with "-- Qn:"
-- and its query ends with ';' at the end of a line (the test suite runs
-- them one by one against a store built from a recorded intrusion).

-- Q1: What happened around this alert? Every event captured with alert
-- :alert_id, in order, the ones that raised alerts marked.
SELECT e.time, e.pid, e.ppid, e.syscall,
       coalesce(e.file, e.address) AS target, e.cmdline,
       (SELECT group_concat(x.rule, '; ') FROM alerts AS x
         WHERE x.time_ns = e.time_ns AND x.audit_serial = e.audit_serial
           AND x.hostname IS e.hostname) AS alerts
FROM alert_captures AS ac
JOIN capture_events AS ce ON ce.capture_id = ac.capture_id
JOIN events AS e ON e.id = ce.event_id
 AND e.time_ns BETWEEN ac.from_ns AND ac.until_ns
WHERE ac.alert_id = :alert_id
ORDER BY e.time_ns, e.id;

-- Q2: What ran before it, in the same container (or session and lineage
-- on the host)? The programs started before alert :alert_id, each with
-- its command line as it ran (argv; cmdline is proc.cmdline).
SELECT e.time, e.pid, e.ppid, e.auid, coalesce(e.argv, e.cmdline) AS command
FROM alerts AS a
JOIN alert_captures AS ac ON ac.alert_id = a.id
JOIN capture_events AS ce ON ce.capture_id = ac.capture_id
JOIN events AS e ON e.id = ce.event_id
 AND e.time_ns BETWEEN ac.from_ns AND a.time_ns
WHERE a.id = :alert_id
  AND e.syscall IN ('execve', 'execveat') AND e.success = 1
ORDER BY e.time_ns, e.id;

-- Q3: What followed it? Everything after alert :alert_id in its capture
-- but the dynamic loader's and locale opens every program makes.
SELECT e.time, e.pid, e.syscall, coalesce(e.file, e.address) AS target,
       e.success, e.cmdline
FROM alerts AS a
JOIN alert_captures AS ac ON ac.alert_id = a.id
JOIN capture_events AS ce ON ce.capture_id = ac.capture_id
JOIN events AS e ON e.id = ce.event_id
 AND e.time_ns > a.time_ns AND e.time_ns <= ac.until_ns
WHERE a.id = :alert_id
  AND NOT (e.syscall LIKE 'open%' AND e.success = 1 AND
           (e.file GLOB '*.so' OR e.file GLOB '*.so.*' OR
            e.file = '/etc/ld.so.cache' OR e.file GLOB '/usr/lib/locale/*'
            OR e.file GLOB '/usr/share/locale/*'))
ORDER BY e.time_ns, e.id;

-- Q4: Which processes read :file (e.g. /etc/shadow)? From the alerts and
-- from every captured event, each process once.
SELECT time, pid, auid, exe, cmdline, what
FROM (SELECT time, time_ns, pid, auid, exe, cmdline, 'alert: ' || rule AS what
        FROM alerts WHERE file = :file
      UNION
      SELECT time, time_ns, pid, auid, exe, cmdline, 'event: ' || syscall
        FROM events
       WHERE file = :file AND syscall IN ('open', 'openat', 'openat2')
         AND success = 1
         AND NOT EXISTS (SELECT 1 FROM alerts AS a
                          WHERE a.time_ns = events.time_ns
                            AND a.audit_serial = events.audit_serial
                            AND a.hostname IS events.hostname))
ORDER BY time_ns;

-- Q5: What did pod :pod in namespace :namespace do? Its alerts and the
-- programs it ran, in order.
SELECT time, container_name, pid, 'alert' AS kind,
       priority || ' ' || rule AS what, cmdline
FROM alerts WHERE pod_name = :pod AND pod_namespace = :namespace
UNION ALL
SELECT time, container_name, pid, 'ran', exe, coalesce(argv, cmdline)
FROM events
WHERE pod_name = :pod AND pod_namespace = :namespace
  AND syscall IN ('execve', 'execveat') AND success = 1
ORDER BY time;

-- Q6: What did process :pid and its children do? Captured events of the
-- process and of those it started (pids are reused: mind the times).
SELECT time, pid, ppid, syscall, coalesce(file, address) AS target, cmdline
FROM events
WHERE pid = :pid
   OR pid IN (SELECT pid FROM events WHERE ppid = :pid)
ORDER BY time_ns, id;

-- Q7: What fired between :since and :until (UTC), most severe first,
-- with each rule's tags (MITRE ATT&CK among them)?
SELECT priority, rule, count(*) AS alerts, min(time) AS first,
       max(time) AS last,
       (SELECT group_concat(t.tag, ' ') FROM rule_tags AS t
         WHERE t.rule = alerts.rule) AS tags
FROM alerts
WHERE time_ns >= strftime('%s', :since) * 1000000000
  AND time_ns < strftime('%s', :until) * 1000000000
GROUP BY priority_num, rule
ORDER BY priority_num, alerts DESC, rule;

-- Q8: Which network connections did the processes around alerts make
-- (every connect the kernel rules brought), and how did they end?
SELECT time, pid, exe, address, success, exit, cmdline
FROM events
WHERE syscall = 'connect' AND address IS NOT NULL
  AND address NOT GLOB '/*'
ORDER BY time_ns;

-- Q9: Who was behind the alerts? Per login uid and audit session: how
-- many alerts, which rules, when (auid survives su and sudo).
SELECT a.auid, e.ses, count(*) AS alerts,
       group_concat(DISTINCT a.rule) AS rules,
       min(a.time) AS first, max(a.time) AS last
FROM alerts AS a
LEFT JOIN events AS e
       ON e.time_ns = a.time_ns AND e.audit_serial = a.audit_serial
      AND e.hostname IS a.hostname
WHERE a.auid IS NOT NULL
GROUP BY a.auid, e.ses
ORDER BY first;

-- Q10: Which programs ran from places anyone can write (/tmp, /var/tmp,
-- /dev/shm)? Every captured start, and the alerts of programs there whose
-- start was not captured.
SELECT time, pid, ppid, exe, coalesce(argv, cmdline) AS command, auid
FROM events
WHERE syscall IN ('execve', 'execveat') AND success = 1
  AND (exe GLOB '/tmp/*' OR exe GLOB '/var/tmp/*' OR exe GLOB '/dev/shm/*')
UNION
SELECT time, pid, ppid, exe, cmdline, auid
FROM alerts AS a
WHERE (exe GLOB '/tmp/*' OR exe GLOB '/var/tmp/*' OR exe GLOB '/dev/shm/*')
  AND NOT EXISTS (SELECT 1 FROM events AS e
                   WHERE e.time_ns = a.time_ns
                     AND e.audit_serial = a.audit_serial
                     AND e.hostname IS a.hostname)
ORDER BY time;
