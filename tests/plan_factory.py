"""Build 整改方案 annex tables shaped like published ones (all content invented): a title row,
a two-level merged header, 方面 merged down, each problem merged over its measure rows."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

UPPER = ["序号", "方面", "反馈问题", "整改目标", "整改措施", "责任单位", "责任单位", "责任人", "责任人",
         "整改时限", "督导单位", "目前进展情况", "备注说明"]
LOWER = ["序号", "方面", "反馈问题", "整改目标", "整改措施", "牵头单位", "配合单位", "责任领导", "责任人",
         "整改时限", "督导单位", "目前进展情况", "备注说明"]
DEADLINES = ["2022年底前", "2023年6月底前", "立即整改、长期坚持", "2025年", "持续推进"]


def plan_spec(aspects: int = 2, problems_per: int = 2, measures_per: int = 3) -> list[dict[str, Any]]:
    spec = []
    n = 0
    for a in range(aspects):
        for _p in range(problems_per):
            n += 1
            spec.append({"seq": n, "aspect": f"方面{a + 1}：某某领域整改", "problem": f"问题{n}：某区域某类问题整改不到位\n表现为多处反弹",
                         "target": f"目标{n}", "measures": [
                             {"text": f"措施{n}-{k + 1}：开展排查整治\n建立台账", "lead": f"市局{(n + k) % 4 + 1}",
                              "coop": "各县（市、区）政府", "leader": "某副市长", "person": f"负责人{k}",
                              "deadline": DEADLINES[(n + k) % len(DEADLINES)], "sup": "市督导组",
                              "progress": "", "note": f"备注{n}-{k}"} for k in range(measures_per)]})
    return spec


def plan_xlsx(spec: list[dict[str, Any]], *, title: str = "某市贯彻落实督察反馈意见整改方案任务清单") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append([title] + [None] * (len(UPPER) - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(UPPER))
    ws.append(UPPER)
    ws.append(LOWER)
    for col, name in enumerate(UPPER, 1):  # single-level columns merge down over the two header rows
        if name == LOWER[col - 1]:
            ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    ws.merge_cells("F2:G2")
    ws.merge_cells("H2:I2")
    row = 4
    aspect_start: dict[str, int] = {}
    for p in spec:
        first = row
        aspect_start.setdefault(p["aspect"], row)
        for m in p["measures"]:
            ws.append([p["seq"], p["aspect"], p["problem"], p["target"], m["text"], m["lead"], m["coop"], m["leader"],
                       m["person"], m["deadline"], m["sup"], m["progress"], m["note"]])
            row += 1
        if row - first > 1:
            for col in (1, 3, 4):
                ws.merge_cells(start_row=first, start_column=col, end_row=row - 1, end_column=col)
    # 方面 merged down over all its problems' rows
    starts = sorted(aspect_start.values()) + [row]
    for a, b in zip(starts, starts[1:], strict=False):
        if b - a > 1:
            ws.merge_cells(start_row=a, start_column=2, end_row=b - 1, end_column=2)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
