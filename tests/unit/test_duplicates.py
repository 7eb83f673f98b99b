"""Duplicate detection on SQLite and PostgreSQL: open findings within 100 m, similar cases, search."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from field import geo
from field.data.models import Case
from field.services import duplicates, findings
from field.services.findings import FindingInput, Location

YUNHE = (116.84, 38.29)  # 运河区
T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def _offset(lon: float, lat: float, metres_east: float) -> tuple[float, float]:
    return lon + metres_east / (111_320 * math.cos(math.radians(lat))), lat


def _finding(session, user, where, name="宏达建材厂", status="pending", case_id=None):
    f = findings.create_finding(session, user, FindingInput(
        description="露天堆放", pollution_types=["air"], location=Location(*where, "typed"), site_name=name,
        case_id=case_id), now=T0)
    f.status = status
    session.commit()
    return f


@pytest.mark.parametrize("metres", [0.0, 60.0, 95.0])
def test_open_finding_within_100m_is_found(session, users, metres) -> None:
    f = _finding(session, users["field"], _offset(*YUNHE, metres))
    hits = duplicates.nearby_open_findings(session, users["field"], *YUNHE)
    assert [h.finding_id for h in hits] == [f.id]
    expected = geo.distance_m(*YUNHE, *_offset(*YUNHE, metres))
    assert hits[0].distance_m == pytest.approx(expected, abs=0.2)
    assert hits[0].site_name == "宏达建材厂"


def test_outside_100m_closed_and_out_of_scope_are_not_found(session, users) -> None:
    _finding(session, users["field"], _offset(*YUNHE, 130.0), name="far")
    _finding(session, users["field"], _offset(*YUNHE, 20.0), name="closed", status="closed")
    near = _finding(session, users["field"], _offset(*YUNHE, 40.0), name="near")
    hits = duplicates.nearby_open_findings(session, users["field"], *YUNHE)
    assert [h.site_name for h in hits] == ["near"] and hits[0].finding_id == near.id
    # North-south too: the box must not cut off points inside the circle.
    north = (YUNHE[0], YUNHE[1] + 90 / 111_320)
    n = _finding(session, users["field"], north, name="north")
    assert n.id in [h.finding_id for h in duplicates.nearby_open_findings(session, users["field"], *YUNHE)]


def test_nearby_is_scoped_to_counties(session, users) -> None:
    huanghua = (117.33, 38.37)
    _finding(session, users["field"], huanghua)
    assert duplicates.nearby_open_findings(session, users["field"], *huanghua) != []
    assert duplicates.nearby_open_findings(session, users["field_yunhe"], *huanghua) == []


def test_nearest_first(session, users) -> None:
    b = _finding(session, users["field"], _offset(*YUNHE, 70.0), name="b")
    a = _finding(session, users["field"], _offset(*YUNHE, 10.0), name="a")
    assert [h.finding_id for h in duplicates.nearby_open_findings(session, users["field"], *YUNHE)] == [a.id, b.id]


def test_case_no_normalisation_and_similarity() -> None:
    assert duplicates.case_no_letters(" d3jx-2024 0524 0023* ") == "D3JX202405240023"
    assert duplicates.case_no_similarity("D3JX202405240023*", "d3jx202405240023") == 1.0
    fragment = duplicates.case_no_similarity("05240023", "D3JX202405240023")
    other = duplicates.case_no_similarity("D3JX202405240023", "X370000201811280030")
    assert fragment > 0.75 > other
    assert duplicates.case_no_similarity("", "D3JX202405240023") == 0.0


def test_text_similarity_prefers_shared_wording() -> None:
    close = duplicates.text_similarity("宏达建材厂露天堆放", "群众反映运河区宏达建材厂露天堆放物料扬尘严重")
    far = duplicates.text_similarity("宏达建材厂露天堆放", "某养殖场粪污直排河道")
    assert close > 0.8 and far < 0.2


def _case(session, no: str, content: str, county: str | None = "130903") -> Case:
    c = Case(case_no=no, content=content, region_text="沧州市运河区", county_adcode=county)
    session.add(c)
    session.commit()
    return c


def test_similar_cases_by_number_and_text(session, users) -> None:
    c1 = _case(session, "D3JX202405240023", "运河区宏达建材厂露天堆放物料，扬尘严重")
    c2 = _case(session, "D3JX202405240024", "某小区餐馆油烟扰民")
    _case(session, "X370000201811280030", "养殖场粪污直排")
    by_no = duplicates.similar_cases(session, users["field"], case_no="d3jx 2024 0524 0023*")
    assert by_no[0].case_id == c1.id and by_no[0].score == 1.0 and by_no[0].reason == "case_no"
    assert c2.id in [c.case_id for c in by_no]  # one digit apart: shown, ranked lower
    by_text = duplicates.similar_cases(session, users["field"], text="宏达建材厂 堆放物料")
    assert [c.case_id for c in by_text] == [c1.id] and by_text[0].reason == "text"
    assert duplicates.similar_cases(session, users["field"]) == []


def test_similar_cases_scoped(session, users) -> None:
    _case(session, "D3JX202405240099", "黄骅某厂", county="130983")
    assert duplicates.similar_cases(session, users["field"], case_no="D3JX202405240099") != []
    assert duplicates.similar_cases(session, users["field_yunhe"], case_no="D3JX202405240099") == []


def test_search_sites_and_cases(session, users) -> None:
    f = _finding(session, users["field"], YUNHE, name="宏达建材厂")
    _finding(session, users["field"], (117.33, 38.37), name="宏达化工")  # 黄骅
    c = _case(session, "D3JX202405240023", "宏达建材厂扬尘")
    names = [h.name for h in duplicates.search_sites(session, users["field"], "宏达")]
    assert set(names) == {"宏达建材厂", "宏达化工"}
    assert [h.site_id for h in duplicates.search_sites(session, users["field_yunhe"], "宏达")] == [f.site_id]
    assert duplicates.search_sites(session, users["field"], "  ") == []
    assert [x.case_id for x in duplicates.search_cases(session, users["field"], "0523")] == []
    assert [x.case_id for x in duplicates.search_cases(session, users["field"], "240023")] == [c.id]
    assert [x.case_id for x in duplicates.search_cases(session, users["field"], "宏达建材")] == [c.id]
