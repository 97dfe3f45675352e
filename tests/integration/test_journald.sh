#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Alerts reach a real journald with structured fields: a private mount
# namespace gets its own systemd-journald (tmpfs on /run/systemd, temp dirs
# on /run/log and /var/log/journal, so the host's journal is untouched),
# harrierd replays a recorded log with journald_output on, and journalctl
# reads the entries back. Root only (mount namespaces).
set -u
s=${top_srcdir:?}; b=${top_builddir:?}
skip() { echo "SKIP: $*"; exit 77; }
[ -n "${HARRIER_NO_ROOT_TESTS:-}" ] &&
	skip "root tests switched off (HARRIER_NO_ROOT_TESTS)"
[ "$(id -u)" = 0 ] || skip "needs root for a private mount namespace"
jd=/lib/systemd/systemd-journald
[ -x "$jd" ] || jd=/usr/lib/systemd/systemd-journald
[ -x "$jd" ] || skip "systemd-journald is not installed"
command -v journalctl >/dev/null || skip "journalctl is not installed"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/runlog" "$work/varlog"

cat > "$work/inner.sh" <<INNER
set -u
mount --make-rprivate /
mount -t tmpfs tmpfs /run/systemd
mount --bind "$work/runlog" /run/log
[ -d /var/log/journal ] && mount --bind "$work/varlog" /var/log/journal
$jd & jpid=\$!
i=0
while [ ! -S /run/systemd/journal/socket ] && [ \$i -lt 100 ]; do sleep 0.05; i=\$((i+1)); done
[ -S /run/systemd/journal/socket ] || { echo "journald did not start"; kill \$jpid; exit 1; }
"$b/harrierd" -f --source "$s/tests/fixtures/golden/sensitive_read.log" \
	-r "$s/rules/harrier_rules.yaml" --db "$work/alerts.db" \
	> "$work/stdout" 2> "$work/stderr"
echo "harrierd exit \$?" > "$work/rc"
i=0
while [ \$i -lt 60 ]; do
	journalctl -D "$work/runlog/journal" -o json HARRIER_RULE="Read sensitive file untrusted" 2>/dev/null > "$work/journal.json"
	[ "\$(wc -l < "$work/journal.json")" -ge 2 ] && break
	sleep 0.1; i=\$((i+1))
done
journalctl -D "$work/runlog/journal" -o json SYSLOG_IDENTIFIER=harrierd 2>/dev/null > "$work/all.json"
kill \$jpid
i=0
while kill -0 \$jpid 2>/dev/null && [ \$i -lt 100 ]; do sleep 0.05; i=\$((i+1)); done
kill -9 \$jpid 2>/dev/null || true
INNER
unshare --mount sh "$work/inner.sh" || { echo "FAIL: namespace script failed"; exit 1; }

fail=0
bad() { echo "FAIL: $*"; fail=1; }
grep -q "harrierd exit 0" "$work/rc" || { bad "harrierd: $(cat "$work/rc")"; cat "$work/stderr"; }
n=$(wc -l < "$work/journal.json")
[ "$n" = 2 ] || bad "expected 2 'Read sensitive file untrusted' entries in the journal, found $n"
total=$(wc -l < "$work/all.json")
stored=$(sqlite3 "$work/alerts.db" 'select count(*) from alerts')
[ "$total" = "$stored" ] || bad "journal has $total harrierd entries, store has $stored alerts"
grep -q '"HARRIER_FILE":"/etc/shadow"' "$work/journal.json" || bad "no HARRIER_FILE=/etc/shadow"
grep -q '"PRIORITY":"4"' "$work/journal.json" || bad "Warning is not journal PRIORITY 4"
grep -q '"HARRIER_EXE":"/usr/bin/cat"' "$work/journal.json" || bad "no HARRIER_EXE"
grep -q '"MESSAGE":"Warning Sensitive file opened for reading' "$work/journal.json" || bad "MESSAGE not Falco-like"
grep -q '"HARRIER_JSON":"{' "$work/journal.json" || bad "no HARRIER_JSON"
[ $fail = 0 ] && echo "journald: $n alerts with structured fields"
exit $fail
