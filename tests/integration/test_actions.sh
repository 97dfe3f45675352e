#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Recorded real actions (tests/fixtures/actions: connect from a shell,
# dup2 of a socket onto stdin, a symlink to /etc/shadow read through it,
# chmod u+s, ptrace attach and PTRACE_TRACEME, memfd execution, capset,
# a shell exec'ing cat in place) replayed with Falco-dialect rules of our
# own: the network, fd, argument, process and capability fields must be
# what the actions did. Needs no root.
set -u
s=${top_srcdir:?}; b=${top_builddir:?}
a="$s/tests/fixtures/actions"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

"$b/harrier" replay --no-db --json -r "$a/actions_rules.yaml" \
	"$a/actions.log" >"$work/out" 2>"$work/err" ||
	{ bad "replay exited $?"; cat "$work/err"; }

# want RULE-PREFIX TEXT: an alert of the rule whose output holds TEXT.
want() {
	jq -r --arg r "$1" 'select(.rule | startswith($r)) | .output' \
		"$work/out" | grep -qF -- "$2" ||
		{ bad "$1: no alert with '$2'"; jq -r --arg r "$1" \
			'select(.rule | startswith($r)) | .output' \
			"$work/out" | sed 's/^/  got: /'; }
}
count() { jq -r --arg r "$1" 'select(.rule | startswith($r)) | .rule' \
	"$work/out" | wc -l; }

P=$(jq -r 'select(.rule == "Test shell connects out") |
	.output_fields["fd.sport"]' "$work/out" | head -n 1)
[ -n "$P" ] && [ "$P" != null ] || bad "no connect alert with a port"

# bash -c 'exec 0<>/dev/tcp/127.0.0.1/P': socket, connect, dup2(3, 0)
want "Test stdin redirected" "redirect num=3 newfd=0 rawnewfd=0 oldfd=3 type=ipv4 typechar=4 sip=127.0.0.1 sport=$P rip=127.0.0.1 rport=$P proto=tcp connected=true name=127.0.0.1:$P cmd=bash -c exec 0<>/dev/tcp/127.0.0.1/$P; echo hi >&0"
want "Test shell connects out" "connect num=3 sip=127.0.0.1 sport=$P rport=$P connected=true proto=tcp sockfamily=ip tuple=127.0.0.1:$P"
[ "$(count "Test shell connects out")" = 2 ] || bad "2 connects expected"
want "Test server accepts" "accept cip=127.0.0.1 sip=127.0.0.1 proto=tcp connected=true"
# ln -s /etc/shadow /tmp/harrier-fixture/x; cat /tmp/harrier-fixture/x
want "Test shadow through" "shadow name=/etc/shadow nameraw=/tmp/harrier-fixture/x dir=/etc file=shadow cmd=cat /tmp/harrier-fixture/x"
want "Test symlink" "symlink target=/etc/shadow linkpath=/tmp/harrier-fixture/x"
# chmod u+s on a copy of /bin/true
want "Test setuid" "setuid mode=S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID rawmode=2541 filename=/tmp/harrier-fixture/suid"
want "Test ptrace" "ptrace request=PTRACE_TRACEME pid=0"
want "Test ptrace" "ptrace request=PTRACE_ATTACH pid="
[ "$(count "Test ptrace")" = 2 ] || bad "2 ptrace alerts expected (not DETACH)"
# execve of /proc/self/fd/N and execveat(fd, "", AT_EMPTY_PATH)
# comm is the basename of /proc/self/fd/3
want "Test memfd" "memfd type=execve exe=/memfd:harrier-payload (deleted) cmd=3 -p"
want "Test memfd" "memfd type=execveat exe=/memfd:harrier-payload (deleted) cmd=memfd:harrier-p -a"
# capsh --caps=cap_net_raw,cap_chown+ep
want "Test capabilities" "capset eff=CAP_CHOWN CAP_NET_RAW prm=CAP_CHOWN CAP_NET_RAW inh="
# bash -c "cat /etc/hostname; exec cat /etc/shadow": PROCTITLE is stale
want "Test shadow read in place" "inplace cmd=cat /etc/shadow args=/etc/shadow exe=cat"
[ "$(count "Test shadow read in place")" = 1 ] || bad "1 in-place read expected"

if [ "$fail" = 0 ]; then
	echo "PASS: $(wc -l <"$work/out") alerts checked"
	exit 0
fi
exit 1
