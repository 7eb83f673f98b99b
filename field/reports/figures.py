"""Every figure a report (and later the dashboard) prints, for one period and one scope.

One module owns the counting rules, so the weekly summary, the dispatch pack, the monthly
report and the screen can never disagree. The rules (all dates are China's calendar days):

- A **case** (交办件) is in the report when it was handed over on or before the period's end;
  "new" when handed over inside the period. A case row carries no closing date, so closed /
  不属实 / overdue describe the state of those cases as stored when the report is made, as the
  offices count them at the meeting.
- **closed** = closure_state 已办结; **on time** = closed and its result last written on or
  before its deadline (or it has none); **不属实** = truthfulness "false".
- **overdue** = not closed and its deadline before the period's end; **feedback late** = the
  10-day feedback (`Settings.feedback_days` after hand-over, or the stored due date) before the
  period's end and no feedback given (`services.cases.feedback_given`).
- 办结率 = closed / cases; 按时办结率 = closed on time / cases; 不属实率 = 不属实 / cases with a
  verification outcome. A rate over nothing is None ("—"), never 0 %.
- A **measure**'s 序时进度 is `domain.schedule.status` on the period's end day; measures of a
  city-wide problem (no county) belong to the whole-city scope only, as everywhere.
- **反弹** = findings whose status is reopened; **waiting for sign-off** = findings awaiting
  sign-off whose latest verification was submitted more than `wait_days` before the end.
- **Units that did not report** = `services.progress.missing_reports` for the last week whose
  reporting deadline had passed by the end of the period.

Counts are done in SQL (GROUP BY) where the database can; what needs a Python rule
(序时进度, JSON pollution types) reads only the columns it needs. `data_version` records the
count and newest change of every table read, so an archived report says what it was made from.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from field.data.ledger_models import AccountabilityRecord, CaseResult, Measure, MeasureReport, Problem
from field.data.models import Case, Finding, Site, User, Verification
from field.data.scoping import scope_clause
from field.domain import clock
from field.domain.errors import PermissionDenied, ValidationError
from field.domain.permissions import require
from field.domain.scope import Scope
from field.domain.vocab import MEASURE_PROGRESS, OPEN_STATUSES
from field.services import accountability, progress

KINDS = ("weekly", "dispatch", "monthly")
WAIT_DAYS = 7  # findings awaiting sign-off longer than this are listed in the dispatch pack
MEASURE_GROUPS = {"completed": ("rectified", "closed"), "on_schedule": ("on_schedule", "ahead"),
                  "behind": ("behind",), "not_started": ("not_started",), "standing": ("standing",)}


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def period_for(kind: str, day: dt.date) -> Period:
    """weekly = the 7 days ending `day`; dispatch = its half-month (1st–15th / 16th–end);
    monthly = its calendar month."""
    if kind == "weekly":
        return Period(kind, day - dt.timedelta(days=6), day)
    last = calendar.monthrange(day.year, day.month)[1]
    if kind == "dispatch":
        if day.day <= 15:
            return Period(kind, day.replace(day=1), day.replace(day=15))
        return Period(kind, day.replace(day=16), day.replace(day=last))
    if kind == "monthly":
        return Period(kind, day.replace(day=1), day.replace(day=last))
    raise ValidationError("report.bad_kind", field="kind", kind=kind, kinds=", ".join(KINDS))


def report_scope(user: User, county: str | None) -> Scope:
    """The user's scope, or one county of it; a county outside it is refused."""
    require(user, "report.generate", check_county=False)
    scope = Scope.of(user)
    if county:
        if not scope.contains(county):
            raise PermissionDenied("report.county_out_of_scope", county=county)
        return Scope.of_counties([county])
    return scope


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, end+1 00:00) China time, as aware datetimes for the UTC columns."""
    a = dt.datetime.combine(period.start, dt.time(), tzinfo=clock.CHINA_TZ)
    b = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=clock.CHINA_TZ)
    return a, b


def rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part * 100.0 / whole, 1)


@dataclass
class CaseLine:
    case_no: str
    county: str | None
    unit: str
    person: str
    deadline: dt.date | None
    content: str


@dataclass
class MeasureLine:
    id: int
    problem: str
    content: str
    unit: str
    person: str
    deadline: dt.date | None
    status: str
    percent: int | None


@dataclass
class Figures:
    kind: str
    period_start: dt.date
    period_end: dt.date
    counties: list[str] | None  # None: the whole city
    cases_total: int = 0
    cases_new: int = 0
    cases_closed: int = 0
    cases_closed_on_time: int = 0
    cases_unfounded: int = 0
    cases_verified: int = 0
    cases_overdue: int = 0
    cases_feedback_late: int = 0
    closed_rate: float | None = None
    on_time_rate: float | None = None
    unfounded_rate: float | None = None
    cases_by_county: dict[str, int] = field(default_factory=dict)
    cases_by_type: dict[str, int] = field(default_factory=dict)
    findings_total: int = 0
    findings_new: int = 0
    findings_by_status: dict[str, int] = field(default_factory=dict)
    findings_by_county: dict[str, int] = field(default_factory=dict)
    findings_by_type: dict[str, int] = field(default_factory=dict)
    rebound: int = 0
    waiting_signoff: int = 0
    wait_days: int = WAIT_DAYS
    measures_total: int = 0
    measures_by_status: dict[str, int] = field(default_factory=dict)
    measures_groups: dict[str, int] = field(default_factory=dict)
    measures_by_county: dict[str, dict[str, int]] = field(default_factory=dict)
    reports_in_period: int = 0
    reports_late_in_period: int = 0
    report_week: dt.date | None = None
    units_missing: dict[str, int] = field(default_factory=dict)  # unit -> measures without a report
    acc_people: int = 0
    acc_talks: int = 0
    acc_fines_wan: str = "0.00"
    acc_by_measure: dict[str, int] = field(default_factory=dict)
    acc_period_people: int = 0
    trend: list[dict[str, Any]] = field(default_factory=list)  # per week: new cases, new findings, reports
    overdue_cases: list[CaseLine] = field(default_factory=list)
    key_cases: list[CaseLine] = field(default_factory=list)
    behind_measures: list[MeasureLine] = field(default_factory=list)
    rebound_ids: list[int] = field(default_factory=list)
    waiting_ids: list[int] = field(default_factory=list)
    data_version: dict[str, Any] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.cases_total or self.findings_total or self.measures_total or self.acc_by_measure_total)

    @property
    def acc_by_measure_total(self) -> int:
        return sum(self.acc_by_measure.values())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (dates as ISO text), for the archive and for comparing two runs."""
        return json.loads(json.dumps(asdict(self), default=str, sort_keys=True))


def data_version(session: Session) -> dict[str, Any]:
    """Count and newest change of each table a report reads; `digest` sums them up."""
    tables: list[tuple[str, Any, Any]] = [
        ("cases", Case.id, Case.updated_at), ("case_results", CaseResult.case_id, CaseResult.updated_at),
        ("findings", Finding.id, Finding.updated_at), ("verifications", Verification.id, Verification.created_at),
        ("measures", Measure.id, Measure.updated_at), ("problems", Problem.id, Problem.updated_at),
        ("measure_reports", MeasureReport.id, MeasureReport.reported_at),
        ("accountability", AccountabilityRecord.id, AccountabilityRecord.created_at),
    ]
    out: dict[str, Any] = {}
    for name, key, changed in tables:
        n, newest, top = session.execute(select(func.count(key), func.max(changed), func.max(key))).one()
        if isinstance(newest, dt.datetime) and newest.tzinfo is None:
            newest = newest.replace(tzinfo=dt.UTC)
        out[name] = {"count": int(n or 0), "max_id": top, "updated": newest.isoformat() if newest else None}
    out["digest"] = hashlib.sha256(json.dumps(out, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return out


def _report_week(end: dt.date) -> dt.date:
    """The last week whose reporting deadline had passed by the end of `end`."""
    week = progress.week_of(end)
    end_of_day = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=clock.CHINA_TZ)
    return week if progress.due_at(week) < end_of_day else week - dt.timedelta(days=7)


def compute(session: Session, user: User, kind: str, day: dt.date, *, county: str | None = None,
            feedback_days: int = 10, wait_days: int = WAIT_DAYS) -> Figures:
    """All figures of one report; same data and same arguments give the same figures."""
    period = period_for(kind, day)
    scope = report_scope(user, county)
    start_at, end_at = _bounds(period)
    end = period.end
    fig = Figures(kind, period.start, end, None if scope.is_all else sorted(scope.counties or ()),
                  wait_days=wait_days)

    # --- cases -------------------------------------------------------------------------------
    in_scope = scope_clause(scope, Case.county_adcode)
    received = and_(in_scope, or_(Case.handed_over_on.is_(None), Case.handed_over_on <= end))
    rows = session.execute(
        select(Case.id, Case.case_no, Case.county_adcode, Case.handed_over_on, Case.deadline, Case.key_attention,
               Case.pollution_types, Case.responsible_unit, Case.lead_unit, Case.responsible_person, Case.content,
               CaseResult.closure_state, CaseResult.truthfulness, CaseResult.feedback_due, CaseResult.updated_at)
        .outerjoin(CaseResult, CaseResult.case_id == Case.id).where(received).order_by(Case.id)).all()
    by_county: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    for r in rows:
        fig.cases_total += 1
        if r.handed_over_on is not None and r.handed_over_on >= period.start:
            fig.cases_new += 1
        by_county[r.county_adcode or ""] += 1
        for t in r.pollution_types or []:
            by_type[t] += 1
        done = r.closure_state == "done"
        line = CaseLine(r.case_no, r.county_adcode, r.responsible_unit or r.lead_unit, r.responsible_person,
                        r.deadline, (r.content or "")[:80])
        if done:
            fig.cases_closed += 1
            written = clock.today_local(r.updated_at) if r.updated_at else None
            if r.deadline is None or (written is not None and written <= r.deadline):
                fig.cases_closed_on_time += 1
        if r.truthfulness is not None:
            fig.cases_verified += 1
            if r.truthfulness == "false":
                fig.cases_unfounded += 1
        if not done and r.deadline is not None and r.deadline < end:
            fig.cases_overdue += 1
            fig.overdue_cases.append(line)
        fb_due = r.feedback_due
        if fb_due is None and r.closure_state is None and r.handed_over_on is not None:
            fb_due = r.handed_over_on + dt.timedelta(days=feedback_days)
        given = r.truthfulness is not None or r.closure_state in ("done", "staged")
        if fb_due is not None and fb_due < end and not given:
            fig.cases_feedback_late += 1
        if r.key_attention and not done:
            fig.key_cases.append(line)
    fig.closed_rate = rate(fig.cases_closed, fig.cases_total)
    fig.on_time_rate = rate(fig.cases_closed_on_time, fig.cases_total)
    fig.unfounded_rate = rate(fig.cases_unfounded, fig.cases_verified)
    fig.cases_by_county = dict(sorted(by_county.items()))
    fig.cases_by_type = dict(sorted(by_type.items()))

    # --- findings ----------------------------------------------------------------------------
    f_scope = and_(scope_clause(scope, Site.county_adcode), Finding.created_at < end_at)
    base = select(Finding.status, func.count()).join(Site, Site.id == Finding.site_id).where(f_scope)
    fig.findings_by_status = {s: int(n) for s, n in session.execute(base.group_by(Finding.status)).all()}
    fig.findings_total = sum(fig.findings_by_status.values())
    fig.findings_new = int(session.scalar(select(func.count()).select_from(Finding).join(Site, Site.id == Finding.site_id)
                                          .where(f_scope, Finding.created_at >= start_at)) or 0)
    fig.findings_by_county = {c or "": int(n) for c, n in session.execute(
        select(Site.county_adcode, func.count()).join(Finding, Finding.site_id == Site.id).where(f_scope)
        .group_by(Site.county_adcode).order_by(Site.county_adcode)).all()}
    f_types: Counter[str] = Counter()
    for (types,) in session.execute(select(Finding.pollution_types).join(Site, Site.id == Finding.site_id)
                                    .where(f_scope)):
        for t in types or []:
            f_types[t] += 1
    fig.findings_by_type = dict(sorted(f_types.items()))
    fig.rebound_ids = list(session.scalars(select(Finding.id).join(Site, Site.id == Finding.site_id)
                                           .where(f_scope, Finding.status == "reopened").order_by(Finding.id)))
    fig.rebound = len(fig.rebound_ids)
    latest = (select(Verification.finding_id, func.max(Verification.created_at).label("at"))
              .group_by(Verification.finding_id).subquery())
    cutoff = end_at - dt.timedelta(days=wait_days)
    fig.waiting_ids = list(session.scalars(
        select(Finding.id).join(Site, Site.id == Finding.site_id).join(latest, latest.c.finding_id == Finding.id)
        .where(f_scope, Finding.status == "awaiting_signoff", latest.c.at < cutoff).order_by(Finding.id)))
    fig.waiting_signoff = len(fig.waiting_ids)

    # --- measures ------------------------------------------------------------------------------
    m_rows = session.execute(
        select(Measure.id, Measure.content, Measure.start_date, Measure.deadline, Measure.standing, Measure.progress,
               Measure.percent, Measure.responsible_unit, Measure.lead_unit, Measure.responsible_person,
               Problem.title, Problem.deadline.label("p_deadline"), Problem.county_adcode,
               Problem.responsible_unit.label("p_unit"), Problem.lead_unit.label("p_lead"),
               Problem.responsible_person.label("p_person"))
        .join(Problem, Problem.id == Measure.problem_id).where(scope_clause(scope, Problem.county_adcode))
        .order_by(Problem.id, Measure.seq, Measure.id)).all()
    m_status: Counter[str] = Counter()
    m_county: dict[str, Counter[str]] = {}
    scoped_measures: set[int] = set()
    for m in m_rows:
        deadline = m.deadline or m.p_deadline
        s = _measure_status(end, m.start_date, deadline, m.standing, m.progress, m.percent)
        scoped_measures.add(m.id)
        m_status[s] += 1
        m_county.setdefault(m.county_adcode or "", Counter())[s] += 1
        if s == "behind":
            fig.behind_measures.append(MeasureLine(
                m.id, m.title[:60], m.content[:80], m.responsible_unit or m.lead_unit or m.p_unit or m.p_lead,
                m.responsible_person or m.p_person, deadline, s, m.percent))
    fig.measures_total = len(m_rows)
    fig.measures_by_status = {c: m_status.get(c, 0) for c in MEASURE_PROGRESS.codes}
    fig.measures_groups = {g: sum(m_status.get(c, 0) for c in codes) for g, codes in MEASURE_GROUPS.items()}
    fig.measures_by_county = {c: {g: sum(n.get(x, 0) for x in codes) for g, codes in MEASURE_GROUPS.items()}
                              for c, n in sorted(m_county.items())}
    rep_scope = and_(MeasureReport.reported_at >= start_at, MeasureReport.reported_at < end_at,
                     MeasureReport.measure_id.in_(select(Measure.id).join(Problem, Problem.id == Measure.problem_id)
                                                  .where(scope_clause(scope, Problem.county_adcode))))
    n, late = session.execute(select(func.count(MeasureReport.id),
                                     func.count(MeasureReport.id).filter(MeasureReport.late.is_(True)))
                              .where(rep_scope)).one()
    fig.reports_in_period, fig.reports_late_in_period = int(n or 0), int(late or 0)
    fig.report_week = _report_week(end)
    end_of_day = end_at - dt.timedelta(microseconds=1)
    for unit in progress.missing_reports(session, user, fig.report_week, now=end_of_day):
        missing = [i for i in unit.missing if i in scoped_measures]
        if missing:
            fig.units_missing[unit.unit] = len(missing)

    # --- accountability -------------------------------------------------------------------------
    acc = list(session.scalars(select(AccountabilityRecord).where(
        scope_clause(scope, AccountabilityRecord.county_adcode),
        or_(AccountabilityRecord.decided_on.is_(None), AccountabilityRecord.decided_on <= end),
        AccountabilityRecord.created_at < end_at).order_by(AccountabilityRecord.id)))
    c = accountability.counts(acc)
    fig.acc_people, fig.acc_talks, fig.acc_by_measure = c.people, c.talks, c.by_measure
    fig.acc_fines_wan = format(c.fines_wan.quantize(Decimal("0.01")), "f")
    in_period = [r for r in acc if r.decided_on is not None and r.decided_on >= period.start]
    fig.acc_period_people = accountability.counts(in_period).people

    # --- trend: per week (Monday) inside the period, or the last 4 weeks for a short period --------
    first = progress.week_of(period.start if period.days > 7 else end - dt.timedelta(days=27))
    weeks = []
    w = first
    while w <= end:
        weeks.append(w)
        w += dt.timedelta(days=7)
    new_by_week: Counter[dt.date] = Counter()
    for r in rows:
        if r.handed_over_on is not None and first <= r.handed_over_on <= end:
            new_by_week[progress.week_of(r.handed_over_on)] += 1
    fnew: Counter[dt.date] = Counter()
    first_at = dt.datetime.combine(first, dt.time(), tzinfo=clock.CHINA_TZ)
    for (created,) in session.execute(select(Finding.created_at).join(Site, Site.id == Finding.site_id)
                                      .where(f_scope, Finding.created_at >= first_at)):
        fnew[progress.week_of(clock.today_local(created))] += 1
    fig.trend = [{"week": wk.isoformat(), "cases_new": new_by_week.get(wk, 0), "findings_new": fnew.get(wk, 0)}
                 for wk in weeks]

    fig.data_version = data_version(session)
    return fig


def _measure_status(end: dt.date, start: dt.date | None, deadline: dt.date | None, standing: bool,
                    stage: str | None, percent: int | None) -> str:
    from field.domain import schedule

    return schedule.status(today=end, start=start, deadline=deadline, standing=standing, stage=stage,
                           percent=percent)


def open_sites(session: Session, scope: Scope, end: dt.date) -> list[dict[str, Any]]:
    """Open findings with their site's position and status: the dispatch pack's static map."""
    _, end_at = _bounds(Period("x", end, end))
    rows = session.execute(select(Finding.id, Finding.status, Site.lon, Site.lat, Site.name)
                           .join(Site, Site.id == Finding.site_id)
                           .where(scope_clause(scope, Site.county_adcode), Finding.status.in_(OPEN_STATUSES),
                                  Finding.created_at < end_at).order_by(Finding.id)).all()
    return [{"id": r.id, "status": r.status, "lon": r.lon, "lat": r.lat, "site": r.name} for r in rows]


