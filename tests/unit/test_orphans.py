"""Orphan photo files (attack 10): a refused upload leaves none; a killed process leaves some,
`verify` warns about them (without failing) and `gc` removes them."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from field.config import PROJECT_ROOT
from field.data.models import Photo
from field.domain.errors import ValidationError
from field.services import findings, photofiles
from tests.photo_factory import make_jpeg

CHILD = """
import os, signal, sys
from sqlalchemy import select
from field.data.models import User
from field.runtime import open_runtime
from field.services import findings
from tests.photo_factory import make_jpeg

mode, seed = sys.argv[1], int(sys.argv[2])
rt = open_runtime()
data = make_jpeg(400, 300, seed=seed, detailed=True)
if mode == "mid-write":  # killed between writing the thumbnail's temp file and renaming it
    real, calls = os.replace, []
    def dying(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        real(src, dst)
    os.replace = dying
with rt.uow() as s:
    user = s.scalar(select(User).where(User.username == "field"))
    findings.store_photo(s, user, data, f"{seed}.jpg", rt.store)
    if mode == "before-commit":  # every file written, the row never committed
        os.kill(os.getpid(), signal.SIGKILL)
print("committed")
"""


def _env(rt) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {**os.environ, "FIELD_DATABASE_URL": rt.settings.database_url, "FIELD_DATA_DIR": str(rt.settings.data_dir),
            "FIELD_TEST_MODE": "1", "FIELD_PASSWORD_HASH": "cheap", "FIELD_SECRETS_FILE": "/nonexistent",
            "PYTHONPATH": str(PROJECT_ROOT)}


def _run(rt, *args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    cmd = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "field", "--lang", "en", *args]
    return subprocess.run(cmd, cwd=PROJECT_ROOT, env=_env(rt), text=True, capture_output=True, timeout=180)


def test_a_refused_action_removes_the_files_it_wrote(rt, users) -> None:
    with pytest.raises(ValidationError), rt.uow() as s:
        findings.store_photo(s, users["field"], make_jpeg(320, 240, seed=7), "a.jpg", rt.store)
        assert len(list(rt.store.files())) == 3  # readable at once, inside the action
        raise ValidationError("some.later.refusal")
    assert list(rt.store.files()) == []
    with rt.uow() as s:  # a committed upload keeps its files
        findings.store_photo(s, users["field"], make_jpeg(320, 240, seed=7), "a.jpg", rt.store)
    with rt.read() as s:
        assert len(list(rt.store.files())) == 3 and photofiles.orphans(s, rt.store) == []


def test_kill_9_during_photo_writes_leaves_no_orphan_after_gc(rt, users) -> None:
    results = [_run(rt, mode, str(seed), code=CHILD)
               for seed, mode in enumerate(["mid-write", "before-commit", "commit"])]
    assert [r.returncode for r in results] == [-signal.SIGKILL, -signal.SIGKILL, 0], \
        [r.stderr[-500:] for r in results]
    with rt.read() as s:
        assert s.scalar(select(func.count()).select_from(Photo)) == 1
        left = photofiles.orphans(s, rt.store)
    assert len(left) == 2 + 3  # killed mid-write: display + the thumbnail's temp file; before commit: 3
    assert any(name.rsplit("/", 1)[-1].startswith(".") for name in left)

    verify = _run(rt, "verify", "--json")
    assert verify.returncode == 0, verify.stderr  # a warning, not a failure
    assert json.loads(verify.stdout)["orphans"] == photofiles.summary(left)

    assert "Removed 0" in _run(rt, "gc").stdout  # younger than the default hour: maybe an upload in flight
    gc = _run(rt, "gc", "--min-age-minutes", "0")
    assert gc.returncode == 0 and f"Removed {len(left)}" in gc.stdout, gc.stdout + gc.stderr
    with rt.read() as s:
        assert photofiles.orphans(s, rt.store) == []
        assert rt.store.verify(s.scalars(select(Photo)).one().sha256)  # the committed photo is untouched



def test_verify_text_output_warns(rt, users, capsys, monkeypatch) -> None:
    from field import cli

    rt.store.abspath("display/ab/" + "ab" * 32 + ".jpg").parent.mkdir(parents=True)
    rt.store.abspath("display/ab/" + "ab" * 32 + ".jpg").write_bytes(b"left over")
    monkeypatch.setattr(cli, "_runtime", lambda: rt)
    assert cli.main(["--lang", "en", "verify"]) == 0
    out = capsys.readouterr().out
    assert "WARNING 1 photo files are referred to by no record" in out
    assert cli.main(["--lang", "en", "gc", "--min-age-minutes", "0"]) == 0
    assert list(rt.store.files()) == []


def test_gc_collects_photo_files_only_never_the_checkpoint_log_or_the_odk_queue(rt, users) -> None:
    """The checkpoint log and the ODK review queue share the photo root but no photo row names
    them: a gc that collected them would erase the trust record and submissions under review."""
    root = rt.store.root
    stray = root / "originals" / "ab" / "cd" / ("ab" * 32 + ".jpg")
    keep = [root / "checkpoints" / "objects" / "aa" / ("a" * 64 + ".json"), root / "submissions" / "x" / "raw.xml"]
    for path in [stray, *keep]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    with rt.read() as s:
        removed = photofiles.gc(s, rt.store, min_age=dt.timedelta(0))
    assert removed == [stray.relative_to(root).as_posix()]
    assert not stray.exists() and all(p.exists() for p in keep)


def test_the_same_bytes_committed_by_another_upload_meanwhile_are_reused(rt, users, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two uploads of one photo at once (Collect resending, two tablets sharing a picture): the
    one that commits second finds no row at its look-up, then loses the unique hash at its insert.
    It must use the winner's row, not fail with the database's error (500s in the load bench) or
    remove the files the winner's row names."""
    data = make_jpeg(320, 240, seed=11)
    real_row = findings.photo_row
    other: list[Photo] = []
    calls: list[str] = []

    def row_after_the_other_commits(info, filename, actor):  # type: ignore[no-untyped-def]
        calls.append(filename)
        if len(calls) == 1:
            with rt.uow() as s2:  # the other upload: looks up, inserts and commits first
                other.append(findings.store_photo(s2, s2.get(type(users["field"]), users["field"].id), data,
                                                  "other.jpg", rt.store))
        return real_row(info, filename, actor)

    monkeypatch.setattr(findings, "photo_row", row_after_the_other_commits)
    with rt.uow() as s:
        mine = findings.store_photo(s, s.get(type(users["field"]), users["field"].id), data, "mine.jpg", rt.store)
        mine_id, mine_sha = mine.id, mine.sha256
    assert calls == ["mine.jpg", "other.jpg"]  # mine looked up first, the other inserted first
    assert other and mine_id == other[0].id
    with rt.read() as s:
        rows = s.scalars(select(Photo).where(Photo.sha256 == mine_sha)).all()
        assert len(rows) == 1
        for rel in (rows[0].original_path, rows[0].display_path, rows[0].thumb_path):
            assert rt.store.read(rel)  # the files of the kept row are still there


MAPPERS_CHILD = """
import sys
from field.data import db
db.session_factory(db.make_engine("sqlite://"))
from field.data.models import Base
missing = [m.class_.__name__ for m in Base.registry.mappers if not m.configured]
print(sorted(k for k in sys.modules if k.startswith("field.data.") and k.endswith("_models")), missing)
"""


def test_making_sessions_imports_every_model_and_configures_the_mappers() -> None:
    """A fresh process that only makes a session (a replica's first OpenRosa request) has every
    relationship resolved at once, so no later first use in another thread can configure them
    against a half-imported module (the load bench's "name 'Measure' is not defined")."""
    out = subprocess.run([sys.executable, "-c", MAPPERS_CHILD], capture_output=True, text=True, cwd=PROJECT_ROOT,
                         timeout=120, check=True).stdout.strip().splitlines()[-1]
    assert out == "['field.data.ledger_models', 'field.data.odk_models', 'field.data.report_models'] []"
