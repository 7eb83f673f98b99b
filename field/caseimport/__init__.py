"""交办件 import: reading the daily batch tables as published into cases, idempotently.

Published batch tables are messy in known ways (see ../shared/DOMAIN.md): title rows above the
header, merged header cells, column names that changed between rounds, GBK CSVs, several
pollution types in one cell, 受理编号 in three eras' formats with a trailing `*` for 重点关注.

Import is three steps so the page can show a preview before anything is written:
`parse_file` (bytes -> rows, no database), `preview_import` (compare with what is stored:
new / update with the changed fields / unchanged / rejected) and `apply_import` (one
transaction, bulk statements, one audit event per written case). Where each thing is decided:

- `columns` — which header names mean which field, and where the header row is;
- `grid` — bytes to cells: xlsx or CSV, merged cells, encodings, size limits;
- `cells` — what a cell means: 受理编号 key, batch, dates, pollution types, verdicts;
- `regions` — region text to county adcode;
- `parse` — rows to `ParsedRow`s with warnings and rejections (a lost case is worse than an
  incomplete one);
- `apply` — preview (identity within the inspection, merge rules, old -> new) and the
  idempotent write;
- `records` — the values the steps hand each other.

Rules about a case once it is stored (deadline flags, the case list, responsibility) live in
`field.services.cases`.
"""

from __future__ import annotations

from field.caseimport.apply import CASE_FIELDS, RESULT_FIELDS, apply_import, import_cases, preview_import
from field.caseimport.cells import (
    TYPE_SYNONYMS,
    normalise_case_no,
    parse_batch,
    parse_batches,
    parse_date,
    split_pollution_types,
)
from field.caseimport.columns import COLUMNS
from field.caseimport.grid import MAX_BYTES, MAX_ROWS, read_grid
from field.caseimport.parse import parse_file
from field.caseimport.records import ImportSummary, Issue, ParsedFile, ParsedRow, Progress, summarise
from field.caseimport.regions import match_all, match_county

# TODO(structure): pages/cases.py still reaches these through `caseimport`; once it imports
# field.services.cases itself, drop this re-export.
from field.services.cases import assign_responsibility, batches, deadline_flag, list_cases

__all__ = [
    "CASE_FIELDS", "COLUMNS", "MAX_BYTES", "MAX_ROWS", "RESULT_FIELDS", "TYPE_SYNONYMS",
    "ImportSummary", "Issue", "ParsedFile", "ParsedRow", "Progress",
    "apply_import", "import_cases", "match_all", "match_county", "normalise_case_no", "parse_batch",
    "parse_batches", "parse_date",
    "parse_file", "preview_import", "read_grid", "split_pollution_types", "summarise",
    "assign_responsibility", "batches", "deadline_flag", "list_cases",
]
