"""Capture drafts on SQLite and PostgreSQL: save, restore, discard, and a submit that makes one finding."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from field.data.models import Draft, Finding, FindingPhoto
from field.domain.errors import PermissionDenied, ValidationError
from field.services import drafts, findings
from tests.photo_factory import make_jpeg

YUNHE = (116.84, 38.29)  # 运河区
T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def _data(**kw) -> dict:
    data = {"site_name": "宏达建材厂", "address": "运河区某路 1 号", "description": "露天堆放物料未苫盖",
            "types": ["air"], "subtype": "扬尘", "severity": "serious",
            "location": {"lon": YUNHE[0], "lat": YUNHE[1], "source": "gps", "accuracy_m": 8.0},
            "client_token": drafts.new_token(), "lon_text": "", "photo_kinds": {}}
    data.update(kw)
    return data


def _photo(session, rt, user, seed: int):
    p = findings.store_photo(session, user, make_jpeg(320, 240, gps=YUNHE, taken_at=dt.datetime(2026, 6, 1, 10),
                                                      seed=seed), f"p{seed}.jpg", rt.store)
    session.commit()
    return p


def test_save_and_load_roundtrip(session, users) -> None:
    user = users["field"]
    data = _data(description="<script>alert(1)</script> 异味")
    assert drafts.save_draft(session, user, data, [])
    session.commit()
    state = drafts.load_draft(session, user)
    assert state is not None
    assert state.data == data  # verbatim, HTML included
    assert state.photo_ids == []
    assert state.client_token == data["client_token"]
    # Another user has no draft; drafts are per user.
    assert drafts.load_draft(session, users["field_yunhe"]) is None


def test_save_is_an_upsert_and_skips_unchanged(session, users) -> None:
    user = users["field"]
    data = _data()
    assert drafts.save_draft(session, user, data, []) is True
    session.commit()
    assert drafts.save_draft(session, user, dict(data), []) is False  # nothing changed: no write
    data["description"] = "已改"
    assert drafts.save_draft(session, user, data, []) is True
    session.commit()
    count = session.scalar(select(func.count()).select_from(Draft).where(Draft.user_id == user.id))
    assert count == 1
    assert drafts.load_draft(session, user).data["description"] == "已改"


def test_caller_edits_after_save_do_not_leak(session, users) -> None:
    user = users["field"]
    data = _data()
    drafts.save_draft(session, user, data, [])
    session.commit()
    data["types"].append("noise")
    session.expire_all()
    assert drafts.load_draft(session, user).data["types"] == ["air"]


def test_discard(session, users) -> None:
    user = users["field"]
    drafts.save_draft(session, user, _data(), [])
    session.commit()
    assert drafts.discard_draft(session, user) is True
    session.commit()
    assert drafts.load_draft(session, user) is None
    assert drafts.discard_draft(session, user) is False


def test_only_field_roles_keep_capture_drafts(session, users) -> None:
    with pytest.raises(PermissionDenied):
        drafts.save_draft(session, users["viewer"], _data(), [])


def test_photo_limit_and_bad_ids(session, users) -> None:
    with pytest.raises(ValidationError) as e:
        drafts.save_draft(session, users["field"], _data(), list(range(1, 22)))
    assert e.value.key == "photo.too_many" and e.value.field == "photos"
    with pytest.raises(ValidationError) as e:
        drafts.save_draft(session, users["field"], _data(), ["x"])
    assert e.value.key == "draft.bad_photo"


def test_not_json_and_too_large_are_refused(session, users) -> None:
    with pytest.raises(ValidationError) as e:
        drafts.save_draft(session, users["field"], {"when": dt.datetime.now(dt.UTC)}, [])
    assert e.value.key == "draft.not_json"
    with pytest.raises(ValidationError) as e:
        drafts.save_draft(session, users["field"], _data(description="字" * 100_000), [])
    assert e.value.key == "draft.too_large"


def test_submit_makes_finding_with_photo_kinds_and_clears_draft(session, rt, users) -> None:
    user = users["field"]
    p1, p2 = _photo(session, rt, user, 1), _photo(session, rt, user, 2)
    data = _data(photo_kinds={str(p2.id): "after"})
    drafts.save_draft(session, user, data, [p1.id, p2.id])
    session.commit()
    f = drafts.submit_draft(session, user, now=T0)
    session.commit()
    assert f.client_token == data["client_token"]
    assert f.severity == "serious" and f.subtype == "扬尘" and f.pollution_types == ["air"]
    assert f.site.location_source == "gps" and f.site.accuracy_m == 8.0
    assert f.site.county_adcode == "130903"
    kinds = {fp.photo_id: fp.kind for fp in session.scalars(select(FindingPhoto).where(
        FindingPhoto.finding_id == f.id))}
    assert kinds == {p1.id: "before", p2.id: "after"}
    assert drafts.load_draft(session, user) is None


def test_double_submit_and_retry_after_reload_make_one_finding(session, users) -> None:
    user = users["field"]
    data = _data()
    drafts.save_draft(session, user, data, [])
    session.commit()
    first = drafts.submit_draft(session, user, now=T0)
    session.commit()
    # The link dropped before the answer arrived: the page still holds the form and its token,
    # saves it again on reload and submits again.
    drafts.save_draft(session, user, data, [])
    session.commit()
    second = drafts.submit_draft(session, user, now=T0)
    session.commit()
    assert second.id == first.id
    assert session.scalar(select(func.count()).select_from(Finding)) == 1
    assert drafts.load_draft(session, user) is None
    # A second tap after the draft is gone is refused with a message, not a second finding.
    with pytest.raises(ValidationError) as e:
        drafts.submit_draft(session, user)
    assert e.value.key == "draft.none"


def test_refused_submit_keeps_the_draft(session, users) -> None:
    user = users["field"]
    data = _data(description="   ")
    drafts.save_draft(session, user, data, [])
    session.commit()
    with pytest.raises(ValidationError) as e:
        drafts.submit_draft(session, user)
    session.rollback()
    assert e.value.field == "description"
    assert drafts.load_draft(session, user).data == data
    assert session.scalar(select(func.count()).select_from(Finding)) == 0


def test_submit_as_repeat_on_existing_site(session, users) -> None:
    user = users["field"]
    drafts.save_draft(session, user, _data(), [])
    first = drafts.submit_draft(session, user, now=T0)
    session.commit()
    drafts.save_draft(session, user, _data(site_id=first.site_id, repeat_of_id=first.id, location=None,
                                           site_name=""), [])
    second = drafts.submit_draft(session, user, now=T0)
    session.commit()
    assert second.id != first.id
    assert second.site_id == first.site_id and second.repeat_of_id == first.id


def test_county_scope_applies_on_submit(session, users) -> None:
    huanghua = {"lon": 117.33, "lat": 38.37, "source": "map", "accuracy_m": None}
    drafts.save_draft(session, users["field_yunhe"], _data(location=huanghua), [])
    with pytest.raises(PermissionDenied):
        drafts.submit_draft(session, users["field_yunhe"])
