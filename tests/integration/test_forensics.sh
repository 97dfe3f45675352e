#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Forensics on a store built from a recorded intrusion
# (tests/fixtures/forensics/attack.log, rules.yaml there; no root needed):
#  1. replay hygiene: no store without --db; origin; node= as hostname;
#     replaying twice stores each alert and event once;
#  2. every `harrier alerts` filter returns the expected alerts, and its
#     query searches an index (EXPLAIN QUERY PLAN of `--sql`), except a
#     --file glob that starts with a wildcard; formats; an empty result;
#     --since arithmetic that overflows is an error;
#  3. `harrier report` counts;
#  4. the context: `harrier timeline` of an alert shows what ran before
#     and after it in its lineage and session, and not the other login's;
#     --json; --container host over a time range;
#  5. schema/queries.sql: each of the responder's questions answers
#     (Q5, pods, needs a real pod: test_timeline_live.sh);
#  6. a store of schema 1 is migrated (host, duplicates, tags) and read
#     before that; populated stores of schema 2 and 3 migrate keeping
#     every row and answer; deleting an alert takes its context with it.
set -u
s=${top_srcdir:?}; b=${top_builddir:?}
. "$s/tests/integration/forensics_lib.sh"
f="$s/tests/fixtures/forensics"
H="$b/harrier"
work=$(mktemp -d /tmp/harrier-forensics.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
DB=$work/attack.db

# ids DB ARGS...: the ids `harrier alerts` returns, space-separated
ids() {
	_db=$1
	shift
	"$H" alerts --db "$_db" --json "$@" 2>/dev/null | jq -r .id | tr '\n' ' ' |
		sed 's/ $//'
}
expect_ids() { # WANT ARGS...
	_want=$1
	shift
	_got=$(ids "$DB" "$@")
	[ "$_got" = "$_want" ] || bad "alerts $*: ids '$_got', want '$_want'"
}

# ---- 1. replay hygiene ----
echo "--- 1. replay"
live=/var/lib/harrier/alerts.db
before=$(stat -c '%s %Y' "$live" 2>/dev/null || echo absent)
"$H" replay -r "$f/rules.yaml" "$f/attack.log" >"$work/nodb.out" 2>"$work/nodb.err" ||
	bad "replay without --db failed: $(cat "$work/nodb.err")"
[ "$(wc -l <"$work/nodb.out")" = 9 ] || bad "replay without --db: $(wc -l <"$work/nodb.out") alerts printed"
after=$(stat -c '%s %Y' "$live" 2>/dev/null || echo absent)
[ "$before" = "$after" ] || bad "replay without --db touched $live ($before -> $after)"

"$H" replay --db "$DB" -r "$f/rules.yaml" "$f/attack.log" >"$work/r1.out" 2>"$work/r1.err" ||
	bad "replay --db failed: $(cat "$work/r1.err")"
n_alerts=$(sqlite3 "$DB" 'select count(*) from alerts')
n_events=$(sqlite3 "$DB" 'select count(*) from events')
n_links=$(sqlite3 "$DB" 'select (select count(*) from capture_events) || "/" || (select count(*) from alert_captures)')
[ "$n_alerts" = 9 ] || bad "9 alerts expected, store has $n_alerts"
[ "$n_events" -gt 50 ] || bad "only $n_events context events stored"
origin=$(sqlite3 "$DB" 'select distinct origin from alerts')
[ "$origin" = "$(cd "$f" && pwd -P)/attack.log" ] ||
	bad "origin is '$origin', want the log's full path"
[ "$(sqlite3 "$DB" 'select count(*) from events where origin is not null')" = "$n_events" ] ||
	bad "events without origin"
"$H" replay --db "$DB" -r "$f/rules.yaml" "$f/attack.log" >/dev/null 2>"$work/r2.err" ||
	bad "second replay failed"
grep -q '0 alerts stored, 9 of them there already' "$work/r2.err" ||
	bad "second replay: $(grep store "$work/r2.err")"
[ "$(sqlite3 "$DB" 'select count(*) from alerts')" = 9 ] ||
	bad "replaying twice duplicated alerts"
[ "$(sqlite3 "$DB" 'select count(*) from events')" = "$n_events" ] ||
	bad "replaying twice duplicated events"
[ "$(sqlite3 "$DB" 'select (select count(*) from capture_events) || "/" || (select count(*) from alert_captures)')" = "$n_links" ] ||
	bad "replaying twice duplicated links"
[ "$(sqlite3 "$DB" 'select count(*) from captures')" = 2 ] ||
	bad "not one capture per scope: $(sqlite3 "$DB" 'select scope, alerts from captures')"
host=$(hostname)
[ "$(sqlite3 "$DB" 'select distinct hostname from alerts')" = "$host" ] ||
	bad "without node=, alerts should carry this host's name"
# the same log as auditd writes it with name_format: node=web-7 first
sed 's/^/node=web-7 /' "$f/attack.log" >"$work/node.log"
"$H" replay --db "$DB" -r "$f/rules.yaml" "$work/node.log" >/dev/null 2>&1 ||
	bad "replay of the node= log failed"
[ "$(sqlite3 "$DB" "select count(*) from alerts where hostname = 'web-7'")" = 9 ] ||
	bad "node= is not the hostname of the alerts"
[ "$(sqlite3 "$DB" "select count(*) from events where hostname = 'web-7'")" = "$n_events" ] ||
	bad "node= is not the hostname of the events"
# the rest runs on the store of the first log alone
rm -f "$DB" "$DB-wal" "$DB-shm"
"$H" replay --db "$DB" -q -r "$f/rules.yaml" "$f/attack.log" 2>/dev/null ||
	bad "replay -q failed"

# ---- 2. filters, formats, indexes ----
echo "--- 2. alerts"
expect_ids "1 2 3 4 5 6 7 8 9"
expect_ids "3" --pid 22199
expect_ids "3" --file /etc/shadow
expect_ids "3 7" --file '/etc/*shadow'
expect_ids "9" --file '*_history'
expect_ids "3 7" --exe /usr/bin/cat
expect_ids "6" --exe '/tmp/*'
expect_ids "3 7" --tag T1003.008
expect_ids "3 4 7" --tag credential_access
expect_ids "3 6 7 8 9" --priority warning
expect_ids "6 8" --priority error
expect_ids "3 7" --rule 'Password*'
expect_ids "1 2 3 4 5 6 7 8 9" --container host
expect_ids "1 2 3 4 5 6 7 8 9" --host "$host"
expect_ids "3 4 5 6" --since 2026-12-01T20:49:45.335Z --until 2026-12-01T20:49:45.431Z
expect_ids "8 9" --since 1796158185.445
expect_ids "3 7" --tag T1003.008 --priority warning --since 2026-12-01
expect_ids "9" --limit 1
# the text line reads only its own columns: the same alerts, each line
# the JSON's output (Falco's: the line with its time and priority)
for args in "" "--tag credential_access" "--file /etc/*shadow" \
	"--priority warning" "--limit 2"; do
	set -f
	# shellcheck disable=SC2086
	text=$("$H" alerts --db "$DB" $args 2>/dev/null)
	# shellcheck disable=SC2086
	want=$("$H" alerts --db "$DB" --json $args 2>/dev/null |
		jq -r .output)
	set +f
	[ -n "$text" ] && [ "$text" = "$want" ] ||
		bad "alerts $args: the text lines are not the alerts' ($text)"
done
# nothing matches: said on stderr, exit 0, nothing on stdout
"$H" alerts --db "$DB" --pod web-7d4 --namespace prod >"$work/empty.out" 2>"$work/empty.err"
rc=$?
[ $rc = 0 ] || bad "an empty result exits $rc"
[ -s "$work/empty.out" ] && bad "an empty result printed: $(cat "$work/empty.out")"
grep -q 'no alerts match' "$work/empty.err" || bad "an empty result says nothing on stderr"
# --since arithmetic: 213504 days wrapped around to ~25 minutes ago
"$H" alerts --db "$DB" --since 213504d >"$work/wrap.out" 2>"$work/wrap.err"
[ $? = 1 ] || bad "--since 213504d: exit code is not 1"
grep -q "213504d.*out of range" "$work/wrap.err" || bad "--since 213504d: $(cat "$work/wrap.err")"
"$H" alerts --db "$DB" --since yesterday --until 2020-01-01 >/dev/null 2>"$work/order.err"
[ $? = 1 ] && grep -q 'after --until' "$work/order.err" || bad "--since after --until is not refused"
"$H" alerts --db "$DB" --pid abc >/dev/null 2>"$work/pid.err"
[ $? = 1 ] && grep -q "pid 'abc'" "$work/pid.err" || bad "--pid abc is not refused"
# every filter searches an index; a leading wildcard scans (excepted)
plan() { sqlite3 -readonly "$DB" "EXPLAIN QUERY PLAN $("$H" alerts --sql "$@")"; }
set -f # the globs are for harrier
for args in "--pid 22199" "--file /etc/shadow" "--file /etc/*shadow" \
	"--exe /usr/bin/cat" "--exe /tmp/*" "--tag T1003.008" "--priority warning" \
	"--rule Password*" "--rule Password hashes read" "--container host" \
	"--container 3f2a" "--host $host" "--pod web-7d4" "--namespace prod" \
	"--since 1h" "--until 2026-12-01" "--pid 1 --since 1h"; do
	# shellcheck disable=SC2086
	p=$(case $args in
		"--rule Password hashes read") plan --rule "Password hashes read" ;;
		*) plan $args ;;
		esac)
	echo "$p" | grep -q 'SCAN alerts' && bad "alerts $args: a full scan: $p"
	echo "$p" | grep -q 'SEARCH alerts USING' || bad "alerts $args: no index: $p"
done
set +f
plan --file '*_history' | grep -q 'SCAN alerts' ||
	bad "a leading-wildcard glob should scan (or the test is wrong)"
# formats
"$H" alerts --db "$DB" --format table >"$work/table.out"
head -1 "$work/table.out" | grep -q '^ID .*PRIORITY .*RULE' || bad "table: no header"
[ "$(wc -l <"$work/table.out")" = 10 ] || bad "table: $(wc -l <"$work/table.out") lines"
grep -q '^3 .*Warning .*Password hashes read .*host .*22199  cat /etc/shadow  /etc/shadow$' "$work/table.out" ||
	bad "table: row 3: $(sed -n 4p "$work/table.out")"
grep -q "$(printf '\033')" "$work/table.out" && bad "table: colour in a file"
# columns stay aligned for ids of up to 8 digits (a store of millions)
cp "$DB" "$work/big-id.db"
sqlite3 "$work/big-id.db" "UPDATE alerts SET id = 12345678 WHERE id = 9"
"$H" alerts --db "$work/big-id.db" --format table |
	awk '{ t = index($0, "20"); if (NR == 1) t = index($0, "TIME"); print t }' |
	sort -u | wc -l | grep -qx 1 || bad "table: columns not aligned with an 8-digit id"
# non-ASCII text: padded by characters, cut between them (never inside
# one: the terminal would get invalid UTF-8)
sqlite3 "$work/big-id.db" "UPDATE alerts SET rule = 'Lecture de données sensibles — é', file = '/données/' || replace(hex(zeroblob(60)), '00', 'é') WHERE id = 3"
"$H" alerts --db "$work/big-id.db" --format table >"$work/utf8.out"
python3 - "$work/utf8.out" <<'EOF' || bad "table: non-ASCII text misaligned or cut inside a character"
import sys
lines = open(sys.argv[1], "rb").read().decode("utf-8").splitlines()
col = lines[0].index("CONTAINER")
row = [l for l in lines if l.startswith("3 ")][0]
assert row[col:col + 4] == "host", (col, row)
assert "Lecture de données sensibles — é" in row, row
f = row.split("  ")[-1]
assert f.endswith("~") and len(f) == 48 and f.startswith("/données/éé"), f
EOF
"$H" alerts --db "$DB" --format csv >"$work/alerts.csv"
python3 - "$work/alerts.csv" <<'EOF' || bad "csv does not parse as expected"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 9, len(rows)
r = rows[2]
assert r["id"] == "3" and r["rule"] == "Password hashes read", r
assert r["file"] == "/etc/shadow" and r["container_id"] == "host", r
assert r["tags"] == "host credential_access T1003.008", r
assert r["auid"] == "1000" and r["pid"] == "22199", r
EOF
"$H" alerts --db "$DB" --format csv --pid 1 2>/dev/null | grep -q '^id,time,hostname' ||
	bad "csv: an empty result has no header"
"$H" alerts --db "$DB" --format json --rule 'Program run from /tmp' |
	jq -e 'select(.id == 6 and .rule == "Program run from /tmp" and .priority == "Critical" and .output_fields["proc.exepath"] == "/tmp/harrier-fixture/implant")' >/dev/null ||
	bad "json: alert 6"
"$H" alerts --db "$DB" --format yaml >/dev/null 2>"$work/fmt.err"
[ $? = 1 ] && grep -q "format 'yaml'" "$work/fmt.err" || bad "--format yaml is not refused"

# ---- 3. report ----
echo "--- 3. report"
"$H" report --db "$DB" --json >"$work/report.json" || bad "report --json failed"
jq -e '.total == 9 and .first == "2026-12-01T20:49:45.303000000Z" and .last == "2026-12-01T20:49:45.463000000Z"' "$work/report.json" >/dev/null ||
	bad "report: totals: $(jq -c '{total,first,last}' "$work/report.json")"
[ "$(jq -c '[.by_rule[] | [.key, .count]]' "$work/report.json")" = '[["Password hashes read",2],["System discovery",2],["Binary directory written",1],["Outbound connection",1],["Private key search",1],["Program run from /tmp",1],["Shell history deleted",1]]' ] ||
	bad "report: by rule: $(jq -c .by_rule "$work/report.json")"
[ "$(jq -c '[.by_priority[] | [.key, .count]]' "$work/report.json")" = '[["Warning",3],["Informational",2],["Notice",2],["Critical",1],["Error",1]]' ] ||
	bad "report: by priority: $(jq -c .by_priority "$work/report.json")"
[ "$(jq -c '[.by_container[] | [.key, .count]]' "$work/report.json")" = '[["host",9]]' ] ||
	bad "report: by container: $(jq -c .by_container "$work/report.json")"
[ "$(jq -c '[.by_pod[] | [.key, .count]]' "$work/report.json")" = '[[null,9]]' ] ||
	bad "report: by pod: $(jq -c .by_pod "$work/report.json")"
[ "$(jq -c '[.by_exe[] | [.key, .count]]' "$work/report.json")" = '[["/usr/bin/cat",2],["/tmp/harrier-fixture/implant",1],["/usr/bin/cp",1],["/usr/bin/grep",1],["/usr/bin/id",1],["/usr/bin/python3.11",1],["/usr/bin/rm",1],["/usr/bin/uname",1]]' ] ||
	bad "report: by exe: $(jq -c .by_exe "$work/report.json")"
# the same counts as the store holds, for a filtered range
"$H" report --db "$DB" --json --priority warning --since 2026-12-01T20:49:45.400Z >"$work/r2.json"
[ "$(jq .total "$work/r2.json")" = "$(sqlite3 "$DB" "select count(*) from alerts where priority_num <= 4 and time >= '2026-12-01T20:49:45.400'")" ] ||
	bad "report --priority --since: total $(jq .total "$work/r2.json")"
"$H" report --db "$DB" >"$work/report.txt"
grep -q '^9 alerts from 2026-12-01 20:49:45.303 to 2026-12-01 20:49:45.463 (UTC)$' "$work/report.txt" &&
	grep -q '^By executable$' "$work/report.txt" &&
	grep -Eq '^ +2  /usr/bin/cat$' "$work/report.txt" || bad "report text: $(cat "$work/report.txt")"

# ---- 4. context ----
echo "--- 4. timeline"
"$H" timeline --db "$DB" 3 >"$work/t3.out" 2>"$work/t3.err" || bad "timeline 3 failed: $(cat "$work/t3.err")"
# what led to it: the login, the service, the shell, its commands
for want in 'LOGIN' '  /usr/bin/python3 -c import subprocess' '  /bin/sh /tmp/harrier-fixture/stage.sh' \
	'  id  <- Informational: System discovery (alert 1)' '  uname -a' '  ls /tmp' '  cat /etc/passwd' \
	'>> .* 22199        openat /etc/shadow  <- Warning: Password hashes read (alert 3)' \
	'  grep -rl BEGIN RSA PRIVATE KEY' '  /tmp/harrier-fixture/implant --beacon 127.0.0.1' 'unlinkat /tmp/harrier-fixture/home/.bash_history' \
	'  sleep 0.5' '^capture: host pid 22192 lineage, session 11, '; do
	grep -q -- "$want" "$work/t3.out" || bad "timeline 3 lacks '$want'"
done
grep -e '  ls /tmp$' -e 'openat /etc/shadow' -e '  sleep 0.5$' "$work/t3.out" |
	sed 's/.*  ls \/tmp$/ls/; s/.*openat \/etc\/shadow.*/alert/; s/.*sleep 0.5$/sleep/' |
	tr '\n' ' ' | grep -qx 'ls alert sleep ' ||
	bad "timeline 3: not ls, the alert, sleep in that order"
# lineage: the commands indented under the shell that ran them
grep -q '^   20:49:45.295   22192    /bin/sh /tmp/harrier-fixture/stage.sh$' "$work/t3.out" &&
	grep -q '^   20:49:45.315   22196      ls /tmp$' "$work/t3.out" ||
	bad "timeline 3: indentation by lineage"
# the other login's job is not this alert's context
grep -q -e 'gshadow' -e 'cat /etc/hostname' "$work/t3.out" && bad "timeline 3 shows the other session's job"
"$H" timeline --db "$DB" 7 >"$work/t7.out" || bad "timeline 7 failed"
grep -q 'cat /etc/hostname' "$work/t7.out" && grep -q '>> .*openat /etc/gshadow' "$work/t7.out" ||
	bad "timeline 7 lacks its own job"
grep -q -e 'stage.sh' -e 'cat /etc/shadow' "$work/t7.out" && bad "timeline 7 shows the attack's session"
# library opens folded by default, all of them with --all
grep -q 'opens of libraries and locale files' "$work/t3.out" || bad "timeline: library opens not folded"
"$H" timeline --db "$DB" --all 3 | grep -q 'openat /etc/ld.so.cache' || bad "timeline --all hides library opens"
# a capture: true rule with capture_duration: 2000 ms
sqlite3 "$DB" "select until_ns - (select time_ns from alerts where id = 4) from alert_captures where alert_id = 4" |
	grep -qx 2000000000 || bad "capture_duration of 'Private key search' not honoured"
# the attack's alerts share one capture (one scope): each event once
[ "$(sqlite3 "$DB" "select alerts from captures where scope like 'host pid 22192 %'")" = 5 ] ||
	bad "the attack's Warning+ and capture: true alerts do not share one capture"
grep -q '^capture: host pid 22192 lineage, session 11, .*; shared with 4 other alerts$' "$work/t3.out" ||
	bad "timeline 3: the capture line: $(grep '^capture' "$work/t3.out")"
# a scope names a container as its runtime did: escaped for the terminal
cp "$DB" "$work/esc.db"
sqlite3 "$work/esc.db" "UPDATE captures SET scope = 'container x' || char(27) || '[2J' WHERE scope LIKE 'host pid 22192 %'"
"$H" timeline --db "$work/esc.db" 3 | grep -q "$(printf '\033')" &&
	bad "timeline: a control character of the store reached the terminal"
# an alert below capture.min_priority has no capture
"$H" timeline --db "$DB" 1 >"$work/t1.out" 2>"$work/t1.err"
grep -q '^capture: none' "$work/t1.out" && grep -q 'no events were captured' "$work/t1.err" ||
	bad "timeline of an uncaptured alert: $(cat "$work/t1.out" "$work/t1.err")"
# --json: one object per event with the lineage depth and the alerts
"$H" timeline --db "$DB" --json 3 >"$work/t3.json"
[ "$(wc -l <"$work/t3.json")" = "$(sqlite3 "$DB" 'select count(*) from alert_captures ac join capture_events ce on ce.capture_id = ac.capture_id join events e on e.id = ce.event_id and e.time_ns between ac.from_ns and ac.until_ns where ac.alert_id = 3')" ] ||
	bad "timeline --json: not one line per event"
jq -se 'map(select(.file == "/etc/shadow" and .pid == 22199 and .depth == 2 and .auid == 1000 and .ses == 11 and .alerts[0].id == 3 and .alerts[0].priority == "Warning")) | length == 1' "$work/t3.json" >/dev/null ||
	bad "timeline --json: the alert's event: $(grep shadow "$work/t3.json")"
# a container's (the host's) events over a range
"$H" timeline --db "$DB" --container host --since 2026-12-01T20:49:45.440Z --until 2026-12-01T20:49:45.448Z >"$work/th.out" ||
	bad "timeline --container host failed"
grep -q '>> 20:49:45.443   22208    openat /etc/gshadow' "$work/th.out" &&
	grep -q ' 20:49:45.447   22209  *openat /usr/bin/harrier-fixture-implant' "$work/th.out" &&
	! grep -q -e 'stage.sh' -e '20:49:45.43' -e '20:49:45.45' "$work/th.out" ||
	bad "timeline --container host --since --until: $(cat "$work/th.out")"
"$H" timeline --db "$DB" 99 >/dev/null 2>"$work/t99.err"
[ $? = 1 ] && grep -q 'no alert with id 99' "$work/t99.err" || bad "timeline of a missing alert"
"$H" timeline --db "$DB" >/dev/null 2>&1
[ $? = 1 ] || bad "timeline without an alert or --container"

# ---- 5. the responder's questions ----
echo "--- 5. queries.sql"
ask 1 -cmd ".param set :alert_id 3" >"$work/q1"
grep -q '|22199|22192|openat|/etc/shadow|cat /etc/shadow|Password hashes read$' "$work/q1" &&
	grep -q '|22213|22192|execve|/usr/bin/sleep|sleep 0.5|$' "$work/q1" &&
	! grep -q gshadow "$work/q1" || bad "Q1: $(cat "$work/q1")"
ask 2 -cmd ".param set :alert_id 3" >"$work/q2"
[ "$(cut -d'|' -f2-5 "$work/q2")" = "22184|22173|1000|/usr/bin/python3 -c import subprocess; subprocess.run([\"/bin/sh\", \"/tmp/harrier-fixture/stage.sh\"])
22192|22184|1000|/bin/sh /tmp/harrier-fixture/stage.sh
22193|22192|1000|id
22194|22192|1000|uname -a
22196|22192|1000|ls /tmp
22197|22192|1000|cat /etc/passwd
22199|22192|1000|cat /etc/shadow" ] || bad "Q2: $(cat "$work/q2")"
ask 3 -cmd ".param set :alert_id 3" >"$work/q3"
head -1 "$work/q3" | grep -q '|22201|execve|/usr/bin/grep|1|grep -rl' &&
	grep -q '|22207|execve|/tmp/harrier-fixture/implant|1|' "$work/q3" &&
	tail -1 "$work/q3" | grep -q '|22213|execve|/usr/bin/sleep|1|sleep 0.5$' &&
	! grep -q -e 'ld.so.cache' -e 'locale' "$work/q3" || bad "Q3: $(cat "$work/q3")"
ask 4 -cmd ".param set :file /etc/passwd" >"$work/q4"
[ "$(cut -d'|' -f2-6 "$work/q4")" = "22193|1000|/usr/bin/id|id|event: openat
22197|1000|/usr/bin/cat|cat /etc/passwd|event: openat" ] || bad "Q4 /etc/passwd: $(cat "$work/q4")"
ask 4 -cmd ".param set :file /etc/shadow" | cut -d'|' -f2-6 >"$work/q4s"
[ "$(cat "$work/q4s")" = "22199|1000|/usr/bin/cat|cat /etc/shadow|alert: Password hashes read" ] ||
	bad "Q4 /etc/shadow: $(cat "$work/q4s")"
[ -z "$(ask 5 -cmd ".param set :pod web-7d4" -cmd ".param set :namespace prod")" ] ||
	bad "Q5: pods in a host-only store"
ask 6 -cmd ".param set :pid 22192" >"$work/q6"
grep -q '|22199|22192|openat|/etc/shadow|' "$work/q6" && ! grep -q 'gshadow' "$work/q6" ||
	bad "Q6: $(head -5 "$work/q6")"
ask 7 -cmd ".param set :since '2026-12-01 20:00:00'" -cmd ".param set :until '2026-12-01 21:00:00'" >"$work/q7"
[ "$(cut -d'|' -f1-3,6 "$work/q7")" = "Critical|Program run from /tmp|1|T1204.002 execution host
Error|Binary directory written|1|T1543 host persistence
Warning|Password hashes read|2|T1003.008 credential_access host
Warning|Shell history deleted|1|T1070.003 defense_evasion host
Notice|Outbound connection|1|command_and_control host network
Notice|Private key search|1|T1552.004 credential_access host
Informational|System discovery|2|T1082 discovery host" ] || bad "Q7: $(cat "$work/q7")"
[ -z "$(ask 7 -cmd ".param set :since '2026-12-01 21:00:00'" -cmd ".param set :until '2026-12-01 22:00:00'")" ] ||
	bad "Q7: alerts outside the range"
[ "$(ask 8 | cut -d'|' -f2-6)" = "22202|/usr/bin/python3.11|127.0.0.1:9|0|-115" ] || bad "Q8: $(ask 8)"
[ "$(ask 9 | cut -d'|' -f1-4)" = "1000|11|8|System discovery,Password hashes read,Private key search,Outbound connection,Program run from /tmp,Binary directory written,Shell history deleted
1001|10|1|Password hashes read" ] || bad "Q9: $(ask 9)"
[ "$(ask 10 | cut -d'|' -f2-6)" = "22207|22192|/tmp/harrier-fixture/implant|/tmp/harrier-fixture/implant --beacon 127.0.0.1|1000" ] ||
	bad "Q10: $(ask 10)"
[ "$(grep -c '^-- Q[0-9]*:' "$s/schema/queries.sql")" = 10 ] || bad "queries.sql: not ten questions"

# ---- 6. schema 1 stores; retention ----
echo "--- 6. migration"
V1=$work/v1.db
sqlite3 "$V1" <"$s/schema/001_init.sql" || bad "schema 1 does not apply"
sqlite3 "$V1" "
	INSERT INTO alerts (time, time_ns, hostname, rule, priority, priority_num, tags, source, pid, exe, file, audit_serial)
	VALUES ('2026-11-28T17:00:00.000000000Z', 1795885200000000000, 'n1', 'Old rule', 'Warning', 4, '[\"T1\",\"old\"]', 'syscall', 42, '/usr/bin/cat', '/etc/shadow', 7),
	       ('2026-11-28T17:00:00.000000000Z', 1795885200000000000, 'n1', 'Old rule', 'Warning', 4, '[\"T1\",\"old\"]', 'syscall', 42, '/usr/bin/cat', '/etc/shadow', 7),
	       ('2026-11-28T17:00:01.000000000Z', 1795885201000000000, 'n1', 'Lost', 'Critical', 2, '[]', 'internal', NULL, NULL, NULL, 0),
	       ('2026-11-28T17:00:02.000000000Z', 1795885202000000000, 'n1', 'In a container', 'Notice', 5, '[]', 'syscall', 43, '/bin/sh', NULL, 8);
	UPDATE alerts SET container_id = '3f2a9c1d5e6b', container_name = 'web-1' WHERE rule = 'In a container';"
# read as it is (a reader never migrates)
[ "$(ids "$V1" --rule 'Old rule')" = "1 2" ] || bad "schema 1 store not readable"
"$H" timeline --db "$V1" 1 2>&1 | grep -q 'schema version 1' || bad "timeline on schema 1 does not say why"
# a writer migrates it
"$H" replay --db "$V1" -r "$f/rules.yaml" /dev/null >/dev/null 2>&1 ||
	bad "migration (replay of nothing into it) failed"
newest=$(ls "$s/schema" | grep -E '^[0-9]{3}_.*\.sql$' | sort | tail -n 1 | cut -c1-3)
newest=$((10#$newest))
[ "$newest" -ge 3 ] || bad "schema files: newest is $newest"
[ "$(sqlite3 "$V1" 'PRAGMA user_version')" = "$newest" ] || bad "not migrated to schema $newest"
# both keys: the alert's own (schema 2) and the writer's (schema 3)
[ "$(sqlite3 "$V1" "select count(*) from sqlite_master where type = 'index' and name in ('alerts_key', 'alerts_writer')")" = 2 ] ||
	bad "migrated store lacks a unique key"
# a store a harrier of schema 2 wrote (forensics, no writer keys) too;
# replaying into it again stores nothing twice
V2=$work/v2.db
sqlite3 "$V2" <"$s/schema/001_init.sql" && sqlite3 "$V2" <"$s/schema/002_forensics.sql" &&
	sqlite3 "$V2" 'PRAGMA user_version = 2' || bad "schema 2 does not apply"
"$H" replay -q --db "$V2" -r "$f/rules.yaml" "$f/attack.log" >/dev/null 2>&1 ||
	bad "replay into a schema 2 store failed"
[ "$(sqlite3 "$V2" 'PRAGMA user_version')" = "$newest" ] || bad "schema 2 store not migrated"
n2=$(sqlite3 "$V2" 'select count(*) from alerts')
e2=$(sqlite3 "$V2" 'select count(*) from events')
"$H" replay -q --db "$V2" -r "$f/rules.yaml" "$f/attack.log" >/dev/null 2>&1 ||
	bad "second replay into the migrated store failed"
[ "$n2" -gt 0 ] && [ "$(sqlite3 "$V2" 'select count(*) from alerts')" = "$n2" ] &&
	[ "$(sqlite3 "$V2" 'select count(*) from events')" = "$e2" ] ||
	bad "a second replay into the migrated store stored again ($n2/$e2 alerts/events before)"
[ "$(sqlite3 "$V1" "select id, container_id, container_name from alerts order by id" | tr '\n' ' ')" = "1|host|host 3|| 4|3f2a9c1d5e6b|web-1 " ] ||
	bad "migration: host/duplicates: $(sqlite3 "$V1" 'select id, container_id, container_name from alerts')"
[ "$(ids "$V1" --container host)" = 1 ] || bad "--container host on a migrated store"
[ "$(ids "$V1" --tag old)" = 1 ] || bad "--tag on a migrated store"
[ "$(ids "$V1" --container 3f2a)" = 4 ] || bad "--container prefix on a migrated store"
# A populated store of schema 2 and of schema 3 (the attack's rows, the
# side tables filled by their triggers) migrates to the newest keeping
# every row, every filter's answer and the questions' answers; the
# writer's side tables (no triggers since schema 4) equal what the
# triggers made.
FILTERS="--pid=22199|--file=/etc/shadow|--file=/etc/*shadow|--file=*_history|--exe=/tmp/*|--tag=T1003.008|--tag=credential_access|--priority=warning|--rule=Password*|--container=host|--host=$host|--since=2026-12-01T20:49:45.335Z|--limit=3"
answers() { # DB: every filter's ids, the side tables, Q7
	_old=$IFS
	IFS='|'
	set -f
	for _a in $FILTERS; do
		echo "$_a: $(ids "$1" "$_a")"
	done
	set +f
	IFS=$_old
	sqlite3 "$1" "select name, id from containers order by 1, 2; select tag, rule from rule_tags order by 1, 2; select rule, tags from rule_tagsets order by 1, 2"
	(DB=$1; ask 7 -cmd ".param set :since '2026-12-01 20:00:00'" -cmd ".param set :until '2026-12-01 21:00:00'")
}
counts() { # DB: rows of every table
	for _t in alerts events captures capture_events alert_captures containers rule_tags rule_tagsets; do
		printf '%s=%s ' "$_t" "$(sqlite3 "$1" "select count(*) from $_t")"
	done
}
answers "$DB" >"$work/answers.want"
grep -q '^--tag=T1003.008: 3 7$' "$work/answers.want" || bad "migration test: the answers of the newest store are wrong: $(cat "$work/answers.want")"
for v in 2 3; do
	VN=$work/pop$v.db
	for n in $(seq 1 $v); do
		sqlite3 "$VN" <"$(ls "$s"/schema/00${n}_*.sql)" || bad "schema $n does not apply"
	done
	sqlite3 "$VN" "PRAGMA user_version = $v"
	for t in alerts events captures capture_events alert_captures; do
		cols=$(sqlite3 "$VN" "select group_concat(name) from pragma_table_info('$t')")
		sqlite3 "$VN" "ATTACH '$DB' AS src; INSERT INTO $t ($cols) SELECT $cols FROM src.$t" ||
			bad "schema $v: copying $t"
	done
	before=$(counts "$VN")
	"$H" replay -q --db "$VN" -r "$f/rules.yaml" /dev/null >/dev/null 2>&1 || bad "migrating schema $v failed"
	[ "$(sqlite3 "$VN" 'PRAGMA user_version')" = "$newest" ] || bad "schema $v store not migrated"
	[ "$(counts "$VN")" = "$before" ] || bad "schema $v migration: rows $before -> $(counts "$VN")"
	answers "$VN" >"$work/answers.$v.after"
	cmp -s "$work/answers.want" "$work/answers.$v.after" ||
		bad "schema $v store after migration: $(diff "$work/answers.want" "$work/answers.$v.after")"
	[ "$(sqlite3 "$VN" "select group_concat(name, ' ') from (select name from sqlite_master where type = 'trigger' order by name)")" = \
		"alert_captures_delete alerts_delete_context capture_events_delete captures_delete" ] ||
		bad "schema $v migration: triggers $(sqlite3 "$VN" "select group_concat(name, ' ') from sqlite_master where type = 'trigger'")"
	# what the writer adds after the migration reaches the side tables
	sed 's/Password hashes read/Password hashes read again/' "$f/rules.yaml" >"$work/rules2.yaml"
	"$H" replay -q --db "$VN" -r "$work/rules2.yaml" "$work/node.log" >/dev/null 2>&1 || bad "schema $v: replay after migration"
	[ "$(ids "$VN" --tag T1003.008 --host web-7)" = "$(ids "$VN" --rule 'Password hashes read again' --host web-7)" ] &&
		[ -n "$(ids "$VN" --tag T1003.008 --host web-7)" ] &&
		[ "$(sqlite3 "$VN" "select count(*) from rule_tags where rule = 'Password hashes read again'")" = 3 ] ||
		bad "schema $v: the writer did not keep rule_tags after migration"
done

# retention: an alert deleted takes its part of the capture; the last
# alert of a capture takes the capture, and events no capture holds
cp "$DB" "$work/ret.db"
R=$work/ret.db
ev=$(sqlite3 "$R" 'select count(*) from events')
sqlite3 "$R" 'delete from alerts where id = 3'
[ "$(sqlite3 "$R" 'select count(*) from alert_captures where alert_id = 3')" = 0 ] &&
	[ "$(sqlite3 "$R" 'select count(*) from captures')" = 2 ] &&
	[ "$(sqlite3 "$R" 'select count(*) from events')" = "$ev" ] ||
	bad "retention: alert 3 took more than its own part"
only7=$(sqlite3 "$R" "select count(*) from capture_events ce join alert_captures ac on ac.capture_id = ce.capture_id where ac.alert_id = 7 and not exists (select 1 from capture_events o where o.event_id = ce.event_id and o.capture_id <> ce.capture_id)")
sqlite3 "$R" 'delete from alerts where id = 7'
[ "$(sqlite3 "$R" 'select count(*) from captures')" = 1 ] &&
	[ "$only7" -gt 5 ] &&
	[ "$(sqlite3 "$R" 'select count(*) from events')" = $((ev - only7)) ] ||
	bad "retention: alert 7's capture and its $only7 events not removed"

[ $fail = 0 ] && echo "PASS"
exit $fail
