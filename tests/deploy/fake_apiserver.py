#!/usr/bin/python3
"""A stand-in for a Kubernetes API server, for `kubectl apply --dry-run=client`.

kubectl needs a server even for a client-side dry run: it reads the
discovery documents to map each kind to its resource, and GETs each object
to decide between create and patch (kubernetes/kubectl#1589). This answers
those reads for the kinds in deploy/kubernetes (legacy discovery for v1 and
apps/v1; every object is absent, so kubectl "creates" it) and nothing else.
Every request is appended to LOG as "METHOD PATH"; a write would be a bug
in the dry run, and the test checks there is none.

usage: fake_apiserver.py PORT_FILE LOG
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

RESOURCES = {
    "v1": [
        ("namespaces", "Namespace", False),
        ("serviceaccounts", "ServiceAccount", True),
        ("configmaps", "ConfigMap", True),
        ("secrets", "Secret", True),
        ("services", "Service", True),
        ("pods", "Pod", True),
    ],
    "apps/v1": [
        ("daemonsets", "DaemonSet", True),
        ("deployments", "Deployment", True),
    ],
}
VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


def resource_list(group_version):
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": [
            {"name": name, "singularName": kind.lower(), "namespaced": namespaced,
             "kind": kind, "verbs": VERBS}
            for name, kind, namespaced in RESOURCES[group_version]
        ],
    }


DOCUMENTS = {
    "/api": {"kind": "APIVersions", "versions": ["v1"],
             "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]},
    "/apis": {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
        {"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
         "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}}]},
    "/api/v1": resource_list("v1"),
    "/apis/apps/v1": resource_list("apps/v1"),
    "/version": {"major": "1", "minor": "32", "gitVersion": "v1.32.0-fake"},
}


class Handler(BaseHTTPRequestHandler):
    def answer(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        with open(self.server.log, "a") as log:
            log.write(f"{self.command} {self.path}\n")
        path = self.path.split("?", 1)[0]
        if self.command == "GET" and path in DOCUMENTS:
            self.answer(200, DOCUMENTS[path])
            return
        self.answer(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                          "reason": "NotFound", "code": 404,
                          "message": f"{path} not found (fake API server)"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

    def log_message(self, *args):
        pass


def main():
    port_file, log = sys.argv[1], sys.argv[2]
    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.log = log
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
