#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The pushed-down kernel rules are a superset of what the rules match, on
# the real kernel: the same actions, on the host and in a runc container,
# give the same alerts with audit.pushdown true and false
# (superset_lib.sh), for the shipped rules and for a rules file of every
# condition shape the derivation handles (tests/fixtures/
# superset_rules.yaml: a file, a list, a directory, fd.directory, pmatch,
# glob, exceptions, or-branches over syscalls, a failure, a directory that
# appears while harrierd runs, chmod, a fallback, a rule of any type).
# Every rule there must fire on the host and in the container.
set -u
. "${top_srcdir:-.}/tests/integration/daemon_lib.sh"
. "$SRC/tests/integration/cgroup_lib.sh"
. "$SRC/tests/integration/superset_lib.sh"

need_root "kernel audit, runc containers"
need_tools runc jq sqlite3 auditctl flock
need_static_busybox
need_built "$HARRIERD"
audit_lock "$@"
test_tmp harrier-superset
audit_save
audit_need_pid_free

SS=/tmp/harrier-superset
RULES_SS=$SRC/tests/fixtures/superset_rules.yaml
rm_ss() { rm -rf "$SS"; }
at_cleanup rm_ss

# The same tree on the host and in the container's root.
ss_tree() {
	rm -rf "$1$SS"
	mkdir -p "$1$SS/wdir" "$1$SS/d1" "$1$SS/d3" "$1$SS/pm/sub" \
		"$1$SS/g1" "$1$SS/h" "$1$SS/ex" "$1$SS/del" "$1$SS/mv" &&
		for f in secret a b c d1/f d3/f pm/f pm/sub/f g1/key h/key \
			ex/f ex/f.ok; do
			echo x >"$1$SS/$f"
		done
}
busybox_rootfs "$TMP/rootfs"
for a in rm mv mkdir chmod touch; do ln -s busybox "$TMP/rootfs/bin/$a"; done
mkdir -p "$TMP/rootfs/usr/bin" "$TMP/rootfs/root"

# Reset the trees, then act. Host actions are single processes (their
# pids are what tells our alerts from the machine's).
prepare() {
	ss_tree "" && ss_tree "$TMP/rootfs" ||
		{ fail "cannot build the test trees"; return 1; }
	echo x >"$SS/mv/a" && echo x >"$TMP/rootfs$SS/mv/a" &&
		echo x >"$SS/del/f" && echo x >"$TMP/rootfs$SS/del/f" &&
		touch "$TMP/rootfs/root/.bash_history" &&
		rm -f "$TMP/rootfs/usr/bin/harrier-superset-x"
}
actions() {
	for run in ss_host ss_ct; do
		$run "cat $SS/secret"
		$run "cat $SS/a"
		$run "cat $SS/b"
		$run "cat $SS/c"
		$run "sh -c 'echo y >$SS/wdir/x'"
		$run "cat $SS/d1/f"
		$run "cat $SS/d3/f"
		$run "cat $SS/pm/sub/f"
		$run "cat $SS/g1/key"
		$run "cat $SS/h/key"
		$run "cat $SS/ex/f"
		$run "cat $SS/ex/f.ok"
		$run "rm $SS/del/f"
		$run "mv $SS/mv/a $SS/mv/b"
		$run "mkdir $SS/newdir"
		$run "cat $SS/missing/x"
		$run "chmod 600 $SS/secret"
		$run "sh -c 'true harrier-superset-marker'"
		# the shipped rules: a sensitive read
		$run "cat /etc/shadow"
	done
	# in the container only: writes below its binary directory, shell
	# history deleted (the host's are not the test's to touch)
	ss_ct "sh -c 'echo x >/usr/bin/harrier-superset-x'"
	ss_ct "rm /root/.bash_history"
	# a directory that was not there when harrierd started: filtered
	# once harrierd has seen it appear
	ss_host "mkdir $SS/late"
	ss_ct "mkdir $SS/late"
	ss_ct_done
	sleep 0.5
	ss_host "sh -c 'echo z >$SS/late/f'"
	ss_ct "sh -c 'echo z >$SS/late/f'"
}

runc_lock
ss_tree "$TMP/rootfs" || { fail "rootfs tree"; exit 1; }
ss_container "$TMP/rootfs" || exit 1
prepare || exit 1
# What would be installed, for review: the shapes pushed down (the
# writes below wdir/ are within the host's filter for late/, missing
# until the actions create it: the nearest directory that exists).
"$BUILD/harrier" rules kernel -r "$RULES_SS" >"$TMP/kernel.txt" ||
	fail "harrier rules kernel failed"
for want in "-F perm=r -F success=1 -F dir=$SS -k" \
	"-F perm=w -F success=1 -F dir=/run/harrier/anchors/0 -k" \
	"# dir=/run/harrier/anchors/0 also covers $SS/wdir $SS (one tree" \
	"# $SS/late does not exist here: looked for ($SS/late), filtered by it once it is there, until then by dir=$SS;" \
	"-S chmod,fchmodat -F success=1 -F path=$SS/secret" \
	"# execve: unfiltered (the plain syscall rule), needed by:" \
	"rule \"ss fallback\": it tests only what the kernel cannot (proc.args)"; do
	grep -qF -- "$want" "$TMP/kernel.txt" ||
		fail "harrier rules kernel lacks: $want"
done

SS_PREPARE=prepare
ss_compare shapes actions "$RULES_SHIPPED" "$RULES_SS"

# The container, running since before harrierd started, was found by
# the scan at start and kept while it runs.
grep -q "container root $TMP/rootfs: found running" \
	"$TMP/ss-shapes-pushdown.err" ||
	fail "the running container's root was not found at start"
grep "container root $TMP/rootfs: no process uses it" \
	"$TMP/ss-shapes-pushdown.err" &&
	fail "the running container's root was dropped"

# Every rule of the shapes file fired on the host and in the container
# (a property over nothing would prove nothing).
for r in "ss one file" "ss file list" "ss below dir" "ss directory in" \
	"ss pmatch" "ss glob" "ss exception" "ss or branches" "ss mkdir" \
	"ss failed open" "ss late dir" "ss chmod" "ss fallback" \
	"ss any type" "Read sensitive file untrusted"; do
	for w in host ct; do
		grep -q "^$r	$w	" "$TMP/ss-shapes-pushdown.tsv" ||
			fail "rule '$r' did not fire ($w)"
	done
done
for r in "Write below binary dir" "Delete or rename shell history"; do
	grep -q "^$r	ct	" "$TMP/ss-shapes-pushdown.tsv" ||
		fail "rule '$r' did not fire in the container"
done
# the host's tree is the kernel's: nothing of it must stay behind
check_restored "end"
[ $FAILED = 0 ] && echo "PASS"
exit $FAILED
