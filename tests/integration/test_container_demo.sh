#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The seed's demo, with the kernel rules pushed down to their paths: a
# fresh container whose only process reads /etc/shadow at once alerts, on
# the first try, naming the container:
#   podman run --rm --name hacker-XXXX IMAGE cat /etc/shadow
#   runc run (a bundle whose process is cat /etc/shadow)
# The container's /etc/shadow is another inode than the host's: harrierd
# must have extended its rules to the container's root before cat runs
# (it learns of the root from the runtime's start and the root's mount).
# DEMO_ROUNDS=N repeats each N times (bench/container-demo: 30) and
# prints the first-try counts; every round must alert. Holds the audit
# and runc locks; removes its image, containers and cgroups.
set -u
. "${top_srcdir:-.}/tests/integration/daemon_lib.sh"
. "$SRC/tests/integration/cgroup_lib.sh"

need_root "kernel audit, containers"
need_tools runc podman jq auditctl flock
need_static_busybox
need_built "$HARRIERD"
audit_lock "$@"
test_tmp harrier-demo
audit_save
audit_need_pid_free
harrier_conf

ROUNDS=${DEMO_ROUNDS:-1}
RULE='Read sensitive file untrusted'
busybox_rootfs "$TMP/rootfs"
# a byte of its own: podman unpacks the layer again (TESTING.md)
hex 8 >"$TMP/rootfs/etc/harrier-demo"
IMAGE=localhost/harrier-demo-$(hex 4):latest
tar -C "$TMP/rootfs" -c . | $PODMAN import - "$IMAGE" >/dev/null 2>&1 ||
	{ fail "podman import"; exit 1; }
rmi() { $PODMAN rmi -f "$IMAGE" >/dev/null 2>&1; }
at_cleanup rmi

start_harrierd demo --db "$TMP/alerts.db" --json -r "$RULES_SHIPPED" $AR || exit 1
runc_lock

# alerted WHAT SELECT: an alert of $RULE whose fields match (within 10 s:
# the speed is bench/container-demo's to measure; this is about whether).
# (jq -e on a stream says whether the last line matched: any line must)
alerted() {
	_sel=$2
	wait_for 10000 sh -c "jq -en '[inputs | select(.rule == \"$RULE\" and ($_sel))] | length > 0' \
		'$TMP/demo.out' >/dev/null 2>&1"
}

# What a failed round did get: the alerts on /etc/shadow since the last
# round, by container (host: the kernel sent it, attribution missed it).
SEEN=0
seen_since() {
	sed -n "$((SEEN + 1)),\$p" "$TMP/demo.out" |
		jq -r 'select(.output_fields["fd.name"] == "/etc/shadow") |
			"\(.output_fields["container.id"]) \(.output_fields["proc.name"])"' 2>/dev/null |
		tr '\n' ';'
}

# podman_cat NAME: the seed's demo, a podman container named NAME whose
# only process reads /etc/shadow; podman's errors in $TMP/podman.err.
podman_cat() {
	$PODMAN run --rm --name "$1" --network none \
		--ulimit nofile=20000:20000 --ulimit nproc=4096:4096 \
		"$IMAGE" cat /etc/shadow >/dev/null 2>"$TMP/podman.err"
}

# runc_cat BUNDLE ROOT ID: the same through runc run, container ID on
# ROOT in a docker-shaped cgroup (what makes it a container to
# harrierd); 1 when its bundle cannot be made. Deleted after.
runc_cat() {
	CGMARKS="$CGMARKS $3"
	runc_bundle "$1" "$2" "system.slice/docker-$3.scope" \
		"cat /etc/shadow" &&
		jq '.process.args = ["cat", "/etc/shadow"]' "$1/config.json" \
			>"$1/c" && mv "$1/c" "$1/config.json" || return 1
	runc run --bundle "$1" "$3" </dev/null >/dev/null \
		2>"$TMP/runc.err" || { cat "$TMP/runc.err"; fail "runc run $3"; }
	runc delete -f "$3" >/dev/null 2>&1
	return 0
}

pod_ok=0
runc_ok=0
i=0
while [ $i -lt "$ROUNDS" ]; do
	i=$((i + 1))
	SEEN=$(wc -l <"$TMP/demo.out")
	name=hacker-$(hex 3)
	podman_cat "$name" || { cat "$TMP/podman.err"; fail "podman run $i"; }
	if alerted podman ".output_fields[\"container.name\"] == \"$name\""; then
		pod_ok=$((pod_ok + 1))
	else
		fail "podman round $i: no alert naming $name ($(seen_since))"
	fi

	SEEN=$(wc -l <"$TMP/demo.out")
	id=$(hex 32)
	runc_cat "$TMP/b" "$TMP/rootfs" "$id" || { fail "bundle $i"; continue; }
	short=$(echo "$id" | cut -c1-12)
	if alerted runc ".output_fields[\"container.id\"] == \"$short\""; then
		runc_ok=$((runc_ok + 1))
	else
		fail "runc round $i: no alert naming container $short ($(seen_since))"
	fi
done
echo "first-try alerts: podman $pod_ok/$ROUNDS, runc $runc_ok/$ROUNDS"

# Containers of the same image back to back: the next one's root comes
# with the numbers of the last one's (an overlay root reports the
# image's lowest directory, and an unmounted overlay's device number
# goes to the next mount) before harrierd's tick has seen the last one
# gone. Each must still alert (every second one did not).
i=0
while [ $i -lt 4 ]; do
	i=$((i + 1))
	name=hacker-$(hex 3)
	podman_cat "$name" ||
		{ cat "$TMP/podman.err"; fail "podman run back to back $i"; }
	# (no wait here: the next one starts at once)
	echo "$name" >>"$TMP/b2b.names"
done
for name in $(cat "$TMP/b2b.names"); do
	alerted podman ".output_fields[\"container.name\"] == \"$name\"" ||
		fail "back to back: no alert naming $name"
done
# A root mounted again at the same path (a restarted container keeps its
# root's path under docker): the new mount has the old one's numbers (a
# tmpfs here: the device number the last one gave back, root inode 1),
# and the trees joined for the old mount do not reach it.
MR=$TMP/mroot
mkdir -p "$MR"
umount_mr() { umount "$MR" 2>/dev/null; }
at_cleanup umount_mr
i=0
while [ $i -lt 2 ]; do
	i=$((i + 1))
	mount -t tmpfs harrier-demo "$MR" && cp -a "$TMP/rootfs/." "$MR/" ||
		{ fail "remount $i: tmpfs"; umount_mr; break; }
	id=$(hex 32)
	runc_cat "$TMP/mb" "$MR" "$id" ||
		{ fail "remount $i: bundle"; umount_mr; break; }
	short=$(echo "$id" | cut -c1-12)
	alerted runc ".output_fields[\"container.id\"] == \"$short\"" ||
		fail "root mounted again, run $i: no alert naming container $short"
	umount_mr
done

# the per-container rules came and went (the kernel drops a watch whose
# directory is unmounted): harrierd's business, not tampering
n=$(jq -r 'select(.rule == "Kernel audit tampering") | .output' \
	"$TMP/demo.out" | wc -l)
[ "$n" = 0 ] || fail "$n tampering alerts for containers coming and going"
grep 'container root' "$TMP/demo.err" | head -n 4
stop_harrierd
[ "$HRC" = 0 ] || fail "harrierd exit status $HRC"
[ $FAILED = 0 ] && echo "PASS"
exit $FAILED
