"""Backup → restore round trip, across backends, with the chain still verifying afterwards."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from field.data.models import AuditEvent, Finding, Photo, SignOff, User
from field.domain.errors import FieldError
from field.runtime import open_runtime
from field.services import backup, signoff
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

    target = dataclasses.replace(rt.settings, database_url=f"sqlite:///{tmp_path / 'restored.db'}",
                                 data_dir=tmp_path / "restored")
    rt2 = open_runtime(target)
    backup.restore(rt2.engine, rt2.store.root, archive)
    with rt2.session() as s2:
        assert _counts(s2) == before
        assert signoff.verify_chain(s2, rt2.store.root) == []
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
