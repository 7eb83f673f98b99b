"""Fixtures for the cluster suite: `scripts/cluster.sh` with two replicas and HAProxy on free
ports, on a fresh schema of the PostgreSQL test database, and a headless Chromium.

Everything here is marked `cluster`. Missing pieces (haproxy, PostgreSQL, Chromium) fail the
test; they skip only when a developer says so with FIELD_CLUSTER_OPTIONAL=1 — never under CI
(`CI` set), where `.ci/run` installs them all.

The replicas keep their photos in a bucket of a real SeaweedFS (`photo_store_env()`), as a
province's deployment does; FIELD_DATA_DIR is shared only for the report archive.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import create_engine, text

from tests.e2e import harness

CLUSTER_DIR = Path(__file__).resolve().parent
SCRIPT = harness.REPO_ROOT / "scripts" / "cluster.sh"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if CLUSTER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.cluster)


def _missing(what: str) -> None:
    if os.environ.get("FIELD_CLUSTER_OPTIONAL") == "1" and not os.environ.get("CI"):
        pytest.skip(f"{what} (skipped because FIELD_CLUSTER_OPTIONAL=1)")
    pytest.fail(f"{what}: the cluster test needs it (set FIELD_CLUSTER_OPTIONAL=1 to skip locally)",
                pytrace=False)


def photo_store_env(seaweedfs: object, prefix: str) -> dict[str, str]:
    """Settings of the photo store every replica shares: a bucket on the session's real SeaweedFS
    (tests/s3server.py), under a prefix of this cluster's own, so a photo written by one replica
    can only reach the other through S3."""
    return seaweedfs.env("field-photos", prefix)  # type: ignore[attr-defined]


@dataclass
class Cluster:
    url: str                       # HAProxy
    replicas: dict[str, str]       # server name (app1, app2) -> its own URL
    state_dir: Path
    env: harness.E2EEnv
    pg_url: str
    log: list[str] = field(default_factory=list)

    def pid(self, name: str) -> int:
        return int((self.state_dir / f"{name}.pid").read_text().strip())

    def script(self, command: str) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(["bash", str(SCRIPT), command], cwd=harness.REPO_ROOT, env=self.env.env,
                              capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
        self.log.append(f"$ cluster.sh {command} -> {proc.returncode}\n{proc.stdout}{proc.stderr}")
        return proc

    def logs(self) -> str:
        parts = list(self.log)
        for path in sorted(self.state_dir.glob("*.log")):
            tail = "\n".join(path.read_text("utf-8", errors="replace").splitlines()[-80:])
            parts.append(f"--- {path.name} ---\n{tail}")
        return "\n".join(parts)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, seaweedfs: object) -> Iterator[Cluster]:
    if shutil.which("haproxy") is None:
        _missing("haproxy is not installed (apt-get install haproxy)")
    pg_url = os.environ.get("FIELD_TEST_POSTGRES_URL")
    if not pg_url:
        _missing("FIELD_TEST_POSTGRES_URL is not set (the replicas need one PostgreSQL)")
    assert pg_url is not None
    if harness.find_chromium() is None:
        _missing("Chromium not found (FIELD_CHROMIUM, /usr/bin/chromium)")

    root = tmp_path_factory.mktemp("cluster")
    schema = "cl_" + uuid.uuid4().hex[:12]
    admin = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db_url = f"{pg_url}{'&' if '?' in pg_url else '?'}options=-csearch_path%3D{schema}"

    data_dir = root / "data"
    data_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIELD_", "CLUSTER_"))}
    ports = [harness.free_port() for _ in range(3)]
    env.update({
        "FIELD_DATABASE_URL": db_url,
        "FIELD_DATA_DIR": str(data_dir),
        "FIELD_SECRETS_FILE": str(root / "no-secrets.toml"),
        "FIELD_TILES": "none",
        "FIELD_TEST_MODE": "1",
        "FIELD_VENV": str(Path(sys.executable).parent.parent),
        "CLUSTER_DIR": str(root / "state"),
        "CLUSTER_PORT": str(ports[0]),
        "CLUSTER_APP_PORTS": f"{ports[1]} {ports[2]}",
        "PYTHONDONTWRITEBYTECODE": "1",
        **photo_store_env(seaweedfs, schema),
    })
    e2e = harness.E2EEnv(root=root, app_root=harness.app_root(), db_url=db_url, data_dir=data_dir, env=env)
    c = Cluster(url=f"http://127.0.0.1:{ports[0]}",
                replicas={"app1": f"http://127.0.0.1:{ports[1]}", "app2": f"http://127.0.0.1:{ports[2]}"},
                state_dir=root / "state", env=e2e, pg_url=db_url)
    try:
        started = c.script("start")
        if started.returncode != 0:
            pytest.fail(f"cluster.sh start failed\n{c.logs()}", pytrace=False)
        yield c
    finally:
        c.script("stop")
        harness.ARTIFACTS_DIR.mkdir(exist_ok=True)
        (harness.ARTIFACTS_DIR / "cluster.log").write_text(c.logs(), encoding="utf-8")
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="module")
def cluster_browser(cluster: Cluster) -> Iterator[Browser]:
    chromium = harness.find_chromium()
    assert chromium is not None
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, headless=True, args=harness.CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
