"""What the three import steps hand each other: parsed rows with their reasons, and the counts.

Kept apart from the steps so that the page can hold a `ParsedFile` between preview and apply
(in the session) without importing the parser or the database code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Progress = Callable[[float, str], None]  # (fraction done, stage name) for a progress bar


def no_progress(_f: float, _t: str) -> None:
    return None


@dataclass(frozen=True)
class Issue:
    """A reason shown to people: an i18n key plus its parameters."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "zh") -> str:
        from field import i18n

        return i18n.t(self.key, lang, **self.params)


@dataclass
class ParsedRow:
    row_no: int  # 1-based row number in the sheet, as the user sees it in Excel
    values: dict[str, Any]  # Case + CaseResult fields
    key: str  # normalised 受理编号 used for matching
    warnings: list[Issue] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)
    action: str = ""  # new / update / unchanged / skip (set by preview_import)
    changed: list[str] = field(default_factory=list)
    case_id: int | None = None

    @property
    def status(self) -> str:
        return "rejected" if self.rejected else ("warning" if self.warnings else "ok")


@dataclass
class ParsedFile:
    filename: str
    sheet: str
    header_row: int
    columns: dict[str, str]  # original header -> canonical field (or "extra")
    rows: list[ParsedRow]
    warnings: list[Issue] = field(default_factory=list)
    batch: int | None = None
    handed_over: dt.date | None = None


@dataclass
class ImportSummary:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"imported": self.imported, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected, "warnings": self.warnings}


def summarise(parsed: ParsedFile) -> ImportSummary:
    s = ImportSummary()
    for r in parsed.rows:
        if r.rejected:
            s.rejected += 1
            continue
        if r.warnings:
            s.warnings += 1
        if r.action == "new":
            s.imported += 1
        elif r.action == "update":
            s.updated += 1
        elif r.action == "unchanged":
            s.unchanged += 1
    return s
