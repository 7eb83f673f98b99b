"""The capture page in Streamlit's AppTest, on SQLite and PostgreSQL: renders for a field user,
a missing description is reported at the field, a typed draft comes back in a fresh session (a
reload or a new login), a submit makes one finding and clears the draft, HTML is kept verbatim.

Runs the real app (`app.py`, navigation and login gate); the page is chosen with `switch_page`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

import ui
from field.data.models import Finding, FindingPhoto
from field.services import drafts, findings
from field.services.findings import FindingInput, Location
from tests.pages.signin import sign_in
from tests.photo_factory import make_jpeg

YUNHE = (116.84, 38.30)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_env(rt, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FIELD_DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("FIELD_DATA_DIR", str(rt.settings.data_dir))
    monkeypatch.setenv("FIELD_TILES", "none")
    ui._runtime.clear()
    yield rt
    ui._runtime.clear()


def _app(user_id: int, lang: str = "zh") -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    sign_in(at, user_id)
    at.session_state["lang"] = lang
    at.switch_page("pages/capture.py")
    return at.run()


def _widget(items: Any, suffix: str) -> Any:
    found = [w for w in items if str(w.key).endswith("_" + suffix)]
    assert len(found) == 1, f"expected one widget *_{suffix}, got {[w.key for w in items]}"
    return found[0]


def _type_form(at: AppTest, *, description: str = "露天堆放物料未苫盖") -> AppTest:
    _widget(at.text_input, "site_name").input("宏达建材厂")
    _widget(at.text_input, "address").input("运河区某路 1 号")
    if description:
        _widget(at.text_area, "description").input(description)
    at = at.run()
    _widget(at.button_group, "types").set_value(["air", "noise"])
    _widget(at.button_group, "method").set_value("typed")
    at = at.run()
    _widget(at.text_input, "lon").input(str(YUNHE[0]))
    _widget(at.text_input, "lat").input("38°18′0″N")
    return at.run()


def _errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def test_renders_for_field_user(app_env, users) -> None:  # type: ignore[no-untyped-def]
    at = _app(users["field"].id)
    assert not at.exception
    assert at.title[0].value == "现场记录问题"
    assert _widget(at.text_area, "description").label == "问题描述"
    labels = [b.label for b in at.button]
    assert "提交问题" in labels


def test_viewer_is_told_up_front(app_env, users) -> None:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(str(REPO / "pages" / "capture.py"), default_timeout=60)
    sign_in(at, users["viewer"].id)
    at.session_state["lang"] = "zh"
    at.run()
    assert any("无权" in e for e in _errors(at))
    assert not at.text_area


def test_missing_description_message_at_the_field(app_env, users) -> None:  # type: ignore[no-untyped-def]
    at = _type_form(_app(users["field"].id), description="")
    assert not at.exception
    at = _widget(at.button, "submit").click().run()
    assert "请填写问题描述。" in _errors(at)
    # The message is rendered right after the description box, not at the top of the page.
    elements = list(at.main)
    desc_idx = next(i for i, el in enumerate(elements) if getattr(el, "key", None)
                    and str(el.key).endswith("_description"))
    assert elements[desc_idx + 1].value == "请填写问题描述。"
    assert _errors(at).count("请填写问题描述。") == 1
    # Nothing typed was lost.
    assert _widget(at.text_input, "site_name").value == "宏达建材厂"


def test_english_message(app_env, users) -> None:  # type: ignore[no-untyped-def]
    at = _app(users["field"].id, lang="en")
    at = _widget(at.button, "submit").click().run()
    assert "Describe the problem." in _errors(at)


def test_draft_restored_in_a_fresh_session(app_env, users, session) -> None:  # type: ignore[no-untyped-def]
    user = users["field"]
    _type_form(_app(user.id), description="<script>alert('x')</script> 夜间偷排")
    state = drafts.load_draft(session, user)
    assert state is not None and state.data["description"] == "<script>alert('x')</script> 夜间偷排"
    token = state.client_token

    fresh = _app(user.id)  # a reload, a crashed browser or a new login: a brand-new session
    assert not fresh.exception
    assert any("已恢复" in i.value for i in fresh.info)
    assert _widget(fresh.text_input, "site_name").value == "宏达建材厂"
    assert _widget(fresh.text_area, "description").value == "<script>alert('x')</script> 夜间偷排"
    assert _widget(fresh.button_group, "types").value == ["air", "noise"]
    assert _widget(fresh.text_input, "lat").value == "38°18′0″N"
    assert any("运河区" in i.value for i in fresh.info)  # county filled in from the typed point

    fresh = _widget(fresh.button, "submit").click().run()
    assert not fresh.exception
    assert any("已记录问题" in s.value for s in fresh.success)
    session.expire_all()
    rows = session.scalars(select(Finding)).all()
    assert len(rows) == 1
    f = rows[0]
    assert f.client_token == token  # the token survived the reload
    assert f.description == "<script>alert('x')</script> 夜间偷排"  # verbatim
    assert f.site.location_source == "typed" and f.site.county_adcode == "130903"
    assert sorted(f.pollution_types) == ["air", "noise"]
    assert drafts.load_draft(session, user) is None
    # The form is empty again for the next finding.
    assert _widget(fresh.text_area, "description").value == ""


def test_resubmitting_the_same_draft_makes_one_finding(app_env, users, session) -> None:  # type: ignore[no-untyped-def]
    """The old session's submit arrives after a reload already submitted the same draft."""
    user = users["field"]
    first = _type_form(_app(user.id))
    second = _app(user.id)
    second = _widget(second.button, "submit").click().run()
    first = _widget(first.button, "submit").click().run()  # the stale tab, same token
    assert not first.exception and not second.exception
    assert session.scalar(select(func.count()).select_from(Finding)) == 1


def test_photo_offer_and_repeat_link(app_env, users, session, rt) -> None:  # type: ignore[no-untyped-def]
    user = users["field"]
    existing = findings.create_finding(session, user, FindingInput(
        description="旧问题", pollution_types=["air"], location=Location(*YUNHE, "typed"), site_name="旧厂"))
    photo = findings.store_photo(session, user, make_jpeg(320, 240, gps=(YUNHE[0] + 0.0003, YUNHE[1]),
                                                          taken_at=dt.datetime.now()), "gps.jpg", rt.store)
    session.commit()
    drafts.save_draft(session, user, {"description": "同一处又有扬尘", "types": ["air"], "method": "map",
                                      "client_token": drafts.new_token()}, [photo.id])
    session.commit()
    at = _app(user.id)
    offer = [b for b in at.button if str(b.key).endswith("_offer_photo_loc")]
    assert len(offer) == 1
    at = offer[0].click().run()
    assert any("照片位置" in i.value for i in at.info)
    # The old finding 26 m away is shown as a possible repeat; one tap links it.
    rep = _widget(at.button, f"rep_{existing.id}")
    at = rep.click().run()
    assert any("重复件" in m.value for m in at.markdown)
    at = _widget(at.button, "submit").click().run()
    assert not at.exception, at.exception
    session.expire_all()
    new = session.scalars(select(Finding).where(Finding.id != existing.id)).one()
    assert new.site_id == existing.site_id and new.repeat_of_id == existing.id
    assert session.scalar(select(func.count()).select_from(FindingPhoto)
                          .where(FindingPhoto.finding_id == new.id)) == 1


def test_my_work_lists_todays_finding_with_thumbnails(app_env, users, session, rt) -> None:  # type: ignore[no-untyped-def]
    user = users["field"]
    photo = findings.store_photo(session, user, make_jpeg(320, 240, gps=(117.33, 38.37),
                                                          taken_at=dt.datetime.now()), "far.jpg", rt.store)
    f = findings.create_finding(session, user, FindingInput(
        description="<b>粗体</b> 异味", pollution_types=["air"], location=Location(*YUNHE, "gps", 5.0),
        site_name="今日厂", photo_ids=[photo.id]))
    session.commit()
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    sign_in(at, user.id)
    at.session_state["lang"] = "zh"
    at.switch_page("pages/my_work.py")
    at.run()
    assert not at.exception
    # My work is a paginated queue now (this week by default): the user's one finding, on one page.
    assert any(m.value == "共 1 条，第 1/1 页" for m in at.markdown)
    card = next(m.value for m in at.markdown if f"#{f.id}" in m.value)
    assert "今日厂" in card and "待核查" in card
    assert "\\<b\\>" in card  # user text is escaped, never rendered as HTML
    assert len(at.get("image")) == 1
    assert any("拍摄位置距现场" in c.value for c in at.caption)  # the stored evidence flag is visible


XINHUA = (116.86, 38.31)  # 新华区 (130902), next to 运河区


def _typed_point(at: AppTest, lon: float, lat: float) -> AppTest:
    _widget(at.button_group, "method").set_value("typed")
    at = at.run()
    _widget(at.text_input, "lon").input(str(lon))
    _widget(at.text_input, "lat").input(str(lat))
    return at.run()


@pytest.mark.parametrize("lang,words", [
    ("zh", "该点位在新华区，不在您的管辖范围内（运河区），提交时会被拒绝。请核对位置。"),
    ("en", "This point is in Xinhua District, outside your area (Yunhe District): it would be refused on submit."),
])
def test_scope_warning_in_words_as_soon_as_the_point_is_set(app_env, users, lang, words) -> None:  # type: ignore[no-untyped-def]
    at = _typed_point(_app(users["field_yunhe"].id, lang=lang), *XINHUA)
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any(w.startswith(words) for w in warnings), warnings
    assert not any("130902" in w for w in warnings)
    # Next to the point: the warning follows the location line, before the pollution types.
    elements = list(at.main)
    located = next(i for i, el in enumerate(elements) if getattr(el, "icon", None) == "📍")
    assert elements[located + 1].value.startswith(words)
    # The submit still refuses (the service rule), in words, at the location.
    _widget(at.button_group, "types").set_value(["air"])
    _widget(at.text_area, "description").input("扬尘")
    at = _widget(at.run().button, "submit").click().run()
    refusal = "该区县（新华区）不在您的管辖范围内。" if lang == "zh" else "This county (Xinhua District) is outside your scope."
    assert refusal in _errors(at)


def test_accuracy_in_human_units_and_low_accuracy_warned(app_env, users, session) -> None:  # type: ignore[no-untyped-def]
    user = users["field"]
    drafts.save_draft(session, user, {"description": "夜间偷排", "types": ["water"], "method": "gps",
                                      "locs": {"gps": {"lon": YUNHE[0], "lat": YUNHE[1], "source": "gps",
                                                       "accuracy_m": 1480.0}},
                                      "client_token": drafts.new_token()}, [])
    session.commit()
    at = _app(user.id)
    assert not at.exception
    assert any("精度 约 1.5 公里" in i.value for i in at.info)
    assert any(w.value.startswith("定位精度 约 1.5 公里，差于 50 米 要求") for w in at.warning)


def test_quick_path_needs_no_site_name_and_remembers_types_and_severity(app_env, users, session) -> None:  # type: ignore[no-untyped-def]
    user = users["field"]
    at = _typed_point(_app(user.id), *YUNHE)
    _widget(at.button_group, "types").set_value(["water"])
    _widget(at.button_group, "severity").set_value("serious")
    _widget(at.text_area, "description").input("排污口有黑水流出，气味明显")
    at = _widget(at.run().button, "submit").click().run()
    assert not at.exception and any("已记录问题" in s.value for s in at.success)
    session.expire_all()
    f = session.scalars(select(Finding)).one()
    assert f.site.name == "排污口有黑水流出"  # named from the description's first clause
    # The next form starts from this one's types and severity: one tap fewer.
    assert _widget(at.button_group, "types").value == ["water"]
    assert _widget(at.button_group, "severity").value == "serious"
    assert _widget(at.text_area, "description").value == ""
    fresh = _app(user.id)  # also in a new session (another day, another tablet)
    assert _widget(fresh.button_group, "types").value == ["water"]
    assert drafts.load_draft(session, user) is None  # remembered choices alone are not a draft


def test_long_photo_names_keep_their_extension(app_env, users, session, rt) -> None:  # type: ignore[no-untyped-def]
    user = users["field"]
    name = "IMG_20240501_101530_HDR_portrait_mode.jpeg"
    photo = findings.store_photo(session, user, make_jpeg(320, 240, gps=YUNHE, taken_at=dt.datetime.now()),
                                 name, rt.store)
    session.commit()
    drafts.save_draft(session, user, {"description": "x", "types": ["air"], "client_token": drafts.new_token()},
                      [photo.id])
    session.commit()
    at = _app(user.id)
    captions = [c.value for c in at.caption if "…" in c.value]
    assert captions and all(c.endswith(".jpeg") for c in captions), [c.value for c in at.caption]
