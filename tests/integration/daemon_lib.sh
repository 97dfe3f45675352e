# SPDX-License-Identifier: Apache-2.0
# Sourced, not run; defines functions only. The integration tests' common
# part: skips (HARRIER_NO_SKIP makes them failures), the audit lock, the
# kernel audit state saved and put back, harrierd and a private auditd
# started and stopped, and one clean-up in an EXIT trap that undoes
# whatever of that a test did: kills the harrierd/auditd/helpers it
# started, runs the test's own clean-ups (containers: cgroup_lib.sh),
# deletes kernel rules keyed harrier*, restores enabled, backlog_limit,
# backlog_wait_time and Harrier's /run state file, removes $TMP.
# test_daemon*.sh call daemon_test_setup, which does all of the set-up.

# skip WHY: exit 77, or 1 under HARRIER_NO_SKIP (CI: a skip is a failure).
skip() {
	if [ -n "${HARRIER_NO_SKIP:-}" ]; then
		echo "FAIL: would skip, but HARRIER_NO_SKIP is set: $*"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}
fail() { echo "FAIL: $*"; FAILED=1; }
note() { echo "--- $*"; }
FAILED=0

# need_root WHY: skip unless root. HARRIER_NO_ROOT_TESTS=1 (configure
# --disable-root-tests; package builds) switches every root test off: a
# deliberate choice, so it skips even under HARRIER_NO_SKIP.
need_root() {
	if [ -n "${HARRIER_NO_ROOT_TESTS:-}" ]; then
		echo "SKIP: root tests switched off (HARRIER_NO_ROOT_TESTS): $1"
		exit 77
	fi
	[ "$(id -u)" = 0 ] || skip "needs root ($1)"
}

# need_tools TOOL...: skip unless each is on PATH (says what to install).
need_tools() {
	for _t in "$@"; do
		command -v "$_t" >/dev/null 2>&1 && continue
		case $_t in
		auditctl | auditd) _pkg=auditd ;;
		flock) _pkg=util-linux ;;
		*) _pkg=$_t ;;
		esac
		skip "$_t not installed (apt-get install $_pkg)"
	done
}

# need_built PATH: skip unless the build made PATH.
need_built() {
	[ -x "$1" ] || skip "$(basename "$1") not built ($1)"
}

BUILD=$(cd "${top_builddir:-.}" && pwd)
SRC=$(cd "${top_srcdir:-.}" && pwd)
HARRIERD=$BUILD/harrierd
PROBE=$BUILD/tests/integration/netlink_probe
# The shipped rules and kernel rules, as a packaged harrierd runs them.
RULES_SHIPPED=$SRC/rules/harrier_rules.yaml
AR="--audit-rules $SRC/audit-rules"
. "$SRC/tests/integration/auditd_conf.sh"

# audit_lock "$@": run the rest of the test holding /tmp/harrier-audit.lock
# (the script starts again under flock). Kernel audit is global: never run
# next to another test that touches it. Take it before test_tmp.
audit_lock() {
	[ -n "${HARRIER_AUDIT_LOCKED:-}" ] && return 0
	HARRIER_AUDIT_LOCKED=1 top_srcdir=$SRC top_builddir=$BUILD \
		exec flock /tmp/harrier-audit.lock sh "$0" "$@"
}

status() { auditctl -s 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'; }

# Filled by test_tmp and the functions below; test_cleanup undoes them.
TMP=""
HPID=""
APID=""
EXTRA_PIDS="" # other helpers a test started (killed at exit)
CLEANUPS=""   # the test's own clean-up functions, run in order at exit
AUDIT_SAVED=""
KSTATE=/run/harrier/kernel-state

# test_tmp NAME: a fresh $TMP (/tmp/NAME.XXXXXX) and the clean-up trap.
test_tmp() {
	TMP=$(mktemp -d "/tmp/$1.XXXXXX") || exit 2
	trap test_cleanup EXIT
	trap 'exit 2' INT TERM HUP
}

# at_cleanup FUNC: test_cleanup calls FUNC (after harrierd has stopped,
# before the audit state is put back).
at_cleanup() { CLEANUPS="$CLEANUPS $1"; }

# audit_save: after test_tmp. Records enabled, backlog_limit,
# backlog_wait_time and the audit pid (ORIG_*) and a copy of harrierd's
# record of the kernel settings it changed (a running instance may have
# one), for test_cleanup. Skips without kernel audit or when it is locked.
audit_save() {
	auditctl -s >/dev/null 2>&1 ||
		skip "kernel audit not available (auditctl -s fails)"
	ORIG_ENABLED=$(status enabled)
	ORIG_BACKLOG=$(status backlog_limit)
	ORIG_WAIT=$(status backlog_wait_time)
	ORIG_PID=$(status pid)
	[ "$ORIG_ENABLED" = 2 ] && skip "kernel audit is locked (enabled 2)"
	if [ -e "$KSTATE" ]; then
		cp -p "$KSTATE" "$TMP/kernel-state.saved" 2>/dev/null
	fi
	AUDIT_SAVED=1
}

# audit_need_pid_free: skip when an audit daemon holds the audit pid.
audit_need_pid_free() {
	[ "$ORIG_PID" = 0 ] ||
		skip "audit pid held by $ORIG_PID (an audit daemon runs)"
}

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

# audit_restore: no harrier rules, and the settings audit_save recorded.
# Never sets enabled 2 (that locks the configuration until reboot).
audit_restore() {
	[ -n "$AUDIT_SAVED" ] || return 0
	remove_harrier_rules
	case $ORIG_ENABLED in
	0 | 1) [ "$(status enabled)" = "$ORIG_ENABLED" ] ||
		auditctl -e "$ORIG_ENABLED" >/dev/null 2>&1 ;;
	esac
	auditctl -b "$ORIG_BACKLOG" >/dev/null 2>&1
	auditctl --backlog_wait_time "$ORIG_WAIT" >/dev/null 2>&1
	if [ -e "$TMP/kernel-state.saved" ]; then
		cp -p "$TMP/kernel-state.saved" "$KSTATE"
	else
		rm -f "$KSTATE"
	fi
}

# start_auditd DIR [STDOUT]: a private auditd (write_auditd_conf DIR) in
# APID, its events to STDOUT ($TMP/auditd.stdout), its stderr in
# $TMP/auditd.stderr; 0 once it holds the audit pid (up to 5 s).
start_auditd() {
	auditd -f -n -c "$1" >"${2:-$TMP/auditd.stdout}" \
		2>"$TMP/auditd.stderr" &
	APID=$!
	wait_for 5000 auditd_has_pid
}
auditd_has_pid() { [ "$(status pid)" = "$APID" ]; }

# stop_auditd: SIGTERM the auditd in APID; wait until the audit pid is 0.
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

# kill_harrierd: whatever state it is in (stopped, hung): CONT, TERM,
# up to 5 s, then KILL.
kill_harrierd() {
	[ -n "$HPID" ] || return 0
	kill -CONT "$HPID" 2>/dev/null
	kill -TERM "$HPID" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$HPID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$HPID" 2>/dev/null
	wait "$HPID" 2>/dev/null
	HPID=""
}

# test_cleanup: the EXIT trap. Tests that check the restored state call
# it themselves after `trap - EXIT`.
test_cleanup() {
	kill_harrierd
	for _p in $EXTRA_PIDS; do
		kill "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	EXTRA_PIDS=""
	for _f in $CLEANUPS; do
		"$_f"
	done
	CLEANUPS=""
	stop_auditd
	audit_restore
	[ -n "$TMP" ] && rm -rf "$TMP"
	TMP=""
}

# harrier_conf [YAML_LINE...]: $TMP/harrier.yaml, the config start_harrierd
# uses: no journald (the machine's journal is not ours), log level info,
# then the lines given; everything else from the command line.
harrier_conf() {
	printf 'journald_output:\n  enabled: false\nlog_level: info\n' \
		>"$TMP/harrier.yaml"
	[ $# = 0 ] || printf '%s\n' "$@" >>"$TMP/harrier.yaml"
}

# daemon_test_setup "$@": the set-up of test_daemon*.sh: skips, the audit
# lock, $TMP, the saved audit state (audit pid must be free) and the
# default harrier_conf.
daemon_test_setup() {
	need_root "kernel audit"
	need_tools auditctl flock sqlite3
	need_built "$HARRIERD"
	audit_lock "$@"
	test_tmp harrier-daemon-test
	audit_save
	audit_need_pid_free
	harrier_conf
}

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

# harrierd_ready NAME: harrierd logged "ready", or has died (1 then too,
# as wait_for gives up at once).
harrierd_ready() {
	grep -q 'info: ready' "$TMP/$1.err" && return 0
	kill -0 "$HPID" 2>/dev/null || return 0
	return 1
}

# start_harrierd NAME ARGS...: run harrierd with $TMP/harrier.yaml in the
# background (stdout in $TMP/NAME.out, stderr in $TMP/NAME.err) and wait
# up to 10 s until it logs "ready"; 1 (and a failure) if it does not.
start_harrierd() {
	_name=$1
	shift
	"$HARRIERD" -f -c "$TMP/harrier.yaml" "$@" \
		>"$TMP/$_name.out" 2>"$TMP/$_name.err" &
	HPID=$!
	wait_for 10000 harrierd_ready "$_name"
	if ! grep -q 'info: ready' "$TMP/$_name.err"; then
		fail "$_name: harrierd did not get ready"
		cat "$TMP/$_name.err"
		return 1
	fi
	return 0
}

# stop_harrierd: SIGCONT (it may be stopped), SIGTERM and wait; the exit
# code is in HRC.
stop_harrierd() {
	HRC=""
	[ -n "$HPID" ] || return 0
	kill -CONT "$HPID" 2>/dev/null
	kill -TERM "$HPID" 2>/dev/null
	wait "$HPID" 2>/dev/null
	HRC=$?
	HPID=""
}

harrier_rule_lines() { auditctl -l 2>/dev/null | grep -E "$HARRIER_KEY_ERE"; }
# harrier_rules_sorted: those rules without harrierd's own pid (its exclusion,
# and the target of its self-signal rule),
# sorted: two runs' sets compare equal.
harrier_rules_sorted() {
	harrier_rule_lines | sed -e 's/ -F pid!=[0-9]*//' \
		-e 's/-F a0=0x[0-9A-Fa-f]* -F key=harrier_self_signal/-F a0=PID -F key=harrier_self_signal/' | sort
}
has_harrier_rules() { harrier_rule_lines >/dev/null; }

# check_restored WHAT: the kernel is as audit_save found it: the same
# audit pid, enabled flag and backlog limit, no harrier rules.
check_restored() {
	[ "$(status pid)" = "$ORIG_PID" ] ||
		fail "$1: audit pid is $(status pid), was $ORIG_PID"
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
