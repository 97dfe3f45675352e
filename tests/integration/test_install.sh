#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make install into a DESTDIR, as a packager does (any user, no kernel):
#  - every file a node needs is installed, and nothing else: programs,
#    shipped rules and kernel rules, config, the empty local rules file
#    and rules.d/, the auditd plugin entry (inactive), the unit, the
#    queries, man pages, docs, the state directory and the store's spool
#    directory, the logrotate snippet, the journal catalog entry;
#  - harrier --version and harrierd --version print configure's version
#    and the engine version the rules loader enforces;
#  - the installed harrierd runs with the installed config and rules (a
#    recorded audit log in, the alerts in its store);
#  - the man pages: no warnings from man, harrier-rules(5) lists exactly
#    the fields `harrier fields` lists, harrier.yaml(5) every config key;
#  - the unit passes `systemd-analyze verify` and scores <= 3.0 with
#    `systemd-analyze security --offline=yes`;
#  - make uninstall leaves no file, but keeps a config the user changed.
set -u
. "$(dirname "$0")/daemon_lib.sh"
need_tools sqlite3 man jq
# A make of its own (not the jobserver of the make check running us).
MAKE="env -u MAKEFLAGS -u MFLAGS ${MAKE:-make}"
TMP=$(mktemp -d /tmp/harrier-install-test.XXXXXX) || exit 2
trap 'rm -rf "$TMP"' EXIT
D=$TMP/root

# Install directories as configured (absolute, prefix resolved).
eval "$($MAKE -s --no-print-directory -C "$BUILD" print-install-dirs)"

note "make install DESTDIR"
if ! $MAKE -s --no-print-directory -C "$BUILD" install DESTDIR="$D" \
	>"$TMP/install.log" 2>&1; then
	cat "$TMP/install.log"
	fail "make install failed"
	exit 1
fi

# The exact set of installed files (directories that must exist follow).
{
	echo "$bindir/harrier"
	echo "$sbindir/harrierd"
	echo "$harrierconfdir/harrier.yaml"
	echo "$harrierconfdir/harrier_rules.yaml"
	echo "$harrierconfdir/harrier_rules.local.yaml"
	for f in "$SRC"/audit-rules/*.rules; do
		echo "$harrierconfdir/audit-rules.d/$(basename "$f")"
	done
	echo "$auditpluginsdir/harrier.conf"
	[ -n "$systemdsystemunitdir" ] &&
		echo "$systemdsystemunitdir/harrierd.service"
	echo "$pkgdatadir/queries.sql"
	echo "$logrotatedir/harrier"
	echo "$catalogdir/harrier.catalog"
	echo "$docdir/README.md"
	echo "$docdir/LICENSE"
	echo "$mandir/man1/harrier.1"
	echo "$mandir/man5/harrier.yaml.5"
	echo "$mandir/man5/harrier-rules.5"
	echo "$mandir/man8/harrierd.8"
} | sort >"$TMP/want"
(cd "$D" && find . -type f -o -type l) | sed 's|^\.||' | sort >"$TMP/have"
if ! cmp -s "$TMP/want" "$TMP/have"; then
	fail "installed files differ from the list (- missing, + extra):"
	diff "$TMP/want" "$TMP/have" | grep '^[<>]' | sed 's/^</-/; s/^>/+/'
fi
for d in "$harrierconfdir/rules.d" "$harrierstatedir" "$harrierstatedir/spool"; do
	[ -d "$D$d" ] || fail "directory $d not created"
done
[ "$(stat -c %a "$D$harrierstatedir" 2>/dev/null)" = 750 ] ||
	fail "$harrierstatedir is not 0750"
[ -s "$D$harrierconfdir/harrier_rules.local.yaml" ] ||
	fail "harrier_rules.local.yaml is missing or empty"
grep -q '^active = no$' "$D$auditpluginsdir/harrier.conf" ||
	fail "the auditd plugin entry is not shipped inactive"
grep -q "^path = $sbindir/harrierd\$" "$D$auditpluginsdir/harrier.conf" ||
	fail "the auditd plugin entry does not run $sbindir/harrierd"
if grep -n '@[a-zA-Z_]*@' "$D$harrierconfdir/harrier.yaml" \
	"$D$auditpluginsdir/harrier.conf" \
	${systemdsystemunitdir:+"$D$systemdsystemunitdir/harrierd.service"} |
	grep -v '@system-service\|~@privileged'; then
	fail "unsubstituted @...@ in an installed file"
fi

note "versions"
want_version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
	"$BUILD/config.h")
want_engine=$(sed -n \
	's/^#define ENGINE_FALCO_VERSION "\(.*\)"$/\1/p' \
	"$SRC/src/engine/engine.h")
[ -n "$want_version" ] && [ -n "$want_engine" ] ||
	fail "cannot read the versions from config.h and engine.h"
for p in "$bindir/harrier" "$sbindir/harrierd"; do
	out=$("$D$p" --version 2>&1)
	name=$(basename "$p")
	printf '%s\n' "$out"
	[ "$(printf '%s\n' "$out" | sed -n 1p)" = "$name $want_version" ] ||
		fail "$name --version: first line is not '$name $want_version'"
	printf '%s\n' "$out" |
		grep -qx "Falco rules engine version: $want_engine" ||
		fail "$name --version does not give engine version $want_engine"
done
# Rules needing a newer engine than the one reported get a warning that
# names the version the loader enforces.
major=${want_engine%%.*}
printf -- '- required_engine_version: %s.0.0\n' $((major + 1)) \
	>"$TMP/newer.yaml"
"$D$bindir/harrier" rules validate "$TMP/newer.yaml" >"$TMP/newer.out" 2>&1
grep -q "engine version $((major + 1)).0.0.*engine $want_engine" "$TMP/newer.out" ||
	fail "rules needing engine $((major + 1)).0.0: no warning naming $want_engine: $(cat "$TMP/newer.out")"

note "the installed harrierd with the installed config and rules"
C=$D$harrierconfdir
# The shipped config, journald off (the machine's journal is not ours).
awk '/^journald_output:/ { j = 1 }
	j && /enabled:/ { sub(/true/, "false"); j = 0 } { print }' \
	"$C/harrier.yaml" >"$TMP/harrier.yaml"
"$D$sbindir/harrierd" -f -c "$TMP/harrier.yaml" \
	-r "$C/harrier_rules.yaml" -r "$C/harrier_rules.local.yaml" \
	--audit-rules "$C/audit-rules.d" --no-kernel-rules \
	--source "$SRC/tests/fixtures/golden/sensitive_read.log" \
	--db "$TMP/alerts.db" >"$TMP/d.out" 2>"$TMP/d.err"
rc=$?
[ "$rc" = 0 ] || { fail "installed harrierd exited $rc"; cat "$TMP/d.err"; }
n=$(alerts "$TMP/alerts.db" 'Read sensitive file untrusted')
[ "$n" -ge 1 ] || fail "no 'Read sensitive file untrusted' alert in the store"
grep -q 'warning\|error' "$TMP/d.err" &&
	{ fail "installed harrierd warned:"; cat "$TMP/d.err"; }

note "man pages"
for m in man1/harrier.1 man5/harrier.yaml.5 man5/harrier-rules.5 \
	man8/harrierd.8; do
	# (long install paths, as distcheck's, may not fit a line: fine)
	w=$(MANWIDTH=80 man --warnings -l "$D$mandir/$m" 2>&1 >/dev/null |
		grep -v 'cannot adjust line\|cannot break line')
	[ -z "$w" ] || fail "man $m: $w"
	grep -q '@[A-Za-z_]*@' "$D$mandir/$m" && fail "$m: unsubstituted @...@"
done
# harrier-rules(5): each field is a ".BR name" line, in table order.
"$D$bindir/harrier" fields --json | jq -r '.[].name' >"$TMP/fields.want"
sed -n 's/^\.BR \([^ ]*\) " (.*$/\1/p' "$D$mandir/man5/harrier-rules.5" |
	sed 's/\\-/-/g' >"$TMP/fields.have"
[ -s "$TMP/fields.want" ] && cmp -s "$TMP/fields.want" "$TMP/fields.have" ||
	fail "harrier-rules(5) fields differ from harrier fields: $(diff "$TMP/fields.want" "$TMP/fields.have" | head -5)"
"$D$sbindir/harrierd" --help | sed -n '/^config keys:/,$p' | sed 1d |
	awk '{ print $1 }' >"$TMP/keys.want"
sed -n 's/^\.BR \([^ ]*\) " (.*$/\1/p' "$D$mandir/man5/harrier.yaml.5" \
	>"$TMP/keys.have"
[ -s "$TMP/keys.want" ] && cmp -s "$TMP/keys.want" "$TMP/keys.have" ||
	fail "harrier.yaml(5) keys differ from harrierd --help"

if [ -n "$systemdsystemunitdir" ]; then
	note "unit"
	if command -v systemd-analyze >/dev/null 2>&1; then
		# verify resolves ExecStart= and Documentation=man: on this
		# machine: point them at the DESTDIR.
		sed "s|^ExecStart=$sbindir/|ExecStart=$D$sbindir/|" \
			"$D$systemdsystemunitdir/harrierd.service" \
			>"$TMP/harrierd.service"
		MANPATH=$D$mandir systemd-analyze verify \
			"$TMP/harrierd.service" >"$TMP/verify" 2>&1 ||
			{ fail "systemd-analyze verify:"; cat "$TMP/verify"; }
		[ -s "$TMP/verify" ] && { fail "systemd-analyze verify said:"; cat "$TMP/verify"; }
		systemd-analyze security --offline=yes --threshold=30 \
			"$TMP/harrierd.service" >"$TMP/security" 2>&1
		score=$(sed -n 's/.*Overall exposure level for harrierd.service: \([0-9.]*\).*/\1/p' "$TMP/security")
		echo "systemd-analyze security: $score"
		[ -n "$score" ] || { fail "no security score"; cat "$TMP/security"; }
		awk -v s="${score:-99}" 'BEGIN { exit !(s <= 3.0) }' ||
			fail "security exposure $score > 3.0"
	else
		skip "systemd-analyze not installed (apt-get install systemd)"
	fi
fi

note "make uninstall"
echo "# changed" >>"$C/harrier.yaml"
$MAKE -s --no-print-directory -C "$BUILD" uninstall DESTDIR="$D" \
	>"$TMP/uninstall.log" 2>&1 || { fail "make uninstall failed"; cat "$TMP/uninstall.log"; }
left=$(cd "$D" && find . -type f | sed 's|^\.||')
[ "$left" = "$harrierconfdir/harrier.yaml" ] ||
	fail "after uninstall, left (want only the changed harrier.yaml): $left"

[ "$FAILED" = 0 ] && echo "PASS"
exit "$FAILED"
