"""Start-up time of `bash scripts/run.sh` on a built venv, demo data included, to a served app.

Runs, in one go and on fresh data directories: today's path (the run.sh of a baseline git ref,
default `main`: separate `init-db`, `bootstrap-admin` and `seed-demo` processes, findings through
the services one by one with a commit each) and this tree's path (`python -m field start --demo`:
one process, migrations once, demo rows in bulk). Each is timed from `bash scripts/run.sh` until
`GET /healthz` answers 200 and `GET /` serves the app page; then the demo contents are counted
(findings per status, users, sign-offs, records, photos, weekly reports) so the two paths are
shown to seed the same data. Prints JSON lines, the last with the ratio.

    python bench/startup.py [--baseline main] [--timeout 600]

The venv is the one this interpreter runs in, linked into a throw-away venv directory with the
requirements stamp already written, so neither run installs anything ("a built venv").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COUNTS = {
    "findings_by_status": "SELECT status, COUNT(*) FROM findings GROUP BY status ORDER BY status",
    "users": "SELECT COUNT(*) FROM users",
    "cases": "SELECT COUNT(*) FROM cases",
    "verifications": "SELECT kind, COUNT(*) FROM verifications GROUP BY kind ORDER BY kind",
    "signoffs": "SELECT COUNT(*) FROM signoffs",
    "photos": "SELECT COUNT(*) FROM photos",
    "finding_photos": "SELECT kind, COUNT(*) FROM finding_photos GROUP BY kind ORDER BY kind",
    "measure_reports": "SELECT COUNT(*) FROM measure_reports",
    "measures": "SELECT COUNT(*) FROM measures",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _venv(tmp: Path, app_root: Path) -> Path:
    """A venv directory that is this interpreter's venv (linked), with run.sh's stamp written."""
    base = Path(sys.prefix)
    v = tmp / "venv"
    (v / "bin").mkdir(parents=True)
    (v / "bin" / "python").symlink_to(base / "bin" / "python")
    (v / "lib").symlink_to(base / "lib")
    (v / "pyvenv.cfg").write_text((base / "pyvenv.cfg").read_text())
    wanted = hashlib.sha256((app_root / "requirements.txt").read_bytes()).hexdigest()
    (v / ".field-runtime.sha256").write_text(wanted + "\n")
    return v


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return int(r.status)
    except OSError:
        return 0


def _run(name: str, app_root: Path, tmp: Path, timeout: float) -> dict[str, object]:
    port = _free_port()
    data = tmp / f"data-{name}"
    env = {**os.environ, "FIELD_VENV": str(_venv(tmp / name, app_root)), "FIELD_DEMO": "1",
           "FIELD_PORT": str(port), "FIELD_ADDRESS": "127.0.0.1", "FIELD_DATA_DIR": str(data),
           "FIELD_DATABASE_URL": f"sqlite:///{tmp / f'{name}.db'}", "STREAMLIT_SERVER_HEADLESS": "true",
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    for k in ("FIELD_TEST_MODE", "FIELD_FAKE_NOW", "FIELD_PASSWORD_HASH"):
        env.pop(k, None)
    log = (tmp / f"{name}.log").open("wb")
    t0 = time.perf_counter()
    proc = subprocess.Popen(["bash", "scripts/run.sh"], cwd=app_root, env=env, stdin=subprocess.DEVNULL,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    ready = None
    try:
        while time.perf_counter() - t0 < timeout and proc.poll() is None:
            if _get(f"http://127.0.0.1:{port}/healthz") == 200 and _get(f"http://127.0.0.1:{port}/") == 200:
                ready = time.perf_counter() - t0
                break
            time.sleep(0.2)  # polling a server we do not control: there is no event to wait on
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()
    counts: dict[str, object] = {}
    with sqlite3.connect(tmp / f"{name}.db") as db:
        for key, sql in COUNTS.items():
            rows = db.execute(sql).fetchall()
            counts[key] = rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else {str(a): b for a, b in rows}
    return {"bench": "startup", "path": name, "seconds_to_app": None if ready is None else round(ready, 2),
            "counts": counts}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="main", help="git ref of today's path")
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="field-startup-") as td:
        tmp = Path(td)
        old_root = tmp / "baseline"
        old_root.mkdir()
        archive = subprocess.run(["git", "archive", args.baseline], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old_root)], input=archive, check=True)
        (old_root / "geodata").exists() or (old_root / "geodata").symlink_to(ROOT / "geodata")
        results = [_run("old", old_root, tmp, args.timeout), _run("new", ROOT, tmp, args.timeout)]
        for r in results:
            print(json.dumps(r, ensure_ascii=False), flush=True)
        old, new = (r["seconds_to_app"] for r in results)
        same = results[0]["counts"] == results[1]["counts"]
        print(json.dumps({"bench": "startup", "old_s": old, "new_s": new,
                          "ratio_old_over_new": round(old / new, 2) if old and new else None,
                          "same_demo_counts": same, "cpus": os.cpu_count(),
                          "load_avg_1m": round(os.getloadavg()[0], 1)}), flush=True)
        return 0 if same and new else 1


if __name__ == "__main__":
    sys.exit(main())
