"""Offline capture services without HTTP: device tokens, the XLSForm, instance reading, the
review queue (fix and accept, reject), the settings QR and the `odk-url` command."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from field.data.models import AuditEvent, Finding
from field.data.odk_models import OdkDevice, OdkSubmission
from field.domain.errors import FieldError, PermissionDenied
from field.odk import devices, form, instance, submissions
from tests.odk_collect import HUANGHUA, YUNHE, instance_xml
from tests.photo_factory import make_jpeg


def _device(session, users, who="field") -> OdkDevice:  # type: ignore[no-untyped-def]
    issued = devices.issue(session, users[who], users[who], "t")
    session.commit()
    return issued.device


def test_the_committed_xlsform_is_the_definition() -> None:
    """Fails when the vocabulary (or the definition) changed and `python -m field.odk.form` was not run."""
    assert form.read_xlsform() == {k: [tuple(r) for r in v] for k, v in form.definition().items()}
    xf = form.xform()
    assert xf.form_id == "field_finding" and xf.md5.startswith("md5:") and b'<data id="field_finding"' in xf.xml


def test_instance_reading_accepts_both_meta_forms() -> None:
    for orx in (False, True):
        inst = instance.parse(instance_xml(instance_id="uuid:1", images=("a.jpg", "b.jpg"), orx_meta=orx))
        assert inst.instance_id == "uuid:1" and inst.images == ["a.jpg", "b.jpg"]
        point = inst.geopoint()
        assert (point.lon, point.lat, point.accuracy_m) == (YUNHE[0], YUNHE[1], 4.5)
    with pytest.raises(FieldError) as e:
        instance.parse(b"\xff\xfe not xml")
    assert e.value.key == "odk.malformed"


def test_tokens_are_hashed_listed_and_revocable(session, users) -> None:
    issued = devices.issue(session, users["field"], users["field"], "平板 7")
    session.commit()
    assert issued.token not in str(session.execute(text("SELECT * FROM odk_devices")).all())
    assert devices.resolve(session, issued.token) is issued.device
    assert devices.resolve(session, issued.token + "x") is None
    assert [d.id for d in devices.list_devices(session, users["field"], users["field"])] == [issued.device.id]
    with pytest.raises(PermissionDenied):
        devices.list_devices(session, users["field_yunhe"], users["field"])  # not someone else's
    with pytest.raises(FieldError) as e:
        devices.revoke(session, users["field_yunhe"], issued.device.id)
    assert e.value.key == "odk.no_device"
    devices.revoke(session, users["field"], issued.device.id)  # the owner
    session.commit()
    assert devices.resolve(session, issued.token) is None
    actions = [ev.action for ev in session.scalars(select(AuditEvent).where(AuditEvent.entity == "odk_device"))]
    assert actions == ["issue", "revoke"]


def test_who_may_have_a_token(session, users) -> None:
    with pytest.raises(PermissionDenied):
        devices.issue(session, users["officer"], users["field"])  # only the owner or an admin
    with pytest.raises(PermissionDenied):
        devices.issue(session, users["viewer"], users["viewer"])  # viewers do not capture
    assert devices.issue(session, users["admin"], users["field"]).device.user_id == users["field"].id
    users["field"].is_active = False
    with pytest.raises(FieldError):
        devices.issue(session, users["admin"], users["field"])


def test_a_disabled_user_s_token_stops_working(session, users) -> None:
    issued = devices.issue(session, users["field"], users["field"])
    users["field"].is_active = False
    session.flush()
    assert devices.resolve(session, issued.token) is None


def test_settings_qr_is_odk_collects_format() -> None:
    url = "https://field.example.cn/odk/TOKEN"
    payload = devices.settings_payload(url)
    decoded = devices.decode_payload(payload)
    assert decoded["general"]["server_url"] == url and decoded["admin"] == {}
    assert decoded["general"]["form_update_mode"] == "match_exactly"
    assert devices.qr_png(payload).startswith(b"\x89PNG")


def _jpeg(seed: int) -> bytes:
    return make_jpeg(320, 240, gps=YUNHE, taken_at=dt.datetime(2026, 6, 1, 10), seed=seed, detailed=True)


def test_review_fix_and_accept_makes_the_finding_by_the_device_user(rt, session, users) -> None:
    device = _device(session, users)
    stores = submissions.Stores.under(rt.store)
    xml = instance_xml(where="95 116.8 0 5", images=("a.jpg", "bad.jpg"))
    got = submissions.receive(session, device, xml, {"a.jpg": _jpeg(1), "bad.jpg": b"GIF89a??"},
                              complete=True, stores=stores)
    session.commit()
    assert got.status == 202 and got.submission.state == "review"
    assert "纬度" in submissions.reason_text(got.submission, "zh")
    assert [r.id for r in submissions.review_queue(session, users["officer"])] == [got.submission.id]
    with pytest.raises(PermissionDenied):
        submissions.review_queue(session, users["field"])
    with pytest.raises(FieldError):  # the photo is still refused
        submissions.accept(session, users["officer"], got.submission.id, {"location": "38.29 116.84"},
                           stores=stores)
    session.rollback()
    f = submissions.accept(session, users["officer"], got.submission.id, {"location": "38.29 116.84 0 8"},
                           drop_photos=("bad.jpg",), stores=stores)
    session.commit()
    assert f.author_id == users["field"].id and f.site.accuracy_m == 8 and len(f.photos) == 1
    row = session.get(OdkSubmission, got.submission.id)
    assert row is not None and row.state == "accepted" and row.decided_by == users["officer"].id
    assert b"95 116.8" in row.xml.encode()  # the XML as received is kept
    assert submissions.review_queue(session, users["officer"]) == []
    # the device sends it again: still one finding
    again = submissions.receive(session, device, xml, {}, complete=True, stores=stores)
    assert again.duplicate and again.finding is not None and again.finding.id == f.id


def test_review_reject_keeps_it(rt, session, users) -> None:
    device = _device(session, users)
    stores = submissions.Stores.under(rt.store)
    got = submissions.receive(session, device, instance_xml(types="dust"), {}, complete=True, stores=stores)
    with pytest.raises(FieldError):
        submissions.reject(session, users["officer"], got.submission.id, " ")
    row = submissions.reject(session, users["officer"], got.submission.id, "重复提交")
    session.commit()
    assert row.state == "rejected" and session.scalar(select(Finding)) is None
    assert submissions.receive(session, device, instance_xml(instance_id=row.instance_id, types="dust"), {},
                               complete=True, stores=stores).status == 202


def test_review_is_scoped_to_the_reviewers_counties(rt, session, users) -> None:
    from field.services import auth
    officer = auth.create_user(session, None, username="officer_yunhe", password="correct horse battery",
                               role="case_officer", counties=["130903"])
    limited = _device(session, users, "field_yunhe")
    stores = submissions.Stores.under(rt.store)
    got = submissions.receive(session, limited, instance_xml(where=HUANGHUA), {}, complete=True, stores=stores)
    assert got.submission.reason_key == "perm.county"
    assert submissions.review_queue(session, officer) == []
    assert len(submissions.review_queue(session, users["officer"])) == 1
    for decide in (lambda: submissions.reject(session, officer, got.submission.id, "不在辖区"),
                   lambda: submissions.accept(session, officer, got.submission.id, stores=stores)):
        with pytest.raises(FieldError) as e:  # outside the reviewer's counties: as if it did not exist
            decide()
        assert e.value.key == "odk.not_in_review"
    assert session.get(OdkSubmission, got.submission.id).state == "review"  # type: ignore[union-attr]


def test_duplicate_suggestions_are_kept(rt, session, users) -> None:
    device = _device(session, users)
    stores = submissions.Stores.under(rt.store)
    first = submissions.receive(session, device, instance_xml(), {}, complete=True, stores=stores)
    second = submissions.receive(session, device, instance_xml(), {}, complete=True, stores=stores)
    assert first.finding and second.finding and first.finding.id != second.finding.id
    assert second.submission.suggestions["nearby"][0]["finding"] == first.finding.id


def test_odk_url_prints_the_url_on_its_own_line(rt, users, session, monkeypatch, capsys, tmp_path) -> None:
    import field.cli as cli

    monkeypatch.setenv("FIELD_DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("FIELD_DATA_DIR", str(rt.settings.data_dir))
    monkeypatch.setenv("FIELD_PUBLIC_URL", "http://10.0.0.5:8501")
    png = tmp_path / "qr.png"
    assert cli.main(["odk-url", "--user", "field", "--label", "平板 2", "--qr", str(png)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("http://10.0.0.5:8501/odk/") and " " not in out[0]
    assert devices.decode_payload(out[1])["general"]["server_url"] == out[0]
    assert png.read_bytes().startswith(b"\x89PNG")
    session.expire_all()
    token = out[0].rsplit("/", 1)[1]
    assert devices.resolve(session, token) is not None
    assert cli.main(["odk-url", "--user", "field", "--as", "field_yunhe"]) == 1  # not theirs to issue
    assert cli.main(["odk-devices", "--as", "admin"]) == 0
    listed = capsys.readouterr().out
    assert "平板 2" in listed
    device_id = int(listed.split("\t", 1)[0])
    assert cli.main(["odk-revoke", str(device_id), "--as", "field"]) == 0
    session.expire_all()
    assert devices.resolve(session, token) is None
