#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Containers end to end with the live daemon: harrierd on kernel audit
# (netlink), real runc containers with a busybox root shaped like (a) docker
# (system.slice/docker-<id>.scope), (b) containerd in Kubernetes
# (kubepods/besteffort/pod<uid>/<id>, io.kubernetes.* annotations in the
# bundle) and (c) podman --rootfs. Each runs `cat /etc/shadow` and a nested
# `sh -c`; the alerts on JSON stdout and in SQLite must carry the right
# container, pod and process facts, also for the short-lived cat that is
# gone before harrierd can read /proc. Holds /tmp/harrier-audit.lock
# throughout and /tmp/harrier-runc.lock around the container work; removes
# its containers, the cgroup directories the runtimes left and harrierd's
# kernel rules. Skips (77) without root, kernel audit, runc or the tools.
set -u
. "${top_srcdir:-.}/tests/integration/cgroup_lib.sh"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; FAILED=1; }

[ "$(id -u)" = 0 ] || skip "needs root (kernel audit, runc containers)"
for t in runc jq sqlite3 auditctl flock; do
	command -v $t >/dev/null 2>&1 || skip "$t not installed"
done
BUSYBOX=$(command -v busybox 2>/dev/null || true)
[ -n "$BUSYBOX" ] || skip "busybox not installed (apt-get install busybox-static)"
if command -v ldd >/dev/null 2>&1 && ldd "$BUSYBOX" >/dev/null 2>&1; then
	skip "$BUSYBOX is not static (apt-get install busybox-static)"
fi
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
HARRIERD=$(cd "$top_builddir" && pwd)/harrierd
[ -x "$HARRIERD" ] || skip "harrierd not built ($HARRIERD)"
PROBE=$(cd "$top_builddir" && pwd)/tests/integration/netlink_probe
RULES=$(cd "$top_srcdir" && pwd)/rules/harrier_rules.yaml
AUDIT_RULES=$(cd "$top_srcdir" && pwd)/audit-rules

# Kernel audit is global: never run next to another test that touches it.
if [ -z "${HARRIER_AUDIT_LOCKED:-}" ]; then
	HARRIER_AUDIT_LOCKED=1 top_srcdir=$top_srcdir \
		top_builddir=$top_builddir \
		exec flock /tmp/harrier-audit.lock sh "$0" "$@"
fi

status() { auditctl -s 2>/dev/null | awk -v k="$1" '$1 == k { print $2 }'; }
auditctl -s >/dev/null 2>&1 || skip "kernel audit not available (auditctl -s fails)"
ORIG_ENABLED=$(status enabled)
ORIG_PID=$(status pid)
ORIG_BACKLOG=$(status backlog_limit)
ORIG_WAIT=$(status backlog_wait_time)
[ "$ORIG_ENABLED" = 2 ] && skip "kernel audit is locked (enabled 2)"

FAILED=0
TMP=$(mktemp -d /tmp/harrier-live-ct.XXXXXX) || exit 2
# harrierd's record of the kernel settings it changed: keep the one a
# running instance may have.
KSTATE=/run/harrier/kernel-state
[ -e "$KSTATE" ] && cp -p "$KSTATE" "$TMP/kernel-state.saved" 2>/dev/null
HPID=""
RUNC_IDS=""
PODMAN_ID=""
CGMARKS=""
PODMAN="podman --cgroup-manager=cgroupfs --events-backend=file --runtime runc"

hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

stop_harrierd() {
	[ -n "$HPID" ] || return 0
	kill -TERM "$HPID" 2>/dev/null
	wait "$HPID" 2>/dev/null
	HRC=$?
	HPID=""
}

cleanup() {
	stop_harrierd
	# Snapshot while the containers still exist: deleting them removes
	# their own directories but leaves the parents the runtimes made.
	if [ -f "$TMP/cg.before" ]; then
		cgroup_new "$TMP/cg.before" "$TMP/cg.new"
	fi
	for c in $RUNC_IDS; do
		runc kill "$c" KILL >/dev/null 2>&1
		runc delete -f "$c" >/dev/null 2>&1
	done
	[ -n "$PODMAN_ID" ] && $PODMAN rm -f -t 0 "$PODMAN_ID" >/dev/null 2>&1
	# New directories that lead to our containers, with their new
	# ancestors, deepest first (rmdir only removes empty ones).
	if [ -f "$TMP/cg.new" ]; then
		cgroup_remove_new "$TMP/cg.new" $CGMARKS
	fi
	# harrierd removes its rules at stop; this only matters if it died.
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

# --- root file system, test rule --------------------------------------
mkdir -p "$TMP/rootfs/bin" "$TMP/rootfs/etc" "$TMP/rootfs/proc" \
	"$TMP/rootfs/dev" "$TMP/rootfs/sys" "$TMP/rootfs/tmp" \
	"$TMP/rootfs/run"
cp "$BUSYBOX" "$TMP/rootfs/bin/busybox"
for a in sh sleep true cat; do ln -s busybox "$TMP/rootfs/bin/$a"; done
echo 'root:*:19000:0:99999:7:::' >"$TMP/rootfs/etc/shadow"
# podman writes /etc/hosts and friends into its root: give it a copy.
cp -a "$TMP/rootfs" "$TMP/rootfs-podman"

# Every exec in a container, with every process/container/pod field.
cat >"$TMP/test_rules.yaml" <<'EOF'
- rule: Harrier test exec in container
  desc: every execve inside a container (test_container_live.sh)
  condition: evt.type = execve and container.id != host
  output: >
    exec in container (vpid=%proc.vpid pid=%proc.pid sid=%proc.sid
    name=%proc.name exe=%proc.exe exepath=%proc.exepath
    cmdline=%proc.cmdline pname=%proc.pname pexe=%proc.pexe
    pexepath=%proc.pexepath pcmdline=%proc.pcmdline aname1=%proc.aname[1]
    aname2=%proc.aname[2] apid1=%proc.apid[1] id=%container.id
    full_id=%container.full_id runtime=%container.runtime
    name=%container.name image=%container.image pod_uid=%k8s.pod.uid
    pod=%k8s.pod.name ns=%k8s.ns.name k8s_container=%k8s.container.name)
  priority: NOTICE
  tags: [test]
EOF

# --- harrierd ---------------------------------------------------------
# No journald: the machine's journal is not ours.
printf 'journald_output:\n  enabled: false\n' >"$TMP/harrier.yaml"
"$HARRIERD" -f -c "$TMP/harrier.yaml" --db "$TMP/alerts.db" --json \
	-r "$RULES" -r "$TMP/test_rules.yaml" --audit-rules "$AUDIT_RULES" \
	>"$TMP/out.json" 2>"$TMP/harrierd.log" &
HPID=$!
i=0
while ! grep -q 'ready' "$TMP/harrierd.log" 2>/dev/null; do
	if ! kill -0 "$HPID" 2>/dev/null || [ $i -ge 100 ]; then
		cat "$TMP/harrierd.log"
		HPID=""
		echo "FAIL: harrierd did not start"
		exit 1
	fi
	sleep 0.1
	i=$((i + 1))
done

# A host process: container.id must say "host".
cat /etc/shadow >/dev/null

# --- containers -------------------------------------------------------
# The init shell runs cat (a child that exits at once), a nested shell
# that runs cat (a grandchild), then stays alive so that nothing but the
# short-lived processes are gone when their events are processed.
CMD='cat /etc/shadow >/dev/null; sh -c "cat /etc/shadow >/dev/null; true"; exec sleep 30'

# make_bundle DIR CGROUPS_PATH ANNOTATIONS_JSON
make_bundle() {
	mkdir -p "$1" &&
	(cd "$1" && runc spec) &&
	jq --arg root "$TMP/rootfs" --arg cg "$2" --argjson ann "$3" \
		--arg cmd "$CMD" '
		.root.path = $root | .root.readonly = true |
		.process.terminal = false |
		.process.args = ["sh", "-c", $cmd] |
		.linux.cgroupsPath = $cg | .annotations = $ann' \
		"$1/config.json" >"$1/config.json.new" &&
	mv "$1/config.json.new" "$1/config.json"
}

# run_runc ID BUNDLE -> init's host pid in $TMP/ID.pid
run_runc() {
	RUNC_IDS="$RUNC_IDS $1"
	runc run -d --bundle "$2" --pid-file "$TMP/$1.pid" "$1" \
		</dev/null >"$TMP/$1.log" 2>&1 || {
		cat "$TMP/$1.log"
		fail "runc run $1"
		return 1
	}
}

exec 9>/tmp/harrier-runc.lock
flock 9
cgroup_snapshot "$TMP/cg.before"

ID1=$(hex 32)
CGMARKS="$CGMARKS $ID1"
make_bundle "$TMP/b1" "system.slice/docker-$ID1.scope" '{}' ||
	{ fail "bundle 1"; exit 1; }
run_runc "$ID1" "$TMP/b1"

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
run_runc "$ID2" "$TMP/b2"

PODMAN_NAME=""
if command -v podman >/dev/null 2>&1; then
	PODMAN_NAME=harrier-test-$(hex 4)
	CGMARKS="$CGMARKS libpod_parent"
	PODMAN_ID=$($PODMAN run -d --name "$PODMAN_NAME" --network none \
		--ulimit nofile=20000:20000 --ulimit nproc=4096:4096 \
		--rootfs "$TMP/rootfs-podman" sh -c "$CMD" 2>"$TMP/podman.log")
	if [ -z "$PODMAN_ID" ]; then
		cat "$TMP/podman.log"
		fail "podman run"
		PODMAN_NAME=""
	else
		CGMARKS="$CGMARKS $PODMAN_ID"
		$PODMAN inspect -f '{{.State.Pid}}' "$PODMAN_ID" \
			>"$TMP/$PODMAN_ID.pid" 2>/dev/null
	fi
else
	echo "SKIP (c): podman not installed (apt-get install podman)"
fi

# Wait for both cats and the init's `exec sleep` of every container (at
# most 20 s). One jq a round: the test's own opens are audited too.
IDS="$ID1 $ID2 $PODMAN_ID"
want=$(echo $IDS | wc -w)
i=0
while [ $i -lt 100 ]; do
	n=$(jq -rn --arg ids "$IDS" '
		[inputs] as $a | [$ids | splits(" +") | select(. != "")] |
		map(. as $id |
		    ([$a[] | select(.rule == "Read sensitive file untrusted"
			and .output_fields["container.id"] == $id[0:12])]
		     | length) >= 2 and
		    ([$a[] | select(.output_fields["container.full_id"] == $id
			and .output_fields["proc.exe"] == "sleep")]
		     | length) >= 1) | map(select(.)) | length' \
		"$TMP/out.json" 2>/dev/null)
	[ "${n:-0}" -ge "$want" ] && break
	sleep 0.2
	i=$((i + 1))
done
# Let the store writer commit, then stop: SQLite is checked after.
stop_harrierd
[ "${HRC:-1}" = 0 ] || fail "harrierd exit status $HRC"
cat "$TMP/harrierd.log"

# --- checks -----------------------------------------------------------
J="$TMP/out.json"
DB="$TMP/alerts.db"

# eq WHAT GOT EXPECTED
eq() {
	if [ "$2" = "$3" ]; then
		echo "ok: $1 = $3"
	else
		fail "$1: expected '$3', got '$2'"
	fi
}

# jfield ID SELECT FIELD: FIELD of the first exec alert of container ID
# that matches the jq condition SELECT.
jfield() {
	jq -r --arg id "$1" "select(.rule == \"Harrier test exec in container\"
		and .output_fields[\"container.full_id\"] == \$id) |
		select($2) | .output_fields[\"$3\"] // \"(null)\"" "$J" |
		head -n 1
}

sql() { sqlite3 -batch -noheader "$DB" "$1"; }

# check_container LABEL ID RUNTIME NAME POD NS
check_container() {
	l=$1 id=$2 short=$(echo "$2" | cut -c1-12)
	pid=$(cat "$TMP/$id.pid" 2>/dev/null)
	echo "--- $l: $id (init pid $pid)"
	[ -n "$pid" ] || fail "$l: no init pid"

	# The init's exec: vpid 1 (read from /proc while it runs).
	init='.output_fields["proc.pid"] == '$pid' and
	      .output_fields["proc.exe"] == "sh"'
	eq "$l init proc.vpid" "$(jfield "$id" "$init" proc.vpid)" 1
	eq "$l init proc.sid" "$(jfield "$id" "$init" proc.sid)" "$pid"
	eq "$l init container.id" "$(jfield "$id" "$init" container.id)" \
		"$short"
	eq "$l init container.runtime" \
		"$(jfield "$id" "$init" container.runtime)" "$3"
	eq "$l init proc.exepath" "$(jfield "$id" "$init" proc.exepath)" \
		/bin/busybox
	eq "$l init proc.cmdline" "$(jfield "$id" "$init" proc.cmdline)" \
		"sh -c $CMD"
	eq "$l container.name" "$(jfield "$id" "$init" container.name)" "$4"
	eq "$l k8s.pod.name" "$(jfield "$id" "$init" k8s.pod.name)" "$5"
	eq "$l k8s.ns.name" "$(jfield "$id" "$init" k8s.ns.name)" "$6"

	# The child cat: gone before harrierd looks, attributed from its
	# parent, the init shell.
	cat1='.output_fields["proc.exe"] == "cat" and
	      .output_fields["proc.apid[1]"] == '$pid''
	eq "$l cat container.full_id" \
		"$(jfield "$id" "$cat1" container.full_id)" "$id"
	eq "$l cat proc.pname" "$(jfield "$id" "$cat1" proc.pname)" sh
	eq "$l cat proc.pexe" "$(jfield "$id" "$cat1" proc.pexe)" sh
	eq "$l cat proc.pexepath" "$(jfield "$id" "$cat1" proc.pexepath)" \
		/bin/busybox
	eq "$l cat proc.pcmdline" "$(jfield "$id" "$cat1" proc.pcmdline)" \
		"sh -c $CMD"
	eq "$l cat proc.sid" "$(jfield "$id" "$cat1" proc.sid)" "$pid"
	eq "$l cat container.name" "$(jfield "$id" "$cat1" container.name)" \
		"$4"
	eq "$l cat k8s.pod.name" "$(jfield "$id" "$cat1" k8s.pod.name)" "$5"
	v=$(jfield "$id" "$cat1" proc.vpid)
	[ "$v" = "(null)" ] &&
		echo "note: $l cat was gone when processed (no vpid)"

	# The nested shell's cat: its parent is gone too; ancestors 1 and 2
	# are the nested shell (busybox re-executes itself as /proc/self/exe,
	# so its name is "exe") and the init shell.
	cat2='.output_fields["proc.exe"] == "cat" and
	      .output_fields["proc.apid[1]"] != '$pid''
	eq "$l nested cat container.full_id" \
		"$(jfield "$id" "$cat2" container.full_id)" "$id"
	eq "$l nested cat proc.pexe" "$(jfield "$id" "$cat2" proc.pexe)" sh
	eq "$l nested cat proc.aname[2]" \
		"$(jfield "$id" "$cat2" 'proc.aname[2]')" sh
	eq "$l nested cat proc.pcmdline" \
		"$(jfield "$id" "$cat2" proc.pcmdline | cut -d' ' -f2-)" \
		'-c cat /etc/shadow >/dev/null; true'

	# The shell spawned in the container.
	sh2='.output_fields["proc.exe"] == "sh" and
	     .output_fields["proc.pid"] != '$pid''
	eq "$l nested sh proc.pname" "$(jfield "$id" "$sh2" proc.pname)" sh
	eq "$l nested sh container.id" "$(jfield "$id" "$sh2" container.id)" \
		"$short"

	# Both reads of /etc/shadow, in JSON and SQLite.
	n=$(jq -r --arg s "$short" 'select(.rule ==
		"Read sensitive file untrusted" and
		.output_fields["container.id"] == $s) | .rule' "$J" | wc -l)
	eq "$l shadow alerts (json)" "$n" 2
	eq "$l shadow alerts (sqlite)" "$(sql "SELECT count(*) FROM alerts
		WHERE rule = 'Read sensitive file untrusted' AND
		container_id = '$id' AND file = '/etc/shadow'")" 2
	eq "$l sqlite container_name" "$(sql "SELECT DISTINCT
		ifnull(container_name, '(null)') FROM alerts
		WHERE container_id = '$id'")" "$4"
	eq "$l sqlite pod_name" "$(sql "SELECT DISTINCT
		ifnull(pod_name, '(null)') FROM alerts
		WHERE container_id = '$id'")" "$5"
	eq "$l sqlite pod_namespace" "$(sql "SELECT DISTINCT
		ifnull(pod_namespace, '(null)') FROM alerts
		WHERE container_id = '$id'")" "$6"
	eq "$l sqlite init vpid" "$(sql "SELECT
		json_extract(fields, '\$.\"proc.vpid\"') FROM alerts
		WHERE container_id = '$id' AND pid = $pid AND
		rule = 'Harrier test exec in container' LIMIT 1")" 1
	# Every alert of this container's pids went to this container.
	eq "$l misattributed (sqlite)" "$(sql "SELECT count(*) FROM alerts
		WHERE (pid = $pid OR ppid = $pid) AND
		ifnull(container_id, '') != '$id'")" 0
}

check_container docker "$ID1" docker "(null)" "(null)" "(null)"
check_container kubernetes "$ID2" cri nginx web-7d4 prod
init2='.output_fields["proc.exe"] == "sh"'
eq "kubernetes k8s.pod.uid" "$(jfield "$ID2" "$init2" k8s.pod.uid)" \
	"$POD_UID"
eq "kubernetes k8s.container.name" \
	"$(jfield "$ID2" "$init2" k8s.container.name)" nginx
eq "kubernetes container.image" "$(jfield "$ID2" "$init2" container.image)" \
	docker.io/library/nginx:1.25
if [ -n "$PODMAN_NAME" ]; then
	check_container podman "$PODMAN_ID" podman "$PODMAN_NAME" "(null)" \
		"(null)"
	eq "podman init proc.pname" \
		"$(jfield "$PODMAN_ID" "$init2" proc.pname)" conmon
fi

# The host's cat: container.id "host", no container in the store.
echo "--- host"
eq "host shadow container.id" "$(jq -r 'select(.rule ==
	"Read sensitive file untrusted" and
	.output_fields["proc.exepath"] != "/bin/busybox") |
	.output_fields["container.id"]' "$J" | sort -u | head -n 1)" host
eq "host shadow sqlite container_id" "$(sql "SELECT count(*) FROM alerts
	WHERE rule = 'Read sensitive file untrusted' AND exe != '/bin/busybox'
	AND container_id IS NOT NULL")" 0
# Every busybox read of /etc/shadow came from one of our containers.
eq "busybox shadow reads outside our containers" "$(sql "SELECT count(*)
	FROM alerts WHERE rule = 'Read sensitive file untrusted' AND
	exe = '/bin/busybox' AND ifnull(container_id, '') NOT IN
	('$ID1', '$ID2', '${PODMAN_ID:-x}')")" 0

# --- clean-up and restored audit state --------------------------------
trap - EXIT
cleanup
eq "audit enabled restored" "$(status enabled)" "$ORIG_ENABLED"
eq "audit pid restored" "$(status pid)" "$ORIG_PID"
if auditctl -l | grep -Eq '(key=|-k )harrier'; then
	fail "harrier kernel rules left behind"
fi
for id in $ID1 $ID2; do
	[ -d "/run/runc/$id" ] && fail "runc state left for $id"
done

[ "$FAILED" = 0 ] || exit 1
echo "PASS"
exit 0
