"""议定事项: what a 半月一调度 meeting decided, and how it went by the next meeting.

"每次例会听取上次会议落实情况": each dispatch pack opens with the decisions of the meeting before
it, so that follow-up comes out of the data, not out of someone's notes. Decisions:

- are recorded against the archived dispatch pack they were made on (`ReportArchive`, kind
  dispatch), inside that pack's scope and the recorder's (`decision.record`); the meeting is
  the pack's half-month (`meeting_on` = its period end);
- may concern one case, measure or site (linked by id);
- are reported on by the responsible unit, or the desk for it (`decision.report`): a status of
  vocab.DECISION_STATUS and a sentence; every change is audited with before/after, and the
  latest words stay on the row for the next pack;
- read as **overdue** when not done and their deadline is before the end of the pack that
  follows them up (the same rule as overdue cases), never stored as such.

Which decisions a pack follows up (`follow_up`): every decision of the latest meeting before
the pack's period, plus earlier ones still not done, in the pack's scope (city-wide decisions
belong to the city-wide pack only, as city-wide problems do).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from field.data.ledger_models import Measure
from field.data.models import Case, County, Site, User
from field.data.report_models import DispatchDecision, ReportArchive
from field.data.scoping import scope_clause
from field.domain import clock
from field.domain.errors import PermissionDenied, ValidationError
from field.domain.permissions import require
from field.domain.scope import Scope
from field.domain.vocab import DECISION_STORED
from field.services import audit, progress


@dataclass
class DecisionInput:
    content: str
    unit: str
    deadline: dt.date | None
    person: str = ""
    county: str | None = None  # default: the pack's county (None for a city-wide pack)
    case_id: int | None = None
    measure_id: int | None = None
    site_id: int | None = None


@dataclass
class DecisionLine:
    """One decision as a pack prints it."""

    id: int
    meeting_on: dt.date
    content: str
    unit: str
    person: str
    deadline: dt.date
    state: str  # a DECISION_STATUS code, "overdue" included
    progress_text: str
    done_on: dt.date | None


def state(status: str, deadline: dt.date, on: dt.date) -> str:
    """How a decision reads in the pack that ends on `on`: overdue when not done by its deadline."""
    if status != "done" and deadline < on:
        return "overdue"
    return status


def _pack(session: Session, user: User, report_id: int) -> ReportArchive:
    pack = session.get(ReportArchive, report_id)
    if pack is None or pack.kind != "dispatch":
        raise ValidationError("decision.no_pack", field="report_id", id=report_id)
    scope = Scope.of(user)
    if not scope.is_all and (pack.scope == ["*"] or not all(scope.contains(c) for c in pack.scope)):
        raise PermissionDenied("decision.pack_out_of_scope")
    return pack


def _snapshot(d: DispatchDecision) -> dict[str, object]:
    return {"report_id": d.report_id, "meeting_on": d.meeting_on, "county": d.county_adcode, "content": d.content,
            "unit": d.unit, "person": d.person, "deadline": d.deadline, "status": d.status,
            "progress_text": d.progress_text, "done_on": d.done_on, "case_id": d.case_id,
            "measure_id": d.measure_id, "site_id": d.site_id}


def record(session: Session, user: User, report_id: int, data: DecisionInput, *,
           now: dt.datetime | None = None) -> DispatchDecision:
    """Add one decision to the pack it was made on; nothing else changes."""
    require(user, "decision.record", check_county=False)
    pack = _pack(session, user, report_id)
    if not data.content.strip():
        raise ValidationError("decision.need_content", field="content")
    if not data.unit.strip():
        raise ValidationError("decision.need_unit", field="unit")
    if not isinstance(data.deadline, dt.date):
        raise ValidationError("decision.need_deadline", field="deadline")
    county = data.county or pack.county_adcode
    if county is not None:
        if session.get(County, county) is None:
            raise ValidationError("decision.bad_county", field="county", county=county)
        if not Scope.of(user).contains(county) or (pack.scope != ["*"] and county not in pack.scope):
            raise PermissionDenied("decision.county_out_of_scope", county=county)
    elif pack.scope != ["*"]:  # a county pack's decision belongs to a county of it
        county = pack.scope[0] if len(pack.scope) == 1 else None
        if county is None:
            raise PermissionDenied("decision.county_out_of_scope", county="-")
    for what, model, ref in (("case", Case, data.case_id), ("measure", Measure, data.measure_id),
                             ("site", Site, data.site_id)):
        if ref is not None and session.get(model, ref) is None:
            raise ValidationError("decision.link_not_found", field=f"{what}_id", what=what, id=ref)
    now = now or clock.now()
    d = DispatchDecision(report_id=pack.id, meeting_on=pack.period_end, county_adcode=county,
                         content=data.content.strip(), unit=data.unit.strip(), person=data.person.strip(),
                         deadline=data.deadline, status="open", progress_text="", case_id=data.case_id,
                         measure_id=data.measure_id, site_id=data.site_id, created_by=user.id, created_at=now,
                         updated_by=user.id, updated_at=now)
    session.add(d)
    session.flush()
    audit.record(session, user, "decision", d.id, "record", after=_snapshot(d), at=now)
    session.flush()
    return d


def _get(session: Session, user: User, decision_id: int) -> DispatchDecision:
    d = session.get(DispatchDecision, decision_id)
    if d is None or not Scope.of(user).contains(d.county_adcode):
        raise ValidationError("decision.not_found", id=decision_id)
    return d


def report(session: Session, user: User, decision_id: int, status: str, note: str, *,
           now: dt.datetime | None = None) -> DispatchDecision:
    """The responsible unit's word on a decision: its status and a sentence, audited."""
    require(user, "decision.report", check_county=False)
    d = _get(session, user, decision_id)
    if user.role == "unit" and (not user.unit or user.unit not in progress.unit_names(d.unit, None)):
        raise PermissionDenied("decision.not_your_unit", unit=user.unit or "-")
    if status not in DECISION_STORED:
        raise ValidationError("decision.bad_status", field="status")
    if not note.strip():
        raise ValidationError("decision.need_note", field="note")
    now = now or clock.now()
    before = _snapshot(d)
    d.status, d.progress_text = status, note.strip()
    d.done_on = clock.today_local(now) if status == "done" else None
    d.updated_by, d.updated_at = user.id, now
    session.flush()
    audit.record(session, user, "decision", d.id, "report", before=before, after=_snapshot(d), at=now)
    session.flush()
    return d


def open_for(session: Session, user: User) -> list[DispatchDecision]:
    """The decisions not yet done that `user` may report on, in its scope, oldest meeting first:
    for a responsible unit (role `unit`) only those naming its unit, by the rule `report` checks
    (so the unit's page lists exactly what it may report on)."""
    require(user, "decision.report", check_county=False)
    rows = session.scalars(select(DispatchDecision).where(
        DispatchDecision.status != "done", scope_clause(Scope.of(user), DispatchDecision.county_adcode))
        .order_by(DispatchDecision.meeting_on, DispatchDecision.deadline, DispatchDecision.id))
    if user.role != "unit":
        return list(rows)
    if not user.unit:
        return []
    return [d for d in rows if user.unit in progress.unit_names(d.unit, None)]


def for_pack(session: Session, user: User, report_id: int) -> list[DispatchDecision]:
    """The decisions recorded on one pack, in the user's scope."""
    require(user, "report.generate", check_county=False)
    pack = _pack(session, user, report_id)
    return list(session.scalars(select(DispatchDecision).where(
        DispatchDecision.report_id == pack.id, scope_clause(Scope.of(user), DispatchDecision.county_adcode))
        .order_by(DispatchDecision.id)))


def follow_up(session: Session, scope: Scope, start: dt.date, end: dt.date) -> tuple[dt.date | None, list[DecisionLine]]:
    """The decisions a pack for [start, end] opens with (module docstring): the latest meeting
    before `start` and its date. The caller has checked the scope (figures.report_scope)."""
    in_scope = scope_clause(scope, DispatchDecision.county_adcode)
    last = session.scalar(select(DispatchDecision.meeting_on).where(in_scope, DispatchDecision.meeting_on < start)
                          .order_by(DispatchDecision.meeting_on.desc()).limit(1))
    if last is None:
        return None, []
    rows = session.scalars(select(DispatchDecision).where(
        in_scope, DispatchDecision.meeting_on <= last,
        or_(DispatchDecision.meeting_on == last, DispatchDecision.status != "done"))
        .order_by(DispatchDecision.meeting_on, DispatchDecision.id))
    return last, [DecisionLine(d.id, d.meeting_on, d.content, d.unit, d.person, d.deadline,
                               state(d.status, d.deadline, end), d.progress_text, d.done_on) for d in rows]
