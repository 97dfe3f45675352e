# SPDX-License-Identifier: Apache-2.0
# Sourced, not run (after daemon_lib.sh: uses skip, fail, $TMP and
# at_cleanup). Real containers for tests: a static busybox root, runc
# bundles shaped like a runtime's, and their removal with what container
# runtimes leave behind: runc removes a container's own cgroup directories
# at delete but leaves the parents it created, in every hierarchy (and
# nests relative paths under the caller's cgroup in some). Tests snapshot
# the directories before they start containers and remove, after, exactly
# the new ones that lead to their containers: never anything they did not
# create.

# cgroup_snapshot FILE: every cgroup directory now, sorted.
cgroup_snapshot() {
	find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | sort >"$1"
}

# cgroup_new BEFORE NEW: the directories created since BEFORE, into NEW.
# Call it while the containers still exist: their own directories go at
# delete, and only a snapshot with them shows their new parents.
cgroup_new() {
	cgroup_snapshot "$2.all"
	comm -13 "$1" "$2.all" >"$2"
	rm -f "$2.all"
}

# cgroup_remove_new NEW MARK...: rmdir the directories of NEW whose path
# contains a MARK (container id, pod uid), with their new ancestors,
# deepest first (rmdir only ever removes empty ones); warn about any new
# directory that remains.
cgroup_remove_new() {
	_cg_new=$1
	shift
	for _cg_mark in "$@"; do
		grep -F -- "$_cg_mark" "$_cg_new"
	done | while read -r _cg_d; do
		while [ "$_cg_d" != /sys/fs/cgroup ] &&
			grep -qxF -- "$_cg_d" "$_cg_new"; do
			echo "$_cg_d"
			_cg_d=$(dirname "$_cg_d")
		done
	done | sort -u | awk '{ print length($0) " " $0 }' | sort -rn |
		cut -d' ' -f2- | while read -r _cg_d; do
		rmdir "$_cg_d" 2>/dev/null
	done
	while read -r _cg_d; do
		[ -d "$_cg_d" ] && echo "WARN: cgroup directory remains: $_cg_d"
	done <"$_cg_new"
	return 0
}

# hex N: N random bytes in hex (container ids, pod uids).
hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# need_static_busybox: BUSYBOX, or skip. A dynamically linked busybox
# would need its libraries in the root.
need_static_busybox() {
	BUSYBOX=$(command -v busybox 2>/dev/null || true)
	[ -n "$BUSYBOX" ] ||
		skip "busybox not installed (apt-get install busybox-static)"
	if command -v ldd >/dev/null 2>&1 && ldd "$BUSYBOX" >/dev/null 2>&1; then
		skip "$BUSYBOX is not static (apt-get install busybox-static)"
	fi
}

# busybox_rootfs DIR: a root file system: static busybox with the applets
# the tests run (sh sleep true cat) and an /etc/shadow to read.
busybox_rootfs() {
	mkdir -p "$1/bin" "$1/etc" "$1/proc" "$1/dev" "$1/sys" "$1/tmp" \
		"$1/run"
	cp "$BUSYBOX" "$1/bin/busybox"
	for _a in sh sleep true cat; do ln -s busybox "$1/bin/$_a"; done
	echo 'root:*:19000:0:99999:7:::' >"$1/etc/shadow"
}

# runc_bundle DIR ROOTFS CGROUPS_PATH CMD [ANNOTATIONS_JSON]: a runc
# bundle (a new config.json in DIR) that runs `sh -c CMD` in the
# read-only ROOTFS, in the cgroup path a runtime would use (relative:
# see TESTING.md), with the annotations (default none).
runc_bundle() {
	_ann='{}'
	[ $# -ge 5 ] && _ann=$5
	mkdir -p "$1" && rm -f "$1/config.json" &&
		(cd "$1" && runc spec) &&
		jq --arg root "$2" --arg cg "$3" --arg cmd "$4" \
			--argjson ann "$_ann" '
			.root.path = $root | .root.readonly = true |
			.process.terminal = false |
			.process.args = ["sh", "-c", $cmd] |
			.linux.cgroupsPath = $cg | .annotations = $ann' \
			"$1/config.json" >"$1/config.json.new" &&
		mv "$1/config.json.new" "$1/config.json"
}

# pod_bundle DIR ROOTFS ID CMD: runc_bundle for container ID shaped like
# containerd's in Kubernetes (cgroupfs driver: kubepods/besteffort/
# pod<uid>/<id>) with the io.kubernetes.* annotations of pod web-7d4 in
# namespace prod, container nginx, image nginx:1.25. The new pod uid is
# in POD_UID and marks the pod's cgroup directories for containers_remove.
pod_bundle() {
	POD_UID=$(hex 4)-$(hex 2)-$(hex 2)-$(hex 2)-$(hex 6)
	CGMARKS="$CGMARKS pod$POD_UID"
	_ann=$(jq -n --arg uid "$POD_UID" '{
		"io.kubernetes.pod.name": "web-7d4",
		"io.kubernetes.pod.namespace": "prod",
		"io.kubernetes.pod.uid": $uid,
		"io.kubernetes.container.name": "nginx",
		"io.kubernetes.cri.image-name": "docker.io/library/nginx:1.25"}') &&
		runc_bundle "$1" "$2" "kubepods/besteffort/pod$POD_UID/$3" \
			"$4" "$_ann"
}

# Containers and podman containers to remove, cgroup path parts (ids, pod
# uids) that mark the directories they leave.
RUNC_IDS=""
PODMAN_IDS=""
PODMAN="podman --cgroup-manager=cgroupfs --events-backend=file --runtime runc"
CGMARKS=""
# The parents runtimes create on the way to a container's cgroup (docker
# shaped paths, podman's cgroupfs manager, Kubernetes): marks of every
# test, since a container run in the foreground is gone with its own
# directory before the clean-up's snapshot, leaving the parent unmarked.
# Only directories new since runc_lock are ever removed.
CG_RUNTIME_PARENTS="system.slice libpod_parent kubepods"

# runc_lock: take /tmp/harrier-runc.lock (fd 9) for the rest of the test,
# snapshot the cgroup directories and have test_cleanup remove the
# containers. Before the first container.
runc_lock() {
	exec 9>/tmp/harrier-runc.lock
	flock 9
	cgroup_snapshot "$TMP/cg.before"
	at_cleanup containers_remove
}

# runc_run ID BUNDLE: start container ID detached (init's host pid in
# $TMP/ID.pid, runc's output in $TMP/ID.log); 1 and a failure if runc
# fails. ID and its cgroup mark are recorded for containers_remove first.
runc_run() {
	RUNC_IDS="$RUNC_IDS $1"
	CGMARKS="$CGMARKS $1"
	runc run -d --bundle "$2" --pid-file "$TMP/$1.pid" "$1" \
		</dev/null >"$TMP/$1.log" 2>&1 || {
		cat "$TMP/$1.log"
		fail "runc run $1"
		return 1
	}
}

# containers_remove: kill and delete the containers, then the cgroup
# directories the runtimes left on the way to them (new since runc_lock,
# with a CGMARKS part). Snapshot while the containers still exist:
# deleting them removes their own directories but not the parents.
containers_remove() {
	[ -n "$RUNC_IDS$PODMAN_IDS$CGMARKS" ] || [ -f "$TMP/cg.before" ] ||
		return 0
	[ -f "$TMP/cg.before" ] && cgroup_new "$TMP/cg.before" "$TMP/cg.new"
	for _c in $RUNC_IDS; do
		runc kill "$_c" KILL >/dev/null 2>&1
		runc delete -f "$_c" >/dev/null 2>&1
	done
	for _c in $PODMAN_IDS; do
		$PODMAN rm -f -t 0 "$_c" >/dev/null 2>&1
	done
	[ -f "$TMP/cg.new" ] &&
		cgroup_remove_new "$TMP/cg.new" $CGMARKS $CG_RUNTIME_PARENTS
	RUNC_IDS=""
	PODMAN_IDS=""
	CGMARKS=""
}
