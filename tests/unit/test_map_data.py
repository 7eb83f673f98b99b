"""The map's data path: `map_rows` (the raw, column-only read) gives the same rows as a typed ORM
read and never another county's sites; the data version moves with findings, sites and cases
only; migration 0010's indexes exist on both backends."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import inspect, select, text

from bench.map_app import seed
from field.data.models import Case, Finding, Site, User
from field.domain import clock
from field.services import audit, auth, drafts, findings
from field.services.findings import FindingInput, Location, MapFilter
from tests.conftest import PASSWORD

TODAY = dt.date(2026, 12, 1)
YUNHE = "130903"


def _typed_rows(session, actor: User, flt: MapFilter) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The map rows as the ORM types them (JSON decoded, UTCDateTime, dates): the reference the
    raw read must equal. Filters applied in Python, the plainest way to state them."""
    stmt = (select(Finding, Site, Case).join(Site, Finding.site_id == Site.id)
            .outerjoin(Case, Finding.case_id == Case.id).order_by(Finding.id))
    out = []
    text = flt.text.strip().lower()
    for f, s, c in session.execute(stmt):
        if not actor.all_counties and s.county_adcode not in (actor.county_scope or []):
            continue
        deadline = f.deadline or (c.deadline if c else None)
        overdue = bool(deadline and deadline < TODAY and f.status not in ("public_notice", "closed", "unfounded"))
        local_day = clock.local(f.created_at).date()
        if ((flt.statuses and f.status not in flt.statuses) or (flt.counties and s.county_adcode not in flt.counties)
                or (flt.types and not set(flt.types) & set(f.pollution_types or []))
                or (flt.batches and (c is None or c.batch not in flt.batches))
                or (flt.key_attention and not (c and c.key_attention)) or (flt.overdue and not overdue)
                or (flt.date_from and local_day < flt.date_from) or (flt.date_to and local_day > flt.date_to)):
            continue
        fields = (f.description, s.name, s.address, c.case_no if c else None, f.responsible_unit,
                  c.responsible_unit if c else None)
        if text and not any(text in (v or "").lower() for v in fields):
            continue
        out.append({
            "id": f.id, "site_id": s.id, "status": f.status, "name": s.name, "description": f.description,
            "types": list(f.pollution_types or []), "severity": f.severity, "lon": s.lon, "lat": s.lat,
            "county": s.county_adcode, "address": s.address, "case_no": (c.case_no if c else None) or "",
            "batch": c.batch if c else None, "key_attention": bool(c and c.key_attention), "deadline": deadline,
            "overdue": overdue, "unit": f.responsible_unit or (c.responsible_unit if c else "") or "",
            "created_at": f.created_at,
        })
    return out


@pytest.fixture
def seeded(session, rt, users):  # type: ignore[no-untyped-def]
    """300 bulk-seeded findings over the 16 counties (bench/map_app.py's seeding) plus a few made
    through the service with two pollution types and their own deadline and unit."""
    seed(rt.settings.database_url, 300, 3, author="field")
    for i in range(3):
        f = findings.create_finding(session, users["field"], FindingInput(
            description=f"夜间噪声扰民{i}", pollution_types=["noise", "air"], site_name=f"某厂{i}",
            location=Location(116.88 + i * 0.003, 38.32, "typed")))
        f.deadline, f.responsible_unit = TODAY - dt.timedelta(days=1), "运河区生态环境分局"
    session.commit()
    session.expire_all()
    return users


FILTERS = [
    MapFilter(),
    MapFilter(statuses=("pending", "rectifying")),
    MapFilter(types=("noise",)),
    MapFilter(types=("solid_waste", "water")),
    MapFilter(counties=(YUNHE, "130983")),
    MapFilter(batches=(2,)),
    MapFilter(key_attention=True),
    MapFilter(overdue=True),
    MapFilter(date_from=TODAY - dt.timedelta(days=30), date_to=TODAY),
    MapFilter(text="噪声"),
    MapFilter(text="D3JX2024000"),
]


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: repr({k: v for k, v in vars(f).items() if v}))
def test_map_rows_equal_the_typed_read(session, seeded, flt) -> None:  # type: ignore[no-untyped-def]
    got = findings.map_rows(session, seeded["viewer"], flt, today=TODAY)
    want = _typed_rows(session, seeded["viewer"], flt)
    assert got == want
    assert all(isinstance(r["created_at"], dt.datetime) and r["created_at"].utcoffset() == dt.timedelta(0)
               for r in got)
    if flt == MapFilter():
        assert len(got) == 303


def test_map_rows_never_return_another_countys_sites(session, seeded) -> None:  # type: ignore[no-untyped-def]
    for who in ("super_yunhe", "field_yunhe"):
        rows = findings.map_rows(session, seeded[who], today=TODAY)
        assert rows and {r["county"] for r in rows} == {YUNHE}
        assert rows == _typed_rows(session, seeded[who], MapFilter())
        # asking for another county in the filter does not widen the scope
        assert findings.map_rows(session, seeded[who], MapFilter(counties=("130983",)), today=TODAY) == []
    nobody = auth.create_user(session, None, username="nowhere", password=PASSWORD, role="viewer",
                              counties=[YUNHE], display_name="N")
    nobody.county_scope = []
    assert findings.map_rows(session, nobody, today=TODAY) == []


def test_data_version_moves_with_findings_not_with_logins_or_audit(session, seeded) -> None:  # type: ignore[no-untyped-def]
    v0 = findings.data_version(session)
    auth.authenticate(session, "viewer", PASSWORD)  # a login anywhere
    drafts.save_draft(session, seeded["field"], {"description": "草稿"}, [])
    audit.record(session, seeded["admin"], "user", seeded["viewer"].id, "note")
    session.commit()
    assert findings.data_version(session) == v0

    f = findings.create_finding(session, seeded["field"], FindingInput(
        description="新问题", pollution_types=["air"], site_name="新厂", location=Location(116.86, 38.31, "typed")))
    session.commit()
    v1 = findings.data_version(session)
    assert v1 != v0
    f.status = "rectifying"  # an edit of an existing finding (no insert)
    session.commit()
    v2 = findings.data_version(session)
    assert v2 != v1
    case = session.scalars(select(Case)).first()
    case.key_attention = not case.key_attention  # a case field the map shows
    session.commit()
    assert findings.data_version(session) != v2


def test_data_version_moves_with_a_deletion_behind_the_apps_back(session, seeded) -> None:  # type: ignore[no-untyped-def]
    """The app never deletes findings or sites; an operator's SQL may, and the map must not keep
    showing the deleted row from its cache (the count is what sees it: max id and newest edit may
    stay the same)."""
    f = findings.create_finding(session, seeded["field"], FindingInput(
        description="会被删除", pollution_types=["air"], site_name="旧厂", location=Location(116.86, 38.31, "typed")))
    findings.create_finding(session, seeded["field"], FindingInput(
        description="最新", pollution_types=["air"], site_name="新厂", location=Location(116.87, 38.32, "typed")))
    session.commit()
    v0 = findings.data_version(session)
    session.execute(text("DELETE FROM findings WHERE id = :i"), {"i": f.id})
    session.commit()
    v1 = findings.data_version(session)
    assert v1 != v0 and v1[0] == v0[0] - 1


def test_migration_0010_indexes_exist(rt) -> None:  # type: ignore[no-untyped-def]
    insp = inspect(rt.engine)
    have = {(t, ix["name"]): tuple(ix["column_names"]) for t in ("sites", "findings") for ix in insp.get_indexes(t)}
    assert have[("sites", "ix_sites_county_adcode")] == ("county_adcode",)
    assert have[("findings", "ix_findings_site_id")] == ("site_id",)
    assert have[("findings", "ix_findings_updated_at")] == ("updated_at",)
    assert have[("findings", "ix_findings_author_created")] == ("author_id", "created_at")
    assert have[("findings", "ix_findings_status")] == ("status",)
