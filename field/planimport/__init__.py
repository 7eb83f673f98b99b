"""整改方案 import: the annex table of a published rectification plan into problems and measures.

Same shape and discipline as `field.caseimport` (whose grid reader it reuses: xlsx/CSV,
merged cells, encodings, size limits): `parse_plan` (bytes -> rows, no database),
`preview_plan` (new / update / unchanged / rejected per row, nothing written) and `apply_plan`
(one transaction, idempotent, a blank never overwrites). Where each thing is decided:

- `columns` — the plan's header names and its two-level header;
- `deadlines` — 整改时限 text to a date or "standing", with the rule shown in the preview;
- `parse` — aspects, problems merged over measures, identities, rejections;
- `apply` — preview and the write;
- `records` — what the steps hand each other.
"""

from __future__ import annotations

from field.planimport.apply import apply_plan, import_plan, preview_plan
from field.planimport.deadlines import Deadline, read_deadline
from field.planimport.parse import parse_plan
from field.planimport.records import ParsedPlan, PlanRow, PlanSummary

__all__ = ["Deadline", "ParsedPlan", "PlanRow", "PlanSummary", "apply_plan", "import_plan", "parse_plan",
           "preview_plan", "read_deadline"]
