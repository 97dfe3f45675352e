#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# SIGHUP applies every config key marked reloadable, one test per key,
# each seen from outside: harrierd runs as an auditd plugin would
# (--source stdin) and is fed audit records of `cat FILE` made up on the
# spot, so no kernel audit is needed; its outputs are real (stdout, a
# store, an HTTP(S) receiver of our own on 127.0.0.1, files, programs).
# Also: a reload with broken rules keeps everything as it runs, and every
# key not marked reloadable says "restart". First, which config and rules
# files harrierd takes: none that anyone but root may change, symlinks on
# the way followed (a Kubernetes ConfigMap's ..data links); and which
# store: none in a directory others may write, none through a planted
# symlink, none that others own or may write; a new one 0640 root:adm.
set -u
. "$(dirname "$0")/daemon_lib.sh"
need_root "files of another owner (chown) for the trust checks"
need_built "$HARRIERD"
need_tools python3 openssl sqlite3
test_tmp harrier-reload-test

note "trusted config and rules files"
# run CONF RULES: harrierd on an empty stdin (0: took them, and ended)
run() {
	"$HARRIERD" -f -c "$1" -r "$2" --source stdin --db "$TMP/t.db" \
		</dev/null >"$TMP/t.out" 2>"$TMP/t.err"
}
printf 'journald_output: false\n' >"$TMP/ok.yaml"
printf -- '- list: l\n  items: [a]\n' >"$TMP/ok_rules.yaml"
run "$TMP/ok.yaml" "$TMP/ok_rules.yaml" || fail "trusted files refused: $(cat "$TMP/t.err")"
cp "$TMP/ok.yaml" "$TMP/ww.yaml"
chmod 0666 "$TMP/ww.yaml"
run "$TMP/ww.yaml" "$TMP/ok_rules.yaml"
[ $? = 1 ] && grep -q "ww.yaml is writable by group or others (mode 0666)" "$TMP/t.err" ||
	fail "a world-writable config was taken: $(cat "$TMP/t.err")"
cp "$TMP/ok_rules.yaml" "$TMP/user_rules.yaml"
chown 65534 "$TMP/user_rules.yaml"
run "$TMP/ok.yaml" "$TMP/user_rules.yaml"
[ $? = 1 ] && grep -q "user_rules.yaml is owned by uid 65534" "$TMP/t.err" ||
	fail "a user's rules file was taken: $(cat "$TMP/t.err")"
mkdir -m 0777 "$TMP/open"
chmod 0777 "$TMP/open"
cp "$TMP/ok_rules.yaml" "$TMP/open/r.yaml"
run "$TMP/ok.yaml" "$TMP/open/r.yaml"
[ $? = 1 ] && grep -q "directory $TMP/open is writable by group or others" "$TMP/t.err" ||
	fail "rules in a world-writable directory were taken: $(cat "$TMP/t.err")"
# a ConfigMap: files in a timestamped directory, reached through ..data
mkdir -p "$TMP/cm/..2026_12_01_00_00_00.1"
cp "$TMP/ok.yaml" "$TMP/cm/..2026_12_01_00_00_00.1/harrier.yaml"
cp "$TMP/ok_rules.yaml" "$TMP/cm/..2026_12_01_00_00_00.1/rules.yaml"
ln -s ..2026_12_01_00_00_00.1 "$TMP/cm/..data"
ln -s ..data/harrier.yaml "$TMP/cm/harrier.yaml"
ln -s ..data/rules.yaml "$TMP/cm/rules.yaml"
run "$TMP/cm/harrier.yaml" "$TMP/cm/rules.yaml" ||
	fail "ConfigMap symlinks not followed: $(cat "$TMP/t.err")"
# a link into a directory others may write is not
ln -s "$TMP/open/r.yaml" "$TMP/cm/evil.yaml"
run "$TMP/cm/harrier.yaml" "$TMP/cm/evil.yaml"
[ $? = 1 ] && grep -q "directory $TMP/open is writable" "$TMP/t.err" ||
	fail "a symlink into a world-writable directory was followed: $(cat "$TMP/t.err")"

# the store: not in a directory others may write, not through a planted
# symlink, not a file a user owns or may write
runs() {
	"$HARRIERD" -f -c "$TMP/ok.yaml" -r "$TMP/ok_rules.yaml" --source stdin \
		--db "$1" </dev/null >"$TMP/t.out" 2>"$TMP/t.err"
}
runs "$TMP/open/alerts.db"
[ $? = 1 ] && grep -q "refusing it: directory $TMP/open is writable" "$TMP/t.err" ||
	fail "a store in a world-writable directory was opened: $(cat "$TMP/t.err")"
[ -e "$TMP/open/alerts.db" ] && fail "a refused store was created"
mkdir -m 0700 "$TMP/st"
ln -s "$TMP/elsewhere.db" "$TMP/st/alerts.db"
runs "$TMP/st/alerts.db"
[ $? = 1 ] && grep -q 'refusing it: it is a symbolic link' "$TMP/t.err" ||
	fail "a planted symlink was followed: $(cat "$TMP/t.err")"
[ -e "$TMP/elsewhere.db" ] && fail "the symlink's target was created"
rm "$TMP/st/alerts.db"
: >"$TMP/st/alerts.db"
chmod 0666 "$TMP/st/alerts.db"
runs "$TMP/st/alerts.db"
[ $? = 1 ] && grep -q 'writable by group or others (mode 0666)' "$TMP/t.err" ||
	fail "a 0666 store was opened: $(cat "$TMP/t.err")"
rm "$TMP/st/alerts.db"
runs "$TMP/st/alerts.db" || fail "a new store was refused: $(cat "$TMP/t.err")"
[ "$(stat -c %a:%U:%G "$TMP/st/alerts.db")" = "640:root:$(getent group adm >/dev/null && echo adm || echo root)" ] ||
	fail "a new store is $(stat -c %a:%U:%G "$TMP/st/alerts.db"), not 640:root:adm"

RECV=$SRC/tests/integration/http_receiver.py
R=$TMP/recv
R2=$TMP/recv2
RS=$TMP/recvs
mkdir "$R" "$R2" "$RS"
# recv DIR [env...]: a receiver in DIR (port in DIR/port)
recv() {
	_d=$1
	shift
	rm -f "$_d/port"
	env "$@" python3 "$RECV" "$_d" 0 2>>"$TMP/recv.err" &
	EXTRA_PIDS="$EXTRA_PIDS $!"
	wait_for 10000 test -s "$_d/port" ||
		fail "receiver in $_d did not start: $(tail -n 5 "$TMP/recv.err")"
}

# a CA, a server certificate for 127.0.0.1 and a client certificate
tls() {
	cd "$TMP" || exit 2
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=harrier-test-ca \
		-keyout ca.key -out ca.crt >/dev/null 2>&1 &&
	printf 'subjectAltName=IP:127.0.0.1\n' >san.ext &&
	openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
		-keyout srv.key -out srv.csr >/dev/null 2>&1 &&
	openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
		-days 2 -extfile san.ext -out srv.crt >/dev/null 2>&1 &&
	openssl req -newkey rsa:2048 -nodes -subj /CN=harrier-client \
		-keyout cli.key -out cli.csr >/dev/null 2>&1 &&
	openssl x509 -req -in cli.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
		-days 2 -out cli.crt >/dev/null 2>&1 &&
	mkdir capath && cp ca.crt capath/ && openssl rehash capath >/dev/null 2>&1
	_r=$?
	cd - >/dev/null || exit 2
	return $_r
}
tls || fail "cannot make test certificates"
recv "$R"
recv "$R2"
recv "$RS" RECV_TLS_CERT="$TMP/srv.crt" RECV_TLS_KEY="$TMP/srv.key" \
	RECV_CLIENT_CA="$TMP/ca.crt"
P1=$(cat "$R/port")
P2=$(cat "$R2/port")
PS=$(cat "$RS/port")

cat >"$TMP/rules.yaml" <<'EOF'
- rule: Probe A
  desc: reload test
  condition: evt.type = openat and fd.name = /probe/a and proc.name = cat
  output: probe a (file=%fd.name pid=%proc.pid)
  priority: NOTICE
- rule: Probe W
  desc: reload test, a warning
  condition: evt.type = openat and fd.name = /probe/w and proc.name = cat
  output: probe w (file=%fd.name)
  priority: WARNING
EOF
cat >"$TMP/rules2.yaml" <<'EOF'
- rule: Probe B
  desc: reload test, in a second file
  condition: evt.type = openat and fd.name = /probe/b and proc.name = cat
  output: probe b (file=%fd.name)
  priority: NOTICE
EOF
: >"$TMP/prog.out"
: >"$TMP/prog2.out"

# The config: the base, then the lines of the test ($EXTRA).
BASE="journald_output:
  enabled: false
log_level: info
outputs:
  rate: 0
rules_file:
  - $TMP/rules.yaml"
conf() { printf '%s\n%s\n' "$BASE" "$*" >"$TMP/harrier.yaml"; }
conf ""

SERIAL=1000
# ev FILE: the records of one `cat FILE` (openat), stamped now
ev() {
	SERIAL=$((SERIAL + 1))
	_m="msg=audit($(date +%s).$(printf %03d $((SERIAL % 1000))):$SERIAL):"
	printf 'type=SYSCALL %s arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7fff5bae6a74 a2=0 a3=0 items=1 ppid=1 pid=%d auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="cat" exe="/usr/bin/cat" key=(null)\ntype=CWD %s cwd="/"\ntype=PATH %s item=0 name="%s" inode=941 dev=fe:00 mode=0100640 ouid=0 ogid=42 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\ntype=PROCTITLE %s proctitle=636174\ntype=EOE %s\n' \
		"$_m" $((200000 + SERIAL)) "$_m" "$_m" "$1" "$_m" "$_m" >&8
}
evn() { _k=0; while [ $_k -lt "$2" ]; do ev "$1"; _k=$((_k + 1)); done; }

DB=$TMP/r.db
OUT=$TMP/r.out
ERR=$TMP/r.err
mkfifo "$TMP/feed"
"$HARRIERD" -f -c "$TMP/harrier.yaml" --source stdin --db "$DB" \
	<"$TMP/feed" >"$OUT" 2>"$ERR" &
HPID=$!
exec 8>"$TMP/feed"
wait_for 10000 grep -q 'info: ready' "$ERR" || { cat "$ERR"; fail "not ready"; exit 1; }

RELOADS=0
# reload LINES...: the base config plus LINES, SIGHUP, wait for it
reload() {
	conf "$@"
	RELOADS=$((RELOADS + 1))
	kill -HUP "$HPID"
	wait_for 5000 sh -c "[ \$(grep -c 'reload done\|reload: ' '$ERR') -ge $RELOADS ]" ||
		fail "reload $RELOADS ($*): not done"
}
n_out() { grep -c "$1" "$OUT"; }
out_grows() { [ "$(n_out "$1")" -ge "$2" ]; }
stored() { [ "$(alerts "$DB" "$1")" -ge "$2" ]; }
rows() { sqlite3 "$DB" 'select count(*) from alerts'; }
logged() { grep -q "$1" "$ERR"; }
n_log() { grep -c "$1" "$ERR"; }
log_grows() { [ "$(n_log "$1")" -ge "$2" ]; }
nlines() { [ -f "$1" ] && grep -c . "$1" || echo 0; }
lines_ge() { [ "$(nlines "$1")" -ge "$2" ]; }
# key NAME: a test title
key() { note "$*"; }

ev /probe/a
wait_for 3000 out_grows 'probe a' 1 || fail "no first alert"

key rules_file
reload "rules_file:
  - $TMP/rules.yaml
  - $TMP/rules2.yaml"
ev /probe/b
wait_for 3000 out_grows 'probe b' 1 || fail "rules_file: the added file's rule does not fire"

key priority
reload "priority: warning"
ev /probe/a
ev /probe/w
wait_for 3000 out_grows 'probe w' 1 || fail "priority: the warning is missing"
[ "$(n_out 'probe a')" = 1 ] || fail "priority: a NOTICE rule still fires at priority warning"
reload ""
ev /probe/a
wait_for 3000 out_grows 'probe a' 2 || fail "priority: back to debug, the NOTICE rule does not fire"

key rules_strict
cat >"$TMP/strict.yaml" <<'EOF'
- rule: Slow probe
  desc: needs what audit cannot give (evt.latency)
  condition: evt.type = openat and evt.latency > 1000000
  output: slow (file=%fd.name)
  priority: NOTICE
EOF
reload "rules_file:
  - $TMP/rules.yaml
  - $TMP/strict.yaml"
logged "rule 'Slow probe' skipped" || fail "rules_strict false: the rule was not skipped with a warning"
n=$(n_log 'reload: rules invalid')
reload "rules_strict: true
rules_file:
  - $TMP/rules.yaml
  - $TMP/strict.yaml"
log_grows 'reload: rules invalid' $((n + 1)) ||
	fail "rules_strict true: a rule audit cannot run was accepted"
reload ""

key json_output
reload "json_output: true"
ev /probe/a
wait_for 3000 out_grows '^{"hostname".*"rule":"Probe A"' 1 || fail "json_output: no JSON line"

key stdout_output.enabled
reload "stdout_output:
  enabled: false"
n=$(n_out 'probe a')
a=$(alerts "$DB" 'Probe A')
ev /probe/a
wait_for 3000 stored 'Probe A' $((a + 1)) || fail "stdout_output: the alert is not stored"
sleep 0.3
[ "$(n_out 'probe a')" = "$n" ] || fail "stdout_output: printed while off"
reload ""
ev /probe/a
wait_for 3000 out_grows 'probe a' $((n + 1)) || fail "stdout_output: not printed once on again"

key journald_output.enabled
# no journald here: the output shows up in the counters, and counts its
# alerts as not sent (test_journald.sh has the real one)
reload "journald_output:
  enabled: true"
ev /probe/a
kill -USR1 "$HPID"
wait_for 3000 logged 'stats: .*journald sent 0 dropped [1-9]' ||
	fail "journald_output: not on after the reload"

key log_level
# at warning, a reload logs nothing (its own "reload done" is info)
conf "log_level: warning"
kill -HUP "$HPID"
sleep 1
n=$(n_log 'reloading config and rules')
kill -HUP "$HPID"
sleep 1
[ "$(n_log 'reloading config and rules')" = "$n" ] || fail "log_level: info still logged at warning"
d=$(n_log 'reload done')
conf ""
kill -HUP "$HPID"
wait_for 3000 log_grows 'reload done' $((d + 1)) ||
	fail "log_level: back to info, nothing logged"
RELOADS=$(grep -c 'reload done\|reload: ' "$ERR")

key store_output.max_rows
evn /probe/a 3
wait_for 3000 stored 'Probe A' 9 || true
reload "store_output:
  max_rows: 2"
wait_for 3000 sh -c "[ \$(sqlite3 '$DB' 'select count(*) from alerts') -le 2 ]" ||
	fail "store_output.max_rows: $(rows) rows kept"

key store_output.max_age
reload ""
evn /probe/a 3
wait_for 3000 sh -c "[ \$(sqlite3 '$DB' 'select count(*) from alerts') -ge 5 ]" || true
sleep 2.1
reload "store_output:
  max_age: 1s"
wait_for 3000 sh -c "[ \$(sqlite3 '$DB' 'select count(*) from alerts') = 0 ]" ||
	fail "store_output.max_age: $(rows) rows older than 1 s kept"
reload ""

key outputs.rate
n=$(n_out 'probe w')
w=$(alerts "$DB" 'Probe W')
evn /probe/w 30
wait_for 3000 out_grows 'probe w' $((n + 30)) || fail "outputs.rate 0: not every alert printed"
reload "outputs:
  rate: 0.01
  max_burst: 5
  summary_interval: 60"
n=$(n_out 'probe w')
evn /probe/w 30
wait_for 3000 stored 'Probe W' $((w + 60)) || fail "outputs.rate: the store did not get all"
sleep 0.3
[ "$(n_out 'probe w')" -le $((n + 6)) ] ||
	fail "outputs.rate: $(($(n_out 'probe w') - n)) of 30 printed with burst 5"

key outputs.max_burst
reload "outputs:
  rate: 0.01
  max_burst: 12
  summary_interval: 60"
n=$(n_out 'probe w')
evn /probe/w 30
wait_for 3000 stored 'Probe W' $((w + 90)) || fail "outputs.max_burst: the store did not get all"
sleep 0.3
m=$(($(n_out 'probe w') - n))
[ "$m" -ge 12 ] && [ "$m" -le 13 ] || fail "outputs.max_burst: $m of 30 printed with burst 12"

key outputs.summary_interval
reload "outputs:
  rate: 0.01
  max_burst: 1
  summary_interval: 1s"
evn /probe/w 5
wait_for 4000 logged "held back .* in the last 1 s.*'Probe W'" ||
	fail "outputs.summary_interval: no summary after 1 s"

key http_output.enabled
HTTP="http_output:
  enabled: true
  url: http://127.0.0.1:$P1/"
received() { nlines "$1/received.jsonl"; }
recv_ge() { [ "$(received "$1")" -ge "$2" ]; }
reload "$HTTP"
ev /probe/a
wait_for 3000 recv_ge "$R" 1 || fail "http_output.enabled: nothing received"
reload ""
n=$(received "$R")
ev /probe/a
wait_for 3000 stored 'Probe A' 2 || true
sleep 0.5
[ "$(received "$R")" = "$n" ] || fail "http_output.enabled: still sending when off"

key http_output.url
reload "$HTTP"
reload "http_output:
  enabled: true
  url: http://127.0.0.1:$P2/"
ev /probe/a
wait_for 3000 recv_ge "$R2" 1 || fail "http_output.url: the new url got nothing"

key http_output.user_agent
reload "$HTTP
  user_agent: harrier-reload-test/1"
ev /probe/a
wait_for 3000 grep -q 'harrier-reload-test/1' "$R/agents" || fail "http_output.user_agent: not sent"

key http_output.compress_uploads
reload "$HTTP
  compress_uploads: true"
ev /probe/a
wait_for 3000 lines_ge "$R/gzip" 1 || fail "http_output.compress_uploads: no gzip body"

key http_output.max_batch
reload "$HTTP
  max_batch: 50"
# the receiver is slow for the first POST: the rest queue up behind it
echo 'slow 1' >"$R/mode"
evn /probe/a 10
sleep 0.3
echo ok >"$R/mode"
wait_for 5000 grep -q '^[2-9][0-9]* application/x-ndjson\|^1[0-9] application/x-ndjson' "$R/requests" ||
	fail "http_output.max_batch: no batch of JSON lines: $(tail -n 3 "$R/requests")"

key http_output.echo
reload "$HTTP
  echo: true"
ev /probe/a
wait_for 3000 grep -q '{"status":"200"}' "$OUT" || fail "http_output.echo: the answer is not on stdout"

key http_output.timeout_ms
reload "$HTTP
  timeout_ms: 300
  max_consecutive_timeouts: 0"
echo 'slow 1' >"$R/mode"
ev /probe/a
wait_for 4000 logged 'timed out 1 times in a row' || fail "http_output.timeout_ms: 300 ms did not time out a 1 s answer"
reload "$HTTP
  timeout_ms: 3000
  max_consecutive_timeouts: 0"
n=$(received "$R")
ev /probe/a
wait_for 5000 recv_ge "$R" $((n + 1)) || fail "http_output.timeout_ms: 3 s did not wait for a 1 s answer"

key http_output.max_consecutive_timeouts
reload "$HTTP
  timeout_ms: 300
  max_consecutive_timeouts: 2"
ev /probe/a
wait_for 5000 logged 'timed out 3 times in a row' || fail "http_output.max_consecutive_timeouts: not 2 timeouts tolerated"
echo ok >"$R/mode"

key http_output.keep_alive
reload "$HTTP
  keep_alive: true"
: >"$R/conns"
evn /probe/a 3
wait_for 3000 lines_ge "$R/conns" 3 || fail "http_output.keep_alive: not delivered"
[ "$(sort -u "$R/conns" | wc -l)" = 1 ] || fail "http_output.keep_alive: $(sort -u "$R/conns" | wc -l) connections for 3 POSTs"
reload "$HTTP
  keep_alive: false"
: >"$R/conns"
evn /probe/a 3
wait_for 3000 lines_ge "$R/conns" 3 || true
[ "$(sort -u "$R/conns" | wc -l)" = 3 ] || fail "http_output.keep_alive false: connections reused"

key http_output.queue_max
reload "http_output:
  enabled: true
  url: http://127.0.0.1:1/
  queue_max: 2"
evn /probe/a 5
wait_for 3000 logged 'http output: cannot deliver' || true
kill -USR1 "$HPID"
wait_for 3000 logged 'stats: .*http sent 0 dropped 3' || fail "http_output.queue_max: 2 kept of 5 not counted"

HTTPS="http_output:
  enabled: true
  url: https://127.0.0.1:$PS/"
# https TRUST [CERT KEY]: the https receiver's config, trusting it by
# TRUST (a key line), with our client certificate (mtls)
https() {
	printf '%s\n  %s\n  mtls: true\n  client_cert: %s\n  client_key: %s' \
		"$HTTPS" "$1" "${2:-$TMP/cli.crt}" "${3:-$TMP/cli.key}"
}
# delivered NAME: one alert reaches the TLS receiver
delivered() {
	_n=$(received "$RS")
	ev /probe/a
	wait_for 5000 recv_ge "$RS" $((_n + 1)) || fail "$1"
}
# refused NAME: one alert cannot be delivered
refused() {
	_n=$(n_log 'cannot deliver')
	ev /probe/a
	wait_for 5000 log_grows 'cannot deliver' $((_n + 1)) || fail "$1"
}
key http_output.insecure
reload "$(https 'insecure: true')"
delivered "http_output.insecure: nothing over TLS"
reload "$(https "ca_path: $TMP/nowhere")"
refused "http_output.insecure false: an unknown CA accepted"
logged 'SSL certificate problem\|certificate verify' ||
	fail "http_output.insecure false: not a certificate error"

key http_output.ca_cert
reload "$(https "ca_cert: $TMP/ca.crt")"
delivered "http_output.ca_cert: the CA is not used"

key http_output.ca_bundle
reload "$(https "ca_bundle: $TMP/ca.crt")"
delivered "http_output.ca_bundle: the bundle is not used"

key http_output.ca_path
reload "$(https "ca_path: $TMP/capath")"
delivered "http_output.ca_path: the directory is not used"

key http_output.mtls http_output.client_cert http_output.client_key
reload "$HTTPS
  ca_cert: $TMP/ca.crt
  mtls: false"
refused "http_output.mtls false: the receiver took no client certificate?"
reload "$(https "ca_cert: $TMP/ca.crt")"
delivered "http_output.mtls: the client certificate is not sent"
reload "$(https "ca_cert: $TMP/ca.crt" "$TMP/ca.crt")"
refused "http_output.client_cert: a wrong certificate works"
reload "$(https "ca_cert: $TMP/ca.crt" "$TMP/cli.crt" "$TMP/srv.key")"
refused "http_output.client_key: a wrong key works"

key file_output.enabled
reload "file_output:
  enabled: true
  filename: $TMP/f1.json"
ev /probe/a
wait_for 3000 lines_ge "$TMP/f1.json" 1 || fail "file_output.enabled: nothing written"

key file_output.filename
reload "file_output:
  enabled: true
  filename: $TMP/f2.json"
ev /probe/a
wait_for 3000 lines_ge "$TMP/f2.json" 1 || fail "file_output.filename: the new file got nothing"

key file_output.keep_alive
reload "file_output:
  enabled: true
  keep_alive: false
  filename: $TMP/f3.json"
ev /probe/a
wait_for 3000 lines_ge "$TMP/f3.json" 1 || fail "file_output: f3 got nothing"
mv "$TMP/f3.json" "$TMP/f3.moved"
ev /probe/a
wait_for 3000 lines_ge "$TMP/f3.json" 1 || fail "file_output.keep_alive false: the path is not opened again"
reload "file_output:
  enabled: true
  keep_alive: true
  filename: $TMP/f4.json"
ev /probe/a
wait_for 3000 lines_ge "$TMP/f4.json" 1 || fail "file_output: f4 got nothing"
mv "$TMP/f4.json" "$TMP/f4.moved"
ev /probe/a
wait_for 3000 lines_ge "$TMP/f4.moved" 2 || fail "file_output.keep_alive true: the open file is not kept"

key program_output.enabled
reload "program_output:
  enabled: true
  keep_alive: true
  program: sh -c 'while read -r l; do echo \"\$\$ \$l\" >>$TMP/prog.out; done'"
evn /probe/a 2
wait_for 3000 lines_ge "$TMP/prog.out" 2 || fail "program_output.enabled: the program got nothing"
[ "$(cut -d' ' -f1 "$TMP/prog.out" | sort -u | wc -l)" = 1 ] ||
	fail "program_output.keep_alive true: more than one run"

key program_output.keep_alive
reload "program_output:
  enabled: true
  keep_alive: false
  program: sh -c 'read -r l; echo \"\$\$ \$l\" >>$TMP/prog.out'"
: >"$TMP/prog.out"
evn /probe/a 3
wait_for 3000 lines_ge "$TMP/prog.out" 3 || fail "program_output.keep_alive false: not run per alert"
[ "$(cut -d' ' -f1 "$TMP/prog.out" | sort -u | wc -l)" = 3 ] ||
	fail "program_output.keep_alive false: not one run per alert"

key program_output.program
reload "program_output:
  enabled: true
  keep_alive: true
  program: sh -c 'cat >>$TMP/prog2.out'"
ev /probe/a
wait_for 3000 lines_ge "$TMP/prog2.out" 1 || fail "program_output.program: the new program got nothing"

note "not reloadable: restart"
reload "store_output:
  spool_dir: $TMP/other
audit:
  track_forks: true"
logged 'store_output.spool_dir changed: restart harrierd to apply it' ||
	fail "a key needing a restart was not named"
logged 'audit.track_forks changed: restart' || fail "audit.track_forks not named"

note "broken rules: the running ones stay"
printf -- '- rule: broken\n  condition: [unclosed\n' >"$TMP/rules2.yaml"
reload "rules_file:
  - $TMP/rules.yaml
  - $TMP/rules2.yaml"
wait_for 3000 logged 'reload: rules invalid' || fail "broken rules not reported"
n=$(alerts "$DB" 'Probe A')
ev /probe/a
wait_for 3000 stored 'Probe A' $((n + 1)) || fail "the running rules stopped after a broken reload"

exec 8>&-
wait_for 10000 sh -c "! kill -0 $HPID 2>/dev/null" || fail "no exit at end of input"
wait "$HPID"
HRC=$?
HPID=""
[ "$HRC" = 0 ] || fail "exit code $HRC"
grep -E 'Sanitizer|runtime error' "$ERR" && fail "sanitizer report"
echo "$RELOADS reloads"
[ $FAILED = 0 ] && echo "PASS"
exit $FAILED
