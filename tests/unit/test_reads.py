"""The named, permission-checked, scoped reads the case, map, audit and user pages call."""

from __future__ import annotations

import pytest

from field.data.models import Case
from field.domain.errors import PermissionDenied, ValidationError
from field.services import audit, auth, findings, ledgers


def test_audit_recent_is_refused_to_roles_without_audit_view(session, users) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied) as exc:
        audit.recent(session, users["field"])
    assert exc.value.key == "perm.role"
    for name in ("viewer", "officer"):
        with pytest.raises(PermissionDenied):
            audit.recent(session, users[name])


def test_audit_recent_is_newest_first_and_limited(session, users) -> None:  # type: ignore[no-untyped-def]
    events = audit.recent(session, users["super"], limit=3)
    assert len(events) == 3
    assert [e.id for e in events] == sorted((e.id for e in events), reverse=True)
    assert events[0].entity_id == str(users["admin"].id)  # the last user created


def test_list_users_is_for_admins(session, users) -> None:  # type: ignore[no-untyped-def]
    assert [u.username for u in auth.list_users(session, users["admin"])][:2] == ["field", "field_yunhe"]
    with pytest.raises(PermissionDenied):
        auth.list_users(session, users["super"])


def test_batches_are_scoped_in_sql(session, users) -> None:  # type: ignore[no-untyped-def]
    session.add_all([Case(case_no="A1", batch=2, county_adcode="130903", content="x"),
                     Case(case_no="A2", batch=5, county_adcode="130983", content="x"),
                     Case(case_no="A3", batch=None, county_adcode="130903", content="x")])
    session.flush()
    assert ledgers.batches(session, users["officer"]) == [2, 5]
    assert ledgers.batches(session, users["super_yunhe"]) == [2]


def test_data_version_moves_with_a_write(session, users) -> None:  # type: ignore[no-untyped-def]
    before = findings.data_version(session)
    findings.create_finding(session, users["field"], findings.FindingInput(
        description="x", pollution_types=["air"], site_name="S", location=findings.Location(116.84, 38.30)))
    session.flush()
    assert findings.data_version(session) != before


def test_link_case_no_links_every_case_with_the_number_and_refuses_an_unknown_one(session, users) -> None:  # type: ignore[no-untyped-def]
    # A 受理编号 is one case within an inspection (its batches are kept with it); the same number
    # in two inspections is two cases, and a typed number links both.
    session.add_all([Case(case_no="X9", inspection="第二轮", batch=1, county_adcode="130903", content="x"),
                     Case(case_no="X9", inspection="第三轮", batch=2, county_adcode="130903", content="x")])
    session.flush()
    problem = ledgers.create_problem(session, users["officer"], ledgers.ProblemInput(title="P"))
    assert ledgers.link_case_no(session, users["officer"], problem.id, " X9 ") == 2
    assert ledgers.link_case_no(session, users["officer"], problem.id, "X9") == 0
    with pytest.raises(ValidationError) as exc:
        ledgers.link_case_no(session, users["officer"], problem.id, "nope")
    assert exc.value.key == "ledger.case_not_found"
