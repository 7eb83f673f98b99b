"""A province deployment (FIELD_CITY_ADCODE=130000) on SQLite and PostgreSQL: users scoped to
the province, a city or a county see exactly their findings and cases, in SQL; the map's
statistics group by city or county.

Fixture: two cities of Hebei — 石家庄 (one finding) and 沧州 (two: 运河区 and 黄骅市) — and one
point in Beijing, outside the province."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import select

from field import geo
from field.config import load_settings
from field.data.models import Case, CaseCounty, County, Site
from field.data.scoping import case_scope_clause, scope_clause
from field.domain.errors import ValidationError
from field.domain.scope import Scope, covers, level_of, prefix
from field.geo import boundaries
from field.services import auth, cases, findings
from field.services.findings import FindingInput, Location, MapFilter

SHIJIAZHUANG = (114.515, 38.042)
YUNHE = (116.84, 38.30)  # 沧州 运河区 130903
HUANGHUA = (117.33, 38.37)  # 沧州 黄骅市 130983
BEIJING = (116.397, 39.908)
PASSWORD = "correct horse battery"


# --- the scope rule, no database ------------------------------------------------------------------


def test_levels_and_prefixes() -> None:
    assert [level_of(c) for c in ("130000", "130900", "130903")] == ["province", "city", "county"]
    assert [prefix(c) for c in ("130000", "130900", "130903")] == ["13", "1309", "130903"]
    assert covers("130000", "130903") and covers("130900", "130903") and covers("130903", "130903")
    assert not covers("130900", "130102") and not covers("130903", "130902") and not covers("130000", "110101")
    assert covers("130000", "130900") and not covers("130903", "130900")  # a county does not cover its city
    assert not covers("130000", None)
    assert level_of("ab0000") == "county" and level_of("1309") == "county" and prefix("ab0000") == "ab0000"


@pytest.mark.parametrize(("entries", "inside", "outside"), [
    (["130000"], ["130102", "130903", "130983", "130900"], ["110101", None]),
    (["130900"], ["130903", "130983", "130900"], ["130102", "131002", None]),
    (["130903"], ["130903"], ["130983", "130900", "130102", None]),
    (["130100", "130983"], ["130102", "130983"], ["130903", None]),
    ([], [], ["130903", None]),
])
def test_scope_contains(entries: list[str], inside: list[str | None], outside: list[str | None]) -> None:
    scope = Scope.of_units(entries)
    assert all(scope.contains(c) for c in inside)
    assert not any(scope.contains(c) for c in outside)
    assert Scope.everything().contains(None) and Scope.everything().contains("110101")


# --- a province deployment in the database ----------------------------------------------------------


@pytest.fixture(autouse=True)
def _restore_registered_region(monkeypatch: pytest.MonkeyPatch) -> None:
    # open_runtime registers 130000 with field.geo; later tests get their own city back
    monkeypatch.setattr(boundaries, "_city", boundaries._city)


@pytest.fixture
def settings(db_url: str, tmp_path):  # type: ignore[no-untyped-def]
    return dataclasses.replace(load_settings(), database_url=db_url, data_dir=tmp_path / "data",
                               city_adcode="130000")


@pytest.fixture
def hebei(session) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    made: dict[str, Any] = {}
    for name, scope in [("all", ["*"]), ("province", ["130000"]), ("cangzhou", ["130900"]),
                        ("yunhe", ["130903"]), ("sjz", ["130100"]), ("mixed", ["130100", "130983"])]:
        made[name] = auth.create_user(session, None, username=f"u_{name}", password=PASSWORD, role="supervisor",
                                      counties=scope)
    author = auth.create_user(session, None, username="u_field", password=PASSWORD, role="field", counties=["*"])
    for key, where in [("sjz_f", SHIJIAZHUANG), ("yunhe_f", YUNHE), ("huanghua_f", HUANGHUA), ("bj_f", BEIJING)]:
        made[key] = findings.create_finding(session, author, FindingInput(
            description="露天堆放物料未苫盖", pollution_types=["air"], location=Location(*where, "typed"),
            site_name=key))
    sjz_county = made["sjz_f"].site.county_adcode
    case_sjz = Case(case_no="HB-SJZ-1", county_adcode=sjz_county, content="石家庄的件")
    case_cz = Case(case_no="HB-CZ-1", county_adcode="130903", content="沧州的件")
    case_joint = Case(case_no="HB-JOINT-1", county_adcode=sjz_county, content="合办件")  # also handed to 黄骅
    session.add_all([case_sjz, case_cz, case_joint])
    session.flush()
    session.add(CaseCounty(case_id=case_joint.id, county_adcode="130983"))
    session.commit()
    return made


def _seen(session, user) -> set[str]:  # type: ignore[no-untyped-def]
    return {r["name"] for r in findings.map_rows(session, user)}


def test_counties_of_the_province_are_loaded_with_their_city(rt, session, hebei) -> None:  # type: ignore[no-untyped-def]
    rows = {c.adcode: c.city_adcode for c in session.scalars(select(County))}
    assert len(rows) == 167 and rows["130903"] == "130900" and rows["130102"] == "130100"
    assert hebei["sjz_f"].site.county_adcode.startswith("1301")
    assert hebei["yunhe_f"].site.county_adcode == "130903"
    assert hebei["bj_f"].site.county_adcode is None and hebei["bj_f"].site.outside_city


@pytest.mark.parametrize(("who", "expected"), [
    ("all", {"sjz_f", "yunhe_f", "huanghua_f", "bj_f"}),
    ("province", {"sjz_f", "yunhe_f", "huanghua_f"}),  # the province, not Beijing
    ("cangzhou", {"yunhe_f", "huanghua_f"}),
    ("yunhe", {"yunhe_f"}),
    ("sjz", {"sjz_f"}),
    ("mixed", {"sjz_f", "huanghua_f"}),
])
def test_each_level_of_scope_sees_its_findings(session, hebei, who, expected) -> None:  # type: ignore[no-untyped-def]
    assert _seen(session, hebei[who]) == expected
    # the same rule in SQL directly, and in Python on every row
    rows = session.scalars(select(Site.name).where(scope_clause(Scope.of(hebei[who]), Site.county_adcode)))
    assert set(rows) == expected
    for site in session.scalars(select(Site)):
        assert Scope.of(hebei[who]).contains(site.county_adcode) == (site.name in expected)


@pytest.mark.parametrize(("who", "expected"), [
    ("province", {"HB-SJZ-1", "HB-CZ-1", "HB-JOINT-1"}),
    ("cangzhou", {"HB-CZ-1", "HB-JOINT-1"}),  # the 合办件 reaches 沧州 through 黄骅
    ("yunhe", {"HB-CZ-1"}),
    ("sjz", {"HB-SJZ-1", "HB-JOINT-1"}),
])
def test_cases_by_level(session, hebei, who, expected) -> None:  # type: ignore[no-untyped-def]
    assert {r.case.case_no for r in cases.list_cases(session, hebei[who])} == expected
    got = set(session.scalars(select(Case.case_no).where(case_scope_clause(Scope.of(hebei[who])))))
    assert got == expected


def test_filters_name_a_city_or_a_county(session, hebei) -> None:  # type: ignore[no-untyped-def]
    everyone = hebei["all"]
    by_city = findings.map_rows(session, everyone, MapFilter(counties=("130900",)))
    assert {r["name"] for r in by_city} == {"yunhe_f", "huanghua_f"}
    by_county = findings.map_rows(session, everyone, MapFilter(counties=("130983",)))
    assert {r["name"] for r in by_county} == {"huanghua_f"}
    # a filter never widens a scope
    assert {r["name"] for r in findings.map_rows(session, hebei["yunhe"], MapFilter(counties=("130900",)))} \
        == {"yunhe_f"}
    assert {r.case.case_no for r in cases.list_cases(session, everyone, county="130900")} == {"HB-CZ-1", "HB-JOINT-1"}


def test_open_counts_by_level(session, hebei) -> None:  # type: ignore[no-untyped-def]
    sjz_county = hebei["sjz_f"].site.county_adcode
    by_county = findings.open_by_county(session, hebei["province"])
    assert by_county == {sjz_county: 1, "130903": 1, "130983": 1}
    assert findings.open_by_county(session, hebei["province"], level="city") == {"130100": 1, "130900": 2}
    assert findings.open_by_county(session, hebei["cangzhou"], level="city") == {"130900": 2}
    assert findings.open_by_county(session, hebei["all"], level="county") == by_county  # the default


def test_scope_entries_are_validated_at_every_level(session, hebei) -> None:  # type: ignore[no-untyped-def]
    made = auth.create_user(session, None, username="u_two_cities", password=PASSWORD, role="viewer",
                            counties=["131100", "130900"])
    assert made.county_scope == ["130900", "131100"]
    for bad in (["139900"], ["130999"], ["110000"], ["1309"]):
        with pytest.raises(ValidationError) as info:
            auth.create_user(session, None, username="u_bad", password=PASSWORD, role="viewer", counties=bad)
        assert info.value.key == "auth.unknown_county" and info.value.field == "counties"


def test_unit_labels_tell_same_named_counties_apart(rt) -> None:  # type: ignore[no-untyped-def]
    labels = geo.unit_labels("zh")
    assert labels["130900"] == "沧州市" and labels["130902"] == "沧州市 新华区" and labels["130105"] == "石家庄市 新华区"
    assert geo.unit_labels("en")["130902"] == "Xinhua District, Cangzhou"
    assert len(labels) == 167 + 11


# --- reports and ledgers by level ---------------------------------------------------------------


def test_report_figures_by_city_and_by_county(session, hebei) -> None:  # type: ignore[no-untyped-def]
    from field.domain import clock
    from field.reports import figures

    today = clock.today_local()
    sjz_county = hebei["sjz_f"].site.county_adcode
    by_county = figures.compute(session, hebei["province"], "weekly", today)
    assert by_county.level == "county"
    assert by_county.findings_by_county == {sjz_county: 1, "130903": 1, "130983": 1}
    assert by_county.cases_by_county == {sjz_county: 2, "130903": 1}
    by_city = figures.compute(session, hebei["province"], "weekly", today, level="city")
    assert by_city.findings_by_county == {"130100": 1, "130900": 2}
    assert by_city.cases_by_county == {"130100": 2, "130900": 1}
    assert by_city.findings_total == by_county.findings_total == 3  # grouping changes no total
    # one city of the province: a report for 沧州 alone, by a province user
    cz = figures.compute(session, hebei["province"], "weekly", today, county="130900", level="city")
    assert cz.counties == ["130900"] and cz.findings_by_county == {"130900": 2} and cz.findings_total == 2
    # a city user cannot ask for another city
    from field.domain.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        figures.compute(session, hebei["cangzhou"], "weekly", today, county="130100")
    with pytest.raises(ValidationError) as info:
        figures.compute(session, hebei["province"], "weekly", today, level="street")
    assert info.value.key == "report.bad_level"


def test_report_document_names_cities(rt, session, hebei) -> None:  # type: ignore[no-untyped-def]
    from field.domain import clock
    from field.reports import annex, figures
    from field.services import ledgers

    fig = figures.compute(session, hebei["province"], "weekly", clock.today_local(), level="city")
    names = ledgers.unit_names(session, "zh")
    assert names["130900"] == "沧州市" and names["130903"] == "沧州市 运河区"
    tables = {name: rows for name, _headers, rows in annex.sheets(fig, "zh", names)}
    assert tables["市"] == [["石家庄市", 2, 1], ["沧州市", 1, 2]]


def test_ledger_export_narrows_to_a_city(session, hebei) -> None:  # type: ignore[no-untyped-def]
    from field.services import ledgers

    def case_nos(user, area=None):  # type: ignore[no-untyped-def]
        led = ledgers.build_ledger(session, user, "petitions", area=area)
        return {r[led.columns.index("case_no")] for r in led.rows}

    assert case_nos(hebei["province"]) == {"HB-SJZ-1", "HB-CZ-1", "HB-JOINT-1"}
    assert case_nos(hebei["province"], "130900") == {"HB-CZ-1", "HB-JOINT-1"}
    assert case_nos(hebei["province"], "130903") == {"HB-CZ-1"}
    assert case_nos(hebei["yunhe"], "130900") == {"HB-CZ-1"}  # an area never widens the scope
    led = ledgers.build_ledger(session, hebei["province"], "petitions", area="130900")
    regions = {r[led.columns.index("region")] for r in led.rows}
    assert "沧州市 运河区" in regions
