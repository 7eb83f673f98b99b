"""Grid -> parsed case records: one `ParsedRow` per table row, with its warnings or rejections.

The rule is that a lost case is worse than an incomplete one: a row is kept when it has a
受理编号 or a 交办问题基本情况, and every other gap is a warning on that row. Problems with the
whole file (not a table, no header, too many rows) raise `ValidationError`: then nothing is
imported. Nothing here touches the database.

- Identity: the 受理编号 within the inspection (round/team/province: given, the setting, or
  read from the title). Without one, the published 批次 + 序号; without those either, a
  placeholder `无编号-<hash of its content>`, so importing the same file twice changes nothing.
  The row says which it is.
- Batch and hand-over date given on the form/CLI win over the file's title row or 批次 column;
  a disagreement is reported as a file warning. A title may name several batches ("第29、30批").
  The title's date is only a *suggestion* for the hand-over date (it is usually the publication
  date) and is used only when the user confirms it; a reception window is kept as text.
- `present` / `blank` say which fields the file's columns give, so the merge can leave a value
  alone when its column is absent, and (unless the user asks) when its cell is empty.
- The published wording of 受理方式, 是否属实, 是否办结, pollution types and regions is always
  kept next to the codes; a wording we do not know is a warning, never dropped. A section row
  "来电" / "来信" above a group of rows gives them their 受理方式.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from field.caseimport import cells, grid, regions
from field.caseimport.columns import HEADER_SCAN_ROWS, canon, combine_header, find_header
from field.caseimport.records import Issue, ParsedFile, ParsedRow, Progress, no_progress
from field.domain.caseid import seq_key
from field.domain.errors import ValidationError


def _column_limits() -> dict[str, int]:
    """Column widths in the database (read from the models, which own them): longer texts are
    cut, with a warning naming the column, rather than refusing a whole published table."""
    from field.data import lengths
    from field.data.ledger_models import CaseResult
    from field.data.models import Case, CaseBatch

    out: dict[str, int] = {}
    for model, names in ((Case, ("case_no", "region_text", "pollution_text", "lead_unit", "responsible_unit",
                                 "responsible_person", "responsible_phone", "receive_text")),
                         (CaseResult, ("truthfulness_text", "closure_target", "category", "handler", "coop_unit",
                                       "closure_text")),
                         (CaseBatch, ("seq", "section"))):
        for name in names:
            limit = lengths.limit(model, name)
            if limit is not None:
                out[name] = limit
    return out


_LIMITS = _column_limits()

# stored field -> the columns that give it (a field is "present" when the file has one of them)
SOURCES: dict[str, tuple[str, ...]] = {
    "content": ("content",), "region_text": ("region", "report_city", "report_county"),
    "county_adcode": ("region", "report_city", "report_county"),
    "counties": ("region", "report_city", "report_county"),
    "pollution_types": ("pollution",), "pollution_text": ("pollution",), "key_attention": ("key_attention",),
    "receive_method": ("receive_method",), "receive_text": ("receive_method",), "deadline": ("deadline",),
    "lead_unit": ("lead_unit",), "responsible_unit": ("responsible_unit",),
    "responsible_person": ("responsible_person",), "responsible_phone": ("responsible_phone",),
    "facts": ("facts",), "truthfulness": ("truthfulness",), "truthfulness_text": ("truthfulness",),
    "handling": ("handling",), "accountability": ("accountability",), "closure_state": ("closure_state",),
    "closure_text": ("closure_state",), "closure_target": ("closure_target",), "category": ("category",),
    "handler": ("handler",), "remarks": ("remarks",), "coop_unit": ("coop_unit",),
    "handed_over_on": ("handed_over",), "handed_over_source": ("handed_over",), "feedback_due": ("handed_over",),
}


def parse_file(data: bytes, filename: str, *, feedback_days: int, city_adcode: str,
               batch: int | str | list[int] | None = None, handed_over: dt.date | None = None,
               accept_suggested_date: bool = False, inspection: str | None = None,
               default_inspection: str = "", progress: Progress | None = None) -> ParsedFile:
    """Read a published batch table into rows with warnings/rejections; touches no database.

    `feedback_days` (Settings.feedback_days) sets each case's 10-day feedback date and
    `city_adcode` (Settings.city_adcode) the counties region texts are matched against.
    `batch` accepts the published wording ("第29、30批") as well as a number. `handed_over` is
    the date the user gives or confirms; `accept_suggested_date` confirms the title's date.
    `inspection` (the user's) wins over `default_inspection` (Settings.inspection), which wins
    over the team a title names.
    Raises `ValidationError` for problems with the whole file (not a table, encoding, header,
    too many rows): then nothing can be imported and nothing is.
    """
    progress = progress or no_progress
    progress(0.0, "read")
    sheet, table = grid.read_grid(data, filename)
    h = find_header(table)
    if h is None:
        raise ValidationError("cases.no_header", field="file", rows=HEADER_SCAN_ROWS)
    headers, first = combine_header(table, h)
    body = table[first:]
    while body and all(cells.cell_text(v) == "" for v in body[-1]):
        body.pop()
    if len(body) > grid.MAX_ROWS:
        raise ValidationError("cases.too_many_rows", field="file", n=len(body), max=grid.MAX_ROWS)
    if not body:
        raise ValidationError("cases.empty", field="file")

    colmap: dict[int, str] = {}
    columns: dict[str, str] = {}
    unknown: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(headers):
        field_name = canon(name)
        if field_name and field_name not in seen:
            colmap[i], columns[name] = field_name, field_name
            seen.add(field_name)
        elif name:
            colmap[i], columns[name] = "extra:" + name, "extra"
            unknown.append(name)
    out = ParsedFile(filename=filename, sheet=sheet, header_row=h + 1, columns=columns, rows=[])
    if unknown:
        out.warnings.append(Issue("cases.unknown_columns", {"cols": "、".join(unknown)}))

    title = " ".join(cells.cell_text(v) for row in table[:h] for v in row if v is not None)
    _batches(out, batch, title)
    if out.batch is None and "batch" not in seen:
        out.warnings.append(Issue("cases.no_batch"))
    _dates(out, title, handed_over, accept_suggested_date, "handed_over" in seen)
    _inspection(out, title, inspection, default_inspection)
    aliases = regions.county_aliases(city_adcode)

    first_row_of: dict[str, ParsedRow] = {}
    section = ""
    n = len(body)
    for idx, raw in enumerate(body):
        if idx % 500 == 0:
            progress(0.1 + 0.5 * idx / n, "parse")
        row_no = first + idx + 1
        if all(cells.cell_text(v) == "" for v in raw):
            continue
        opened = cells.section_row(raw)
        if opened is not None:
            section = opened
            continue
        row = _parse_row(raw, colmap, row_no, out, feedback_days, aliases, seen, section)
        if not row.rejected and row.key in first_row_of:
            first_row = first_row_of[row.key]
            row.rejected.append(Issue("cases.row_duplicate", {"case_no": row.values["case_no"] or row.key,
                                                              "first": first_row.row_no}))
            first_row.warnings.append(Issue("cases.w_dup_later", {"row": row_no}))
        elif not row.rejected:
            first_row_of[row.key] = row
        out.rows.append(row)
    progress(0.6, "parse")
    return out


def _batches(out: ParsedFile, given: int | str | list[int] | None, title: str) -> None:
    """The batches of the file: the user's (a number or the published wording) win over the title's."""
    title_batches = cells.parse_batches(title) if cells.BATCHES_RE.search(title) else []
    m = cells.BATCHES_RE.search(title)
    if isinstance(given, list):
        given_batches = sorted({int(b) for b in given if int(b) > 0})
    else:
        given_batches = cells.parse_batches(given)
    if given not in (None, "", []) and not given_batches:
        raise ValidationError("cases.bad_batch", field="batch", text=str(given))
    if given_batches and title_batches and given_batches != title_batches:
        out.warnings.append(Issue("cases.batch_conflict", {"file": _batch_label(title_batches),
                                                           "given": _batch_label(given_batches)}))
    out.batches = given_batches or title_batches
    out.batch = out.batches[0] if out.batches else None
    if given_batches:
        out.batch_text = given if isinstance(given, str) and cells.BATCHES_RE.search(given) else \
            f"第{'、'.join(str(b) for b in given_batches)}批"
    elif m:
        out.batch_text = m.group(0)


def _batch_label(batches: list[int]) -> int | str:
    return batches[0] if len(batches) == 1 else "、".join(str(b) for b in batches)


def _dates(out: ParsedFile, title: str, handed_over: dt.date | None, accept: bool, has_column: bool) -> None:
    suggested, published, window = cells.title_dates(title)
    out.suggested_date, out.published_on, out.reception_window = suggested, published, window
    out.handed_over = handed_over or (suggested if accept else None)
    if out.handed_over is None and not has_column:
        out.warnings.append(Issue("cases.no_handed_over"))
        if suggested is not None:
            out.warnings.append(Issue("cases.date_suggested", {"date": suggested.isoformat()}))
    if window:
        out.warnings.append(Issue("cases.reception_window", {"text": window}))


def _inspection(out: ParsedFile, title: str, given: str | None, default: str) -> None:
    named = cells.inspection_from_title(title)
    for value, source in ((given, "given"), (default, "setting"), (named, "title")):
        if value and value.strip():
            out.inspection, out.inspection_source = value.strip()[:100], source
            break
    if not out.inspection:
        out.warnings.append(Issue("cases.no_inspection"))
    elif named and out.inspection != named and out.inspection_source != "given":
        out.warnings.append(Issue("cases.inspection_differs", {"title": named, "used": out.inspection}))


def _read_cells(raw: list[Any], colmap: dict[int, str], header_of: dict[str, str],
                warnings: list[Issue]) -> tuple[dict[str, Any], dict[str, str], set[str]]:
    """(known field -> text, or a date for the date columns; unknown header -> text; extra
    headers whose cell is empty)."""
    values: dict[str, Any] = {}
    extra: dict[str, str] = {}
    extra_blank: set[str] = set()
    for i, value in enumerate(raw):
        target = colmap.get(i)
        if target is None:
            continue
        if cells.is_formula(value):
            name = target[6:] if target.startswith("extra:") else header_of.get(target, target)
            warnings.append(Issue("cases.w_formula", {"column": name, "text": str(value)[:40]}))
            continue
        text = cells.cell_text(value)
        if target.startswith("extra:"):
            if text:
                extra[target[6:]] = text
            else:
                extra_blank.add(target[6:])
        elif target in ("handed_over", "deadline") and isinstance(value, dt.date | dt.datetime):
            values[target] = value.date() if isinstance(value, dt.datetime) else value
        else:
            values[target] = text
    return values, extra, extra_blank


def _parse_row(raw: list[Any], colmap: dict[int, str], row_no: int, pf: ParsedFile, feedback_days: int,
               aliases: regions.Aliases, columns: set[str], section: str) -> ParsedRow:
    warnings: list[Issue] = []
    header_of = {v: k for k, v in pf.columns.items()}
    got, extra, extra_blank = _read_cells(raw, colmap, header_of, warnings)

    def text(name: str) -> str:
        return str(got.get(name, ""))

    case_no = text("case_no")
    content = text("content")
    seq = text("seq")
    row = ParsedRow(row_no=row_no, values={}, key=cells.normalise_case_no(case_no), warnings=warnings)
    if not case_no and not content:
        row.rejected.append(Issue("cases.row_no_key"))
        row.values = {"case_no": "", "content": "", "batch": pf.batch, "batches": pf.batches}
        return row

    batches = list(pf.batches)
    if not batches and got.get("batch"):
        batches = cells.parse_batches(got["batch"])

    if not case_no and seq and batches:
        row.identity, row.key = "seq", seq_key(batches, seq, section)
        warnings.append(Issue("cases.w_identity_seq", {"key": row.key}))
    elif not case_no:
        case_no = "无编号-" + hashlib.sha1(re.sub(r"\s+", "", content).encode()).hexdigest()[:10]
        row.identity, row.key = "hash", cells.normalise_case_no(case_no)
        warnings.append(Issue("cases.w_no_case_no", {"placeholder": case_no}))
    if not content:
        warnings.append(Issue("cases.w_no_content"))

    present = {f for f, cols in SOURCES.items() if any(c in columns for c in cols)}
    blank: set[str] = set()
    if row.identity != "seq":
        present.add("case_no")

    # region: 行政区域, or 举报地市 + 举报区县; every county a 合办件 names
    region = text("region")
    if not region and (got.get("report_city") or got.get("report_county")):
        region = "".join(x for x in (text("report_city"), text("report_county")) if x)
    counties: list[str] = []
    if region:
        counties, unmatched = regions.match_all(text("report_county") or region, aliases)
        if not counties and text("report_county"):
            counties, unmatched = regions.match_all(region, aliases)
        if not counties:
            warnings.append(Issue("cases.w_region_unmatched", {"text": region}))
        else:
            for part in unmatched:
                warnings.append(Issue("cases.w_region_part_unmatched", {"text": part, "region": region}))
            if len(counties) > 1:
                warnings.append(Issue("cases.w_several_counties", {"n": len(counties), "region": region}))
    else:
        warnings.append(Issue("cases.w_no_region"))
        blank |= {"region_text", "county_adcode", "counties"}

    pollution_text = text("pollution")
    types, unknown_types = cells.split_pollution_types(pollution_text)
    if not pollution_text:
        warnings.append(Issue("cases.w_no_type"))
        blank |= {"pollution_types", "pollution_text"}
    for tok in unknown_types:
        warnings.append(Issue("cases.w_type_other", {"text": tok}))

    truth_text = text("truthfulness")
    truth, issue = cells.truthfulness(truth_text)
    if issue:
        warnings.append(issue)
    closure_text = text("closure_state")
    closure, issue = cells.closure_state(closure_text)
    if issue:
        warnings.append(issue)

    if not batches:
        warnings.append(Issue("cases.w_no_batch"))

    # 受理方式: the column, else the section row above, else a hint from the number's format
    receive_text = text("receive_method")
    receive_from = receive_text
    if not receive_text and section:
        m = cells.SECTION_RE.match(section)
        receive_text, receive_from = section, (m.group(1) if m else section)
        present |= {"receive_method", "receive_text"}
    receive, issue = cells.receive_method(receive_from, case_no if row.identity == "case_no" else "")
    if issue:
        warnings.append(issue)
    if receive is not None:
        present.add("receive_method")
    if not receive_text:
        blank.add("receive_text")
        if receive is None:
            blank.add("receive_method")

    key_cell = text("key_attention")
    key = cells.key_attention(case_no, key_cell)
    if case_no.rstrip().endswith(("*", "＊")):
        present.add("key_attention")
    elif not key_cell:
        blank.add("key_attention")

    handed = pf.handed_over
    source = "confirmed" if handed else ""
    if handed is not None:
        present |= {"handed_over_on", "handed_over_source", "feedback_due"}
    elif got.get("handed_over"):
        handed = cells.parse_date(got["handed_over"])
        source = "column" if handed else ""
        if handed is None:
            warnings.append(Issue("cases.w_bad_date", {"column": header_of.get("handed_over", "交办日期"),
                                                       "text": got["handed_over"]}))
    if handed is None:
        blank |= {"handed_over_on", "handed_over_source", "feedback_due"}
    deadline = None
    if got.get("deadline"):
        deadline = cells.parse_date(got["deadline"])
        if deadline is None:
            warnings.append(Issue("cases.w_bad_date", {"column": "整改时限", "text": got["deadline"]}))
    if deadline is None:
        blank.add("deadline")

    values: dict[str, Any] = {
        "case_no": case_no, "batch": batches[0] if batches else None, "batches": batches,
        "batch_text": pf.batch_text, "seq": seq, "section": section,
        "handed_over_on": handed, "handed_over_source": source,
        "receive_method": receive, "receive_text": receive_text,
        "content": content, "region_text": region, "county_adcode": counties[0] if counties else None,
        "counties": counties, "pollution_types": types,
        "pollution_text": pollution_text, "key_attention": key,
        "deadline": deadline, "lead_unit": text("lead_unit"), "responsible_unit": text("responsible_unit"),
        "responsible_person": text("responsible_person"),
        "responsible_phone": text("responsible_phone"), "extra": extra,
        "facts": text("facts"), "truthfulness": truth, "truthfulness_text": truth_text,
        "handling": text("handling"), "accountability": text("accountability"),
        "closure_state": closure, "closure_text": closure_text, "closure_target": text("closure_target"),
        "category": text("category"), "handler": text("handler"),
        "remarks": text("remarks"), "coop_unit": text("coop_unit"),
        "feedback_due": handed + dt.timedelta(days=feedback_days) if handed else None,
    }
    for name in ("content", "lead_unit", "responsible_unit", "responsible_person", "responsible_phone", "facts",
                 "handling", "accountability", "closure_target", "category", "handler", "remarks", "coop_unit"):
        if not values[name]:
            blank.add(name)
    if not truth_text:
        blank |= {"truthfulness", "truthfulness_text"}
    if not closure_text:
        blank |= {"closure_state", "closure_text"}
    if extra or extra_blank:
        present.add("extra")
    for name, limit in _LIMITS.items():
        if isinstance(values[name], str) and len(values[name]) > limit:
            values[name] = values[name][:limit]
            warnings.append(Issue("cases.w_truncated", {"column": header_of.get(name, name), "max": limit}))
    values["extra_blank"] = sorted(extra_blank)
    row.values, row.present, row.blank = values, present, blank & present
    return row
