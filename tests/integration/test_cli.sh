#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The harrier CLI as a user meets it (no root needed):
#  1. `harrier COMMAND --help` describes that command (exit 0); wrong
#     subcommands, unknown options and stray arguments are named (exit 1):
#     `harrier rules bogus` used to say "unknown command 'rules'";
#  2. --json on rules list, rules validate, fields and status parses and
#     says what the text says;
#  3. rules list shows description, tags and priority; fields and every
#     help text fit 80 columns;
#  4. colour on a terminal only: never in a pipe or a file, and not with
#     NO_COLOR (a pseudo-terminal from script(1) stands in for a user).
set -u
s=${top_srcdir:?}; b=${top_builddir:?}
H="$b/harrier"
work=$(mktemp -d /tmp/harrier-cli.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
RULES=$s/tests/fixtures/forensics/rules.yaml

# run EXPECTED_RC ARGS...: harrier ARGS, stdout in $work/out, stderr in
# $work/err; a failure when the exit code differs
run() {
	_want=$1
	shift
	"$H" "$@" >"$work/out" 2>"$work/err"
	_rc=$?
	[ "$_rc" = "$_want" ] || bad "harrier $*: exit $_rc, want $_want ($(head -2 "$work/err"))"
}
wide() { awk -v f="$1" 'length > 80 { print f ": " length ": " $0; n++ } END { exit n > 0 }' "$2"; }

# ---- 1. help and argument errors ----
echo "--- 1. help and errors"
for cmd in replay alerts timeline report "rules validate" "rules list" fields status; do
	# shellcheck disable=SC2086
	run 0 $cmd --help
	head -1 "$work/out" | grep -q "^usage: harrier $cmd" || bad "$cmd --help: $(head -1 "$work/out")"
	grep -q 'rules validate' "$work/out" && [ "$cmd" != "rules validate" ] &&
		bad "$cmd --help prints every command's usage"
	wide "$cmd --help" "$work/out" || bad "$cmd --help is wider than 80 columns"
	# shellcheck disable=SC2086
	run 0 help $cmd
	head -1 "$work/out" | grep -q "^usage: harrier $cmd" || bad "help $cmd"
done
run 0 --help
wide "--help" "$work/out" || bad "harrier --help is wider than 80 columns"
grep -q '^  timeline ' "$work/out" && grep -q '^  report ' "$work/out" || bad "--help lacks timeline or report"
run 1 rules bogus
grep -q "harrier rules: unknown subcommand 'bogus' (expected validate, list or kernel)" "$work/err" ||
	bad "rules bogus: $(cat "$work/err")"
grep -q "unknown command 'rules'" "$work/err" && bad "rules bogus blames 'rules'"
run 1 rules
grep -q "harrier rules: missing subcommand" "$work/err" || bad "rules: $(cat "$work/err")"
run 0 rules --help
grep -q 'harrier rules list' "$work/out" && grep -q 'harrier rules validate' "$work/out" || bad "rules --help"
run 1 bogus
grep -q "harrier: unknown command 'bogus'" "$work/err" || bad "bogus: $(cat "$work/err")"
run 1 alerts stray
grep -q "harrier alerts: unexpected argument 'stray'" "$work/err" || bad "alerts stray: $(cat "$work/err")"
run 1 status extra
grep -q "harrier status: unexpected argument 'extra'" "$work/err" || bad "status extra"
run 1 fields extra
grep -q "harrier fields: unexpected argument 'extra'" "$work/err" || bad "fields extra"
run 1 rules list -r "$RULES" extra
grep -q "harrier rules list: unexpected argument 'extra'" "$work/err" || bad "rules list extra"
# a bad value names its command too (not just "harrier")
run 1 alerts --pid abc
grep -q "^harrier alerts: error: --pid 'abc': not a process id" "$work/err" || bad "alerts --pid abc: $(cat "$work/err")"
run 1 report --since 2026-13-45
grep -q "^harrier report: error: --since '2026-13-45'" "$work/err" || bad "report --since: $(cat "$work/err")"
run 1 alerts --bogus
grep -q "harrier alerts: unknown option '--bogus'" "$work/err" || bad "alerts --bogus: $(cat "$work/err")"
run 1 alerts -x
grep -q "harrier alerts: unknown option '-x'" "$work/err" || bad "alerts -x"
run 1 alerts --db
grep -q "harrier alerts: option '--db' needs a value" "$work/err" || bad "alerts --db: $(cat "$work/err")"
run 1 alerts --limit 0
grep -q "harrier alerts: --limit '0'" "$work/err" || bad "alerts --limit 0"
run 1 replay
grep -q "harrier replay: no log file given" "$work/err" || bad "replay without a log"
run 1 rules validate
grep -q "harrier rules validate: no file given" "$work/err" || bad "rules validate without a file"
run 1 timeline 12 13
grep -q "harrier timeline: unexpected argument '13'" "$work/err" || bad "timeline 12 13"
run 1 timeline abc
grep -q "ALERT_ID 'abc'" "$work/err" || bad "timeline abc: $(cat "$work/err")"
# every error points to the command's help
grep -q "Try 'harrier timeline --help'" "$work/err" || bad "no hint to --help"

# ---- 2. --json ----
echo "--- 2. json"
run 0 rules list --json -r "$RULES"
jq -e '.rules | length == 7' "$work/out" >/dev/null || bad "rules list --json: rule count"
jq -e '.rules[] | select(.name == "Private key search") | .priority == "Notice" and .enabled and (.tags | index("T1552.004")) and .desc == "grep for a PEM private key header." and .line > 0 and (.file | endswith("rules.yaml"))' "$work/out" >/dev/null ||
	bad "rules list --json: one rule: $(jq -c '.rules[1]' "$work/out")"
jq -e '.event_types | index("openat") and index("execve") and index("connect")' "$work/out" >/dev/null ||
	bad "rules list --json: event types"
run 0 rules validate --json "$RULES"
jq -e '.ok and (.files | length == 1) and (.errors | length == 0)' "$work/out" >/dev/null || bad "rules validate --json (ok)"
printf -- '- rule: x\n  desc: d\n  condition: evt.type = open and nosuch.field = 1\n  output: o\n  priority: warning\n' >"$work/bad.yaml"
run 1 rules validate --json "$work/bad.yaml"
jq -e '(.ok | not) and .errors[0].line == 3 and .errors[0].column > 0 and (.errors[0].message | contains("nosuch.field")) and (.errors[0].file | endswith("bad.yaml"))' "$work/out" >/dev/null ||
	bad "rules validate --json (error): $(cat "$work/out")"
run 0 fields --json
jq -e 'length > 50 and (map(select(.name == "proc.cmdline" and .type == "string" and (.desc | length) > 0)) | length == 1)' "$work/out" >/dev/null ||
	bad "fields --json"
[ "$(jq length "$work/out")" = "$("$H" fields | grep -c '^[a-z]')" ] || bad "fields --json and fields list other fields"
"$H" replay --db "$work/s.db" -q -r "$RULES" "$s/tests/fixtures/forensics/attack.log" 2>/dev/null
"$H" status --json --db "$work/s.db" >"$work/out" 2>"$work/err"
jq -e '.store.alerts == 9 and .store.events > 0 and .store.by_priority.Warning == 3 and .store.newest == "2026-12-01T20:49:45.463000000Z" and (.kernel | type == "object")' "$work/out" >/dev/null ||
	bad "status --json: $(cat "$work/out")"
"$H" status --db "$work/s.db" >"$work/out" 2>&1
grep -q "store $work/s.db: 9 alerts, newest 2026-12-01T20:49:45.463000000Z" "$work/out" ||
	bad "status text: $(cat "$work/out")"
"$H" status --json --db "$work/none.db" >"$work/out" 2>/dev/null
[ $? = 2 ] || bad "status of a missing store: not exit 2"
jq -e '.store.error | contains("No such file")' "$work/out" >/dev/null || bad "status --json: the store's error"

# ---- 3. 80 columns, rules list text ----
echo "--- 3. 80 columns"
"$H" fields >"$work/fields"
wide fields "$work/fields" || bad "fields is wider than 80 columns"
"$H" rules list -r "$RULES" >"$work/list"
wide "rules list" "$work/list" || bad "rules list is wider than 80 columns"
grep -q '^Private key search  *Notice$' "$work/list" &&
	grep -q '^    grep for a PEM private key header.$' "$work/list" &&
	grep -q '^    tags: host credential_access T1552.004$' "$work/list" ||
	bad "rules list: name, priority, description or tags: $(head -5 "$work/list")"
# non-ASCII and control characters in a rules file: escaped, and wrapped
# and aligned by characters, not bytes
printf -- '- rule: Lecture de données — clé privée\n  desc: "Une clé privée a été lue par un programme inattendu \\e[31mrouge\\e[0m : l'"'"'accès répété à des clés révèle souvent une tentative d'"'"'exfiltration ou de déplacement latéral."\n  condition: evt.type = open and fd.name = /etc/ssh/ssh_host_rsa_key\n  output: o\n  priority: notice\n' >"$work/utf8.yaml"
"$H" rules list -r "$work/utf8.yaml" >"$work/list8" 2>&1
python3 - "$work/list8" <<'EOF' || bad "rules list: non-ASCII text: $(cat "$work/list8")"
import sys
raw = open(sys.argv[1], "rb").read()
assert b"\x1b" not in raw, "an escape character reached the terminal"
lines = raw.decode("utf-8").splitlines()
assert all(len(l) <= 80 for l in lines), [l for l in lines if len(l) > 80]
# the priority ends where an ASCII rule's does (column 66)
assert lines[0].startswith("Lecture de données — clé privée ") and lines[0].endswith("Notice") and len(lines[0]) == 66, lines[0]
# wrapped by characters: the description's lines fill up to 80
desc = [l for l in lines[1:] if l.startswith("    ") and not l.startswith("    tags") and ":" not in l[:8]]
assert len(desc) >= 2 and len(desc[0]) > 70, desc
EOF

# ---- 4. colour ----
echo "--- 4. colour"
esc=$(printf '\033')
tty_run() { # harrier ARGS on a pseudo-terminal; its output in $work/tty
	TERM=xterm script -qec "$(printf '%s ' "$H" "$@")" /dev/null >"$work/tty" 2>&1
}
if command -v script >/dev/null 2>&1; then
	tty_run alerts --db "$work/s.db" --format table
	grep -q "$esc\[33mWarning" "$work/tty" || bad "table on a terminal: no colour"
	NO_COLOR=1 TERM=xterm script -qec "$H alerts --db $work/s.db --format table" /dev/null >"$work/tty" 2>&1
	grep -q "$esc" "$work/tty" && bad "NO_COLOR: colour anyway"
	tty_run timeline --db "$work/s.db" 3
	grep -q "$esc\[1m" "$work/tty" || bad "timeline on a terminal: no colour"
	tty_run rules list -r "$RULES"
	grep -q "$esc\[1m" "$work/tty" || bad "rules list on a terminal: no colour"
else
	bad "script(1) not installed (util-linux): cannot test colour on a terminal"
fi
for args in "alerts --db $work/s.db --format table" "timeline --db $work/s.db 3" \
	"report --db $work/s.db" "rules list -r $RULES"; do
	# shellcheck disable=SC2086
	TERM=xterm "$H" $args 2>&1 | grep -q "$esc" && bad "$args: colour in a pipe"
done

[ $fail = 0 ] && echo "PASS"
exit $fail
