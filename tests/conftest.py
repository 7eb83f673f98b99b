"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from FIELD_TEST_POSTGRES_URL (CI starts the machine's server and sets it).
Each test gets its own schema there, so tests are isolated without creating databases.
Without the URL the PostgreSQL half is skipped locally, but FIELD_REQUIRE_POSTGRES=1 (as CI
sets) turns that into a failure, so CI can never pass on SQLite alone.
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

# This process is a test: the settings allow the test hooks (a pinned clock, cheap hashing).
os.environ["FIELD_TEST_MODE"] = "1"
os.environ.setdefault("FIELD_PASSWORD_HASH", "cheap")

from field.config import load_settings  # noqa: E402
from field.data.models import User  # noqa: E402
from field.domain import clock  # noqa: E402
from field.runtime import Runtime, apply_process_settings, open_runtime  # noqa: E402

apply_process_settings(load_settings())  # cheap hashing also for tests that open no runtime


@pytest.fixture(autouse=True)
def _release_clock() -> Iterator[None]:
    """A test that pins the clock (FIELD_FAKE_NOW, then open_runtime) must not leave it pinned."""
    yield
    clock.set_fake_now(None)

SHARED_PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "photos"


def _pg_url() -> str | None:
    return os.environ.get("FIELD_TEST_POSTGRES_URL") or None


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'field.db'}"
        return
    url = _pg_url()
    if url is None:
        if os.environ.get("FIELD_REQUIRE_POSTGRES") == "1":
            pytest.fail("FIELD_REQUIRE_POSTGRES=1 but FIELD_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL not configured (set FIELD_TEST_POSTGRES_URL)")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    yield f"{url}{sep}options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    return dataclasses.replace(load_settings(), database_url=db_url, data_dir=tmp_path / "data",
                               public_notice_days=10, recheck_days=90)


@pytest.fixture
def rt(settings) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    runtime = open_runtime(settings)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture
def session(rt: Runtime):  # type: ignore[no-untyped-def]
    with rt.session() as s:
        yield s


PASSWORD = "correct horse battery"


@pytest.fixture
def users(session) -> dict[str, User]:  # type: ignore[no-untyped-def]
    """One user per role, plus a second supervisor and a field user limited to 运河区 (130903)."""
    from field.services import auth

    made = {}
    for name, role, scope in [
        ("field", "field", ["*"]), ("field_yunhe", "field", ["130903"]), ("officer", "case_officer", ["*"]),
        ("super", "supervisor", ["*"]), ("super2", "supervisor", ["*"]), ("super_yunhe", "supervisor", ["130903"]),
        ("viewer", "viewer", ["*"]), ("admin", "admin", ["*"]),
    ]:
        made[name] = auth.create_user(session, None, username=name, password=PASSWORD, role=role, counties=scope,
                                      display_name=name.upper())
    session.commit()
    return made


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A real SeaweedFS S3 server for this test session (tests/s3server.py), stopped at the end.
    A missing or broken `weed` fails the tests that need it: it is a pinned dev requirement."""
    from tests.s3server import start_seaweedfs

    server = start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"))
    server.create_bucket("field-photos")
    yield server
    server.stop()


@pytest.fixture
def s3_settings(settings, seaweedfs):  # type: ignore[no-untyped-def]
    """`settings` with the photos in the SeaweedFS bucket, under a prefix of this test's own."""
    env = seaweedfs.env("field-photos", "t-" + uuid.uuid4().hex[:12])
    return dataclasses.replace(settings, photo_store=env["FIELD_PHOTO_STORE"], s3_endpoint=env["FIELD_S3_ENDPOINT"],
                               s3_region=env["FIELD_S3_REGION"], s3_access_key=env["FIELD_S3_ACCESS_KEY"],
                               s3_secret_key=env["FIELD_S3_SECRET_KEY"])


@pytest.fixture
def s3_rt(s3_settings) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    runtime = open_runtime(s3_settings)
    yield runtime
    runtime.engine.dispose()
