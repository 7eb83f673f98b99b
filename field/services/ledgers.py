"""Problems and measures (整改问题 / 整改措施), and the ledgers and lists the plan names:
3 本台账 (整改问题台账, 整改措施台账, 信访问题台账), 4 个清单 (问题清单, 整改清单, 责任清单, 效果清单)
and the 公开情况一览表 of a batch.

A ledger is built once as a `Ledger` (column keys + rows of plain values) and then either shown
(the page makes a DataFrame) or written to .xlsx; so the view and the export can never disagree,
and both contain only what the user's county scope allows (filtering happens in the query).
The .xlsx writer uses openpyxl's write_only mode, which streams rows instead of keeping a cell
object per value; 10,000 rows export in well under the 3 s goal (bench/ledgers.py).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from field import geo, i18n
from field.caseimport.records import Progress  # one progress-callback type for both imports
from field.data.ledger_models import CaseProblem, CaseResult, FindingProblem, Measure, Problem
from field.data.models import Case, CaseBatch, County, Finding, User
from field.data.scoping import case_scope_clause, scope_clause
from field.domain import clock, schedule
from field.domain.errors import ValidationError
from field.domain.permissions import require
from field.domain.scope import Scope
from field.domain.vocab import (
    CLOSURE_STATES,
    MEASURE_PROGRESS,
    POLLUTION_TYPES,
    RECEIVE_METHODS,
    REPORT_STAGES,
    TRUTHFULNESS,
)
from field.services import audit
from field.services.cases import batch_clause, check_phone, deadline_flag, feedback_given

DONE_PROGRESS = ("rectified", "closed")  # 长期坚持 is never "done": it is a standing measure

# kind -> title key; the order is the order the page offers them.
KINDS: dict[str, str] = {
    "problems": "ledger.kind.problems",
    "measures": "ledger.kind.measures",
    "petitions": "ledger.kind.petitions",
    "list_problems": "ledger.kind.list_problems",
    "list_rectification": "ledger.kind.list_rectification",
    "list_responsibility": "ledger.kind.list_responsibility",
    "list_effect": "ledger.kind.list_effect",
    "public": "ledger.kind.public",
}

# The 公开情况一览表 columns exactly as published, in order.
PUBLIC_COLUMNS = ("seq", "case_no", "content", "region", "pollution", "facts", "truthfulness", "handling",
                  "accountability")

COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "seq": ("序号", "No."), "case_no": ("受理编号", "Case no."), "content": ("交办问题基本情况", "Complaint"),
    "region": ("行政区域", "Region"), "pollution": ("污染类型", "Pollution type"),
    "facts": ("调查核实情况", "Facts found"), "truthfulness": ("是否属实", "True?"),
    "handling": ("处理和整改情况", "Handling and rectification"),
    "accountability": ("责任人被处理情况", "Accountability"), "batch": ("批次", "Batch"),
    "handed_over": ("交办日期", "Handed over"), "receive": ("受理方式", "Received by"),
    "key": ("重点关注", "Key case"), "lead_unit": ("牵头单位", "Lead unit"),
    "responsible_unit": ("责任单位", "Responsible unit"), "coop_unit": ("配合单位", "Co-operating units"),
    "person": ("责任人", "Person responsible"), "phone": ("联系电话", "Phone"),
    "feedback_due": ("反馈时限", "Feedback due"), "deadline": ("整改时限", "Deadline"),
    "closure": ("是否办结", "Closure"), "flag": ("时限提示", "Deadline flag"),
    "problem_code": ("问题编号", "Problem no."), "aspect": ("方面", "Aspect"), "problem": ("整改问题", "Problem"),
    "target": ("整改目标", "Target"), "round": ("所属轮次", "Round"), "county": ("行政区划", "County"),
    "measure_seq": ("措施序号", "Measure no."), "measure": ("整改措施", "Measure"),
    "progress": ("整改进展", "Progress"), "progress_text": ("目前进展情况及存在问题", "Progress and issues"),
    "measures_total": ("措施数", "Measures"), "measures_done": ("已完成措施数", "Measures done"),
    "cases_linked": ("关联信访件数", "Linked cases"), "findings_linked": ("关联现场问题数", "Linked findings"),
    "effect": ("整改成效", "Effect"), "completed": ("是否完成整改", "Rectified?"),
    "leader": ("责任领导", "Leader responsible"), "supervising_unit": ("督导单位", "Supervising unit"),
    "due_date": ("完成日期", "Due date"), "percent": ("完成进度（%）", "Done (%)"),
}

_COLUMNS: dict[str, tuple[str, ...]] = {
    "problems": ("seq", "problem_code", "aspect", "problem", "county", "round", "target", "lead_unit",
                 "responsible_unit", "coop_unit", "person", "phone", "deadline", "measures_total", "measures_done",
                 "progress_text", "flag"),
    "measures": ("seq", "aspect", "problem_code", "problem", "measure_seq", "measure", "target", "lead_unit",
                 "responsible_unit", "coop_unit", "leader", "person", "phone", "deadline", "due_date",
                 "supervising_unit", "progress", "percent", "progress_text", "flag"),
    "petitions": ("seq", "batch", "handed_over", "case_no", "receive", "content", "region", "pollution", "key",
                  "lead_unit", "responsible_unit", "coop_unit", "person", "phone", "feedback_due", "deadline",
                  "truthfulness", "closure", "flag", "facts", "handling", "accountability"),
    "list_problems": ("seq", "problem_code", "aspect", "problem", "county", "round", "cases_linked",
                      "findings_linked"),
    "list_rectification": ("seq", "problem_code", "problem", "target", "measure_seq", "measure", "deadline",
                           "due_date", "progress"),
    "list_responsibility": ("seq", "problem_code", "problem", "measure_seq", "measure", "lead_unit",
                            "responsible_unit", "coop_unit", "leader", "person", "phone", "supervising_unit"),
    "list_effect": ("seq", "problem_code", "problem", "target", "measures_total", "measures_done", "effect",
                    "completed"),
    "public": PUBLIC_COLUMNS,
}



# ---------------------------------------------------------------------------------------------
# Problems and measures


@dataclass
class ProblemInput:
    title: str
    code: str = ""
    aspect: str = ""
    target: str = ""
    round: str = ""
    county_adcode: str | None = None
    lead_unit: str = ""
    responsible_unit: str = ""
    coop_unit: str = ""
    responsible_person: str = ""
    responsible_phone: str = ""
    deadline: dt.date | None = None
    progress_text: str = ""
    effect: str = ""


@dataclass
class MeasureInput:
    content: str
    seq: int | None = None
    lead_unit: str = ""
    responsible_unit: str = ""
    coop_unit: str = ""
    responsible_person: str = ""
    responsible_phone: str = ""
    deadline: dt.date | None = None
    progress: str = "not_started"
    progress_text: str = ""


_PROBLEM_FIELDS = [f for f in ProblemInput.__dataclass_fields__]
_MEASURE_FIELDS = [f for f in MeasureInput.__dataclass_fields__]


def _clean(data: Any, fields: list[str]) -> dict[str, Any]:
    out = {}
    for f in fields:
        v = getattr(data, f)
        out[f] = v.strip() if isinstance(v, str) else v
    return out


def create_problem(session: Session, user: User, data: ProblemInput) -> Problem:
    """A problem from the feedback report; a county-limited officer may only file their county's."""
    require(user, "case.edit", data.county_adcode)
    values = _clean(data, _PROBLEM_FIELDS)
    if not values["title"]:
        raise ValidationError("ledger.need_title", field="title")
    if values["county_adcode"] and session.get(County, values["county_adcode"]) is None:
        raise ValidationError("ledger.bad_county", field="county_adcode", county=values["county_adcode"])
    values["responsible_phone"] = check_phone(values["responsible_phone"]) or ""
    problem = Problem(**values)
    session.add(problem)
    session.flush()
    audit.record(session, user, "problem", problem.id, "create", after=values)
    return problem


def update_problem(session: Session, user: User, problem_id: int, **changes: Any) -> Problem:
    problem = _problem(session, user, problem_id)
    unknown = set(changes) - set(_PROBLEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown problem fields: {sorted(unknown)}")
    if "title" in changes and not str(changes["title"]).strip():
        raise ValidationError("ledger.need_title", field="title")
    if "responsible_phone" in changes:
        changes["responsible_phone"] = check_phone(changes["responsible_phone"]) or ""
    if "county_adcode" in changes:
        require(user, "case.edit", changes["county_adcode"])
    before = {k: getattr(problem, k) for k, v in changes.items() if getattr(problem, k) != v}
    for k in before:
        setattr(problem, k, changes[k])
    if before:
        audit.record(session, user, "problem", problem.id, "update", before=before,
                     after={k: changes[k] for k in before})
    session.flush()
    return problem


def _problem(session: Session, user: User, problem_id: int) -> Problem:
    problem = session.get(Problem, problem_id)
    if problem is None:
        raise ValidationError("ledger.problem_not_found", id=problem_id)
    require(user, "case.edit", problem.county_adcode)
    return problem


def add_measure(session: Session, user: User, problem_id: int, data: MeasureInput) -> Measure:
    problem = _problem(session, user, problem_id)
    values = _clean(data, _MEASURE_FIELDS)
    if not values["content"]:
        raise ValidationError("ledger.need_content", field="content")
    if values["progress"] not in MEASURE_PROGRESS:
        raise ValidationError("ledger.bad_progress", field="progress")
    values["responsible_phone"] = check_phone(values["responsible_phone"]) or ""
    if values["seq"] is None:
        values["seq"] = (session.scalar(select(func.max(Measure.seq)).where(Measure.problem_id == problem.id))
                         or 0) + 1
    measure = Measure(problem_id=problem.id, **values)
    session.add(measure)
    session.flush()
    audit.record(session, user, "measure", measure.id, "create", after={"problem_id": problem.id, **values})
    return measure


def update_measure(session: Session, user: User, measure_id: int, **changes: Any) -> Measure:
    """Progress in the real vocabulary, the progress note, responsibility, deadline."""
    measure = session.get(Measure, measure_id)
    if measure is None:
        raise ValidationError("ledger.measure_not_found", id=measure_id)
    _problem(session, user, measure.problem_id)
    unknown = set(changes) - set(_MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"unknown measure fields: {sorted(unknown)}")
    # The stage is what a unit reports (REPORT_STAGES); 序时进度 is computed from it, never typed.
    if "progress" in changes and changes["progress"] not in REPORT_STAGES:
        raise ValidationError("ledger.bad_progress", field="progress")
    if "content" in changes and not str(changes["content"]).strip():
        raise ValidationError("ledger.need_content", field="content")
    if "responsible_phone" in changes:
        changes["responsible_phone"] = check_phone(changes["responsible_phone"]) or ""
    before = {k: getattr(measure, k) for k, v in changes.items() if getattr(measure, k) != v}
    for k in before:
        setattr(measure, k, changes[k])
    if before:
        audit.record(session, user, "measure", measure.id, "update", before=before,
                     after={k: changes[k] for k in before})
    session.flush()
    return measure


def _link(session: Session, user: User, problem_id: int, model: Any, column: str, target_id: int,
          county: str | None) -> bool:
    """Link a case or finding to a problem once; True if a new link was made."""
    problem = _problem(session, user, problem_id)
    require(user, "case.edit", county)
    fk = getattr(model, column)
    if session.scalar(select(model).where(fk == target_id, model.problem_id == problem.id)):
        return False
    session.add(model(**{column: target_id, "problem_id": problem.id}))
    audit.record(session, user, "problem", problem.id, f"link_{column.removesuffix('_id')}",
                 after={column: target_id})
    session.flush()
    return True


def link_case(session: Session, user: User, problem_id: int, case_id: int) -> bool:
    """Attach a complaint case to a problem (linking twice is a no-op)."""
    case = session.get(Case, case_id)
    if case is None:
        raise ValidationError("ledger.case_not_found", id=case_id)
    return _link(session, user, problem_id, CaseProblem, "case_id", case_id, case.county_adcode)


def link_case_no(session: Session, user: User, problem_id: int, case_no: str) -> int:
    """Link every case with this 受理编号 (the same number in several inspections) to a problem, as typed
    on the measure form; refuses a number that matches no case. Returns the cases linked."""
    case_no = case_no.strip()
    case_ids = list(session.scalars(select(Case.id).where(Case.case_no == case_no).order_by(Case.id)))
    if not case_ids:
        raise ValidationError("ledger.case_not_found", field="link", id=case_no)
    return sum(link_case(session, user, problem_id, cid) for cid in case_ids)


def link_finding(session: Session, user: User, problem_id: int, finding_id: int) -> bool:
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise ValidationError("ledger.finding_not_found", id=finding_id)
    return _link(session, user, problem_id, FindingProblem, "finding_id", finding_id, finding.site.county_adcode)


def list_problems(session: Session, user: User) -> list[Problem]:
    require(user, "case.view", check_county=False)
    stmt = select(Problem).options(selectinload(Problem.measures)).order_by(Problem.id)
    stmt = stmt.where(scope_clause(Scope.of(user), Problem.county_adcode))
    return list(session.scalars(stmt))


def schedule_status(m: Measure, today: dt.date) -> str:
    """序时进度 of a stored measure today (the rule is `field.domain.schedule.status`)."""
    return schedule.status(today=today, start=m.start_date, deadline=m.deadline or m.problem.deadline,
                           standing=m.standing, stage=m.progress, percent=m.percent)


# ---------------------------------------------------------------------------------------------
# Ledgers


@dataclass
class Ledger:
    kind: str
    title: str
    columns: list[str]  # keys of COLUMN_LABELS
    rows: list[list[Any]] = field(default_factory=list)
    # row index -> the section row ("来电" / "来信") the published table puts before that row
    sections: dict[int, str] = field(default_factory=dict)

    def headers(self, lang: str = "zh") -> list[str]:
        return [COLUMN_LABELS[c][1 if lang == "en" else 0] for c in self.columns]

    def table(self, lang: str = "zh", limit: int | None = None) -> dict[str, list[Any]]:
        """Header -> values with one type per column, for a DataFrame: empty cells are None and a
        column holding more than one type (a date here, a text there) becomes text. A column of
        mixed types is what made pyarrow raise ArrowTypeError on the ledger page."""
        rows = self.rows if limit is None else self.rows[:limit]
        out: dict[str, list[Any]] = {}
        for j, header in enumerate(self.headers(lang)):
            values = [None if (r[j] is None or r[j] == "") else r[j] for r in rows]
            kinds = {type(v) for v in values if v is not None}
            if len(kinds) > 1:
                values = [None if v is None else (v.isoformat() if isinstance(v, dt.date) else str(v))
                          for v in values]
            out[header] = values
        return out


def county_names(session: Session, lang: str) -> dict[str, str]:
    """adcode -> county name in `lang`, in adcode order: ledger cells and the problem form's choices.

    In a province deployment (counties of several cities) each name is qualified by its city,
    since 新华区 is a county of both 石家庄 and 沧州."""
    rows = list(session.scalars(select(County).order_by(County.adcode)))
    names = {c.adcode: (c.name_en if lang == "en" and c.name_en else c.name) for c in rows}
    if len({c.city_adcode for c in rows}) > 1:
        labels = _region_labels(lang)
        names = {k: labels.get(k, v) for k, v in names.items()}
    return names


def unit_names(session: Session, lang: str) -> dict[str, str]:
    """`county_names` plus the cities of a province deployment: the labels of statistics grouped
    by city (`level="city"` in the reports and the map)."""
    names = county_names(session, lang)
    if len(names) and geo.region_level_or_none() == "province":
        labels = _region_labels(lang)
        names.update({c.adcode: labels.get(c.adcode, c.label(lang)) for c in geo.cities()})
    return dict(sorted(names.items()))


def _region_labels(lang: str) -> dict[str, str]:
    return geo.unit_labels(lang) if geo.region_level_or_none() == "province" else {}


def batches(session: Session, user: User) -> list[int]:
    """The 交办批次 of the cases the user may see: the batch filter of the case list, the
    ledgers and the map. Scoped in SQL like `list_cases`, so no county learns another's batches."""
    require(user, "case.view", check_county=False)
    visible = case_scope_clause(Scope.of(user))
    found = set(session.scalars(select(Case.batch).where(Case.batch.is_not(None), visible).distinct()))
    found |= set(session.scalars(select(CaseBatch.batch).join(Case, Case.id == CaseBatch.case_id)
                                 .where(visible).distinct()))  # batches that republished a case
    return sorted(b for b in found if b is not None)


def build_ledger(session: Session, user: User, kind: str, *, lang: str = "zh", batch: int | None = None,
                 today: dt.date | None = None, progress: Progress | None = None, area: str | None = None) -> Ledger:
    """The rows of one ledger or list, limited to the user's county scope, and to `area` when
    given: a county, or in a province deployment a city (130900) or the province, by the scope
    rule (`field.domain.scope`). An area never widens the user's scope."""
    require(user, "ledger.export", check_county=False)
    if kind not in KINDS:
        raise ValidationError("ledger.bad_kind", field="kind", kind=kind, kinds=", ".join(KINDS))
    today = today or clock.today_local()
    title = i18n.t(KINDS[kind], lang)
    if kind == "public" and batch is not None:
        title = _public_title(session, user, batch, lang)
    ledger = Ledger(kind, title, list(_COLUMNS[kind]))
    narrow = Scope.of_units([area]) if area else Scope.everything()
    rows: Iterable[dict[str, Any]] = _case_rows(session, user, kind, lang, batch, today, narrow) \
        if kind in ("petitions", "public") else _problem_rows(session, user, kind, lang, today, narrow)
    if kind == "public" and batch is not None:
        rows = _as_published(list(rows))
    section = ""
    for i, row in enumerate(rows, 1):
        published = row.pop("_seq", "")
        row["seq"] = int(published) if str(published).isdigit() else (published or i)
        if row.get("_section", "") != section:
            section = row.get("_section", "")
            if section:
                ledger.sections[len(ledger.rows)] = section
        ledger.rows.append([row.get(c, "") for c in ledger.columns])
        if progress and i % 1000 == 0:
            progress(min(0.5, i / 20000), "build")
    return ledger


def _public_title(session: Session, user: User, batch: int, lang: str) -> str:
    """Titled like the published tables: the team, 第X批 (as published, "第29、30批" included)
    and the date — the batch's publication date, else its hand-over date — when known."""
    stmt = (select(Case.inspection, CaseBatch.batch_text, CaseBatch.published_on, Case.handed_over_on)
            .join(CaseBatch, CaseBatch.case_id == Case.id).where(CaseBatch.batch == batch,
                                                               case_scope_clause(Scope.of(user))).limit(200))
    found = session.execute(stmt).all()
    inspection = next((r[0] for r in found if r[0]), "")
    batch_text = next((r[1] for r in found if r[1]), "")
    date = next((r[2] for r in found if r[2]), None) or next((r[3] for r in found if r[3]), None)
    title = i18n.t("ledger.public_title", lang, batch=batch)
    if batch_text and lang == "zh":
        title = title.replace(f"第{batch}批", batch_text, 1)
    if inspection:
        title = inspection + title if lang == "zh" else f"{inspection}: {title}"
    if date is not None:
        title += f"（{date.year}年{date.month}月{date.day}日）" if lang == "zh" else f" ({date.isoformat()})"
    return title


def _as_published(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in the published order: grouped under their 来电/来信 section (in the order the
    sections first appear), then by the published 序号; rows without either keep their order."""
    order: dict[str, int] = {}
    for r in rows:
        order.setdefault(r.get("_section", ""), len(order))

    def key(item: tuple[int, dict[str, Any]]) -> tuple[int, int, int]:
        i, r = item
        seq = str(r.get("_seq", ""))
        return order[r.get("_section", "")], int(seq) if seq.isdigit() else 10**9, i

    return [r for _, r in sorted(enumerate(rows), key=key)]


def _case_rows(session: Session, user: User, kind: str, lang: str, batch: int | None,
               today: dt.date, narrow: Scope | None = None) -> Iterator[dict[str, Any]]:
    counties = county_names(session, lang)
    stmt = select(Case, CaseResult).outerjoin(CaseResult, CaseResult.case_id == Case.id)
    if batch is not None:
        stmt = stmt.where(batch_clause(batch))
    stmt = stmt.where(case_scope_clause(Scope.of(user)))
    if narrow is not None and not narrow.is_all:
        stmt = stmt.where(case_scope_clause(narrow))
    stmt = stmt.order_by(Case.batch, Case.id)
    sep = "、" if lang == "zh" else ", "
    links: dict[int, list[CaseBatch]] = {}
    for link in session.scalars(select(CaseBatch).order_by(CaseBatch.batch)):
        links.setdefault(link.case_id, []).append(link)
    for case, res in session.execute(stmt):
        types = case.pollution_text or sep.join(POLLUTION_TYPES.label(t, lang) for t in case.pollution_types)
        region = case.region_text or counties.get(case.county_adcode or "", "")
        truth = ""
        if res is not None:  # the published wording, in Chinese; the label in English
            truth = res.truthfulness_text if (lang == "zh" or not res.truthfulness) else ""
            truth = truth or (TRUTHFULNESS.label(res.truthfulness, lang) if res.truthfulness else "")
        mine = links.get(case.id, [])
        here = next((ln for ln in mine if ln.batch == batch), None) if batch is not None else None
        row: dict[str, Any] = {
            "case_no": case.case_no, "content": case.content, "region": region, "pollution": types,
            "facts": res.facts if res else "", "truthfulness": truth, "handling": res.handling if res else "",
            "accountability": res.accountability if res else "",
            "_seq": here.seq if here else "", "_section": here.section if here else "",
        }
        if kind == "petitions":
            done = res is not None and res.closure_state == "done"
            fb = deadline_flag(res.feedback_due if res else None, today, done=feedback_given(res))
            dl = deadline_flag(case.deadline, today, done=done)
            flag = "overdue" if "overdue" in (fb, dl) else ("due_soon" if "due_soon" in (fb, dl) else None)
            published_in = [ln.batch for ln in mine] or ([case.batch] if case.batch else [])
            receive = case.receive_text if (lang == "zh" and case.receive_text) else (
                RECEIVE_METHODS.label(case.receive_method, lang) if case.receive_method else case.receive_text)
            row.update({
                "batch": "、".join(str(b) for b in published_in), "handed_over": case.handed_over_on,
                "receive": receive,
                "key": i18n.t("ledger.yes", lang) if case.key_attention else "",
                "lead_unit": case.lead_unit, "responsible_unit": case.responsible_unit,
                "coop_unit": res.coop_unit if res else "", "person": case.responsible_person,
                "phone": case.responsible_phone, "feedback_due": res.feedback_due if res else None,
                "deadline": case.deadline,
                "closure": _closure(res, lang),
                "flag": i18n.t("cases.flag." + flag, lang) if flag else "",
            })
        yield row


def _closure(res: CaseResult | None, lang: str) -> str:
    if res is None:
        return ""
    if res.closure_text and (lang == "zh" or not res.closure_state):
        return res.closure_text
    return CLOSURE_STATES.label(res.closure_state, lang) if res.closure_state else ""


def _problem_rows(session: Session, user: User, kind: str, lang: str, today: dt.date,
                  narrow: Scope | None = None) -> Iterator[dict[str, Any]]:
    counties = county_names(session, lang)
    problems = list_problems(session, user)
    if narrow is not None and not narrow.is_all:
        problems = [p for p in problems if narrow.contains(p.county_adcode)]
    linked_cases: dict[int, int] = {}
    linked_findings: dict[int, int] = {}
    if kind == "list_problems":
        linked_cases = dict(session.execute(select(CaseProblem.problem_id, func.count())
                                            .group_by(CaseProblem.problem_id)).all())
        linked_findings = dict(session.execute(select(FindingProblem.problem_id, func.count())
                                               .group_by(FindingProblem.problem_id)).all())
    yes, no = i18n.t("ledger.yes", lang), i18n.t("ledger.no", lang)
    for p in problems:
        computed = {m.id: schedule_status(m, today) for m in p.measures}
        done = sum(1 for m in p.measures if computed[m.id] in DONE_PROGRESS)
        base: dict[str, Any] = {
            "problem_code": p.code, "aspect": p.aspect, "problem": p.title, "target": p.target,
            "county": counties.get(p.county_adcode or "", "") or ("全市" if lang == "zh" else "City-wide"),
            "round": p.round, "measures_total": len(p.measures), "measures_done": done,
        }
        if kind in ("problems", "list_problems", "list_effect"):
            all_done = bool(p.measures) and all(computed[m.id] in (*DONE_PROGRESS, "standing") for m in p.measures)
            flag = deadline_flag(p.deadline, today, done=all_done)
            yield {**base, "lead_unit": p.lead_unit, "responsible_unit": p.responsible_unit,
                   "coop_unit": p.coop_unit, "person": p.responsible_person, "phone": p.responsible_phone,
                   "deadline": p.deadline, "progress_text": p.progress_text,
                   "flag": i18n.t("cases.flag." + flag, lang) if flag else "",
                   "cases_linked": linked_cases.get(p.id, 0), "findings_linked": linked_findings.get(p.id, 0),
                   "effect": p.effect, "completed": yes if all_done else no}
            continue
        for m in p.measures:
            flag = deadline_flag(m.deadline, today, done=computed[m.id] in (*DONE_PROGRESS, "standing"))
            due = m.deadline or p.deadline
            yield {**base, "measure_seq": m.code or m.seq, "measure": m.content, "target": m.target or p.target,
                   "leader": m.leader or p.leader, "supervising_unit": m.supervising_unit or p.supervising_unit,
                   "due_date": due or "", "percent": m.percent if m.percent is not None else "",
                   "lead_unit": m.lead_unit or p.lead_unit, "responsible_unit": m.responsible_unit or p.responsible_unit,
                   "coop_unit": m.coop_unit or p.coop_unit, "person": m.responsible_person or p.responsible_person,
                   "phone": m.responsible_phone or p.responsible_phone,
                   "deadline": m.deadline_text or due or "",
                   "progress": MEASURE_PROGRESS.label(computed[m.id], lang), "progress_text": m.progress_text,
                   "flag": i18n.t("cases.flag." + flag, lang) if flag else ""}


# ---------------------------------------------------------------------------------------------
# xlsx export


def _safe(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def display_width(text: str) -> int:
    """Columns a text needs: a CJK or full-width character takes two, others one."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def column_widths(ledger: Ledger, headers: list[str], *, sample: int = 200, cap: int = 60) -> list[int]:
    """Widths that fit Chinese text: the widest header or (first `sample` rows') cell, long
    texts capped so a 500-character complaint wraps instead of making a 500-wide column."""
    out = []
    for j, h in enumerate(headers):
        widest = max([display_width(h)] + [display_width(str(r[j]).split("\n")[0]) for r in ledger.rows[:sample]
                                             if r[j] not in (None, "")])
        out.append(max(8, min(cap, widest + 2)))
    return out


def write_xlsx(ledger: Ledger, out: str | Path | IO[bytes], *, lang: str = "zh",
               progress: Progress | None = None) -> None:
    """Stream the ledger to .xlsx with XlsxWriter in constant-memory mode (about three times
    faster than openpyxl's write-only mode on a 10,000-row ledger; bench/ledgers.py). Text that
    starts with "=" is written as text, never as a formula: a complaint cannot become a formula
    in the city's spreadsheet, and URLs stay plain text."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "strings_to_numbers": False})
    ws = wb.add_worksheet(ledger.title[:31])
    headers = ledger.headers(lang)
    for i, width in enumerate(column_widths(ledger, headers)):
        ws.set_column(i, i, width)
    ws.write_string(0, 0, ledger.title, wb.add_format({"bold": True, "font_size": 14}))
    header = wb.add_format({"bold": True, "text_wrap": True, "valign": "vcenter"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    section_fmt = wb.add_format({"bold": True})
    for j, h in enumerate(headers):
        ws.write_string(1, j, h, header)
    ws.freeze_panes(2, 0)
    last = 1 + len(ledger.rows) + len(ledger.sections)  # a 来电/来信 section row is a row too
    ws.autofilter(1, 0, max(last, 2), max(0, len(headers) - 1))
    n = len(ledger.rows) or 1
    r = 1
    for i, row in enumerate(ledger.rows):
        r += 1
        if i in ledger.sections:  # a 来电 / 来信 section row, as published
            ws.write_string(r, 0, _safe(ledger.sections[i]), section_fmt)
            r += 1
        for j, v in enumerate(row):
            if v is None or v == "":
                continue
            if isinstance(v, str):
                ws.write_string(r, j, _safe(v))
            elif isinstance(v, dt.datetime):
                ws.write_datetime(r, j, v.replace(tzinfo=None), date_fmt)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, j, dt.datetime.combine(v, dt.time()), date_fmt)
            elif isinstance(v, bool):
                ws.write_boolean(r, j, v)
            elif isinstance(v, int | float):
                ws.write_number(r, j, v)
            else:
                ws.write_string(r, j, str(v))
        if progress and i % 1000 == 0:
            progress(0.5 + 0.5 * i / n, "write")
    wb.close()
    if progress:
        progress(1.0, "done")


def export_xlsx(session: Session, user: User, kind: str, *, lang: str = "zh", batch: int | None = None,
                today: dt.date | None = None, progress: Progress | None = None, area: str | None = None) -> bytes:
    """Build and write one ledger (of one county or city with `area`); the bytes go to a
    download button or a file."""
    ledger = build_ledger(session, user, kind, lang=lang, batch=batch, today=today, progress=progress, area=area)
    buf = io.BytesIO()
    write_xlsx(ledger, buf, lang=lang, progress=progress)
    after: dict[str, Any] = {"rows": len(ledger.rows), "batch": batch}
    if area:
        after["area"] = area
    audit.record(session, user, "ledger", kind, "export", after=after)
    session.flush()
    return buf.getvalue()
