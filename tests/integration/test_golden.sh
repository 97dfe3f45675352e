#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Golden replay tests: real audit logs recorded on this machine
# (tests/fixtures/record.sh) replayed with a rules file; the alerts on
# stdout must equal the reviewed .expected files, the store must hold the
# same alerts (checked with the real sqlite3 CLI and `harrier alerts`), and
# malformed lines mixed into a log must change nothing but a warning.
set -u
s=${top_srcdir:?}; b=${top_builddir:?}
g="$s/tests/fixtures/golden"
shipped="$s/rules/harrier_rules.yaml"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

check() { # name log rules
	name=$1 log=$2 rules=$3
	if ! "$b/harrier" replay --db "$work/$name.db" -r "$rules" "$log" \
		> "$work/$name.out" 2> "$work/$name.err"; then
		bad "$name: replay exited $?"; cat "$work/$name.err"; return
	fi
	if ! diff -u "$g/$name.expected" "$work/$name.out"; then
		bad "$name: alerts differ from $name.expected"
	fi
	n_out=$(wc -l < "$work/$name.out")
	n_db=$(sqlite3 "$work/$name.db" 'select count(*) from alerts')
	[ "$n_out" = "$n_db" ] || bad "$name: $n_out alerts printed, $n_db stored"
	"$b/harrier" alerts --db "$work/$name.db" > "$work/$name.alerts" ||
		bad "$name: harrier alerts failed"
	diff -u "$work/$name.out" "$work/$name.alerts" >/dev/null ||
		bad "$name: harrier alerts prints other alerts than replay did"
}

check sensitive_read "$g/sensitive_read.log" "$shipped"
check sensitive_read_enriched "$g/sensitive_read_enriched.log" "$shipped"
check exec_net "$g/exec_net.log" "$g/golden_rules.yaml"

# The demo: cat /etc/shadow is in the store with rule, process and file.
row=$(sqlite3 -separator '|' "$work/sensitive_read.db" \
	"select rule, exe, file, syscall, priority, container_id = 'host',
	        json_extract(fields, '\$.\"proc.cmdline\"')
	 from alerts where rule = 'Read sensitive file untrusted'
	 order by id limit 1")
[ "$row" = "Read sensitive file untrusted|/usr/bin/cat|/etc/shadow|openat|Warning|1|cat /etc/shadow" ] ||
	bad "store row for cat /etc/shadow: '$row'"
"$b/harrier" alerts --db "$work/sensitive_read.db" --json --rule 'Read sensitive*' \
	--priority warning > "$work/json.out" || bad "harrier alerts --json failed"
[ "$(wc -l < "$work/json.out")" = 2 ] || bad "harrier alerts --json --rule: $(wc -l < "$work/json.out") lines"
grep -q '"rule":"Read sensitive file untrusted"' "$work/json.out" || bad "JSON alert lacks the rule"
grep -q '"output_fields":{' "$work/json.out" || bad "JSON alert lacks output_fields"

# harrier status summarises the store (the kernel part needs root).
"$b/harrier" status --db "$work/sensitive_read.db" > "$work/status.out" 2>&1
n=$(sqlite3 "$work/sensitive_read.db" 'select count(*) from alerts')
grep -q "store $work/sensitive_read.db: $n alerts, newest 2026-11-28T17:23:31.064000000Z" "$work/status.out" ||
	{ bad "harrier status: store line"; cat "$work/status.out"; }
grep -q "^  Warning  *6$" "$work/status.out" || bad "harrier status: Warning count"

# Malformed records between valid ones: same alerts, a warning, exit 0.
awk '{ print; if (NR % 7 == 0) { print "type=SYSCALL msg=audit(garbage"; print "\001\002 binary junk"; print "type=PATH msg=audit(1795886610.500:99999): item=0 name=2F65" } }' \
	"$g/sensitive_read.log" > "$work/mangled.log"
head -c 40000 /dev/zero | tr '\0' x >> "$work/mangled.log"
printf '\n' >> "$work/mangled.log"
if ! "$b/harrier" replay --no-db -r "$shipped" "$work/mangled.log" \
	> "$work/mangled.out" 2> "$work/mangled.err"; then
	bad "mangled log: replay failed"
fi
diff -u "$g/sensitive_read.expected" "$work/mangled.out" ||
	bad "mangled log: alerts changed"
grep -q malformed "$work/mangled.err" || bad "mangled log: no warning about malformed records"
# Each malformed line said with where and why: the first ten of a log,
# then how many more (a blank line still counts as a line).
{
	sed -n 1,3p "$g/sensitive_read.log"
	echo "not a record"
	echo
	head -c 40000 /dev/zero | tr '\0' x
	echo
	sed -n 4,6p "$g/sensitive_read.log"
	for i in $(seq 12); do echo "junk $i"; done
} > "$work/where.log"
"$b/harrier" replay --no-db -q -r "$shipped" "$work/where.log" 2> "$work/where.err" ||
	bad "where.log: replay failed"
w=$work/where.log
grep -q "^harrier replay: warning: $w:4: record skipped: not an audit record" "$work/where.err" &&
	grep -q "^harrier replay: warning: $w:6: line skipped: longer than 32768 bytes" "$work/where.err" &&
	grep -q "^harrier replay: warning: $w:10: record skipped" "$work/where.err" &&
	grep -q "^harrier replay: warning: $w:17: record skipped" "$work/where.err" &&
	! grep -q "$w:18:" "$work/where.err" &&
	grep -q "^harrier replay: warning: $w: 4 more malformed lines skipped" "$work/where.err" &&
	grep -q "malformed audit record(s) (.* in total; the last: not an audit record" "$work/where.err" ||
	{ bad "malformed lines: where and why"; cat "$work/where.err"; }
# A malformed event (its records fine, its time past what a time can
# hold) is named by its audit serial, at the line that completed it.
printf 'type=SYSCALL msg=audit(99999999999.123:77): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=5 uid=0 comm="cat" exe="/bin/cat"\ntype=EOE msg=audit(99999999999.123:77): \n' > "$work/event.log"
sed -n 1,3p "$g/sensitive_read.log" >> "$work/event.log"
"$b/harrier" replay --no-db -q -r "$shipped" "$work/event.log" 2> "$work/event.err" || bad "event.log: replay failed"
grep -q "^harrier replay: warning: $work/event.log:3: audit event 77 (completed by this line) skipped: its time is out of range" "$work/event.err" ||
	{ bad "malformed event: where and why"; cat "$work/event.err"; }

# Replay from stdin gives the same alerts.
"$b/harrier" replay --no-db -r "$shipped" - < "$g/sensitive_read.log" > "$work/stdin.out" 2>/dev/null
diff -u "$g/sensitive_read.expected" "$work/stdin.out" || bad "replay from stdin differs"

# Bad input: exit 1 with file:line:col; missing log: exit 1.
printf -- '- rule: x\n  desc: d\n  condition: evt.type = open and nosuch.field = 1\n  output: o\n  priority: warning\n' > "$work/bad.yaml"
"$b/harrier" rules validate "$work/bad.yaml" > /dev/null 2> "$work/bad.err"
[ $? = 1 ] || bad "rules validate of a bad file did not exit 1"
grep -q "bad.yaml:3:[0-9]*: error: .*nosuch.field" "$work/bad.err" || { bad "no file:line:col error"; cat "$work/bad.err"; }
"$b/harrier" replay --no-db -r "$shipped" "$work/does-not-exist.log" 2>/dev/null
[ $? = 1 ] || bad "replay of a missing log did not exit 1"
"$b/harrier" rules validate "$shipped" > /dev/null || bad "shipped rules do not validate"

[ $fail = 0 ] && echo "golden: all cases pass"
exit $fail
