# SPDX-License-Identifier: Apache-2.0
# Sourced, not run (after daemon_lib.sh and cgroup_lib.sh). The harness of
# the ruleset tests (test_rules_*.sh): one harrierd per test file with the
# shipped rules (JSON alerts on stdout, its own store), one long-lived
# runc container, triggers fired back to back, and the alerts checked
# once at the end against a list of expectations.
#
#   rs_setup NAME "$@"        skips, audit lock, $TMP, harrierd running
#   expect RULE [F=V|F~V]...  an alert of RULE must come whose output
#                             field F equals V (F~V: contains V)
#   expect_none RULE [F=V]... no alert of RULE with those fields
#   rs_check [TIMEOUT_S]      wait (up to 30 s) until every expectation is
#                             met, then report each one; failures to FAILED
#   rs_marked PRIO...         alerts with one of the priorities from the
#                             marked processes (see rs_mark), from the store
#   rs_superset FIRE          the superset property of the pushed-down
#                             kernel rules for these triggers: harrierd
#                             again with audit.pushdown false, FIRE (a
#                             function) fires the same triggers, and the
#                             marked alerts (rule, host or container,
#                             syscall, file) must be the same as with
#                             push-down (the run rs_check checked)
#
# Marking: rs_mark CMD... runs CMD with its audit login uid set to
# $RS_AUID (inherited by every descendant, also by the containers a
# runtime starts for it), so that alerts from what a test ran can be told
# from whatever else the machine does meanwhile (user.loginuid).

RS_AUID=4242
TRIGGER=$BUILD/tests/integration/trigger
RS_EXPECT=""
RS_JSON=""
RS_DB=""

# rs_setup NAME "$@": the common set-up of test_rules_*.sh.
rs_setup() {
	_rs_name=$1
	shift
	need_root "kernel audit, containers"
	need_tools auditctl flock jq sqlite3
	need_built "$HARRIERD"
	need_built "$TRIGGER"
	audit_lock "$@"
	test_tmp "harrier-$_rs_name"
	audit_save
	audit_need_pid_free
	[ -w /proc/self/loginuid ] ||
		skip "/proc/self/loginuid is not writable (audit login uids)"
	RS_EXPECT=$TMP/expect
	: >"$RS_EXPECT"
	RS_JSON=$TMP/rules.out
	RS_DB=$TMP/alerts.db
	harrier_conf
	start_harrierd rules --db "$RS_DB" --json -r "$RULES_SHIPPED" $AR ||
		exit 1
}

# rs_mark CMD [ARG]...: run CMD with login uid $RS_AUID.
rs_mark() {
	sh -c 'echo '"$RS_AUID"' > /proc/self/loginuid && exec "$@"' rs_mark "$@"
}

# expect RULE [FIELD=VALUE|FIELD~VALUE]...
expect() {
	_e_rule=$1
	shift
	printf '+\t%s' "$_e_rule" >>"$RS_EXPECT"
	for _e_c in "$@"; do printf '\t%s' "$_e_c" >>"$RS_EXPECT"; done
	printf '\n' >>"$RS_EXPECT"
}

expect_none() {
	_e_rule=$1
	shift
	printf -- '-\t%s' "$_e_rule" >>"$RS_EXPECT"
	for _e_c in "$@"; do printf '\t%s' "$_e_c" >>"$RS_EXPECT"; done
	printf '\n' >>"$RS_EXPECT"
}

# The jq program: for every expectation line (tab-separated: sign, rule,
# conditions), how many alerts match. Field values compare as text.
RS_JQ='
def cond_ok($a; $c):
  ($c | capture("^(?<f>[^=~]+)(?<op>[=~])(?<v>.*)$")) as $p
  | ($a.output_fields[$p.f] // null) as $x
  | ($x | if . == null then "<null>" else tostring end) as $s
  | if $p.op == "=" then $s == $p.v else ($s | contains($p.v)) end;
[inputs] as $alerts
| $exp | split("\n") | map(select(length > 0) | split("\t"))
| map(. as $e
      | [$alerts[] | select(.rule == $e[1])
         | . as $a | select(all($e[2:][]; cond_ok($a; .)))] | length)
| map(tostring) | join(" ")'

# rs_counts: one number per expectation (matching alerts so far).
rs_counts() {
	jq -rn --rawfile exp "$RS_EXPECT" "$RS_JQ" "$RS_JSON" 2>/dev/null
}

# (one jq and one awk a pass: a sed per expectation made each pass take
# seconds on a loaded machine)
rs_all_met() {
	_c=$(rs_counts) || return 1
	echo "$_c" | awk -v ef="$RS_EXPECT" '
		{ n = split($0, c, " ") }
		END {
			i = 0
			while ((getline line < ef) > 0) {
				i++
				if (substr(line, 1, 1) == "+" && (i > n || c[i] == 0))
					exit 1
			}
			exit 0
		}'
}

# rs_check [TIMEOUT_S]: wait for the expectations, then report them all.
rs_check() {
	wait_for "$((${1:-30} * 1000))" rs_all_met
	# The negative ones need the stragglers too.
	sleep 1
	_c=$(rs_counts)
	_i=0
	for _n in $_c; do
		_i=$((_i + 1))
		_line=$(sed -n "${_i}p" "$RS_EXPECT")
		_sign=$(echo "$_line" | cut -f1)
		_what=$(echo "$_line" | cut -f2- | tr '\t' ' ')
		if [ "$_sign" = + ] && [ "$_n" -gt 0 ]; then
			echo "ok: $_what ($_n)"
		elif [ "$_sign" = - ] && [ "$_n" = 0 ]; then
			echo "ok: none of $_what"
		elif [ "$_sign" = + ]; then
			fail "no alert: $_what"
			rs_near "$(echo "$_line" | cut -f2)"
		else
			fail "$_n unexpected alert(s): $_what"
		fi
	done
	[ "$FAILED" = 0 ] && return 0
	# Why alerts may be missing: events the kernel or harrierd dropped.
	echo "kernel audit: $(auditctl -s | tr '\n' ' ')"
	kill -USR1 "$HPID" 2>/dev/null && sleep 0.5
	grep 'stats:' "$TMP/rules.err" | tail -n 1
	jq -r 'select(.rule | startswith("Harrier internal")) | .output' \
		"$RS_JSON" | tail -n 3
}

# rs_near RULE: what alerts of RULE did come (to debug a miss).
rs_near() {
	jq -c --arg r "$1" 'select(.rule == $r) | .output_fields' "$RS_JSON" |
		head -n 5 | sed 's/^/    got: /'
}

# rs_marked PRIO...: the stored alerts from marked processes with one of
# the priorities given, as "priority|rule|exe|file" lines.
rs_marked() {
	_in=""
	for _p in "$@"; do _in="$_in${_in:+,}'$_p'"; done
	sqlite3 -batch -noheader -separator '|' "$RS_DB" "SELECT priority, rule,
		ifnull(exe, ''), ifnull(file, ''), ifnull(cmdline, '')
		FROM alerts WHERE auid = $RS_AUID AND priority IN ($_in)"
}

# rs_alert_set DB: the marked alerts as "rule|where|syscall|file" lines,
# sorted and unique (where: the container id, or host). An exec's file is
# left out: whether the link it ran (/bin/sh) resolves to its target
# (/bin/busybox) depends on the process still being there to look at.
rs_alert_set() {
	sqlite3 -batch -noheader -separator '|' "$1" "SELECT DISTINCT rule,
		ifnull(container_id, 'host'), ifnull(syscall, ''),
		CASE WHEN syscall IN ('execve', 'execveat') THEN ''
		     ELSE ifnull(file, '') END
		FROM alerts WHERE auid = $RS_AUID" | sort -u
}

# rs_kernel_lost: the kernel's count of audit records it dropped.
rs_kernel_lost() {
	auditctl -s | awk '$1 == "lost" { print $2; f = 1 } END { if (!f) print 0 }'
}

# rs_superset FIRE: see the top. harrierd (the pushed-down run) is
# stopped; the alerts of the plain run are in $TMP/plain.db.
rs_superset() {
	if ! "$HARRIERD" --help 2>&1 | grep -q 'audit.pushdown'; then
		echo "note: this harrierd has no audit.pushdown: no superset run"
		return 0
	fi
	stop_harrierd
	[ "${HRC:-1}" = 0 ] || fail "harrierd exit status $HRC"
	rs_alert_set "$RS_DB" >"$TMP/pushdown.set"
	harrier_conf "audit:" "  pushdown: false"
	start_harrierd plain --db "$TMP/plain.db" -r "$RULES_SHIPPED" $AR ||
		return 1
	_rs_lost0=$(rs_kernel_lost)
	"$1"
	# Until the plain run has every alert the pushed-down one had (it
	# audits more, so it is slower), 30 s at most; then the stragglers.
	rs_plain_caught_up() {
		rs_alert_set "$TMP/plain.db" >"$TMP/plain.set"
		[ -z "$(comm -23 "$TMP/pushdown.set" "$TMP/plain.set")" ]
	}
	wait_for 30000 rs_plain_caught_up
	# Unaudited everything is much more: on a loaded machine the
	# kernel may drop records (its backlog full; counted in `lost`,
	# and harrierd raises its lost-events alert). Then the triggers are
	# fired once more, which a missing alert must survive; a difference
	# without losses is a failure at once.
	_rs_lost1=$(rs_kernel_lost)
	if ! rs_plain_caught_up && [ "$_rs_lost1" -gt "$_rs_lost0" ]; then
		echo "note: the kernel lost $((_rs_lost1 - _rs_lost0)) record(s) in the plain run: its triggers again"
		"$1"
		wait_for 30000 rs_plain_caught_up
	fi
	sleep 1
	rs_alert_set "$TMP/plain.db" >"$TMP/plain.set"
	echo "superset: $(wc -l <"$TMP/pushdown.set") distinct alerts pushed down, $(wc -l <"$TMP/plain.set") plain"
	if ! diff "$TMP/plain.set" "$TMP/pushdown.set" >"$TMP/superset.diff"; then
		fail "the alerts differ with and without push-down (< plain, > pushed down):"
		sed 's/^/    /' "$TMP/superset.diff"
	fi
	stop_harrierd
	[ "${HRC:-1}" = 0 ] || fail "harrierd (plain) exit status $HRC"
}

# copy_with_libs BIN ROOT: BIN and the shared libraries it loads, at the
# same paths below ROOT (for dynamically linked programs in a container).
copy_with_libs() {
	mkdir -p "$2$(dirname "$1")" && cp -L "$1" "$2$1" || return 1
	ldd "$1" 2>/dev/null | awk '{ for (i = 1; i <= NF; i++)
		if ($i ~ /^\//) print $i }' | while read -r _lib; do
		[ -e "$2$_lib" ] && continue
		mkdir -p "$2$(dirname "$_lib")" && cp -L "$_lib" "$2$_lib"
	done
}

# rs_rootfs DIR: a busybox root for the trigger container: the applets the
# triggers use, the static trigger helper, bash and ssh with their
# libraries, a writable /tmp, a fifo the host opens to start the triggers.
rs_rootfs() {
	busybox_rootfs "$1"
	for _a in ls id grep find nc mount unshare nsenter ip rm cp mv ln chmod \
		mkdir rmdir umount echo shred timeout touch true passwd; do
		[ -e "$1/bin/$_a" ] || ln -s busybox "$1/bin/$_a"
	done
	cp "$TRIGGER" "$1/bin/harrier-trigger"
	ln -s harrier-trigger "$1/bin/nginx"
	copy_with_libs /bin/bash "$1" || return 1
	if command -v ssh >/dev/null 2>&1; then
		copy_with_libs "$(command -v ssh)" "$1" || return 1
		[ "$(command -v ssh)" = /usr/bin/ssh ] ||
			ln -s "$(command -v ssh)" "$1/usr/bin/ssh"
	fi
	mkdir -p "$1/root" "$1/mnt" "$1/usr/bin" "$1/etc/cron.d"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$1/etc/passwd"
	echo 'root:x:0:' >"$1/etc/group"
	echo 'history' >"$1/root/.ash_history"
	mkfifo "$1/tmp/go"
}

# rs_bundle DIR ROOTFS ID CMD: pod_bundle (Kubernetes-shaped: pod web-7d4,
# container nginx) with a writable root, the capabilities a privileged
# workload has for mounts, namespaces and raw sockets (CAP_SYS_MODULE
# stays out), and /dev/shm without noexec.
rs_bundle() {
	pod_bundle "$1" "$2" "$3" "$4" || return 1
	jq '.root.readonly = false |
	    .process.capabilities |= with_entries(.value +=
		["CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_NET_RAW",
		 "CAP_SYS_PTRACE"]) |
	    .mounts |= map(if .destination == "/dev/shm" then
		.options |= map(select(. != "noexec")) else . end)' \
		"$1/config.json" >"$1/config.json.new" &&
		mv "$1/config.json.new" "$1/config.json"
}
