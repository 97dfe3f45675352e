#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The Helm chart and the plain manifest (any user; no cluster):
#  - packaging/kubernetes/harrier.yaml is what packaging/kubernetes/
#    generate makes from the chart now (no hand-kept copy);
#  - yamllint --strict passes on the chart's Chart.yaml and values.yaml,
#    on the manifest and on a render with falcosidekick and custom rules;
#  - the manifest's DaemonSet: hostPID and host network, the security
#    context (not privileged, no escalation, read-only root, capabilities
#    ALL dropped and only the audit and /proc ones added), every node
#    tolerated, resources, mounts (config and rules from ConfigMaps
#    read-only, store and run state on the host, runtime state read-only,
#    each backed by a volume), probes running `harrier status`, the image
#    tag the chart's appVersion, which is configure.ac's version;
#  - harrierd accepts the ConfigMap's harrier.yaml with the DaemonSet's
#    arguments, and the rules a user adds through customRules validate.
set -u
. "$(dirname "$0")/daemon_lib.sh"
need_tools yamllint jq
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
"$PY" -c 'import yaml' 2>/dev/null ||
	skip "python3 has no yaml module (apt-get install python3-yaml)"
need_built "$HARRIERD"
TMP=$(mktemp -d /tmp/harrier-k8s-test.XXXXXX) || exit 2
trap 'rm -rf "$TMP"' EXIT
CHART=$SRC/packaging/helm/harrier
MANIFEST=$SRC/packaging/kubernetes/harrier.yaml

note "the manifest is the chart rendered"
sh "$SRC/packaging/kubernetes/generate" "$TMP/generated.yaml" ||
	fail "generate failed"
cmp -s "$TMP/generated.yaml" "$MANIFEST" ||
	fail "packaging/kubernetes/harrier.yaml differs from the chart's render (run packaging/kubernetes/generate): $(diff "$MANIFEST" "$TMP/generated.yaml" | head -10)"

note "a render with falcosidekick and custom rules"
cat >"$TMP/values.yaml" <<'EOF'
falcosidekick:
  enabled: true
  url: http://falcosidekick.falco:2801/
customRules:
  db-shell.yaml: |-
    - rule: Shell in a database pod
      desc: An interactive shell started in a pod of the db namespace.
      condition: >
        evt.type = execve and evt.res = SUCCESS and k8s.ns.name = db
        and proc.name in (bash, sh)
      output: Shell in db pod (pod=%k8s.pod.name command=%proc.cmdline)
      priority: WARNING
EOF
"$PY" "$SRC/packaging/kubernetes/render-chart" "$CHART" -f "$TMP/values.yaml" \
	-o "$TMP/custom.yaml" || fail "render with custom values failed"

note "yamllint"
yamllint --strict "$CHART/Chart.yaml" "$CHART/values.yaml" "$MANIFEST" \
	"$TMP/custom.yaml" || fail "yamllint"

note "the DaemonSet"
VERSION=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$BUILD/config.h")
"$PY" - "$MANIFEST" "$TMP/custom.yaml" "$CHART/Chart.yaml" "$VERSION" \
	"$TMP" <<'EOF' || fail "manifest checks"
import os, sys, yaml

manifest, custom, chart_file, version, tmp = sys.argv[1:6]
errors = []
def check(ok, what):
    if not ok:
        errors.append(what)

docs = [d for d in yaml.safe_load_all(open(manifest)) if d]
by_kind = {}
for d in docs:
    by_kind.setdefault(d["kind"], []).append(d)
chart = yaml.safe_load(open(chart_file))
check(chart["appVersion"] == version,
      f"Chart.yaml appVersion {chart['appVersion']} != configure.ac {version}")
check([d["metadata"]["name"] for d in by_kind.get("Namespace", [])]
      == ["harrier"], "one Namespace harrier")
(ds,) = by_kind["DaemonSet"]
spec = ds["spec"]["template"]["spec"]
check(spec.get("hostPID") is True, "hostPID: true")
check(spec.get("hostNetwork") is True, "hostNetwork: true")
check(spec.get("automountServiceAccountToken") is False,
      "no service account token")
check({"operator": "Exists"} in spec.get("tolerations", []),
      "a toleration for every taint")
(c,) = spec["containers"]
check(c["image"] == f"harrier:{version}", f"image tag {c['image']}")
sc = c["securityContext"]
check(sc.get("privileged") is False, "not privileged")
check(sc.get("allowPrivilegeEscalation") is False, "no privilege escalation")
check(sc.get("readOnlyRootFilesystem") is True, "read-only root")
check(sc.get("seccompProfile", {}).get("type") == "RuntimeDefault",
      "RuntimeDefault seccomp")
caps = sc.get("capabilities", {})
check(caps.get("drop") == ["ALL"], "capabilities: drop ALL")
added = set(caps.get("add", []))
check({"AUDIT_CONTROL", "AUDIT_READ"} <= added, "audit capabilities added")
check(added & {"SYS_PTRACE", "DAC_READ_SEARCH"}, "a capability for /proc")
check(added <= {"AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "SYS_PTRACE",
                "DAC_READ_SEARCH"}, f"no other capability: {sorted(added)}")
res = c.get("resources", {})
check(res.get("requests", {}).get("memory") and
      res.get("limits", {}).get("memory"), "memory request and limit")
check(res.get("requests", {}).get("cpu"), "cpu request")
for p in ("startupProbe", "livenessProbe", "readinessProbe"):
    cmd = c.get(p, {}).get("exec", {}).get("command", [])
    check(cmd[:2] == ["harrier", "status"], f"{p} runs harrier status: {cmd}")
vols = {v["name"]: v for v in spec["volumes"]}
mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
for m in c["volumeMounts"]:
    check(m["name"] in vols, f"mount {m['mountPath']} has a volume")
def vol(path):
    m = mounts.get(path)
    return (m, vols.get(m["name"], {})) if m else (None, {})
m, v = vol("/etc/harrier/config")
check(m and m.get("readOnly") and v.get("configMap"), "config from a ConfigMap, read-only")
m, v = vol("/etc/harrier/rules.d")
check(m and m.get("readOnly") and v.get("configMap"), "rules.d from a ConfigMap, read-only")
for path in ("/var/lib/harrier", "/run/harrier"):
    m, v = vol(path)
    check(m and not m.get("readOnly") and
          v.get("hostPath", {}).get("path") == path, f"{path} on the host")
for path in ("/run/containerd", "/var/lib/containers", "/run/docker"):
    m, v = vol(path)
    check(m and m.get("readOnly") and
          v.get("hostPath", {}).get("path") == path,
          f"{path} from the host, read-only")
check(c["args"] == ["-f", "-c", "/etc/harrier/config/harrier.yaml"],
      f"args {c['args']}")
cms = {d["metadata"]["name"]: d for d in by_kind["ConfigMap"]}
cfg = cms[vols[mounts["/etc/harrier/config"]["name"]]["configMap"]["name"]]
conf = yaml.safe_load(cfg["data"]["harrier.yaml"])
check(conf["stdout_output"]["enabled"] is True, "alerts on stdout")
check(conf["journald_output"]["enabled"] is False, "no journald in a pod")
check("http_output" not in conf, "no http output by default")
open(os.path.join(tmp, "cm-harrier.yaml"), "w").write(cfg["data"]["harrier.yaml"])

cdocs = [d for d in yaml.safe_load_all(open(custom)) if d]
ccms = {d["metadata"]["name"]: d for d in cdocs if d["kind"] == "ConfigMap"}
cconf = yaml.safe_load(ccms["harrier-config"]["data"]["harrier.yaml"])
check(cconf.get("http_output") == {"enabled": True,
      "url": "http://falcosidekick.falco:2801/"}, "falcosidekick http_output")
open(os.path.join(tmp, "cm-sidekick.yaml"), "w").write(ccms["harrier-config"]["data"]["harrier.yaml"])
rules = ccms["harrier-rules"].get("data", {})
check(list(rules) == ["db-shell.yaml"], "customRules in the rules ConfigMap")
for name, text in rules.items():
    open(os.path.join(tmp, name), "w").write(text + "\n")

for e in errors:
    print("FAIL: " + e)
sys.exit(1 if errors else 0)
EOF

note "harrierd takes the ConfigMap's config, harrier the custom rules"
: >"$TMP/empty.log"
"$HARRIERD" -f -c "$TMP/cm-harrier.yaml" -r "$SRC/rules/harrier_rules.yaml" \
	--no-kernel-rules --source "$TMP/empty.log" --db "$TMP/a.db" \
	>"$TMP/d.out" 2>"$TMP/d.err" ||
	{ fail "harrierd refused the ConfigMap's harrier.yaml"; cat "$TMP/d.err"; }
if "$HARRIERD" --help | grep -q '^http_output.url '; then
	"$HARRIERD" -f -c "$TMP/cm-sidekick.yaml" \
		-r "$SRC/rules/harrier_rules.yaml" --no-kernel-rules \
		--source "$TMP/empty.log" --db "$TMP/b.db" \
		>"$TMP/s.out" 2>"$TMP/s.err" ||
		{ fail "harrierd refused the falcosidekick config"; cat "$TMP/s.err"; }
else
	# http_output comes with the store/outputs work (issue 10); until
	# harrierd has it, falcosidekick.enabled=true cannot work.
	note "NOT CHECKED: harrierd has no http_output keys yet; falcosidekick.enabled=true needs them"
fi
"$BUILD/harrier" rules validate "$SRC/rules/harrier_rules.yaml" \
	"$TMP/db-shell.yaml" >"$TMP/v.out" 2>&1 ||
	{ fail "the customRules example does not validate"; cat "$TMP/v.out"; }

[ "$FAILED" = 0 ] && echo "PASS"
exit "$FAILED"
