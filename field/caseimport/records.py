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
    key: str  # identity within the inspection: normalised 受理编号, or batch + 序号, or a hash
    warnings: list[Issue] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)
    action: str = ""  # new / update / unchanged / skip (set by preview_import)
    changed: list[str] = field(default_factory=list)
    case_id: int | None = None
    identity: str = "case_no"  # case_no / seq / hash: what `key` was made from
    present: set[str] = field(default_factory=set)  # fields a column (or section row) of the file gives
    blank: set[str] = field(default_factory=set)  # of those, the ones whose cell was empty
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (stored, new)
    republished: bool = False  # stored from another batch; this file adds a batch to it
    new_batches: list[int] = field(default_factory=list)

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
    batch: int | None = None  # the first of `batches`
    handed_over: dt.date | None = None  # given or confirmed by the user, never guessed
    batches: list[int] = field(default_factory=list)  # a table may cover "第29、30批"
    batch_text: str = ""  # the batch as published ("第29、30批")
    inspection: str = ""  # round/team/province the 受理编号 belong to
    inspection_source: str = ""  # given / setting / title / "" (unknown: ask)
    suggested_date: dt.date | None = None  # the title's date: only a suggestion for the hand-over date
    published_on: dt.date | None = None  # the title's publication date
    reception_window: str = ""  # "2017年5月25日12时-5月26日12时", as published
    clear_blanks: bool = False  # set by preview_import: an empty cell erases a stored value


@dataclass
class ImportSummary:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0
    republished: int = 0  # of the updated: cases stored from an earlier batch

    def as_dict(self) -> dict[str, int]:
        return {"imported": self.imported, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected, "warnings": self.warnings, "republished": self.republished}


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
            s.republished += r.republished
        elif r.action == "unchanged":
            s.unchanged += 1
    return s
