"""Benchmark: our one-layer site map against the naive one-folium.Marker-per-site map.

Why: the review page renders the map on every Streamlit rerun, so build + render time is paid
on each click; this keeps the claim "well under a second for 10,000 sites" measurable.

    python bench/map.py --sites 10000 [--repeats 5] [--seed 7]

Prints one JSON line:
{"bench": "map", "sites": N, "ours_s": ..., "baseline_s": ..., "ratio": ..., "ours_bytes": ...}
`ours_s` is the median of `--repeats` runs of build_map + render; the baseline (slow) runs once.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import folium  # noqa: E402

from field.mapview import build_map, escape_html  # noqa: E402
from field.vocab import STATUS  # noqa: E402

LON_RANGE = (115.7, 117.8)
LAT_RANGE = (37.5, 38.9)
COUNTIES = ["新华区", "运河区", "沧县", "青县", "东光县", "海兴县", "盐山县", "肃宁县", "南皮县",
            "吴桥县", "献县", "孟村回族自治县", "泊头市", "任丘市", "黄骅市", "河间市"]


def make_sites(n: int, seed: int) -> list[dict]:
    """Synthetic sites spread over the Cangzhou area, with realistic-length Chinese names."""
    rng = random.Random(seed)
    codes = STATUS.codes
    return [
        {
            "id": i + 1,
            "lon": rng.uniform(*LON_RANGE),
            "lat": rng.uniform(*LAT_RANGE),
            "status": rng.choice(codes),
            "name": f"{rng.choice(COUNTIES)}某某化工有限公司{i % 97}号厂区",
            "county": rng.choice(COUNTIES),
            "case_no": f"D3JX20240524{i:04d}",
            "types": ["air"],
            "unit": "某某镇人民政府",
        }
        for i in range(n)
    ]


def render_ours(sites: list[dict]) -> str:
    m = build_map(sites, boundaries=None, settings={"tiles": "none"})
    return m.get_root().render()


def render_baseline(sites: list[dict]) -> str:
    """What a first folium version of the page would do: a Marker with a popup per site."""
    m = folium.Map(location=[38.3, 116.84], zoom_start=9, tiles=None)
    for s in sites:
        folium.Marker(
            [s["lat"], s["lon"]],
            popup=folium.Popup(escape_html(f'{s["name"]} {s["case_no"]}')),
            tooltip=escape_html(s["name"]),
        ).add_to(m)
    return m.get_root().render()


def timed(fn, *args) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=10000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-baseline", action="store_true", help="skip the slow naive map")
    args = ap.parse_args(argv)

    sites = make_sites(args.sites, args.seed)
    render_ours(sites[:10])  # warm-up: template compilation and imports are not per-rerun costs
    runs = [timed(render_ours, sites) for _ in range(max(1, args.repeats))]
    ours_s = statistics.median(t for t, _ in runs)
    ours_bytes = len(runs[-1][1].encode("utf-8"))

    result: dict = {"bench": "map", "sites": args.sites, "ours_s": round(ours_s, 4)}
    if args.no_baseline:
        result.update({"baseline_s": None, "ratio": None})
    else:
        baseline_s, baseline_html = timed(render_baseline, sites)
        result.update({"baseline_s": round(baseline_s, 3), "ratio": round(baseline_s / ours_s, 1),
                       "baseline_bytes": len(baseline_html.encode("utf-8"))})
    result["ours_bytes"] = ours_bytes
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
