#!/usr/bin/python3
"""Checks what `kubectl apply --dry-run=client -o yaml -f deploy/kubernetes/`
printed (a v1 List, or one object): it parses, and the node agent's
DaemonSet is structurally sound and holds what docs/node-agent.md promises.

usage: check_manifests.py [--self-test] DRY_RUN.yaml
Prints one line per check group; on a failure prints every failed check and
exits 1. --self-test then breaks copies of the objects one way at a time
(MUTATIONS) and fails unless the checks refuse every one.
"""
import copy
import re
import sys

import yaml

failures = []
passed = 0
quiet = False


def check(cond, what):
    global passed
    if cond:
        passed += 1
    else:
        failures.append(what)
    return cond


def say(line):
    if not quiet:
        print(line)


def run_checks(objects):
    kinds = [o.get("kind") for o in objects]
    check(kinds == ["Namespace", "ServiceAccount", "DaemonSet"],
          f"objects in apply order Namespace, ServiceAccount, DaemonSet (got {kinds}); "
          "kubectl applies files in name order, so the namespace's file sorts first")
    by_kind = {o.get("kind"): o for o in objects}
    ns = by_kind.get("Namespace", {})
    sa = by_kind.get("ServiceAccount", {})
    ds = by_kind.get("DaemonSet")
    if not check(isinstance(ds, dict), "a DaemonSet in the output"):
        return
    ns_name = ns.get("metadata", {}).get("name")
    check(ns.get("metadata", {}).get("labels", {}).get("pod-security.kubernetes.io/enforce") == "privileged",
          "the namespace admits the pod (pod-security.kubernetes.io/enforce: privileged)")

    # Schema, as far as the API server would refuse the object.
    check(ds.get("apiVersion") == "apps/v1", "DaemonSet apiVersion apps/v1")
    meta = ds.get("metadata", {})
    check(bool(meta.get("name")), "DaemonSet has a name")
    check(meta.get("namespace") == ns_name, f"DaemonSet in namespace {ns_name}")
    spec = ds.get("spec", {})
    selector = spec.get("selector", {}).get("matchLabels", {})
    tmpl = spec.get("template", {})
    tmeta = tmpl.get("metadata", {})
    labels = tmeta.get("labels", {})
    check(bool(selector), "spec.selector.matchLabels is set")
    check(all(labels.get(k) == v for k, v in selector.items()),
          f"selector {selector} matches the template labels {labels}")
    pod = tmpl.get("spec", {})
    containers = pod.get("containers", [])
    check(len(containers) >= 1, "the template has a container")
    check(pod.get("restartPolicy", "Always") == "Always", "a DaemonSet's pods restart Always")
    names = [c.get("name") for c in containers]
    check(len(set(names)) == len(names) and all(names), "containers have distinct names")
    volumes = {v.get("name"): v for v in pod.get("volumes", [])}
    check(len(volumes) == len(pod.get("volumes", [])), "volume names are distinct")
    for v in volumes.values():
        sources = [k for k in v if k != "name"]
        check(len(sources) == 1, f"volume {v.get('name')} has one source (got {sources})")
    mounted = set()
    for c in containers:
        for m in c.get("volumeMounts", []):
            check(m.get("name") in volumes, f"volumeMount {m.get('name')} of {c.get('name')} has a volume")
            check(str(m.get("mountPath", "")).startswith("/"), f"volumeMount {m.get('name')} has an absolute mountPath")
            mounted.add(m.get("name"))
        ports = c.get("ports", [])
        check(len({p.get("name") for p in ports}) == len(ports), "port names are distinct")
        for p in ports:
            check(isinstance(p.get("containerPort"), int) and 0 < p["containerPort"] < 65536,
                  f"port {p.get('name')} is a number")
            check(len(p.get("name", "")) <= 15, f"port name {p.get('name')} is at most 15 characters")
    for name in volumes:
        check(name in mounted, f"volume {name} is mounted")
    sa_name = pod.get("serviceAccountName")
    check(sa_name == sa.get("metadata", {}).get("name") and sa.get("metadata", {}).get("namespace") == ns_name,
          f"serviceAccountName {sa_name} is the ServiceAccount in the files")
    say(f"deploy: schema: {passed} checks")
    schema_checks = passed

    # What the node agent needs (docs/node-agent.md).
    c = next((c for c in containers if c.get("name") == "ecli"), containers[0] if containers else {})
    argv = list(c.get("command", [])) + list(c.get("args", []))
    env = {e.get("name"): e.get("value") for e in c.get("env", [])}
    check(pod.get("hostPID") is True, "hostPID: true")
    check(pod.get("hostNetwork") in (None, False), "the pod's own network (Prometheus scrapes the pod IP)")
    check(argv[:2] == ["ecli", "run"], f"the container runs `ecli run` (got {argv[:2]})")
    check("$(ECLI_REF)" in argv and env.get("ECLI_REF"), "the reference comes from env ECLI_REF")
    for ref in re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", " ".join(argv)):
        check(ref in env, f"$({ref}) in the arguments is an env variable of the container")
    check("-q" in argv, "-q (no event output in the pod's log)")
    if "$(ECLI_REF)" in argv:
        ref_at = argv.index("$(ECLI_REF)")
        for opt in ("--metrics", "-q"):
            check(opt in argv[:ref_at], f"{opt} before $(ECLI_REF): after the reference, options are the program's")
    metrics_port = None
    if check("--metrics" in argv and argv.index("--metrics") + 1 < len(argv), "--metrics ADDR in the arguments"):
        addr = argv[argv.index("--metrics") + 1]
        m = re.fullmatch(r"(?:[0-9.]*|\[[0-9a-fA-F:]*\]):(\d+)", addr)
        if check(m is not None, f"--metrics {addr} is [HOST]:PORT"):
            metrics_port = int(m.group(1))
    ports = {p.get("name"): p for p in c.get("ports", [])}
    check(ports.get("metrics", {}).get("containerPort") == metrics_port,
          f"containerPort named metrics is the --metrics port {metrics_port}")
    annotations = tmeta.get("annotations", {})
    check(annotations.get("prometheus.io/scrape") == "true", 'annotation prometheus.io/scrape: "true"')
    check(annotations.get("prometheus.io/port") == str(metrics_port), f'annotation prometheus.io/port: "{metrics_port}"')
    check(annotations.get("prometheus.io/path") == "/metrics", "annotation prometheus.io/path: /metrics")
    probe = c.get("readinessProbe", {}).get("httpGet", {})
    check(probe.get("path") == "/metrics" and probe.get("port") in ("metrics", metrics_port),
          f"readiness probe GETs /metrics on the metrics port (got {probe})")
    sc = c.get("securityContext", {})
    caps = sc.get("capabilities", {})
    add = set(caps.get("add", []))
    check({"BPF", "PERFMON", "SYS_RESOURCE"} <= add, f"capabilities add BPF, PERFMON, SYS_RESOURCE (got {sorted(add)})")
    check("SYS_ADMIN" not in add and "CAP_SYS_ADMIN" not in add, "no SYS_ADMIN by default")
    check(caps.get("drop") == ["ALL"], "capabilities drop ALL")
    check(sc.get("privileged") in (None, False), "not privileged by default")
    check(sc.get("seccompProfile", {}).get("type") == "Unconfined",
          "seccompProfile Unconfined (default profiles may refuse bpf() without CAP_SYS_ADMIN)")
    mounts = {m.get("mountPath"): m for m in c.get("volumeMounts", [])}
    host_paths = {"/sys/kernel/debug", "/sys/kernel/tracing", "/sys/fs/bpf", "/sys/kernel/btf"}
    for path in sorted(host_paths):
        m = mounts.get(path)
        if check(m is not None, f"{path} is mounted"):
            check(volumes.get(m["name"], {}).get("hostPath", {}).get("path") == path,
                  f"{path} is the host's {path}")
    check(mounts.get("/sys/kernel/btf", {}).get("readOnly") is True, "/sys/kernel/btf is read-only")
    cache = env.get("XDG_CACHE_HOME")
    check(cache in mounts, f"XDG_CACHE_HOME ({cache}) is a mounted volume")
    if sc.get("readOnlyRootFilesystem"):
        check("/tmp" in mounts, "with a read-only root filesystem, /tmp is a volume")
    res = c.get("resources", {})
    for kind in ("requests", "limits"):
        for r in ("cpu", "memory"):
            check(r in res.get(kind, {}), f"resources.{kind}.{r} is set")
    tolerations = pod.get("tolerations", [])
    check(any(t.get("operator") == "Exists" and not t.get("key") and not t.get("effect") for t in tolerations),
          "a toleration of every taint (operator Exists, no key, no effect)")
    check("OWNER" in c.get("image", ""), "the image is the documented placeholder ghcr.io/OWNER/...")
    say(f"deploy: node agent: {passed - schema_checks} checks")


def template(objects):
    return next(o for o in objects if o.get("kind") == "DaemonSet")["spec"]["template"]


def container(objects):
    return template(objects)["spec"]["containers"][0]


def set_in(d, key, value):
    d[key] = value


# One way to break the manifests each; the checks must refuse all of them.
MUTATIONS = {
    "hostPID false": lambda o: set_in(template(o)["spec"], "hostPID", False),
    "a mount without a volume": lambda o: set_in(container(o)["volumeMounts"][0], "name", "missing"),
    "a volume nothing mounts": lambda o: template(o)["spec"]["volumes"].append({"name": "spare", "emptyDir": {}}),
    "a selector that misses the template": lambda o: set_in(
        next(x for x in o if x.get("kind") == "DaemonSet")["spec"]["selector"], "matchLabels", {"app": "other"}),
    "apiVersion extensions/v1beta1": lambda o: set_in(
        next(x for x in o if x.get("kind") == "DaemonSet"), "apiVersion", "extensions/v1beta1"),
    "no --metrics": lambda o: set_in(container(o), "args", [a for a in container(o)["args"] if a != "--metrics"]),
    "SYS_ADMIN added": lambda o: container(o)["securityContext"]["capabilities"]["add"].append("SYS_ADMIN"),
    "PERFMON missing": lambda o: container(o)["securityContext"]["capabilities"]["add"].remove("PERFMON"),
    "privileged": lambda o: set_in(container(o)["securityContext"], "privileged", True),
    "another scrape port": lambda o: set_in(template(o)["metadata"]["annotations"], "prometheus.io/port", "9465"),
    "btf writable": lambda o: [set_in(m, "readOnly", False) for m in container(o)["volumeMounts"]
                               if m["mountPath"] == "/sys/kernel/btf"],
    "no toleration": lambda o: set_in(template(o)["spec"], "tolerations", []),
    "the DaemonSet before its namespace": lambda o: o.append(o.pop(0)),
    "--metrics after the reference": lambda o: set_in(container(o), "args", ["run", "$(ECLI_REF)", "--metrics", ":9464", "-q"]),
}


def main():
    global failures, passed, quiet
    args = sys.argv[1:]
    self_test = args[:1] == ["--self-test"]
    if self_test:
        args = args[1:]
    with open(args[0]) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    objects = []
    for d in docs:
        objects.extend(d.get("items", []) if d.get("kind") == "List" else [d])
    run_checks(objects)
    for f in failures:
        print(f"deploy: FAIL: {f}", file=sys.stderr)
    if failures or not self_test:
        return 1 if failures else 0
    quiet = True
    missed = []
    for what, mutate in MUTATIONS.items():
        broken = copy.deepcopy(objects)
        mutate(broken)
        failures, passed = [], 0
        try:
            run_checks(broken)
        except (KeyError, TypeError, AttributeError, StopIteration) as e:
            failures.append(f"crashed: {e!r}")
        if not failures:
            missed.append(what)
    for what in missed:
        print(f"deploy: FAIL: the checks accepted a copy with {what}", file=sys.stderr)
    print(f"deploy: self-test: {len(MUTATIONS) - len(missed)} of {len(MUTATIONS)} broken copies refused")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
