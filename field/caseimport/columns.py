"""Which column is which: the header names published tables have used, and finding the header.

Column names changed between inspection rounds (受理编号 / 信访编号 / 交办编号 …) and tables put
a title or a merged group row above the real header, so a column is known by any of its names,
compared after whitespace, full-width brackets and trailing colons or stars are removed.
"""

from __future__ import annotations

import re
from typing import Any

from field.caseimport.cells import cell_text

HEADER_SCAN_ROWS = 20  # the header is looked for in this many top rows

# canonical field -> header names seen in published tables (compared after `_norm_header`).
COLUMNS: dict[str, tuple[str, ...]] = {
    "seq": ("序号",),
    "case_no": ("受理编号", "信访编号", "交办编号", "案件编号", "编号"),
    "content": ("交办问题基本情况", "举报内容", "信访内容", "问题基本情况", "交办问题", "反映问题"),
    "region": ("行政区域", "行政区划", "所属区域", "所在地区", "区域"),
    "report_city": ("举报地市", "地市", "所属地市"),
    "report_county": ("举报区县", "区县", "所属区县", "县市区"),
    "pollution": ("污染类型", "问题类型", "污染类别"),
    "facts": ("调查核实情况", "核查情况", "调查核实"),
    "truthfulness": ("是否属实",),
    "handling": ("处理和整改情况", "处理整改情况", "整改情况"),
    "accountability": ("责任人被处理情况", "问责情况", "责任人被问责情况"),
    "receive_method": ("受理方式", "来电来信"),
    "key_attention": ("重点关注", "是否重点关注"),
    "closure_target": ("办结目标",),
    "closure_state": ("是否办结", "办结情况"),
    "category": ("处理类别",),
    "handler": ("办案人",),
    "remarks": ("备注",),
    "batch": ("批次", "交办批次"),
    "handed_over": ("交办时间", "交办日期"),
    "deadline": ("整改时限", "办结时限"),
    "lead_unit": ("牵头单位",),
    "responsible_unit": ("责任单位",),
    "coop_unit": ("配合单位",),
    "responsible_person": ("责任人",),
    "responsible_phone": ("联系电话", "责任人电话", "电话"),
}
_ALIAS = {name: canon for canon, names in COLUMNS.items() for name in names}


def _norm_header(value: Any) -> str:
    s = re.sub(r"\s+", "", str(value or ""))
    return s.replace("（", "(").replace("）", ")").rstrip(":：*＊")


def canon(value: Any) -> str | None:
    """The canonical field a header text names, or None for a column we do not know."""
    s = _norm_header(value)
    if not s:
        return None
    if s in _ALIAS:
        return _ALIAS[s]
    base = re.sub(r"\(.*?\)", "", s)  # "污染类型(问题类型)", "受理编号(带*为重点关注)"
    return _ALIAS.get(base)


def _header_score(row: list[Any]) -> tuple[int, bool]:
    found = {c for c in (canon(v) for v in row) if c}
    return len(found), bool(found & {"case_no", "content"})


def find_header(grid: list[list[Any]]) -> int | None:
    """Index of the header row: the first of the top rows naming 受理编号 or 交办问题基本情况 and at
    least one other known column (a title row such as "第三批交办件" names none)."""
    for i, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        score, has_key = _header_score(row)
        if has_key and score >= 2:
            return i
    return None


def combine_header(grid: list[list[Any]], h: int) -> tuple[list[str], int]:
    """Header texts per column and the index of the first data row. A two-level header (a
    merged group such as "举报信息" over 举报地市 / 举报区县) is read as its lower row wherever
    that has text, otherwise the upper one. The row below counts as a second header row when it
    names a known column and has no data under 受理编号 / 交办问题基本情况."""
    upper = [cell_text(v) for v in grid[h]]
    if h + 1 >= len(grid):
        return upper, h + 1
    lower = [cell_text(v) for v in grid[h + 1]]
    width = max(len(upper), len(lower))
    upper += [""] * (width - len(upper))
    lower += [""] * (width - len(lower))
    key_cols = [i for i, u in enumerate(upper) if canon(u) in ("case_no", "content")]
    is_header = any(canon(v) for v in lower) and all(
        lower[i] in ("", upper[i]) or canon(lower[i]) for i in key_cols)
    if not is_header:
        return upper, h + 1
    return [lo or up for up, lo in zip(upper, lower, strict=True)], h + 2
