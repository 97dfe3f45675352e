#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# gen_big_rules.py DIR N: DIR/big1.yaml .. bigN.yaml, 5 MB each of valid
# lists, macros and rules (4000 each), for a reload that takes seconds.
# Cheap to evaluate: each rule's first test after evt.type (a name no
# process has) fails at once, so the live daemon keeps up.
import sys

d, n = sys.argv[1], int(sys.argv[2])
for f in range(1, n + 1):
    out = []
    for i in range(4000):
        k = "%d_%d" % (f, i)
        items = ", ".join("/opt/app%s/bin/tool%d" % (k, j) for j in range(40))
        out.append("- list: big_list_%s\n  items: [%s]\n" % (k, items))
        out.append("- macro: big_macro_%s\n  condition: (proc.exepath in "
                   "(big_list_%s) and proc.pname != init)\n" % (k, k))
        out.append("- rule: Big rule %s\n  desc: load test\n  condition: "
                   "evt.type = execve and proc.name = no_such_tool_%s and "
                   "big_macro_%s\n  output: big %s (proc=%%proc.name)\n"
                   "  priority: DEBUG\n" % (k, k, k, k))
    with open("%s/big%d.yaml" % (d, f), "w") as fh:
        fh.write("".join(out))
