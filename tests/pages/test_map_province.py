"""The map page of a province deployment (FIELD_CITY_ADCODE=130000) in AppTest, on SQLite and
PostgreSQL: shading and counts by city by default, by county on request, filters that name a city
or a county, and a city-level user limited to their city."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import ui
from field.config import load_settings
from field.geo import boundaries
from field.services import auth
from field.services.findings import FindingInput, Location, create_finding
from tests.pages.signin import sign_in

APP = str(Path(__file__).resolve().parents[2] / "app.py")
SHIJIAZHUANG = (114.515, 38.042)
YUNHE = (116.84, 38.30)  # 沧州 运河区
HUANGHUA = (117.33, 38.37)  # 沧州 黄骅市
PASSWORD = "correct horse battery"


@pytest.fixture
def settings(db_url: str, tmp_path):  # type: ignore[no-untyped-def]
    return dataclasses.replace(load_settings(), database_url=db_url, data_dir=tmp_path / "data",
                               city_adcode="130000")


@pytest.fixture
def app_env(rt, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(boundaries, "_city", boundaries._city)  # restored for later tests
    monkeypatch.setenv("FIELD_DATABASE_URL", rt.settings.database_url)
    monkeypatch.setenv("FIELD_DATA_DIR", str(rt.settings.data_dir))
    monkeypatch.setenv("FIELD_CITY_ADCODE", "130000")
    monkeypatch.setenv("FIELD_TILES", "none")
    ui._runtime.clear()
    yield rt
    ui._runtime.clear()


@pytest.fixture
def hebei(session) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    made: dict[str, Any] = {}
    for name, role, scope in [("field", "field", ["*"]), ("viewer", "viewer", ["130000"]),
                              ("cangzhou", "viewer", ["130900"])]:
        made[name] = auth.create_user(session, None, username=f"p_{name}", password=PASSWORD, role=role,
                                      counties=scope)
    for site, where in [("石家庄甲厂", SHIJIAZHUANG), ("运河乙厂", YUNHE), ("黄骅丙厂", HUANGHUA)]:
        create_finding(session, made["field"], FindingInput(
            description=f"{site}问题", pollution_types=["air"], location=Location(*where, "typed"), site_name=site))
    session.commit()
    return made


def _app(user_id: int, query: dict[str, Any] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    sign_in(at, user_id)
    at.session_state["lang"] = "zh"
    at.switch_page(str(Path(APP).parent / "pages" / "map.py"))
    at.query_params.update(query or {})
    return at.run()


def _html(at: AppTest) -> str:
    return "".join(m.value for m in at.markdown if "fs-county-counts" in m.value)


def _per_unit(at: AppTest) -> dict[str, int]:
    """The summary's "open by city/county" table as {adcode: count}."""
    html = _html(at)
    table = html[html.index('id="fs-county-counts"'):]
    return {code: int(n) for code, n in re.findall(r'data-county="(\d*)"><td>[^<]*</td><td class="n">(\d+)<', table)}


def _total(at: AppTest) -> int:
    html = "".join(m.value for m in at.markdown if "fs-status-counts" in m.value)
    return int(re.search(r'data-total="(\d+)"', html).group(1))  # type: ignore[union-attr]


def test_province_map_counts_by_city_then_by_county(app_env, hebei) -> None:  # type: ignore[no-untyped-def]
    at = _app(hebei["viewer"].id)
    assert not at.exception, at.exception
    assert at.radio(key="f_level").value == "city"
    assert _total(at) == 3
    assert "各市未办结" in _html(at)
    assert _per_unit(at) == {"130100": 1, "130900": 2}
    options = at.multiselect(key="f_county").options
    assert "沧州市" in options and "沧州市 运河区" in options and "石家庄市 新华区" in options
    at.radio(key="f_level").set_value("county").run()
    assert not at.exception, at.exception
    assert "各区县未办结" in _html(at)
    per_county = _per_unit(at)
    assert per_county["130903"] == 1 and per_county["130983"] == 1 and sum(per_county.values()) == 3


def test_a_city_filter_and_a_city_user(app_env, hebei) -> None:  # type: ignore[no-untyped-def]
    at = _app(hebei["viewer"].id, {"county": "130900"})
    assert not at.exception, at.exception
    assert at.multiselect(key="f_county").value == ["130900"]
    assert _total(at) == 2
    at = _app(hebei["cangzhou"].id)
    assert not at.exception, at.exception
    assert _total(at) == 2
    options = at.multiselect(key="f_county").options
    assert options[0] == "沧州市" and all(o.startswith("沧州市") for o in options) and len(options) == 17
