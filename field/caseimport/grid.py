"""From uploaded bytes to a grid of cell values: xlsx or CSV, whichever the office sent.

Published tables merge 行政区域 down and header groups across, so merged cells are filled with
their top-left value; CSVs come as UTF-8 (with or without BOM) or GBK, tab- or comma-separated.
Anything that is not a table (an old .xls, a PDF, a photo) is refused with a keyed error naming
the file, because "no rows found" would send the user looking in the wrong place.

Limits apply while streaming, before anything is parsed in full: a 10 MB xlsx can hold 150 MB
of sheet XML, and openpyxl's normal load of that takes minutes and gigabytes. So an xlsx is
first decompressed member by member counting the real bytes (a zip's declared sizes may lie)
and refused past `MAX_UNPACKED_BYTES`; then its sheets are read with openpyxl's read-only
streaming parser, counting rows and cells and stopping at the first one over the limit, with
at most `MAX_COLS` columns per row. Merged ranges, which read-only mode does not report, are
read from the sheet XML by a second streaming pass. A CSV is read by `csv.reader` in strict
mode record by record: an unbalanced quote or a row with more or fewer cells than the header is
refused with its line number, instead of importing one merged garbage row.
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
MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # xlsx members after decompression (10,000 long rows ≈ 30 MB)
MAX_COLS = 200  # published tables have 9–30 columns
MAX_CELLS = 1_000_000  # non-empty cells in the whole workbook

Grid = list[list[Any]]
HeaderFinder = Callable[[Grid], "int | None"]


def read_grid(data: bytes, filename: str, *, header: HeaderFinder = find_header) -> tuple[str, Grid]:
    """(sheet name, rows of cell values) from xlsx or CSV bytes; merged cells are filled with
    their top-left value because published tables merge 行政区域 down and header groups across.
    `header` picks the sheet (the first whose header it recognises) and, for a CSV, the row whose
    width the data rows must have: the case import's by default, the plan import passes its own."""
    name = filename or "file"
    if len(data) > MAX_BYTES:
        raise ValidationError("cases.too_big", field="file", mb=round(len(data) / 1e6, 1), max=MAX_BYTES // 2**20)
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, name, header)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ValidationError("cases.old_xls", field="file", name=name)
    if not data.strip() or b"\x00" in data[:4096] or data[:5] == b"%PDF-" or data[:3] == b"\xff\xd8\xff":
        raise ValidationError("cases.not_spreadsheet", field="file", name=name)
    return "csv", _read_csv(data, name, header)


def row_limit() -> int:
    """Rows a sheet may have in all: the data rows plus title and header rows above them."""
    return MAX_ROWS + HEADER_SCAN_ROWS + 1


def check_unpacked(data: bytes, name: str) -> None:
    """Decompress every member counting the real bytes, stopping past the limit: the sizes a
    zip declares are not trusted. At most `MAX_UNPACKED_BYTES` are ever inflated."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        total = 0
        for info in zf.infolist():
            with zf.open(info) as member:
                while chunk := member.read(1 << 20):
                    total += len(chunk)
                    if total > MAX_UNPACKED_BYTES:
                        raise ValidationError("cases.too_big_unpacked", field="file", name=name,
                                              max=MAX_UNPACKED_BYTES // 2**20)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
        raise ValidationError("cases.not_spreadsheet", field="file", name=name) from exc


def _read_xlsx(data: bytes, name: str, header: HeaderFinder) -> tuple[str, Grid]:
    """The first sheet with a recognisable header (a workbook may open on a cover sheet)."""
    from unittest import mock

    from openpyxl import load_workbook

    check_unpacked(data, name)
    try:
        # openpyxl's read-only sheet scans its whole XML for a <dimension> when the file has none
        # (a crafted file never does): the sheet class used here leaves the size unknown instead.
        with mock.patch("openpyxl.reader.excel.ReadOnlyWorksheet", _UnsizedSheet()):
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ValidationError("cases.not_spreadsheet", field="file", name=name) from exc
    try:
        best: tuple[str, Grid] | None = None
        cells = 0
        for ws in wb.worksheets:
            grid: Grid = []
            for row in ws.iter_rows(max_col=MAX_COLS, values_only=True):
                values = list(row)
                while values and values[-1] is None:
                    values.pop()
                grid.append(values)
                cells += sum(1 for v in row if v is not None)
                if len(grid) > row_limit():
                    raise ValidationError("cases.too_many_rows", field="file", n=len(grid), max=MAX_ROWS)
                if cells > MAX_CELLS:
                    raise ValidationError("cases.too_many_cells", field="file", max=MAX_CELLS)
            while grid and all(v is None for v in grid[-1]):
                grid.pop()
            _fill_merged(ws, grid)
            if best is None:
                best = (ws.title, grid)
            if header(grid) is not None:
                return ws.title, grid
        return best or ("", [])
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
        raise ValidationError("cases.not_spreadsheet", field="file", name=name) from exc
    finally:
        wb.close()


def _UnsizedSheet() -> type:  # noqa: N802 (a class factory, so openpyxl is imported lazily)
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class UnsizedSheet(ReadOnlyWorksheet):
        def _get_size(self) -> None:
            """Rows are counted while streaming; no pass over the XML just to size the sheet."""

    return UnsizedSheet


def _fill_merged(ws: Any, grid: Grid) -> None:
    """Fill merged ranges with their top-left value. Read-only mode does not report them, so the
    sheet XML is streamed once more for its <mergeCell> elements (rows are cleared as they pass)."""
    from openpyxl.utils import range_boundaries
    from openpyxl.xml.functions import iterparse

    refs: list[str] = []
    with ws._get_source() as src:  # openpyxl's own accessor for the sheet's XML member
        for _event, el in iterparse(src, events=("end",)):
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "mergeCell" and el.get("ref"):
                refs.append(el.get("ref"))
            elif tag == "row":
                el.clear()
    for ref in refs:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if min_row is None or min_col is None or min_row - 1 >= len(grid):
            continue
        top_row = grid[min_row - 1]
        top = top_row[min_col - 1] if min_col - 1 < len(top_row) else None
        for r in range(min_row - 1, min(max_row or min_row, len(grid))):
            for c in range(min_col - 1, min(max_col or min_col, len(grid[r]))):
                grid[r][c] = top


def _decode(data: bytes, name: str) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValidationError("cases.bad_encoding", field="file", name=name)


def _read_csv(data: bytes, name: str, header: HeaderFinder = find_header) -> Grid:
    """Records streamed by a strict `csv.reader`: an unbalanced quote is an error on the line
    where its record starts, and once the header is known every data row must have its width
    (trailing empty cells aside) — a ragged row means the file was cut or merged wrongly."""
    text = _decode(data, name)
    first = text[:4096]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    grid: Grid = []
    lines: list[int] = []  # the line each record starts on, as an editor numbers it
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ValidationError("cases.csv_malformed", field="file", name=name, line=start,
                                  reason=str(exc)) from exc
        grid.append(row)
        lines.append(start)
        if len(grid) > row_limit():
            raise ValidationError("cases.too_many_rows", field="file", n=len(grid), max=MAX_ROWS)
    h = header(grid)
    if h is not None:
        width = len(_trim(grid[h]))
        for row, line in zip(grid[h + 1:], lines[h + 1:], strict=True):
            if not any(v.strip() for v in row):
                continue
            n = len(_trim(row))
            if n > width or len(row) < width:
                raise ValidationError("cases.csv_ragged", field="file", name=name, line=line, n=len(row),
                                      width=width)
    return grid


def _trim(row: list[str]) -> list[str]:
    end = len(row)
    while end and not row[end - 1].strip():
        end -= 1
    return row[:end]
