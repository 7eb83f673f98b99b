"""The map page in Streamlit's AppTest: a URL builds the filter widgets, the widgets write the URL,
counts match the data, the detail panel and role-dependent actions, exports offered.

Runs the real app (`app.py`, navigation and login gate) against a temp database on SQLite and
PostgreSQL; the page is selected with `switch_page`, the user is logged in through session state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import ui
from field.data.models import Case
from field.domain import clock
from field.domain.vocab import STATUS
from field.map import sitedata
from field.services.findings import FindingInput, Location, create_finding
from tests.pages.signin import sign_in

APP = str(Path(__file__).resolve().parents[2] / "app.py")
# Points well inside 运河区 (130903) and 黄骅市 (130983).
YUNHE = (116.84, 38.30)
HUANGHUA = (117.33, 38.37)


@pytest.fixture
def app_env(rt, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """Point the app's cached runtime at the test database, and forget it afterwards."""
    monkeypatch.setenv("FIELD_DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("FIELD_DATA_DIR", str(rt.settings.data_dir))
    monkeypatch.setenv("FIELD_TILES", "none")
    ui._runtime.clear()
    sitedata.CACHE.clear()
    yield rt
    ui._runtime.clear()
    sitedata.CACHE.clear()


@pytest.fixture
def data(session, users) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Three findings: two in 运河区 (one on a key case of batch 3 with a past deadline), one in 黄骅市."""
    now = clock.now()
    case = Case(case_no="D3HB202405240001*", batch=3, key_attention=True, deadline=(now - dt.timedelta(days=5)).date(),
                responsible_unit="运河区生态环境分局", content="x")
    session.add(case)
    session.flush()
    made = {}
    for name, (lon, lat), case_id, types in [
        ("运河甲厂", YUNHE, case.id, ["air"]),
        ("运河乙厂", (YUNHE[0] + 0.01, YUNHE[1] + 0.005), None, ["water"]),
        ("黄骅丙厂", HUANGHUA, None, ["noise"]),
    ]:
        f = create_finding(session, users["field"], FindingInput(
            description=f"{name}问题描述", pollution_types=types, location=Location(lon, lat, "typed"),
            site_name=name, address=f"{name}地址", case_id=case_id), now=now)
        made[name] = f
    session.commit()
    return {"case": case, **made}


def _app(user_id: int, query: dict[str, Any] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    sign_in(at, user_id)
    at.session_state["lang"] = "zh"
    at.switch_page(str(Path(APP).parent / "pages" / "map.py"))
    at.query_params.update(query or {})
    return at.run()


def _total(at: AppTest) -> int:
    html = "".join(m.value for m in at.markdown if "fs-status-counts" in m.value)
    marker = 'data-total="'
    assert marker in html, "the status summary table is missing"
    start = html.index(marker) + len(marker)
    return int(html[start:html.index('"', start)])


def test_url_builds_the_filter_widgets(app_env, users, data) -> None:  # type: ignore[no-untyped-def]
    at = _app(users["viewer"].id, {"status": ["pending"], "county": "130903", "type": ["air", "water"],
                                   "batch": "3", "key": "1", "overdue": "1", "q": "甲厂",
                                   "from": "2020-01-02", "to": "2030-12-31"})
    assert not at.exception, at.exception
    assert at.multiselect(key="f_status").value == ["pending"]
    assert at.multiselect(key="f_county").value == ["130903"]
    assert at.multiselect(key="f_type").value == ["water", "air"]  # vocabulary order, canonical
    assert at.multiselect(key="f_batch").value == [3]
    assert at.checkbox(key="f_key").value is True
    assert at.checkbox(key="f_overdue").value is True
    assert at.text_input(key="f_text").value == "甲厂"
    assert at.date_input(key="f_from").value == dt.date(2020, 1, 2)
    assert at.date_input(key="f_to").value == dt.date(2030, 12, 31)
    # Only the key, overdue, batch-3 case in 运河区 matches all of that.
    assert _total(at) == 1


def test_widgets_write_the_url_and_counts_follow(app_env, users, data) -> None:  # type: ignore[no-untyped-def]
    at = _app(users["viewer"].id)
    assert not at.exception, at.exception
    assert _total(at) == 3
    assert not {k for k in at.query_params if k != "lang"}, at.query_params
    at.multiselect(key="f_county").set_value(["130903"]).run()
    assert _total(at) == 2
    assert at.query_params.get("county") == "130903"
    at.text_input(key="f_text").set_value("乙厂").run()
    assert _total(at) == 1
    assert at.query_params.get("q") == "乙厂"
    # The same URL in a fresh session reproduces the view.
    again = _app(users["viewer"].id, dict(at.query_params))
    assert again.multiselect(key="f_county").value == ["130903"]
    assert again.text_input(key="f_text").value == "乙厂"
    assert _total(again) == 1


def test_bad_url_values_are_dropped_not_fatal(app_env, users, data) -> None:  # type: ignore[no-untyped-def]
    at = _app(users["viewer"].id, {"status": ["nonsense", "pending"], "county": "999999", "batch": "x",
                                   "from": "not-a-date"})
    assert not at.exception, at.exception
    assert at.multiselect(key="f_status").value == ["pending"]
    assert at.multiselect(key="f_county").value == []
    assert at.date_input(key="f_from").value is None
    assert _total(at) == 3


def test_scoped_user_sees_only_own_counties(app_env, users, data) -> None:  # type: ignore[no-untyped-def]
    at = _app(users["field_yunhe"].id)
    assert not at.exception, at.exception
    assert _total(at) == 2
    assert at.multiselect(key="f_county").options == ["运河区"]


def _detail_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_finding_in_url_opens_detail_with_field_action(app_env, users, data) -> None:  # type: ignore[no-untyped-def]
    f = data["运河甲厂"]
    at = _app(users["field"].id, {"finding": str(f.id)})
    assert not at.exception, at.exception
    text = _detail_text(at)
    assert "运河甲厂" in text and "D3HB202405240001" in text and "运河区生态环境分局" in text
    links = [p.proto for p in at.get("page_link")]
    assert [(p.page, p.query_string) for p in links] == [("verify", f"finding={f.id}")], links
    assert STATUS.label("pending", "zh") in text


def test_viewer_gets_no_actions(app_env, users, data) -> None:  # type: ignore[no-untyped-def]
    f = data["黄骅丙厂"]
    at = _app(users["viewer"].id, {"finding": str(f.id)})
    assert not at.exception, at.exception
    assert "黄骅丙厂" in _detail_text(at)
    assert list(at.get("page_link")) == []
    assert any("无可办理" in c.value for c in at.caption)


def test_supervisor_gets_signoff_link_only_when_awaiting(app_env, users, data) -> None:  # type: ignore[no-untyped-def]
    f = data["运河乙厂"]
    at = _app(users["super"].id, {"finding": str(f.id)})
    assert list(at.get("page_link")) == []  # pending: nothing to sign yet
    from field.data.models import Finding

    with app_env.session() as s:
        s.get(Finding, f.id).status = "awaiting_signoff"
        s.commit()
    at = _app(users["super"].id, {"finding": str(f.id)})
    assert [p.proto.page for p in at.get("page_link")] == ["signoff"]


def test_finding_outside_scope_is_refused(app_env, users, data) -> None:  # type: ignore[no-untyped-def]
    at = _app(users["field_yunhe"].id, {"finding": str(data["黄骅丙厂"].id)})
    assert not at.exception, at.exception
    assert "黄骅丙厂" not in _detail_text(at)


def test_presentation_mode_from_url(app_env, users, data) -> None:  # type: ignore[no-untyped-def]
    at = _app(users["viewer"].id, {"present": "1"})
    assert not at.exception, at.exception
    assert at.toggle(key="f_present").value is True
    assert not at.title  # the projector gets the map, not a page heading
    assert _total(at) == 3
    at.toggle(key="f_present").set_value(False).run()
    assert "present" not in at.query_params
    assert at.title


def test_exports_offered(app_env, users, data) -> None:  # type: ignore[no-untyped-def]
    at = _app(users["viewer"].id)
    keys = {b.key for b in at.get("download_button")}
    assert {"dl_geojson", "dl_csv", "dl_png"} <= keys, keys


def test_rendering_the_map_writes_nothing(app_env, users, data) -> None:  # type: ignore[no-untyped-def]
    # Closing findings whose 公示 has ended is `python -m field advance`; a read never does it.
    from field.data.models import AuditEvent, Finding

    f = data["运河乙厂"]
    with app_env.session() as s:
        row = s.get(Finding, f.id)
        row.status, row.notice_ends_on = "public_notice", clock.today_local() - dt.timedelta(days=1)
        s.commit()
        events = s.query(AuditEvent).count()
    at = _app(users["viewer"].id, {"finding": str(f.id)})
    assert not at.exception, at.exception
    with app_env.session() as s:
        assert s.get(Finding, f.id).status == "public_notice"
        assert s.query(AuditEvent).count() == events


def test_exports_are_built_only_when_asked(app_env, users, data, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A rerun of the map builds no export: GeoJSON, CSV and PNG are deferred downloads, made
    when their button is pressed (they cost seconds at 10,000 findings)."""
    from field.exports import mapexport

    calls: list[str] = []
    for name in ("to_geojson", "to_csv", "png_map"):
        monkeypatch.setattr(mapexport, name, lambda *a, _n=name, **k: calls.append(_n))
    at = _app(users["viewer"].id)
    at.multiselect(key="f_status").select("pending").run()  # a rerun with another view
    assert not at.exception, at.exception
    assert {"dl_geojson", "dl_csv", "dl_png"} <= {b.key for b in at.get("download_button")}
    assert calls == []


def test_county_shading_counts_all_open_findings_in_scope(app_env, users, data, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Filtered to 黄骅市, the shading still counts 运河区's two open findings: it says where the
    open work is, whatever the view shows."""
    seen: list[dict[str, int]] = []
    real = sitedata.build

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        made = real(*args, **kwargs)
        seen.append(dict(made.open_counts))
        return made

    monkeypatch.setattr(sitedata, "build", spy)
    at = _app(users["viewer"].id, {"county": "130983"})
    assert not at.exception, at.exception
    assert _total(at) == 1
    assert seen and seen[-1] == {"130903": 2, "130983": 1}
    scoped = _app(users["super_yunhe"].id, {"status": "rectifying"})  # no row in the view, two open in scope
    assert not scoped.exception and _total(scoped) == 0
    assert seen[-1] == {"130903": 2}


def _map_args(at: AppTest) -> dict[str, Any]:
    import json

    found = [e for e in at.get("component_instance") if "st_folium" in e.proto.component_name]
    assert found, "the map component is missing"
    return dict(json.loads(found[-1].proto.json_args))


def test_a_filter_change_sends_the_same_map_document_and_a_small_filter_message(app_env, users, data) -> None:  # type: ignore[no-untyped-def]
    """The document holds no site (they come from /map/data), so it is byte-identical across
    filters (Streamlit then re-sends it as a cached reference); only the filter message changes."""
    at = _app(users["viewer"].id)
    first = _map_args(at)
    at.multiselect(key="f_status").select("pending").run()
    assert not at.exception, at.exception
    second = _map_args(at)
    assert second["script"] == first["script"] and second["html"] == first["html"]
    assert "运河甲厂" not in first["script"]  # no site data in the document
    assert second["feature_group"] != first["feature_group"]
    assert len(second["feature_group"]) < 2_000
    assert '"s":[' + str(STATUS.codes.index("pending")) + "]" in second["feature_group"]
