"""议定事项: recorded on the dispatch pack they were made on, reported on by the unit, audited,
and followed up by the next pack (done / in progress / overdue, with the unit's words)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from sqlalchemy import select

from field import reports
from field.data.models import AuditEvent
from field.domain.errors import PermissionDenied, ValidationError
from field.services import auth, decisions
from tests.report_factory import seed

MAY15 = dt.date(2024, 5, 15)
NOW = dt.datetime(2024, 5, 16, 2, tzinfo=dt.UTC)


@pytest.fixture
def pack(session, users, settings):
    seed(session, users["admin"].id, cases=10, findings=10, problems=2, records=3)
    made = reports.generate(session, users["officer"], "dispatch", MAY15, settings=settings)
    session.commit()
    return made.archive


def _text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def test_record_and_refusals(session, users, pack, settings) -> None:
    officer = users["officer"]
    d = decisions.record(session, officer, pack.id, decisions.DecisionInput(
        "月底前完成某河段清淤", "市水务局", dt.date(2024, 5, 31), person="王五", case_id=1), now=NOW)
    session.commit()
    assert (d.meeting_on, d.status, d.county_adcode, d.case_id) == (MAY15, "open", None, 1)
    ev = session.scalars(select(AuditEvent).where(AuditEvent.entity == "decision")).one()
    assert ev.action == "record" and ev.actor_id == officer.id and ev.after["unit"] == "市水务局"

    def refused(user, report_id, data, exc=ValidationError):
        with pytest.raises(exc) as info:
            decisions.record(session, user, report_id, data, now=NOW)
        return info.value.key

    ok = decisions.DecisionInput("x", "市住建局", dt.date(2024, 6, 1))
    assert refused(users["viewer"], pack.id, ok, PermissionDenied) == "perm.role"
    assert refused(officer, 99999, ok) == "decision.no_pack"
    weekly = reports.generate(session, officer, "weekly", MAY15, settings=settings).archive
    assert refused(officer, weekly.id, ok) == "decision.no_pack"
    assert refused(officer, pack.id, decisions.DecisionInput(" ", "市住建局", dt.date(2024, 6, 1))) == \
        "decision.need_content"
    assert refused(officer, pack.id, decisions.DecisionInput("x", "", dt.date(2024, 6, 1))) == "decision.need_unit"
    assert refused(officer, pack.id, decisions.DecisionInput("x", "市住建局", None)) == "decision.need_deadline"
    assert refused(officer, pack.id, decisions.DecisionInput("x", "市住建局", dt.date(2024, 6, 1),
                                                              measure_id=99999)) == "decision.link_not_found"
    yunhe = auth.create_user(session, None, username="off_yunhe", password="correct horse battery",
                             role="case_officer", counties=["130903"])
    assert refused(yunhe, pack.id, ok, PermissionDenied) == "decision.pack_out_of_scope"  # a city-wide pack
    assert refused(officer, pack.id, decisions.DecisionInput("x", "u", dt.date(2024, 6, 1), county="999999")) \
        == "decision.bad_county"
    county_pack = reports.generate(session, yunhe, "dispatch", MAY15, settings=settings).archive
    assert refused(yunhe, county_pack.id, decisions.DecisionInput("x", "u", dt.date(2024, 6, 1), county="130902"),
                   PermissionDenied) == "decision.county_out_of_scope"
    mine = decisions.record(session, yunhe, county_pack.id, ok, now=NOW)
    assert mine.county_adcode == "130903"  # a one-county pack's decision is that county's
    session.rollback()
    assert [x.id for x in decisions.for_pack(session, officer, pack.id)] == [d.id]


def test_unit_reports_and_the_next_pack_follows_up(session, users, pack, settings) -> None:
    officer = users["officer"]
    mk = lambda what, unit, deadline: decisions.record(  # noqa: E731
        session, officer, pack.id, decisions.DecisionInput(what, unit, deadline), now=NOW)
    done = mk("清淤", "市水务局", dt.date(2024, 5, 31))
    going = mk("整治扬尘", "市住建局", dt.date(2024, 6, 30))
    late = mk("关停散乱污", "市生态环境局", dt.date(2024, 5, 20))
    env = auth.create_user(session, None, username="env", password="correct horse battery", role="unit")
    env.unit = "市生态环境局"
    session.commit()
    with pytest.raises(PermissionDenied) as exc:
        decisions.report(session, env, done.id, "done", "完成", now=NOW)
    assert exc.value.key == "decision.not_your_unit"
    with pytest.raises(ValidationError) as exc2:
        decisions.report(session, env, late.id, "overdue", "x", now=NOW)
    assert exc2.value.key == "decision.bad_status"
    with pytest.raises(ValidationError) as exc3:
        decisions.report(session, env, late.id, "in_progress", " ", now=NOW)
    assert exc3.value.key == "decision.need_note"
    decisions.report(session, env, late.id, "in_progress", "已关停 3 家，余 2 家", now=NOW)
    decisions.report(session, officer, done.id, "done", "清淤完成并验收", now=NOW)
    decisions.report(session, officer, going.id, "in_progress", "正在推进", now=NOW)
    session.commit()
    assert done.done_on == dt.date(2024, 5, 16)
    ev = session.scalars(select(AuditEvent).where(AuditEvent.entity == "decision", AuditEvent.entity_id == str(late.id),
                                                  AuditEvent.action == "report")).one()
    assert ev.before["status"] == "open" and ev.after["status"] == "in_progress" and ev.actor_id == env.id

    nxt = reports.generate(session, officer, "dispatch", dt.date(2024, 5, 31), settings=settings)
    fig = nxt.figures
    assert fig.decisions_meeting == MAY15
    states = {d.content: d.state for d in fig.decisions}
    assert states == {"清淤": "done", "整治扬尘": "in_progress", "关停散乱污": "overdue"}  # 5-20 < 5-31
    assert fig.decisions_by_state == {"open": 0, "in_progress": 1, "done": 1, "overdue": 1}
    doc = Document(io.BytesIO(nxt.docx))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "一、上次调度会议定事项落实情况" and headings[1] == "二、总体情况"
    text = _text(doc)
    assert "已完成 1 项，正在推进 1 项，尚未启动 0 项，逾期未完成 1 项" in text
    assert "已关停 3 家，余 2 家" in text and "逾期未完成" in text
    session.commit()

    # the pack after: the 5-31 meeting's decisions, plus earlier ones not yet done
    decisions.record(session, officer, nxt.archive.id, decisions.DecisionInput("复查清淤效果", "市水务局",
                                                                               dt.date(2024, 6, 10)), now=NOW)
    session.commit()
    third = reports.generate(session, officer, "dispatch", dt.date(2024, 6, 15), settings=settings).figures
    assert third.decisions_meeting == dt.date(2024, 5, 31)
    assert sorted(d.content for d in third.decisions) == ["关停散乱污", "复查清淤效果", "整治扬尘"]
    # weekly and monthly reports carry no follow-up section
    weekly = reports.generate(session, officer, "weekly", dt.date(2024, 5, 31), settings=settings)
    assert weekly.figures.decisions == [] and "议定事项" not in _text(Document(io.BytesIO(weekly.docx)))


def test_first_pack_says_there_were_none(session, users, pack) -> None:
    from field.reports import figures

    fig = figures.compute(session, users["officer"], "dispatch", MAY15)
    assert fig.decisions_meeting is None and fig.decisions == []
