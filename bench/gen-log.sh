#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Make a large audit log with a realistic mix out of the real events
# recorded on this machine (tests/fixtures/golden: execve-heavy, with
# PATH/CWD/PROCTITLE/SOCKADDR and a few sensitive-file reads): the recorded
# logs are repeated with fresh, increasing serials and timestamps until the
# log holds at least N records.
# usage: bench/gen-log.sh N OUT
set -eu
n=$1; out=$2
here=$(cd "$(dirname "$0")" && pwd)
src="$here/../tests/fixtures/golden/exec_net.log $here/../tests/fixtures/golden/sensitive_read.log"
cat $src | grep -v '^type=DAEMON_' > "$out.one"
per=$(wc -l < "$out.one")
reps=$(( (n + per - 1) / per ))
awk -v reps="$reps" '
	{ line[NR] = $0 }
	END {
		serial = 1000; t = 1795000000; ms = 0; prev = ""
		for (r = 0; r < reps; r++) {
			for (i = 1; i <= NR; i++) {
				s = line[i]
				p = index(s, "msg=audit(")
				q = index(substr(s, p), ")")
				stamp = substr(s, p + 10, q - 11)
				if (stamp != prev) {
					prev = stamp; serial++; ms += 3
					if (ms >= 1000) { ms -= 1000; t++ }
				}
				printf "%s%d.%03d:%d%s\n", substr(s, 1, p + 9), t, ms, serial, substr(s, p + q - 1)
			}
		}
	}' "$out.one" > "$out"
rm -f "$out.one"
