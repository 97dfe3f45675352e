#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Container attribution against real runc containers with a busybox root:
# a docker-shaped cgroup (system.slice/docker-<id>.scope) and a Kubernetes
# pod-shaped one (kubepods/besteffort/pod<uid>/<id>, io.kubernetes.*
# annotations). container_probe runs cgroup_parse, container_cache_get and
# the process table on the container's processes. Removes its containers
# and every cgroup directory runc left behind. Needs root; skips (77)
# otherwise. Does not touch kernel audit.
set -u
. "${top_srcdir:-.}/tests/integration/daemon_lib.sh"
. "$SRC/tests/integration/cgroup_lib.sh"

need_root "runc containers, cgroups"
need_tools runc jq flock
need_static_busybox
PROBE=$BUILD/tests/integration/container_probe
need_built "$PROBE"

test_tmp harrier-runc-test
busybox_rootfs "$TMP/rootfs"

# run_container ID BUNDLE -> pid in $TMP/ID.pid
run_container() {
	runc_run "$1" "$2" || return 1
	# the shell forks `sleep`: wait until it has
	i=0
	while [ $i -lt 50 ]; do
		p=$(cat "$TMP/$1.pid")
		[ -s "/proc/$p/task/$p/children" ] && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 0
}

# expect FILE KEY VALUE
expect() {
	got=$(sed -n "s/^$2=//p" "$1" | head -n 1)
	if [ "$got" != "$3" ]; then
		fail "$2: expected '$3', got '$got'"
	else
		echo "ok: $2=$3"
	fi
}

# probe_container N ID BUNDLE: run container ID from BUNDLE, run the probe
# on its init (output in $TMP/pN.out) and expect each "KEY VALUE" line of
# stdin in that output.
probe_container() {
	run_container "$2" "$3" || return 0
	"$PROBE" "$(cat "$TMP/$2.pid")" </dev/null >"$TMP/p$1.out" 2>&1 ||
		fail "probe $1 exit $?"
	cat "$TMP/p$1.out"
	while read -r _key _value; do
		expect "$TMP/p$1.out" "$_key" "$_value"
	done
}

runc_lock

# --- docker-shaped ---------------------------------------------------
ID1=$(hex 32)
runc_bundle "$TMP/b1" "$TMP/rootfs" "system.slice/docker-$ID1.scope" \
	"sleep 60; true" || { fail "bundle 1"; exit 1; }
probe_container 1 "$ID1" "$TMP/b1" <<EOF
parse 1
cgroup.id $ID1
cgroup.runtime docker
cache.id $ID1
cache.runtime docker
proc.id $ID1
proc.vpid 1
child.id $ID1
gone.id $ID1
gone.attributed_from_parent 1
EOF

# --- Kubernetes pod-shaped (cgroupfs driver) with annotations --------
ID2=$(hex 32)
pod_bundle "$TMP/b2" "$TMP/rootfs" "$ID2" "sleep 60; true" ||
	{ fail "bundle 2"; exit 1; }
probe_container 2 "$ID2" "$TMP/b2" <<EOF
parse 1
cgroup.id $ID2
cgroup.runtime cri
cgroup.pod_uid $POD_UID
cache.pod_name web-7d4
cache.pod_namespace prod
cache.pod_uid $POD_UID
cache.k8s_container_name nginx
cache.name nginx
cache.image docker.io/library/nginx:1.25
proc.pod_name web-7d4
child.pod_namespace prod
gone.id $ID2
gone.pod_name web-7d4
EOF

[ "$FAILED" = 0 ] || exit 1
echo "PASS"
exit 0
