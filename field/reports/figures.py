"""Every figure a report (and later the dashboard) prints, for one period and one scope.

One module owns the counting rules, so the weekly summary, the dispatch pack, the monthly
report and the screen can never disagree. The rules (all dates are China's calendar days):

- A **case** (交办件) is in the report when it was handed over on or before the period's end;
  "new" when handed over inside the period. A case row carries no closing date, so closed /
  不属实 / overdue describe the state of those cases as stored when the report is made, as the
  offices count them at the meeting.
- **closed** = closure_state 已办结; **on time** = closed and its result last written on or
  before its deadline (or it has none); **不属实** = truthfulness "false".
- **closed in the period**: a case closed whose result was written inside the period (the
  same date the on-time rule reads); a finding 销号 whose 公示 ended inside the period (销号
  follows the end of 公示).
- **overdue** = not closed and its deadline before the period's end; **feedback late** = the
  10-day feedback (`Settings.feedback_days` after hand-over, or the stored due date) before the
  period's end and no feedback given (`services.cases.feedback_given`).
- 办结率 = closed / cases; 按时办结率 = closed on time / cases; 不属实率 = 不属实 / cases with a
  verification outcome. A rate over nothing is None ("—"), never 0 %.
- A **measure**'s 序时进度 is `domain.schedule.status` on the period's end day; measures of a
  city-wide problem (no county) belong to the whole-city scope only, as everywhere.
- **反弹** = findings whose status is reopened; **waiting for sign-off** = findings awaiting
  sign-off whose latest verification was submitted more than `wait_days` before the end.
- **议定事项** (dispatch only) = `services.decisions.follow_up`: the latest meeting before the
  period and earlier decisions not yet done; overdue = not done and deadline before the end.
- **序时进度 week to week** (weekly only): each measure's status a week before the end (from the
  latest weekly report made by then, `_schedule_changes`) against the end day; "worse" / "better"
  by `SCHEDULE_RANK` (behind < not started < on schedule < ahead < rectified < closed).
- **Units that did not report** = `services.progress.missing_reports` for the last week whose
  reporting deadline had passed by the end of the period.

**The map's filter** (`services.findings.MapFilter`, the dashboard's filter; none for a printed
report) narrows every figure in SQL, the scope still applied:
- county (or a province's city) narrows the scope itself, so cases, findings, measures,
  accountability and 议定事项 all follow; one outside the user's scope is refused;
- status: findings in those states, and cases with a finding in them;
- pollution type: findings and cases listing any of them; batch (交办批次) and 重点关注: cases of
  that batch, and the findings of those cases;
- overdue: the overdue cases (rule above), and the findings past their deadline (their own, else
  their case's) on the period's end day and not in 公示 / 销号 / 不属实 (the map's rule);
- the map's dates and free text are not applied: the period stands for the dates.
Measures and accountability have neither status, type nor batch: only the county narrows them.

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
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from field import geo
from field.data import sqlfn
from field.data.ledger_models import AccountabilityRecord, CaseResult, Measure, MeasureReport, Problem
from field.data.models import Case, Finding, Site, User, Verification
from field.data.report_models import DispatchDecision
from field.data.scoping import scope_clause
from field.domain import clock
from field.domain.errors import PermissionDenied, ValidationError
from field.domain.permissions import require
from field.domain.scope import Scope
from field.domain.vocab import DECISION_STATUS, MEASURE_PROGRESS, OPEN_STATUSES
from field.services import accountability, progress
from field.services import decisions as decisions_svc
from field.services.findings import NOT_OVERDUE, MapFilter, types_clause

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
class ScheduleChange:
    """A measure whose 序时进度 moved since last week: `before` on the day a week before the
    period's end, `after` on the end day (MEASURE_PROGRESS codes)."""

    id: int
    problem: str
    content: str
    unit: str
    before: str
    after: str

    @property
    def worse(self) -> bool:
        return SCHEDULE_RANK[self.after] < SCHEDULE_RANK[self.before]


# 序时进度 from worst to best, for "went behind / moved ahead"; standing measures are not ranked
SCHEDULE_RANK = {"behind": 0, "not_started": 1, "on_schedule": 2, "ahead": 3, "rectified": 4, "closed": 5}


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
    cases_closed_in_period: int = 0
    cases_unfounded: int = 0
    cases_verified: int = 0
    cases_overdue: int = 0
    cases_feedback_late: int = 0
    closed_rate: float | None = None
    on_time_rate: float | None = None
    unfounded_rate: float | None = None
    cases_by_county: dict[str, int] = field(default_factory=dict)
    cases_by_type: dict[str, int] = field(default_factory=dict)
    cases_by_batch: dict[str, int] = field(default_factory=dict)  # "" = no batch
    findings_total: int = 0
    findings_new: int = 0
    findings_closed_in_period: int = 0
    findings_by_status: dict[str, int] = field(default_factory=dict)
    findings_by_county: dict[str, int] = field(default_factory=dict)
    findings_by_type: dict[str, int] = field(default_factory=dict)
    findings_by_batch: dict[str, int] = field(default_factory=dict)  # their case's batch; "" = none
    rebound: int = 0
    waiting_signoff: int = 0
    wait_days: int = WAIT_DAYS
    measures_total: int = 0
    measures_by_status: dict[str, int] = field(default_factory=dict)
    measures_groups: dict[str, int] = field(default_factory=dict)
    measures_by_county: dict[str, dict[str, int]] = field(default_factory=dict)
    schedule_since: dt.date | None = None  # weekly: 序时进度 compared with this day (a week before the end)
    schedule_changes: list[ScheduleChange] = field(default_factory=list)
    schedule_worse: int = 0
    schedule_better: int = 0
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
    decisions_meeting: dt.date | None = None  # dispatch: the meeting whose decisions the pack follows up
    decisions: list[decisions_svc.DecisionLine] = field(default_factory=list)
    decisions_by_state: dict[str, int] = field(default_factory=dict)
    data_version: dict[str, Any] = field(default_factory=dict)
    level: str = "county"  # what the *_by_county tables are keyed by: counties, or (a province) cities

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
        ("decisions", DispatchDecision.id, DispatchDecision.updated_at),
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


def _by_level(counts: dict[str, Any], level: str) -> dict[str, Any]:
    """Per-county counts (int, or a dict of ints) summed per city for `level="city"`; the
    county-less key "" (a city-wide problem) stays as it is."""
    if level == "county":
        return counts
    out: dict[str, Any] = {}
    for code, value in counts.items():
        key = geo.unit_code_of(code, level) if code else ""
        if isinstance(value, dict):
            acc = out.setdefault(key, {})
            for k, v in value.items():
                acc[k] = acc.get(k, 0) + v
        else:
            out[key] = out.get(key, 0) + value
    return dict(sorted(out.items()))


def compute(session: Session, user: User, kind: str, day: dt.date, *, county: str | None = None,
            feedback_days: int = 10, wait_days: int = WAIT_DAYS, level: str = "county",
            flt: MapFilter | None = None) -> Figures:
    """All figures of one report; same data and same arguments give the same figures.

    `county` narrows the user's scope to one county, or (a province deployment) one city;
    `level="city"` groups the per-county tables by city; `flt` is the map's filter (the
    dashboard), applied as the module docstring says."""
    if level not in geo.LEVELS:
        raise ValidationError("report.bad_level", field="level", level=level, levels=", ".join(geo.LEVELS))
    period = period_for(kind, day)
    scope = report_scope(user, county)
    flt = flt or MapFilter()
    if flt.counties:
        for code in flt.counties:
            if not scope.contains(code):
                raise PermissionDenied("report.county_out_of_scope", county=code)
        scope = Scope.of_units(flt.counties)
    start_at, end_at = _bounds(period)
    end = period.end
    fig = Figures(kind, period.start, end, None if scope.is_all else sorted(scope.counties or ()),
                  wait_days=wait_days, level=level)

    # --- cases: one aggregate row, the listed cases, two GROUP BYs -------------------------------
    dialect = session.get_bind().dialect.name
    in_scope = scope_clause(scope, Case.county_adcode)
    received = and_(in_scope, or_(Case.handed_over_on.is_(None), Case.handed_over_on <= end))
    done = CaseResult.closure_state == "done"
    not_done = or_(CaseResult.closure_state.is_(None), CaseResult.closure_state != "done")
    not_given = and_(CaseResult.truthfulness.is_(None),
                     or_(CaseResult.closure_state.is_(None), CaseResult.closure_state.not_in(("done", "staged"))))
    fb_late = and_(not_given, or_(
        and_(CaseResult.feedback_due.is_not(None), CaseResult.feedback_due < end),
        and_(CaseResult.feedback_due.is_(None), CaseResult.closure_state.is_(None), Case.handed_over_on.is_not(None),
             Case.handed_over_on < end - dt.timedelta(days=feedback_days))))
    on_time = and_(done, or_(Case.deadline.is_(None),
                             and_(CaseResult.updated_at.is_not(None),
                                  sqlfn.local_date(CaseResult.updated_at) <= Case.deadline)))
    overdue = and_(not_done, Case.deadline.is_not(None), Case.deadline < end)
    closed_here = and_(done, CaseResult.updated_at.is_not(None),
                       sqlfn.local_date(CaseResult.updated_at) >= period.start,
                       sqlfn.local_date(CaseResult.updated_at) <= end)
    case_done = select(CaseResult.case_id).where(done).correlate(None)
    case_flt = _case_filter(flt, case_done, end)
    if case_flt is not None:
        received = and_(received, case_flt)
    cnt = func.count(Case.id)
    agg = session.execute(
        select(cnt, cnt.filter(Case.handed_over_on >= period.start), cnt.filter(done), cnt.filter(on_time),
               cnt.filter(CaseResult.truthfulness.is_not(None)), cnt.filter(CaseResult.truthfulness == "false"),
               cnt.filter(overdue), cnt.filter(fb_late), cnt.filter(closed_here))
        .select_from(Case).outerjoin(CaseResult, CaseResult.case_id == Case.id).where(received)).one()
    (fig.cases_total, fig.cases_new, fig.cases_closed, fig.cases_closed_on_time, fig.cases_verified,
     fig.cases_unfounded, fig.cases_overdue, fig.cases_feedback_late, fig.cases_closed_in_period) = \
        (int(x or 0) for x in agg)
    for r in session.execute(
            select(Case.case_no, Case.county_adcode, Case.deadline, Case.key_attention, Case.responsible_unit,
                   Case.lead_unit, Case.responsible_person, Case.content, overdue.label("overdue"))
            .outerjoin(CaseResult, CaseResult.case_id == Case.id)
            .where(received, or_(overdue, and_(Case.key_attention.is_(True), not_done))).order_by(Case.id)):
        line = CaseLine(r.case_no, r.county_adcode, r.responsible_unit or r.lead_unit, r.responsible_person,
                        r.deadline, (r.content or "")[:80])
        if r.overdue:
            fig.overdue_cases.append(line)
        if r.key_attention:
            fig.key_cases.append(line)
    fig.closed_rate = rate(fig.cases_closed, fig.cases_total)
    fig.on_time_rate = rate(fig.cases_closed_on_time, fig.cases_total)
    fig.unfounded_rate = rate(fig.cases_unfounded, fig.cases_verified)
    fig.cases_by_county = {c or "": int(k) for c, k in session.execute(
        select(Case.county_adcode, func.count()).where(received).group_by(Case.county_adcode)
        .order_by(Case.county_adcode))}
    fig.cases_by_county = dict(sorted(fig.cases_by_county.items()))
    fig.cases_by_type = _type_counts(session, dialect, Case.pollution_types, select_from=Case, where=received)
    fig.cases_by_batch = _batch_keys(session.execute(
        select(Case.batch, func.count()).where(received).group_by(Case.batch)))

    # --- findings ----------------------------------------------------------------------------
    f_scope = and_(scope_clause(scope, Site.county_adcode), Finding.created_at < end_at)
    finding_flt = _finding_filter(flt, end)
    if finding_flt is not None:
        f_scope = and_(f_scope, finding_flt)
    base = select(Finding.status, func.count()).join(Site, Site.id == Finding.site_id).where(f_scope)
    fig.findings_by_status = {s: int(n) for s, n in session.execute(base.group_by(Finding.status)).all()}
    fig.findings_total = sum(fig.findings_by_status.values())
    fig.findings_new = int(session.scalar(select(func.count()).select_from(Finding).join(Site, Site.id == Finding.site_id)
                                          .where(f_scope, Finding.created_at >= start_at)) or 0)
    fig.findings_by_county = {c or "": int(n) for c, n in session.execute(
        select(Site.county_adcode, func.count()).join(Finding, Finding.site_id == Site.id).where(f_scope)
        .group_by(Site.county_adcode).order_by(Site.county_adcode)).all()}
    fig.findings_by_type = _type_counts(session, dialect, Finding.pollution_types, select_from=Finding,
                                        where=f_scope, join=(Site, Site.id == Finding.site_id))
    fig.findings_by_batch = _batch_keys(session.execute(
        select(Case.batch, func.count()).select_from(Finding).join(Site, Site.id == Finding.site_id)
        .outerjoin(Case, Case.id == Finding.case_id).where(f_scope).group_by(Case.batch)))
    fig.findings_closed_in_period = int(session.scalar(
        select(func.count()).select_from(Finding).join(Site, Site.id == Finding.site_id)
        .where(f_scope, Finding.status == "closed", Finding.notice_ends_on >= period.start,
               Finding.notice_ends_on <= end)) or 0)
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
    if kind == "weekly":
        _schedule_changes(session, fig, m_rows, end)
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
    for day_, k in session.execute(select(Case.handed_over_on, func.count()).where(
            received, Case.handed_over_on >= first).group_by(Case.handed_over_on)):
        new_by_week[progress.week_of(_as_date(day_))] += int(k)
    fnew: Counter[dt.date] = Counter()
    first_at = dt.datetime.combine(first, dt.time(), tzinfo=clock.CHINA_TZ)
    created_day = sqlfn.local_date(Finding.created_at)
    for day_, k in session.execute(select(created_day, func.count()).join(Site, Site.id == Finding.site_id)
                                   .where(f_scope, Finding.created_at >= first_at).group_by(created_day)):
        fnew[progress.week_of(_as_date(day_))] += int(k)
    fig.trend = [{"week": wk.isoformat(), "cases_new": new_by_week.get(wk, 0), "findings_new": fnew.get(wk, 0)}
                 for wk in weeks]

    # --- 议定事项: the dispatch pack opens with the previous meeting's decisions ---------------------
    if kind == "dispatch":
        fig.decisions_meeting, fig.decisions = decisions_svc.follow_up(session, scope, period.start, end)
        states = Counter(d.state for d in fig.decisions)
        fig.decisions_by_state = {c: states.get(c, 0) for c in DECISION_STATUS.codes}

    fig.cases_by_county = _by_level(fig.cases_by_county, level)
    fig.findings_by_county = _by_level(fig.findings_by_county, level)
    fig.measures_by_county = _by_level(fig.measures_by_county, level)
    fig.data_version = data_version(session)
    return fig


def _case_filter(flt: MapFilter, case_done: Any, end: dt.date) -> Any:
    """The map filter's condition on a case (None: no condition); the county is in the scope."""
    parts: list[Any] = []
    if flt.statuses:
        parts.append(Case.id.in_(select(Finding.case_id).where(Finding.case_id.is_not(None),
                                                               Finding.status.in_(flt.statuses)).correlate(None)))
    if flt.types:
        parts.append(types_clause(Case.pollution_types, flt.types))
    if flt.batches:
        parts.append(Case.batch.in_(flt.batches))
    if flt.key_attention:
        parts.append(Case.key_attention.is_(True))
    if flt.overdue:
        parts.append(and_(Case.deadline.is_not(None), Case.deadline < end, Case.id.not_in(case_done)))
    return and_(*parts) if parts else None


def _finding_filter(flt: MapFilter, end: dt.date) -> Any:
    """The map filter's condition on a finding (None: no condition); batch, 重点关注 and the
    fallback deadline are its case's, asked by subquery so every findings query keeps its joins."""
    parts: list[Any] = []
    if flt.statuses:
        parts.append(Finding.status.in_(flt.statuses))
    if flt.types:
        parts.append(types_clause(Finding.pollution_types, flt.types))
    if flt.batches:
        parts.append(Finding.case_id.in_(_case_ids(Case.batch.in_(flt.batches))))
    if flt.key_attention:
        parts.append(Finding.case_id.in_(_case_ids(Case.key_attention.is_(True))))
    if flt.overdue:
        parts.append(and_(Finding.status.not_in(NOT_OVERDUE), or_(
            and_(Finding.deadline.is_not(None), Finding.deadline < end),
            and_(Finding.deadline.is_(None),
                 Finding.case_id.in_(_case_ids(Case.deadline.is_not(None), Case.deadline < end))))))
    return and_(*parts) if parts else None


def _case_ids(*where: Any) -> Any:
    """Ids of the cases matching `where`, never correlated with a query that joins cases itself."""
    return select(Case.id).where(*where).correlate(None)


def _batch_keys(rows: Any) -> dict[str, int]:
    """{batch: count} with text keys (JSON-stable, "" = no batch), in batch order."""
    counts = {b: int(n) for b, n in rows}
    return {("" if b is None else str(b)): counts[b] for b in sorted(counts, key=lambda b: (b is not None, b or 0))}


def _schedule_changes(session: Session, fig: Figures, m_rows: Sequence[Any], end: dt.date) -> None:
    """序时进度 a week ago against now, per measure (weekly report).

    A measure's stage and percentage a week ago are those of its latest weekly report made by
    the end of that day. With no report by then: if no report came since either, the values it
    holds now were already its values then (imported with the plan, nothing said since); if its
    first report came this week, it had reported nothing (尚未启动, no percentage). The dates
    and standing flag are the measure's own. Two queries: the latest report per measure before
    the cutoff (a window function), and which measures were reported on since."""
    since = end - dt.timedelta(days=7)
    _, cutoff = _bounds(Period("x", since, since))
    ranked = (select(MeasureReport.measure_id, MeasureReport.stage, MeasureReport.percent,
                     func.row_number().over(partition_by=MeasureReport.measure_id,
                                            order_by=(MeasureReport.reported_at.desc(), MeasureReport.id.desc()))
                     .label("rn"))
              .where(MeasureReport.reported_at < cutoff).subquery())
    then = {r.measure_id: (r.stage, r.percent) for r in session.execute(
        select(ranked.c.measure_id, ranked.c.stage, ranked.c.percent).where(ranked.c.rn == 1))}
    reported_since = set(session.scalars(select(MeasureReport.measure_id).where(MeasureReport.reported_at >= cutoff)
                                         .distinct()))
    fig.schedule_since = since
    for m in m_rows:
        deadline = m.deadline or m.p_deadline
        if m.id in then:
            stage, percent = then[m.id]
        elif m.id in reported_since:
            stage, percent = None, None
        else:
            stage, percent = m.progress, m.percent
        before = _measure_status(since, m.start_date, deadline, m.standing, stage, percent)
        after = _measure_status(end, m.start_date, deadline, m.standing, m.progress, m.percent)
        if before == after or before not in SCHEDULE_RANK or after not in SCHEDULE_RANK:
            continue
        fig.schedule_changes.append(ScheduleChange(
            m.id, m.title[:60], m.content[:80], m.responsible_unit or m.lead_unit or m.p_unit or m.p_lead,
            before, after))
    fig.schedule_worse = sum(1 for c in fig.schedule_changes if c.worse)
    fig.schedule_better = len(fig.schedule_changes) - fig.schedule_worse


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _type_counts(session: Session, dialect: str, column: Any, *, select_from: Any, where: Any,
                 join: tuple[Any, Any] | None = None) -> dict[str, int]:
    """Rows per pollution type (a row may list several), counted in SQL over the JSON array."""
    el = sqlfn.json_elements(dialect, column)
    stmt = select(el.c.value, func.count()).select_from(select_from)
    if join is not None:
        stmt = stmt.join(*join)
    stmt = stmt.join(el, sqlfn.ON).where(where).group_by(el.c.value)
    return dict(sorted((str(t), int(k)) for t, k in session.execute(stmt)))


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


