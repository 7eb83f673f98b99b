"""Benchmark: importing a 10,000-row 交办件 file and exporting a 10,000-row ledger.

Why: a whole round's cases are re-imported and exported on demand from the page; the goals are
import <= 5 s and export <= 3 s for 10,000 rows. Each line compares our path with a naive one in
the same run, so the ratio means something on any machine:
- import: ours = parse + preview + bulk INSERT ... RETURNING + bulk audit rows, one commit;
  baseline = the same parse, then per row a SELECT for the existing case, ORM add of Case and
  CaseResult, `audit.record`, flush (what a first implementation would do).
- export: ours = `ledgers.export_xlsx` (XlsxWriter, constant memory); baseline = the same ledger rows
  written cell by cell with openpyxl's normal mode.

    python bench/ledgers.py [--rows 10000] [--db sqlite|URL]

Prints JSON lines: {"bench": "ledgers.import" | "ledgers.reimport" | "ledgers.export", "rows": N,
"ours_s": ..., "baseline_s": ..., "ratio": baseline/ours, "goal_s": ...}
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("FIELD_TEST_MODE", "1")  # a benchmark, not a deployment: cheap hashing is allowed
os.environ.setdefault("FIELD_PASSWORD_HASH", "cheap")

from sqlalchemy import create_engine, select, text  # noqa: E402

from field import caseimport as cases  # noqa: E402
from field.config import load_settings  # noqa: E402
from field.data.ledger_models import CaseResult  # noqa: E402
from field.data.models import Case  # noqa: E402
from field.runtime import open_runtime  # noqa: E402
from field.services import audit, auth, ledgers
from tests.fixtures_cases import CORE, make_rows, xlsx_bytes  # noqa: E402


def _runtime(db: str, tmp: Path, tag: str):  # type: ignore[no-untyped-def]
    if db == "sqlite":
        url = f"sqlite:///{tmp / (tag + '.db')}"
        cleanup = None
    else:
        schema = "bench_" + uuid.uuid4().hex[:10]
        admin = create_engine(db, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in db else "?"
        url = f"{db}{sep}options=-csearch_path%3D{schema}"

        def cleanup() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))

    settings = dataclasses.replace(load_settings(), database_url=url, data_dir=tmp / tag)
    rt = open_runtime(settings)
    with rt.session() as s:
        user = auth.create_user(s, None, username="bench", password="bench password 1", role="admin")
        s.commit()
        uid = user.id
    return rt, uid, cleanup


def import_ours(rt, uid: int, data: bytes) -> cases.ImportSummary:  # type: ignore[no-untyped-def]
    with rt.session() as s:
        user = s.get(auth.User, uid)
        _, summary = cases.import_cases(s, user, data, "bench.xlsx", batch=1, feedback_days=rt.settings.feedback_days,
                                        city_adcode=rt.settings.city_adcode)
        s.commit()
    return summary


def import_naive(rt, uid: int, data: bytes) -> int:  # type: ignore[no-untyped-def]
    parsed = cases.parse_file(data, "bench.xlsx", batch=1, feedback_days=rt.settings.feedback_days,
                              city_adcode=rt.settings.city_adcode)
    n = 0
    with rt.session() as s:
        user = s.get(auth.User, uid)
        for r in parsed.rows:
            if r.rejected:
                continue
            v = r.values
            if s.scalar(select(Case).where(Case.case_no == v["case_no"], Case.batch == v["batch"])) is not None:
                continue
            case = Case(**{f: v[f] for f in (*cases.CASE_FIELDS, "batch")})
            s.add(case)
            s.flush()
            s.add(CaseResult(case_id=case.id, **{f: v[f] for f in cases.RESULT_FIELDS}))
            audit.record(s, user, "case", case.id, "import", after={"case_no": v["case_no"]})
            s.flush()
            n += 1
        s.commit()
    return n


def export_naive(rt, uid: int) -> bytes:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    with rt.session() as s:
        user = s.get(auth.User, uid)
        led = ledgers.build_ledger(s, user, "petitions")
    wb = Workbook()
    ws = wb.active
    ws.cell(row=1, column=1, value=led.title)
    for c, h in enumerate(led.headers(), 1):
        ws.cell(row=2, column=c, value=h)
    for r, row in enumerate(led.rows, 3):
        for c, v in enumerate(row, 1):
            ws.cell(row=r, column=c, value=v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_ours(rt, uid: int) -> bytes:  # type: ignore[no-untyped-def]
    with rt.session() as s:
        user = s.get(auth.User, uid)
        data = ledgers.export_xlsx(s, user, "petitions")
        s.commit()
    return data


def _timed(fn, *args):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--db", default="sqlite", help="sqlite, or a PostgreSQL URL (a scratch schema is used)")
    args = ap.parse_args()
    data = xlsx_bytes(CORE, make_rows(args.rows, seed=11), title_rows=["第一批交办件（2024年5月24日）"])
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        rt_a, uid_a, clean_a = _runtime(args.db, tmp, "ours")
        rt_b, uid_b, clean_b = _runtime(args.db, tmp, "naive")
        try:
            ours_s, summary = _timed(import_ours, rt_a, uid_a, data)
            base_s, n_naive = _timed(import_naive, rt_b, uid_b, data)
            assert summary.imported == n_naive == args.rows, (summary, n_naive)
            print(json.dumps({"bench": "ledgers.import", "db": args.db.split(":")[0], "rows": args.rows,
                              "ours_s": round(ours_s, 3), "baseline_s": round(base_s, 3),
                              "ratio": round(base_s / ours_s, 2), "goal_s": 5.0}))
            re_s, again = _timed(import_ours, rt_a, uid_a, data)
            assert again.unchanged == args.rows
            print(json.dumps({"bench": "ledgers.reimport", "db": args.db.split(":")[0], "rows": args.rows,
                              "ours_s": round(re_s, 3), "unchanged": again.unchanged, "goal_s": 5.0}))
            ours_s, xa = _timed(export_ours, rt_a, uid_a)
            base_s, xb = _timed(export_naive, rt_a, uid_a)
            print(json.dumps({"bench": "ledgers.export", "db": args.db.split(":")[0], "rows": args.rows,
                              "ours_s": round(ours_s, 3), "baseline_s": round(base_s, 3),
                              "ratio": round(base_s / ours_s, 2), "ours_bytes": len(xa), "baseline_bytes": len(xb),
                              "goal_s": 3.0}))
        finally:
            for rt, clean in ((rt_a, clean_a), (rt_b, clean_b)):
                rt.engine.dispose()
                if clean:
                    clean()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
