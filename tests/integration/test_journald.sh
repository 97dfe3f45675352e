#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Alerts reach a real journald with structured fields: a private mount
# namespace gets its own systemd-journald (tmpfs on /run/systemd, temp dirs
# on /run/log and /var/log/journal, so the host's journal is untouched),
# harrierd replays a recorded log with journald_output on, its stdout and
# stderr on a journal stream as systemd's StandardOutput=journal gives
# them (with $JOURNAL_STREAM), and journalctl reads the entries back:
#  - every alert once, with HARRIER_* fields, HARRIER_TAGS and the alerts'
#    MESSAGE_ID: `journalctl MESSAGE_ID=` lists alerts only, while
#    `-t harrierd` has the daemon's own lines too; stdout being the journal
#    adds no second, fieldless copy;
#  - the shipped catalog entry explains them (`journalctl -x`), with the
#    catalog database built in the namespace only;
#  - fleet forwarding: systemd-journal-upload sends the journal to a
#    systemd-journal-remote on 127.0.0.1, where the alerts arrive with
#    their fields.
# Root only (mount namespaces).
set -u
s=${top_srcdir:?}; b=${top_builddir:?}
. "$s/tests/integration/daemon_lib.sh"
need_root "a private mount namespace"
jd=/lib/systemd/systemd-journald
[ -x "$jd" ] || jd=/usr/lib/systemd/systemd-journald
[ -x "$jd" ] || skip "systemd-journald is not installed"
jr=/lib/systemd/systemd-journal-remote
ju=/lib/systemd/systemd-journal-upload
[ -x "$jr" ] && [ -x "$ju" ] ||
	skip "systemd-journal-remote is not installed (apt-get install systemd-journal-remote)"
need_tools journalctl systemd-cat python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/runlog" "$work/varlog" "$work/catalog" "$work/catdb" \
	"$work/remote"
cp "$s/packaging/systemd/harrier.catalog" "$work/catalog/"
ID=$(sed -n 's/^#define JOURNALD_ALERT_MESSAGE_ID "\(.*\)"/\1/p' \
	"$s/src/sink/journald.h")
[ -n "$ID" ] || { echo "FAIL: no MESSAGE_ID in journald.h"; exit 1; }
# a free port on loopback for journal-remote
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'journald_output:\n  enabled: true\n' >"$work/harrier.yaml"

cat > "$work/inner.sh" <<INNER
set -u
mount --make-rprivate /
mount -t tmpfs tmpfs /run/systemd
mount --bind "$work/runlog" /run/log
[ -d /var/log/journal ] && mount --bind "$work/varlog" /var/log/journal
# the catalog: ours only, its database in the namespace
mount --bind "$work/catalog" /usr/lib/systemd/catalog
mount --bind "$work/catdb" /var/lib/systemd/catalog
$jd & jpid=\$!
i=0
while [ ! -S /run/systemd/journal/socket ] && [ \$i -lt 100 ]; do sleep 0.05; i=\$((i+1)); done
[ -S /run/systemd/journal/socket ] || { echo "journald did not start"; kill \$jpid; exit 1; }
journalctl --update-catalog 2>"$work/catalog.err"
# stdout and stderr on a journal stream, JOURNAL_STREAM naming it, as
# systemd sets up StandardOutput=journal
systemd-cat -t harrierd sh -c 'JOURNAL_STREAM=\$(stat -L -c %d:%i /proc/\$\$/fd/1) \
	"$b/harrierd" -f -c "$work/harrier.yaml" \
	--source "$s/tests/fixtures/golden/sensitive_read.log" \
	-r "$s/rules/harrier_rules.yaml" --db "$work/alerts.db"; \
	echo "harrierd exit \$?" > "$work/rc"'
i=0
while [ \$i -lt 60 ]; do
	journalctl -D "$work/runlog/journal" -o json HARRIER_RULE="Read sensitive file untrusted" 2>/dev/null > "$work/journal.json"
	[ "\$(wc -l < "$work/journal.json")" -ge 2 ] && grep -q 'end of input' "$work/all.txt" 2>/dev/null && break
	journalctl -D "$work/runlog/journal" -o cat SYSLOG_IDENTIFIER=harrierd > "$work/all.txt" 2>/dev/null
	sleep 0.1; i=\$((i+1))
done
journalctl -D "$work/runlog/journal" -o json SYSLOG_IDENTIFIER=harrierd 2>/dev/null > "$work/all.json"
journalctl -D "$work/runlog/journal" -o json MESSAGE_ID=$ID 2>/dev/null > "$work/alerts.json"
journalctl -D "$work/runlog/journal" -x -o short MESSAGE_ID=$ID 2>/dev/null > "$work/explained.txt"

# fleet: upload to a journal-remote on loopback
$jr --listen-http=127.0.0.1:$port --output="$work/remote/" 2>"$work/remote.err" & rpid=\$!
i=0
while ! python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", $port), 0.2)' 2>/dev/null && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i+1)); done
$ju --url=http://127.0.0.1:$port -D "$work/runlog/journal" --follow=no \
	--save-state="$work/upload.state" 2>"$work/upload.err"
echo "upload exit \$?" > "$work/upload.rc"
i=0
while [ \$i -lt 50 ]; do
	journalctl -D "$work/remote" -o json MESSAGE_ID=$ID 2>/dev/null > "$work/remote.json"
	[ "\$(wc -l < "$work/remote.json")" -ge 2 ] && break
	sleep 0.1; i=\$((i+1))
done
kill \$rpid
kill \$jpid
i=0
while { kill -0 \$jpid || kill -0 \$rpid; } 2>/dev/null && [ \$i -lt 100 ]; do sleep 0.05; i=\$((i+1)); done
kill -9 \$jpid \$rpid 2>/dev/null || true
INNER
unshare --mount sh "$work/inner.sh" || { echo "FAIL: namespace script failed"; exit 1; }

fail=0
bad() { echo "FAIL: $*"; fail=1; }
grep -q "harrierd exit 0" "$work/rc" 2>/dev/null || bad "harrierd: $(cat "$work/rc" 2>/dev/null)"
n=$(wc -l < "$work/journal.json")
[ "$n" = 2 ] || bad "expected 2 'Read sensitive file untrusted' entries in the journal, found $n"
stored=$(sqlite3 "$work/alerts.db" 'select count(*) from alerts')
nid=$(wc -l < "$work/alerts.json")
[ "$nid" = "$stored" ] || bad "MESSAGE_ID selects $nid entries, the store has $stored alerts"
total=$(wc -l < "$work/all.json")
[ "$total" -gt "$nid" ] || bad "-t harrierd has no more than the alerts ($total): the daemon's own lines are missing"
grep -v "\"MESSAGE_ID\":\"$ID\"" "$work/all.json" | grep -q 'Sensitive file opened' &&
	bad "an alert is in the journal a second time, without MESSAGE_ID (stdout)"
grep -q '"HARRIER_FILE":"/etc/shadow"' "$work/journal.json" || bad "no HARRIER_FILE=/etc/shadow"
grep -q '"PRIORITY":"4"' "$work/journal.json" || bad "Warning is not journal PRIORITY 4"
grep -q '"HARRIER_EXE":"/usr/bin/cat"' "$work/journal.json" || bad "no HARRIER_EXE"
grep -q '"MESSAGE":"Warning Sensitive file opened for reading' "$work/journal.json" || bad "MESSAGE not Falco-like"
grep -q '"HARRIER_JSON":"{' "$work/journal.json" || bad "no HARRIER_JSON"
grep -q '"HARRIER_TAGS":"maturity_stable,host,container,filesystem,mitre_credential_access,T1003.008,T1552.004"' \
	"$work/journal.json" || bad "no HARRIER_TAGS"
grep -q "\"MESSAGE_ID\":\"$ID\"" "$work/journal.json" || bad "no MESSAGE_ID"
grep -q 'Harrier alert: Read sensitive file untrusted (Warning)' "$work/explained.txt" ||
	bad "journalctl -x does not explain the alert: $(cat "$work/catalog.err"; head -5 "$work/explained.txt")"
grep -q 'upload exit 0' "$work/upload.rc" || bad "journal-upload: $(cat "$work/upload.err")"
nr=$(wc -l < "$work/remote.json")
[ "$nr" = "$nid" ] || bad "journal-remote received $nr alerts of $nid: $(cat "$work/remote.err" | tail -3)"
grep -q '"HARRIER_RULE":"Read sensitive file untrusted"' "$work/remote.json" &&
	grep -q '"HARRIER_CONTAINER_ID"\|"HARRIER_PID":"' "$work/remote.json" ||
	bad "the forwarded alerts lack their HARRIER_* fields"
[ $fail = 0 ] && echo "journald: $nid alerts with MESSAGE_ID and fields, explained by the catalog, forwarded to journal-remote ($nr)"
exit $fail
