"""Benchmark: the monthly report's figures on 10,000 findings and 2,000 measures.

Ours = `field.reports.figures.compute` (SQL GROUP BYs and column-only reads); baseline = the
same figures counted row by row over ORM objects in Python (`tests/report_factory.reference`,
which the tests also use as the independent check), in the same run on the same database.
The data is bulk-seeded with SQLAlchemy Core.

    python bench/reports.py [--findings 10000] [--measures 2000] [--db sqlite|URL]

Also times `progress.missing_reports` (two set-based queries) against the ORM loop it replaced
(every measure object with its problem loaded lazily: a query per problem).

Prints JSON lines: {"bench": "progress.missing_reports", ...} and {"bench": "reports.monthly_figures", "findings": N, "measures": M,
"ours_s": ..., "baseline_s": ..., "ratio": baseline/ours, "equal": true}
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("FIELD_TEST_MODE", "1")
os.environ.setdefault("FIELD_PASSWORD_HASH", "cheap")

from field.config import load_settings  # noqa: E402
from field.reports import figures  # noqa: E402
from field.runtime import open_runtime  # noqa: E402
from field.services import auth  # noqa: E402
from tests.report_factory import figures_subset, reference, seed  # noqa: E402


def _missing_row_by_row(s, week: dt.date, now: dt.datetime) -> dict[str, tuple[list[int], list[int]]]:
    """The ORM way (what missing_reports did): every measure object, its problem loaded lazily,
    every report object of the week."""
    from sqlalchemy import select

    from field.data.ledger_models import Measure, MeasureReport
    from field.services import progress

    reports: dict[int, list[MeasureReport]] = {}
    for r in s.scalars(select(MeasureReport).where(MeasureReport.week == week)):
        reports.setdefault(r.measure_id, []).append(r)
    out: dict[str, tuple[list[int], list[int]]] = {}
    for m in s.scalars(select(Measure).order_by(Measure.problem_id, Measure.seq)):
        if m.progress in ("rectified", "closed"):
            continue
        for unit in sorted(progress.units_of(m, m.problem)):
            got = [r for r in reports.get(m.id, []) if r.unit in (unit, "")] or reports.get(m.id, [])
            st = out.setdefault(unit, ([], []))
            if not got and now > progress.due_at(week):
                st[0].append(m.id)
            elif got and all(r.late for r in got):
                st[1].append(m.id)
    return {u: v for u, v in sorted(out.items()) if v[0] or v[1]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--findings", type=int, default=10000)
    ap.add_argument("--measures", type=int, default=2000)
    ap.add_argument("--db", default="sqlite")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp / 'bench.db'}" if args.db == "sqlite" else args.db
    rt = open_runtime(dataclasses.replace(load_settings(), database_url=url, data_dir=tmp / "data"))
    with rt.uow() as s:
        admin = auth.create_user(s, None, username="bench", password="correct horse battery", role="admin",
                                 counties=["*"])
        seed(s, admin.id, cases=args.findings // 2, findings=args.findings, problems=args.measures // 10,
             measures_per=10, records=500)
        admin_id = admin.id
    day = dt.date(2024, 5, 20)
    with rt.read() as s:
        from field.data.models import User

        user = s.get(User, admin_id)
        t0 = time.perf_counter()
        fig = figures.compute(s, user, "monthly", day)
        ours = time.perf_counter() - t0
    with rt.read() as s:
        t0 = time.perf_counter()
        ref = reference(s, "monthly", day, None)
        base = time.perf_counter() - t0
    with rt.read() as s:
        from field.services import progress

        user = s.get(User, admin_id)
        week = figures._report_week(day)
        at = dt.datetime.combine(day, dt.time(23), tzinfo=dt.UTC)
        t0 = time.perf_counter()
        units = progress.missing_reports(s, user, week, now=at)
        m_ours = time.perf_counter() - t0
    with rt.read() as s:
        t0 = time.perf_counter()
        m_ref = _missing_row_by_row(s, week, at)
        m_base = time.perf_counter() - t0
    print(json.dumps({"bench": "progress.missing_reports", "db": args.db.split(":")[0], "measures": args.measures,
                      "ours_s": round(m_ours, 3), "baseline_s": round(m_base, 3),
                      "ratio": round(m_base / m_ours, 2) if m_ours else None,
                      "equal": {u.unit: (u.missing, u.late) for u in units} == m_ref}))
    got = figures_subset(fig)
    got["findings_by_status"] = {k: v for k, v in got["findings_by_status"].items() if v}
    print(json.dumps({"bench": "reports.monthly_figures", "db": args.db.split(":")[0], "findings": args.findings,
                      "measures": args.measures, "ours_s": round(ours, 3), "baseline_s": round(base, 3),
                      "ratio": round(base / ours, 2) if ours else None, "equal": got == ref}))
    rt.engine.dispose()


if __name__ == "__main__":
    main()
