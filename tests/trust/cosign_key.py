#!/usr/bin/python3
"""Writes a private key in cosign's encrypted format (docs/trust.md), as an
oracle independent of lib/trust: python3-nacl's SecretBox and hashlib's
scrypt around the PKCS#8 DER of a key that openssl made.

  cosign_key.py PKCS8.der OUT.key PASSWORD [--type "ENCRYPTED COSIGN PRIVATE KEY"] [--n 32768]

The PEM body is base64 of {"kdf":{"name":"scrypt","params":{"N":..,"r":8,
"p":1},"salt":".."},"cipher":{"name":"nacl/secretbox","nonce":".."},
"ciphertext":".."}, the byte strings base64 (standard, padded).
"""
import argparse
import base64
import hashlib
import json
import os
import sys

import nacl.secret


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def encrypt(der: bytes, password: bytes, n: int) -> bytes:
    salt = os.urandom(32)
    key = hashlib.scrypt(password, salt=salt, n=n, r=8, p=1, dklen=32, maxmem=256 * 1024 * 1024)
    box = nacl.secret.SecretBox(key)
    nonce = os.urandom(nacl.secret.SecretBox.NONCE_SIZE)
    sealed = box.encrypt(der, nonce)  # nonce || MAC || ciphertext
    doc = {
        "kdf": {"name": "scrypt", "params": {"N": n, "r": 8, "p": 1}, "salt": b64(salt)},
        "cipher": {"name": "nacl/secretbox", "nonce": b64(nonce)},
        "ciphertext": b64(sealed.ciphertext),
    }
    return json.dumps(doc, separators=(",", ":")).encode()


def pem(block_type: str, body: bytes) -> str:
    text = b64(body)
    lines = [text[i:i + 64] for i in range(0, len(text), 64)]
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (block_type, "\n".join(lines), block_type)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("der")
    ap.add_argument("out")
    ap.add_argument("password")
    ap.add_argument("--type", default="ENCRYPTED SIGSTORE PRIVATE KEY")
    ap.add_argument("--n", type=int, default=32768)
    args = ap.parse_args()
    with open(args.der, "rb") as f:
        der = f.read()
    with open(args.out, "w") as f:
        f.write(pem(args.type, encrypt(der, args.password.encode(), args.n)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
