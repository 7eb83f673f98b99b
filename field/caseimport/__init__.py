"""交办件 (complaint cases): importing the daily batches as published, deadlines, responsibility.

Published batch tables are messy in known ways (see ../shared/DOMAIN.md): title rows above the
header, merged header cells, column names that changed between rounds, GBK CSVs, several
pollution types in one cell, 受理编号 in three eras' formats with a trailing `*` for 重点关注.
The rule throughout is that a lost case is worse than an incomplete one: a row is kept when it has
a 受理编号 or a 交办问题基本情况, and every other gap is a warning on that row.

Import is three steps so the page can show a preview before anything is written:
`parse_file` (bytes -> rows, no database), `preview_import` (compare with what is stored:
new / update with the changed fields / unchanged / rejected) and `apply_import` (one
transaction, bulk statements, one audit event per written case).

Decisions worth knowing:
- 受理编号 is stored verbatim, star included, as published. Matching for idempotency uses a
  normalised key (whitespace and trailing `*`/`＊` removed), so a re-published table that adds or
  drops the star updates the same case instead of creating a twin.
- A row without 受理编号 is kept under a stable placeholder `无编号-<hash of its content>`, so
  importing the same file twice still changes nothing.
- Pollution types: see `TYPE_SYNONYMS`. Sub-types map to their medium (扬尘/油烟/异味/恶臭 -> air,
  垃圾/固体废物/危废 -> solid_waste, 生态破坏 -> ecology, 土壤污染 -> soil); 畜禽养殖 counts as
  water + soil because manure reaches both; anything unknown counts as `other` with a warning.
  The original wording is always kept in `Case.pollution_text`.
- Batch and hand-over date given on the form/CLI win over the file's title row or 批次 column;
  a disagreement is reported as a file warning.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from field import geo
from field.config import load_settings
from field.data.ledger_models import CaseResult
from field.data.models import AuditEvent, Case, User
from field.domain import clock
from field.domain.errors import ValidationError
from field.domain.permissions import in_scope, require
from field.domain.vocab import CLOSURE_STATES, POLLUTION_TYPES, RECEIVE_METHODS, TRUTHFULNESS
from field.services import audit

MAX_ROWS = 10_000  # a daily batch is ~100 rows; a whole round fits well under this
MAX_BYTES = 30 * 1024 * 1024
HEADER_SCAN_ROWS = 20
DUE_SOON_DAYS = 3

Progress = Callable[[float, str], None]

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

# Sub-types and variants -> codes of vocab.POLLUTION_TYPES (see the module docstring).
TYPE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "水污染": ("water",), "水体": ("water",), "地表水": ("water",), "地下水": ("water",),
    "黑臭水体": ("water",), "污水": ("water",), "废水": ("water",), "饮用水": ("water",),
    "大气污染": ("air",), "空气": ("air",), "扬尘": ("air",), "油烟": ("air",), "异味": ("air",),
    "恶臭": ("air",), "废气": ("air",), "烟尘": ("air",), "粉尘": ("air",), "臭气": ("air",),
    "餐饮油烟": ("air",), "秸秆焚烧": ("air",), "VOCs": ("air",),
    "土壤污染": ("soil",),
    "生态破坏": ("ecology",), "生态环境": ("ecology",), "破坏生态": ("ecology",),
    "噪音": ("noise",), "噪声污染": ("noise",),
    "电磁辐射": ("radiation",), "核与辐射": ("radiation",),
    "海洋污染": ("marine",),
    "固体废物": ("solid_waste",), "固废污染": ("solid_waste",), "垃圾": ("solid_waste",),
    "生活垃圾": ("solid_waste",), "建筑垃圾": ("solid_waste",), "危废": ("solid_waste",),
    "危险废物": ("solid_waste",),
    "畜禽养殖": ("water", "soil"), "养殖": ("water", "soil"),
    "其它": ("other",),
}
_TYPE_SPLIT = re.compile(r"[、,，;；/／|｜\s]+|及|和")
_YES = {"是", "√", "✓", "★", "*", "＊", "1", "y", "yes", "true", "重点关注", "重点"}
_NO = {"否", "×", "0", "n", "no", "false", ""}
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_BATCH_RE = re.compile(r"第\s*([0-9０-９零〇一二两三四五六七八九十百]+)\s*批")
_DATE_RE = re.compile(r"(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})")

# Fields compared (and shown as changed) when a case is imported again.
CASE_FIELDS = ("case_no", "handed_over_on", "receive_method", "content", "region_text", "county_adcode",
               "pollution_types", "pollution_text", "key_attention", "deadline", "lead_unit",
               "responsible_unit", "responsible_person", "responsible_phone", "extra")
RESULT_FIELDS = ("facts", "truthfulness", "truthfulness_text", "handling", "accountability", "closure_state",
                 "closure_target", "category", "handler", "remarks", "coop_unit", "feedback_due")




# ---------------------------------------------------------------------------------------------
# Messages and results


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


# ---------------------------------------------------------------------------------------------
# Reading the file into a grid of cells


def _noop(_f: float, _t: str) -> None:
    return None


def read_grid(data: bytes, filename: str) -> tuple[str, list[list[Any]]]:
    """(sheet name, rows of cell values) from xlsx or CSV bytes; merged cells are filled with
    their top-left value because published tables merge 行政区域 down and header groups across."""
    name = filename or "file"
    if len(data) > MAX_BYTES:
        raise ValidationError("cases.too_big", field="file", mb=round(len(data) / 1e6, 1), max=MAX_BYTES // 2**20)
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, name)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ValidationError("cases.old_xls", field="file", name=name)
    if not data.strip() or b"\x00" in data[:4096] or data[:5] == b"%PDF-" or data[:3] == b"\xff\xd8\xff":
        raise ValidationError("cases.not_spreadsheet", field="file", name=name)
    return "csv", _read_csv(data, name)


def _read_xlsx(data: bytes, name: str) -> tuple[str, list[list[Any]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ValidationError("cases.not_spreadsheet", field="file", name=name) from exc
    best: tuple[str, list[list[Any]]] | None = None
    for ws in wb.worksheets:
        if ws.max_row > MAX_ROWS + HEADER_SCAN_ROWS + 1:
            raise ValidationError("cases.too_many_rows", field="file", n=ws.max_row, max=MAX_ROWS)
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        for rng in ws.merged_cells.ranges:
            top = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(grid) else None
            for r in range(rng.min_row - 1, min(rng.max_row, len(grid))):
                for c in range(rng.min_col - 1, min(rng.max_col, len(grid[r]))):
                    grid[r][c] = top
        if best is None:
            best = (ws.title, grid)
        if _find_header(grid) is not None:
            return ws.title, grid
    return best or ("", [])


def _decode(data: bytes, name: str) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValidationError("cases.bad_encoding", field="file", name=name)


def _read_csv(data: bytes, name: str) -> list[list[Any]]:
    text = _decode(data, name)
    first = text[:4096]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise ValidationError("cases.not_spreadsheet", field="file", name=name) from exc


# ---------------------------------------------------------------------------------------------
# Header


def _norm_header(value: Any) -> str:
    s = re.sub(r"\s+", "", str(value or ""))
    return s.replace("（", "(").replace("）", ")").rstrip(":：*＊")


def _canon(value: Any) -> str | None:
    s = _norm_header(value)
    if not s:
        return None
    if s in _ALIAS:
        return _ALIAS[s]
    base = re.sub(r"\(.*?\)", "", s)  # "污染类型(问题类型)", "受理编号(带*为重点关注)"
    return _ALIAS.get(base)


def _header_score(row: list[Any]) -> tuple[int, bool]:
    canon = [_canon(v) for v in row]
    found = {c for c in canon if c}
    return len(found), bool(found & {"case_no", "content"})


def _find_header(grid: list[list[Any]]) -> int | None:
    """Index of the header row: the first of the top rows naming 受理编号 or 交办问题基本情况 and at
    least one other known column (a title row such as "第三批交办件" names none)."""
    for i, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        score, has_key = _header_score(row)
        if has_key and score >= 2:
            return i
    return None


def _combine_header(grid: list[list[Any]], h: int) -> tuple[list[str], int]:
    """Header texts per column and the index of the first data row. A two-level header (a
    merged group such as "举报信息" over 举报地市 / 举报区县) is read as its lower row wherever
    that has text, otherwise the upper one. The row below counts as a second header row when it
    names a known column and has no data under 受理编号 / 交办问题基本情况."""
    upper = [_cell_text(v) for v in grid[h]]
    if h + 1 >= len(grid):
        return upper, h + 1
    lower = [_cell_text(v) for v in grid[h + 1]]
    width = max(len(upper), len(lower))
    upper += [""] * (width - len(upper))
    lower += [""] * (width - len(lower))
    key_cols = [i for i, u in enumerate(upper) if _canon(u) in ("case_no", "content")]
    is_header = any(_canon(v) for v in lower) and all(
        lower[i] in ("", upper[i]) or _canon(lower[i]) for i in key_cols)
    if not is_header:
        return upper, h + 1
    return [lo or up for up, lo in zip(upper, lower, strict=True)], h + 2


# ---------------------------------------------------------------------------------------------
# Values


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _is_formula(value: Any) -> bool:
    if isinstance(value, str):
        return value.startswith("=") and len(value) > 1
    return type(value).__name__ in ("ArrayFormula", "DataTableFormula")


def normalise_case_no(case_no: str) -> str:
    """Matching key for a 受理编号: spaces and the 重点关注 star do not make a different case."""
    return re.sub(r"\s+", "", case_no or "").rstrip("*＊").upper()


def _cn_number(text: str) -> int | None:
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current or None


def parse_batch(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if value > 0 else None
    text = str(value).strip()
    m = _BATCH_RE.search(text)
    return _cn_number(m.group(1)) if m else _cn_number(text)


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = _DATE_RE.search(str(value or ""))
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def split_pollution_types(text: str) -> tuple[list[str], list[str]]:
    """(codes in vocabulary order, tokens that matched nothing). Unknown tokens count as
    `other`, because a case must stay countable by type even when the wording is new."""
    codes: set[str] = set()
    unknown: list[str] = []
    for token in _TYPE_SPLIT.split(text or ""):
        token = token.strip()
        if not token:
            continue
        found = _type_token(token)
        if found:
            codes.update(found)
        else:
            unknown.append(token)
            codes.add("other")
    return [c for c in POLLUTION_TYPES.codes if c in codes], unknown


def _type_token(token: str) -> tuple[str, ...]:
    code = POLLUTION_TYPES.from_text(token)
    if code:
        return (code,)
    if token in TYPE_SYNONYMS:
        return TYPE_SYNONYMS[token]
    for suffix in ("污染", "类", "问题"):
        if token.endswith(suffix) and len(token) > len(suffix):
            found = _type_token(token[: -len(suffix)])
            if found:
                return found
    for word, codes in sorted(TYPE_SYNONYMS.items(), key=lambda kv: -len(kv[0])):
        if len(word) >= 2 and word in token:
            return codes
    return ()


def _county_aliases(city_adcode: str | None = None) -> tuple[list[tuple[str, str]], list[str]]:
    """(alias, adcode) longest first, and the city prefixes to strip ("河北省", "沧州市", "沧州").
    One-character short names (沧县 -> 沧) are not aliases: 沧 alone would match 沧州."""
    aliases: list[tuple[str, str]] = []
    for c in geo.counties(city_adcode):
        aliases.append((c.name, c.adcode))
        short = re.sub(r"(回族自治县|自治县|区|县|市)$", "", c.name)
        if len(short) >= 2 and short != c.name:
            aliases.append((short, c.adcode))
    city = geo.city_info(city_adcode)
    prefixes = ["河北省"]
    if city is not None:
        prefixes.append(city.name)
        short_city = re.sub(r"市$", "", city.name)
        if len(short_city) >= 2:
            prefixes.append(short_city)
    aliases.sort(key=lambda a: -len(a[0]))
    return aliases, prefixes


def match_county(text: str, city_adcode: str | None = None) -> str | None:
    """Adcode for region text such as 沧州市运河区, 运河区 or 运河; None for the city itself
    (沧州市) or anything unknown, which the caller keeps as text with a warning."""
    return _match(text, _county_aliases(city_adcode))


def _yes(value: str) -> bool:
    return value.strip().lower() in _YES


# ---------------------------------------------------------------------------------------------
# Parsing


def parse_file(data: bytes, filename: str, *, batch: int | None = None, handed_over: dt.date | None = None,
               feedback_days: int | None = None, city_adcode: str | None = None,
               progress: Progress | None = None) -> ParsedFile:
    """Read a published batch table into rows with warnings/rejections; touches no database.

    Raises `ValidationError` for problems with the whole file (not a table, encoding, header,
    too many rows): then nothing can be imported and nothing is.
    """
    progress = progress or _noop
    progress(0.0, "read")
    sheet, grid = read_grid(data, filename)
    h = _find_header(grid)
    if h is None:
        raise ValidationError("cases.no_header", field="file", rows=HEADER_SCAN_ROWS)
    headers, first = _combine_header(grid, h)
    body = grid[first:]
    while body and all(_cell_text(v) == "" for v in body[-1]):
        body.pop()
    if len(body) > MAX_ROWS:
        raise ValidationError("cases.too_many_rows", field="file", n=len(body), max=MAX_ROWS)
    if not body:
        raise ValidationError("cases.empty", field="file")

    colmap: dict[int, str] = {}
    columns: dict[str, str] = {}
    unknown: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(headers):
        canon = _canon(name)
        if canon and canon not in seen:
            colmap[i], columns[name] = canon, canon
            seen.add(canon)
        elif name:
            colmap[i], columns[name] = "extra:" + name, "extra"
            unknown.append(name)
    out = ParsedFile(filename=filename, sheet=sheet, header_row=h + 1, columns=columns, rows=[])
    if unknown:
        out.warnings.append(Issue("cases.unknown_columns", {"cols": "、".join(unknown)}))

    title = " ".join(_cell_text(v) for row in grid[:h] for v in row if v is not None)
    file_batch = parse_batch(title) if _BATCH_RE.search(title) else None
    file_date = parse_date(title)
    if batch is not None and file_batch is not None and batch != file_batch:
        out.warnings.append(Issue("cases.batch_conflict", {"file": file_batch, "given": batch}))
    out.batch = batch if batch is not None else file_batch
    out.handed_over = handed_over or file_date
    if out.batch is None and "batch" not in seen:
        out.warnings.append(Issue("cases.no_batch"))
    if out.handed_over is None and "handed_over" not in seen:
        out.warnings.append(Issue("cases.no_handed_over"))
    days = feedback_days if feedback_days is not None else load_settings().feedback_days
    aliases = _county_aliases(city_adcode)

    first_row_of: dict[tuple[str, int | None], ParsedRow] = {}
    n = len(body)
    for idx, raw in enumerate(body):
        if idx % 500 == 0:
            progress(0.1 + 0.5 * idx / n, "parse")
        row_no = first + idx + 1
        if all(_cell_text(v) == "" for v in raw):
            continue
        row = _parse_row(raw, colmap, row_no, out, days, aliases)
        dup_key = (row.key, row.values["batch"])
        if not row.rejected and dup_key in first_row_of:
            first_row = first_row_of[dup_key]
            row.rejected.append(Issue("cases.row_duplicate", {"case_no": row.values["case_no"],
                                                              "first": first_row.row_no}))
            first_row.warnings.append(Issue("cases.w_dup_later", {"row": row_no}))
        elif not row.rejected:
            first_row_of[dup_key] = row
        out.rows.append(row)
    progress(0.6, "parse")
    return out


_LIMITS = {"case_no": 64, "region_text": 200, "pollution_text": 200, "lead_unit": 200, "responsible_unit": 200,
           "responsible_person": 100, "responsible_phone": 50, "truthfulness_text": 50, "closure_target": 200,
           "category": 100, "handler": 100, "coop_unit": 200}


def _parse_row(raw: list[Any], colmap: dict[int, str], row_no: int, pf: ParsedFile, feedback_days: int,
               aliases: tuple[list[tuple[str, str]], list[str]]) -> ParsedRow:
    cells: dict[str, str] = {}
    extra: dict[str, str] = {}
    warnings: list[Issue] = []
    header_of = {v: k for k, v in pf.columns.items()}
    for i, value in enumerate(raw):
        target = colmap.get(i)
        if target is None:
            continue
        if _is_formula(value):
            name = target[6:] if target.startswith("extra:") else header_of.get(target, target)
            warnings.append(Issue("cases.w_formula", {"column": name, "text": str(value)[:40]}))
            continue
        text = _cell_text(value)
        if target.startswith("extra:"):
            if text:
                extra[target[6:]] = text
        elif target in ("handed_over", "deadline") and isinstance(value, dt.date | dt.datetime):
            cells[target] = value.date() if isinstance(value, dt.datetime) else value  # type: ignore[assignment]
        else:
            cells[target] = text

    case_no = cells.get("case_no", "")
    content = cells.get("content", "")
    row = ParsedRow(row_no=row_no, values={}, key=normalise_case_no(case_no), warnings=warnings)
    if not case_no and not content:
        row.rejected.append(Issue("cases.row_no_key"))
        row.values = {"case_no": "", "content": "", "batch": pf.batch}
        return row
    if not case_no:
        case_no = "无编号-" + hashlib.sha1(re.sub(r"\s+", "", content).encode()).hexdigest()[:10]
        row.key = normalise_case_no(case_no)
        warnings.append(Issue("cases.w_no_case_no", {"placeholder": case_no}))
    if not content:
        warnings.append(Issue("cases.w_no_content"))

    # region: 行政区域, or 举报地市 + 举报区县
    region = cells.get("region", "")
    if not region and (cells.get("report_city") or cells.get("report_county")):
        region = "".join(x for x in (cells.get("report_city", ""), cells.get("report_county", "")) if x)
    county = None
    if region:
        county = _match(cells.get("report_county") or region, aliases) or _match(region, aliases)
        if county is None:
            warnings.append(Issue("cases.w_region_unmatched", {"text": region}))
    else:
        warnings.append(Issue("cases.w_no_region"))

    pollution_text = cells.get("pollution", "")
    types, unknown_types = split_pollution_types(pollution_text)
    if not pollution_text:
        warnings.append(Issue("cases.w_no_type"))
    for tok in unknown_types:
        warnings.append(Issue("cases.w_type_other", {"text": tok}))

    key_attention = case_no.rstrip().endswith(("*", "＊")) or _yes(cells.get("key_attention", "") or "否")
    receive = None
    rm_text = cells.get("receive_method", "")
    if rm_text:
        receive = RECEIVE_METHODS.from_text(rm_text) or {"电话": "D", "信件": "X"}.get(rm_text)
    if receive is None and re.match(r"^[DX]\d", case_no.strip().upper()):
        receive = case_no.strip()[0].upper()  # a hint from the number's format, never required

    truth_text = cells.get("truthfulness", "")
    truth = None
    if truth_text:
        truth = TRUTHFULNESS.from_text(truth_text)
        if truth is None and truth_text in ("是", "否"):
            truth = "true" if truth_text == "是" else "false"
            warnings.append(Issue("cases.w_old_truth", {"text": truth_text, "label": TRUTHFULNESS[truth].zh}))
        elif truth is None:
            warnings.append(Issue("cases.w_bad_truth", {"text": truth_text}))
    closure_text = cells.get("closure_state", "")
    closure = None
    if closure_text:
        closure = CLOSURE_STATES.from_text(closure_text) or {"是": "done", "否": "open"}.get(closure_text)
        if closure is None:
            warnings.append(Issue("cases.w_bad_closure", {"text": closure_text}))

    batch = pf.batch
    if batch is None and cells.get("batch"):
        batch = parse_batch(cells["batch"])
    if batch is None:
        warnings.append(Issue("cases.w_no_batch"))
    handed = pf.handed_over
    if handed is None and cells.get("handed_over"):
        handed = parse_date(cells["handed_over"])
        if handed is None:
            warnings.append(Issue("cases.w_bad_date", {"column": "交办时间", "text": cells["handed_over"]}))
    deadline = None
    if cells.get("deadline"):
        deadline = parse_date(cells["deadline"])
        if deadline is None:
            warnings.append(Issue("cases.w_bad_date", {"column": "整改时限", "text": cells["deadline"]}))

    values: dict[str, Any] = {
        "case_no": case_no, "batch": batch, "handed_over_on": handed, "receive_method": receive,
        "content": content, "region_text": region, "county_adcode": county, "pollution_types": types,
        "pollution_text": pollution_text, "key_attention": key_attention, "deadline": deadline,
        "lead_unit": cells.get("lead_unit", ""), "responsible_unit": cells.get("responsible_unit", ""),
        "responsible_person": cells.get("responsible_person", ""),
        "responsible_phone": cells.get("responsible_phone", ""), "extra": extra,
        "facts": cells.get("facts", ""), "truthfulness": truth, "truthfulness_text": truth_text,
        "handling": cells.get("handling", ""), "accountability": cells.get("accountability", ""),
        "closure_state": closure, "closure_target": cells.get("closure_target", ""),
        "category": cells.get("category", ""), "handler": cells.get("handler", ""),
        "remarks": cells.get("remarks", ""), "coop_unit": cells.get("coop_unit", ""),
        "feedback_due": handed + dt.timedelta(days=feedback_days) if handed else None,
    }
    for name, limit in _LIMITS.items():
        if isinstance(values[name], str) and len(values[name]) > limit:
            values[name] = values[name][:limit]
            warnings.append(Issue("cases.w_truncated", {"column": header_of.get(name, name), "max": limit}))
    row.values = values
    return row


def _match(text: str, aliases: tuple[list[tuple[str, str]], list[str]]) -> str | None:
    names, prefixes = aliases
    s = re.sub(r"\s+", "", text or "")
    for p in prefixes:
        if s.startswith(p):
            s = s[len(p):]
    if not s:
        return None
    for alias, adcode in names:
        if s.startswith(alias):
            return adcode
    return None


# ---------------------------------------------------------------------------------------------
# Preview and apply


_RESULT_DEFAULTS = {f: (None if f in ("truthfulness", "closure_state", "feedback_due") else "") for f in RESULT_FIELDS}


def _existing(session: Session, batches: Iterable[int | None]) -> dict[tuple[str, int | None], dict[str, Any]]:
    """Stored values of the cases in these batches, keyed like the rows (normalised 受理编号,
    batch). Plain column rows, not ORM objects: a 10,000-case round compares in a fraction."""
    batches = set(batches)
    known = [b for b in batches if b is not None]
    conds = []
    if known:
        conds.append(Case.batch.in_(known))
    if None in batches:
        conds.append(Case.batch.is_(None))
    if not conds:
        return {}
    cols = [Case.id, Case.batch, *(getattr(Case, f) for f in CASE_FIELDS),
            *(getattr(CaseResult, f) for f in RESULT_FIELDS)]
    stmt = select(*cols).outerjoin(CaseResult, CaseResult.case_id == Case.id).where(or_(*conds))
    names = ["id", "batch", *CASE_FIELDS, *RESULT_FIELDS]
    out: dict[tuple[str, int | None], dict[str, Any]] = {}
    has_result = CaseResult.case_id
    for row in session.execute(stmt.add_columns(has_result)):
        values = dict(zip(names, row, strict=False))
        if row[-1] is None:  # no CaseResult row yet: compare against its defaults
            values.update(_RESULT_DEFAULTS)
        out[(normalise_case_no(values["case_no"]), values["batch"])] = values
    return out


def preview_import(session: Session, user: User, parsed: ParsedFile) -> ParsedFile:
    """Mark each row new / update (with changed fields) / unchanged / skip, without writing.
    Rows in counties outside the importer's scope are rejected here, not silently dropped."""
    require(user, "case.import", check_county=False)
    existing = _existing(session, (r.values.get("batch") for r in parsed.rows if not r.rejected))
    for row in parsed.rows:
        row.changed, row.case_id = [], None
        if not row.rejected and not user.all_counties and not in_scope(user, row.values.get("county_adcode")):
            row.rejected.append(Issue("cases.row_out_of_scope", {"county": row.values.get("region_text") or "-"}))
        if row.rejected:
            row.action = "skip"
            continue
        stored = existing.get((row.key, row.values["batch"]))
        if stored is None:
            row.action = "new"
            continue
        if not in_scope(user, stored["county_adcode"]):
            row.rejected.append(Issue("cases.row_out_of_scope", {"county": stored["region_text"] or "-"}))
            row.action = "skip"
            continue
        row.case_id = stored["id"]
        row.changed = [f for f in (*CASE_FIELDS, *RESULT_FIELDS) if stored.get(f) != row.values.get(f)]
        row.action = "update" if row.changed else "unchanged"
    return parsed


def apply_import(session: Session, user: User, parsed: ParsedFile, *, now: dt.datetime | None = None,
                 progress: Progress | None = None) -> ImportSummary:
    """Write the previewed rows in the caller's transaction (the caller commits or rolls back, so
    a failure leaves nothing half-imported). Compares with the database again first, so a
    preview that went stale while someone read it cannot overwrite a newer change blindly."""
    progress = progress or _noop
    require(user, "case.import", check_county=False)
    now = now or clock.now()
    preview_import(session, user, parsed)
    progress(0.65, "write")
    new_rows = [r for r in parsed.rows if r.action == "new"]
    case_rows = [{**{f: r.values[f] for f in (*CASE_FIELDS, "batch")}, "created_at": now, "updated_at": now}
                 for r in new_rows]
    events: list[dict[str, Any]] = []
    if case_rows:
        ids = list(session.scalars(insert(Case).returning(Case.id, sort_by_parameter_order=True), case_rows))
        progress(0.8, "write")
        result_rows = []
        for r, cid in zip(new_rows, ids, strict=True):
            r.case_id = cid
            result_rows.append({"case_id": cid, "updated_at": now, **{f: r.values[f] for f in RESULT_FIELDS}})
            events.append(_event(user, cid, "import", None, {"case_no": r.values["case_no"],
                                                             "batch": r.values["batch"],
                                                             "file": parsed.filename, "row": r.row_no}, now))
        session.execute(insert(CaseResult), result_rows)
    for r in parsed.rows:
        if r.action != "update" or r.case_id is None:
            continue
        case = session.get(Case, r.case_id)
        result = session.get(CaseResult, r.case_id)
        if result is None:
            result = CaseResult(case_id=r.case_id)
            session.add(result)
        before = {f: getattr(case if f in CASE_FIELDS else result, f) for f in r.changed}
        for f in r.changed:
            setattr(case if f in CASE_FIELDS else result, f, r.values[f])
        case.updated_at = now
        events.append(_event(user, r.case_id, "import_update", before,
                             {**{f: r.values[f] for f in r.changed}, "file": parsed.filename, "row": r.row_no}, now))
    if events:
        session.execute(insert(AuditEvent), events)
    session.flush()
    progress(1.0, "done")
    return summarise(parsed)


def _event(user: User, case_id: int, action: str, before: dict[str, Any] | None, after: dict[str, Any],
           at: dt.datetime) -> dict[str, Any]:
    """The row `audit.record` would write, as a dict for one bulk INSERT (10,000 ORM objects
    would cost more than the import itself)."""
    return {"at": at, "actor_id": user.id, "actor_name": user.username, "entity": "case", "entity_id": str(case_id),
            "action": action, "before": audit._jsonable(before) if before is not None else None,
            "after": audit._jsonable(after), "reason": ""}


def import_cases(session: Session, user: User, data: bytes, filename: str, *, batch: int | None = None,
                 handed_over: dt.date | None = None, dry_run: bool = False,
                 progress: Progress | None = None, now: dt.datetime | None = None) -> tuple[ParsedFile, ImportSummary]:
    """Parse, preview and (unless dry_run) write; the caller commits. Used by the CLI and bench."""
    require(user, "case.import", check_county=False)
    parsed = parse_file(data, filename, batch=batch, handed_over=handed_over, progress=progress)
    if dry_run:  # apply_import previews itself, so only the dry run needs it here
        preview_import(session, user, parsed)
        return parsed, summarise(parsed)
    return parsed, apply_import(session, user, parsed, now=now, progress=progress)


# ---------------------------------------------------------------------------------------------
# Deadlines and the case list


def deadline_flag(due: dt.date | None, today: dt.date, *, done: bool = False) -> str | None:
    """"overdue", "due_soon" (within 3 days, today included) or None."""
    if due is None or done:
        return None
    if due < today:
        return "overdue"
    if (due - today).days <= DUE_SOON_DAYS:
        return "due_soon"
    return None


@dataclass
class CaseRow:
    case: Case
    result: CaseResult | None
    feedback_flag: str | None  # 10-day feedback
    deadline_flag: str | None  # 整改时限

    @property
    def flag(self) -> str | None:
        flags = {self.feedback_flag, self.deadline_flag}
        return "overdue" if "overdue" in flags else ("due_soon" if "due_soon" in flags else None)


def feedback_given(result: CaseResult | None) -> bool:
    """Feedback counts as given once the verification outcome (是否属实) or a closure is recorded."""
    return result is not None and (result.truthfulness is not None or result.closure_state in ("done", "staged"))


def list_cases(session: Session, user: User, *, batch: int | None = None, county: str | None = None,
               flag: str | None = None, text: str = "", key_only: bool = False,
               today: dt.date | None = None, limit: int | None = None) -> list[CaseRow]:
    """Cases the user may see, with deadline flags; filters apply in SQL where they can."""
    require(user, "case.view", check_county=False)
    today = today or clock.today_local()
    stmt = select(Case, CaseResult).outerjoin(CaseResult, CaseResult.case_id == Case.id)
    if batch is not None:
        stmt = stmt.where(Case.batch == batch)
    if county:
        stmt = stmt.where(Case.county_adcode == county)
    if not user.all_counties:
        stmt = stmt.where(Case.county_adcode.in_(list(user.county_scope or [])))
    if key_only:
        stmt = stmt.where(Case.key_attention.is_(True))
    if text.strip():
        like = f"%{text.strip()}%"
        stmt = stmt.where(Case.case_no.ilike(like) | Case.content.ilike(like) | Case.region_text.ilike(like)
                          | Case.responsible_unit.ilike(like))
    stmt = stmt.order_by(Case.batch, Case.id)
    out = []
    for case, result in session.execute(stmt):
        done = result is not None and result.closure_state == "done"
        fb_due = result.feedback_due if result is not None else None
        row = CaseRow(case, result, deadline_flag(fb_due, today, done=feedback_given(result)),
                      deadline_flag(case.deadline, today, done=done))
        if flag is None or row.flag == flag:
            out.append(row)
        if limit is not None and len(out) >= limit:
            break
    return out


def batches(session: Session) -> list[int]:
    return [b for b in session.scalars(select(Case.batch).distinct().order_by(Case.batch)) if b is not None]


# ---------------------------------------------------------------------------------------------
# Responsibility and results

_PHONE = re.compile(r"^[0-9+()\-\s、,，/转]{5,50}$")


def check_phone(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if value and not _PHONE.match(value):
        raise ValidationError("cases.bad_phone", field="phone", value=value)
    return value


def assign_responsibility(session: Session, user: User, case_ids: list[int], *, lead_unit: str | None = None,
                          responsible_unit: str | None = None, coop_unit: str | None = None,
                          person: str | None = None, phone: str | None = None,
                          deadline: dt.date | None = None) -> int:
    """Set 牵头/责任/配合单位, 责任人, phone and 整改时限 on many cases at once; None leaves a field
    as it is. All or nothing: one case outside the user's scope refuses the whole assignment."""
    require(user, "case.edit", check_county=False)
    if not case_ids:
        raise ValidationError("cases.none_selected", field="cases")
    phone = check_phone(phone)
    cases = list(session.scalars(select(Case).where(Case.id.in_(case_ids))))
    missing = set(case_ids) - {c.id for c in cases}
    if missing:
        raise ValidationError("cases.not_found", field="cases", id=min(missing))
    for c in cases:
        require(user, "case.edit", c.county_adcode)
    changes = {"lead_unit": lead_unit, "responsible_unit": responsible_unit, "responsible_person": person,
               "responsible_phone": phone, "deadline": deadline}
    changes = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items() if v is not None}
    n = 0
    for c in cases:
        result = session.get(CaseResult, c.id)
        if coop_unit is not None and result is None:
            result = CaseResult(case_id=c.id)
            session.add(result)
        before = {k: getattr(c, k) for k in changes if getattr(c, k) != changes[k]}
        after = {k: changes[k] for k in before}
        if coop_unit is not None and result is not None and result.coop_unit != coop_unit.strip():
            before["coop_unit"], after["coop_unit"] = result.coop_unit, coop_unit.strip()
            result.coop_unit = coop_unit.strip()
        if not after:
            continue
        for k, v in after.items():
            if k != "coop_unit":
                setattr(c, k, v)
        audit.record(session, user, "case", c.id, "assign", before=before, after=after)
        n += 1
    session.flush()
    return n


def set_result(session: Session, user: User, case_id: int, *, facts: str | None = None,
               truthfulness: str | None = None, handling: str | None = None, accountability: str | None = None,
               closure_state: str | None = None) -> CaseResult:
    """Record the city's answer on a case (what the 公开情况一览表 publishes)."""
    case = session.get(Case, case_id)
    if case is None:
        raise ValidationError("cases.not_found", id=case_id)
    require(user, "case.edit", case.county_adcode)
    if truthfulness is not None and truthfulness not in TRUTHFULNESS:
        raise ValidationError("cases.bad_truth", field="truthfulness")
    if closure_state is not None and closure_state not in CLOSURE_STATES:
        raise ValidationError("cases.bad_closure", field="closure_state")
    result = session.get(CaseResult, case_id)
    if result is None:
        result = CaseResult(case_id=case_id, feedback_due=_feedback_due(case))
        session.add(result)
    new = {"facts": facts, "truthfulness": truthfulness, "handling": handling, "accountability": accountability,
           "closure_state": closure_state}
    before = {k: getattr(result, k) for k, v in new.items() if v is not None and getattr(result, k) != v}
    for k in before:
        setattr(result, k, new[k])
    if truthfulness is not None:
        result.truthfulness_text = TRUTHFULNESS[truthfulness].zh
    if before:
        audit.record(session, user, "case", case_id, "result", before=before, after={k: new[k] for k in before})
    session.flush()
    return result


def _feedback_due(case: Case) -> dt.date | None:
    if case.handed_over_on is None:
        return None
    return case.handed_over_on + dt.timedelta(days=load_settings().feedback_days)
