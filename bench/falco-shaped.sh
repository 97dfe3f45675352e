#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Print a rules file of Falco's size and shape, written for this bench
# (not taken from falcosecurity/rules): 90 rules over long lists (50-120
# items, lists of lists), macros nested three deep, exceptions with
# several tuples, pmatch/glob/regex/startswith/icontains, proc.aname
# lookups (indexed and any-ancestor) and a few transformers, in the
# proportions Falco's stable and incubating files have (mostly exec and
# open rules, some network). Every rule is restricted by evt.type, as
# Falco's are. The names are invented; most rules never fire on the
# bench log, a few do.
# usage: bench/falco-shaped.sh > shaped.yaml
awk 'function items(prefix, n, extra,   s, i) {
	s = extra
	for (i = 1; i <= n; i++)
		s = s (s == "" ? "" : ", ") prefix i
	return s
}
BEGIN {
	print "- required_engine_version: 0.57.0"
	print ""
	print "- list: fs_shell_binaries"
	print "  items: [ash, bash, csh, ksh, sh, tcsh, zsh, dash]"
	print "- list: fs_pkg_mgmt"
	print "  items: [" items("pkgtool", 60, "dpkg, apt, apt-get, rpm, yum, dnf") "]"
	print "- list: fs_trusted_readers"
	print "  items: [" items("daemon", 100, "sshd, sudo, su, login, systemd, cron") ", fs_pkg_mgmt]"
	print "- list: fs_sensitive_dirs"
	print "  items: [/etc/shadow, /etc/sudoers.d, /root/.ssh, /etc/pam.d, /var/lib/secrets, /etc/kubernetes/pki]"
	print "- list: fs_miner_ports"
	print "  items: [" items("", 0, "3333, 4444, 5555, 6666, 7777, 8888, 9999, 14444, 14433, 45560, 45700") "]"
	print "- list: fs_known_hosts_procs"
	print "  items: [" items("agent", 80, "") "]"
	print ""
	print "- macro: fs_spawned_process"
	print "  condition: (evt.type in (execve, execveat))"
	print "- macro: fs_open_read"
	print "  condition: (evt.type in (open, openat, openat2) and evt.is_open_read=true and fd.typechar=f and fd.num>=0)"
	print "- macro: fs_open_write"
	print "  condition: (evt.type in (open, openat, openat2) and evt.is_open_write=true and fd.typechar=f and fd.num>=0)"
	print "- macro: fs_container"
	print "  condition: (container.id != host)"
	print "- macro: fs_interactive"
	print "  condition: (proc.aname[1] in (fs_shell_binaries) or proc.aname[2] in (fs_shell_binaries))"
	print "- macro: fs_shell_spawned"
	print "  condition: (fs_spawned_process and proc.name in (fs_shell_binaries))"
	print "- macro: fs_untrusted_shell"
	print "  condition: (fs_shell_spawned and not proc.pname in (fs_trusted_readers) and not fs_known_parent)"
	print "- macro: fs_known_parent"
	print "  condition: (proc.aname in (fs_known_hosts_procs) or proc.pexepath startswith /opt/vendor/)"
	print "- macro: fs_never_true"
	print "  condition: (evt.num=0)"
	print ""
	for (r = 0; r < 90; r++) {
		printf "- list: fs_list_%d\n", r
		printf "  items: [%s]\n", items("tool" r "_", 40 + (r % 5) * 20, "")
		printf "- macro: fs_user_known_%d\n", r
		printf "  condition: (fs_never_true)\n"
		printf "- rule: Shaped rule %d\n", r
		printf "  desc: bench rule %d of a Falco-shaped set\n", r
		k = r % 10
		if (k == 0 || k == 1)
			c = sprintf("fs_spawned_process and proc.name in (fs_list_%d) and not proc.pname in (fs_trusted_readers) and not fs_user_known_%d", r, r)
		else if (k == 2)
			c = sprintf("fs_untrusted_shell and fs_interactive and proc.cmdline icontains \"tool%d\" and not fs_user_known_%d", r, r)
		else if (k == 3)
			c = sprintf("fs_open_read and fd.name pmatch (fs_sensitive_dirs) and not proc.name in (fs_trusted_readers) and not proc.name in (fs_list_%d) and not fs_user_known_%d", r, r)
		else if (k == 4)
			c = sprintf("fs_open_write and (fd.name glob \"/etc/*.d/tool%d*\" or fd.directory in (/usr/bin, /usr/sbin, /bin, /sbin)) and not proc.name in (fs_pkg_mgmt)", r)
		else if (k == 5)
			c = sprintf("fs_spawned_process and proc.cmdline regex \".*(curl|wget) .*tool%d.*\" and not fs_user_known_%d", r, r)
		else if (k == 6)
			c = sprintf("evt.type in (connect, sendto) and fd.sport in (fs_miner_ports) and not proc.name in (fs_list_%d)", r)
		else if (k == 7)
			c = sprintf("fs_spawned_process and proc.aname[3] in (fs_list_%d) and proc.exepath startswith /tmp/", r)
		else if (k == 8)
			c = sprintf("fs_open_read and fd.name startswith /proc/ and fd.filename in (environ, mem, maps) and not proc.aname in (fs_list_%d)", r)
		else
			c = sprintf("fs_spawned_process and tolower(proc.name) in (fs_list_%d) and len(proc.args) > 200", r)
		printf "  condition: >\n    %s\n", c
		if (k == 0 || k == 3 || k == 5 || k == 8) {
			printf "  exceptions:\n"
			printf "    - name: known_pairs\n"
			printf "      fields: [proc.name, proc.pname]\n"
			printf "      comps: [=, in]\n"
			printf "      values:\n"
			printf "        - [tool%d_1, [bash, sh]]\n", r
			printf "        - [tool%d_2, [fs_shell_binaries]]\n", r
			printf "        - [tool%d_3, [containerd-shim, runc]]\n", r
			printf "    - name: known_paths\n"
			printf "      fields: fd.name\n"
			printf "      comps: pmatch\n"
			printf "      values: [/var/lib/tool%d, /opt/tool%d]\n", r, r
		}
		printf "  output: >\n    shaped %d (user=%%user.name cmd=%%proc.cmdline file=%%fd.name parent=%%proc.pname gparent=%%proc.aname[2] container=%%container.id)\n", r
		printf "  priority: %s\n", (r % 3 == 0 ? "WARNING" : (r % 3 == 1 ? "NOTICE" : "ERROR"))
		printf "  tags: [bench, mitre_execution, T1059]\n"
		print ""
	}
}'
