#!/usr/bin/env python3
"""Regenerates the committed seed corpora under tests/fuzz/corpus/ from the webhook
vectors in tests/vectors/data (developer tool; CI only replays what is committed).

    python3 tests/fuzz/make_corpus.py [VECTORS_DIR]

Formats, one input per file (named after the vector):
  token/            the Authorization value
  decode/           the body
  verify/           "<now>\\n<authorization>\\n<body>" (the target configures the vectors' keys)
  signed_dispatch/  the body (the target signs it itself)
"""
import glob
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
vectors = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "vectors", "data")
if not glob.glob(os.path.join(vectors, "*.json")):
    sys.exit(f"make_corpus.py: no vector files in {vectors}")
MAX_BYTES = 16 * 1024  # keep committed seeds small

def write(target, name, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

for path in sorted(glob.glob(os.path.join(vectors, "*.json"))):
    if path.endswith("index.json"):
        continue
    v = json.load(open(path, encoding="utf-8"))
    name = v["name"]
    body = v["body"].encode("utf-8")
    auth = (v["authorization"] or "").encode("utf-8")
    if len(auth) <= MAX_BYTES:
        write("token", name, auth)
    if len(body) > MAX_BYTES:
        continue
    write("verify", name, str(v["now"]).encode() + b"\n" + auth + b"\n" + body)
    if v["expect"] in ("ok", "malformed_body") or "body_hash_mismatch" in name:
        write("decode", name, body)
        write("signed_dispatch", name, body)
