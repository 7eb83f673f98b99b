"""Benchmark: importing a 整改方案 annex — a city's 60 measures and a province's 2,000.

Why: the plan is re-imported whenever a revised annex is published, from the cases page, so it
must stay quick at provincial size. Each line compares our path with a naive one in the same
run, so the ratio means something on any machine:
- ours = `planimport.import_plan` (parse + preview + bulk INSERT ... RETURNING for problems and
  measures + bulk audit rows, one commit);
- baseline = the same parse, then per row a SELECT for the problem and for the measure, ORM add,
  `audit.record` and a flush (what a first implementation would do).
A second run of ours on the same file (re-import, nothing changes) is reported too.

    python bench/planimport.py [--sizes 60,2000] [--db sqlite|URL]

Prints JSON lines: {"bench": "planimport.import" | "planimport.reimport", "measures": N,
"ours_s": ..., "baseline_s": ..., "ratio": baseline/ours}
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("FIELD_TEST_MODE", "1")  # a benchmark, not a deployment: cheap hashing is allowed
os.environ.setdefault("FIELD_PASSWORD_HASH", "cheap")

from sqlalchemy import select  # noqa: E402

from bench.ledgers import _runtime  # noqa: E402
from field import planimport  # noqa: E402
from field.data.ledger_models import Measure, Problem  # noqa: E402
from field.services import audit, auth  # noqa: E402
from tests.plan_factory import plan_spec, plan_xlsx  # noqa: E402


def annex(measures: int) -> bytes:
    """A published-shape annex (title row, two-level merged header, 方面 and problems merged) with
    `measures` measures, 4 per problem, 5 aspects."""
    problems = max(1, measures // 4)
    per_aspect = max(1, problems // 5)
    spec = plan_spec(aspects=-(-problems // per_aspect), problems_per=per_aspect, measures_per=4)
    for p in spec:
        for i, m in enumerate(p["measures"]):
            m["text"] = f"{m['text']}（{p['seq']}-{i + 1}）"
    return plan_xlsx(spec)


def import_ours(rt, uid: int, data: bytes) -> planimport.PlanSummary:  # type: ignore[no-untyped-def]
    with rt.uow() as s:
        user = s.get_one(auth.User, uid)
        _plan, summary = planimport.import_plan(s, user, data, "bench.xlsx")
    return summary


def import_naive(rt, uid: int, data: bytes) -> int:  # type: ignore[no-untyped-def]
    plan = planimport.parse_plan(data, "bench.xlsx")
    n = 0
    with rt.uow() as s:
        user = s.get_one(auth.User, uid)
        for r in plan.rows:
            if r.rejected:
                continue
            problem = s.scalar(select(Problem).where(Problem.plan_key == r.problem_key))
            if problem is None:
                problem = Problem(plan_key=r.problem_key, **r.problem)
                s.add(problem)
                s.flush()
                audit.record(s, user, "problem", problem.id, "import", after=dict(r.problem))
            if not r.measure_code:
                continue
            if s.scalar(select(Measure).where(Measure.problem_id == problem.id, Measure.code == r.measure_code)):
                continue
            seq = int(r.measure_code) if r.measure_code.isdigit() else 1
            m = Measure(problem_id=problem.id, code=r.measure_code, seq=seq, **r.measure)
            s.add(m)
            s.flush()
            audit.record(s, user, "measure", m.id, "import", after={"code": r.measure_code, "row": r.row_no})
            s.flush()
            n += 1
    return n


def _timed(fn, *args):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="60,2000", help="measures per plan, comma-separated")
    ap.add_argument("--db", default="sqlite", help="sqlite, or a PostgreSQL URL (a scratch schema is used)")
    args = ap.parse_args()
    db = args.db.split(":")[0]
    for size in (int(x) for x in args.sizes.split(",")):
        data = annex(size)
        with tempfile.TemporaryDirectory() as tmpdir:
            tmp = Path(tmpdir)
            rt_a, uid_a, clean_a = _runtime(args.db, tmp, "ours")
            rt_b, uid_b, clean_b = _runtime(args.db, tmp, "naive")
            try:
                ours_s, summary = _timed(import_ours, rt_a, uid_a, data)
                base_s, n_naive = _timed(import_naive, rt_b, uid_b, data)
                assert summary.measures_new == n_naive, (summary, n_naive)
                print(json.dumps({"bench": "planimport.import", "db": db, "measures": n_naive,
                                  "problems": summary.problems_new, "ours_s": round(ours_s, 3),
                                  "baseline_s": round(base_s, 3), "ratio": round(base_s / ours_s, 2)}))
                re_s, again = _timed(import_ours, rt_a, uid_a, data)
                assert again.measures_new == again.measures_updated == 0, again
                print(json.dumps({"bench": "planimport.reimport", "db": db, "measures": n_naive,
                                  "ours_s": round(re_s, 3), "unchanged": again.unchanged}))
            finally:
                for rt, clean in ((rt_a, clean_a), (rt_b, clean_b)):
                    rt.engine.dispose()
                    if clean:
                        clean()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
