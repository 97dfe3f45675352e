# SPDX-License-Identifier: Apache-2.0
# Sourced, not run (after daemon_lib.sh and cgroup_lib.sh): the superset
# property of the pushed-down kernel rules, live. The same real actions,
# on the host and in a runc container, run once with the kernel rules
# pushed down (audit.pushdown: true) and once with plain syscall rules
# (false); the alerts must be the same. For any rules files:
#
#   ss_container ROOTFS        start the shared container (runc, a
#                              docker-shaped cgroup, ROOTFS writable; its
#                              shell runs what ss_ct sends it)
#   my_actions() {             the actions, each a shell command line
#                              through one of:
#       ss_host 'CMD'          on the host, as one process (its pid is
#                              recorded: alerts of other processes on the
#                              machine are not ours and are left out)
#       ss_ct 'CMD'            in the container, a child of its shell
#                              (a container's long-lived process: the
#                              short-lived ones are attributed from it)
#   }
#   ss_compare NAME my_actions RULES...
#                              both runs (SS_PREPARE, when set, names a
#                              function run before each harrierd starts:
#                              the state the actions expect); fails on
#                              any difference; the
#                              alerts are in $TMP/ss-NAME-pushdown.tsv
#                              (rule, host|ct, syscall, file, cmdline)
#
# Needs $TMP, harrier_conf, start_harrierd (daemon_lib.sh), runc_lock
# (cgroup_lib.sh) done by the caller, and the audit lock.

SS_CT=""
SS_ROOTFS=""
SS_PIDS=""

# ss_container ROOTFS: a long-lived container on ROOTFS for ss_ct: its
# shell reads command lines from the FIFO /ss-fifo and runs each.
ss_container() {
	SS_CT=$(hex 32)
	SS_ROOTFS=$1
	CGMARKS="$CGMARKS $SS_CT"
	rm -f "$1/ss-fifo" "$1/ss-done"
	mkfifo "$1/ss-fifo" || return 1
	runc_bundle "$TMP/ss-bundle" "$1" "system.slice/docker-$SS_CT.scope" \
		'while :; do while IFS= read -r l; do sh -c "$l"; done </ss-fifo; done' ||
		return 1
	jq '.root.readonly = false' "$TMP/ss-bundle/config.json" \
		>"$TMP/ss-bundle/c" &&
		mv "$TMP/ss-bundle/c" "$TMP/ss-bundle/config.json"
	runc_run "$SS_CT" "$TMP/ss-bundle"
}

# ss_host 'CMD': run the command line on the host, its pid recorded.
ss_host() {
	sh -c 'echo $$ >>"$0"; eval "exec $1"' "$SS_PIDS" "$1" \
		>/dev/null 2>&1
	return 0
}

# ss_ct 'CMD': have the container's shell run the command line.
ss_ct() {
	printf '%s\n' "$1 >/dev/null 2>&1" >"$SS_ROOTFS/ss-fifo"
}

# ss_ct_done: wait (5 s at most) until the container ran all sent so far.
ss_ct_done() {
	[ -n "$SS_ROOTFS" ] || return 0
	ss_ct "touch /ss-done"
	wait_for 5000 test -e "$SS_ROOTFS/ss-done" ||
		fail "superset: the container did not run the actions"
	rm -f "$SS_ROOTFS/ss-done"
}

# ss_alerts DB: the alerts of our actions, one line each, sorted.
ss_alerts() {
	_ss_pids=$(sort -u "$SS_PIDS" | tr '\n' ',' | sed 's/,$//')
	sqlite3 -batch -noheader -separator '	' "$1" "
		select rule,
		       case when container_id = '$SS_CT' then 'ct'
			    else 'host' end,
		       syscall, coalesce(file, ''), coalesce(cmdline, '')
		from alerts
		where container_id = '$SS_CT' or pid in (${_ss_pids:-0})" |
		sort -u
}

# ss_compare NAME ACTIONS RULES...
ss_compare() {
	_ss_name=$1
	_ss_act=$2
	shift 2
	_ss_rargs=""
	for _ss_r in "$@"; do _ss_rargs="$_ss_rargs -r $_ss_r"; done
	for _ss_mode in pushdown plain; do
		_ss_pd=true
		[ "$_ss_mode" = plain ] && _ss_pd=false
		harrier_conf "audit:" "  pushdown: $_ss_pd"
		# one path: it is in the recorded command lines
		SS_PIDS=$TMP/ss.pids
		: >"$SS_PIDS"
		[ -z "${SS_PREPARE:-}" ] || "$SS_PREPARE" || return 1
		# shellcheck disable=SC2086
		start_harrierd "ss-$_ss_name-$_ss_mode" \
			--db "$TMP/ss-$_ss_name-$_ss_mode.db" $_ss_rargs $AR || return 1
		"$_ss_act"
		ss_ct_done
		# the last events through the pipeline and into the store
		sleep 1.5
		stop_harrierd
		ss_alerts "$TMP/ss-$_ss_name-$_ss_mode.db" \
			>"$TMP/ss-$_ss_name-$_ss_mode.tsv"
		cp "$SS_PIDS" "$TMP/ss-$_ss_name-$_ss_mode.pids"
	done
	echo "superset $_ss_name: $(wc -l <"$TMP/ss-$_ss_name-pushdown.tsv") alerts" \
		"pushed down, $(wc -l <"$TMP/ss-$_ss_name-plain.tsv") plain"
	if ! diff "$TMP/ss-$_ss_name-plain.tsv" "$TMP/ss-$_ss_name-pushdown.tsv"; then
		fail "superset $_ss_name: the alerts differ (< plain, > pushed down)"
		grep 'kernel audit rules' "$TMP/ss-$_ss_name-pushdown.err"
	fi
	[ -s "$TMP/ss-$_ss_name-pushdown.tsv" ] ||
		fail "superset $_ss_name: no alerts at all"
}
