"""What the plan import's steps hand each other: one `PlanRow` per table row, the file, counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from field.caseimport.records import Issue
from field.planimport.deadlines import Deadline

PROBLEM_FIELDS = ("code", "aspect", "title", "target", "round", "leader", "supervising_unit")
MEASURE_FIELDS = ("content", "target", "lead_unit", "responsible_unit", "coop_unit", "leader",
                  "responsible_person", "responsible_phone", "deadline", "deadline_text", "standing",
                  "supervising_unit", "progress_text", "extra")


@dataclass
class PlanRow:
    row_no: int  # 1-based, as the user sees it in Excel
    problem_key: str  # identity of the problem across imports (Problem.plan_key)
    problem: dict[str, Any]  # PROBLEM_FIELDS
    measure_code: str  # identity of the measure within its problem (Measure.code); "" = no measure
    measure: dict[str, Any]  # MEASURE_FIELDS
    deadline: Deadline | None = None
    warnings: list[Issue] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)
    action: str = ""  # new / update / unchanged / skip (set by preview)
    problem_action: str = ""
    changed: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "rejected" if self.rejected else ("warning" if self.warnings else "ok")


@dataclass
class ParsedPlan:
    filename: str
    sheet: str
    header_row: int
    columns: dict[str, str]  # original header -> field (or "extra")
    rows: list[PlanRow]
    warnings: list[Issue] = field(default_factory=list)
    problem_changes: dict[str, dict[str, Any]] = field(default_factory=dict)  # set by preview_plan


@dataclass
class PlanSummary:
    problems_new: int = 0
    problems_updated: int = 0
    measures_new: int = 0
    measures_updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def summarise(plan: ParsedPlan) -> PlanSummary:
    s = PlanSummary()
    seen_new: set[str] = set()
    seen_upd: set[str] = set()
    for r in plan.rows:
        if r.rejected:
            s.rejected += 1
            continue
        if r.warnings:
            s.warnings += 1
        if r.problem_action == "new":
            seen_new.add(r.problem_key)
        elif r.problem_action == "update":
            seen_upd.add(r.problem_key)
        if r.action == "new" and r.measure_code:
            s.measures_new += 1
        elif r.action == "update" and r.measure_code:
            s.measures_updated += 1
        elif r.action == "unchanged":
            s.unchanged += 1
    s.problems_new, s.problems_updated = len(seen_new), len(seen_upd)
    return s
