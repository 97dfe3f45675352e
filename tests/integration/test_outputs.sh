#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# harrierd live (real kernel audit) with every notification output on:
#  1. http_output to a receiver of our own on 127.0.0.1 that checks every
#     payload (Falco's JSON): delivered; the receiver down, then back:
#     everything delivered, the outage logged; answering 500: retried;
#     slow past the timeout: given up after max_consecutive_timeouts and
#     counted, while detection (the store) goes on at once;
#  2. file_output: JSON lines; moved away and SIGUSR2: a new file;
#  3. program_output: a program that exits after two lines is restarted,
#     and the next alerts reach its next run;
#  4. per-rule rate limit: a flood of one rule is held back after its
#     burst on every notification output (never in the store), another
#     rule's alert still goes out, and a summary says what was held back.
set -u
. "$(dirname "$0")/daemon_lib.sh"
daemon_test_setup "$@"
need_tools python3

RECV=$SRC/tests/integration/http_receiver.py
R=$TMP/recv
mkdir "$R"
RPID=""
recv_start() {
	rm -f "$R/port"
	python3 "$RECV" "$R" "${1:-0}" 2>>"$TMP/recv.err" &
	RPID=$!
	EXTRA_PIDS="$EXTRA_PIDS $RPID"
	wait_for 10000 test -s "$R/port" ||
		fail "the receiver did not start: $(tail -n 5 "$TMP/recv.err")"
	PORT=$(cat "$R/port")
}
recv_stop() { kill "$RPID" 2>/dev/null; wait "$RPID" 2>/dev/null; RPID=""; }
recv_start

# a program that takes two alerts, then exits (restarted by harrierd)
cat >"$TMP/prog.sh" <<'EOF'
read -r a && echo "$$ $a" >>"$1"
read -r b && echo "$$ $b" >>"$1"
exit 0
EOF
cat >"$TMP/rules.yaml" <<EOF
- rule: Flood
  desc: test rule, fired many times at once
  condition: evt.type in (open, openat) and fd.name = $TMP/flood and proc.name = cat
  output: flood (file=%fd.name)
  priority: NOTICE
- rule: Spaced
  desc: test rule, fired now and then
  condition: evt.type in (open, openat) and fd.name = $TMP/spaced and proc.name = cat
  output: spaced (file=%fd.name)
  priority: NOTICE
- rule: Other
  desc: test rule, fired once during the flood
  condition: evt.type in (open, openat) and fd.name = $TMP/other and proc.name = cat
  output: other (file=%fd.name)
  priority: NOTICE
EOF
: >"$TMP/flood"
: >"$TMP/other"
: >"$TMP/spaced"
harrier_conf 'outputs:' '  rate: 1' '  max_burst: 20' \
	'  summary_interval: 2' \
	'http_output:' '  enabled: true' "  url: http://127.0.0.1:$PORT/" \
	'  timeout_ms: 500' '  max_consecutive_timeouts: 1' \
	'file_output:' '  enabled: true' '  keep_alive: true' \
	"  filename: $TMP/alerts.json" \
	'program_output:' '  enabled: true' '  keep_alive: true' \
	"  program: sh $TMP/prog.sh $TMP/prog.out"

DB=$TMP/o.db
SENSITIVE='Read sensitive file untrusted'
received() { grep -c "\"rule\":\"$1\"" "$R/received.jsonl" 2>/dev/null || echo 0; }
got_http() { [ "$(received "$1")" -ge "$2" ]; }
in_file() { [ "$(grep -c "\"rule\":\"$2\"" "$1" 2>/dev/null || echo 0)" -ge "$3" ]; }
stored() { [ "$(alerts "$DB" "$1")" -ge "$2" ]; }
logged() { grep -q "$1" "$TMP/o.err"; }
shadow() { _i=0; while [ $_i -lt "$1" ]; do cat /etc/shadow >/dev/null; _i=$((_i + 1)); done; }

if ! start_harrierd o --db "$DB" -r "$RULES_SHIPPED" -r "$TMP/rules.yaml" $AR; then
	exit 1
fi

note "1. http_output"
shadow 3
wait_for 3000 got_http "$SENSITIVE" 3 || fail "1: $(received "$SENSITIVE") of 3 alerts received"
[ ! -s "$R/bad" ] || fail "1: malformed payloads: $(head -c 300 "$R/bad")"
grep -q '"container.id":"host","container.name":"host"' "$R/received.jsonl" ||
	fail "1: host alerts lack container.id/name \"host\""
grep -q '"proc.pid":[0-9]' "$R/received.jsonl" || true

# down, then back on the same port
recv_stop
shadow 5
wait_for 3000 logged 'http output: cannot deliver' ||
	fail "1: the receiver being down was not reported"
wait_for 3000 stored "$SENSITIVE" 8 || fail "1: detection stalled while the receiver was down"
recv_start "$PORT"
wait_for 5000 got_http "$SENSITIVE" 8 || fail "1: after the outage $(received "$SENSITIVE") of 8 received"
wait_for 3000 logged 'http output: delivering again' || fail "1: recovery not reported"

# 500, then fine
echo 500 >"$R/mode"
shadow 2
wait_for 3000 logged 'answered HTTP 500' || fail "1: HTTP 500 not reported"
echo ok >"$R/mode"
wait_for 5000 got_http "$SENSITIVE" 10 || fail "1: after 500s $(received "$SENSITIVE") of 10 received"

# slow past the timeout: given up (counted); detection does not wait
echo 'slow 2' >"$R/mode"
t0=$(now_ms)
shadow 1
wait_for 3000 stored "$SENSITIVE" 11 || fail "1: no alert in the store while the receiver is slow"
echo "store: the alert in $(($(now_ms) - t0)) ms while the receiver hangs"
wait_for 5000 logged 'timed out 2 times in a row: given up' ||
	fail "1: a hanging receiver was not given up"
echo ok >"$R/mode"
# no payload was malformed, none arrived twice (one document per POST)
[ ! -s "$R/bad" ] || fail "1: malformed payloads: $(head -c 300 "$R/bad")"
dups=$(grep -o '"evt.time":[0-9]*' "$R/received.jsonl" | sort | uniq -d | head -3)
[ -z "$dups" ] || echo "note: delivered twice (a timed-out POST the receiver finished): $dups"

note "2. file_output and SIGUSR2"
wait_for 3000 in_file "$TMP/alerts.json" "$SENSITIVE" 11 ||
	fail "2: the file has $(grep -c . "$TMP/alerts.json") lines"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' \
	"$TMP/alerts.json" || fail "2: not JSON lines"
mv "$TMP/alerts.json" "$TMP/alerts.json.1"
kill -USR2 "$HPID"
wait_for 2000 logged 'SIGUSR2: reopening' || fail "2: SIGUSR2 not acknowledged"
shadow 1
wait_for 3000 in_file "$TMP/alerts.json" "$SENSITIVE" 1 || fail "2: no new file after SIGUSR2"
[ "$(grep -c . "$TMP/alerts.json.1")" -ge 11 ] || fail "2: the rotated file lost lines"

note "3. program_output restarted"
# one alert at a time, the program gone before the next: each reaches a
# run of it (a line written before it exits but that it never read is
# lost with it: a pipe has no receipts)
i=0
while [ $i -lt 6 ]; do
	cat "$TMP/spaced" >/dev/null
	i=$((i + 1))
	wait_for 3000 sh -c "[ \$(grep -c 'spaced (file=' '$TMP/prog.out') -ge $i ]" ||
		{ fail "3: alert $i did not reach the program"; break; }
	sleep 0.3
done
runs=$(grep 'spaced (file=' "$TMP/prog.out" | cut -d' ' -f1 | sort -u | wc -l)
[ "$runs" -ge 3 ] || fail "3: 6 alerts reached $runs runs (it exits after two lines)"
logged 'program output: cannot deliver: sh exited with status 0' ||
	fail "3: its exit was not reported"

note "4. per-rule rate limit"
s0=$(grep -c . "$TMP/o.out")
i=0
while [ $i -lt 60 ]; do cat "$TMP/flood" >/dev/null; i=$((i + 1)); done
cat "$TMP/other" >/dev/null
wait_for 3000 stored Flood 60 || fail "4: $(alerts "$DB" Flood) of 60 floods in the store"
wait_for 3000 stored Other 1 || fail "4: the other rule's alert is not stored"
wait_for 3000 got_http Other 1 || fail "4: the other rule's alert did not reach http"
grep -q 'other (file=' "$TMP/o.out" || fail "4: the other rule's alert is not on stdout"
flood_out=$(grep -c 'flood (file=' "$TMP/o.out")
flood_http=$(received Flood)
[ "$flood_out" -ge 20 ] && [ "$flood_out" -le 35 ] ||
	fail "4: $flood_out floods on stdout (burst 20, rate 1/s)"
[ "$flood_http" -le 35 ] || fail "4: $flood_http floods reached http"
# the summaries (one, or two when the flood straddles an interval) count
# what was held back: 60 less the burst and what the rate let through
held() {
	grep -o "held back from the notification outputs.*'Flood' [0-9]*" \
		"$TMP/o.err" | sed "s/.*'Flood' //" | awk '{ s += $1 } END { print s + 0 }'
}
held_enough() { [ "$(held)" -ge $((60 - flood_out)) ]; }
wait_for 8000 held_enough ||
	fail "4: the summaries count $(held) held back, not $((60 - flood_out))"
wait_for 3000 stored 'Harrier internal: alerts rate limited' 1 ||
	fail "4: no internal alert with the summary"
echo "flood: 60 stored, $flood_out on stdout, $flood_http over http; $(grep 'held back' "$TMP/o.err" | head -n 1 | sed 's/.*warning: //')"

kill -USR1 "$HPID"
wait_for 2000 logged 'stats: .*http sent [1-9]' || fail "stats: no http counters"
stop_harrierd
[ "$HRC" = 0 ] || fail "exit code $HRC"
grep -E 'Sanitizer|runtime error' "$TMP/o.err" && fail "sanitizer report"
check_restored "end"
[ $FAILED = 0 ] && echo "PASS"
exit $FAILED
