# SPDX-License-Identifier: Apache-2.0
# Shared by tests/integration/test_daemon*.sh (sourced, not run): takes
# /tmp/harrier-audit.lock, records the kernel audit state, and restores it
# in a trap whatever happens: kills the harrierd/auditd it started, deletes
# kernel rules keyed harrier*, puts back enabled, backlog_limit and
# backlog_wait_time, and Harrier's /run state file. Skips (77) without
# root, auditctl, kernel audit, or when another audit daemon runs.

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; FAILED=1; }
note() { echo "--- $*"; }

[ "$(id -u)" = 0 ] || skip "needs root (kernel audit)"
command -v auditctl >/dev/null 2>&1 ||
	skip "auditctl not installed (apt-get install auditd)"
command -v flock >/dev/null 2>&1 || skip "flock not installed (util-linux)"
command -v sqlite3 >/dev/null 2>&1 || skip "sqlite3 CLI not installed"
BUILD=$(cd "${top_builddir:-.}" && pwd)
SRC=$(cd "${top_srcdir:-.}" && pwd)
HARRIERD=$BUILD/harrierd
PROBE=$BUILD/tests/integration/netlink_probe
[ -x "$HARRIERD" ] || skip "harrierd not built ($HARRIERD)"
. "$SRC/tests/integration/auditd_conf.sh"

# Kernel audit is global: never run next to another test that touches it.
if [ -z "${HARRIER_AUDIT_LOCKED:-}" ]; then
	HARRIER_AUDIT_LOCKED=1 exec flock /tmp/harrier-audit.lock sh "$0" "$@"
fi

status() { auditctl -s 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'; }
auditctl -s >/dev/null 2>&1 ||
	skip "kernel audit not available (auditctl -s fails)"
ORIG_ENABLED=$(status enabled)
ORIG_BACKLOG=$(status backlog_limit)
ORIG_WAIT=$(status backlog_wait_time)
ORIG_PID=$(status pid)
[ "$ORIG_ENABLED" = 2 ] && skip "kernel audit is locked (enabled 2)"
[ "$ORIG_PID" = 0 ] || skip "audit pid held by $ORIG_PID (an audit daemon runs)"

FAILED=0
TMP=$(mktemp -d /tmp/harrier-daemon-test.XXXXXX) || exit 2
KSTATE=/run/harrier/kernel-state
if [ -e "$KSTATE" ]; then
	cp -p "$KSTATE" "$TMP/kernel-state.saved" 2>/dev/null
fi
HPID=""
APID=""
EXTRA_PIDS="" # other helpers a test started (killed at exit)

# auditctl -l shows watches with "-k KEY", other rules with "-F key=KEY".
HARRIER_KEY_ERE='(key=|-k )harrier'

remove_harrier_rules() {
	if [ -x "$PROBE" ]; then
		"$PROBE" remove-all >/dev/null 2>&1
		return
	fi
	auditctl -l 2>/dev/null | grep -E "$HARRIER_KEY_ERE" |
		while read -r line; do
			case "$line" in
			-w*) auditctl -W ${line#-w} >/dev/null 2>&1 ;;
			-a*) auditctl -d ${line#-a} >/dev/null 2>&1 ;;
			esac
		done
}

stop_auditd() {
	[ -n "$APID" ] || return 0
	kill "$APID" 2>/dev/null
	wait "$APID" 2>/dev/null
	APID=""
	for _ in $(seq 50); do
		[ "$(status pid)" = 0 ] && break
		sleep 0.1
	done
}

daemon_cleanup() {
	if [ -n "$HPID" ]; then
		kill -CONT "$HPID" 2>/dev/null
		kill -TERM "$HPID" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$HPID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$HPID" 2>/dev/null
		wait "$HPID" 2>/dev/null
	fi
	for _p in $EXTRA_PIDS; do
		kill "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	stop_auditd
	remove_harrier_rules
	auditctl -e "$ORIG_ENABLED" >/dev/null 2>&1
	auditctl -b "$ORIG_BACKLOG" >/dev/null 2>&1
	auditctl --backlog_wait_time "$ORIG_WAIT" >/dev/null 2>&1
	if [ -e "$TMP/kernel-state.saved" ]; then
		cp -p "$TMP/kernel-state.saved" "$KSTATE"
	else
		rm -f "$KSTATE"
	fi
	rm -rf "$TMP"
}
trap daemon_cleanup EXIT
trap 'exit 2' INT TERM HUP

# A config for the tests: no journald (the machine's journal is not ours),
# everything else from the command line.
cat >"$TMP/harrier.yaml" <<'EOF'
journald_output:
  enabled: false
log_level: info
EOF

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_for TIMEOUT_MS CMD...: poll CMD every 50 ms; 0 when it succeeded.
wait_for() {
	_deadline=$(($(now_ms) + $1))
	shift
	while :; do
		"$@" && return 0
		[ "$(now_ms)" -ge "$_deadline" ] && return 1
		sleep 0.05
	done
}

# start_harrierd NAME ARGS...: run harrierd in the background (stdout in
# $TMP/NAME.out, stderr in $TMP/NAME.err) and wait until it logs "ready".
start_harrierd() {
	_name=$1
	shift
	"$HARRIERD" -f -c "$TMP/harrier.yaml" "$@" \
		>"$TMP/$_name.out" 2>"$TMP/$_name.err" &
	HPID=$!
	if ! wait_for 10000 grep -q 'info: ready' "$TMP/$_name.err"; then
		fail "$_name: harrierd did not get ready"
		cat "$TMP/$_name.err"
		return 1
	fi
	return 0
}

# stop_harrierd: SIGTERM and wait; the exit code is in HRC.
stop_harrierd() {
	HRC=""
	[ -n "$HPID" ] || return 0
	kill -TERM "$HPID" 2>/dev/null
	wait "$HPID"
	HRC=$?
	HPID=""
}

harrier_rule_lines() { auditctl -l 2>/dev/null | grep -E "$HARRIER_KEY_ERE"; }
has_harrier_rules() { harrier_rule_lines >/dev/null; }

# check_restored WHAT: the kernel is as we found it.
check_restored() {
	[ "$(status pid)" = 0 ] || fail "$1: audit pid is $(status pid), not 0"
	[ "$(status enabled)" = "$ORIG_ENABLED" ] ||
		fail "$1: enabled is $(status enabled), was $ORIG_ENABLED"
	[ "$(status backlog_limit)" = "$ORIG_BACKLOG" ] ||
		fail "$1: backlog_limit is $(status backlog_limit), was $ORIG_BACKLOG"
	if has_harrier_rules; then
		fail "$1: harrier rules left behind: $(harrier_rule_lines)"
	fi
}

# alerts DB RULE: how many alerts of RULE the store holds.
alerts() {
	_n=$(sqlite3 "$1" "select count(*) from alerts where rule = '$2'" \
		2>/dev/null)
	echo "${_n:-0}"
}
