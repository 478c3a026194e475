#!/usr/bin/python3
"""Writes the Pod a kubelet would run from the DaemonSet in
deploy/kubernetes/ecli-daemonset.yaml, in the form `podman kube play` (4.3)
takes, for one test run on this machine.

podman kube play runs Pods and Deployments, not DaemonSets, so the Pod is
the DaemonSet's template. What it changes, and why:
  - the image and ECLI_REF: the locally built image, and a package the test
    mounts at /pkg (an added hostPath volume);
  - $(VAR) in command and args is expanded here, as the kubelet does;
    podman 4.3 passes "$(ECLI_REF)" through literally;
  - seccompProfile Unconfined is also written as the annotation
    seccomp.security.alpha.kubernetes.io/pod, the only form podman 4.3 reads
    (Kubernetes reads the field);
  - hostNetwork: true and the metrics port moved to PORT (args and
    annotation; the ports list dropped, which podman 4.3 refuses with the
    host's network), so the host reaches /metrics without a pod network;
  - restartPolicy Never, so a failing ecli shows as an exit, not a loop;
  - with --no-metrics (an ecli without --metrics), "--metrics ADDR" and
    "-q" are taken out and -j put in, and the events are the check.
Everything else (hostPID, capabilities, mounts, the read-only root, env,
resources) is the template's as it is.

usage: pod_from_daemonset.py MANIFEST IMAGE PKG_DIR PORT NAME [--no-metrics]
"""
import re
import sys

import yaml


def main():
    manifest, image, pkg_dir, port, name = sys.argv[1:6]
    no_metrics = "--no-metrics" in sys.argv[6:]
    with open(manifest) as f:
        ds = next(d for d in yaml.safe_load_all(f) if d and d.get("kind") == "DaemonSet")
    tmpl = ds["spec"]["template"]
    meta = tmpl["metadata"]
    spec = tmpl["spec"]
    c = spec["containers"][0]

    c["image"] = image
    env = {e["name"]: e for e in c.get("env", [])}
    env["ECLI_REF"]["value"] = "/pkg/package.json"
    c.setdefault("volumeMounts", []).append({"name": "pkg", "mountPath": "/pkg", "readOnly": True})
    spec.setdefault("volumes", []).append({"name": "pkg", "hostPath": {"path": pkg_dir, "type": "Directory"}})

    args = list(c.get("args", []))
    if no_metrics:
        i = args.index("--metrics")
        del args[i:i + 2]
        args = [a for a in args if a != "-q"]
        args.insert(args.index("run") + 1, "-j")
    else:
        i = args.index("--metrics")
        args[i + 1] = re.sub(r":\d+$", ":" + port, args[i + 1])
    meta.setdefault("annotations", {})["prometheus.io/port"] = port
    # With the host's network a containerPort is only a label, and podman
    # 4.3 refuses it ("PortMappings can only be used with Bridge or
    # slirp4netns networking").
    c.pop("ports", None)
    values = {k: e.get("value", "") for k, e in env.items()}

    def expand(s):
        return re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: values.get(m.group(1), m.group(0)), s)

    c["command"] = [expand(a) for a in c.get("command", [])]
    c["args"] = [expand(a) for a in args]

    if c.get("securityContext", {}).get("seccompProfile", {}).get("type") == "Unconfined":
        meta.setdefault("annotations", {})["seccomp.security.alpha.kubernetes.io/pod"] = "unconfined"
    spec["hostNetwork"] = True
    spec["restartPolicy"] = "Never"

    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": name, "labels": meta.get("labels", {}),
                        "annotations": meta.get("annotations", {})},
           "spec": spec}
    yaml.safe_dump(pod, sys.stdout, sort_keys=False)


if __name__ == "__main__":
    main()
