#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The shipped rules stay quiet on ordinary work: with harrierd running, a
# marked shell (login uid $RS_AUID, inherited by everything it starts,
# containers included) compiles and links a C program and runs it, makes
# a git repository and commits, builds a small .deb and installs it twice
# (a reinstall) with dpkg then purges it, runs ldconfig, passwd -S,
# logrotate on a config of its own, imports a busybox image into a
# private podman store (a layer unpacked into an image root: /bin, /etc)
# and runs a container whose entry-point script runs ordinary commands,
# and runs ps, ls /etc, cat /etc/passwd, df and id. None of that may raise
# an alert of priority Warning or above. A last `cat /etc/shadow` from the
# same shell must raise exactly one (the proof that harrierd was watching
# the marked processes all along).
set -u
. "${top_srcdir:-.}/tests/integration/daemon_lib.sh"
. "$SRC/tests/integration/cgroup_lib.sh"
. "$SRC/tests/integration/ruleset_lib.sh"

need_tools gcc git dpkg dpkg-deb ldconfig passwd logrotate podman runc df ps
need_static_busybox
rs_setup rules-benign "$@"

T=$(hex 4)
PKG=harrier-benign-$T
PODMAN_STORE="--root $TMP/pst --runroot $TMP/prun"

# --- what the workload needs, prepared unmarked ------------------------
mkdir -p "$TMP/src" "$TMP/deb/DEBIAN" "$TMP/deb/usr/bin" \
	"$TMP/deb/usr/share/doc/$PKG" "$TMP/deb/etc" "$TMP/dpkg/info" \
	"$TMP/dpkg/updates" "$TMP/dpkg/triggers" "$TMP/log"
printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' \
	>"$TMP/src/hello.c"
cat >"$TMP/deb/DEBIAN/control" <<EOF
Package: $PKG
Version: 1.0
Architecture: all
Maintainer: Harrier tests <root@localhost>
Description: Harrier benign workload test package
 Installed and purged by test_rules_benign.sh.
EOF
echo "/etc/$PKG.conf" >"$TMP/deb/DEBIAN/conffiles"
printf '#!/bin/sh\nset -e\nexit 0\n' >"$TMP/deb/DEBIAN/postinst"
chmod 755 "$TMP/deb/DEBIAN/postinst"
printf '#!/bin/sh\necho %s\n' "$PKG" >"$TMP/deb/usr/bin/$PKG"
chmod 755 "$TMP/deb/usr/bin/$PKG"
echo "setting=1" >"$TMP/deb/etc/$PKG.conf"
echo "test package" >"$TMP/deb/usr/share/doc/$PKG/README"
dpkg-deb --root-owner-group --build "$TMP/deb" "$TMP/$PKG.deb" >/dev/null ||
	{ fail "dpkg-deb --build"; exit 1; }
# A dpkg database of its own: the system's stays untouched and unlocked
# (apt may run meanwhile); the files still go to the real /usr and /etc.
: >"$TMP/dpkg/status"
: >"$TMP/dpkg/available"
DPKG="dpkg --admindir=$TMP/dpkg --force-all"
purge_pkg() {
	$DPKG --purge "$PKG" >/dev/null 2>&1
	rm -f "/usr/bin/$PKG" "/etc/$PKG.conf"
	rm -rf "/usr/share/doc/$PKG"
}
at_cleanup purge_pkg

cat >"$TMP/logrotate.conf" <<EOF
$TMP/log/app.log {
	rotate 2
	copytruncate
	missingok
}
EOF
seq 1 100 >"$TMP/log/app.log"

IMGROOT=$TMP/imgroot
busybox_rootfs "$IMGROOT"
for a in ls id ps df echo; do ln -s busybox "$IMGROOT/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$IMGROOT/etc/passwd"
mkdir -p "$IMGROOT/usr/bin" "$IMGROOT/usr/sbin" "$IMGROOT/etc/profile.d"
echo "$T" >"$IMGROOT/etc/image-stamp" # a layer of its own, unpacked anew
cat >"$IMGROOT/entrypoint.sh" <<'EOF'
#!/bin/sh
ls /etc >/dev/null
cat /etc/passwd >/dev/null
id
ps >/dev/null
df >/dev/null
echo entrypoint done
EOF
chmod 755 "$IMGROOT/entrypoint.sh"
runc_lock
podman_clean() {
	$PODMAN $PODMAN_STORE rm -af >/dev/null 2>&1
	$PODMAN $PODMAN_STORE rmi -af >/dev/null 2>&1
	$PODMAN $PODMAN_STORE system reset -f >/dev/null 2>&1
	grep -F " $TMP/" /proc/mounts | cut -d' ' -f2 | sort -r |
		while read -r m; do umount "$m" 2>/dev/null; done
}
at_cleanup podman_clean

# --- the workload, from one marked shell -------------------------------
cat >"$TMP/workload.sh" <<'EOF'
set -u
cd "$TMP/src"
gcc -O1 -o hello hello.c && ./hello
mkdir "$TMP/repo" && cd "$TMP/repo" && git init -q .
echo hello >README && git add README
git -c user.name=Harrier -c user.email=harrier@localhost commit -q -m initial
git log --oneline >/dev/null
cd "$TMP"
$DPKG -i "$TMP/$PKG.deb" >/dev/null
$DPKG -i "$TMP/$PKG.deb" >/dev/null
"/usr/bin/$PKG" >/dev/null
$DPKG --purge "$PKG" >/dev/null
ldconfig
passwd -S root >/dev/null
logrotate -f -s "$TMP/logrotate.state" "$TMP/logrotate.conf"
tar -C "$IMGROOT" -c . |
	$PODMAN $PODMAN_STORE import - "localhost/harrier-benign:$T" >/dev/null
$PODMAN $PODMAN_STORE run --rm --network none \
	--ulimit nofile=20000:20000 --ulimit nproc=4096:4096 \
	"localhost/harrier-benign:$T" /entrypoint.sh
ps aux >/dev/null
ls /etc >/dev/null
cat /etc/passwd >/dev/null
df >/dev/null
id
# The canary: the one alert this shell must raise.
cat /etc/shadow >/dev/null
EOF
export TMP PKG DPKG IMGROOT PODMAN PODMAN_STORE T
t0=$(now_ms)
rs_mark sh "$TMP/workload.sh" >"$TMP/workload.log" 2>&1 ||
	fail "the workload failed (exit $?)"
echo "workload ran in $(($(now_ms) - t0)) ms"
grep -q 'entrypoint done' "$TMP/workload.log" ||
	fail "the container's entry point did not run"
[ -e "$TMP/log/app.log.1" ] || fail "logrotate did not rotate"

expect "Read sensitive file untrusted" fd.name=/etc/shadow proc.name=cat \
	"user.loginuid=$RS_AUID"
rs_check
stop_harrierd
[ "${HRC:-1}" = 0 ] || fail "harrierd exit status $HRC"

# Nothing of Warning or above from the workload but the canary.
rs_marked Warning Error Critical Alert Emergency >"$TMP/loud"
if [ "$(grep -vc '^Warning|Read sensitive file untrusted|/usr/bin/cat|/etc/shadow|' "$TMP/loud")" != 0 ]; then
	fail "alerts of Warning or above from ordinary work:"
	grep -v '^Warning|Read sensitive file untrusted|/usr/bin/cat|/etc/shadow|' \
		"$TMP/loud" | sed 's/^/    /'
fi
[ "$(wc -l <"$TMP/loud")" = 1 ] ||
	fail "$(wc -l <"$TMP/loud") Warning+ alerts, not the canary alone"
echo "quieter alerts from the workload (Notice and below):"
sqlite3 -batch -noheader "$RS_DB" "SELECT priority || ' ' || rule, count(*)
	FROM alerts WHERE auid = $RS_AUID AND priority NOT IN
	('Warning', 'Error', 'Critical', 'Alert', 'Emergency')
	GROUP BY 1 ORDER BY 2 DESC" | sed 's/^/    /'
if [ "$FAILED" != 0 ]; then
	echo "--- workload"
	cat "$TMP/workload.log"
fi

trap - EXIT
test_cleanup
check_restored "end"
for f in "/usr/bin/$PKG" "/etc/$PKG.conf" "/usr/share/doc/$PKG"; do
	[ -e "$f" ] && fail "$f left behind"
done
[ "$FAILED" = 0 ] || exit 1
echo "PASS"
exit 0
