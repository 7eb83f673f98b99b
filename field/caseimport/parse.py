"""Grid -> parsed case records: one `ParsedRow` per table row, with its warnings or rejections.

The rule is that a lost case is worse than an incomplete one: a row is kept when it has a
受理编号 or a 交办问题基本情况, and every other gap is a warning on that row. Problems with the
whole file (not a table, no header, too many rows) raise `ValidationError`: then nothing is
imported. Nothing here touches the database.

- A row without 受理编号 is kept under a stable placeholder `无编号-<hash of its content>`, so
  importing the same file twice still changes nothing.
- Batch and hand-over date given on the form/CLI win over the file's title row or 批次 column;
  a disagreement is reported as a file warning.
- The original wording of pollution types and verdicts is always kept next to the codes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from field.caseimport import cells, grid, regions
from field.caseimport.columns import HEADER_SCAN_ROWS, canon, combine_header, find_header
from field.caseimport.records import Issue, ParsedFile, ParsedRow, Progress, no_progress
from field.domain.errors import ValidationError


def _column_limits() -> dict[str, int]:
    """Column widths in the database (read from the models, which own them): longer texts are
    cut, with a warning naming the column, rather than refusing a whole published table."""
    from field.data import lengths
    from field.data.ledger_models import CaseResult
    from field.data.models import Case

    out: dict[str, int] = {}
    for model, names in ((Case, ("case_no", "region_text", "pollution_text", "lead_unit", "responsible_unit",
                                 "responsible_person", "responsible_phone")),
                         (CaseResult, ("truthfulness_text", "closure_target", "category", "handler", "coop_unit"))):
        for name in names:
            limit = lengths.limit(model, name)
            if limit is not None:
                out[name] = limit
    return out


_LIMITS = _column_limits()


def parse_file(data: bytes, filename: str, *, feedback_days: int, city_adcode: str, batch: int | None = None,
               handed_over: dt.date | None = None, progress: Progress | None = None) -> ParsedFile:
    """Read a published batch table into rows with warnings/rejections; touches no database.

    `feedback_days` (Settings.feedback_days) sets each case's 10-day feedback date and
    `city_adcode` (Settings.city_adcode) the counties region texts are matched against.
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
    file_batch = cells.parse_batch(title) if cells.BATCH_RE.search(title) else None
    file_date = cells.parse_date(title)
    if batch is not None and file_batch is not None and batch != file_batch:
        out.warnings.append(Issue("cases.batch_conflict", {"file": file_batch, "given": batch}))
    out.batch = batch if batch is not None else file_batch
    out.handed_over = handed_over or file_date
    if out.batch is None and "batch" not in seen:
        out.warnings.append(Issue("cases.no_batch"))
    if out.handed_over is None and "handed_over" not in seen:
        out.warnings.append(Issue("cases.no_handed_over"))
    aliases = regions.county_aliases(city_adcode)

    first_row_of: dict[tuple[str, int | None], ParsedRow] = {}
    n = len(body)
    for idx, raw in enumerate(body):
        if idx % 500 == 0:
            progress(0.1 + 0.5 * idx / n, "parse")
        row_no = first + idx + 1
        if all(cells.cell_text(v) == "" for v in raw):
            continue
        row = _parse_row(raw, colmap, row_no, out, feedback_days, aliases)
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


def _read_cells(raw: list[Any], colmap: dict[int, str], header_of: dict[str, str],
                warnings: list[Issue]) -> tuple[dict[str, Any], dict[str, str]]:
    """(known field -> text, or a date for the date columns; unknown header -> text)."""
    values: dict[str, Any] = {}
    extra: dict[str, str] = {}
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
        elif target in ("handed_over", "deadline") and isinstance(value, dt.date | dt.datetime):
            values[target] = value.date() if isinstance(value, dt.datetime) else value
        else:
            values[target] = text
    return values, extra


def _parse_row(raw: list[Any], colmap: dict[int, str], row_no: int, pf: ParsedFile, feedback_days: int,
               aliases: regions.Aliases) -> ParsedRow:
    warnings: list[Issue] = []
    header_of = {v: k for k, v in pf.columns.items()}
    got, extra = _read_cells(raw, colmap, header_of, warnings)

    def text(name: str) -> str:
        return str(got.get(name, ""))

    case_no = text("case_no")
    content = text("content")
    row = ParsedRow(row_no=row_no, values={}, key=cells.normalise_case_no(case_no), warnings=warnings)
    if not case_no and not content:
        row.rejected.append(Issue("cases.row_no_key"))
        row.values = {"case_no": "", "content": "", "batch": pf.batch}
        return row
    if not case_no:
        case_no = "无编号-" + hashlib.sha1(re.sub(r"\s+", "", content).encode()).hexdigest()[:10]
        row.key = cells.normalise_case_no(case_no)
        warnings.append(Issue("cases.w_no_case_no", {"placeholder": case_no}))
    if not content:
        warnings.append(Issue("cases.w_no_content"))

    # region: 行政区域, or 举报地市 + 举报区县
    region = text("region")
    if not region and (got.get("report_city") or got.get("report_county")):
        region = "".join(x for x in (text("report_city"), text("report_county")) if x)
    county = None
    if region:
        county = regions.match(text("report_county") or region, aliases) or regions.match(region, aliases)
        if county is None:
            warnings.append(Issue("cases.w_region_unmatched", {"text": region}))
    else:
        warnings.append(Issue("cases.w_no_region"))

    pollution_text = text("pollution")
    types, unknown_types = cells.split_pollution_types(pollution_text)
    if not pollution_text:
        warnings.append(Issue("cases.w_no_type"))
    for tok in unknown_types:
        warnings.append(Issue("cases.w_type_other", {"text": tok}))

    truth_text = text("truthfulness")
    truth, issue = cells.truthfulness(truth_text)
    if issue:
        warnings.append(issue)
    closure, issue = cells.closure_state(text("closure_state"))
    if issue:
        warnings.append(issue)

    batch = pf.batch
    if batch is None and got.get("batch"):
        batch = cells.parse_batch(got["batch"])
    if batch is None:
        warnings.append(Issue("cases.w_no_batch"))
    handed = pf.handed_over
    if handed is None and got.get("handed_over"):
        handed = cells.parse_date(got["handed_over"])
        if handed is None:
            warnings.append(Issue("cases.w_bad_date", {"column": "交办时间", "text": got["handed_over"]}))
    deadline = None
    if got.get("deadline"):
        deadline = cells.parse_date(got["deadline"])
        if deadline is None:
            warnings.append(Issue("cases.w_bad_date", {"column": "整改时限", "text": got["deadline"]}))

    values: dict[str, Any] = {
        "case_no": case_no, "batch": batch, "handed_over_on": handed,
        "receive_method": cells.receive_method(text("receive_method"), case_no),
        "content": content, "region_text": region, "county_adcode": county, "pollution_types": types,
        "pollution_text": pollution_text, "key_attention": cells.key_attention(case_no, text("key_attention")),
        "deadline": deadline, "lead_unit": text("lead_unit"), "responsible_unit": text("responsible_unit"),
        "responsible_person": text("responsible_person"),
        "responsible_phone": text("responsible_phone"), "extra": extra,
        "facts": text("facts"), "truthfulness": truth, "truthfulness_text": truth_text,
        "handling": text("handling"), "accountability": text("accountability"),
        "closure_state": closure, "closure_target": text("closure_target"),
        "category": text("category"), "handler": text("handler"),
        "remarks": text("remarks"), "coop_unit": text("coop_unit"),
        "feedback_due": handed + dt.timedelta(days=feedback_days) if handed else None,
    }
    for name, limit in _LIMITS.items():
        if isinstance(values[name], str) and len(values[name]) > limit:
            values[name] = values[name][:limit]
            warnings.append(Issue("cases.w_truncated", {"column": header_of.get(name, name), "max": limit}))
    row.values = values
    return row
