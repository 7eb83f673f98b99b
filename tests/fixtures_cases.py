"""Build 交办件 batch tables the way they are really published, in every variant the importer
must cope with. Everything here is generated (invented places and complaints), never copied
from a published table.

Variants: title rows above the header, a two-level merged header (举报信息 over 举报地市/举报区县),
GBK CSV, UTF-8 CSV with BOM, multi-valued types, the three eras of 受理编号, a trailing `*`,
问题类型 instead of 污染类型, old 是/否 in 是否属实, formulas in cells, unknown extra columns.
"""

from __future__ import annotations

import csv
import io
import random
from typing import Any

from openpyxl import Workbook

CITY = "130900"  # 沧州: the boundaries committed in geodata/
FEEDBACK_DAYS = 10  # Settings.feedback_days by default

CORE = ["序号", "受理编号", "交办问题基本情况", "行政区域", "污染类型", "调查核实情况", "是否属实",
        "处理和整改情况", "责任人被处理情况"]

_PLACES = ["运河区", "新华区", "沧县", "青县", "泊头市", "任丘市", "黄骅市", "河间市", "献县", "沧州市运河区",
           "孟村", "南皮县"]
_SITES = ["某小区南侧", "某工业园区内", "某村东头", "某商业街", "某养殖场", "某砖厂", "某河道沿岸", "某建筑工地"]
_ISSUES = [("餐饮店油烟直排，夜间噪音扰民", "大气、噪声"), ("企业夜间偷排废水，河水发黑发臭", "水"),
           ("露天堆放建筑垃圾，扬尘严重", "扬尘"), ("违规占用林地挖沙，破坏植被", "生态破坏、土壤污染"),
           ("养殖场粪污未经处理直排沟渠", "畜禽养殖"), ("铸造厂废气异味明显", "大气"),
           ("危险废物随意堆放", "固废"), ("施工机械深夜作业", "噪声")]


def case_no(i: int, era: str = "2024", star: bool = False) -> str:
    """A 受理编号 in one era's format: D3JX… (2024), X370000… (2018) or a plain number."""
    if era == "2024":
        no = f"{'DX'[i % 2]}3JX20240524{i:04d}"
    elif era == "2018":
        no = f"{'XD'[i % 2]}37000020181128{i:04d}"
    else:
        no = str(1000 + i)
    return no + ("*" if star else "")


def make_rows(n: int, *, seed: int = 1, era: str = "2024", start: int = 1) -> list[dict[str, Any]]:
    """n realistic rows keyed by the published header names (CORE)."""
    rng = random.Random(seed)
    rows = []
    for k in range(n):
        i = start + k
        issue, types = _ISSUES[rng.randrange(len(_ISSUES))]
        place = _PLACES[rng.randrange(len(_PLACES))]
        rows.append({
            "序号": k + 1, "受理编号": case_no(i, era, star=(i % 7 == 0)),
            "交办问题基本情况": f"{place}{_SITES[rng.randrange(len(_SITES))]}{issue}（第{i}件）",
            "行政区域": place, "污染类型": types, "调查核实情况": "", "是否属实": "", "处理和整改情况": "",
            "责任人被处理情况": "",
        })
    return rows


def xlsx_bytes(headers: list[str], rows: list[dict[str, Any]] | list[list[Any]], *,
               title_rows: list[str] | None = None, group_header: dict[str, list[str]] | None = None,
               sheet_title: str = "交办件") -> bytes:
    """An xlsx with optional title rows (merged across the table, as published) and an optional
    two-level header: `group_header={"举报信息": ["举报地市", "举报区县"]}` writes the group name
    merged over those columns and every other header merged vertically over two rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title
    width = len(headers)
    r = 1
    for title in title_rows or []:
        ws.cell(row=r, column=1, value=title)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        r += 1
    if group_header:
        in_group = {h: g for g, hs in group_header.items() for h in hs}
        c = 1
        while c <= width:
            h = headers[c - 1]
            if h in in_group:
                g = in_group[h]
                span = len(group_header[g])
                ws.cell(row=r, column=c, value=g)
                ws.merge_cells(start_row=r, start_column=c, end_row=r, end_column=c + span - 1)
                for j in range(span):
                    ws.cell(row=r + 1, column=c + j, value=headers[c - 1 + j])
                c += span
            else:
                ws.cell(row=r, column=c, value=h)
                ws.merge_cells(start_row=r, start_column=c, end_row=r + 1, end_column=c)
                c += 1
        r += 2
    else:
        for c, h in enumerate(headers, 1):
            ws.cell(row=r, column=c, value=h)
        r += 1
    for row in rows:
        values = [row.get(h, "") for h in headers] if isinstance(row, dict) else list(row)
        for c, v in enumerate(values, 1):
            if v not in ("", None):
                ws.cell(row=r, column=c, value=v)
        r += 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(headers: list[str], rows: list[dict[str, Any]], *, encoding: str = "gbk",
              title_rows: list[str] | None = None) -> bytes:
    """CSV as Excel/WPS saves it in China: GBK by default, or "utf-8-sig" (with BOM)."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    for title in title_rows or []:
        w.writerow([title] + [""] * (len(headers) - 1))
    w.writerow(headers)
    for row in rows:
        w.writerow([row.get(h, "") for h in headers])
    return buf.getvalue().encode(encoding)


def published_batch(n: int = 6, *, batch_title: str = "第三批", date_title: str = "2024年5月24日",
                    seed: int = 3, start: int = 1) -> bytes:
    """The common shape: two title rows, the core columns, then data (受理编号 from `start` on)."""
    return xlsx_bytes(CORE, make_rows(n, seed=seed, start=start),
                      title_rows=[f"中央第三生态环境保护督察组交办信访件办理情况（{batch_title}）",
                                  f"交办时间：{date_title}"])


def import_batch(session: Any, user: Any, data: bytes, filename: str, **kw: Any) -> Any:
    """`caseimport.import_cases` with the settings a default deployment passes (沧州, 10 days)."""
    from field import caseimport

    kw.setdefault("feedback_days", FEEDBACK_DAYS)
    kw.setdefault("city_adcode", CITY)
    return caseimport.import_cases(session, user, data, filename, **kw)
