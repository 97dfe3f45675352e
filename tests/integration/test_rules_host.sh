#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The shipped rules against real actions on the host: harrierd (shipped
# rules, kernel audit over netlink) runs while a marked shell (login uid
# $RS_AUID) does, one after another, what each rule is about: reads
# /etc/shadow, writes below /etc, /root and /usr/local/bin, chmods a
# system utility, enters and creates namespaces, loads a "module" that is
# no module, ptraces, opens a packet socket, runs netcat with -e, connects
# out from bash and from a coreutils-named program (in a network namespace
# of its own), writes cron, systemd, shell start-up, ld.so.preload and
# authorized_keys files, adds and removes a user, empties a log, deletes a
# shell history, shreds a file, searches for keys, adds and removes audit
# rules and writes below /etc/audit. Every alert must carry its rule, the
# process and the file or argument involved. Everything created is removed
# (files only this test names: harrier-rs-<random>), files appended to are
# left byte for byte as they were; the audit settings are restored.
set -u
. "${top_srcdir:-.}/tests/integration/daemon_lib.sh"
. "$SRC/tests/integration/cgroup_lib.sh"
. "$SRC/tests/integration/ruleset_lib.sh"

need_tools unshare nsenter ip useradd userdel groupadd groupdel shred
need_static_busybox
rs_setup rules-host "$@"
at_cleanup restore_system # defined below; runs at exit, whatever happens

T=$(hex 4)
N=harrier-rs-$T
A=$RS_AUID
mkdir -p "$TMP/bin" "$TMP/empty/.aws"
ln -s "$BUSYBOX" "$TMP/bin/nc"
for t in ncat socat nmap; do ln -s /bin/true "$TMP/bin/$t"; done
ln -s "$TRIGGER" "$TMP/bin/nginx"
ln -s "$TRIGGER" "$TMP/bin/ls"
ln -s "$TRIGGER" "$TMP/bin/conmon"
printf 'not a module\n' >"$TMP/notamodule"

# What the test appends to or may create in the system's own files, with
# their state before, to put back and to check at the end.
SYSFILES="/etc/ld.so.preload /root/.bashrc /root/.ssh/authorized_keys"
SYSDIRS="/root/.ssh"
for f in $SYSFILES; do
	if [ -e "$f" ]; then
		sha256sum "$f" >>"$TMP/sys.before"
	else
		echo "absent $f" >>"$TMP/sys.before"
	fi
done
for d in $SYSDIRS; do [ -d "$d" ] || echo "$d" >>"$TMP/dirs.created"; done
ACCOUNT_FILES="/etc/passwd /etc/group /etc/shadow /etc/gshadow /etc/subuid /etc/subgid"
sha256sum $ACCOUNT_FILES 2>/dev/null >"$TMP/accounts.before"
ORIG_RATE=$(status rate_limit)

restore_system() {
	for f in $SYSFILES; do
		grep -qx "absent $f" "$TMP/sys.before" 2>/dev/null && rm -f "$f"
	done
	if [ -f "$TMP/dirs.created" ]; then
		while read -r d; do rmdir "$d" 2>/dev/null; done <"$TMP/dirs.created"
	fi
	rm -f "/etc/$N.conf" "/etc/$N.lnk" "/etc/cron.d/$N" "/etc/cron.d/.$N.tmp" \
		"/etc/profile.d/.$N.tmp" "/etc/systemd/system/$N.service" \
		"/etc/profile.d/$N.sh" "/etc/audit/rules.d/$N.rules" \
		"/var/log/$N.log" "/root/$N" "/root/.ssh/id_$T" \
		/usr/local/bin/"$N" /usr/local/bin/"$N".moved "/dev/shm/$N"
	rmdir "/etc/$N.d" /usr/local/bin/"$N.d" 2>/dev/null
	rm -rf "/home/$N"
	userdel "$N" >/dev/null 2>&1
	groupdel "$N" >/dev/null 2>&1
	[ -n "$ORIG_RATE" ] && auditctl -r "$ORIG_RATE" >/dev/null 2>&1
}

# --- the triggers, from one marked shell -------------------------------
cat >"$TMP/triggers.sh" <<'EOF'
set -u
cd "$TMP"
echo x >"$TMP/junk"
mkdir -p "/home/$N" && echo x >"/home/$N/.bash_history"
rm -f "$TMP/shadow-link"
# Sensitive reads: directly, through "..", a PAM file, a private key.
cat /etc/shadow >/dev/null
grep -q root </etc/shadow
cat ../../etc/gshadow >/dev/null
cat /etc/pam.d/other >/dev/null
ln -s /etc/shadow "$TMP/shadow-link" && cat "$TMP/shadow-link" >/dev/null
"$TRIGGER" run /bin/cat ../../../../../../etc/passwd >/dev/null
mkdir -p /root/.ssh
touch "/root/.ssh/id_$T"
cat "/root/.ssh/id_$T" >/dev/null
rm -f "/root/.ssh/id_$T"
# /etc, /root, binary directories: write, rename, remove, mkdir.
cp /dev/null "/etc/$N.conf"
rm -f "/etc/$N.conf"
mkdir "/etc/$N.d" && rmdir "/etc/$N.d"
cp /dev/null "/root/$N"
rm -f "/root/$N"
cp /dev/null "/usr/local/bin/$N"
mv "/usr/local/bin/$N" "/usr/local/bin/$N.moved"
rm -f "/usr/local/bin/$N.moved"
mkdir "/usr/local/bin/$N.d" && rmdir "/usr/local/bin/$N.d"
# Links over sensitive files (a hard link needs the same file system: it
# is made in /etc and removed at once); a setuid copy of a program.
ln /etc/shadow "/etc/$N.lnk" && rm -f "/etc/$N.lnk"
cp /bin/true "$TMP/suid" && chmod 4755 "$TMP/suid" && rm -f "$TMP/suid"
# A program run from memory.
"$TRIGGER" memfd-exec /bin/true
# A system utility and a sensitive file: chmod to the mode they have.
chmod "$(stat -c %a /usr/bin/true)" /usr/bin/true
cp /dev/null "/etc/cron.d/$N"
chmod 600 "/etc/cron.d/$N"
rm -f "/etc/cron.d/$N"
# Namespaces: enter our own, create a user namespace.
nsenter -t $$ -m true
unshare -U true
# A module load that fails after the kernel audited it; ptrace.
"$TRIGGER" module "$TMP/notamodule"
"$TRIGGER" module-unload harrier_test_no_such_module
"$TRIGGER" kexec
"$TRIGGER" ptrace-attach
"$TRIGGER" ptrace-traceme
"$TRIGGER" packet-socket
# Servers and network tools.
"$TMP/bin/nginx" run /bin/sh -c 'exit 0'
"$TMP/bin/nc" -w 1 -e /bin/true 127.0.0.1 9 2>/dev/null
"$TMP/bin/ncat" --sh-exec /bin/true 127.0.0.1 9
"$TMP/bin/socat" TCP:127.0.0.1:9 EXEC:/bin/true
"$TMP/bin/nmap" -p 9 127.0.0.1
# Outbound connections to a non-loopback address, in a network namespace
# of our own (192.0.2.1 on its loopback device, a listener there).
unshare --net sh -c '
	ip link set lo up && ip addr add 192.0.2.1/32 dev lo || exit 1
	busybox nc -l -p 4444 </dev/null >/dev/null 2>&1 &
	busybox nc -l -p 4445 </dev/null >/dev/null 2>&1 &
	sleep 0.3
	bash -c "exec 3<>/dev/tcp/192.0.2.1/4444; exec 3>&-"
	"$TMP/bin/ls" connect 192.0.2.1 4445
	busybox nc -l -p 4446 </dev/null >/dev/null 2>&1 &
	sleep 0.3
	"$TRIGGER" revshell 192.0.2.1 4446 /bin/sh -c "exit 0" </dev/null
	kill %1 %2 %3 2>/dev/null
	wait'
# Execution from /dev/shm and /tmp.
cp /bin/true "/dev/shm/$N" && "/dev/shm/$N"
rm -f "/dev/shm/$N"
cp /bin/true "$TMP/$N" && "$TMP/$N"
# Persistence: cron, systemd, shell start-up, ld.so.preload, keys.
cp /dev/null "/etc/cron.d/$N"
rm -f "/etc/cron.d/$N"
cp /dev/null "/etc/cron.d/.$N.tmp" && mv "/etc/cron.d/.$N.tmp" "/etc/cron.d/$N"
rm -f "/etc/cron.d/$N"
cp /dev/null "/etc/profile.d/.$N.tmp" && mv "/etc/profile.d/.$N.tmp" "/etc/profile.d/$N.sh"
rm -f "/etc/profile.d/$N.sh"
cp /dev/null "/etc/systemd/system/$N.service"
rm -f "/etc/systemd/system/$N.service"
cp /dev/null "/etc/profile.d/$N.sh"
rm -f "/etc/profile.d/$N.sh"
: >>/root/.bashrc
: >>/etc/ld.so.preload
: >>/root/.ssh/authorized_keys
# A user and a group, added and removed at once.
useradd -M -N -s /usr/sbin/nologin "$N" && userdel "$N"
groupadd "$N" && groupdel "$N"
# Logs, history, data.
touch "/var/log/$N.log"
truncate -s 0 "/var/log/$N.log"
: >"/var/log/$N.log"
rm -f "/var/log/$N.log"
rm -f "/home/$N/.bash_history"
shred -u "$TMP/junk"
# Searches for keys and cloud credentials.
grep -r "BEGIN RSA PRIVATE" "$TMP/empty" >/dev/null
find "$TMP/empty" -name id_rsa >/dev/null
grep -r aws_secret_access_key "$TMP/empty" >/dev/null
find "$TMP/empty" -path "*/.aws/credentials"
# Audit: a rule added and removed (keyed harrier: the clean-up removes it
# if the test dies here), a task-list rule for the trigger helper (none
# runs meanwhile), a rate limit far above anything this machine logs, and
# a file below /etc/audit.
auditctl -a always,exit -F arch=b64 -S getcwd -F pid=1 -k "harrier-rs-$T" >/dev/null
auditctl -d always,exit -F arch=b64 -S getcwd -F pid=1 -k "harrier-rs-$T" >/dev/null
auditctl -a task,never -F exe="$TRIGGER" -k "harrier-rs-$T" >/dev/null
auditctl -d task,never -F exe="$TRIGGER" -k "harrier-rs-$T" >/dev/null
auditctl -r 1000000 >/dev/null
auditctl -r "$ORIG_RATE" >/dev/null
cp /dev/null "/etc/audit/rules.d/$N.rules"
rm -f "/etc/audit/rules.d/$N.rules"
# harrierd stopped for a moment by a stranger, then by a container
# runtime (its service manager in a pod), resumed each time; SIGUSR1
# (statistics) is no stop.
"$TRIGGER" signal "$HPID" 19
"$TRIGGER" signal "$HPID" 18
"$TMP/bin/conmon" signal "$HPID" 19
"$TRIGGER" signal "$HPID" 18
"$TRIGGER" signal "$HPID" 10
EOF
export TMP T N TRIGGER ORIG_RATE
# Signals to harrierd come through its own kernel rule; no other signal
# is audited.
harrier_rule_lines >"$TMP/krules"
grep -q -- "-S kill,tkill,tgkill -F a0=$(printf 0x%X "$HPID") .*key=harrier_self_signal" \
	"$TMP/krules" || { fail "no kernel rule for signals to harrierd"; cat "$TMP/krules"; }
grep -v harrier_self_signal "$TMP/krules" | grep -q kill &&
	fail "kill is audited beyond signals to harrierd: $(cat "$TMP/krules")"

fire() {
	t0=$(now_ms)
	HPID=$HPID rs_mark sh "$TMP/triggers.sh" >"$TMP/triggers.log" 2>&1
	restore_system
	echo "triggers fired in $(($(now_ms) - t0)) ms"
}
fire

# --- what each rule must have said --------------------------------------
U="user.loginuid=$A"
expect "Read sensitive file untrusted" fd.name=/etc/shadow proc.name=cat "$U" container.id=host
expect "Read sensitive file untrusted" fd.name=/etc/gshadow proc.name=cat "$U"
expect "Read sensitive file untrusted" fd.name=/etc/shadow proc.name=sh "$U"
expect "Read sensitive file untrusted" fd.name~/etc/pam.d/ proc.name=cat "$U"
expect "Read sensitive file untrusted" fd.name=/etc/shadow "fd.nameraw=$TMP/shadow-link" proc.name=cat "$U"
expect "Directory traversal monitored file read" fd.name=/etc/passwd fd.nameraw=../../../../../../etc/passwd proc.name=cat proc.pname=trigger "$U"
expect_none "Directory traversal monitored file read" fd.name=/etc/gshadow "$U"
expect "Read sensitive file untrusted" "fd.name=/root/.ssh/id_$T" proc.name=cat "$U"
expect "Write below etc" "fd.name=/etc/$N.conf" proc.name=cp "$U"
expect "Rename, remove or mkdir below etc or root" "fd.name=/etc/$N.conf" proc.name=rm evt.type=unlinkat "$U"
expect "Rename, remove or mkdir below etc or root" "fd.name=/etc/$N.d" proc.name=mkdir "$U"
expect "Rename, remove or mkdir below etc or root" "fd.name=/etc/$N.d" proc.name=rmdir "$U"
expect "Rename, remove or mkdir below etc or root" "fd.name=/root/$N" proc.name=rm "$U"
expect "Write below root" "fd.name=/root/$N" proc.name=cp "$U"
expect "Write below binary dir" "fd.name=/usr/local/bin/$N" proc.name=cp "$U"
expect "Modify binary dirs" "fd.name=/usr/local/bin/$N" "evt.arg.newpath=/usr/local/bin/$N.moved" proc.name=mv "$U"
expect "Modify binary dirs" "fd.name=/usr/local/bin/$N.moved" proc.name=rm "$U"
expect "Modify binary dirs" "fd.name=/usr/local/bin/$N.d" proc.name=rmdir "$U"
expect "Mkdir binary dirs" "fd.name=/usr/local/bin/$N.d" proc.name=mkdir "$U"
expect "Modify system utility binary" fd.name=/usr/bin/true proc.name=chmod "$U"
expect "Chmod or chown of sensitive file or binary" fd.name=/usr/bin/true proc.name=chmod "$U"
expect "Chmod or chown of sensitive file or binary" "fd.name=/etc/cron.d/$N" proc.name=chmod "$U"
expect "Change thread namespace" proc.name=nsenter evt.res=SUCCESS "$U"
expect "Create Symlink Over Sensitive Files" evt.arg.target=/etc/shadow "evt.arg.linkpath~shadow-link" proc.name=ln "$U"
expect "Create Hardlink Over Sensitive Files" fd.name=/etc/shadow "evt.arg.newpath=/etc/$N.lnk" proc.name=ln "$U"
expect "Set Setuid or Setgid bit" "fd.name=$TMP/suid" evt.arg.mode~S_ISUID proc.name=chmod "$U"
expect "Fileless execution via memfd_create" "proc.exepath~/memfd:harrier-test" "$U"
# A connect's fd.name is "cip:cport->sip:sport" when harrierd read the
# local end from /proc while the process still lived, else "sip:sport":
# either holds the server's end.
expect "Redirect STDOUT/STDIN to Network Connection on Host" proc.name=trigger fd.name~192.0.2.1:4446 evt.rawres=0 "$U"
expect "Redirect STDOUT/STDIN to Network Connection on Host" proc.name=trigger evt.rawres=1 "$U"
expect "Change namespace privileges via unshare" proc.name=unshare evt.arg.flags=CLONE_NEWUSER "$U"
expect "Load kernel module" evt.type=finit_module proc.name=trigger "$U"
expect "Load kernel module" evt.type=init_module proc.name=trigger "$U"
expect "Unload kernel module" evt.type=delete_module proc.name=trigger "proc.cmdline~harrier_test_no_such_module" "$U"
expect "Load new kernel with kexec" evt.type=kexec_load proc.name=trigger "$U"
expect "Load new kernel with kexec" evt.type=kexec_file_load proc.name=trigger "$U"
expect "PTRACE attached to process" evt.arg.request=PTRACE_ATTACH proc.name=trigger "$U"
expect "PTRACE anti-debug attempt" proc.name=trigger "$U"
expect "Packet socket created on host" proc.name=trigger evt.res=SUCCESS "$U"
expect "Run shell untrusted" proc.name=sh proc.pname=nginx "$U"
expect "Netcat/Socat Remote Code Execution on Host" proc.name=nc "proc.cmdline~-e /bin/true" "$U"
expect "Netcat/Socat Remote Code Execution on Host" proc.name=ncat "$U"
expect "Netcat/Socat Remote Code Execution on Host" proc.name=socat "$U"
expect "Launch Suspicious Network Tool on Host" proc.name=nmap "$U"
expect "Launch Suspicious Network Tool on Host" proc.name=nc "$U"
expect "Outbound connection from shell" proc.name=bash fd.sip=192.0.2.1 fd.rport=4444 "$U"
expect "System procs network activity" proc.name=ls fd.rport=4445 "$U"
expect "Execution from /dev/shm" "fd.name=/dev/shm/$N" "$U"
expect "Execution from /tmp" "fd.name=$TMP/$N" "$U"
expect "Schedule Cron Jobs" "fd.name=/etc/cron.d/$N" proc.name=cp "$U"
expect "Schedule Cron Jobs" "evt.arg.newpath=/etc/cron.d/$N" proc.name=mv "$U"
expect "Modify systemd unit file" "fd.name=/etc/systemd/system/$N.service" proc.name=cp "$U"
expect "Modify Shell Configuration File" "fd.name=/etc/profile.d/$N.sh" proc.name=cp "$U"
expect "Modify Shell Configuration File" "evt.arg.newpath=/etc/profile.d/$N.sh" proc.name=mv "$U"
expect "Modify Shell Configuration File" fd.name=/root/.bashrc proc.name=sh "$U"
expect "Modify ld.so.preload" fd.name=/etc/ld.so.preload proc.name=sh "$U"
expect "Adding ssh keys to authorized_keys" fd.name=/root/.ssh/authorized_keys proc.name=sh "$U"
expect "User mgmt binaries" proc.name=useradd "proc.cmdline~$N" "$U"
expect "User mgmt binaries" proc.name=userdel "$U"
expect "User mgmt binaries" proc.name=groupadd "$U"
expect "Clear Log Activities" "fd.name=/var/log/$N.log" proc.name=truncate "$U"
expect "Clear Log Activities" "fd.name=/var/log/$N.log" proc.name=sh "$U"
expect "Clear Log Activities" "fd.name=/var/log/$N.log" proc.name=rm "$U"
expect "Delete or rename shell history" "fd.name=/home/$N/.bash_history" proc.name=rm "$U"
expect "Remove Bulk Data from Disk" proc.name=shred "$U"
expect "Search Private Keys or Passwords" proc.name=grep "$U"
expect "Search Private Keys or Passwords" proc.name=find "$U"
expect "Find AWS Credentials" proc.name=grep "$U"
expect "Find AWS Credentials" proc.name=find "$U"
expect "Kernel audit configuration changed" evt.arg.op=add_rule "evt.arg.key=harrier-rs-$T" evt.arg.list=exit proc.name=auditctl "$U"
expect "Kernel audit tampering" evt.arg.op=add_rule evt.arg.list=task proc.name=auditctl "$U"
expect "Kernel audit tampering" evt.arg.op=remove_rule "evt.arg.key=harrier-rs-$T" proc.name=auditctl "$U"
expect "Kernel audit tampering" evt.arg.audit_rate_limit=1000000 proc.name=auditctl "$U"
expect "Modify audit configuration" "fd.name=/etc/audit/rules.d/$N.rules" proc.name=cp "$U"
expect "Modify audit configuration" "fd.name=/etc/audit/rules.d/$N.rules" proc.name=rm "$U"
expect "Harrier daemon killed or stopped" evt.arg.sig=SIGSTOP "evt.arg.pid=$HPID" proc.name=trigger "$U"
expect "Harrier daemon stopped by service manager" evt.arg.sig=SIGSTOP proc.name=conmon "$U"
expect_none "Harrier daemon killed or stopped" evt.arg.sig=SIGCONT
expect_none "Harrier daemon killed or stopped" evt.arg.sig=SIGUSR1
expect_none "Harrier daemon killed or stopped" proc.name=conmon
# Attributed to the host, and nothing from the marked shell is a container.
expect_none "Read sensitive file untrusted" "$U" container.id~0
t0=$(now_ms)
rs_check
echo "alerts checked in $(($(now_ms) - t0)) ms"
# The same triggers without push-down: the same alerts.
rs_superset fire
stop_harrierd
[ -z "${HRC:-}" ] || [ "$HRC" = 0 ] || fail "harrierd exit status $HRC"

# --- the system is as it was ------------------------------------------
for f in $SYSFILES; do
	if grep -qxF "absent $f" "$TMP/sys.before"; then
		[ -e "$f" ] && fail "$f left behind"
	else
		grep -qxF "$(sha256sum "$f")" "$TMP/sys.before" ||
			fail "$f changed"
	fi
done
for d in $SYSDIRS; do
	grep -qxF "$d" "$TMP/dirs.created" 2>/dev/null && [ -d "$d" ] &&
		fail "$d left behind"
done
sha256sum $ACCOUNT_FILES 2>/dev/null | cmp -s - "$TMP/accounts.before" ||
	fail "account files changed"
for p in "/etc/$N.conf" "/etc/cron.d/$N" "/etc/systemd/system/$N.service" \
	"/etc/profile.d/$N.sh" "/etc/audit/rules.d/$N.rules" "/var/log/$N.log" \
	"/root/$N" "/usr/local/bin/$N.moved" "/dev/shm/$N" "/home/$N" \
	"/etc/$N.lnk"; do
	[ -e "$p" ] && fail "$p left behind"
done
[ "$(status rate_limit)" = "$ORIG_RATE" ] ||
	fail "rate_limit is $(status rate_limit), was $ORIG_RATE"
if [ "$FAILED" != 0 ]; then
	echo "--- triggers"
	cat "$TMP/triggers.log"
	echo "--- harrierd"
	cat "$TMP/rules.err"
fi

trap - EXIT
test_cleanup
check_restored "end"
[ "$FAILED" = 0 ] || exit 1
echo "PASS"
exit 0
