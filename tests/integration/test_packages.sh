#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The packages, built and used as a node's administrator would (root):
#  1. `make dist` makes the release tarball; packaging/deb/build-deb
#     builds the .deb from it with dpkg-buildpackage (lintian clean), and
#     packaging/rpm/build-rpm the RPM with rpmbuild (rpmlint clean), which
#     installs into a scratch root with every file and %config in place.
#     (No tests inside the package builds: make check runs them here.)
#  2. Holding /tmp/harrier-audit.lock (kernel audit, and /etc/harrier is
#     visible to every other test): `apt-get install ./harrier_*.deb`
#     installs nothing else; conffiles, /var/lib/harrier 0750, the unit
#     enabled and nothing started (systemd is not pid 1 here: the
#     maintainer scripts must cope).
#  3. harrierd as the installed unit runs it (its ExecStart, NOTIFY_SOCKET,
#     UMask) gets ready; `cat /etc/shadow` raises an alert in the store
#     (0640) that the installed `harrier alerts` shows; SIGTERM stops it
#     and takes its kernel rules out.
#  4. `apt-get remove` keeps the store and the conffiles; `apt-get purge`
#     leaves nothing: the files, directories, unit links, users and groups
#     and kernel audit rules are as before the install.
# Whatever a failure leaves half done, the exit trap purges the package,
# puts back /etc/harrier, /var/lib/harrier and /run/harrier if they were
# there before, and the kernel audit state.
set -u
. "$(dirname "$0")/daemon_lib.sh"

PHASE=${1:-build}
need_root "installs a package system-wide, kernel audit"
need_tools dpkg-buildpackage dh lintian apt-get rpmbuild rpmlint auditctl \
	flock sqlite3 man
need_built "$BUILD/tests/integration/notify_listener"
if dpkg-query -W -f='${Status}' harrier 2>/dev/null | grep -q installed; then
	skip "the harrier package is installed on this machine: this test would replace and purge it"
fi
VERSION=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$BUILD/config.h")
MAKE="env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make}"

if [ "$PHASE" = build ]; then
	# ---- 1. build (no lock: nothing outside $TMP changes) ----
	test_tmp harrier-pkg-test
	note "1. make dist, build-deb, build-rpm"
	t0=$(now_ms)
	$MAKE -s -C "$BUILD" dist >"$TMP/dist.log" 2>&1 ||
		{ cat "$TMP/dist.log"; fail "1: make dist failed"; exit 1; }
	TARBALL=$TMP/harrier-$VERSION.tar.gz
	cp "$BUILD/harrier-$VERSION.tar.gz" "$TARBALL"
	echo "tarball in $(($(now_ms) - t0)) ms"
	t0=$(now_ms)
	DEB_BUILD_OPTIONS="nocheck parallel=2" \
		sh "$SRC/packaging/deb/build-deb" "$TARBALL" "$TMP/debs" \
		>"$TMP/deb.log" 2>&1 ||
		{ cat "$TMP/deb.log"; fail "1: build-deb failed"; exit 1; }
	echo "deb built and linted in $(($(now_ms) - t0)) ms"
	t0=$(now_ms)
	RPMBUILD_FLAGS=--nocheck \
		sh "$SRC/packaging/rpm/build-rpm" "$TARBALL" "$TMP/rpms" \
		>"$TMP/rpm.log" 2>&1 ||
		{ cat "$TMP/rpm.log"; fail "1: build-rpm failed"; exit 1; }
	echo "rpm built and linted in $(($(now_ms) - t0)) ms"
	R=$TMP/rpmroot
	mkdir -p "$R"
	rpm -i --root "$R" --nodeps --noscripts "$TMP"/rpms/harrier-*.rpm \
		2>"$TMP/rpm-i.err" ||
		{ cat "$TMP/rpm-i.err"; fail "1: rpm -i --root failed"; }
	for f in /usr/sbin/harrierd /usr/bin/harrier \
		/etc/harrier/harrier_rules.yaml /etc/harrier/harrier.yaml \
		/usr/lib/systemd/system/harrierd.service \
		/usr/share/man/man5/harrier-rules.5; do
		ls "$R$f"* >/dev/null 2>&1 || fail "1: the RPM lacks $f"
	done
	[ -d "$R/var/lib/harrier" ] || fail "1: the RPM lacks /var/lib/harrier"
	for f in harrier.yaml harrier_rules.local.yaml; do
		rpm -q --root "$R" --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' \
			harrier | grep -q "^/etc/harrier/$f c.*n" ||
			fail "1: /etc/harrier/$f is not %config(noreplace) in the RPM"
	done
	rpm -q --root "$R" --scripts harrier | grep -q 'systemctl --no-reload preset harrierd.service\|systemd_post' ||
		fail "1: the RPM's %post does not preset the unit"
	# Into the locked phase with what it needs; the trap stays armed there.
	trap - EXIT
	HARRIER_AUDIT_LOCKED=1 top_srcdir=$SRC top_builddir=$BUILD \
		exec flock /tmp/harrier-audit.lock sh "$0" install "$TMP"
fi

# ---- 2.-4. install, run, remove, purge (under the lock) ----
TMP=$2
trap test_cleanup EXIT
trap 'exit 2' INT TERM HUP
audit_save
audit_need_pid_free

UNIT=/lib/systemd/system/harrierd.service
WANTS=/etc/systemd/system/multi-user.target.wants/harrierd.service
DB=/var/lib/harrier/alerts.db
ASIDE=$TMP/aside
mkdir -p "$ASIDE"

# What was there before (a hand-made /etc/harrier, a quickstart store)
# goes aside for the test and comes back at the end.
for d in /etc/harrier /var/lib/harrier /run/harrier; do
	[ -e "$d" ] || continue
	mkdir -p "$ASIDE$(dirname "$d")"
	mv "$d" "$ASIDE$d"
done
pkg_cleanup() {
	if dpkg-query -W -f='${Status}' harrier 2>/dev/null |
		grep -q 'installed\|config-files'; then
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
			purge -y -qq harrier >/dev/null 2>&1 ||
			dpkg --purge harrier >/dev/null 2>&1
	fi
	for d in /etc/harrier /var/lib/harrier /run/harrier; do
		[ -e "$ASIDE$d" ] || continue
		rm -rf "$d"
		mv "$ASIDE$d" "$d"
	done
}
at_cleanup pkg_cleanup

# snapshot FILE: the files, links and directories a package could leave,
# with owner and mode, and the user and group databases' checksums.
snapshot() {
	find /etc /lib/systemd /usr/lib/systemd /usr/bin /usr/sbin \
		/usr/share/doc /usr/share/man /usr/share/lintian /usr/share/harrier \
		/var/lib/systemd /var/lib/harrier /run/harrier \
		-xdev -printf '%p %u:%g %m %y\n' 2>/dev/null |
		grep -v '^/etc/ld.so.cache ' | sort >"$1"
	md5sum /etc/passwd /etc/group /etc/shadow /etc/gshadow >>"$1"
}
snapshot "$TMP/before"
dpkg-query -W -f='${Package} ${Status}\n' | sort >"$TMP/pkgs.before"
auditctl -l | sort >"$TMP/krules.before"

note "2. apt-get install ./harrier_*.deb"
deb=$(ls "$TMP"/debs/harrier_"$VERSION"-*_*.deb | head -1)
(cd "$(dirname "$deb")" && DEBIAN_FRONTEND=noninteractive \
	apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
	"./$(basename "$deb")") >"$TMP/apt-install.log" 2>&1 ||
	{ cat "$TMP/apt-install.log"; fail "2: apt-get install failed"; exit 1; }
dpkg-query -W -f='${Package} ${Status}\n' | sort >"$TMP/pkgs.installed"
added=$(comm -13 "$TMP/pkgs.before" "$TMP/pkgs.installed")
[ "$added" = "harrier install ok installed" ] ||
	fail "2: the install changed other packages: $added"
conffiles=$(dpkg-query -W -f='${Conffiles}\n' harrier | awk '{ print $1 }')
for f in /etc/harrier/harrier.yaml /etc/harrier/harrier_rules.yaml \
	/etc/harrier/harrier_rules.local.yaml \
	/etc/harrier/audit-rules.d/10-harrier-base.rules \
	/etc/audit/plugins.d/harrier.conf; do
	printf '%s\n' "$conffiles" | grep -qx "$f" || fail "2: $f is not a conffile"
done
[ -d /etc/harrier/rules.d ] || fail "2: no /etc/harrier/rules.d"
[ "$(stat -c %a /var/lib/harrier 2>/dev/null)" = 750 ] ||
	fail "2: /var/lib/harrier is not there with mode 0750"
[ "$(readlink "$WANTS")" = "$UNIT" ] ||
	fail "2: the unit is not enabled ($WANTS)"
# (other harrierd, of other trees, may run: only the installed one counts)
running=""
for p in $(pgrep -x harrierd); do
	[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = /usr/sbin/harrierd ] &&
		running="$running $p"
done
[ -z "$running" ] || fail "2: the install started harrierd:$running"
[ "$(man -w harrierd 2>/dev/null)" = /usr/share/man/man8/harrierd.8.gz ] ||
	fail "2: man harrierd does not find the page"
/usr/bin/harrier --version | head -1 | grep -qx "harrier $VERSION" ||
	fail "2: installed harrier --version is not $VERSION"

note "3. harrierd as the unit runs it"
# ExecStart, UMask and Group of the installed unit, as systemd would use
# them (the sandbox itself needs systemd: packaging/systemd/README.md).
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
umask_unit=$(sed -n 's/^UMask=//p' "$UNIT")
[ "$exec_start" = /usr/sbin/harrierd ] ||
	fail "3: unexpected ExecStart=$exec_start"
LISTENER=$BUILD/tests/integration/notify_listener
SOCK=$TMP/notify.sock
"$LISTENER" "$SOCK" 60 >"$TMP/notify.out" 2>&1 &
EXTRA_PIDS=$!
wait_for 2000 test -S "$SOCK" || fail "3: notify listener did not start"
(umask "$umask_unit" && cd / &&
	exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin NOTIFY_SOCKET="$SOCK" \
	$exec_start) >"$TMP/unit.out" 2>"$TMP/unit.err" &
HPID=$!
if wait_for 15000 grep -q '^READY=1$' "$TMP/notify.out"; then
	has_harrier_rules || fail "3: ready, but no harrier kernel rules"
	cat /etc/shadow >/dev/null
	shadow_alert() {
		n=$(sqlite3 "$DB" "select count(*) from alerts where
			rule = 'Read sensitive file untrusted' and
			file = '/etc/shadow' and exe like '%/cat'" 2>/dev/null)
		[ "${n:-0}" -ge 1 ]
	}
	wait_for 15000 shadow_alert ||
		fail "3: no alert for cat /etc/shadow in $DB"
	/usr/bin/harrier alerts --rule 'Read sensitive*' >"$TMP/alerts.out" 2>&1
	grep -q 'file=/etc/shadow' "$TMP/alerts.out" ||
		{ fail "3: harrier alerts does not show it"; cat "$TMP/alerts.out"; }
	[ "$(stat -c %a "$DB")" = 640 ] ||
		fail "3: the store is $(stat -c %a "$DB"), not 0640"
else
	fail "3: no READY=1 from the installed harrierd"
	cat "$TMP/unit.err"
fi
stop_harrierd
[ "$HRC" = 0 ] || { fail "3: harrierd exit code $HRC"; cat "$TMP/unit.err"; }
check_restored "3"
auditctl -l | sort >"$TMP/krules.after"
cmp -s "$TMP/krules.before" "$TMP/krules.after" ||
	fail "3: kernel rules differ after the stop: $(diff "$TMP/krules.before" "$TMP/krules.after")"

note "4. remove, purge"
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
	remove -y -qq harrier >"$TMP/apt-remove.log" 2>&1 ||
	{ cat "$TMP/apt-remove.log"; fail "4: apt-get remove failed"; }
[ -f "$DB" ] || fail "4: remove deleted the store"
[ -f /etc/harrier/harrier.yaml ] || fail "4: remove deleted the conffiles"
[ -e /usr/sbin/harrierd ] && fail "4: remove left /usr/sbin/harrierd"
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
	purge -y -qq harrier >"$TMP/apt-purge.log" 2>&1 ||
	{ cat "$TMP/apt-purge.log"; fail "4: apt-get purge failed"; }
dpkg-query -W -f='${Status}' harrier 2>/dev/null | grep -q 'installed\|config-files' &&
	fail "4: dpkg still knows harrier after purge"
snapshot "$TMP/after"
if ! cmp -s "$TMP/before" "$TMP/after"; then
	fail "4: after purge the system differs from before the install (- gone, + new):"
	diff "$TMP/before" "$TMP/after" | grep '^[<>]' | sed 's/^</-/; s/^>/+/' | head -30
fi
dpkg-query -W -f='${Package} ${Status}\n' | sort >"$TMP/pkgs.after"
cmp -s "$TMP/pkgs.before" "$TMP/pkgs.after" ||
	fail "4: package states differ: $(diff "$TMP/pkgs.before" "$TMP/pkgs.after" | head -5)"

[ "$FAILED" = 0 ] && echo "PASS"
exit "$FAILED"
