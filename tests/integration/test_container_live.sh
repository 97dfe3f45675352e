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
. "${top_srcdir:-.}/tests/integration/daemon_lib.sh"
. "$SRC/tests/integration/cgroup_lib.sh"

need_root "kernel audit, runc containers"
need_tools runc jq sqlite3 auditctl flock
need_static_busybox
need_built "$HARRIERD"

audit_lock "$@"
test_tmp harrier-live-ct
audit_save

# --- root file system, test rule --------------------------------------
busybox_rootfs "$TMP/rootfs"
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
- rule: Harrier test exe layer
  desc: the image layer or the container's own writes (overlay upper)
  condition: evt.type = execve and container.id != host and proc.exepath = /u/sleep
  output: >
    layer (upper=%proc.is_exe_upper_layer exe=%proc.exepath
    memfd=%proc.is_exe_from_memfd mounts=%container.mounts)
  priority: NOTICE
  tags: [test]
EOF

# --- harrierd ---------------------------------------------------------
harrier_conf
start_harrierd live --db "$TMP/alerts.db" --json -r "$RULES_SHIPPED" \
	-r "$TMP/test_rules.yaml" $AR || exit 1

# A host process: container.id must say "host".
cat /etc/shadow >/dev/null

# --- containers -------------------------------------------------------
# The init shell runs cat (a child that exits at once), a nested shell
# that runs cat (a grandchild), then stays alive so that nothing but the
# short-lived processes are gone when their events are processed.
CMD='cat /etc/shadow >/dev/null; sh -c "cat /etc/shadow >/dev/null; true"; exec sleep 30'

runc_lock
img_remove() { [ -n "${IMG:-}" ] && $PODMAN rmi -f "$IMG" >/dev/null 2>&1; }

ID1=$(hex 32)
runc_bundle "$TMP/b1" "$TMP/rootfs" "system.slice/docker-$ID1.scope" "$CMD" ||
	{ fail "bundle 1"; exit 1; }
runc_run "$ID1" "$TMP/b1"

ID2=$(hex 32)
pod_bundle "$TMP/b2" "$TMP/rootfs" "$ID2" "$CMD" ||
	{ fail "bundle 2"; exit 1; }
runc_run "$ID2" "$TMP/b2"

# runc init exec'ing cat in place: the kernel keeps runc init's
# PROCTITLE for cat's open; the command line must be cat's execve.
ID3=$(hex 32)
runc_bundle "$TMP/b3" "$TMP/rootfs" "system.slice/docker-$ID3.scope" "" &&
	jq '.process.args = ["cat", "/etc/shadow"]' "$TMP/b3/config.json" \
		>"$TMP/b3/c.json" && mv "$TMP/b3/c.json" "$TMP/b3/config.json" ||
	{ fail "bundle 3"; exit 1; }
runc_run "$ID3" "$TMP/b3"

PODMAN_ID=""
PODMAN_NAME=""
PODMAN_CAT=""
if command -v podman >/dev/null 2>&1; then
	PODMAN_NAME=harrier-test-$(hex 4)
	PODMAN_ID=$($PODMAN run -d --name "$PODMAN_NAME" --network none \
		--ulimit nofile=20000:20000 --ulimit nproc=4096:4096 \
		--rootfs "$TMP/rootfs-podman" sh -c "$CMD" 2>"$TMP/podman.log")
	if [ -z "$PODMAN_ID" ]; then
		cat "$TMP/podman.log"
		fail "podman run"
		PODMAN_NAME=""
	else
		PODMAN_IDS=$PODMAN_ID
		CGMARKS="$CGMARKS $PODMAN_ID"
		$PODMAN inspect -f '{{.State.Pid}}' "$PODMAN_ID" \
			>"$TMP/$PODMAN_ID.pid" 2>/dev/null
	fi
	# An image (overlay root): a binary written in the container runs
	# from the upper layer (proc.is_exe_upper_layer; read while it
	# lives, hence the sleep: 3 s, as harrierd may be seconds behind under
	# a loaded CI with sanitizers).
	IMG=localhost/harrier-test-$(hex 4)
	if tar -C "$TMP/rootfs" -c . | $PODMAN import - "$IMG" \
		>/dev/null 2>>"$TMP/podman.log"; then
		at_cleanup img_remove
		$PODMAN run --rm --network none --ulimit nofile=20000:20000 \
			--ulimit nproc=4096:4096 "$IMG" sh -c \
			'/bin/busybox mkdir -p /u && /bin/busybox cp /bin/busybox /u/sleep && /u/sleep 3' \
			>/dev/null 2>>"$TMP/podman.log" ||
			fail "podman run of the image"
	else
		cat "$TMP/podman.log"
		fail "podman import"
	fi
	# The issue's case: `podman run ... cat /etc/shadow`.
	PODMAN_CAT=$($PODMAN run -d --network none \
		--ulimit nofile=20000:20000 --ulimit nproc=4096:4096 \
		--rootfs "$TMP/rootfs-podman" cat /etc/shadow 2>>"$TMP/podman.log")
	if [ -n "$PODMAN_CAT" ]; then
		PODMAN_IDS="$PODMAN_IDS $PODMAN_CAT"
		CGMARKS="$CGMARKS $PODMAN_CAT"
	else
		cat "$TMP/podman.log"
		fail "podman run cat"
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
		"$TMP/live.out" 2>/dev/null)
	m=$(jq -rn --arg ids "$ID3 $PODMAN_CAT" '
		[inputs] as $a | [$ids | splits(" +") | select(. != "")] |
		map(. as $id | [$a[] | select(.rule ==
			"Read sensitive file untrusted" and
			.output_fields["container.id"] == $id[0:12])] |
			length >= 1) | map(select(.)) | length' \
		"$TMP/live.out" 2>/dev/null)
	[ "${n:-0}" -ge "$want" ] &&
		[ "${m:-0}" -ge $(echo $ID3 $PODMAN_CAT | wc -w) ] && break
	sleep 0.2
	i=$((i + 1))
done
# Let the store writer commit, then stop: SQLite is checked after.
stop_harrierd
[ "${HRC:-1}" = 0 ] || fail "harrierd exit status $HRC"
cat "$TMP/live.err"

# --- checks -----------------------------------------------------------
J="$TMP/live.out"
DB="$TMP/alerts.db"

# eq WHAT GOT EXPECTED
eq() {
	if [ "$2" = "$3" ]; then
		echo "ok: $1 = $3"
	else
		fail "$1: expected '$3', got '$2'"
		return 1
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
	# The names on every alert of the container's own processes. Not
	# on runc's re-exec as its init: it runs before runc has saved the
	# container's state, and its cgroup, read a batch later, may already
	# be the container's.
	own="container_id = '$id' AND exe NOT LIKE '%/runc'"
	eq "$l sqlite container_name" "$(sql "SELECT DISTINCT
		ifnull(container_name, '(null)') FROM alerts WHERE $own")" \
		"$4" ||
		sql "SELECT time, rule, pid, ppid, exe, syscall,
		ifnull(container_name, '(null)') FROM alerts
		WHERE container_id = '$id'" | sed 's/^/  alert: /'
	eq "$l sqlite pod_name" "$(sql "SELECT DISTINCT
		ifnull(pod_name, '(null)') FROM alerts WHERE $own")" "$5"
	eq "$l sqlite pod_namespace" "$(sql "SELECT DISTINCT
		ifnull(pod_namespace, '(null)') FROM alerts WHERE $own")" "$6"
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

# A container whose init is cat itself (runc init exec'd it in place):
# the store's cmdline and proc.cmdline are cat's, not "runc init".
for id in $ID3 $PODMAN_CAT; do
	echo "--- exec in place: $id"
	eq "exec-in-place store cmdline" "$(sql "SELECT DISTINCT cmdline
		FROM alerts WHERE rule = 'Read sensitive file untrusted' AND
		container_id = '$id'")" "cat /etc/shadow" ||
		sql "SELECT container_id, pid, exe, cmdline FROM alerts WHERE
		rule = 'Read sensitive file untrusted'" | sed 's/^/  alert: /'
	eq "exec-in-place proc.cmdline" "$(jq -r --arg s "$id" 'select(.rule ==
		"Read sensitive file untrusted" and
		.output_fields["container.id"] == $s[0:12]) |
		.output_fields["proc.cmdline"]' "$J" | sort -u)" \
		"cat /etc/shadow"
done

if [ -n "${IMG:-}" ]; then
	echo "--- overlay upper layer"
	eq "/u/sleep written in the container runs from the upper layer" \
		"$(jq -r 'select(.rule == "Harrier test exe layer") |
		.output_fields["proc.is_exe_upper_layer"]' "$J" | head -n 1)" \
		true
	jq -r 'select(.rule == "Harrier test exe layer") |
		.output_fields["container.mounts"]' "$J" | head -n 1 |
		grep -q '/proc:' || fail "container.mounts lacks /proc"
fi

# The host's cat: container.id "host", in the store too (Falco's value).
echo "--- host"
eq "host shadow container.id" "$(jq -r 'select(.rule ==
	"Read sensitive file untrusted" and
	.output_fields["proc.exepath"] != "/bin/busybox") |
	.output_fields["container.id"]' "$J" | sort -u | head -n 1)" host
eq "host shadow sqlite container_id" "$(sql "SELECT count(*) FROM alerts
	WHERE rule = 'Read sensitive file untrusted' AND exe != '/bin/busybox'
	AND ifnull(container_id, '') != 'host'")" 0
# Every busybox read of /etc/shadow came from one of our containers.
eq "busybox shadow reads outside our containers" "$(sql "SELECT count(*)
	FROM alerts WHERE rule = 'Read sensitive file untrusted' AND
	exe = '/bin/busybox' AND ifnull(container_id, '') NOT IN
	('$ID1', '$ID2', '$ID3', '${PODMAN_ID:-x}', '${PODMAN_CAT:-x}')")" 0

# --- clean-up and restored audit state --------------------------------
trap - EXIT
test_cleanup
check_restored "end"
for id in $ID1 $ID2 $ID3; do
	[ -d "/run/runc/$id" ] && fail "runc state left for $id"
done

[ "$FAILED" = 0 ] || exit 1
echo "PASS"
exit 0
