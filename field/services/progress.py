"""每周填报: responsible units report weekly on their measures; who has not reported, per unit.

How a unit's user is modelled (decision): a new role `unit` plus `User.unit`, the name of the
responsible unit the account reports for (e.g. "市生态环境局"). A scope on case officers was
the alternative, but unit staff are not case officers: they must not see complaints, findings
or the map, only their unit's measures, and a unit is not a county (市住建局 works city-wide).
A `unit` user's measures are those whose 责任单位 or 牵头单位 names the unit (cells may list
several units, "市生态环境局、市住建局"); case officers and admins may report for any unit.

Reports are only ever added (`MeasureReport`): a correction is a new report, the history of
what was said and when stays. The measure keeps the latest stage and percentage as a cache, from
which `field.domain.schedule.status` computes 序时进度. A week's report is due by
`DUE_WEEKDAY`/`DUE_HOUR` local time of that week (Friday 18:00: the Monday summary, 每周一汇总,
is made from it); a report after that is kept and marked late. Evidence files are stored by the
SHA-256 of their bytes (`EvidenceStore`), so a file sent twice is kept once and tampering shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from field.data.ledger_models import Measure as MeasureRow
from field.data.ledger_models import MeasureReport, Problem, ReportFile
from field.data.models import User
from field.domain import clock
from field.domain.errors import PermissionDenied, ValidationError
from field.domain.permissions import require
from field.domain.vocab import REPORT_STAGES
from field.services import audit

DUE_WEEKDAY = 4  # Friday
DUE_HOUR = 18
MAX_FILE_BYTES = 20 * 1024 * 1024
_SPLIT = re.compile(r"[、，,；;\s/]+")
DONE_STAGES = ("rectified", "closed")  # need no weekly report any more


class EvidenceStore:
    """Content-addressed files: evidence/ab/cd/<sha256>; each written once, atomically."""

    def __init__(self, root: Path | str):
        self.root = Path(root) / "evidence"

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        return sha

    def verify(self, sha256: str) -> bool:
        p = self.path(sha256)
        return p.is_file() and hashlib.sha256(p.read_bytes()).hexdigest() == sha256


def unit_names(m_unit: str | None, m_lead: str | None, p_unit: str | None = None,
               p_lead: str | None = None) -> set[str]:
    """The units named by a measure's 责任单位 and 牵头单位 cells (else its problem's)."""
    text = " ".join(x for x in (m_unit, m_lead) if x)
    if not text:
        text = " ".join(x for x in (p_unit, p_lead) if x)
    return {u for u in _SPLIT.split(text) if u}


def units_of(measure: MeasureRow, problem: Problem | None = None) -> set[str]:
    """The units a measure belongs to: its 责任单位 and 牵头单位 (else its problem's)."""
    return unit_names(measure.responsible_unit, measure.lead_unit, problem.responsible_unit if problem else None,
                      problem.lead_unit if problem else None)


def week_of(day: dt.date) -> dt.date:
    """Monday of the week containing `day`."""
    return day - dt.timedelta(days=day.weekday())


def due_at(week: dt.date) -> dt.datetime:
    """When the report on `week` is due (local time, aware)."""
    local = dt.datetime.combine(week + dt.timedelta(days=DUE_WEEKDAY), dt.time(DUE_HOUR), tzinfo=clock.CHINA_TZ)
    return local


def _check_unit(user: User, measure: MeasureRow) -> None:
    if user.role != "unit":
        return
    if not user.unit:
        raise PermissionDenied("progress.no_unit")
    if user.unit not in units_of(measure, measure.problem):
        raise PermissionDenied("progress.not_your_unit", unit=user.unit)


def measures_for(session: Session, user: User) -> list[MeasureRow]:
    """The measures this user reports on: their unit's, or every measure for officers/admins."""
    require(user, "progress.view", check_county=False)
    # the problem comes in the same query: units_of reads it, and a lazy load per row was a
    # query per measure
    rows = list(session.scalars(select(MeasureRow).options(joinedload(MeasureRow.problem))
                                .order_by(MeasureRow.problem_id, MeasureRow.seq)))
    if user.role != "unit":
        return rows
    return [m for m in rows if user.unit and user.unit in units_of(m, m.problem)]


@dataclass
class ReportInput:
    stage: str
    percent: int
    done_text: str
    problems_text: str = ""
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (filename, bytes)
    week: dt.date | None = None  # default: the current week


def submit_report(session: Session, user: User, measure_id: int, data: ReportInput, store: EvidenceStore, *,
                  now: dt.datetime | None = None) -> MeasureReport:
    """Add one weekly report; late when after the week's due time. Nothing earlier is changed."""
    require(user, "measure.report", check_county=False)
    now = now or clock.now()
    measure = session.get(MeasureRow, measure_id)
    if measure is None:
        raise ValidationError("progress.measure_not_found", id=measure_id)
    _check_unit(user, measure)
    if data.stage not in REPORT_STAGES:
        raise ValidationError("progress.bad_stage", field="stage")
    if not isinstance(data.percent, int) or isinstance(data.percent, bool) or not 0 <= data.percent <= 100:
        raise ValidationError("progress.bad_percent", field="percent")
    if not data.done_text.strip():
        raise ValidationError("progress.need_text", field="done_text")
    if measure.percent is not None and data.percent < measure.percent and not data.problems_text.strip():
        raise ValidationError("progress.percent_down", field="percent", percent=data.percent, last=measure.percent)
    for name, blob in data.files:
        if len(blob) > MAX_FILE_BYTES:
            raise ValidationError("progress.file_too_big", field="files", name=name, max=MAX_FILE_BYTES // 2**20)
    week = week_of(data.week or now.astimezone(clock.CHINA_TZ).date())
    unit = user.unit if user.role == "unit" else (sorted(units_of(measure, measure.problem)) or [""])[0]
    report = MeasureReport(measure_id=measure.id, unit=unit, week=week, stage=data.stage, percent=data.percent,
                           done_text=data.done_text.strip(), problems_text=data.problems_text.strip(),
                           reported_by=user.id, reported_at=now, late=now > due_at(week))
    session.add(report)
    session.flush()
    for name, blob in data.files:
        session.add(ReportFile(report_id=report.id, sha256=store.put(blob), filename=name[:200], size=len(blob)))
    measure.progress, measure.percent = data.stage, data.percent
    measure.progress_text = "\n".join(x for x in (report.done_text, report.problems_text) if x)
    if measure.start_date is None and data.stage != "not_started":
        measure.start_date = week
    audit.record(session, user, "measure", measure.id, "report",
                 after={"week": week, "stage": data.stage, "percent": data.percent, "late": report.late,
                        "files": len(data.files)})
    session.flush()
    return report


def history(session: Session, user: User, measure_id: int) -> list[MeasureReport]:
    require(user, "progress.view", check_county=False)
    measure = session.get(MeasureRow, measure_id)
    if measure is None:
        raise ValidationError("progress.measure_not_found", id=measure_id)
    _check_unit(user, measure)
    return list(session.scalars(select(MeasureReport).where(MeasureReport.measure_id == measure_id)
                                .order_by(MeasureReport.reported_at, MeasureReport.id)))


@dataclass
class UnitStatus:
    unit: str
    missing: list[int] = field(default_factory=list)  # measure ids with no report for the week
    late: list[int] = field(default_factory=list)  # reported, but after the due time


def missing_reports(session: Session, user: User, week: dt.date, *, now: dt.datetime | None = None,
                    units: Iterable[str] | None = None) -> list[UnitStatus]:
    """Per unit, the open measures without a report on `week` (and those reported late).
    Measures already rectified or closed need no weekly report. Before the due time has passed
    nothing is missing yet.

    Set-based: one query for the open measures with their problem's unit cells (columns only)
    and one for the week's reports, whatever the number of measures, problems or units; the
    unit cells are split in Python because a cell may list several units."""
    require(user, "progress.view", check_county=False)
    now = now or clock.now()
    week = week_of(week)
    reports: dict[int, list[tuple[str, bool]]] = {}
    for measure_id, unit_name, late in session.execute(
            select(MeasureReport.measure_id, MeasureReport.unit, MeasureReport.late)
            .where(MeasureReport.week == week)):
        reports.setdefault(measure_id, []).append((unit_name, bool(late)))
    measures = session.execute(
        select(MeasureRow.id, MeasureRow.responsible_unit, MeasureRow.lead_unit,
               Problem.responsible_unit.label("p_unit"), Problem.lead_unit.label("p_lead"))
        .join(Problem, Problem.id == MeasureRow.problem_id)
        .where(or_(MeasureRow.progress.is_(None), MeasureRow.progress.not_in(DONE_STAGES)))
        .order_by(MeasureRow.problem_id, MeasureRow.seq)).all()
    wanted = set(units) if units is not None else None
    if user.role == "unit":
        wanted = {user.unit or ""} & wanted if wanted is not None else {user.unit or ""}
    out: dict[str, UnitStatus] = {}
    overdue = now > due_at(week)
    for m in measures:
        names = unit_names(m.responsible_unit, m.lead_unit, m.p_unit, m.p_lead)
        for unit in sorted(names if wanted is None else names & wanted):
            st = out.setdefault(unit, UnitStatus(unit))
            mine = reports.get(m.id, [])
            got = [late for u, late in mine if u in (unit, "")] or [late for _, late in mine]
            if not got:
                if overdue:
                    st.missing.append(m.id)
            elif all(got):
                st.late.append(m.id)
    return [s for s in sorted(out.values(), key=lambda s: s.unit) if s.missing or s.late]
