"""交办件 after import: deadlines, the case list, responsibility and the city's answer.

The rules here are about the case, not about reading a table (that is `field.caseimport`):
when a deadline counts as overdue or due soon, when the 10-day feedback counts as given, what a
phone number may look like. The ledgers (`field.services.ledgers`) use the same functions, so the
case list and the exported 台账 can never flag a case differently.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from field.data.ledger_models import CaseResult
from field.data.models import Case, CaseBatch, CaseCounty, User
from field.data.scoping import case_scope_clause
from field.domain import clock
from field.domain.errors import ValidationError
from field.domain.permissions import require
from field.domain.scope import Scope
from field.domain.vocab import CLOSURE_STATES, TRUTHFULNESS
from field.services import audit

DUE_SOON_DAYS = 3
_PHONE = re.compile(r"^[0-9+()\-\s、,，/转]{5,50}$")


def deadline_flag(due: dt.date | None, today: dt.date, *, done: bool = False) -> str | None:
    """"overdue", "due_soon" (within 3 days, today included) or None."""
    if due is None or done:
        return None
    if due < today:
        return "overdue"
    if (due - today).days <= DUE_SOON_DAYS:
        return "due_soon"
    return None


def feedback_given(result: CaseResult | None) -> bool:
    """Feedback counts as given once the verification outcome (是否属实) or a closure is recorded;
    "正在核实" (still being checked) is not an outcome."""
    return result is not None and (result.truthfulness not in (None, "checking")
                                   or result.closure_state in ("done", "staged"))


def check_phone(value: str | None) -> str | None:
    """A phone field may hold several numbers and 转 extensions, but no words ("call me")."""
    if value is None:
        return None
    value = value.strip()
    if value and not _PHONE.match(value):
        raise ValidationError("cases.bad_phone", field="phone", value=value)
    return value


@dataclass
class CaseRow:
    case: Case
    result: CaseResult | None
    feedback_flag: str | None  # 10-day feedback
    deadline_flag: str | None  # 整改时限

    @property
    def flag(self) -> str | None:
        flags = {self.feedback_flag, self.deadline_flag}
        return "overdue" if "overdue" in flags else ("due_soon" if "due_soon" in flags else None)


def list_cases(session: Session, user: User, *, batch: int | None = None, county: str | None = None,
               flag: str | None = None, text: str = "", key_only: bool = False,
               today: dt.date | None = None, limit: int | None = None) -> list[CaseRow]:
    """Cases the user may see, with deadline flags; filters apply in SQL where they can."""
    require(user, "case.view", check_county=False)
    today = today or clock.today_local()
    stmt = select(Case, CaseResult).outerjoin(CaseResult, CaseResult.case_id == Case.id)
    if batch is not None:
        stmt = stmt.where(batch_clause(batch))
    if county:  # a county, or (a province deployment) a whole city: the scope rule
        stmt = stmt.where(case_scope_clause(Scope.of_units([county])))
    stmt = stmt.where(case_scope_clause(Scope.of(user)))
    if key_only:
        stmt = stmt.where(Case.key_attention.is_(True))
    if text.strip():
        like = f"%{text.strip()}%"
        stmt = stmt.where(Case.case_no.ilike(like) | Case.content.ilike(like) | Case.region_text.ilike(like)
                          | Case.responsible_unit.ilike(like))
    stmt = stmt.order_by(Case.batch, Case.id)
    out = []
    for case, result in session.execute(stmt):
        done = result is not None and result.closure_state == "done"
        fb_due = result.feedback_due if result is not None else None
        row = CaseRow(case, result, deadline_flag(fb_due, today, done=feedback_given(result)),
                      deadline_flag(case.deadline, today, done=done))
        if flag is None or row.flag == flag:
            out.append(row)
        if limit is not None and len(out) >= limit:
            break
    return out


def batch_clause(batch: int) -> Any:
    """Cases published in this batch: first published there, or republished in it."""
    return or_(Case.batch == batch, exists().where(CaseBatch.case_id == Case.id, CaseBatch.batch == batch))


def batches(session: Session) -> list[int]:
    """Every batch any case was published in (a republishing batch counts)."""
    found = set(session.scalars(select(CaseBatch.batch).distinct()))
    found |= {b for b in session.scalars(select(Case.batch).distinct()) if b is not None}
    return sorted(found)


def counties_of(session: Session, case: Case) -> list[str | None]:
    """Every county a case is handed to (its first county and its links); [None] for none."""
    linked = list(session.scalars(select(CaseCounty.county_adcode).where(CaseCounty.case_id == case.id)))
    out: list[str | None] = [c for c in dict.fromkeys([case.county_adcode, *linked]) if c is not None]
    return out or [None]


def require_case(session: Session, user: User, action: str, case: Case) -> None:
    """`require` for a case handed to several counties: the user's scope must hold one of them."""
    counties = counties_of(session, case)
    if not Scope.of(user).contains_any(counties):
        require(user, action, counties[0])  # raises with the first county named
    require(user, action, check_county=False)


def assign_responsibility(session: Session, user: User, case_ids: list[int], *, lead_unit: str | None = None,
                          responsible_unit: str | None = None, coop_unit: str | None = None,
                          person: str | None = None, phone: str | None = None,
                          deadline: dt.date | None = None) -> int:
    """Set 牵头/责任/配合单位, 责任人, phone and 整改时限 on many cases at once; None leaves a field
    as it is. All or nothing: one case outside the user's scope refuses the whole assignment."""
    require(user, "case.edit", check_county=False)
    if not case_ids:
        raise ValidationError("cases.none_selected", field="cases")
    phone = check_phone(phone)
    cases = list(session.scalars(select(Case).where(Case.id.in_(case_ids))))
    missing = set(case_ids) - {c.id for c in cases}
    if missing:
        raise ValidationError("cases.not_found", field="cases", id=min(missing))
    for c in cases:
        require_case(session, user, "case.edit", c)
    changes = {"lead_unit": lead_unit, "responsible_unit": responsible_unit, "responsible_person": person,
               "responsible_phone": phone, "deadline": deadline}
    changes = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items() if v is not None}
    n = 0
    for c in cases:
        result = session.get(CaseResult, c.id)
        if coop_unit is not None and result is None:
            result = CaseResult(case_id=c.id)
            session.add(result)
        before = {k: getattr(c, k) for k in changes if getattr(c, k) != changes[k]}
        after = {k: changes[k] for k in before}
        if coop_unit is not None and result is not None and result.coop_unit != coop_unit.strip():
            before["coop_unit"], after["coop_unit"] = result.coop_unit, coop_unit.strip()
            result.coop_unit = coop_unit.strip()
        if not after:
            continue
        for k, v in after.items():
            if k != "coop_unit":
                setattr(c, k, v)
        audit.record(session, user, "case", c.id, "assign", before=before, after=after)
        n += 1
    session.flush()
    return n


def set_result(session: Session, user: User, case_id: int, *, feedback_days: int, facts: str | None = None,
               truthfulness: str | None = None, handling: str | None = None, accountability: str | None = None,
               closure_state: str | None = None) -> CaseResult:
    """Record the city's answer on a case (what the 公开情况一览表 publishes). `feedback_days`
    (Settings.feedback_days) dates the feedback of a case that has no result row yet."""
    case = session.get(Case, case_id)
    if case is None:
        raise ValidationError("cases.not_found", id=case_id)
    require_case(session, user, "case.edit", case)
    if truthfulness is not None and truthfulness not in TRUTHFULNESS:
        raise ValidationError("cases.bad_truth", field="truthfulness")
    if closure_state is not None and closure_state not in CLOSURE_STATES:
        raise ValidationError("cases.bad_closure", field="closure_state")
    result = session.get(CaseResult, case_id)
    if result is None:
        due = case.handed_over_on + dt.timedelta(days=feedback_days) if case.handed_over_on else None
        result = CaseResult(case_id=case_id, feedback_due=due)
        session.add(result)
    new = {"facts": facts, "truthfulness": truthfulness, "handling": handling, "accountability": accountability,
           "closure_state": closure_state}
    before = {k: getattr(result, k) for k, v in new.items() if v is not None and getattr(result, k) != v}
    for k in before:
        setattr(result, k, new[k])
    if truthfulness is not None:
        result.truthfulness_text = TRUTHFULNESS[truthfulness].zh
    if before:
        audit.record(session, user, "case", case_id, "result", before=before, after={k: new[k] for k in before})
    session.flush()
    return result
