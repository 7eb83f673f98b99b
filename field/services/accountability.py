"""追责问责: the accountability register, per case or per problem, and its counts.

Records are data, not the free text of 责任人被处理情况: one record per person (or enterprise)
and measure, with the decision document, so reports can say "问责 X 人、约谈 Y 人、罚款 Z 万元"
from `counts`, the one place that rule lives:
- 问责 X 人: distinct people (person + unit) with any measure other than 立案处罚;
- 约谈 Y 人: distinct people with a 约谈 record;
- 罚款 Z 万元: the sum of 立案处罚 fines (stored in yuan), in 万元 (10,000 yuan).
The case's published text stays verbatim on CaseResult.accountability; a record made from it
keeps that text in `source_text`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from field.data.ledger_models import AccountabilityRecord, Problem
from field.data.models import Case, User
from field.data.scoping import scope_clause
from field.domain.errors import ValidationError
from field.domain.permissions import require
from field.domain.scope import Scope
from field.domain.vocab import ACCOUNTABILITY_MEASURES
from field.services import audit


@dataclass
class RecordInput:
    measure: str
    person: str
    post: str = ""
    unit: str = ""
    case_id: int | None = None
    problem_id: int | None = None
    fine_yuan: Decimal | float | str | None = None
    decided_on: dt.date | None = None
    document_no: str = ""
    source_text: str = ""


def add_record(session: Session, user: User, data: RecordInput) -> AccountabilityRecord:
    """One person (or enterprise) and one measure; the county is the case's or problem's."""
    require(user, "accountability.edit", check_county=False)
    if data.measure not in ACCOUNTABILITY_MEASURES:
        raise ValidationError("acc.bad_measure", field="measure")
    if not data.person.strip():
        raise ValidationError("acc.need_person", field="person")
    if data.case_id is None and data.problem_id is None:
        raise ValidationError("acc.need_target", field="case_id")
    county: str | None = None
    if data.case_id is not None:
        case = session.get(Case, data.case_id)
        if case is None:
            raise ValidationError("acc.case_not_found", id=data.case_id)
        county = case.county_adcode
    if data.problem_id is not None:
        problem = session.get(Problem, data.problem_id)
        if problem is None:
            raise ValidationError("acc.problem_not_found", id=data.problem_id)
        county = county or problem.county_adcode
    require(user, "accountability.edit", county)
    fine: Decimal | None = None
    if data.fine_yuan not in (None, ""):
        if data.measure != "case_penalty":
            raise ValidationError("acc.fine_only_penalty", field="fine_yuan")
        try:
            fine = Decimal(str(data.fine_yuan))
        except InvalidOperation as exc:
            raise ValidationError("acc.bad_fine", field="fine_yuan") from exc
        if fine < 0 or not fine.is_finite():
            raise ValidationError("acc.bad_fine", field="fine_yuan")
    rec = AccountabilityRecord(case_id=data.case_id, problem_id=data.problem_id, person=data.person.strip()[:100],
                               post=data.post.strip()[:200], unit=data.unit.strip()[:200], measure=data.measure,
                               fine_yuan=fine, decided_on=data.decided_on, document_no=data.document_no.strip()[:100],
                               source_text=data.source_text, county_adcode=county, created_by=user.id)
    session.add(rec)
    session.flush()
    audit.record(session, user, "accountability", rec.id, "create",
                 after={"measure": rec.measure, "person": rec.person, "case_id": rec.case_id,
                        "problem_id": rec.problem_id, "fine_yuan": str(fine) if fine is not None else None})
    return rec


def list_records(session: Session, user: User, *, case_id: int | None = None,
                 problem_id: int | None = None) -> list[AccountabilityRecord]:
    require(user, "accountability.view", check_county=False)
    stmt = select(AccountabilityRecord).order_by(AccountabilityRecord.id)
    stmt = stmt.where(scope_clause(Scope.of(user), AccountabilityRecord.county_adcode))
    if case_id is not None:
        stmt = stmt.where(AccountabilityRecord.case_id == case_id)
    if problem_id is not None:
        stmt = stmt.where(AccountabilityRecord.problem_id == problem_id)
    return list(session.scalars(stmt))


@dataclass
class Counts:
    people: int = 0  # 问责 X 人
    talks: int = 0  # 约谈 Y 人
    fines_wan: Decimal = Decimal("0")  # 罚款 Z 万元
    by_measure: dict[str, int] = field(default_factory=dict)  # records per measure code

    def sentence(self, lang: str = "zh") -> str:
        from field import i18n

        fines = format(self.fines_wan.normalize(), "f") if self.fines_wan else "0"
        return i18n.t("acc.summary", lang, people=self.people, talks=self.talks, fines=fines)


def counts(records: list[AccountabilityRecord]) -> Counts:
    """The report's figures from a list of records (see the module docstring for the rule)."""
    out = Counts(by_measure={c: 0 for c in ACCOUNTABILITY_MEASURES.codes})
    people: set[tuple[str, str]] = set()
    talked: set[tuple[str, str]] = set()
    fines = Decimal("0")
    for r in records:
        out.by_measure[r.measure] = out.by_measure.get(r.measure, 0) + 1
        who = (r.person.strip(), r.unit.strip())
        if r.measure == "case_penalty":
            fines += Decimal(r.fine_yuan or 0)
            continue
        people.add(who)
        if r.measure == "talk":
            talked.add(who)
    out.people, out.talks = len(people), len(talked)
    out.fines_wan = (fines / Decimal(10000)).quantize(Decimal("0.01"))
    return out


def summary(session: Session, user: User) -> Counts:
    """Counts over every record the user's scope can see."""
    return counts(list_records(session, user))
