"""一案一档 zip: byte-identical originals whose SHA-256 is the stored one, records.json with the
chain hashes and audit history, one sheet per record, README, scope, bad references, and what
happens when a photo file was altered or lost. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from pypdf import PdfReader

from field.data.models import Case, Photo, SignOff
from field.domain.errors import FieldError, PermissionDenied
from field.exports import dossier
from field.services import findings, signoff
from field.services.findings import FindingInput, Location
from field.services.signoff import VerificationInput
from tests.photo_factory import make_jpeg, make_png

YUNHE = (116.84, 38.29)  # 运河区 (WGS-84)
HUANGHUA = (117.33, 38.37)  # 黄骅市
T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def _case(session, no: str = "X130000202406010001") -> Case:
    c = Case(case_no=no, batch=2, content="某厂夜间偷排废水", county_adcode="130903", pollution_types=["water"])
    session.add(c)
    session.flush()
    return c


def _finding_with_record(session, rt, users, *, where=YUNHE, case_id=None, sign=True, seed=0, site="宏达建材厂"):
    """A finding with a JPEG before photo and a PNG after photo, a verification and a sign-off."""
    before_bytes = make_jpeg(640, 480, gps=where, taken_at=dt.datetime(2026, 6, 1, 9), detailed=True, seed=seed)
    after_bytes = make_png(320, 240, detailed=True)
    if seed:
        after_bytes = make_jpeg(320, 240, detailed=True, seed=seed + 100)
    before = findings.store_photo(session, users["field"], before_bytes, "IMG_0001.JPG", rt.store)
    after = findings.store_photo(session, users["field"], after_bytes, "after.png", rt.store)
    f = findings.create_finding(session, users["field"], FindingInput(
        description="露天堆放物料未苫盖", pollution_types=["air"], location=Location(*where, "gps", 5.0),
        site_name=site, case_id=case_id, photo_ids=[before.id]), now=T0)
    session.commit()
    rec = signoff.write_verification(session, users["field"], f.id, VerificationInput(
        truthfulness="true", facts="属实，已整改", measures="已苫盖", after_photo_ids=[after.id],
        lon=where[0], lat=where[1]), now=T0 + dt.timedelta(hours=2))
    session.commit()
    so = signoff.sign(session, users["super"], rec.id, "同意", settings=rt.settings,
                      now=T0 + dt.timedelta(days=1)) if sign else None
    return f, rec, so, {"before": (before, before_bytes), "after": (after, after_bytes)}


def _open(data: bytes) -> zipfile.ZipFile:
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.testzip() is None
    return zf


def test_finding_dossier_has_originals_records_sheets_and_readme(session, rt, users) -> None:
    f, rec, so, photos = _finding_with_record(session, rt, users, case_id=_case(session).id)
    data = dossier.case_dossier(session, users["viewer"], f.id, rt.store)
    zf = _open(data)
    root = f"F{f.id}/"
    names = set(zf.namelist())
    assert all(n.startswith(root) for n in names)

    # originals, byte for byte, named kind + sha256 prefix + original extension
    for kind, ext in (("before", ".jpg"), ("after", ".png")):
        photo, original = photos[kind]
        name = f"{root}photos/F{f.id}/{kind}_{photo.sha256[:16]}{ext}"
        assert name in names
        got = zf.read(name)
        assert got == original
        assert hashlib.sha256(got).hexdigest() == photo.sha256
        assert zf.getinfo(name).compress_type == zipfile.ZIP_STORED

    sums = zf.read(root + "SHA256SUMS.txt").decode()
    for photo, original in photos.values():
        assert hashlib.sha256(original).hexdigest() == photo.sha256
        assert f"{photo.sha256}  photos/F{f.id}/" in sums

    doc = json.loads(zf.read(root + "records.json"))
    assert doc["format"] == dossier.FORMAT and doc["problems"] == []
    assert doc["case"]["case_no"] == "X130000202406010001"
    (fd,) = doc["findings"]
    assert fd["id"] == f.id and fd["site"]["name"] == "宏达建材厂" and fd["site"]["coordinate_system"] == "WGS-84"
    (sd,) = fd["signoffs"]
    assert (sd["content_hash"], sd["prev_hash"], sd["chain_hash"]) == (so.content_hash, so.prev_hash, so.chain_hash)
    assert sd["content_hash_matches_now"] is True and sd["signer"]["username"] == "super"
    assert [v["id"] for v in fd["verifications"]] == [rec.id]
    assert {p["sha256"] for p in fd["photos"]} == {p.sha256 for p, _ in photos.values()}
    assert all(p["integrity"] == "ok" for p in fd["photos"])
    actions = [(e["entity"], e["action"]) for e in fd["audit"]]
    assert ("finding", "create") in actions and ("finding", "status:sign") in actions
    assert ("signoff", "sign") in actions and ("verification", "create") in actions

    sheet = fd["verifications"][0]["sheet"]
    assert sheet == f"sheets/F{f.id}_V{rec.id}_S{so.id}.pdf"
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(zf.read(root + sheet))).pages)
    assert "核查验收单" in pdf_text and so.chain_hash in pdf_text

    readme = zf.read(root + "README.txt").decode("utf-8-sig")
    assert "一案一档" in readme and "certutil -hashfile" in readme and "sha256sum -c SHA256SUMS.txt" in readme
    assert "导出时发现的问题" in readme and "无。" in readme


def test_case_dossier_covers_every_finding_of_the_case(session, rt, users) -> None:
    case = _case(session)
    f1, *_ = _finding_with_record(session, rt, users, case_id=case.id, seed=1)
    f2, rec2, so2, _ = _finding_with_record(session, rt, users, case_id=case.id, seed=2, sign=False, site="第二厂")
    other, *_ = _finding_with_record(session, rt, users, seed=3, sign=False, site="无关的厂")
    zf = _open(dossier.case_dossier(session, users["officer"], f"C{case.id}", rt.store))
    doc = json.loads(zf.read(f"C{case.id}/records.json"))
    assert [fd["id"] for fd in doc["findings"]] == [f1.id, f2.id]
    assert f"C{case.id}/sheets/F{f2.id}_V{rec2.id}_unsigned.pdf" in zf.namelist()
    assert not any(f"F{other.id}" in n for n in zf.namelist())
    assert so2 is None


def test_tampered_and_missing_originals_are_reported_not_hidden(session, rt, users) -> None:
    f, _rec, _so, photos = _finding_with_record(session, rt, users)
    before, _ = photos["before"]
    after, _ = photos["after"]
    rt.store.abspath(before.original_path).write_bytes(b"not the photo that was received")
    rt.store.abspath(after.original_path).unlink()
    zf = _open(dossier.case_dossier(session, users["viewer"], f"F{f.id}", rt.store))
    doc = json.loads(zf.read(f"F{f.id}/records.json"))
    kinds = sorted(p["kind"] for p in doc["problems"])
    assert kinds == ["photo_altered", "photo_missing"]
    by_sha = {p["sha256"]: p for p in doc["findings"][0]["photos"]}
    assert by_sha[before.sha256]["integrity"] == "altered"
    assert by_sha[after.sha256]["integrity"] == "missing" and by_sha[after.sha256]["file"] is None
    assert not any(after.sha256[:16] in n for n in zf.namelist())
    readme = zf.read(f"F{f.id}/README.txt").decode("utf-8-sig")
    assert "照片原件缺失" in readme and "不一致" in readme
    sums = zf.read(f"F{f.id}/SHA256SUMS.txt").decode()
    assert before.sha256 in sums  # the listed hash is the registered one, so `sha256sum -c` fails loudly


@pytest.mark.parametrize("who,key", [("field", "perm.role"), ("super_yunhe", "perm.county")])
def test_out_of_scope_or_wrong_role_is_refused(session, rt, users, who, key) -> None:
    f, *_ = _finding_with_record(session, rt, users, where=HUANGHUA)
    with pytest.raises(PermissionDenied) as e:
        dossier.case_dossier(session, users[who], f.id, rt.store)
    assert e.value.key == key


def test_case_with_a_finding_outside_scope_is_refused_whole(session, rt, users) -> None:
    case = _case(session)
    _finding_with_record(session, rt, users, case_id=case.id, seed=1)
    _finding_with_record(session, rt, users, case_id=case.id, seed=2, where=HUANGHUA)
    with pytest.raises(PermissionDenied) as e:
        dossier.case_dossier(session, users["super_yunhe"], f"C{case.id}", rt.store)
    assert e.value.key == "perm.county"


def test_unknown_and_bad_references(session, rt, users) -> None:
    for ref, key in ((999_999, "finding.not_found"), ("C999999", "dossier.not_found"), ("Z1", "sheet.bad_ref"),
                     ("F-1", "sheet.bad_ref")):
        with pytest.raises(FieldError) as e:
            dossier.case_dossier(session, users["admin"], ref, rt.store)
        assert e.value.key == key, ref
    empty = _case(session, "D3JX202405240099")
    with pytest.raises(FieldError) as e:
        dossier.case_dossier(session, users["admin"], f"C{empty.id}", rt.store)
    assert e.value.key == "dossier.empty_case"
    assert session.query(SignOff).count() == 0 and session.query(Photo).count() == 0


def test_no_font_still_exports_photos_and_records(session, rt, users, monkeypatch) -> None:
    from field.exports.sheets import fonts as sheets_fonts

    f, *_ = _finding_with_record(session, rt, users)
    monkeypatch.setattr(sheets_fonts, "find_cjk_font", lambda configured="": None)
    zf = _open(dossier.case_dossier(session, users["viewer"], f.id, rt.store))
    assert not any("/sheets/" in n for n in zf.namelist())
    assert sum("/photos/" in n for n in zf.namelist()) == 2
    doc = json.loads(zf.read(f"F{f.id}/records.json"))
    assert [p["kind"] for p in doc["problems"]] == ["no_font"]
    assert "字体" in zf.read(f"F{f.id}/README.txt").decode("utf-8-sig")
