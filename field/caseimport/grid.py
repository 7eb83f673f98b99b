"""From uploaded bytes to a grid of cell values: xlsx or CSV, whichever the office sent.

Published tables merge 行政区域 down and header groups across, so merged cells are filled with
their top-left value; CSVs come as UTF-8 (with or without BOM) or GBK, tab- or comma-separated.
Anything that is not a table (an old .xls, a PDF, a photo) is refused with a keyed error naming
the file, because "no rows found" would send the user looking in the wrong place.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from typing import Any

from field.caseimport.columns import HEADER_SCAN_ROWS, find_header
from field.domain.errors import ValidationError

MAX_ROWS = 10_000  # a daily batch is ~100 rows; a whole round fits well under this
MAX_BYTES = 30 * 1024 * 1024

Grid = list[list[Any]]
HeaderFinder = Callable[[Grid], "int | None"]


def read_grid(data: bytes, filename: str, *, header: HeaderFinder = find_header) -> tuple[str, Grid]:
    """(sheet name, rows of cell values) from xlsx or CSV bytes; merged cells are filled with
    their top-left value because published tables merge 行政区域 down and header groups across.
    `header` picks the sheet (the first whose header it recognises): the case import's by
    default, the plan import passes its own."""
    name = filename or "file"
    if len(data) > MAX_BYTES:
        raise ValidationError("cases.too_big", field="file", mb=round(len(data) / 1e6, 1), max=MAX_BYTES // 2**20)
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, name, header)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ValidationError("cases.old_xls", field="file", name=name)
    if not data.strip() or b"\x00" in data[:4096] or data[:5] == b"%PDF-" or data[:3] == b"\xff\xd8\xff":
        raise ValidationError("cases.not_spreadsheet", field="file", name=name)
    return "csv", _read_csv(data, name)


def _read_xlsx(data: bytes, name: str, header: HeaderFinder) -> tuple[str, Grid]:
    """The first sheet with a recognisable header (a workbook may open on a cover sheet)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ValidationError("cases.not_spreadsheet", field="file", name=name) from exc
    best: tuple[str, Grid] | None = None
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
        if header(grid) is not None:
            return ws.title, grid
    return best or ("", [])


def _decode(data: bytes, name: str) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValidationError("cases.bad_encoding", field="file", name=name)


def _read_csv(data: bytes, name: str) -> Grid:
    text = _decode(data, name)
    first = text[:4096]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise ValidationError("cases.not_spreadsheet", field="file", name=name) from exc
