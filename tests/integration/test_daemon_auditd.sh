#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# harrierd next to a real auditd (its own config in a temp dir,
# `auditd -f -n -c DIR`), against the real kernel audit subsystem:
#  2. harrierd says it runs in multicast mode and still alerts on
#     `cat /etc/shadow`; harrierd as auditd's plugin (--source stdin, the
#     shipped plugins.d entry pointed at the built harrierd) alerts too.
#     Stopping harrierd leaves auditd the audit pid and no harrier rules.
# daemon_test_setup (daemon_lib.sh): the lock, the skips and the clean-up.
set -u
. "$(dirname "$0")/daemon_lib.sh"
daemon_test_setup "$@"
need_tools auditd

SENSITIVE='Read sensitive file untrusted'

note "2. beside auditd: multicast mode and the auditd plugin"
AD=$TMP/auditd
write_auditd_conf "$AD"
PDB=$TMP/plugin.db
# auditd passes a plugin at most two arguments: the rest is in a config.
cat >"$TMP/plugin.yaml" <<EOF
journald_output:
  enabled: false
store_output:
  path: $PDB
rules_file:
  - $RULES_SHIPPED
EOF
# The shipped plugins.d entry, pointed at the built harrierd and the
# config above.
write_auditd_plugin "$AD" "$HARRIERD" "-c$TMP/plugin.yaml --source=stdin"
start_auditd "$AD" /dev/null ||
	{ fail "2: auditd did not take the audit pid"; cat "$TMP/auditd.stderr"; }

DB=$TMP/m2.db
if [ -n "$APID" ] && start_harrierd m2 --db "$DB" -r "$RULES_SHIPPED" $AR; then
	grep -q 'in multicast mode' "$TMP/m2.err" ||
		fail "2: harrierd does not say it runs in multicast mode"
	has_harrier_rules || fail "2: no harrier rules installed"
	cat /etc/shadow >/dev/null
	t0=$(now_ms)
	seen() { [ "$(alerts "$1" "$SENSITIVE")" -ge 1 ]; }
	if wait_for 2000 seen "$DB"; then
		echo "multicast harrierd: alert after $(($(now_ms) - t0)) ms"
	else
		fail "2: multicast harrierd: no alert for cat /etc/shadow"
	fi
	if wait_for 3000 seen "$PDB"; then
		echo "plugin harrierd: alert after $(($(now_ms) - t0)) ms"
	else
		fail "2: plugin harrierd (--source stdin): no alert"
		cat "$TMP/auditd.stderr"
	fi
	stop_harrierd
	[ "$HRC" = 0 ] || fail "2: exit code $HRC"
	[ "$(status pid)" = "$APID" ] ||
		fail "2: the audit pid moved away from auditd ($(status pid))"
	has_harrier_rules && fail "2: harrier rules left: $(harrier_rule_lines)"
	# The plugin is auditd's child: it stops with auditd.
	stop_auditd
	grep -q 'reading audit records from stdin' "$TMP/auditd.stderr" ||
		echo "note: the plugin's log is not in auditd's stderr"
	# (auditd does not wait for its plugins: a plugin harrierd flushing
	# its store, under the sanitizers' exit checks, may take a while)
	plugin_gone() {
		! ps -eo pid,args | grep -F "$TMP/plugin.yaml" | grep -qv grep
	}
	wait_for 10000 plugin_gone || {
		ps -eo pid,args | grep -F "$TMP/plugin.yaml" | grep -v grep
		fail "2: the plugin harrierd outlived auditd by 10 s"
	}
fi
stop_auditd
auditctl -e "$ORIG_ENABLED" >/dev/null 2>&1
check_restored "end"

[ $FAILED = 0 ] && echo "PASS"
exit $FAILED
