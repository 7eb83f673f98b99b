"""Importing offline exports (ODK Central CSV zip, KoboToolbox XLSX/CSV + attachments, QField
GeoPackage + DCIM) through the OpenRosa submission service, on SQLite and PostgreSQL, with
export files built by the libraries in tests/offline_exports.py."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from field.data.models import AuditEvent, Finding, FindingPhoto, Photo
from field.data.odk_models import OdkSubmission
from field.domain.errors import FieldError, PermissionDenied
from field.odk import devices, offline, submissions
from tests.odk_collect import HUANGHUA, instance_xml
from tests.offline_exports import (
    Sub,
    central_zip,
    jpeg,
    kobo_attachments,
    kobo_csv,
    kobo_xlsx,
    qfield_gpkg,
    zip_folder,
)


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _run(rt, session, actor, data: bytes, name: str, **kw):  # type: ignore[no-untyped-def]
    parsed = offline.read(data, name, **{k: v for k, v in kw.items() if k in ("attachments", "base_dir")})
    reports = offline.run(session, actor, parsed, submissions.Stores.under(rt.store), author=kw.get("author"))
    session.commit()
    return parsed, reports


def test_central_zip_preview_then_import_then_reimport_makes_nothing_twice(rt, session, users) -> None:
    subs = [Sub(photos={"1717209605123.jpg": jpeg(1), "1717209611456.jpg": jpeg(2)}),
            Sub(site_name="东光化工", types="water", photos={"1717209700000.jpg": jpeg(3)})]
    data = central_zip(subs)
    parsed = offline.read(data, "field_finding.zip")
    assert parsed.source == "central" and [r.images for r in parsed.rows][1] == ["1717209700000.jpg"]
    preview = offline.preview(session, users["field"], parsed)
    assert [r.outcome for r in preview] == ["new", "new"] and preview[0].photos == 2
    session.rollback()
    assert _count(session, OdkSubmission) == 0 and _count(session, Photo) == 0  # the preview stored nothing

    _parsed, reports = _run(rt, session, users["field"], data, "field_finding.zip")
    assert [r.outcome for r in reports] == ["new", "new"]
    f = session.get(Finding, reports[0].finding_id)
    assert f is not None and f.author_id == users["field"].id and f.site.location_source == "odk"
    assert f.site.accuracy_m == 4.5 and len(f.photos) == 2 and f.site.name == "宏达建材厂"
    row = session.scalar(select(OdkSubmission).where(OdkSubmission.instance_id == subs[0].instance_id))
    assert row is not None and row.source == "central" and row.device_id is None
    assert row.source_file == "field_finding.zip"
    event = session.scalar(select(AuditEvent).where(AuditEvent.entity == "offline_import"))
    assert event is not None and event.after["new"] == 2 and event.after["source"] == "central"

    _parsed, again = _run(rt, session, users["field"], data, "field_finding.zip")
    assert [(r.outcome, r.finding_id) for r in again] == [("exists", reports[0].finding_id),
                                                          ("exists", reports[1].finding_id)]
    assert _count(session, Finding) == 2 and _count(session, FindingPhoto) == 3
    assert "已导入过" in offline.summary(parsed, again, "zh").replace("已导入过 2", "已导入过")


def test_central_missing_and_broken_media_go_to_review_and_are_kept(rt, session, users) -> None:
    ok = Sub(photos={"a.jpg": jpeg(1)})
    broken = Sub(site_name="坏照片", photos={"b.jpg": b"\xff\xd8\xff\xe0 truncated"})
    gone = Sub(site_name="缺照片", photos={"c.jpg": jpeg(3)})
    data = central_zip([ok, broken, gone])
    zf_in = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:  # c.jpg never made it into the export
        for item in zf_in.infolist():
            if item.filename != "media/c.jpg":
                out.writestr(item, zf_in.read(item))
    parsed = offline.read(buf.getvalue(), "export.zip")
    preview = offline.preview(session, users["field"], parsed)
    assert [r.outcome for r in preview] == ["new", "review", "review"]
    assert preview[2].reason is not None and preview[2].reason.key == "offline.media_missing"
    assert "c.jpg" in offline.table(preview, "en")[2]["Reason and notes"]
    session.rollback()
    _p, reports = _run(rt, session, users["field"], buf.getvalue(), "export.zip")
    assert [r.outcome for r in reports] == ["new", "review", "review"]
    assert reports[2].reason is not None and reports[2].reason.key == "odk.missing_photo"
    kept = session.scalar(select(OdkSubmission).where(OdkSubmission.instance_id == broken.instance_id))
    assert kept is not None and kept.state == "review" and "b.jpg" in kept.files  # the raw file is kept
    assert {r.id for r in submissions.review_queue(session, users["officer"])} >= {kept.id}
    assert _count(session, Finding) == 1


def test_bad_files_are_refused_whole_and_nothing_is_stored(rt, session, users) -> None:
    with pytest.raises(FieldError) as e:
        offline.read(b"%PDF-1.7 not an export", "report.pdf")
    assert e.value.key == "offline.unknown_format"
    from field import i18n
    assert "ODK Central" in i18n.error_text(e.value, "zh") and "report.pdf" in i18n.error_text(e.value, "en")
    with pytest.raises(FieldError) as e:
        offline.read(central_zip([Sub()], drop_columns=("location-Latitude", "location-Longitude")), "x.zip")
    assert e.value.key == "offline.missing_columns" and "location-Latitude" in e.value.params["columns"]
    with pytest.raises(FieldError) as e:
        offline.read(b"PK\x03\x04 broken zip", "x.zip")
    assert e.value.key == "offline.not_zip"
    with pytest.raises(FieldError) as e:
        offline.read(kobo_xlsx([Sub()], drop_columns=("_uuid", "meta/instanceID")), "kobo.xlsx")
    assert e.value.key == "offline.missing_columns" and "_uuid" in e.value.params["columns"]
    assert _count(session, OdkSubmission) == 0


def test_central_rows_rejected_in_central_are_not_imported(rt, session, users) -> None:
    _p, reports = _run(rt, session, users["field"], central_zip([Sub()], review_state="rejected"), "x.zip")
    assert reports[0].outcome == "skip" and reports[0].reason is not None
    assert reports[0].reason.key == "offline.rejected_in_tool" and _count(session, Finding) == 0


def test_kobo_xlsx_with_attachments_keeps_same_named_photos_apart(rt, session, users) -> None:
    a, b = Sub(photos={"1717209605123.jpg": jpeg(1)}), Sub(site_name="第二家", photos={"1717209605123.jpg": jpeg(2)})
    parsed, reports = _run(rt, session, users["field"], kobo_xlsx([a, b]), "kobo.xlsx",
                           attachments=kobo_attachments([a, b]))
    assert parsed.source == "kobo" and [r.outcome for r in reports] == ["new", "new"]
    shas = []
    for r in reports:
        f = session.get(Finding, r.finding_id)
        assert f is not None and len(f.photos) == 1
        shas.append(f.photos[0].photo.sha256)
    assert shas[0] != shas[1]  # each submission's own file, by its _uuid folder
    row = session.scalar(select(OdkSubmission).where(OdkSubmission.instance_id == a.instance_id))
    assert row is not None and row.source == "kobo"
    _p, again = _run(rt, session, users["field"], kobo_xlsx([a, b]), "kobo.xlsx", attachments=kobo_attachments([a, b]))
    assert [r.outcome for r in again] == ["exists", "exists"] and _count(session, Finding) == 2


def test_kobo_csv_semicolons_and_no_attachments(rt, session, users) -> None:
    parsed, reports = _run(rt, session, users["field"], kobo_csv([Sub(), Sub(types="noise", severity="minor")]),
                           "field_finding_-_latest_version_-_False_-_2026-06-01.csv")
    assert parsed.source == "kobo" and [r.outcome for r in reports] == ["new", "new"]
    f = session.get(Finding, reports[1].finding_id)
    assert f is not None and f.pollution_types == ["noise"]


def test_qfield_gpkg_reprojected_with_dcim_photos(rt, session, users, tmp_path) -> None:
    s = Sub(photos={"photo_20260601_100305.jpg": jpeg(4)})
    path = qfield_gpkg([s, Sub(site_name="无照片")], tmp_path / "proj" / "findings.gpkg", epsg=3857)
    parsed, reports = _run(rt, session, users["field"], path.read_bytes(), path.name, base_dir=path.parent)
    assert parsed.source == "qfield" and [r.outcome for r in reports] == ["new", "new"]
    f = session.get(Finding, reports[0].finding_id)
    assert f is not None and len(f.photos) == 1 and f.site.accuracy_m == 4.5
    assert abs(f.site.lon - s.lon) < 1e-6 and abs(f.site.lat - s.lat) < 1e-6  # back from EPSG:3857
    assert f.pollution_types == ["air", "solid_waste"]
    assert session.scalar(select(OdkSubmission.instance_id).where(OdkSubmission.finding_id == f.id)) == s.instance_id
    # the project folder zipped (an upload) is the same submissions: nothing twice
    _p, again = _run(rt, session, users["field"], zip_folder(tmp_path / "proj"), "proj.zip")
    assert [r.outcome for r in again] == ["exists", "exists"] and _count(session, Finding) == 2


def test_qfield_without_uuid_is_still_idempotent_and_warns(rt, session, users, tmp_path) -> None:
    path = qfield_gpkg([Sub()], tmp_path / "p" / "f.gpkg", with_uuid=False)
    parsed, reports = _run(rt, session, users["field"], path.read_bytes(), path.name, base_dir=path.parent)
    assert [w.key for w in parsed.warnings] == ["offline.qfield_no_uuid"] and reports[0].outcome == "new"
    _p, again = _run(rt, session, users["field"], path.read_bytes(), path.name, base_dir=path.parent)
    assert again[0].outcome == "exists" and _count(session, Finding) == 1


def test_author_scope_and_permissions_are_the_submissions(rt, session, users) -> None:
    data = central_zip([Sub(lon=HUANGHUA[0], lat=HUANGHUA[1])])
    _p, reports = _run(rt, session, users["field_yunhe"], data, "x.zip")  # outside 运河区
    assert reports[0].outcome == "review" and reports[0].reason is not None
    assert reports[0].reason.key == "perm.county"
    parsed = offline.read(central_zip([Sub()]), "y.zip")
    for actor, author in ((users["viewer"], None), (users["officer"], None), (users["field"], users["field_yunhe"])):
        with pytest.raises(PermissionDenied):
            offline.run(session, actor, parsed, submissions.Stores.under(rt.store), author=author)
        session.rollback()
    done = offline.run(session, users["admin"], parsed, submissions.Stores.under(rt.store), author=users["field"])
    session.commit()
    f = session.get(Finding, done[0].finding_id)
    assert f is not None and f.author_id == users["field"].id
    # another user's export of the same instance: not theirs to import
    again = offline.run(session, users["field_yunhe"], parsed, submissions.Stores.under(rt.store))
    assert again[0].outcome == "skip" and again[0].reason is not None
    assert again[0].reason.key == "odk.instance_taken"


def test_an_instance_already_sent_by_odk_collect_is_not_imported_twice(rt, session, users) -> None:
    sub = Sub()
    device = devices.issue(session, users["field"], users["field"], "t").device
    first = submissions.receive(session, device, instance_xml(instance_id=sub.instance_id), {}, complete=True,
                                stores=submissions.Stores.under(rt.store))
    session.commit()
    _p, reports = _run(rt, session, users["field"], central_zip([sub]), "x.zip")
    assert reports[0].outcome == "exists" and reports[0].finding_id == first.finding.id  # type: ignore[union-attr]


def test_import_offline_command(rt, users, session, monkeypatch, capsys, tmp_path) -> None:
    import field.cli as cli

    monkeypatch.setenv("FIELD_DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("FIELD_DATA_DIR", str(rt.settings.data_dir))
    export = tmp_path / "field_finding.zip"
    export.write_bytes(central_zip([Sub(photos={"a.jpg": jpeg(1)})]))
    assert cli.main(["import-offline", str(export), "--as", "field", "--preview"]) == 0
    assert "新登记" in capsys.readouterr().out and _count(session, Finding) == 0
    assert cli.main(["--lang", "en", "import-offline", str(export), "--as", "field"]) == 0
    out = capsys.readouterr().out
    assert "New finding" in out and "1 new" in out and _count(session, Finding) == 1
    assert cli.main(["import-offline", str(export), "--as", "field"]) == 0
    assert "已导入过" in capsys.readouterr().out and _count(session, Finding) == 1
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    assert cli.main(["import-offline", str(bad), "--as", "field"]) == 1
    assert "无法识别" in capsys.readouterr().err
