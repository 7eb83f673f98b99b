"""Benchmark: the S3 photo store on a real SeaweedFS, against plain boto3 and the local folder.

What a write-once store costs on S3: `S3PhotoStore.write_once` asks HEAD before a conditional
put, so a new object takes two requests where a plain `put_object` takes one (the standard
alternative, which would overwrite). Reads are one GET either way. The local folder is the
floor. The SeaweedFS server runs on this machine (tests/s3server.py), so the numbers measure
client and server work on loopback, not a network.

    python bench/photostore.py [--objects 200] [--kb 300]

Prints one JSON line per operation with the ratio to plain boto3.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from field.photos.s3store import S3PhotoStore  # noqa: E402
from field.photos.store import LocalPhotoStore, S3Options  # noqa: E402
from tests.s3server import start_seaweedfs  # noqa: E402


def _timed(fn, items) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    for item in items:
        fn(item)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=200)
    ap.add_argument("--kb", type=int, default=300)
    args = ap.parse_args()
    blobs = [os.urandom(args.kb * 1024) for _ in range(args.objects)]
    with tempfile.TemporaryDirectory() as tmp:
        server = start_seaweedfs(Path(tmp) / "weed")
        try:
            server.create_bucket("bench")
            opts = S3Options(endpoint=server.endpoint, region=server.region, access_key=server.access_key,
                             secret_key=server.secret_key)
            store = S3PhotoStore("bench", "store-" + uuid.uuid4().hex[:8], opts)
            client = server.client()
            plain_prefix = "plain-" + uuid.uuid4().hex[:8]
            local = LocalPhotoStore(Path(tmp) / "local")
            keys = [f"display/{i % 256:02x}/{i}.jpg" for i in range(args.objects)]
            pairs = list(zip(keys, blobs, strict=True))
            results = {
                "write": (
                    _timed(lambda kb: store.write_once(kb[0], kb[1]), pairs),
                    _timed(lambda kb: client.put_object(Bucket="bench", Key=f"{plain_prefix}/{kb[0]}", Body=kb[1]),
                           pairs),
                    _timed(lambda kb: local.write_once(kb[0], kb[1]), pairs)),
                "rewrite_same": (
                    _timed(lambda kb: store.write_once(kb[0], kb[1]), pairs),
                    _timed(lambda kb: client.put_object(Bucket="bench", Key=f"{plain_prefix}/{kb[0]}", Body=kb[1]),
                           pairs),
                    _timed(lambda kb: local.write_once(kb[0], kb[1]), pairs)),
                "read": (
                    _timed(store.read, keys),
                    _timed(lambda k: client.get_object(Bucket="bench", Key=f"{plain_prefix}/{k}")["Body"].read(),
                           keys),
                    _timed(local.read, keys)),
            }
            listed = time.perf_counter()
            n_listed = len(list(store.objects()))
            list_s = time.perf_counter() - listed
        finally:
            server.stop()
    for op, (ours, plain, folder) in results.items():
        print(json.dumps({"bench": "photostore", "op": op, "objects": args.objects, "kb": args.kb,
                          "s3_store_ms_per_object": round(ours / args.objects * 1000, 2),
                          "plain_boto3_ms_per_object": round(plain / args.objects * 1000, 2),
                          "local_ms_per_object": round(folder / args.objects * 1000, 3),
                          "ratio_vs_plain_boto3": round(ours / plain, 2)}))
    print(json.dumps({"bench": "photostore", "op": "list", "objects": n_listed, "seconds": round(list_s, 3)}))


if __name__ == "__main__":
    main()
