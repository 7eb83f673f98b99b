"""Grid -> plan rows: aspects, problems merged over their measures, deadlines read. No database.

The published annex groups measures under problems and problems under aspects (方面): the
aspect either sits in a merged column or in a section row across the table ("一、大气污染防治");
a problem cell is merged over its measure rows (`grid` fills merged cells, so every measure row
carries its problem). Multi-line cells are kept as written (line breaks included): a cell that
lists "1.… 2.…" is one measure as published, not split by guesswork.

Identity, so a re-import updates instead of duplicating:
- a problem is its 问题编号, or its 序号 when that is merged over the problem's rows, or else
  a hash of its text (whitespace removed);
- a measure is its 措施编号, or its 序号 when that numbers measures, or else its position under
  the problem. The same measure number twice under one problem is a rejected row.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from field.caseimport import cells, grid
from field.caseimport.columns import HEADER_SCAN_ROWS
from field.caseimport.records import Issue
from field.domain.errors import ValidationError
from field.planimport import columns
from field.planimport.deadlines import read_deadline
from field.planimport.records import ParsedPlan, PlanRow

_LIMITS = {"lead_unit": 200, "responsible_unit": 200, "coop_unit": 200, "leader": 100, "responsible_person": 100,
           "responsible_phone": 50, "supervising_unit": 200, "deadline_text": 200}
_SECTION_RE = re.compile(r"^[一二三四五六七八九十]+[、.．]")


def _text(value: Any) -> str:
    """Cell text with line breaks kept (multi-line cells) but each line trimmed."""
    if isinstance(value, str):
        lines = [ln.strip() for ln in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
        return "\n".join(ln for ln in lines if ln)
    return cells.cell_text(value)


def _key_text(text: str) -> str:
    return re.sub(r"\s+", "", text)


def parse_plan(data: bytes, filename: str) -> ParsedPlan:
    """Read a plan annex; raises ValidationError for a file that is not a plan table at all."""
    sheet, table = grid.read_grid(data, filename, header=columns.find_header)
    h = columns.find_header(table)
    if h is None:
        raise ValidationError("plan.no_header", field="file", rows=HEADER_SCAN_ROWS)
    headers, first = columns.combine_header(table, h)
    body = table[first:]
    if len(body) > grid.MAX_ROWS:
        raise ValidationError("cases.too_many_rows", field="file", n=len(body), max=grid.MAX_ROWS)
    colmap: dict[int, str] = {}
    cols: dict[str, str] = {}
    unknown: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(headers):
        f = columns.canon(name)
        if f and f not in seen:
            colmap[i], cols[name] = f, f
            seen.add(f)
        elif name and name not in cols:
            colmap[i], cols[name] = "extra:" + name, "extra"
            unknown.append(name)
    plan = ParsedPlan(filename=filename, sheet=sheet, header_row=h + 1, columns=cols, rows=[])
    if "measure" not in seen:
        plan.warnings.append(Issue("plan.no_measure_column"))
    if unknown:
        plan.warnings.append(Issue("cases.unknown_columns", {"cols": "、".join(unknown)}))

    section = ""
    raw_rows: list[tuple[int, dict[str, Any], dict[str, str]]] = []
    for idx, raw in enumerate(body):
        row_no = first + idx + 1
        got: dict[str, Any] = {}
        extra: dict[str, str] = {}
        for i, value in enumerate(raw):
            target = colmap.get(i)
            if target is None or value is None:
                continue
            if cells.is_formula(value):
                continue
            if target.startswith("extra:"):
                t = _text(value)
                if t:
                    extra[target[6:]] = t
            elif target == "deadline":
                got[target] = value
            else:
                got[target] = _text(value)
        texts = {_text(v) for v in raw if _text(v)}
        if not texts:
            continue
        filled = sum(1 for v in raw if _text(v))
        only = next(iter(texts)) if len(texts) == 1 else ""
        if only and (filled >= 2 or not (got.get("measure") or got.get("problem")) or _SECTION_RE.match(only)):
            section = _SECTION_RE.sub("", only).strip()  # a section row across the table: the aspect
            continue
        if not got.get("aspect"):
            got["aspect"] = section
        raw_rows.append((row_no, got, extra))
    _build(plan, raw_rows)
    return plan


def _build(plan: ParsedPlan, raw_rows: list[tuple[int, dict[str, Any], dict[str, str]]]) -> None:
    by_problem: dict[str, list[int]] = {}
    for i, (_n, got, _e) in enumerate(raw_rows):
        if got.get("problem"):
            by_problem.setdefault(_key_text(got["problem"]), []).append(i)
    # 序号 merged over a problem's rows numbers problems; otherwise it numbers measures.
    seq_is_problem = bool(by_problem) and all(
        len({raw_rows[i][1].get("seq", "") for i in idxs}) == 1 for idxs in by_problem.values()) and any(
        len(idxs) > 1 for idxs in by_problem.values())
    ordinal: dict[str, int] = {}
    first_of: dict[tuple[str, str], PlanRow] = {}
    for row_no, got, extra in raw_rows:
        title = got.get("problem", "")
        code = got.get("problem_code") or (got.get("seq", "") if seq_is_problem else "")
        key = ("no:" + _key_text(code)) if code else (
            "t:" + hashlib.sha1(_key_text(title).encode()).hexdigest()[:16] if title else "")
        problem = {"code": code, "aspect": got.get("aspect", ""), "title": title, "target": got.get("target", ""),
                   "round": got.get("round", ""), "leader": "", "supervising_unit": ""}
        row = PlanRow(row_no=row_no, problem_key=key, problem=problem, measure_code="", measure={})
        content = got.get("measure", "")
        if not title:
            row.rejected.append(Issue("plan.row_no_problem" if content else "plan.row_empty"))
            plan.rows.append(row)
            continue
        if not content:
            row.warnings.append(Issue("plan.w_no_measure"))
            plan.rows.append(row)
            continue
        ordinal[key] = ordinal.get(key, 0) + 1
        mcode = got.get("measure_code") or ("" if seq_is_problem else got.get("seq", "")) or str(ordinal[key])
        row.measure_code = _key_text(mcode)
        d = read_deadline(got.get("deadline"))
        row.deadline = d
        if d.warning:
            row.warnings.append(Issue(d.warning, {"text": d.text}))
        elif not d.text:
            row.warnings.append(Issue("plan.w_no_deadline"))
        row.measure = {
            "content": content, "target": got.get("target", ""), "lead_unit": got.get("lead_unit", ""),
            "responsible_unit": got.get("responsible_unit", ""), "coop_unit": got.get("coop_unit", ""),
            "leader": got.get("leader", ""), "responsible_person": got.get("responsible_person", ""),
            "responsible_phone": got.get("responsible_phone", ""), "deadline": d.date, "deadline_text": d.text,
            "standing": d.standing, "supervising_unit": got.get("supervising_unit", ""),
            "progress_text": got.get("progress_text", ""), "extra": extra,
        }
        if not (row.measure["lead_unit"] or row.measure["responsible_unit"]):
            row.warnings.append(Issue("plan.w_no_unit"))
        for name, limit in _LIMITS.items():
            v = row.measure.get(name)
            if isinstance(v, str) and len(v) > limit:
                row.measure[name] = v[:limit]
                row.warnings.append(Issue("cases.w_truncated", {"column": name, "max": limit}))
        dup = (key, row.measure_code)
        if dup in first_of:
            row.rejected.append(Issue("plan.row_duplicate", {"code": mcode, "first": first_of[dup].row_no}))
        else:
            first_of[dup] = row
        plan.rows.append(row)
