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
. "${top_srcdir:-.}/tests/integration/daemon_lib.sh"
. "$SRC/tests/integration/cgroup_lib.sh"

need_root "kernel audit, runc containers"
need_tools runc jq auditctl flock
need_static_busybox
need_built "$HARRIERD"

audit_lock "$@"
test_tmp harrier-track-forks
audit_save
audit_need_pid_free

N=20
CID=""

busybox_rootfs "$TMP/rootfs"
mkdir -p "$TMP/audit-rules"
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
	harrier_conf 'store_output:' '  enabled: false' 'audit:' \
		"  track_forks: $1"
	start_harrierd tf --json -r "$TMP/rules.yaml" \
		--audit-rules "$TMP/audit-rules" || return 1
	if [ "$1" = true ] &&
		! auditctl -l | grep -q 'key=harrier_fork'; then
		echo "no harrier_fork kernel rule with track_forks"
		return 1
	fi
	# Not reading: every process below is gone before harrierd looks.
	kill -STOP "$HPID"
	CID=$(hex 32)
	runc_bundle "$TMP/b" "$TMP/rootfs" "system.slice/docker-$CID.scope" \
		"$CMD" || return 1
	runc_run "$CID" "$TMP/b" || return 1
	init=$(cat "$TMP/$CID.pid")
	i=0
	while [ "$(cat "/proc/$init/comm" 2>/dev/null)" != sleep ]; do
		[ $i -ge 100 ] && { echo "container loop did not end"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
	kill -CONT "$HPID"
	i=0
	while [ "$(grep -c 'Harrier test grandchild exec' "$TMP/tf.out")" -lt $N ] &&
		[ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	stop_harrierd
	[ "${HRC:-1}" = 0 ] || echo "harrierd exit status $HRC"
	id=$CID
	containers_remove
	right=$(jq -r --arg id "$id" 'select(.rule ==
		"Harrier test grandchild exec" and
		.output_fields["container.full_id"] == $id) | .rule' \
		"$TMP/tf.out" | wc -l)
	all=$(grep -c 'Harrier test grandchild exec' "$TMP/tf.out")
	echo "$right of $all"
}

runc_lock

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
test_cleanup
check_restored "end"
[ "$FAILED" = 0 ] || exit 1
echo "PASS"
exit 0
