#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Live sources and kernel rules against the real kernel audit subsystem:
#  1. netlink "daemon" mode (audit pid free) sees `cat /etc/shadow` through
#     a harrier watch, then leaves pid 0, the enabled flag, the backlog limit
#     and no harrier rules behind;
#  2. "multicast" mode next to a private auditd (auditd -f -n -c DIR) sees
#     the same, and the stdin source as that auditd's plugin sees it too;
#  3. remove_all leaves a rule with a foreign key (htest_other) in place;
#  4. the tamper check notices when one harrier rule is deleted (auditctl -d
#     of exactly that rule) and re-installing repairs it.
# Holds /tmp/harrier-audit.lock throughout; adds only rules keyed harrier*
# and htest_other, and removes exactly those. Skips (77) without root or
# kernel audit, or when another audit daemon holds the audit pid.
set -u
. "${top_srcdir:-.}/tests/integration/daemon_lib.sh"

need_root "kernel audit"
need_tools auditctl flock
need_built "$PROBE"

audit_lock "$@"
test_tmp harrier-netlink-test
audit_save
audit_need_pid_free
OTHER_RULE=""
# remove_other_rule: the foreign test rule of case 3, if a failure left it.
remove_other_rule() {
	[ -n "$OTHER_RULE" ] && auditctl -d $OTHER_RULE >/dev/null 2>&1
	OTHER_RULE=""
}
at_cleanup remove_other_rule

cat >"$TMP/shadow.rules" <<'EOF'
# test rules: one watch, one syscall rule (expanded to b64 and b32)
-w /etc/shadow -p r -k harrier_test_shadow
-a always,exit -S sethostname -k harrier_test_other
EOF

# The records of the cat, in auditd's line format (EREs for the probe).
SYSCALL_ERE='^type=SYSCALL msg=audit\([0-9]+\.[0-9]+:[0-9]+\): arch=.* comm="cat" .*key="harrier_test_shadow"$'
PATH_ERE='^type=PATH msg=audit\([0-9.:]+\): item=0 name="/etc/shadow" .*nametype=NORMAL'
EOE_ERE='^type=EOE msg=audit\([0-9.:]+\): ?$'

# listen_shadow NAME MODE RUN: the probe listens in MODE with the test
# rules while RUN reads /etc/shadow, until it saw the cat's SYSCALL, PATH
# and EOE records (10 s at most); its output shown and in $TMP/NAME.out,
# its exit code in rc.
listen_shadow() {
	"$PROBE" listen --mode "$2" --rules "$TMP/shadow.rules" --run "$3" \
		--expect "$SYSCALL_ERE" --expect "$PATH_ERE" \
		--expect "$EOE_ERE" --timeout 10 >"$TMP/$1.out" 2>&1
	rc=$?
	cat "$TMP/$1.out"
}

# ---- 0. clear errors without privileges ----
if command -v setpriv >/dev/null 2>&1 &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$PROBE" 2>/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$PROBE" listen --timeout 0 >"$TMP/nonroot.out" 2>&1
	rc=$?
	[ $rc = 2 ] && grep -q 'run as root' "$TMP/nonroot.out" ||
		fail "not root: exit $rc, '$(cat "$TMP/nonroot.out")'"
else
	echo "note: not-root check skipped (nobody cannot execute $PROBE)"
fi

# ---- 1. daemon mode ----
listen_shadow daemon daemon 'cat /etc/shadow >/dev/null'
[ $rc = 0 ] || fail "daemon mode: probe exit $rc (records not seen)"
grep -q '^mode=daemon ' "$TMP/daemon.out" || fail "daemon mode: not in daemon mode"
grep -q '^stats records=[1-9]' "$TMP/daemon.out" || fail "daemon mode: no records counted"
grep -q 'malformed=0' "$TMP/daemon.out" || fail "daemon mode: malformed messages"
check_restored "daemon mode"

# ---- 2. multicast mode next to a real auditd, and the stdin plugin ----
AD="$TMP/auditd"
write_auditd_conf "$AD"
# The shipped plugins.d entry, pointed at the probe's stdin mode.
write_auditd_plugin "$AD" "$PROBE" "stdin $TMP/plugin.out"
if ! start_auditd "$AD"; then
	fail "multicast mode: auditd did not take the audit pid"
	cat "$TMP/auditd.stderr"
else
	# Insisting on daemon mode fails clearly while auditd holds the pid.
	"$PROBE" listen --mode daemon --timeout 0 >"$TMP/held.out" 2>&1
	rc=$?
	[ $rc = 2 ] && grep -q "audit pid is held by process $APID" "$TMP/held.out" ||
		fail "pid held: exit $rc, '$(cat "$TMP/held.out")'"
	listen_shadow mcast auto 'sleep 0.3; cat /etc/shadow >/dev/null'
	[ $rc = 0 ] || fail "multicast mode: probe exit $rc (records not seen)"
	grep -q '^mode=multicast ' "$TMP/mcast.out" ||
		fail "multicast mode: auto did not choose multicast"
	[ "$(status pid)" = "$APID" ] ||
		fail "multicast mode: the audit pid moved away from auditd"
	sleep 0.5
	stop_auditd
	# The plugin got the same event on stdin, one record per line.
	if ! grep -q 'type=SYSCALL msg=audit(.*comm="cat".*key="harrier_test_shadow"' \
		"$TMP/plugin.out" 2>/dev/null; then
		fail "stdin plugin: no SYSCALL record of the cat in $TMP/plugin.out"
		head -5 "$TMP/plugin.out" 2>/dev/null
	fi
	grep -q '^type=EOE msg=audit(' "$TMP/plugin.out" 2>/dev/null ||
		fail "stdin plugin: no EOE records"
fi
stop_auditd
auditctl -e "$ORIG_ENABLED" >/dev/null 2>&1
check_restored "multicast mode"

# ---- 3. remove_all leaves other tools' rules alone ----
OTHER_RULE="always,exit -F arch=b64 -S sethostname -k htest_other"
auditctl -a $OTHER_RULE >/dev/null || fail "cannot add the foreign test rule"
"$PROBE" install "$TMP/shadow.rules" >"$TMP/install.out" 2>&1 ||
	fail "install: $(cat "$TMP/install.out")"
n=$(auditctl -l | grep -Ec '(key=|-k )harrier_test')
inst=$(sed -n 's/^installed //p' "$TMP/install.out")
[ "$n" = "$inst" ] && [ "$n" -ge 2 ] ||
	fail "install: probe installed '$inst' rules, the kernel lists $n"
"$PROBE" remove-all >"$TMP/remove.out" 2>&1 || fail "remove-all: $(cat "$TMP/remove.out")"
grep -q "^removed $n\$" "$TMP/remove.out" ||
	fail "remove-all: '$(cat "$TMP/remove.out")', expected removed $n"
has_harrier_rules && fail "remove-all left harrier rules"
auditctl -l | grep -q 'key=htest_other' || fail "remove-all deleted the foreign rule"
auditctl -d $OTHER_RULE >/dev/null || fail "cannot delete the foreign test rule"
OTHER_RULE=""

# ---- 4. tamper check ----
"$PROBE" tamper "$TMP/shadow.rules" \
	'auditctl -W /etc/shadow -p r -k harrier_test_shadow' \
	>"$TMP/tamper.out" 2>&1
rc=$?
cat "$TMP/tamper.out"
[ $rc = 0 ] || fail "tamper check: exit $rc"
grep -q '^missing after tampering: 1$' "$TMP/tamper.out" ||
	fail "tamper check: the deleted watch was not noticed exactly once"
check_restored "end"

[ $FAILED = 0 ] && echo "PASS"
exit $FAILED
