"""The 核查验收单 PDF: Chinese text that comes back out, the QR code, hashes, unsigned records,
hostile text, scope and bad references; records made through the real services on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import re

import numpy as np
import pytest
from pypdf import PdfReader
from sqlalchemy import text

from field.data.models import Case, SignOff
from field.domain.errors import FieldError, PermissionDenied
from field.exports import sheets
from field.exports.sheets import fonts as sheets_fonts
from field.exports.sheets import pdf as sheets_pdf
from field.services import findings, signoff
from field.services.findings import FindingInput, Location
from field.services.signoff import VerificationInput
from tests.photo_factory import make_jpeg

YUNHE = (116.84, 38.29)  # 运河区 (WGS-84)
HUANGHUA = (117.33, 38.37)  # 黄骅市
T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in China
BASE = "https://field.example.gov.cn"


def make_signed(session, rt, users, *, where=YUNHE, sign=True, case=True, facts="属实，已整改",
                rec_where=None, **vkw):
    """A finding with a case, a before and an after photo, a verification record and (optionally)
    a supervisor's sign-off, all through the services."""
    case_id = None
    if case:
        c = Case(case_no="D3JX202405240023*", batch=3, content="宏达建材厂露天堆放物料，扬尘严重。",
                 county_adcode="130903", pollution_types=["air"], pollution_text="大气、噪声", key_attention=True)
        session.add(c)
        session.flush()
        case_id = c.id
    before = findings.store_photo(session, users["field"], make_jpeg(640, 480, gps=where,
                                  taken_at=dt.datetime(2026, 6, 1, 9, 30), seed=1, detailed=True), "before.jpg", rt.store)
    after = findings.store_photo(session, users["field"], make_jpeg(640, 480, gps=where,
                                 taken_at=dt.datetime(2026, 6, 1, 11, 0), seed=2, detailed=True), "after.jpg", rt.store)
    data = FindingInput(description="露天堆放物料未苫盖", pollution_types=["air"], subtype="扬尘",
                        location=Location(*where, "typed", 8.0), site_name="宏达建材厂", address="运河区解放路1号",
                        case_id=case_id, photo_ids=[before.id])
    f = findings.create_finding(session, users["field"], data, now=T0)
    session.commit()
    lon, lat = rec_where or where
    rec = signoff.write_verification(session, users["field"], f.id, VerificationInput(
        truthfulness="true", facts=facts, measures="已全部苫盖", accountability="责令整改", conclusion="整改到位",
        inspectors=["张伟", "李娜"], lon=lon, lat=lat, accuracy_m=6.0, after_photo_ids=[after.id], **vkw),
        now=T0 + dt.timedelta(hours=2))
    session.commit()
    so = None
    if sign:
        so = signoff.sign(session, users["super"], rec.id, "同意验收", settings=rt.settings,
                          now=T0 + dt.timedelta(days=1))
    return f, rec, so, (before, after)


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() or "" for page in reader.pages)


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_signed_sheet_has_the_chinese_text_hashes_and_code(session, rt, users) -> None:
    f, rec, so, _ = make_signed(session, rt, users)
    pdf = sheets.verification_sheet(session, users["viewer"], rec.id, rt.store, base_url=BASE)
    assert pdf.startswith(b"%PDF-")
    body = squash(pdf_text(pdf))
    for expected in ("核查验收单", "宏达建材厂", "运河区解放路1号", "运河区", "属实", "D3JX202405240023*", "第3批",
                     "露天堆放物料未苫盖", "已全部苫盖", "张伟、李娜", "同意验收", "SUPER", "整改前照片", "整改后照片"):
        assert squash(expected) in body, expected
    assert so is not None
    assert so.content_hash in body and so.chain_hash in body and so.prev_hash in body
    assert sheets.verification_code(so.chain_hash) in body
    assert "未签字" not in body
    assert "与签字时一致" in body
    # signed in China time: 2026-06-02 10:00 (T0 + 1 day, UTC+8)
    assert "2026-06-0210:00:00" in body


def test_sheet_by_signoff_reference_is_the_same_record(session, rt, users) -> None:
    f, rec, so, _ = make_signed(session, rt, users)
    by_s = squash(pdf_text(sheets.verification_sheet(session, users["super2"], f"S{so.id}", rt.store)))
    assert f"F{f.id}-V{rec.id}-S{so.id}" in by_s
    assert so.chain_hash in by_s


def test_qr_code_encodes_the_link_back(session, rt, users) -> None:
    f, rec, _so, _ = make_signed(session, rt, users)
    pdf = sheets.verification_sheet(session, users["viewer"], rec.id, rt.store, base_url=BASE + "/")
    expected = np.asarray(sheets_pdf._qr_image(f"{BASE}/records?finding={f.id}&record={rec.id}"))
    other = np.asarray(sheets_pdf._qr_image(f"{BASE}/records?finding={f.id + 1}&record={rec.id}"))
    images = [np.asarray(img.image.convert("L")) for img in PdfReader(io.BytesIO(pdf)).pages[0].images]
    assert any(img.shape == expected.shape and np.array_equal(img, expected) for img in images)
    assert not any(img.shape == other.shape and np.array_equal(img, other) for img in images)
    # the two photos (display copies) are embedded as images too
    all_images = [img for page in PdfReader(io.BytesIO(pdf)).pages for img in page.images]
    assert len(all_images) == 3


def test_unsigned_record_is_marked_and_has_no_code(session, rt, users) -> None:
    _f, rec, so, _ = make_signed(session, rt, users, sign=False)
    assert so is None
    body = squash(pdf_text(sheets.verification_sheet(session, users["field"], rec.id, rt.store)))
    assert "未签字" in body and "整改到位" in body and "核查验收单" in body
    assert "校验码" not in body and "链哈希" not in body
    en = squash(pdf_text(sheets.verification_sheet(session, users["field"], rec.id, rt.store, lang="en")))
    assert "NOTSIGNED" in en and "Verificationandacceptancesheet" in en


def test_far_from_site_is_flagged(session, rt, users) -> None:
    # written about 1.7 km east of the site
    _f, rec, _so, _ = make_signed(session, rt, users, sign=False, rec_where=(YUNHE[0] + 0.02, YUNHE[1]))
    assert rec.distance_m is not None and rec.distance_m > 1000
    body = squash(pdf_text(sheets.verification_sheet(session, users["field"], rec.id, rt.store)))
    assert f"距现场{rec.distance_m:.0f}米，超过200米" in body


def test_changed_row_after_signing_shows_on_the_sheet(session, rt, users) -> None:
    _f, rec, _so, _ = make_signed(session, rt, users)
    session.execute(text("UPDATE verifications SET facts = '篡改后的内容' WHERE id = :id"), {"id": rec.id})
    session.commit()
    session.expire_all()
    body = squash(pdf_text(sheets.verification_sheet(session, users["viewer"], rec.id, rt.store)))
    assert "篡改后的内容" in body
    assert "与签字时不一致" in body


def test_hostile_text_does_not_crash(session, rt, users) -> None:
    # (no NUL here: PostgreSQL text cannot hold it at all; `printable` drops it, tested below)
    nasty = ("emoji 😀👩‍👩‍👧 flag 🇨🇳 skin 👍🏽 rare 𠀀𪚥 ctrl \x07\x1b zero\u200bwidth "
             "rtl עברית ﷽ combining e\u0301 tab\tend ")
    long = "这是一段很长的调查核实情况，" * 2500  # ~37 000 characters: runs over several pages
    _f, rec, _so, _ = make_signed(session, rt, users, sign=False, facts=nasty + long)
    pdf = sheets.verification_sheet(session, users["field"], rec.id, rt.store)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 8
    body = squash(pdf_text(pdf))
    assert "emoji" in body and "ctrl" in body and "这是一段很长的调查核实情况" in body
    assert sheets.PLACEHOLDER in body  # what the font cannot draw is shown, not silently dropped
    assert "\x07" not in body and "\x1b" not in body
    # the end of the long text made it onto a later page, and the footer names the record on every page
    assert f"V{rec.id}" in squash(reader.pages[-1].extract_text())


def test_permission_and_bad_references(session, rt, users) -> None:
    _f, rec, _so, _ = make_signed(session, rt, users, where=HUANGHUA, case=False)
    with pytest.raises(PermissionDenied) as e:
        sheets.verification_sheet(session, users["field_yunhe"], rec.id, rt.store)
    assert e.value.key == "perm.county"
    with pytest.raises(FieldError) as e:
        sheets.verification_sheet(session, users["viewer"], 999_999, rt.store)
    assert e.value.key == "sheet.not_found"
    with pytest.raises(FieldError) as e:
        sheets.verification_sheet(session, users["viewer"], "S999999", rt.store)
    assert e.value.key == "sheet.not_found"
    for bad in ("X12", "V", "abc", "V1; DROP TABLE"):
        with pytest.raises(FieldError) as e:
            sheets.verification_sheet(session, users["viewer"], bad, rt.store)
        assert e.value.key == "sheet.bad_ref"
    assert session.query(SignOff).count() == 1


def test_no_cjk_font_is_a_clear_error(session, rt, users, monkeypatch) -> None:
    _f, rec, _so, _ = make_signed(session, rt, users, sign=False, case=False)
    monkeypatch.setattr(sheets_fonts, "find_cjk_font", lambda configured="": None)
    with pytest.raises(FieldError) as e:
        sheets.verification_sheet(session, users["field"], rec.id, rt.store)
    assert e.value.key == "sheet.no_cjk_font"
    from field import i18n

    assert "字体" in i18n.t("sheet.no_cjk_font", "zh", env=sheets.FONT_ENV)


def test_printable_keeps_chinese_and_marks_what_the_font_lacks() -> None:
    cmap = frozenset(ord(c) for c in "核查属实ab □")
    assert sheets.printable("核查属实", cmap) == "核查属实"
    assert sheets.printable("a😀😀b", cmap) == "a□b"  # one placeholder per run
    assert sheets.printable("a\x00\x07b\u200d\ufe0f", cmap) == "ab"
    assert sheets.printable(None, cmap) == ""
    assert sheets.printable("a\r\nb", cmap) == "a\nb"
    no_box = frozenset(ord(c) for c in "ab")
    assert sheets.printable("a😀b", no_box) == "a?b"


def test_parse_ref_and_code() -> None:
    assert sheets.parse_ref(12) == ("V", 12)
    assert sheets.parse_ref(" s7 ") == ("S", 7)
    assert sheets.parse_ref("#42", default="F") == ("F", 42)
    assert sheets.verification_code("abcdef0123456789") == "ABCD-EF01-2345"
    with pytest.raises(FieldError):
        sheets.parse_ref(True)


def test_configured_font_comes_first_and_a_missing_one_falls_back(monkeypatch) -> None:
    """The font is a setting (FIELD_PDF_FONT → `Settings.pdf_font`) passed in by the caller;
    the sheets never read the environment themselves."""
    from field.config import load_settings

    default = sheets.find_cjk_font()
    assert default is not None
    chosen = sheets.find_cjk_font(f"{default.path}#{default.index}")
    assert chosen == sheets.FontChoice(default.path, default.index, "settings")
    assert sheets.find_cjk_font("/no/such/font.ttf") == default
    monkeypatch.setenv("FIELD_PDF_FONT", f"{default.path}#{default.index}")
    assert load_settings().pdf_font == f"{default.path}#{default.index}"
    assert sheets.font_status(load_settings().pdf_font)["source"] == "settings"


def test_signed_sheet_prints_the_chain_checkpoint_and_a_forged_signature_shows(session, rt, users) -> None:
    """Issue #11: the newest signed checkpoint (count + head) is on the paper, and a row whose
    hashes were recomputed after an edit no longer reads 与签字时一致."""
    from field.trust import checkpoints

    f, rec, so, _ = make_signed(session, rt, users)
    session.commit()  # the commit writes the checkpoint
    pdf = sheets.verification_sheet(session, users["viewer"], rec.id, rt.store)
    body = squash(pdf_text(pdf))
    short = checkpoints.short_form(checkpoints.latest(rt.store))
    assert short.startswith("CP1") and squash(short) in body
    assert squash("链头检查点") in body and "与签字时一致" in body
    session.execute(text("UPDATE signoffs SET opinion = '伪造意见' WHERE id = :id"), {"id": so.id})
    session.commit()
    session.expire_all()
    fresh = session.get(SignOff, so.id)
    record = session.get(type(rec), rec.id)
    content = signoff.content_hash(session, record, record.finding, fresh)
    session.execute(text("UPDATE signoffs SET content_hash = :c, chain_hash = :h WHERE id = :id"),
                    {"c": content, "h": signoff.chain_hash(fresh.prev_hash, content), "id": so.id})
    session.commit()
    session.expire_all()
    body = squash(pdf_text(sheets.verification_sheet(session, users["viewer"], rec.id, rt.store)))
    assert "与签字时一致" not in body
