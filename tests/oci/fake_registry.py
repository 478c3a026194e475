#!/usr/bin/env python3
"""A test-only server that misbehaves on purpose, for ecli's bad-input and
redirect tests. The repository name picks the behaviour:
  forbidden/*  403 with a distribution-spec JSON error body
  image/*      an ordinary container image manifest (tar+gzip layer)
  index/*      an OCI image index
  liar/*       a Wasm manifest whose layer is served with other bytes
  badmanifest/* a manifest whose Docker-Content-Digest is another digest
  huge/*       a Wasm layer declared at 1 TiB
  redirect/*   a good Wasm module whose blob answers 307 to another host
               name of this server (localhost instead of 127.0.0.1)
  good/*       a good Wasm module
  relative/*   a small working registry in memory whose upload Locations
               are relative ("/upload/ID?part=N"); PATCH needs Content-Range
               to continue where the last chunk ended, and PUT checks the digest
/files/NAME serves --root/NAME with a Content-Type by suffix (with ?slow
in ten pieces over two seconds). With
--basic USER:PASS every /v2/ request needs that Basic credential. /log
returns [[path, had_authorization], ...] of every request so far."""
import argparse, base64, hashlib, json, os, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODULE = b"\0asm\1\0\0\0" + b"ecc-test-module" * 4
OTHER = b"\0asm\1\0\0\0" + b"something-else!" * 4


def digest(b: bytes) -> str:
    return "sha256:" + hashlib.sha256(b).hexdigest()


def wasm_manifest(layer: bytes, size=None) -> bytes:
    return json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.wasm.config.v1+json", "digest": digest(b"{}"), "size": 2},
        "layers": [{"mediaType": "application/vnd.wasm.content.layer.v1+wasm", "digest": digest(layer),
                    "size": len(layer) if size is None else size,
                    "annotations": {"org.opencontainers.image.title": "fake.wasm"}}],
    }).encode()


IMAGE = json.dumps({
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": digest(b"{}"), "size": 2},
    "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "digest": digest(b"x"), "size": 1}],
}).encode()
INDEX = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []}).encode()
TYPES = {".wasm": "application/wasm", ".json": "application/json", ".html": "text/html; charset=utf-8"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", required=True, type=int)
    ap.add_argument("--root", default=".")
    ap.add_argument("--basic", default="")
    args = ap.parse_args()
    log = []
    uploads, blobs, manifests = {}, {}, {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reply(self, status, body=b"", ctype="application/octet-stream", headers=()):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def error(self, status, code, message):
            body = json.dumps({"errors": [{"code": code, "message": message}]}).encode()
            self.reply(status, body, "application/json")

        def do_HEAD(self):
            self.do_GET()

        def body(self):
            return self.rfile.read(int(self.headers.get("Content-Length", "0")))

        def do_POST(self):
            log.append([self.path, "Authorization" in self.headers])
            self.body()
            if not self.path.startswith("/v2/relative/") or not self.path.endswith("/blobs/uploads/"):
                return self.error(404, "NAME_UNKNOWN", "repository name not known to registry")
            uid = str(len(uploads) + 1)
            uploads[uid] = b""
            self.reply(202, headers=[("Location", f"/upload/{uid}?part=0")])

        def do_PATCH(self):
            log.append([self.path, "Authorization" in self.headers])
            data = self.body()
            uid = self.path.split("?")[0].split("/")[-1]
            start, _, end = self.headers.get("Content-Range", "").partition("-")
            if uid not in uploads or not start.isdigit() or int(start) != len(uploads[uid]) or \
                    int(end) != int(start) + len(data) - 1:
                return self.error(416, "BLOB_UPLOAD_INVALID", "bad Content-Range")
            uploads[uid] += data
            self.reply(202, headers=[("Location", f"/upload/{uid}?part={len(uploads[uid])}")])

        def do_PUT(self):
            log.append([self.path, "Authorization" in self.headers])
            data = self.body()
            path, _, query = self.path.partition("?")
            if path.startswith("/upload/"):
                uid = path.split("/")[-1]
                want = dict(kv.split("=", 1) for kv in query.split("&") if "=" in kv).get("digest", "").replace("%3A", ":")
                got = uploads.pop(uid, b"") + data
                if digest(got) != want:
                    return self.error(400, "DIGEST_INVALID", "provided digest did not match uploaded content")
                blobs[want] = got
                return self.reply(201, headers=[("Location", "/v2/relative/blobs/" + want)])
            if path.startswith("/v2/relative/") and "/manifests/" in path:
                manifests[path] = data
                return self.reply(201)
            return self.error(404, "NAME_UNKNOWN", "repository name not known to registry")

        def do_GET(self):
            log.append([self.path, "Authorization" in self.headers])
            path = self.path.split("?")[0]
            if path == "/log":
                return self.reply(200, json.dumps(log).encode(), "application/json")
            if path.startswith("/files/"):
                f = os.path.join(args.root, os.path.basename(path))
                if not os.path.isfile(f):
                    return self.reply(404, b"not found", "text/plain")
                data = open(f, "rb").read()
                ctype = TYPES.get(os.path.splitext(f)[1], "application/octet-stream")
                if "?slow" not in self.path:
                    return self.reply(200, data, ctype)
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                step = len(data) // 10 + 1
                for i in range(0, len(data), step):
                    self.wfile.write(data[i:i + step])
                    self.wfile.flush()
                    time.sleep(0.2)
                return
            if path.startswith("/elsewhere/"):
                return self.reply(200, MODULE)
            if not path.startswith("/v2/"):
                return self.reply(404)
            if args.basic:
                want = "Basic " + base64.b64encode(args.basic.encode()).decode()
                if self.headers.get("Authorization") != want:
                    return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                                      "application/json", [("WWW-Authenticate", 'Basic realm="fake"')])
            if path == "/v2/":
                return self.reply(200, b"{}", "application/json")
            scenario = path.split("/")[2]
            is_manifest = "/manifests/" in path
            if scenario == "relative":
                d = path.split("/")[-1]
                if is_manifest and path in manifests:
                    return self.reply(200, manifests[path], "application/vnd.oci.image.manifest.v1+json")
                if "/blobs/" in path and d in blobs:
                    return self.reply(200, blobs[d])
                return self.error(404, "BLOB_UNKNOWN", "blob unknown to registry")
            if scenario == "forbidden":
                return self.error(403, "DENIED", "requested access to the resource is denied")
            if scenario == "image" and is_manifest:
                return self.reply(200, IMAGE, "application/vnd.docker.distribution.manifest.v2+json")
            if scenario == "index" and is_manifest:
                return self.reply(200, INDEX, "application/vnd.oci.image.index.v1+json")
            if scenario == "badmanifest" and is_manifest:
                return self.reply(200, wasm_manifest(MODULE), "application/vnd.oci.image.manifest.v1+json",
                                  [("Docker-Content-Digest", digest(b"another manifest"))])
            if scenario in ("liar", "good", "redirect") and is_manifest:
                m = wasm_manifest(MODULE)
                return self.reply(200, m, "application/vnd.oci.image.manifest.v1+json",
                                  [("Docker-Content-Digest", digest(m))])
            if scenario == "huge" and is_manifest:
                return self.reply(200, wasm_manifest(MODULE, 1 << 40), "application/vnd.oci.image.manifest.v1+json")
            if "/blobs/" in path:
                if scenario == "liar":
                    return self.reply(200, OTHER)
                if scenario == "redirect":
                    where = f"http://localhost:{args.port}/elsewhere/{path.split('/')[-1]}"
                    return self.reply(307, b"", headers=[("Location", where)])
                if scenario in ("good", "huge"):
                    return self.reply(200, MODULE)
            return self.error(404, "MANIFEST_UNKNOWN", "manifest unknown")

    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
