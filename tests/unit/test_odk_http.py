"""The OpenRosa server over real HTTP (uvicorn on a free port, requests as the client), on SQLite
and PostgreSQL: the form list and form as ODK Collect reads them, HEAD/POST per the OpenRosa
APIs, split submissions, resends, and every kind of bad input."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
import xml.etree.ElementTree as ET

import pytest
import requests
from sqlalchemy import func, select

from field.data.models import AuditEvent, Finding, FindingPhoto, Photo
from field.data.odk_models import OdkSubmission
from field.domain.vocab import POLLUTION_TYPES, SEVERITY
from field.odk import devices, form, submissions
from tests.odk_collect import HUANGHUA, instance_xml, post, serve
from tests.photo_factory import make_jpeg

X = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"
JR = "{http://openrosa.org/javarosa}"
OR = "{http://openrosa.org/http/response}"


@pytest.fixture
def device_url(rt, session, users):  # type: ignore[no-untyped-def]
    """A running server and the ODK Collect URL of the `field` user's tablet."""
    issued = devices.issue(session, users["field"], users["field"], "平板 1")
    session.commit()
    with serve(rt.settings, rt) as base:
        yield devices.server_url(base, issued.token)


def _jpeg(seed: int) -> bytes:
    import datetime as dt

    return make_jpeg(320, 240, gps=(116.84, 38.29), taken_at=dt.datetime(2026, 6, 1, 10, 3), seed=seed, detailed=True)


def _openrosa(resp: requests.Response) -> str:
    assert resp.headers["X-OpenRosa-Version"] == "1.0" and resp.headers["Date"]
    root = ET.fromstring(resp.content)
    assert root.tag == f"{OR}OpenRosaResponse"
    return root.find(f"{OR}message").text or ""  # type: ignore[union-attr]


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_form_list_and_form_are_the_xlsform_as_an_xform(device_url) -> None:
    resp = requests.get(f"{device_url}/formList", headers={"X-OpenRosa-Version": "1.0"}, timeout=30)
    assert resp.status_code == 200 and resp.headers["X-OpenRosa-Version"] == "1.0" and resp.headers["Date"]
    assert resp.headers["content-type"].startswith("text/xml")
    listed = ET.fromstring(resp.content)
    ns = "{http://openrosa.org/xforms/xformsList}"
    assert listed.tag == f"{ns}xforms"
    (xf,) = listed.findall(f"{ns}xform")
    assert xf.findtext(f"{ns}formID") == "field_finding"
    version = xf.findtext(f"{ns}version")
    url = xf.findtext(f"{ns}downloadUrl") or ""
    assert url.startswith(device_url + "/")
    got = requests.get(url, timeout=30)
    assert got.status_code == 200 and got.headers["X-OpenRosa-Version"] == "1.0"
    assert xf.findtext(f"{ns}hash") == "md5:" + hashlib.md5(got.content).hexdigest()  # noqa: S324

    doc = ET.fromstring(got.content)
    model = doc.find(f"{H}head/{X}model")
    assert model is not None
    root = model.find(f"{X}instance/{X}data")
    assert root is not None and root.get("id") == "field_finding" and root.get("version") == version
    names = [_strip(el.tag) for el in root]
    assert names == ["start", "end", "deviceid", "site_name", "address", "pollution_types", "severity",
                     "description", "case_no", "location", "photo", "photo", "meta"]
    assert root.find(f"{X}meta/{X}instanceID") is not None
    binds = {b.get("nodeset"): b for b in model.findall(f"{X}bind")}
    survey = form.definition()["survey"][1:]
    for type_, name, *_rest in survey:
        if type_ in ("begin_repeat", "end_repeat"):
            continue
        path = "/data/photo/image" if name == "image" else f"/data/{name}"
        assert path in binds, path
    assert binds["/data/location"].get("type") == "geopoint" and binds["/data/location"].get("required") == "true()"
    assert binds["/data/photo/image"].get("type") == "binary"
    assert binds["/data/case_no"].get("required") is None and binds["/data/site_name"].get("required") == "true()"
    assert binds["/data/meta/instanceID"].get(f"{JR}preload") == "uid"
    # choice lists are the vocabulary's codes, with zh (default) and en labels
    for list_name, vocab in (("pollution_type", POLLUTION_TYPES), ("severity", SEVERITY)):
        inst = next(i for i in model.findall(f"{X}instance") if i.get("id") == list_name)
        assert [it.findtext(f"{X}name") for it in inst.iter(f"{X}item")] == vocab.codes
    langs = {t.get("lang"): t for t in model.findall(f"{X}itext/{X}translation")}
    assert set(langs) == {"Chinese (zh)", "English (en)"} and langs["Chinese (zh)"].get("default") == "true()"
    zh = {t.get("id"): t.findtext(f"{X}value") for t in langs["Chinese (zh)"]}
    en = {t.get("id"): t.findtext(f"{X}value") for t in langs["English (en)"]}
    assert zh["/data/site_name:label"] == "点位名称" and en["/data/site_name:label"] == "Site name"
    assert sorted(v for k, v in en.items() if k.startswith("pollution_type-")) == sorted(t.en for t in POLLUTION_TYPES)
    body = doc.find(f"{H}body")
    assert body is not None
    assert body.find(f"{X}select[@ref='/data/pollution_types']") is not None
    assert body.find(f"{X}select1[@ref='/data/severity']") is not None
    assert body.find(f"{X}input[@ref='/data/location']") is not None
    repeat = body.find(f"{X}group[@ref='/data/photo']/{X}repeat")
    assert repeat is not None and repeat.get("nodeset") == "/data/photo"
    upload = repeat.find(f"{X}upload")
    assert upload is not None and upload.get("mediatype") == "image/*"

    manifest = requests.get(url.replace("/form.xml", "/manifest"), timeout=30)
    assert manifest.status_code == 200 and manifest.headers["X-OpenRosa-Version"] == "1.0"
    assert ET.fromstring(manifest.content).tag == "{http://openrosa.org/xforms/xformsManifest}manifest"
    assert requests.get(f"{device_url}/forms/other/form.xml", timeout=30).status_code == 404


def _strip(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def test_head_submission_is_204_with_the_accepted_length(device_url, rt) -> None:
    resp = requests.head(f"{device_url}/submission", headers={"X-OpenRosa-Version": "1.0"}, timeout=30)
    assert resp.status_code == 204 and resp.headers["X-OpenRosa-Version"] == "1.0" and resp.headers["Date"]
    assert int(resp.headers["X-OpenRosa-Accept-Content-Length"]) == rt.settings.odk_max_request_mb * 1024 * 1024
    assert resp.headers["Location"] == f"{device_url}/submission"


def test_a_submission_becomes_one_finding_and_a_resend_makes_no_second(device_url, session, users, rt) -> None:
    xml = instance_xml(images=("1717207200001.jpg", "1717207200002.jpg"), case_no="")
    photos = {"1717207200001.jpg": _jpeg(1), "1717207200002.jpg": _jpeg(2)}
    resp = post(device_url, xml, photos)
    assert resp.status_code == 201, resp.text
    assert "#" in _openrosa(resp)
    (f,) = session.scalars(select(Finding)).all()
    assert f.author_id == users["field"].id and f.site.location_source == "odk"
    assert f.site.accuracy_m == 4.5 and (f.site.lon, f.site.lat) == (116.84, 38.29)
    assert f.site.county_adcode == "130903" and f.pollution_types == ["air", "solid_waste"]
    assert f.severity == "serious" and f.observed_at.isoformat() == "2026-06-01T02:00:05.123000+00:00"
    assert len(f.photos) == 2 and all(fp.kind == "before" for fp in f.photos)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "odk_received"))
    assert event is not None and event.after["device_label"] == "平板 1" and event.actor_name == "field"
    # the device did not hear the answer and sends it all again
    again = post(device_url, xml, photos)
    assert again.status_code == 201 and str(f.id) in _openrosa(again)
    assert _count(session, Finding) == 1 and _count(session, FindingPhoto) == 2
    row = session.scalar(select(OdkSubmission))
    assert row is not None and row.state == "accepted" and row.parts == 2 and set(row.files) == set(photos)


def test_orx_meta_is_accepted(device_url, session) -> None:
    assert post(device_url, instance_xml(orx_meta=True)).status_code == 201
    assert _count(session, Finding) == 1


def test_a_split_submission_waits_for_its_last_part(device_url, session) -> None:
    names = ("a.jpg", "b.jpg", "c.jpg")
    xml = instance_xml(images=names)
    first = post(device_url, xml, {"a.jpg": _jpeg(11), "b.jpg": _jpeg(12)}, incomplete=True)
    assert first.status_code == 201 and _count(session, Finding) == 0
    row = session.scalar(select(OdkSubmission))
    assert row is not None and row.state == "partial" and not row.complete
    last = post(device_url, xml, {"c.jpg": _jpeg(13)})
    assert last.status_code == 201, last.text
    (f,) = session.scalars(select(Finding)).all()
    assert sorted(fp.photo.original_name for fp in f.photos) == list(names)


def test_photos_of_a_later_post_are_added_to_the_finding(device_url, session) -> None:
    """The final part lacked a photo (review: missing); the resend with it makes the finding, and
    a further resend adds nothing twice."""
    xml = instance_xml(images=("a.jpg", "b.jpg"))
    first = post(device_url, xml, {"a.jpg": _jpeg(21)})
    assert first.status_code == 202 and "b.jpg" in _openrosa(first)
    assert _count(session, Finding) == 0
    second = post(device_url, xml, {"b.jpg": _jpeg(22)})
    assert second.status_code == 201
    third = post(device_url, xml, {"a.jpg": _jpeg(21), "b.jpg": _jpeg(22)})
    assert third.status_code == 201
    assert _count(session, Finding) == 1 and _count(session, FindingPhoto) == 2


def test_wrong_or_revoked_token_is_401_and_nothing_is_stored(device_url, rt, session, users) -> None:
    base = device_url.rsplit("/", 1)[0]
    for url in (f"{base}/not-a-token", device_url + "x"):
        assert requests.get(f"{url}/formList", timeout=30).status_code == 401
        assert requests.head(f"{url}/submission", timeout=30).status_code == 401
        resp = post(url, instance_xml(), {"a.jpg": _jpeg(1)})
        assert resp.status_code == 401 and "令牌" in _openrosa(resp)
    (device,) = devices.list_devices(session, users["field"], users["field"])
    devices.revoke(session, users["admin"], device.id)
    session.commit()
    assert post(device_url, instance_xml()).status_code == 401
    assert requests.get(f"{device_url}/formList", timeout=30).status_code == 401
    assert _count(session, OdkSubmission) == 0 and _count(session, Finding) == 0 and _count(session, Photo) == 0
    assert not (rt.store.root / "submissions").exists()


@pytest.mark.parametrize("xml,status,key", [
    (instance_xml(form_id="other_form"), 404, "odk.unknown_form"),
    (b"<data id='field_finding'><site_name>unclosed", 400, "odk.malformed"),
    (b"<?xml version='1.0'?><!DOCTYPE d [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><data id='field_finding'>&e;</data>",
     400, "odk.malformed"),
    (instance_xml().replace(b"<instanceID>", b"<notInstanceID>").replace(b"</instanceID>", b"</notInstanceID>"),
     400, "odk.no_instance_id"),
])
def test_what_the_device_must_resend_is_an_error_and_not_kept(device_url, session, xml, status, key) -> None:
    from field import i18n

    resp = post(device_url, xml, {"a.jpg": _jpeg(1)})
    assert resp.status_code == status
    text = _openrosa(resp)
    assert text.split("“")[0].split("{")[0][:6] == i18n.t(key, "zh")[:6]
    assert _count(session, OdkSubmission) == 0 and _count(session, Finding) == 0


def test_a_request_over_the_announced_length_is_413(rt, session, users) -> None:
    small = dataclasses.replace(rt.settings, odk_max_request_mb=1)
    issued = devices.issue(session, users["field"], users["field"])
    session.commit()
    with serve(small, rt) as base:
        url = devices.server_url(base, issued.token)
        assert requests.head(f"{url}/submission", timeout=30).headers["X-OpenRosa-Accept-Content-Length"] == "1048576"
        resp = post(url, instance_xml(images=("big.jpg",)), {"big.jpg": b"\xff\xd8" + bytes(1_200_000)})
        assert resp.status_code == 413 and "1 MB" in _openrosa(resp)
        bad = requests.post(f"{url}/submission", data=b"x", headers={"content-type": "text/plain"}, timeout=30)
        assert bad.status_code == 400
    assert _count(session, OdkSubmission) == 0


def _review(device_url, session, xml, files=None, mime="image/jpeg"):  # type: ignore[no-untyped-def]
    resp = requests.post(f"{device_url}/submission", timeout=60, files=[
        ("xml_submission_file", ("s.xml", xml, "text/xml")),
        *[(n, (n, d, mime)) for n, d in (files or {}).items()]])
    assert resp.status_code == 202, resp.text
    session.expire_all()
    row = session.scalar(select(OdkSubmission).order_by(OdkSubmission.id.desc()))
    assert row is not None and row.state == "review" and row.finding_id is None
    assert _count(session, Finding) == 0 and _count(session, FindingPhoto) == 0
    return row, _openrosa(resp)


def test_a_non_image_attachment_sends_it_to_review_with_the_file_kept(device_url, session, rt) -> None:
    blob = b"%PDF-1.4 not a photo"
    row, text = _review(device_url, session, instance_xml(images=("x.jpg",)), {"x.jpg": blob})
    assert row.reason_key.startswith("photo.") and text
    assert submissions.Stores.under(rt.store).blobs.get(row.files["x.jpg"]) == blob
    assert _count(session, Photo) == 0


def test_coordinates_out_of_range_go_to_review(device_url, session) -> None:
    row, text = _review(device_url, session, instance_xml(where="95.0 116.8 0 5"))
    assert row.reason_key.startswith("coord.") and "纬度" in text
    row, _ = _review(device_url, session, instance_xml(where="somewhere"))
    assert row.reason_key == "odk.bad_geopoint"


def test_a_county_outside_the_users_scope_goes_to_review(rt, session, users) -> None:
    issued = devices.issue(session, users["field_yunhe"], users["field_yunhe"])
    session.commit()
    with serve(rt.settings, rt) as base:
        row, _ = _review(devices.server_url(base, issued.token), session, instance_xml(where=HUANGHUA))
    assert row.reason_key == "perm.county"
    assert _count(session, AuditEvent.__table__) >= 1


def test_unknown_type_and_case_number_go_to_review(device_url, session) -> None:
    row, _ = _review(device_url, session, instance_xml(types="dust"))
    assert row.reason_key == "finding.bad_type"
    row, _ = _review(device_url, session, instance_xml(case_no="D1309000000000"))
    assert row.reason_key == "odk.no_case"
    assert len({r.instance_id for r in session.scalars(select(OdkSubmission))}) == 2


def test_another_users_instance_id_is_409(device_url, rt, session, users) -> None:
    iid = f"uuid:{uuid.uuid4()}"
    assert post(device_url, instance_xml(instance_id=iid)).status_code == 201
    other = devices.issue(session, users["admin"], users["admin"])
    session.commit()
    with serve(rt.settings, rt) as base:
        assert post(devices.server_url(base, other.token), instance_xml(instance_id=iid)).status_code == 409
    assert _count(session, Finding) == 1
