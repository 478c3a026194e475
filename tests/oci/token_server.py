#!/usr/bin/env python3
"""A test-only token service for docker-registry's token auth (the
distribution spec's Bearer flow): GET /token?service=&scope= with Basic
credentials returns {"token": JWT}, an RS256 JWT whose x5c header carries
the signing certificate (the registry's rootcertbundle). Signing uses the
openssl CLI. Every token issued is appended to --issued, so a test can
check that ecli never prints one."""
import argparse, base64, json, subprocess, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def der_of_pem(pem: str) -> bytes:
    body = "".join(l for l in pem.splitlines() if l and not l.startswith("-----"))
    return base64.b64decode(body)


def main():
    ap = argparse.ArgumentParser()
    for a in ("--port", "--key", "--cert", "--user", "--password", "--issuer", "--service", "--issued"):
        ap.add_argument(a, required=True)
    args = ap.parse_args()
    cert_der = der_of_pem(open(args.cert).read())

    def sign(payload: dict) -> str:
        header = {"alg": "RS256", "typ": "JWT", "x5c": [base64.b64encode(cert_der).decode()]}
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(payload).encode())
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", args.key], input=signing_input.encode(),
                             capture_output=True, check=True).stdout
        return signing_input + "." + b64url(sig)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def deny(self):
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="token"')
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):
            url = urlparse(self.path)
            if url.path != "/token":
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            want = "Basic " + base64.b64encode(f"{args.user}:{args.password}".encode()).decode()
            if self.headers.get("Authorization") != want:
                return self.deny()
            q = parse_qs(url.query)
            access = []
            for scope in q.get("scope", []):
                parts = scope.split(":")
                if len(parts) == 3 and parts[0] == "repository":
                    access.append({"type": "repository", "name": parts[1], "actions": parts[2].split(",")})
            now = int(time.time())
            token = sign({"iss": args.issuer, "sub": args.user, "aud": q.get("service", [args.service])[0],
                          "exp": now + 600, "nbf": now - 10, "iat": now, "jti": str(uuid.uuid4()), "access": access})
            with open(args.issued, "a") as f:
                f.write(token + "\n")
            body = json.dumps({"token": token, "expires_in": 600}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    ThreadingHTTPServer(("127.0.0.1", int(args.port)), Handler).serve_forever()


if __name__ == "__main__":
    main()
