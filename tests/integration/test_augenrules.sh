#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# harrierd beside the real auditd and its rules loader (root, kernel
# audit). auditd.service runs `augenrules --load` at every start, which
# runs `auditctl -R /etc/audit/audit.rules`, whose first line is -D: every
# kernel rule goes, Harrier's too. What a user expects:
#  1. beside a running auditd, `augenrules --load` (the real script, with
#     /etc/audit replaced in a private mount namespace by a directory of
#     this test's, so the machine's files are untouched): Harrier's rules
#     are back (within 10 s on a loaded machine; about 0.5 s on an idle
#     one) next to the loader's, the reload is reported as
#     "Kernel audit rules reloaded by auditd" (Notice) naming auditctl and
#     augenrules, and no Critical "Kernel audit tampering" is raised;
#  2. `auditctl -R` of another file that starts with -D, by hand: still
#     Critical tampering, rules back;
#  3. auditd restarted (new audit pid) and its loader run again: Harrier's
#     rules are back, no tampering alert, and harrierd still alerts
#     (cat /etc/shadow) after the restart.
# -D deletes every kernel rule: the test saves every rule and the failure
# mode first and puts them back at exit (daemon_lib.sh puts back enabled,
# the backlog settings and the audit pid).
set -u
. "$(dirname "$0")/daemon_lib.sh"
daemon_test_setup "$@"
need_tools auditd augenrules unshare
AUGENRULES=$(command -v augenrules)

auditctl -l 2>/dev/null | grep -v '^No rules' >"$TMP/rules.before"
ORIG_FAILURE=$(status failure)
restore_all_rules() {
	auditctl -D >/dev/null 2>&1
	[ -s "$TMP/rules.before" ] && auditctl -R "$TMP/rules.before" >/dev/null 2>&1
	[ -n "$ORIG_FAILURE" ] && auditctl -f "$ORIG_FAILURE" >/dev/null 2>&1
}
at_cleanup restore_all_rules

# The loader's input, as an administrator would have it in
# /etc/audit/rules.d (augenrules writes audit.rules next to it).
mkdir -p "$TMP/etc-audit/rules.d"
cat >"$TMP/etc-audit/rules.d/10-site.rules" <<'EOF'
-D
-b 8192
-a always,exit -F arch=b64 -S ptrace -F key=harrier-test-augen
EOF
# augenrules as auditd.service runs it, on this test's /etc/audit.
run_augenrules() {
	unshare --mount sh -c "mount --make-rprivate / &&
		mount --bind '$TMP/etc-audit' /etc/audit &&
		exec '$AUGENRULES' --load" >"$TMP/augenrules.out" 2>&1 ||
		{ fail "$1: augenrules --load failed"; cat "$TMP/augenrules.out"; }
}

DB=$TMP/augen.db
count() { # RULE [PRIORITY]
	sqlite3 "$DB" "select count(*) from alerts where rule = '$1'
		${2:+and priority = '$2'}" 2>/dev/null || echo 0
}
TAMPER='Kernel audit tampering'
RELOAD='Kernel audit rules reloaded by auditd'

write_auditd_conf "$TMP/auditd"
start_auditd "$TMP/auditd" /dev/null || { fail "auditd did not start"; exit 1; }
start_harrierd augen --db "$DB" -r "$RULES_SHIPPED" $AR || exit 1
grep -q 'multicast' "$TMP/augen.err" ||
	fail "harrierd beside auditd does not read the multicast copy"
nrules=$(harrier_rule_lines | wc -l)
rules_back() {
	[ "$(harrier_rule_lines | grep -cv harrier-test-augen)" = "$nrules" ]
}

note "1. augenrules --load beside auditd"
t0=$(now_ms)
run_augenrules 1
auditctl -l | grep -q 'key=harrier-test-augen' ||
	fail "1: augenrules did not load its rules"
if wait_for 10000 rules_back; then
	echo "Harrier's rules back $(($(now_ms) - t0)) ms after augenrules started"
else
	fail "1: Harrier's rules not back: $(harrier_rule_lines | wc -l) of $nrules"
fi
reload_seen() { [ "$(count "$RELOAD" Notice)" -ge 1 ]; }
wait_for 10000 reload_seen || fail "1: no Notice '$RELOAD' alert"
sqlite3 "$DB" "select output from alerts where rule = '$RELOAD' limit 1" |
	grep -q 'process=auditctl parent=augenrules command=auditctl -R /etc/audit/audit.rules' ||
	fail "1: the reload alert does not name auditctl -R run by augenrules"
sleep 0.5
[ "$(count "$TAMPER")" = 0 ] ||
	fail "1: augenrules --load raised $(count "$TAMPER") tampering alerts"

note "2. auditctl -R of another rules file (by hand) is tampering"
printf -- '-D\n' >"$TMP/other.rules"
auditctl -R "$TMP/other.rules" >/dev/null 2>&1
tamper_seen() { [ "$(count "$TAMPER" Critical)" -ge 1 ]; }
wait_for 10000 tamper_seen || fail "2: no Critical tampering alert for auditctl -R $TMP/other.rules"
wait_for 10000 rules_back || fail "2: Harrier's rules not back"

note "3. auditd restarted, its loader run again"
ntamper=$(count "$TAMPER")
nreload=$(count "$RELOAD")
stop_auditd
start_auditd "$TMP/auditd" /dev/null || fail "3: auditd did not start again"
run_augenrules 3
wait_for 10000 rules_back || fail "3: Harrier's rules not back after the restart"
reload_again() { [ "$(count "$RELOAD")" -gt "$nreload" ]; }
wait_for 10000 reload_again || fail "3: no reload alert after the restart"
cat /etc/shadow >/dev/null
shadow_seen() {
	[ "$(sqlite3 "$DB" "select count(*) from alerts where
		rule = 'Read sensitive file untrusted' and file = '/etc/shadow'")" -ge 1 ]
}
wait_for 10000 shadow_seen || fail "3: no alert for cat /etc/shadow after auditd's restart"
[ "$(count "$TAMPER")" = "$ntamper" ] ||
	fail "3: the restart raised $(($(count "$TAMPER") - ntamper)) tampering alerts"

stop_harrierd
[ "$HRC" = 0 ] || fail "harrierd exit code $HRC"
has_harrier_rules && harrier_rule_lines | grep -qv harrier-test-augen &&
	fail "Harrier's rules left after its stop: $(harrier_rule_lines)"

[ "$FAILED" = 0 ] && echo "PASS"
exit "$FAILED"
