#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Context around alerts, live: harrierd on kernel audit with the shipped
# rules and its default config (no kernel rules added for capture).
#  1. the issue's example: for
#     bash -c 'ls /tmp; id; cat /etc/shadow; sleep 0.5; /bin/echo done'
#     the timeline of the shadow alert shows `ls /tmp` and `id` before it
#     and `/bin/echo done` after it;
#  2. a container shaped like a Kubernetes pod (runc, busybox root): its
#     alert's timeline holds the container's events (and not the host's),
#     `harrier alerts --pod/--namespace` finds it, `timeline --container`
#     by name, report by pod, and queries.sql's pod question (Q5);
#  3. capture.syscalls: [connect] adds one kernel rule keyed
#     harrier_capture (none without it), and a connect shows in the
#     timeline.
# daemon_test_setup: the audit lock, the skips, the clean-up; runc under
# /tmp/harrier-runc.lock with cgroup_lib.sh's clean-up.
set -u
. "${top_srcdir:-.}/tests/integration/daemon_lib.sh"
. "$SRC/tests/integration/cgroup_lib.sh"
. "$SRC/tests/integration/forensics_lib.sh"
need_tools runc jq
need_static_busybox
daemon_test_setup "$@"
H=$BUILD/harrier
DB=$TMP/alerts.db
SENSITIVE='Read sensitive file untrusted'

# alert_id RULE LIKE: the id of the newest alert of RULE whose cmdline is
# like LIKE ('' when none yet)
alert_id() {
	sqlite3 "$DB" "select max(id) from alerts where rule = '$1' and cmdline like '$2'" 2>/dev/null
}
# timeline_has ID TEXT: the timeline of ID shows TEXT (a grep pattern)
timeline_has() { "$H" timeline --db "$DB" "$1" 2>/dev/null | grep -q -- "$2"; }

# ---- 1. the issue's example ----
note "1. bash -c 'ls /tmp; id; cat /etc/shadow; sleep 0.5; /bin/echo done'"
start_harrierd t1 --db "$DB" -r "$RULES_SHIPPED" $AR || exit 1
n=$(harrier_rule_lines | grep -c 'harrier_capture')
[ "$n" = 0 ] || fail "1: $n harrier_capture kernel rules without capture.syscalls"
bash -c 'ls /tmp; id; cat /etc/shadow; sleep 0.5; /bin/echo done' >/dev/null
wait_for 5000 sh -c "[ -n \"\$(sqlite3 '$DB' \"select id from alerts where rule = '$SENSITIVE' and cmdline = 'cat /etc/shadow'\" 2>/dev/null)\" ]" ||
	fail "1: no shadow alert"
ID=$(alert_id "$SENSITIVE" 'cat /etc/shadow')
# /bin/echo runs half a second after the alert; its event is written as
# it comes
wait_for 5000 timeline_has "$ID" '  /bin/echo done$' || fail "1: /bin/echo done not in the timeline"
# not t1.out: that is the daemon's stdout (start_harrierd t1), which it
# goes on writing at its own offset, over this text
"$H" timeline --db "$DB" "$ID" >"$TMP/timeline1.txt" 2>&1
sed 's/^/  /' "$TMP/timeline1.txt" | grep -a -v -e 'opens\? of libraries' | head -40
grep -a -e '  ls /tmp$' -e '  id$' -e '>> .*openat /etc/shadow  <- Warning' -e '  /bin/echo done$' "$TMP/timeline1.txt" |
	sed 's/.*  ls \/tmp$/ls/; s/.*  id$/id/; s/.*openat \/etc\/shadow.*/ALERT/; s/.*\/bin\/echo done$/echo/' |
	tr '\n' ' ' | grep -qx 'ls id ALERT echo ' ||
	fail "1: not 'ls /tmp', 'id', the alert, '/bin/echo done' in that order"
grep -q '  sleep 0.5$' "$TMP/timeline1.txt" || fail "1: sleep 0.5 not in the timeline"
grep -q 'bash -c ls /tmp; id; cat /etc/shadow; sleep 0.5; /bin/echo done$' "$TMP/timeline1.txt" ||
	fail "1: the bash that ran them is not in the timeline"
"$H" timeline --db "$DB" --json "$ID" >"$TMP/t1.json"
jq -se 'map(select(.cmdline == "ls /tmp" and .syscall == "execve")) | length == 1' "$TMP/t1.json" >/dev/null &&
	jq -se "map(select(.alerts[].id == $ID and .file == \"/etc/shadow\")) | length == 1" "$TMP/t1.json" >/dev/null ||
	fail "1: timeline --json"

# ---- 2. a pod ----
note "2. a pod's container"
busybox_rootfs "$TMP/rootfs"
runc_lock
CID=$(hex 32)
pod_bundle "$TMP/b1" "$TMP/rootfs" "$CID" \
	'cat /etc/hostname >/dev/null; cat /etc/shadow >/dev/null; sleep 1; cat /etc/passwd >/dev/null; exec sleep 30' ||
	{ fail "2: bundle"; exit 1; }
# the host's noise meanwhile must stay out of the container's context
cat /etc/gshadow >/dev/null
runc_run "$CID" "$TMP/b1"
CTR=$(echo "$CID" | cut -c1-12)
have_ctr_alert() {
	[ -n "$(sqlite3 "$DB" "select id from alerts where rule = '$SENSITIVE' and container_id = '$CID'" 2>/dev/null)" ]
}
wait_for 10000 have_ctr_alert || fail "2: no alert from the container"
CA=$(sqlite3 "$DB" "select max(id) from alerts where rule = '$SENSITIVE' and container_id = '$CID'")
wait_for 5000 timeline_has "$CA" '  cat /etc/passwd$' || fail "2: cat /etc/passwd (after) not in the timeline"
"$H" timeline --db "$DB" "$CA" >"$TMP/timeline2.txt" 2>&1
sed 's/^/  /' "$TMP/timeline2.txt" | grep -v 'opens\? of libraries' | head -20
grep -q "^capture: container nginx ($CTR), .*; running$" "$TMP/timeline2.txt" ||
	fail "2: capture scope: $(grep capture: "$TMP/timeline2.txt")"
# the commands as run (busybox sh starts its applets through
# /proc/self/exe, so proc.cmdline says "exe": argv says what ran)
grep -e '  cat /etc/hostname$' -e '>> .*openat /etc/shadow' -e '  sleep 1$' -e '  cat /etc/passwd$' "$TMP/timeline2.txt" |
	sed 's/.*hostname$/host/; s/.*openat \/etc\/shadow.*/ALERT/; s/.*sleep 1$/sleep/; s/.*passwd$/passwd/' |
	tr '\n' ' ' | grep -qx 'host ALERT sleep passwd ' || fail "2: the container's own events, in order"
grep -q -e 'gshadow' -e 'bash -c' "$TMP/timeline2.txt" && fail "2: host events in the container's context"
[ "$(sqlite3 "$DB" "select count(*) from alert_captures ac join capture_events ce on ce.capture_id = ac.capture_id join events e on e.id = ce.event_id where ac.alert_id = $CA and ifnull(e.container_id, '') != '$CID'")" = 0 ] ||
	fail "2: events of elsewhere linked to the container's alert"
[ "$("$H" alerts --db "$DB" --json --pod web-7d4 --namespace prod --rule "$SENSITIVE" | jq -r .id)" = "$CA" ] ||
	fail "2: alerts --pod --namespace"
[ "$("$H" alerts --db "$DB" --json --container "$CTR" --rule "$SENSITIVE" | jq -r .id)" = "$CA" ] ||
	fail "2: alerts --container <12-char prefix>"
NAME=$(sqlite3 "$DB" "select container_name from alerts where id = $CA")
"$H" timeline --db "$DB" --container "$NAME" --since 1h | grep -q '  cat /etc/hostname$' ||
	fail "2: timeline --container $NAME"
"$H" report --db "$DB" --json --since 1h | jq -e '.by_pod | map(select(.key == "prod/web-7d4")) | length == 1' >/dev/null ||
	fail "2: report by pod"
ask 5 -cmd ".param set :pod web-7d4" -cmd ".param set :namespace prod" >"$TMP/q5"
grep -q "|nginx|[0-9]*|alert|Warning $SENSITIVE|cat /etc/shadow$" "$TMP/q5" &&
	grep -q '|nginx|[0-9]*|ran|/bin/busybox|cat /etc/hostname$' "$TMP/q5" &&
	grep -q '|nginx|[0-9]*|ran|/bin/busybox|sh -c cat /etc/hostname' "$TMP/q5" ||
	fail "2: Q5: $(cat "$TMP/q5")"
stop_harrierd
[ "$HRC" = 0 ] || fail "exit code $HRC"
# the captures ended at the stop, at the latest: their rows say so
[ "$(sqlite3 "$DB" "select count(*) from captures c join alert_captures ac on ac.capture_id = c.id where ac.alert_id in ($ID, $CA) and c.running = 0 and c.events > 3")" = 2 ] ||
	fail "capture rows not final after the stop"
containers_remove

# ---- 3. capture.syscalls ----
note "3. capture.syscalls: [connect]"
harrier_conf 'capture:' '  syscalls: [connect]'
DB=$TMP/alerts3.db
start_harrierd t3 --db "$DB" -r "$RULES_SHIPPED" $AR || exit 1
harrier_rule_lines | grep -q 'connect.*harrier_capture' ||
	fail "3: no connect rule keyed harrier_capture: $(harrier_rule_lines)"
bash -c 'cat /etc/gshadow >/dev/null; exec 3<>/dev/tcp/127.0.0.1/1' 2>/dev/null
wait_for 5000 sh -c "[ -n \"\$(sqlite3 '$DB' \"select id from alerts where file = '/etc/gshadow' and cmdline like 'cat%'\" 2>/dev/null)\" ]" ||
	fail "3: no gshadow alert"
GA=$(sqlite3 "$DB" "select max(id) from alerts where file = '/etc/gshadow' and cmdline like 'cat%'")
wait_for 5000 timeline_has "$GA" 'connect 127.0.0.1:1 (failed' ||
	fail "3: the connect is not in the timeline: $("$H" timeline --db "$DB" "$GA" 2>&1 | tail -5)"
stop_harrierd
[ "$HRC" = 0 ] || fail "3: exit code $HRC"

check_restored "end"
[ "$FAILED" = 0 ] && echo PASS
exit "$FAILED"
