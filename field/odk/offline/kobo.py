"""A KoboToolbox export of the `field_finding` form: XLSX (or CSV) with "XML values and headers",
plus the "Media attachments (ZIP)" download.

The XLSX's first sheet has one row per submission: a column per question (`group/question` when
the export includes groups, so the last `/` segment is the name), a geopoint both as one column
(`lat lon alt precision`) and as `_location_latitude/_longitude/_altitude/_precision`, a
select_multiple both as one space-separated column and as `pollution_types/air` 0/1 columns,
and Kobo's own `_id`, `_uuid`, `_submission_time` (UTC), `_validation_status`, `_index`. Each
repeat is a sheet of its own whose rows point at their submission by `_parent_index` (and
`_submission__uuid`). The CSV export (`;`-separated by default) has the main table only. The
attachments zip nests every file under the submission's `_uuid` folder, which is how two
tablets' `1717209605123.jpg` stay apart.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from typing import Any

from field.domain.errors import FieldError, ValidationError
from field.odk.offline import MAX_ROWS, Parsed, Row
from field.odk.offline.media import Media, open_zip

ANSWERS = ("start", "end", "deviceid", "site_name", "address", "pollution_types", "severity", "description",
           "case_no", "location")
GEO = ("_location_latitude", "_location_longitude", "_location_altitude", "_location_precision")
REQUIRED = ("site_name", "pollution_types", "description")
MAX_COLS = 300


def _leaf(column: str) -> str:
    return column.rsplit("/", 1)[-1]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _records(grid: list[list[Any]], name: str) -> tuple[list[str], list[dict[str, str]]]:
    if not grid:
        raise ValidationError("offline.empty", field="file", name=name)
    header = [_cell(h) for h in grid[0]]
    out = []
    for values in grid[1:]:
        rec = {h: _cell(v) for h, v in zip(header, values, strict=False) if h}
        if any(rec.values()):
            out.append(rec)
    return header, out


def _rows(header: list[str], table: list[dict[str, str]], name: str,
          photos: dict[str, list[str]]) -> list[Row]:
    cols: dict[str, str] = {}
    for col in header:
        if col:
            cols.setdefault(_leaf(col), col)
    missing = [c for c in REQUIRED if c not in cols]
    if "_uuid" not in cols and "instanceID" not in cols:
        missing.append("_uuid")
    if "location" not in cols and not {"_location_latitude", "_location_longitude"} <= set(cols):
        missing.append("location")
    if missing:
        raise ValidationError("offline.missing_columns", field="file", name=name, columns="、".join(missing),
                              tool="KoboToolbox")
    image_cols = [c for c in header if c and _leaf(c) == "image"]  # the CSV: photos on the row itself
    out = []
    for number, rec in enumerate(table, start=1):
        def get(leaf: str, rec: dict[str, str] = rec) -> str:
            return rec.get(cols[leaf], "") if leaf in cols else ""

        uuid = get("_uuid")
        key = get("instanceID") or (f"uuid:{uuid}" if uuid else "")
        answers = {a: get(a) for a in ANSWERS}
        if len(answers["location"].split()) < 2:
            geo = [get(g) for g in GEO]
            answers["location"] = " ".join(v for v in geo if v) if geo[0] and geo[1] else ""
        if not answers["start"] and not answers["end"] and get("_submission_time"):
            submitted = get("_submission_time")
            answers["end"] = submitted if ("+" in submitted or submitted.endswith("Z")) else submitted + "+00:00"
        images = photos.get(get("_index"), []) + [rec[c] for c in image_cols if rec.get(c)]
        skip = None
        if not key:
            skip = FieldError("offline.no_key", row=number)
        elif get("_validation_status") == "validation_status_not_approved":
            skip = FieldError("offline.rejected_in_tool", tool="KoboToolbox")
        out.append(Row(number=number, instance_id=key, answers=answers, images=images, folder_hint=uuid,
                       skip=skip))
    return out


def _media(attachments: bytes | None) -> Media:
    if not attachments:
        return Media.empty()
    return Media.of_zip(open_zip(attachments, "attachments.zip"))


def _parsed(rows: list[Row], name: str, attachments: bytes | None) -> Parsed:
    media = _media(attachments)
    warnings = []
    if any(r.images for r in rows) and len(media) == 0:
        warnings.append(FieldError("offline.export_without_media", tool="KoboToolbox"))
    return Parsed(source="kobo", filename=name, rows=rows, media=media, warnings=warnings)


def read_xlsx(data: bytes, name: str, *, attachments: bytes | None = None) -> Parsed:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ValidationError("offline.unknown_format", field="file", name=name) from exc
    try:
        sheets: list[tuple[list[str], list[dict[str, str]]]] = []
        for ws in wb.worksheets:
            grid = []
            for row in ws.iter_rows(max_col=MAX_COLS, values_only=True):
                grid.append(list(row))
                if len(grid) > MAX_ROWS + 1:
                    raise ValidationError("offline.too_many_rows", field="file", max=MAX_ROWS)
            sheets.append(_records(grid, name))
    finally:
        wb.close()
    header, table = sheets[0]
    photos: dict[str, list[str]] = {}
    for rep_header, rep_table in sheets[1:]:
        image = next((c for c in rep_header if c and _leaf(c) == "image"), None)
        if image is None or "_parent_index" not in rep_header:
            continue
        for rec in rep_table:
            if rec.get(image):
                photos.setdefault(rec.get("_parent_index", ""), []).append(rec[image])
    return _parsed(_rows(header, table, name, photos), name, attachments)


def read_csv(text: str, name: str, *, attachments: bytes | None = None) -> Parsed:
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    grid: list[list[Any]] = []
    for values in csv.reader(io.StringIO(text, newline=""), dialect):
        grid.append(values)
        if len(grid) > MAX_ROWS + 1:
            raise ValidationError("offline.too_many_rows", field="file", max=MAX_ROWS)
    header, table = _records(grid, name)
    return _parsed(_rows(header, table, name, {}), name, attachments)
