"""Preview and the idempotent write of a plan: compare with what is stored, then write it.

Rules the same as the case import: the preview writes nothing; the write happens in the
caller's unit of work (one transaction: a failure leaves nothing half-imported) and compares
with the database again first; importing the same file twice changes nothing the second time;
a blank cell never overwrites a stored value (a republished annex that leaves 整改进展 empty
must not erase what the units reported); unknown columns are kept in `extra`. New problems and
measures are written with bulk INSERTs, with one audit event per written row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from field.caseimport.records import Issue
from field.data.ledger_models import Measure, Problem
from field.data.models import AuditEvent, User
from field.domain import clock
from field.domain.permissions import require
from field.planimport.parse import parse_plan
from field.planimport.records import (
    MEASURE_FIELDS,
    PROBLEM_FIELDS,
    ParsedPlan,
    PlanRow,
    PlanSummary,
    summarise,
)
from field.services import audit


def _blank(v: Any) -> bool:
    return v is None or v == "" or v == {} or v is False


def _changes(stored: dict[str, Any], new: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """Fields whose new non-blank value differs; `extra` merges key by key."""
    out: dict[str, Any] = {}
    for f in fields:
        v = new.get(f)
        if f == "extra":
            merged = {**(stored.get("extra") or {}), **(v or {})}
            if merged != (stored.get("extra") or {}):
                out[f] = merged
        elif not _blank(v) and stored.get(f) != v:
            out[f] = v
    return out


def _stored(session: Session) -> tuple[dict[str, dict[str, Any]], dict[tuple[int, str], dict[str, Any]]]:
    """Plain rows of the stored problems (by plan_key) and measures (by problem id, code)."""
    pcols = [Problem.id, Problem.plan_key, *(getattr(Problem, f) for f in PROBLEM_FIELDS)]
    problems = {r.plan_key: dict(r._mapping) for r in session.execute(select(*pcols).where(Problem.plan_key != ""))}
    ids = [p["id"] for p in problems.values()]
    measures: dict[tuple[int, str], dict[str, Any]] = {}
    if ids:
        mcols = [Measure.id, Measure.problem_id, Measure.code, *(getattr(Measure, f) for f in MEASURE_FIELDS)]
        for r in session.execute(select(*mcols).where(Measure.problem_id.in_(ids))):
            measures[(r.problem_id, r.code)] = dict(r._mapping)
    return problems, measures


def _known_units(session: Session) -> set[str]:
    return {u for u in session.scalars(select(User.unit).where(User.role == "unit", User.unit != "")) if u}


def preview_plan(session: Session, user: User, plan: ParsedPlan) -> ParsedPlan:
    """Mark each row new / update (with the changed fields) / unchanged / skip; writes nothing."""
    require(user, "plan.import")
    problems, measures = _stored(session)
    units = _known_units(session)
    merged: dict[str, dict[str, Any]] = {}  # problem fields as the whole file gives them
    for r in plan.rows:
        if r.rejected:
            continue
        acc = merged.setdefault(r.problem_key, {})
        for f, v in r.problem.items():
            if not _blank(v) and _blank(acc.get(f)):
                acc[f] = v
    problem_changes: dict[str, dict[str, Any]] = {}
    for key, fields in merged.items():
        stored = problems.get(key)
        problem_changes[key] = fields if stored is None else _changes(stored, fields, PROBLEM_FIELDS)
    for r in plan.rows:
        r.changed = []
        if r.rejected:
            r.action = r.problem_action = "skip"
            continue
        stored_p = problems.get(r.problem_key)
        r.problem_action = "new" if stored_p is None else ("update" if problem_changes[r.problem_key] else "unchanged")
        if units and r.measure:
            for f in ("lead_unit", "responsible_unit"):
                if r.measure.get(f) and r.measure[f] not in units:
                    r.warnings.append(Issue("plan.w_unknown_unit", {"unit": r.measure[f]}))
        if not r.measure_code:
            r.action = r.problem_action
            continue
        stored_m = measures.get((stored_p["id"], r.measure_code)) if stored_p else None
        if stored_m is None:
            r.action = "new"
            continue
        r.changed = sorted(_changes(stored_m, r.measure, MEASURE_FIELDS))
        r.action = "update" if r.changed else "unchanged"
        if r.problem_action == "update" and r.action == "unchanged":
            r.action = "update"
    plan.problem_changes = problem_changes
    return plan


def _event(user: User, entity: str, entity_id: int, action: str, before: dict[str, Any] | None,
           after: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
    return {"at": at, "actor_id": user.id, "actor_name": user.username, "entity": entity, "entity_id": str(entity_id),
            "action": action, "before": audit.jsonable(before) if before is not None else None,
            "after": audit.jsonable(after), "reason": ""}


def apply_plan(session: Session, user: User, plan: ParsedPlan, *, now: dt.datetime | None = None) -> PlanSummary:
    """Write the previewed plan in the caller's transaction (it commits or rolls back)."""
    require(user, "plan.import")
    now = now or clock.now()
    preview_plan(session, user, plan)
    changes = plan.problem_changes
    problems, measures = _stored(session)
    events: list[dict[str, Any]] = []
    ids: dict[str, int] = {k: v["id"] for k, v in problems.items()}
    new_keys = [k for k in changes if k not in problems]
    if new_keys:
        rows = [{"plan_key": k, "title": changes[k].get("title", ""), "created_at": now, "updated_at": now,
                 **{f: changes[k].get(f, "") for f in PROBLEM_FIELDS if f != "title"}} for k in new_keys]
        new_ids = list(session.scalars(insert(Problem).returning(Problem.id, sort_by_parameter_order=True), rows))
        for k, pid in zip(new_keys, new_ids, strict=True):
            ids[k] = pid
            events.append(_event(user, "problem", pid, "import", None, {**changes[k], "file": plan.filename}, now))
    for k, ch in changes.items():
        if k in problems and ch:
            p = session.get_one(Problem, problems[k]["id"])
            before = {f: getattr(p, f) for f in ch}
            for f, v in ch.items():
                setattr(p, f, v)
            p.updated_at = now
            events.append(_event(user, "problem", p.id, "import_update", before, {**ch, "file": plan.filename}, now))
    new_measures: list[tuple[PlanRow, dict[str, Any]]] = []
    for r in plan.rows:
        if r.rejected or not r.measure_code:
            continue
        pid = ids[r.problem_key]
        stored = measures.get((pid, r.measure_code))
        if stored is None:
            seq = int(r.measure_code) if r.measure_code.isdigit() else len(new_measures) + 1
            new_measures.append((r, {"problem_id": pid, "code": r.measure_code, "seq": seq, "created_at": now,
                                     "updated_at": now, **r.measure}))
        elif r.changed:
            m = session.get_one(Measure, stored["id"])
            ch = _changes(stored, r.measure, MEASURE_FIELDS)
            before = {f: getattr(m, f) for f in ch}
            for f, v in ch.items():
                setattr(m, f, v)
            m.updated_at = now
            events.append(_event(user, "measure", m.id, "import_update", before,
                                 {**ch, "file": plan.filename, "row": r.row_no}, now))
    if new_measures:
        mids = list(session.scalars(insert(Measure).returning(Measure.id, sort_by_parameter_order=True),
                                    [v for _r, v in new_measures]))
        for (r, v), mid in zip(new_measures, mids, strict=True):
            events.append(_event(user, "measure", mid, "import", None,
                                 {"problem_id": v["problem_id"], "code": r.measure_code, "file": plan.filename,
                                  "row": r.row_no}, now))
    _roll_up_deadlines(session, [ids[k] for k in changes])
    if events:
        session.execute(insert(AuditEvent), events)
    session.flush()
    return summarise(plan)


def _roll_up_deadlines(session: Session, problem_ids: list[int]) -> None:
    """A problem is due when its last measure is; standing when every measure is standing."""
    if not problem_ids:
        return
    for p in session.scalars(select(Problem).where(Problem.id.in_(problem_ids))):
        ms = list(session.scalars(select(Measure).where(Measure.problem_id == p.id)))
        dated = [m.deadline for m in ms if m.deadline]
        if ms and all(m.deadline or m.standing for m in ms):
            p.deadline = max(dated) if dated else None
        p.standing = bool(ms) and all(m.standing and not m.deadline for m in ms)


def import_plan(session: Session, user: User, data: bytes, filename: str, *, dry_run: bool = False,
                now: dt.datetime | None = None) -> tuple[ParsedPlan, PlanSummary]:
    """Parse, preview and (unless dry_run) write; the caller commits. Used by the CLI, the page and bench."""
    require(user, "plan.import")
    plan = parse_plan(data, filename)
    if dry_run:
        preview_plan(session, user, plan)
        return plan, summarise(plan)
    return plan, apply_plan(session, user, plan, now=now)
