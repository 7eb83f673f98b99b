"""Benchmark: which county is a point in, for a whole province (Hebei, 167 counties).

Why: a province deployment looks points up among ten times as many counties as a city, on every
finding, every photo and every case import. The baseline is the standard tool for the job,
geopandas' spatial join (`sjoin(..., predicate="within")`) on the same polygons; ours is
`Boundaries.counties_of` (one STRtree query in C) and, for single points, `county_of`. Both must
give the same county for every point (checked). Also prints the boundary payload the map sends
at each level (`field.map.choropleth.boundary_features`, the JSON the browser receives).

    python bench/geo_province.py [--points 20000] [--repeats 3] [--seed 7]

Prints JSON lines:
{"bench": "geo_province_bulk", "points": N, "ours_s": ..., "baseline_s": ..., "ratio": ...}
{"bench": "geo_province_single", "points": M, "ours_us_per_point": ..., "baseline_us_per_point": ..., "ratio": ...}
{"bench": "geo_province_map_bytes", "level": "city"|"county", "bytes": ...}
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

from field import geo  # noqa: E402

PROVINCE = "130000"


def _median(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=20_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)

    import geopandas

    b = geo.load_counties(PROVINCE)
    x0, y0, x1, y1 = b.bounds()
    rng = random.Random(args.seed)
    lons = [rng.uniform(x0, x1) for _ in range(args.points)]
    lats = [rng.uniform(y0, y1) for _ in range(args.points)]
    gdf = b.to_geodataframe()
    pts = geopandas.GeoDataFrame(geometry=geopandas.points_from_xy(lons, lats), crs="EPSG:4326")

    def ours() -> list:  # type: ignore[type-arg]
        return b.counties_of(lons, lats)

    def baseline() -> list:  # type: ignore[type-arg]
        joined = geopandas.sjoin(pts, gdf, how="left", predicate="within")
        # a point on a shared border joins twice: keep the smallest adcode, as ours does
        first = joined.sort_values("adcode").groupby(level=0)["adcode"].first()
        return [first.get(i) for i in range(len(pts))]

    got = [c.adcode if c else None for c in ours()]
    want = [None if (a is None or a != a) else a for a in baseline()]
    assert got == want, "the two methods disagree"
    ours_s, base_s = _median(ours, args.repeats), _median(baseline, args.repeats)
    print(json.dumps({"bench": "geo_province_bulk", "points": args.points, "counties": len(b),
                      "inside": sum(g is not None for g in got), "ours_s": round(ours_s, 4),
                      "baseline_s": round(base_s, 4), "ratio": round(ours_s / base_s, 3)}))

    n = min(2000, args.points)

    def ours_single() -> None:
        for i in range(n):
            b.county_of(lons[i], lats[i])

    def baseline_single() -> None:
        for i in range(n):  # what a caller would write with geopandas for one point at a time
            geopandas.sjoin(pts.iloc[i:i + 1], gdf, how="left", predicate="within")

    o = _median(ours_single, args.repeats) / n * 1e6
    s = _median(baseline_single, 1) / n * 1e6
    print(json.dumps({"bench": "geo_province_single", "points": n, "ours_us_per_point": round(o, 1),
                      "baseline_us_per_point": round(s, 1), "ratio": round(o / s, 4)}))

    from field.map.choropleth import boundary_features

    for level in ("city", "county"):
        features, _ = boundary_features(b.units_geojson(level), {}, "zh", None)
        size = len(json.dumps(features, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        print(json.dumps({"bench": "geo_province_map_bytes", "level": level, "bytes": size}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
