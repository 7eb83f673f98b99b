"""The report archive survives backup → restore (files and rows, SHA-256 checked), and the
dossier carries the 议定事项 about its case/site with the dispatch pack they were decided on."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from field import reports
from field.data.models import Finding, User, Verification
from field.data.report_models import DispatchDecision, ReportArchive
from field.domain.errors import FieldError
from field.exports import dossier
from field.runtime import open_runtime
from field.services import backup, decisions, progress
from tests.report_factory import seed

DAY = dt.date(2024, 5, 15)


@pytest.fixture
def filed(session, users, rt):
    seed(session, users["admin"].id, cases=12, findings=12, problems=2, records=3)
    weekly = reports.generate(session, users["officer"], "weekly", DAY, settings=rt.settings)
    pack = reports.generate(session, users["officer"], "dispatch", DAY, settings=rt.settings)
    bare = session.scalars(select(Finding).where(~Finding.verifications.any()).order_by(Finding.id)).first()
    assert bare is not None
    d = decisions.record(session, users["officer"], pack.archive.id, decisions.DecisionInput(
        "现场复核并整改到位", "市生态环境局", dt.date(2024, 5, 31), case_id=1, site_id=bare.site_id))
    evidence = progress.EvidenceStore(rt.settings.data_dir).put(b"weekly report evidence")
    session.commit()
    return {"weekly": weekly, "pack": pack, "decision": d.id, "finding": bare.id, "evidence": evidence}


def test_archived_reports_survive_backup_and_restore(session, rt, users, filed, tmp_path: Path) -> None:
    archive = tmp_path / "b.tar.gz"
    manifest = backup.backup(rt.engine, rt.store.root, archive, files=backup.file_roots(rt.settings.data_dir))
    assert manifest["format"] == "field-backup/3"
    docx_sha = filed["pack"].archive.sha256
    key = f"reports/{docx_sha[:2]}/{docx_sha[2:4]}/{docx_sha}.docx"
    assert manifest["files"][key]["sha256"] == docx_sha
    assert f"evidence/{filed['evidence'][:2]}/{filed['evidence'][2:4]}/{filed['evidence']}" in manifest["files"]
    assert len([k for k in manifest["files"] if k.startswith("reports/")]) == 4  # two .docx, two .xlsx

    target = dataclasses.replace(rt.settings, database_url=f"sqlite:///{tmp_path / 'restored.db'}",
                                 data_dir=tmp_path / "restored", signing_key_file=rt.settings.key_file)
    rt2 = open_runtime(target)
    backup.restore(rt2.engine, rt2.store.root, archive, files=backup.file_roots(target.data_dir))
    with rt2.session() as s2:
        officer = s2.scalars(select(User).where(User.username == "officer")).one()
        listed = reports.list_archive(s2, officer)
        assert sorted(r.sha256 for r in listed) == sorted([filed["weekly"].archive.sha256, docx_sha])
        for row in listed:
            docx = reports.archived_file(s2, officer, row.id, target.data_dir)
            xlsx = reports.archived_file(s2, officer, row.id, target.data_dir, ext="xlsx")
            assert hashlib.sha256(docx).hexdigest() == row.sha256
            assert hashlib.sha256(xlsx).hexdigest() == row.xlsx_sha256
        assert reports.archived_file(s2, officer, filed["pack"].archive.id, target.data_dir) == filed["pack"].docx
        assert s2.get(DispatchDecision, filed["decision"]).report_id == filed["pack"].archive.id
        assert progress.EvidenceStore(target.data_dir).verify(filed["evidence"])
    rt2.engine.dispose()


def _rewrite(src: Path, dst: Path, change) -> None:  # type: ignore[no-untyped-def]
    with tarfile.open(src) as tin, tarfile.open(dst, "w:gz") as tout:
        for m in tin.getmembers():
            data = tin.extractfile(m).read() if m.isfile() else b""
            data = change(m.name, data)
            if data is None:
                continue
            info = tarfile.TarInfo(m.name)
            info.size = len(data)
            tout.addfile(info, io.BytesIO(data))


def test_a_damaged_or_unplaced_report_file_is_refused_and_nothing_is_written(session, rt, filed,
                                                                               tmp_path: Path) -> None:
    archive = tmp_path / "b.tar.gz"
    backup.backup(rt.engine, rt.store.root, archive, files=backup.file_roots(rt.settings.data_dir))
    sha = filed["pack"].archive.sha256
    bad = tmp_path / "bad.tar.gz"
    _rewrite(archive, bad, lambda name, data: data + b"x" if name.endswith(f"{sha}.docx") else data)
    gone = tmp_path / "gone.tar.gz"
    _rewrite(archive, gone, lambda name, data: None if name.endswith(f"{sha}.docx") else data)
    target = dataclasses.replace(rt.settings, database_url=f"sqlite:///{tmp_path / 'r.db'}",
                                 data_dir=tmp_path / "r", signing_key_file=rt.settings.key_file)
    rt2 = open_runtime(target)
    roots = backup.file_roots(target.data_dir)
    for arch, key, kwargs in [(bad, "backup.corrupt", {"files": roots}), (gone, "backup.missing", {"files": roots}),
                              (archive, "backup.unexpected", {})]:  # a restore that has nowhere to put them
        with pytest.raises(FieldError) as exc:
            backup.restore(rt2.engine, rt2.store.root, arch, **kwargs)
        assert exc.value.key == key
        with rt2.session() as s2:
            assert s2.scalar(select(func.count()).select_from(ReportArchive)) == 0
        assert not roots["reports"].exists() or not any(p.is_file() for p in roots["reports"].rglob("*"))
    backup.restore(rt2.engine, rt2.store.root, archive, files=roots)  # the good one still restores
    assert (roots["reports"] / sha[:2] / sha[2:4] / f"{sha}.docx").read_bytes() == filed["pack"].docx
    rt2.engine.dispose()


def test_dossier_has_the_decision_and_its_pack(session, rt, users, filed) -> None:
    data = dossier.case_dossier(session, users["viewer"], filed["finding"], rt.store,
                                reports_dir=reports.ReportStore(rt.settings.data_dir).root)
    zf = zipfile.ZipFile(io.BytesIO(data))
    root = f"F{filed['finding']}/"
    doc = json.loads(zf.read(root + "records.json"))
    (d,) = doc["decisions"]
    assert d["content"] == "现场复核并整改到位" and d["pack"]["sha256"] == filed["pack"].archive.sha256
    got = zf.read(root + d["pack"]["file"])
    assert got == filed["pack"].docx
    assert f"{filed['pack'].archive.sha256}  {d['pack']['file']}" in zf.read(root + "SHA256SUMS.txt").decode()
    assert doc["problems"] == []
    # without the archive folder: the reference only, no file
    doc2 = json.loads(zipfile.ZipFile(io.BytesIO(dossier.case_dossier(
        session, users["viewer"], filed["finding"], rt.store))).read(root + "records.json"))
    assert doc2["decisions"][0]["pack"]["file"] is None
    assert session.scalar(select(func.count()).select_from(Verification)
                          .where(Verification.finding_id == filed["finding"])) == 0
