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
. "${top_srcdir:-.}/tests/integration/cgroup_lib.sh"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; FAILED=1; }

[ "$(id -u)" = 0 ] || skip "needs root (runc containers, cgroups)"
command -v runc >/dev/null 2>&1 || skip "runc not installed (apt-get install runc)"
command -v jq >/dev/null 2>&1 || skip "jq not installed (apt-get install jq)"
command -v flock >/dev/null 2>&1 || skip "flock not installed (util-linux)"
BUSYBOX=$(command -v busybox 2>/dev/null || true)
[ -n "$BUSYBOX" ] || skip "busybox not installed (apt-get install busybox-static)"
# A dynamically linked busybox would need its libraries in the root.
if command -v ldd >/dev/null 2>&1 && ldd "$BUSYBOX" >/dev/null 2>&1; then
	skip "$BUSYBOX is not static (apt-get install busybox-static)"
fi
PROBE=${top_builddir:-.}/tests/integration/container_probe
[ -x "$PROBE" ] || skip "container_probe not built ($PROBE)"

FAILED=0
TMP=$(mktemp -d /tmp/harrier-runc-test.XXXXXX) || exit 2
CONTAINERS=""
CGMARKS=""

hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

cleanup() {
	# Snapshot while the containers still exist: runc delete removes
	# their own directories but leaves the parents it created.
	if [ -f "$TMP/cg.before" ]; then
		cgroup_new "$TMP/cg.before" "$TMP/cg.new"
	fi
	for c in $CONTAINERS; do
		runc kill "$c" KILL >/dev/null 2>&1
		runc delete -f "$c" >/dev/null 2>&1
	done
	# runc leaves the cgroup and its new parents in every hierarchy,
	# nested under the caller's cgroup in some: remove the directories
	# that did not exist before and lead to our containers, deepest
	# first (rmdir only ever removes empty ones).
	if [ -f "$TMP/cg.new" ]; then
		cgroup_remove_new "$TMP/cg.new" $CGMARKS
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

# Root file system: static busybox and the applets the container runs.
mkdir -p "$TMP/rootfs/bin" "$TMP/rootfs/etc" "$TMP/rootfs/proc" \
	"$TMP/rootfs/dev" "$TMP/rootfs/sys" "$TMP/rootfs/tmp"
cp "$BUSYBOX" "$TMP/rootfs/bin/busybox"
for a in sh sleep true cat; do ln -s busybox "$TMP/rootfs/bin/$a"; done
echo 'root:*:19000:0:99999:7:::' >"$TMP/rootfs/etc/shadow"

# make_bundle DIR CGROUPS_PATH ANNOTATIONS_JSON
make_bundle() {
	mkdir -p "$1" &&
	(cd "$1" && runc spec) &&
	jq --arg root "$TMP/rootfs" --arg cg "$2" --argjson ann "$3" '
		.root.path = $root | .root.readonly = true |
		.process.terminal = false |
		.process.args = ["sh", "-c", "sleep 5; true"] |
		.linux.cgroupsPath = $cg | .annotations = $ann' \
		"$1/config.json" >"$1/config.json.new" &&
	mv "$1/config.json.new" "$1/config.json"
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

# run_container ID BUNDLE -> pid in $TMP/ID.pid
run_container() {
	CONTAINERS="$CONTAINERS $1"
	runc run -d --bundle "$2" --pid-file "$TMP/$1.pid" "$1" \
		</dev/null >"$TMP/$1.log" 2>&1 || {
		cat "$TMP/$1.log"
		fail "runc run $1"
		return 1
	}
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

exec 9>/tmp/harrier-runc.lock
flock 9

cgroup_snapshot "$TMP/cg.before"

# --- docker-shaped ---------------------------------------------------
ID1=$(hex 32)
CGMARKS="$CGMARKS $ID1"
make_bundle "$TMP/b1" "system.slice/docker-$ID1.scope" '{}' ||
	{ fail "bundle 1"; exit 1; }
if run_container "$ID1" "$TMP/b1"; then
	PID1=$(cat "$TMP/$ID1.pid")
	"$PROBE" "$PID1" >"$TMP/p1.out" 2>&1 || fail "probe 1 exit $?"
	cat "$TMP/p1.out"
	expect "$TMP/p1.out" parse 1
	expect "$TMP/p1.out" cgroup.id "$ID1"
	expect "$TMP/p1.out" cgroup.runtime docker
	expect "$TMP/p1.out" cache.id "$ID1"
	expect "$TMP/p1.out" cache.runtime docker
	expect "$TMP/p1.out" proc.id "$ID1"
	expect "$TMP/p1.out" proc.vpid 1
	expect "$TMP/p1.out" child.id "$ID1"
	expect "$TMP/p1.out" gone.id "$ID1"
	expect "$TMP/p1.out" gone.attributed_from_parent 1
fi

# --- Kubernetes pod-shaped (cgroupfs driver) with annotations --------
ID2=$(hex 32)
POD_UID=$(hex 4)-$(hex 2)-$(hex 2)-$(hex 2)-$(hex 6)
CGMARKS="$CGMARKS $ID2 pod$POD_UID"
ANN=$(jq -n --arg uid "$POD_UID" '{
	"io.kubernetes.pod.name": "web-7d4",
	"io.kubernetes.pod.namespace": "prod",
	"io.kubernetes.pod.uid": $uid,
	"io.kubernetes.container.name": "nginx",
	"io.kubernetes.cri.image-name": "docker.io/library/nginx:1.25"}')
make_bundle "$TMP/b2" "kubepods/besteffort/pod$POD_UID/$ID2" "$ANN" ||
	{ fail "bundle 2"; exit 1; }
if run_container "$ID2" "$TMP/b2"; then
	PID2=$(cat "$TMP/$ID2.pid")
	"$PROBE" "$PID2" >"$TMP/p2.out" 2>&1 || fail "probe 2 exit $?"
	cat "$TMP/p2.out"
	expect "$TMP/p2.out" parse 1
	expect "$TMP/p2.out" cgroup.id "$ID2"
	expect "$TMP/p2.out" cgroup.runtime cri
	expect "$TMP/p2.out" cgroup.pod_uid "$POD_UID"
	expect "$TMP/p2.out" cache.pod_name web-7d4
	expect "$TMP/p2.out" cache.pod_namespace prod
	expect "$TMP/p2.out" cache.pod_uid "$POD_UID"
	expect "$TMP/p2.out" cache.k8s_container_name nginx
	expect "$TMP/p2.out" cache.name nginx
	expect "$TMP/p2.out" cache.image docker.io/library/nginx:1.25
	expect "$TMP/p2.out" proc.pod_name web-7d4
	expect "$TMP/p2.out" child.pod_namespace prod
	expect "$TMP/p2.out" gone.id "$ID2"
	expect "$TMP/p2.out" gone.pod_name web-7d4
fi

[ "$FAILED" = 0 ] || exit 1
echo "PASS"
exit 0
