"""Benchmark: what signing and checkpointing add to one sign-off, and what `verify` costs.

Why: a sign-off now also signs a statement (Ed25519) and, after its commit, appends a signed
checkpoint to the photo store; the alternative the issue names is an HMAC-SHA256 with a shared
secret. Each line compares ours with that alternative in the same run, so the ratio means
something on any machine (ratio = baseline / ours; below 1 means ours is slower):
- sign: Ed25519 over a sign-off statement vs HMAC-SHA256 over the same bytes;
- verify: Ed25519 verification vs recomputing the HMAC (what `verify` does per row);
- checkpoint: `PhotoStore.append_checkpoint` (content-addressed object + HEAD, fsync'd) vs one
  plain fsync'd file write — the floor for anything durable.

    python bench/signing.py [--n 2000]

Prints JSON lines: {"bench": "signing.sign" | "signing.verify" | "signing.checkpoint", "n": N,
"ours_us": ..., "baseline_us": ..., "ratio": baseline/ours}
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from field.photos.store import LocalPhotoStore  # noqa: E402
from field.trust import keys  # noqa: E402


def _per_call_us(fn, n: int) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for i in range(n):
        fn(i)
    return (time.perf_counter() - start) / n * 1e6


def _line(name: str, n: int, ours: float, base: float) -> None:
    print(json.dumps({"bench": name, "n": n, "ours_us": round(ours, 1), "baseline_us": round(base, 1),
                      "ratio": round(base / ours, 3)}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    n = ap.parse_args().n
    private = Ed25519PrivateKey.generate()
    key = keys.SigningKey(keys.key_id(private.public_key()), private)
    secret = os.urandom(32)
    statements = [{"t": "signoff/1", "kid": key.kid, "content": hashlib.sha256(str(i).encode()).hexdigest(),
                   "prev": "0" * 64, "chain": "1" * 64, "verification": i, "finding": i, "site": i,
                   "county": "130903", "status": "public_notice", "signer": 4, "at": "2026-06-02T02:00:00+00:00",
                   "decision": "approve"} for i in range(n)]
    _line("signing.sign", n, _per_call_us(lambda i: key.sign(statements[i]), n),
          _per_call_us(lambda i: hmac.new(secret, keys.canonical(statements[i]), "sha256").hexdigest(), n))
    sigs = [key.sign(s) for s in statements]
    ring = keys.Keyring({key.kid: private.public_key()})
    _line("signing.verify", n, _per_call_us(lambda i: ring.check(statements[i], key.kid, sigs[i]), n),
          _per_call_us(lambda i: hmac.compare_digest(
              hmac.new(secret, keys.canonical(statements[i]), "sha256").hexdigest(), "0" * 64), n))
    m = max(50, n // 20)
    with tempfile.TemporaryDirectory() as tmp:
        store = LocalPhotoStore(Path(tmp) / "photos")
        plain = Path(tmp) / "plain"

        def durable(i: int) -> None:
            with (plain / f"{i}.json").open("wb") as fh:
                fh.write(keys.canonical(statements[i]))
                fh.flush()
                os.fsync(fh.fileno())

        plain.mkdir()
        _line("signing.checkpoint", m,
              _per_call_us(lambda i: store.append_checkpoint(keys.canonical({"body": statements[i], "sig": sigs[i]})), m),
              _per_call_us(durable, m))


if __name__ == "__main__":
    main()
