#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Falco's rule dialect, as a Falco user's files use it (tests/fixtures/
# falco/: Harrier's own fixtures in that dialect, and actions.log, real
# audit records of the actions in actions.sh):
# - required_engine_version in Falco's numbering loads (was refused);
# - a rule needing what audit cannot give is skipped with one warning
#   naming rule, construct and reason, and the rest of the file loads
#   (was: the whole file failed); rules_strict makes it an error;
# - harrier rules list shows those rules as skipped, with the reason;
# - errors point at the token inside a folded condition, name the macro
#   and the rules using it, come out in file order; disabled rules are
#   checked too;
# - lists with special items, macros used before their definition,
#   exceptions of every form, overrides and appends across files: what
#   fires on the recorded log, alone and stacked as rules.d would, is the
#   reviewed *.expected.
# When Falco's own files are in /tmp/falco-rules (never in CI), they must
# load too, alone and on top of the shipped rules: an extra, not the proof.
set -u
s=${top_srcdir:?}; b=${top_builddir:?}
f="$s/tests/fixtures/falco"
h="$b/harrier"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
has() { # file text: the diagnostics hold this line
	grep -qxF -- "$2" "$1" || { bad "missing: $2"; sed 's/^/  | /' "$1"; }
}

# --- loading: what loads, what is skipped and why ---
cd "$f" || exit 1
"$h" rules validate base_rules.yaml > "$work/v.out" 2> "$work/v.err" ||
	bad "base_rules.yaml does not validate: $(cat "$work/v.err")"
grep -q ': error:' "$work/v.err" && bad "base_rules.yaml: errors reported"
has "$work/v.err" "base_rules.yaml:177:47: warning: rule 'Class file download' skipped: needs field 'evt.buffer': audit records no I/O data (what read/write/poll moved)"
has "$work/v.err" "base_rules.yaml:184:29: warning: rule 'Slow syscall' skipped: needs field 'evt.latency': audit logs each syscall once, at exit: there is no enter event to time from"
has "$work/v.err" "base_rules.yaml:191:14: warning: rule 'Container started event' skipped: needs evt.type 'container': no syscall and no audit event has that type"
has "$work/v.err" "base_rules.yaml:199:29: warning: evt.dir is always '<' on audit data (syscalls are logged at exit): this comparison is never true (rule 'Enter events')"
has "$work/v.err" "base_rules.yaml:171:3: warning: unknown key 'future_key' in rule (ignored)"
has "$work/v.err" "base_rules.yaml:205:3: warning: rule 'Open with a link target' skipped: needs argument 'target': no syscall of the rule (openat) has it in audit data"
[ "$(grep -c 'skipped' "$work/v.err")" = 4 ] || bad "not one warning per skipped rule"

"$h" rules validate --strict base_rules.yaml > "$work/s.out" 2> "$work/s.err" &&
	bad "--strict accepted rules audit cannot run"
[ "$(grep -c "cannot be loaded (rules_strict)" "$work/s.err")" = 4 ] ||
	{ bad "--strict: not 4 errors"; cat "$work/s.err"; }

"$h" rules list --json -r base_rules.yaml -r local_rules.yaml \
	> "$work/list.json" 2>/dev/null || bad "rules list failed"
skipped=$(jq -r '.rules[] | select(.skipped) | "\(.name): \(.skip_reason)"' "$work/list.json")
[ "$skipped" = "Class file download: field 'evt.buffer': audit records no I/O data (what read/write/poll moved)
Slow syscall: field 'evt.latency': audit logs each syscall once, at exit: there is no enter event to time from
Container started event: evt.type 'container': no syscall and no audit event has that type
Open with a link target: argument 'target': no syscall of the rule (openat) has it in audit data" ] ||
	bad "rules list --json skipped rules: $skipped"
[ "$(jq '[.rules[] | select(.skipped | not)] | length' "$work/list.json")" = 14 ] ||
	bad "rules list: not 14 rules evaluated"
"$h" rules list -r base_rules.yaml > "$work/list.txt" 2>/dev/null
grep -q "^Slow syscall .*Notice (skipped)$" "$work/list.txt" ||
	bad "rules list text: Slow syscall not shown as skipped"
grep -q "^    skipped: field 'evt.latency': audit logs" "$work/list.txt" ||
	bad "rules list text: no reason for Slow syscall"
grep -q "^Disabled copy watch .*Notice (disabled)$" "$work/list.txt" ||
	bad "rules list text: disabled rule"

# --- errors: position, macro and rules, file order, disabled rules ---
"$h" rules validate errors_rules.yaml > "$work/e.out" 2> "$work/e.err" &&
	bad "errors_rules.yaml validated"
cat > "$work/e.want" <<'EOF'
errors_rules.yaml:18:9: error: unknown field 'fd.nmae' (rule 'Disabled but broken')
errors_rules.yaml:25:36: error: undefined macro or list 'fx_nowhere' (rule 'Undefined macro')
errors_rules.yaml:33:22: error: unknown operator 'contanis' (in macro 'fx_broken', used by rules 'First user of the broken macro', 'Second user of the broken macro')
errors_rules.yaml:43:45: error: operator 'startswith' needs a string field; 'proc.pid' is a number (rule 'Type error')
EOF
diff -u "$work/e.want" "$work/e.err" || bad "errors_rules.yaml: diagnostics differ"

# --- what fires on the recorded actions ---
"$h" replay --no-db -r base_rules.yaml actions.log > "$work/base.out" 2>/dev/null ||
	bad "replay base_rules.yaml failed"
diff -u base.expected "$work/base.out" || bad "base_rules.yaml: alerts differ"
# stacked like /etc/harrier/rules.d: later files replace and extend
mkdir -p "$work/etc/rules.d"
cp base_rules.yaml "$work/etc/rules.d/10-base.yaml"
cp local_rules.yaml "$work/etc/rules.d/20-local.yaml"
"$h" replay --no-db -r "$work/etc/rules.d/10-base.yaml" \
	-r "$work/etc/rules.d/20-local.yaml" actions.log > "$work/st.out" 2>/dev/null ||
	bad "replay stacked failed"
diff -u stacked.expected "$work/st.out" || bad "stacked: alerts differ"

# --- Falco's own files, when present on this machine ---
if [ -d /tmp/falco-rules ]; then
	for r in /tmp/falco-rules/falco_rules.yaml \
		 /tmp/falco-rules/falco-incubating_rules.yaml \
		 /tmp/falco-rules/falco-sandbox_rules.yaml; do
		[ -f "$r" ] || continue
		"$h" rules validate "$r" > /dev/null 2> "$work/falco.err" ||
			{ bad "$r does not load"; grep error "$work/falco.err" | head; }
		"$h" rules validate "$s/rules/harrier_rules.yaml" "$r" \
			> /dev/null 2> "$work/falco.err" ||
			{ bad "$r on the shipped rules does not load"; grep error "$work/falco.err" | head; }
		echo "$(basename "$r"): $(grep -c "skipped: needs" "$work/falco.err") enabled rules skipped"
	done
fi

[ $fail = 0 ] && echo "falco dialect: ok"
exit $fail
