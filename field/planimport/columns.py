"""Which column of a plan annex is which: the header names published 整改方案 tables use.

Same approach as `field.caseimport.columns` (a field is known by any of its names, compared
after whitespace, full-width brackets and trailing colons are removed), with the plan's own
names. The header row is the first of the top rows naming the problem or the measure and at
least one other known column; a second header row below it (责任单位 over 牵头单位/配合单位,
责任人 over 责任领导/责任人) is read as its lower cell wherever that has text.
"""

from __future__ import annotations

import re
from typing import Any

from field.caseimport.cells import cell_text
from field.caseimport.columns import HEADER_SCAN_ROWS

COLUMNS: dict[str, tuple[str, ...]] = {
    "seq": ("序号",),
    "aspect": ("方面", "所属方面", "问题方面", "整改方面", "类别", "领域"),
    "problem_code": ("问题编号", "问题序号"),
    "problem": ("问题", "反馈问题", "存在问题", "整改问题", "督察反馈问题", "问题描述", "反馈意见问题"),
    "target": ("整改目标", "目标"),
    "measure_code": ("措施编号", "措施序号"),
    "measure": ("整改措施", "整改任务", "具体措施", "工作措施"),
    "lead_unit": ("牵头单位", "牵头责任单位"),
    "responsible_unit": ("责任单位", "主体责任单位"),
    "coop_unit": ("配合单位", "协办单位"),
    "leader": ("责任领导", "牵头领导", "分管领导"),
    "responsible_person": ("责任人",),
    "responsible_phone": ("联系电话", "电话"),
    "deadline": ("整改时限", "完成时限", "时限", "完成时间"),
    "supervising_unit": ("督导单位", "督办单位"),
    "progress_text": ("整改进展", "目前进展情况", "目前进展情况及存在问题", "进展情况", "整改情况"),
    "round": ("所属轮次", "轮次"),
}
_ALIAS = {name: canon for canon, names in COLUMNS.items() for name in names}
_KEY = {"problem", "measure"}


def _norm(value: Any) -> str:
    s = re.sub(r"\s+", "", str(value or ""))
    return s.replace("（", "(").replace("）", ")").rstrip(":：*＊")


def canon(value: Any) -> str | None:
    s = _norm(value)
    if not s:
        return None
    return _ALIAS.get(s) or _ALIAS.get(re.sub(r"\(.*?\)", "", s))


def find_header(grid: list[list[Any]]) -> int | None:
    for i, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        found = {c for c in (canon(v) for v in row) if c}
        if found & _KEY and len(found) >= 2:
            return i
    return None


def combine_header(grid: list[list[Any]], h: int) -> tuple[list[str], int]:
    """Header texts per column and the first data row (see the module docstring)."""
    upper = [cell_text(v) for v in grid[h]]
    if h + 1 >= len(grid):
        return upper, h + 1
    lower = [cell_text(v) for v in grid[h + 1]]
    width = max(len(upper), len(lower))
    upper += [""] * (width - len(upper))
    lower += [""] * (width - len(lower))
    key_cols = [i for i, u in enumerate(upper) if canon(u) in _KEY]
    differs = any(lo and lo != up for up, lo in zip(upper, lower, strict=True))
    is_header = differs and any(canon(v) for v in lower if v) and all(
        lower[i] in ("", upper[i]) or canon(lower[i]) for i in key_cols)
    if not is_header:
        return upper, h + 1
    return [lo or up for up, lo in zip(upper, lower, strict=True)], h + 2
