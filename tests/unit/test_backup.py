"""Backup → restore round trip, across backends, with the chain still verifying afterwards."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from field.data.models import AuditEvent, Finding, Photo, SignOff, User
from field.domain.errors import FieldError
from field.runtime import open_runtime
from field.services import audit, backup, integrity, signoff
from tests.unit.test_services import T0, _ready_for_signoff


def _counts(session) -> dict[str, int]:
    return {m.__name__: session.scalar(select(func.count()).select_from(m))
            for m in (User, Finding, Photo, SignOff, AuditEvent)}


def test_round_trip_into_a_fresh_sqlite_database(session, rt, users, tmp_path: Path) -> None:
    _f, rec = _ready_for_signoff(session, rt, users)
    signoff.sign(session, users["super"], rec.id, "同意", settings=rt.settings, now=T0 + dt.timedelta(days=1))
    session.commit()  # the test is the entry point: services only flush
    before = _counts(session)
    archive = tmp_path / "b.tar.gz"
    manifest = backup.backup(rt.engine, rt.store.root, archive)
    assert manifest["tables"]["findings"]["rows"] == 1
    assert manifest["photos"] == 3 * before["Photo"]  # original, display copy, thumbnail

    with tarfile.open(archive) as tar:  # the signing key is a secret: never in a backup
        assert not [m.name for m in tar.getmembers() if "keys/" in m.name or m.name.endswith(".key")]
        assert all(b"PRIVATE KEY" not in tar.extractfile(m).read() for m in tar.getmembers() if m.isfile())
    assert manifest["checkpoints"] >= 2  # the checkpoint log (objects + HEAD) travels with the photos
    # the key directory is restored from where secrets are kept, not from the backup
    target = dataclasses.replace(rt.settings, database_url=f"sqlite:///{tmp_path / 'restored.db'}",
                                 data_dir=tmp_path / "restored", signing_key_file=rt.settings.key_file)
    rt2 = open_runtime(target)
    backup.restore(rt2.engine, rt2.store.root, archive)
    with rt2.session() as s2:
        assert _counts(s2) == before
        assert signoff.verify_chain(s2, rt2.store.root) == []
        report = integrity.verify_all(s2, rt2.store, rt2.trust.keyring())
        assert report.problems == [] and report.checkpoints >= 1
        assert s2.scalars(select(SignOff)).one().signature  # signatures carried by the backup
        f2 = s2.scalars(select(Finding)).one()
        assert f2.created_at.tzinfo is not None and f2.status == "public_notice"
    with pytest.raises(FieldError) as e:  # never over existing data
        backup.restore(rt2.engine, rt2.store.root, archive)
    assert e.value.key == "backup.not_empty"
    rt2.engine.dispose()


def test_corrupt_archive_is_refused(rt, tmp_path: Path) -> None:
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"not a tarball")
    with pytest.raises(FieldError) as e:
        backup.restore(rt.engine, rt.store.root, bad)
    assert e.value.key == "backup.unreadable"
    empty = tmp_path / "empty.tar.gz"
    with tarfile.open(empty, "w:gz"):
        pass
    with pytest.raises(FieldError) as e:
        backup.restore(rt.engine, rt.store.root, empty)
    assert e.value.key == "backup.unreadable"


# --- atomic restore: a refused archive leaves the target empty, and a retry works ----------

def _signed_archive(session, rt, users, tmp_path: Path) -> Path:
    _f, rec = _ready_for_signoff(session, rt, users)
    signoff.sign(session, users["super"], rec.id, "同意", settings=rt.settings, now=T0 + dt.timedelta(days=1))
    session.commit()
    archive = tmp_path / "good.tar.gz"
    backup.backup(rt.engine, rt.store.root, archive)
    return archive


def _rewrite(src: Path, dst: Path, edit, *, fix_manifest: bool = False) -> Path:
    """Copy an archive member by member; `edit(name, data)` returns new bytes, or None to drop
    the member. With `fix_manifest`, table hashes and counts are recomputed (a careful forger)."""
    members: list[tuple[str, bytes]] = []
    with tarfile.open(src, "r:gz") as tar:
        for m in tar.getmembers():
            data = tar.extractfile(m).read()
            new = edit(m.name, data)
            if new is not None:
                members.append((m.name, new))
    extra = edit("<extra>", b"")
    if extra is not None:
        members.append(extra)
    if fix_manifest:
        manifest = json.loads(dict(members)["manifest.json"])
        for name, data in members:
            if name.startswith("tables/"):
                table = name[len("tables/"):-len(".jsonl")]
                manifest["tables"][table] = {"rows": len(data.splitlines()),
                                             "sha256": hashlib.sha256(data).hexdigest()}
        members = [(n, json.dumps(manifest).encode() if n == "manifest.json" else d) for n, d in members]
    with tarfile.open(dst, "w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return dst


def _fresh(rt, tmp_path: Path, name: str):  # type: ignore[no-untyped-def]
    # The same signing key, as when the secrets directory is restored beside the backup.
    target = dataclasses.replace(rt.settings, database_url=f"sqlite:///{tmp_path / (name + '.db')}",
                                 data_dir=tmp_path / name, signing_key_file=rt.settings.key_file)
    return open_runtime(target)


def _photo_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _first_photo(name: str) -> bool:
    return name.startswith("photos/originals/")


def _crafted(good: Path, tmp_path: Path) -> dict[str, tuple[Path, str]]:
    dropped = {"done": False}

    def drop_one_photo(name, data):
        if _first_photo(name) and not dropped["done"]:
            dropped["done"] = True
            return None
        return None if name == "<extra>" else data

    def flip_a_byte(name, data):
        if name == "tables/users.jsonl":
            return data.replace(b'"viewer"', b'"vieweR"')
        return None if name == "<extra>" else data

    def extra_table(name, data):
        if name == "<extra>":
            return ("tables/evil.jsonl", b'{"id": 1}\n')
        return data

    def duplicate_audit_row(name, data):  # hashes fixed: only the database can notice
        if name == "tables/audit_events.jsonl":
            return data + data.splitlines(keepends=True)[0]
        return None if name == "<extra>" else data

    full = good.read_bytes()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(full[: int(len(full) * 0.6)])
    return {
        "missing photo": (_rewrite(good, tmp_path / "nophoto.tar.gz", drop_one_photo), "backup.missing"),
        "wrong hash": (_rewrite(good, tmp_path / "hash.tar.gz", flip_a_byte), "backup.corrupt"),
        "truncated": (truncated, "backup.unreadable"),
        "extra table": (_rewrite(good, tmp_path / "extra.tar.gz", extra_table), "backup.unexpected"),
        "refused by the database": (
            _rewrite(good, tmp_path / "dup.tar.gz", duplicate_audit_row, fix_manifest=True), "backup.rejected"),
    }


def test_crafted_archives_leave_an_empty_database_and_a_retry_works(session, rt, users, tmp_path: Path) -> None:
    good = _signed_archive(session, rt, users, tmp_path)
    before = _counts(session)
    rt2 = _fresh(rt, tmp_path, "target")
    for label, (archive, key) in _crafted(good, tmp_path).items():
        with pytest.raises(FieldError) as e:
            backup.restore(rt2.engine, rt2.store.root, archive)
        assert e.value.key == key, label
        assert backup.first_table_with_rows(rt2.engine) is None, label
        assert _photo_files(rt2.store.root) == [], label
    backup.restore(rt2.engine, rt2.store.root, good)  # the retry is not refused as "not empty"
    with rt2.session() as s2:
        assert _counts(s2) == before
        assert signoff.verify_chain(s2, rt2.store.root) == []
    rt2.engine.dispose()


def test_a_database_with_data_but_no_users_is_not_empty(rt, tmp_path: Path) -> None:
    empty = tmp_path / "empty-db.tar.gz"
    backup.backup(rt.engine, rt.store.root, empty)
    with rt.uow() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 0
        audit.record(s, None, "site", 1, "create")
    assert backup.first_table_with_rows(rt.engine) == "audit_events"
    with pytest.raises(FieldError) as e:
        backup.restore(rt.engine, rt.store.root, empty)
    assert (e.value.key, e.value.params) == ("backup.not_empty", {"table": "audit_events"})
