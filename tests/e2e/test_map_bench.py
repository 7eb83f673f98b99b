"""bench/map_app.py at a small N, as CI's smoke run of the benchmark of what a map user pays
(issue #14): it seeds, starts the real app, logs in with Chromium, filters, clicks and prints its
one JSON line with every field. The targets are the benchmark's business (ratios at 10,000 and
100,000 sites in one run), never a timing assertion here."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.e2e import harness

FIELDS = ("first_draw_s", "filter_s", "click_s", "floor_s", "bytes_filter", "rss_mb_1", "rss_mb_5",
          "baseline_first_draw_s", "filter_over_floor", "first_draw_over_baseline", "open_s", "baseline_open_s",
          "open_over_baseline")


def test_map_app_bench_prints_its_json_line(chromium_path: str) -> None:
    proc = subprocess.run(
        [sys.executable, str(harness.REPO_ROOT / "bench" / "map_app.py"), "--sites", "300", "--sessions", "2",
         "--chromium", chromium_path, "--timeout", "240"],
        capture_output=True, text=True, timeout=1500, cwd=harness.REPO_ROOT)
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["bench"] == "map_app" and result["sites"] == 300
    for name in FIELDS:
        assert isinstance(result[name], (int, float)) and result[name] > 0, (name, result)
    assert result["click_retried"] is False  # the first click opened the panel
