#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# harrierd live (real kernel audit, `cat /etc/shadow` every 100 ms) while
# its store fails on purpose, the operator's way:
#  A. on ext4: the store's files and directory made immutable (chattr +i:
#     the WAL index faults with SIGBUS), a reader holding BEGIN EXCLUSIVE
#     with sqlite3, the files deleted;
#  B. on an 8 MiB tmpfs filled to the last byte for 5 s, then freed.
# Each time: no crash, one log line and one internal alert ("Harrier
# internal: alert store unavailable") when the fault starts and when it
# clears, and afterwards every alert the daemon printed is in the store
# exactly once, in order (for the deletion: in the copy taken just before
# it, or in the new file). Runs in a private mount namespace (the tmpfs).
set -u
. "$(dirname "$0")/daemon_lib.sh"
need_root "kernel audit, chattr, mounts"
need_tools auditctl flock sqlite3 chattr unshare
need_built "$HARRIERD"
audit_lock "$@"
if [ -z "${HARRIER_STORE_NS:-}" ]; then
	HARRIER_STORE_NS=1 exec unshare --mount --propagation private \
		sh "$0" "$@"
fi
test_tmp harrier-store-faults
audit_save
audit_need_pid_free

FAULT='Harrier internal: alert store unavailable'
mkdir -m 0750 "$TMP/store" "$TMP/spool"
# short waits: a fault shows within a second
harrier_conf 'outputs:' '  rate: 0' 'store_output:' \
	"  spool_dir: $TMP/spool" '  busy_timeout_ms: 200' \
	'  retry_interval_ms: 100'

TRIG=""
triggers_on() {
	(while :; do cat /etc/shadow >/dev/null; sleep 0.1; done) &
	TRIG=$!
	EXTRA_PIDS="$EXTRA_PIDS $TRIG"
}
triggers_off() {
	[ -n "$TRIG" ] && kill "$TRIG" 2>/dev/null && wait "$TRIG" 2>/dev/null
	TRIG=""
}

# The alerts as stdout printed them, and as the store holds them (the
# same text: the output column is escaped as stdout escapes it), by id.
store_lines() {
	sqlite3 "$1" "select time || ': ' || priority || ' ' ||
		coalesce(output, rule) from alerts order by id"
}
count_in() { sqlite3 "$1" 'select count(*) from alerts' 2>/dev/null || echo 0; }
stdout_n() { wc -l <"$TMP/$1.out"; }
caught_up() { [ "$(count_in "$2")" -ge "$(stdout_n "$1")" ]; }
nlog() { grep -c "$2" "$TMP/$1.err"; }
# wait until NAME's log has more than N lines matching RE
log_grows() { [ "$(nlog "$1" "$3")" -gt "$2" ]; }

# fault NAME PHASE: the fault of PHASE was reported, then cleared.
expect_reported() {
	wait_for 10000 log_grows "$1" "$3" 'available again' ||
		fail "$2: no 'available again' in the log"
	grep 'warning: alert store .* unavailable' "$TMP/$1.err" |
		sed -n "$(($3 + 1))p" | grep -q "$4" ||
		fail "$2: the fault report does not say '$4'"
}

# ---- A. ext4: immutable, locked, deleted ----
note "A. immutable, locked by a reader, deleted (ext4)"
DB=$TMP/store/alerts.db
if start_harrierd a --db "$DB" -r "$RULES_SHIPPED" $AR; then
	triggers_on
	sleep 0.5
	# A1: chattr +i on the database, -wal, -shm and the directory
	k=$(nlog a 'available again')
	chattr +i "$DB" "$DB-wal" "$DB-shm" "$TMP/store"
	sleep 1.5
	kill -0 "$HPID" || fail "A1: harrierd died (SIGBUS?)"
	# a reader still reads
	sqlite3 "$DB" 'select count(*) from alerts' >/dev/null ||
		fail "A1: sqlite3 cannot read the store beside the daemon"
	chattr -i "$TMP/store" "$DB-shm" "$DB-wal" "$DB"
	expect_reported a A1 "$k" 'cannot be written\|immutable\|not permitted\|disk I/O\|readonly\|read-only'
	echo "A1: $(grep -c 'alert store .* unavailable' "$TMP/a.err") fault(s) reported so far"

	# A2: a reader holding BEGIN EXCLUSIVE for 1.5 s
	k=$(nlog a 'available again')
	mkfifo "$TMP/cli.in"
	sqlite3 "$DB" <"$TMP/cli.in" >/dev/null 2>&1 &
	CLI=$!
	EXTRA_PIDS="$EXTRA_PIDS $CLI"
	exec 7>"$TMP/cli.in"
	printf 'BEGIN EXCLUSIVE;\n' >&7
	sleep 1.5
	printf 'COMMIT;\n.quit\n' >&7
	exec 7>&-
	wait "$CLI"
	expect_reported a A2 "$k" 'locked'

	# A3: the files deleted; what was printed before is in a copy
	k=$(nlog a 'available again')
	triggers_off
	wait_for 5000 caught_up a "$DB" || fail "A3: store behind stdout"
	sqlite3 "$DB" ".backup '$TMP/before.db'"
	rm -f "$DB" "$DB-wal" "$DB-shm"
	triggers_on
	sleep 1
	expect_reported a A3 "$k" 'deleted'
	triggers_off
	wait_for 5000 caught_up a "$DB" || true
	stop_harrierd
	[ "$HRC" = 0 ] || fail "A: exit code $HRC"
	{ store_lines "$TMP/before.db"; store_lines "$DB"; } >"$TMP/a.stored"
	if ! cmp -s "$TMP/a.out" "$TMP/a.stored"; then
		fail "A: the store does not hold exactly what stdout printed"
		diff "$TMP/a.out" "$TMP/a.stored" | head -20
	fi
	n=$(sqlite3 "$DB" "select count(*) from alerts where rule = '$FAULT'")
	n0=$(sqlite3 "$TMP/before.db" "select count(*) from alerts where rule = '$FAULT'")
	[ $((n + n0)) -ge 6 ] ||
		fail "A: $((n + n0)) internal alerts about the store, not 6"
	echo "A: $(stdout_n a) alerts printed, all in the store once ($(sqlite3 "$TMP/before.db" 'select count(*) from alerts') before the deletion)"
	grep -E 'Sanitizer|runtime error' "$TMP/a.err" && fail "A: sanitizer report"
fi

# ---- B. a full file system ----
note "B. the store's file system full to the last byte (tmpfs)"
mkdir -m 0750 "$TMP/full"
mount -t tmpfs -o size=8m,mode=0750 harrier-test "$TMP/full" ||
	skip "cannot mount a tmpfs"
DB=$TMP/full/alerts.db
if start_harrierd b --db "$DB" -r "$RULES_SHIPPED" $AR; then
	triggers_on
	sleep 0.5
	k=$(nlog b 'available again')
	dd if=/dev/zero of="$TMP/full/fill" bs=64k 2>/dev/null
	dd if=/dev/zero of="$TMP/full/fill2" bs=1 2>/dev/null
	[ "$(df --output=avail "$TMP/full" | tail -n 1)" -eq 0 ] ||
		fail "B: the file system is not full"
	# longer than a few retries: the alerts must outlast it
	sleep 5
	rm -f "$TMP/full/fill" "$TMP/full/fill2"
	expect_reported b B "$k" 'full'
	triggers_off
	wait_for 5000 caught_up b "$DB" || true
	stop_harrierd
	[ "$HRC" = 0 ] || fail "B: exit code $HRC"
	store_lines "$DB" >"$TMP/b.stored"
	if ! cmp -s "$TMP/b.out" "$TMP/b.stored"; then
		fail "B: the store does not hold exactly what stdout printed"
		diff "$TMP/b.out" "$TMP/b.stored" | head -20
	fi
	echo "B: $(stdout_n b) alerts printed, all in the store once"
fi
umount "$TMP/full" 2>/dev/null
check_restored "end"
[ $FAILED = 0 ] && echo "PASS"
exit $FAILED
