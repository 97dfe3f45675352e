#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# audit.track_forks end to end: in a runc container (docker-shaped cgroup)
# the init shell starts N subshells that only fork (never exec) and run
# `cat` as their child, then execs sleep. harrierd is stopped (SIGSTOP)
# while this runs, so every subshell and every cat is gone before their
# events are read: with track_forks the cats' execs must all carry the
# container (from the fork events); without it their parent is unknown.
# That run is printed, not checked. Holds /tmp/harrier-audit.lock and
# /tmp/harrier-runc.lock; removes the container, the cgroup directories
# runc left and harrierd's kernel rules. Skips (77) without root, kernel
# audit, runc, jq or a static busybox.
set -u
. "${top_srcdir:-.}/tests/integration/cgroup_lib.sh"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; FAILED=1; }

[ "$(id -u)" = 0 ] || skip "needs root (kernel audit, runc containers)"
for t in runc jq auditctl flock; do
	command -v $t >/dev/null 2>&1 || skip "$t not installed"
done
BUSYBOX=$(command -v busybox 2>/dev/null || true)
[ -n "$BUSYBOX" ] || skip "busybox not installed (apt-get install busybox-static)"
if command -v ldd >/dev/null 2>&1 && ldd "$BUSYBOX" >/dev/null 2>&1; then
	skip "$BUSYBOX is not static (apt-get install busybox-static)"
fi
top_builddir=${top_builddir:-.}
HARRIERD=$(cd "$top_builddir" && pwd)/harrierd
[ -x "$HARRIERD" ] || skip "harrierd not built ($HARRIERD)"
PROBE=$(cd "$top_builddir" && pwd)/tests/integration/netlink_probe

if [ -z "${HARRIER_AUDIT_LOCKED:-}" ]; then
	HARRIER_AUDIT_LOCKED=1 top_builddir=$top_builddir \
		exec flock /tmp/harrier-audit.lock sh "$0" "$@"
fi

status() { auditctl -s 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'; }
auditctl -s >/dev/null 2>&1 || skip "kernel audit not available (auditctl -s fails)"
ORIG_ENABLED=$(status enabled)
ORIG_PID=$(status pid)
ORIG_BACKLOG=$(status backlog_limit)
ORIG_WAIT=$(status backlog_wait_time)
[ "$ORIG_ENABLED" = 2 ] && skip "kernel audit is locked (enabled 2)"
[ "$ORIG_PID" = 0 ] || skip "an audit daemon runs (pid $ORIG_PID)"

N=20
FAILED=0
TMP=$(mktemp -d /tmp/harrier-track-forks.XXXXXX) || exit 2
KSTATE=/run/harrier/kernel-state
[ -e "$KSTATE" ] && cp -p "$KSTATE" "$TMP/kernel-state.saved" 2>/dev/null
HPID=""
CID=""
CGMARKS=""

hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

stop_harrierd() {
	[ -n "$HPID" ] || return 0
	kill -CONT "$HPID" 2>/dev/null
	kill -TERM "$HPID" 2>/dev/null
	wait "$HPID" 2>/dev/null
	HRC=$?
	HPID=""
}

# remove_container: the container, then the cgroup directories runc left
# on the way to it (new since the snapshot, deepest first).
remove_container() {
	[ -n "$CID" ] || return 0
	cgroup_new "$TMP/cg.before" "$TMP/cg.new"
	runc kill "$CID" KILL >/dev/null 2>&1
	runc delete -f "$CID" >/dev/null 2>&1
	cgroup_remove_new "$TMP/cg.new" $CGMARKS
	CID=""
}

cleanup() {
	stop_harrierd
	remove_container
	[ -x "$PROBE" ] && "$PROBE" remove-all >/dev/null 2>&1
	[ "$(status enabled)" != "$ORIG_ENABLED" ] &&
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
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

mkdir -p "$TMP/rootfs/bin" "$TMP/rootfs/etc" "$TMP/rootfs/proc" \
	"$TMP/rootfs/dev" "$TMP/rootfs/sys" "$TMP/audit-rules"
cp "$BUSYBOX" "$TMP/rootfs/bin/busybox"
for a in sh sleep cat true; do ln -s busybox "$TMP/rootfs/bin/$a"; done
echo marker >"$TMP/rootfs/etc/harrier_tf_marker"
cat >"$TMP/rules.yaml" <<'EOF'
- rule: Harrier test grandchild exec
  desc: the cat of a fork-only subshell (test_track_forks.sh)
  condition: >
    evt.type = execve and proc.cmdline contains harrier_tf_marker and
    not proc.cmdline contains while
  output: tf exec (pid=%proc.pid id=%container.full_id)
  priority: NOTICE
EOF
# Each ( ... ) & is a forked subshell that never execs; cat is its child
# (not its last command, so the subshell forks for it). Then the init
# execs sleep: from outside, that says the loop is done.
CMD="i=0; while [ \$i -lt $N ]; do (cat /etc/harrier_tf_marker >/dev/null; true) & wait; i=\$((i + 1)); done; exec sleep 30"

# run_case TRACK_FORKS: last line "RIGHT of ALL": the cats' alerts that
# carry the container, of all the cats' alerts.
run_case() {
	printf 'journald_output:\n  enabled: false\nstore_output:\n  enabled: false\naudit:\n  track_forks: %s\n' \
		"$1" >"$TMP/harrier.yaml"
	"$HARRIERD" -f -c "$TMP/harrier.yaml" --json -r "$TMP/rules.yaml" \
		--audit-rules "$TMP/audit-rules" >"$TMP/out.json" \
		2>"$TMP/harrierd.log" &
	HPID=$!
	i=0
	while ! grep -q 'ready' "$TMP/harrierd.log" 2>/dev/null; do
		if ! kill -0 "$HPID" 2>/dev/null || [ $i -ge 100 ]; then
			cat "$TMP/harrierd.log"
			HPID=""
			echo "harrierd did not start"
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	if [ "$1" = true ] &&
		! auditctl -l | grep -q 'key=harrier_fork'; then
		echo "no harrier_fork kernel rule with track_forks"
		return 1
	fi
	# Not reading: every process below is gone before harrierd looks.
	kill -STOP "$HPID"
	CID=$(hex 32)
	CGMARKS="$CID"
	mkdir -p "$TMP/b" && (cd "$TMP/b" && rm -f config.json && runc spec) &&
		jq --arg root "$TMP/rootfs" --arg cg "system.slice/docker-$CID.scope" \
			--arg cmd "$CMD" '
			.root.path = $root | .root.readonly = true |
			.process.terminal = false |
			.process.args = ["sh", "-c", $cmd] |
			.linux.cgroupsPath = $cg' "$TMP/b/config.json" \
			>"$TMP/b/config.json.new" &&
		mv "$TMP/b/config.json.new" "$TMP/b/config.json" || return 1
	runc run -d --bundle "$TMP/b" --pid-file "$TMP/init.pid" "$CID" \
		</dev/null >"$TMP/runc.log" 2>&1 || {
		cat "$TMP/runc.log"
		echo "runc run failed"
		return 1
	}
	init=$(cat "$TMP/init.pid")
	i=0
	while [ "$(cat "/proc/$init/comm" 2>/dev/null)" != sleep ]; do
		[ $i -ge 100 ] && { echo "container loop did not end"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
	kill -CONT "$HPID"
	i=0
	while [ "$(grep -c 'Harrier test grandchild exec' "$TMP/out.json")" -lt $N ] &&
		[ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	stop_harrierd
	[ "${HRC:-1}" = 0 ] || echo "harrierd exit status $HRC"
	id=$CID
	remove_container
	right=$(jq -r --arg id "$id" 'select(.rule ==
		"Harrier test grandchild exec" and
		.output_fields["container.full_id"] == $id) | .rule' \
		"$TMP/out.json" | wc -l)
	all=$(grep -c 'Harrier test grandchild exec' "$TMP/out.json")
	echo "$right of $all"
}

exec 9>/tmp/harrier-runc.lock
flock 9
cgroup_snapshot "$TMP/cg.before"

# (not in $(...): the case's harrierd and container must stay visible to
# cleanup)
run_case true >"$TMP/res" || { cat "$TMP/res"; fail "track_forks run"; exit 1; }
r=$(tail -n 1 "$TMP/res")
echo "track_forks true: $r cats attributed to the container"
[ "$r" = "$N of $N" ] ||
	fail "track_forks: expected all $N grandchildren in the container, got $r"
run_case false >"$TMP/res" ||
	{ cat "$TMP/res"; fail "track_forks false run"; exit 1; }
echo "track_forks false (for comparison, not checked): $(tail -n 1 "$TMP/res")"

trap - EXIT
cleanup
[ "$(status enabled)" = "$ORIG_ENABLED" ] || fail "audit enabled not restored"
[ "$(status pid)" = "$ORIG_PID" ] || fail "audit pid not restored"
if auditctl -l | grep -Eq '(key=|-k )harrier'; then
	fail "harrier kernel rules left behind"
fi
[ "$FAILED" = 0 ] || exit 1
echo "PASS"
exit 0
