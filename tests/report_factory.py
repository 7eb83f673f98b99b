"""Seed a random but reproducible programme for the report tests and bench (SQLAlchemy Core,
bulk inserts), and recompute every report figure from the raw rows in plain Python — an
independent second implementation of the rules in field/reports/figures.py's docstring."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from field.data.ledger_models import AccountabilityRecord, CaseResult, Measure, MeasureReport, Problem
from field.data.models import Case, Finding, Site, Verification
from field.domain import clock, schedule
from field.domain.vocab import ACCOUNTABILITY_MEASURES, MEASURE_PROGRESS, POLLUTION_TYPES, STATUS
from field.reports import figures
from field.services import progress
from field.services.findings import NOT_OVERDUE, MapFilter

COUNTIES = ["130902", "130903", "130921", None]
UNITS = ["市生态环境局", "市住建局", "市水务局", "市城管局"]
START = dt.date(2024, 1, 1)


def _at(rnd: random.Random, days: int = 180) -> dt.datetime:
    return dt.datetime.combine(START, dt.time(), tzinfo=clock.CHINA_TZ) + dt.timedelta(minutes=rnd.randrange(days * 1440))


def seed(session: Session, author_id: int, *, cases: int = 120, findings: int = 150, problems: int = 12,
         measures_per: int = 4, records: int = 30, rnd_seed: int = 7) -> None:
    rnd = random.Random(rnd_seed)
    types = list(POLLUTION_TYPES.codes)
    case_rows, result_rows = [], []
    for i in range(1, cases + 1):
        handed = START + dt.timedelta(days=rnd.randrange(180))
        case_rows.append({"id": i, "case_no": f"X{i:05d}", "batch": 1 + i % 5, "handed_over_on": handed,
                          "county_adcode": rnd.choice(COUNTIES), "pollution_types": rnd.sample(types, rnd.randint(0, 2)),
                          "key_attention": rnd.random() < 0.15, "deadline": handed + dt.timedelta(days=rnd.randint(5, 60))
                          if rnd.random() < 0.8 else None, "responsible_unit": rnd.choice(UNITS),
                          "responsible_person": f"张{i % 7}", "content": f"群众反映某处污染{i}",
                          "created_at": _at(rnd), "updated_at": _at(rnd), "extra": {}})
        if rnd.random() < 0.8:
            result_rows.append({"case_id": i, "closure_state": rnd.choice(["done", "staged", "open", None]),
                                "truthfulness": rnd.choice(["true", "mostly", "partly", "false", None]),
                                "feedback_due": handed + dt.timedelta(days=10) if rnd.random() < 0.7 else None,
                                "updated_at": _at(rnd)})
    session.execute(insert(Case), case_rows)
    if result_rows:
        session.execute(insert(CaseResult), result_rows)
    site_rows, finding_rows, ver_rows = [], [], []
    statuses = list(STATUS.codes)
    for i in range(1, findings + 1):
        site_rows.append({"id": i, "name": f"点位{i}", "lon": 116.8 + rnd.random() * 0.3, "lat": 38.2 + rnd.random() * 0.3,
                          "location_source": "map", "county_adcode": rnd.choice(COUNTIES), "created_at": _at(rnd)})
        st = rnd.choice(statuses)
        created = _at(rnd)
        notice = (clock.today_local(created) + dt.timedelta(days=rnd.randint(10, 40))) if st == "closed" else None
        # every other finding belongs to a case (batch, 重点关注, its deadline); every fifth has
        # its own deadline: what the map's filter reads (no draw from `rnd`, the rest stays as it was)
        finding_rows.append({"id": i, "site_id": i, "author_id": author_id, "description": f"问题{i}",
                             "notice_ends_on": notice, "case_id": i if i % 2 == 0 and i <= cases else None,
                             "deadline": clock.today_local(created) + dt.timedelta(days=i % 40) if i % 5 == 0 else None,
                             "pollution_types": rnd.sample(types, rnd.randint(1, 2)), "status": st,
                             "created_at": created, "updated_at": created, "observed_at": created})
        if st == "awaiting_signoff" or rnd.random() < 0.3:
            for _ in range(rnd.randint(1, 2)):
                ver_rows.append({"finding_id": i, "author_id": author_id, "truthfulness": "true",
                                 "created_at": created + dt.timedelta(days=rnd.randint(0, 30))})
    session.execute(insert(Site), site_rows)
    session.execute(insert(Finding), finding_rows)
    if ver_rows:
        session.execute(insert(Verification), ver_rows)
    prob_rows, meas_rows, rep_rows = [], [], []
    mid = 0
    for p in range(1, problems + 1):
        prob_rows.append({"id": p, "title": f"整改问题{p}", "county_adcode": rnd.choice(COUNTIES),
                          "deadline": START + dt.timedelta(days=rnd.randint(60, 400)), "responsible_unit": rnd.choice(UNITS),
                          "extra": {}, "created_at": _at(rnd), "updated_at": _at(rnd)})
        for k in range(measures_per):
            mid += 1
            stage = rnd.choice(["not_started", "in_progress", "rectified", "closed", "on_schedule"])
            meas_rows.append({"id": mid, "problem_id": p, "seq": k + 1, "content": f"措施{p}-{k + 1}",
                              "responsible_unit": rnd.choice(UNITS) if rnd.random() < 0.8 else "",
                              "deadline": START + dt.timedelta(days=rnd.randint(30, 400)) if rnd.random() < 0.8 else None,
                              "standing": rnd.random() < 0.1, "start_date": START if rnd.random() < 0.8 else None,
                              "percent": rnd.choice([None, 0, 20, 50, 80, 100]), "progress": stage, "extra": {},
                              "created_at": _at(rnd), "updated_at": _at(rnd)})
            for _ in range(rnd.randint(0, 3)):
                at = _at(rnd)
                week = progress.week_of(clock.today_local(at))
                rep_rows.append({"measure_id": mid, "unit": rnd.choice(UNITS), "week": week, "stage": "in_progress",
                                 "percent": 50, "reported_at": at, "late": at > progress.due_at(week)})
    session.execute(insert(Problem), prob_rows)
    session.execute(insert(Measure), meas_rows)
    if rep_rows:
        session.execute(insert(MeasureReport), rep_rows)
    acc = list(ACCOUNTABILITY_MEASURES.codes)
    acc_rows = []
    for i in range(records):
        m = rnd.choice(acc)
        acc_rows.append({"case_id": rnd.randint(1, cases), "person": f"李{i % 9}", "unit": rnd.choice(UNITS), "measure": m,
                         "fine_yuan": Decimal(rnd.randint(1, 50) * 1000) if m == "case_penalty" else None,
                         "decided_on": START + dt.timedelta(days=rnd.randrange(180)) if rnd.random() < 0.9 else None,
                         "county_adcode": rnd.choice(COUNTIES), "created_at": _at(rnd)})
    session.execute(insert(AccountabilityRecord), acc_rows)
    session.flush()


def in_scope(county: str | None, counties: list[str] | None) -> bool:
    return counties is None or county in counties


def reference(session: Session, kind: str, day: dt.date, counties: list[str] | None, *, feedback_days: int = 10,
              wait_days: int = figures.WAIT_DAYS, flt: MapFilter | None = None) -> dict[str, Any]:
    """Every headline figure, counted row by row from ORM objects; `flt` (the map's filter) read
    as figures.py's docstring says, its counties given as `counties`."""
    period = figures.period_for(kind, day)
    start, end = period.start, period.end
    local = clock.today_local
    flt = flt or MapFilter()
    out: dict[str, Any] = {}
    results = {r.case_id: r for r in session.scalars(select(CaseResult))}
    all_findings = list(session.scalars(select(Finding)))
    all_cases = {c.id: c for c in session.scalars(select(Case))}

    def done(c: Case) -> bool:
        return bool(results.get(c.id)) and results[c.id].closure_state == "done"

    def case_kept(c: Case) -> bool:
        return ((not flt.statuses or any(f.case_id == c.id and f.status in flt.statuses for f in all_findings))
                and (not flt.types or bool(set(flt.types) & set(c.pollution_types)))
                and (not flt.batches or c.batch in flt.batches) and (not flt.key_attention or c.key_attention)
                and (not flt.overdue or (not done(c) and c.deadline is not None and c.deadline < end)))

    def finding_kept(f: Finding) -> bool:
        case = all_cases.get(f.case_id) if f.case_id is not None else None
        deadline = f.deadline or (case.deadline if case is not None else None)
        return ((not flt.statuses or f.status in flt.statuses)
                and (not flt.types or bool(set(flt.types) & set(f.pollution_types)))
                and (not flt.batches or (case is not None and case.batch in flt.batches))
                and (not flt.key_attention or (case is not None and case.key_attention))
                and (not flt.overdue or (f.status not in NOT_OVERDUE and deadline is not None and deadline < end)))

    cases = [c for c in all_cases.values() if in_scope(c.county_adcode, counties)
             and (c.handed_over_on is None or c.handed_over_on <= end) and case_kept(c)]
    closed = [c for c in cases if results.get(c.id) and results[c.id].closure_state == "done"]
    on_time = [c for c in closed if c.deadline is None or local(results[c.id].updated_at) <= c.deadline]
    verified = [c for c in cases if results.get(c.id) and results[c.id].truthfulness is not None]
    unfounded = [c for c in verified if results[c.id].truthfulness == "false"]
    overdue = [c for c in cases if c not in closed and c.deadline is not None and c.deadline < end]
    late = 0
    for c in cases:
        r = results.get(c.id)
        due = r.feedback_due if r else None
        if due is None and (r is None or r.closure_state is None) and c.handed_over_on:
            due = c.handed_over_on + dt.timedelta(days=feedback_days)
        given = r is not None and (r.truthfulness is not None or r.closure_state in ("done", "staged"))
        late += bool(due is not None and due < end and not given)
    out.update(cases_total=len(cases), cases_new=sum(1 for c in cases if c.handed_over_on and c.handed_over_on >= start),
               cases_closed=len(closed), cases_closed_on_time=len(on_time), cases_unfounded=len(unfounded),
               cases_verified=len(verified), cases_overdue=len(overdue), cases_feedback_late=late,
               key_cases=sum(1 for c in cases if c.key_attention and c not in closed),
               cases_closed_in_period=sum(1 for c in closed if start <= local(results[c.id].updated_at) <= end))
    pct = lambda a, b: None if b == 0 else round(a * 100.0 / b, 1)  # noqa: E731
    out.update(closed_rate=pct(len(closed), len(cases)), on_time_rate=pct(len(on_time), len(cases)),
               unfounded_rate=pct(len(unfounded), len(verified)))
    out["cases_by_type"] = dict(sorted(Counter(t for c in cases for t in c.pollution_types).items()))
    out["cases_by_county"] = dict(Counter(c.county_adcode or "" for c in cases))
    out["cases_by_batch"] = dict(Counter("" if c.batch is None else str(c.batch) for c in cases))
    sites = {s.id: s for s in session.scalars(select(Site))}
    finds = [f for f in all_findings if in_scope(sites[f.site_id].county_adcode, counties)
             and local(f.created_at) <= end and finding_kept(f)]
    out["findings_by_county"] = dict(Counter(sites[f.site_id].county_adcode or "" for f in finds))
    batch_of = lambda f: all_cases[f.case_id].batch if f.case_id is not None else None  # noqa: E731
    out["findings_by_batch"] = dict(Counter("" if batch_of(f) is None else str(batch_of(f)) for f in finds))
    out["findings_total"] = len(finds)
    out["findings_new"] = sum(1 for f in finds if local(f.created_at) >= start)
    out["findings_by_status"] = dict(Counter(f.status for f in finds))
    out["findings_by_type"] = dict(sorted(Counter(t for f in finds for t in f.pollution_types).items()))
    out["findings_closed_in_period"] = sum(1 for f in finds if f.status == "closed" and f.notice_ends_on is not None
                                           and start <= f.notice_ends_on <= end)
    out["rebound"] = sum(1 for f in finds if f.status == "reopened")
    vers: dict[int, dt.datetime] = {}
    for v in session.scalars(select(Verification)):
        vers[v.finding_id] = max(vers.get(v.finding_id, v.created_at), v.created_at)
    cutoff = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=clock.CHINA_TZ) - dt.timedelta(days=wait_days)
    out["waiting_signoff"] = sum(1 for f in finds if f.status == "awaiting_signoff" and f.id in vers
                                 and vers[f.id] < cutoff)
    m_status: Counter[str] = Counter()
    for m in session.scalars(select(Measure)):
        p = session.get(Problem, m.problem_id)
        assert p is not None
        if not in_scope(p.county_adcode, counties):
            continue
        m_status[schedule.status(today=end, start=m.start_date, deadline=m.deadline or p.deadline,
                                 standing=m.standing, stage=m.progress, percent=m.percent)] += 1
    out["measures_total"] = sum(m_status.values())
    if kind == "weekly":
        out["schedule_changes"] = _changes(session, end, counties)
    out["measures_by_status"] = {c: m_status.get(c, 0) for c in MEASURE_PROGRESS.codes}
    acc = [r for r in session.scalars(select(AccountabilityRecord)) if in_scope(r.county_adcode, counties)
           and (r.decided_on is None or r.decided_on <= end) and local(r.created_at) <= end]
    people = {(r.person, r.unit) for r in acc if r.measure != "case_penalty"}
    talks = {(r.person, r.unit) for r in acc if r.measure == "talk"}
    fines = sum((r.fine_yuan or Decimal(0) for r in acc if r.measure == "case_penalty"), Decimal(0))
    out.update(acc_people=len(people), acc_talks=len(talks),
               acc_fines_wan=format((fines / 10000).quantize(Decimal("0.01")), "f"))
    return out


def _changes(session: Session, end: dt.date, counties: list[str] | None) -> list[tuple[int, str, str]]:
    """序时进度 a week before `end` (latest report made by the end of that day) against `end`."""
    since = end - dt.timedelta(days=7)
    reports: dict[int, list[MeasureReport]] = {}
    for r in session.scalars(select(MeasureReport)):
        reports.setdefault(r.measure_id, []).append(r)
    rank = ["behind", "not_started", "on_schedule", "ahead", "rectified", "closed"]
    out = []
    for m in session.scalars(select(Measure)):
        p = session.get(Problem, m.problem_id)
        assert p is not None
        if not in_scope(p.county_adcode, counties):
            continue
        mine = reports.get(m.id, [])
        by_then = [r for r in mine if clock.today_local(r.reported_at) <= since]
        if by_then:
            last = max(by_then, key=lambda r: (r.reported_at, r.id))
            stage, percent = last.stage, last.percent
        elif mine:
            stage, percent = None, None
        else:
            stage, percent = m.progress, m.percent
        deadline = m.deadline or p.deadline
        before = schedule.status(today=since, start=m.start_date, deadline=deadline, standing=m.standing, stage=stage,
                                 percent=percent)
        after = schedule.status(today=end, start=m.start_date, deadline=deadline, standing=m.standing,
                                stage=m.progress, percent=m.percent)
        if before != after and before in rank and after in rank:
            out.append((m.id, before, after))
    return sorted(out)


def figures_subset(fig: figures.Figures) -> dict[str, Any]:
    d: dict[str, Any] = {}
    for k in ("cases_total", "cases_new", "cases_closed", "cases_closed_on_time", "cases_unfounded", "cases_verified",
              "cases_overdue", "cases_feedback_late", "cases_closed_in_period", "closed_rate", "on_time_rate", "unfounded_rate", "cases_by_type",
              "cases_by_county", "cases_by_batch", "findings_by_county", "findings_by_batch",
              "findings_total", "findings_new", "findings_closed_in_period", "findings_by_status", "findings_by_type", "rebound", "waiting_signoff",
              "measures_total", "measures_by_status", "acc_people", "acc_talks", "acc_fines_wan"):
        d[k] = getattr(fig, k)
    d["key_cases"] = len(fig.key_cases)
    if fig.kind == "weekly":
        d["schedule_changes"] = sorted((c.id, c.before, c.after) for c in fig.schedule_changes)
    return d
