"""Benchmark: how fast, and in how much memory, hostile files are refused (issue #10).

Why: a 10 MB xlsx holding 146 MB of sheet XML took 178 s and 1.4 GB before it was refused,
because the workbook was parsed in full before anything was counted. Ours checks the real
unpacked size while inflating and streams rows (openpyxl read-only, a strict csv reader) with the
limits applied as it goes. Each case runs in its own child process so peak memory (ru_maxrss)
is that case's alone, and compares with the standard alternative on the same file:
- zipbomb: an xlsx whose one sheet is `--mb` MB of XML (many rows of long text);
  ours = `caseimport.grid.read_grid`; baseline = `openpyxl.load_workbook` (normal full load).
- rows: an xlsx with `--rows` small rows (default 2,000,000 — kept within the unpacked limit,
  so the streaming row count is what refuses it); same ours/baseline.
- rows_streamed: `--streamed-rows` rows, small enough to pass the unpacked-size check, so the
  streaming row counter is what refuses it;
- ragged_csv: a CSV of `--csv-rows` rows with an unbalanced quote near the start;
  ours = `read_grid` (strict reader, refused with the line); baseline = `csv.reader` reading it all
  (what the old code did, importing one merged garbage row).

    python bench/caseimport_safety.py [--mb 146] [--rows 2000000] [--baseline-timeout 120]

Prints JSON lines: {"bench": "caseimport.<case>", "file_mb": ..., "ours_s": ..., "ours_peak_mb": ...,
"refused": key, "baseline_s": ..., "baseline_peak_mb": ..., "baseline_timed_out": bool,
"ratio_s": baseline/ours, "ratio_mem": baseline/ours}. A baseline that hits the timeout reports
the timeout as a lower bound.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
       '</Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
         'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook '
       'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
       '<sheets><sheet name="交办件" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def write_xlsx(path: Path, *, rows: int, cell_text: str, slim: bool = False) -> None:
    """A minimal valid xlsx streamed to disk (inline strings, no shared strings), so the file
    can hold far more XML than memory would like without ever building it in memory."""
    header = ["序号", "受理编号", "交办问题基本情况", "行政区域", "污染类型"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')

            def inline(ref: str, text: str) -> str:
                return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

            f.write(("<row r=\"1\">" + "".join(inline(f"{'ABCDE'[i]}1", h) for i, h in enumerate(header))
                     + "</row>").encode())
            chunk: list[str] = []
            for r in range(2, rows + 2):
                if slim:  # one number per row: the most rows per compressed byte
                    chunk.append(f'<row r="{r}"><c r="A{r}"><v>{r - 1}</v></c></row>')
                    continue
                chunk.append(f'<row r="{r}"><c r="A{r}"><v>{r - 1}</v></c>{inline(f"B{r}", f"D{r:010d}")}'
                             f'{inline(f"C{r}", cell_text)}</row>')
                if len(chunk) >= 5000:
                    f.write("".join(chunk).encode())
                    chunk = []
            f.write("".join(chunk).encode())
            f.write(b"</sheetData></worksheet>")


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("受理编号,交办问题基本情况,行政区域\n")
        f.write('1,"某厂夜间排污,未闭合的引号\n')
        for i in range(2, rows + 2):
            f.write(f"{i},某厂第{i}件,青县\n")


def child(kind: str, path: str) -> None:
    """Run one measurement in this (fresh) process and print its JSON result."""
    refused = ""
    if kind == "ours":
        from field.caseimport import grid
        from field.domain.errors import ValidationError

        data = Path(path).read_bytes()
        t0 = time.perf_counter()  # after imports and reading: the refusal itself
        try:
            grid.read_grid(data, Path(path).name)
        except ValidationError as exc:
            refused = exc.key
    elif kind == "openpyxl":
        from openpyxl import load_workbook

        t0 = time.perf_counter()
        wb = load_workbook(path)
        _ = wb.active.max_row
    elif kind == "csv":
        import csv

        t0 = time.perf_counter()
        csv.field_size_limit(1 << 30)  # the old reader: one merged garbage record, read to the end
        with open(path, encoding="utf-8", newline="") as f:
            n = sum(1 for _ in csv.reader(f))
        refused = f"accepted as {n} records"
    peak_mb = _peak_mb()
    print(json.dumps({"s": round(time.perf_counter() - t0, 3), "peak_mb": round(peak_mb, 1), "refused": refused}))


def _peak_mb() -> float:
    """This process's peak resident memory. VmHWM starts afresh at exec; ru_maxrss (the fallback)
    would carry the parent's peak across it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind: str, path: Path, timeout: float) -> dict:
    try:
        out = subprocess.run([sys.executable, __file__, "--child", kind, str(path)], capture_output=True,
                             text=True, timeout=timeout, cwd=ROOT, check=False)
    except subprocess.TimeoutExpired:
        return {"s": timeout, "peak_mb": None, "refused": "", "timed_out": True}
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        return {"s": None, "peak_mb": None, "refused": "", "error": out.stderr.strip()[-300:]}
    return {**json.loads(lines[-1]), "timed_out": False}


def report(name: str, path: Path, ours: dict, base: dict) -> None:
    def ratio(a: float | None, b: float | None) -> float | None:
        return round(b / a, 1) if a and b else None

    print(json.dumps({
        "bench": f"caseimport.{name}", "file_mb": round(path.stat().st_size / 1e6, 2),
        "ours_s": ours["s"], "ours_peak_mb": ours["peak_mb"], "refused": ours["refused"],
        "baseline_s": base["s"], "baseline_peak_mb": base["peak_mb"],
        "baseline_timed_out": base.get("timed_out", False), "ratio_s": ratio(ours["s"], base["s"]),
        "ratio_mem": ratio(ours["peak_mb"], base["peak_mb"])}, ensure_ascii=False), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=146.0, help="sheet XML of the zip bomb, in MB")
    ap.add_argument("--rows", type=int, default=2_000_000, help="rows of the many-rows sheet")
    ap.add_argument("--streamed-rows", type=int, default=500_000, help="rows of a sheet under the size limit")
    ap.add_argument("--csv-rows", type=int, default=200_000)
    ap.add_argument("--baseline-timeout", type=float, default=120.0)
    ap.add_argument("--child", nargs=2, metavar=("KIND", "PATH"))
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    os.environ.setdefault("FIELD_PASSWORD_HASH", "cheap")
    with tempfile.TemporaryDirectory() as tmp:
        text = "某工业园区内企业夜间偷排废水，河水发黑发臭，周边居民反映强烈。" * 8
        row_bytes = 130 + len(text.encode())
        bomb = Path(tmp) / "bomb.xlsx"
        write_xlsx(bomb, rows=max(1, int(args.mb * 1e6 / row_bytes)), cell_text=text)
        report("zipbomb", bomb, measure("ours", bomb, 600), measure("openpyxl", bomb, args.baseline_timeout))
        many = Path(tmp) / "rows.xlsx"
        write_xlsx(many, rows=args.rows, cell_text="x", slim=True)
        report("rows", many, measure("ours", many, 600), measure("openpyxl", many, args.baseline_timeout))
        streamed = Path(tmp) / "rows_streamed.xlsx"  # under the unpacked limit: the row count refuses it
        write_xlsx(streamed, rows=args.streamed_rows, cell_text="x", slim=True)
        report("rows_streamed", streamed, measure("ours", streamed, 600),
               measure("openpyxl", streamed, args.baseline_timeout))
        ragged = Path(tmp) / "ragged.csv"
        write_csv(ragged, args.csv_rows)
        report("ragged_csv", ragged, measure("ours", ragged, 600), measure("csv", ragged, args.baseline_timeout))


if __name__ == "__main__":
    main()
