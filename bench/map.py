"""Benchmark: our one-layer site map against folium's own answer for many points.

Why: the review page renders the map when its view changes, so build + render time is paid
then; this keeps the claim "well under a second for 10,000 sites" measurable. The baseline is
what folium documents for thousands of points, `FastMarkerCluster` (markers made in the browser
from one data array, a plain marker callback), with the same county boundaries as ours
(folium.GeoJson), localized to the vendored assets - not one folium.Marker per site.
What a user pays in the real app (queries, st_folium, the transfer) is bench/map_app.py.

    python bench/map.py --sites 10000 [--repeats 5] [--seed 7]
    python bench/map.py --browser [--sites 100000]

Prints one JSON line:
{"bench": "map", "sites": N, "ours_s": ..., "baseline_s": ..., "ratio": ..., "ours_bytes": ...}
`ours_s` is the median of `--repeats` runs of build_map + render, `baseline_s` likewise; both
maps carry the county boundaries. Goal: ours_bytes <= 1 MB at 10,000 sites; the ratio is reported.

`--browser` (default 100,000 sites) writes our map as a static HTML page with the vendored
Leaflet next to it, serves it from a throwaway http.server on 127.0.0.1 and times headless
Chromium from navigation until the cluster icons are in the DOM (goal <= 5 s); the
FastMarkerCluster map is timed the same way at `--browser-baseline-sites` (default: the same N),
and the ratio compares per-site time. Prints {"bench": "map_browser", "sites": N, "ours_s": ...,
"goal_s": 5, "ok": ..., "baseline_sites": M, "baseline_s": ..., "ratio_per_site": ...}.
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

from field.domain.vocab import STATUS  # noqa: E402
from field.map.assets import VENDOR_DIR  # noqa: E402
from field.map.build import build_map  # noqa: E402
from field.map.escape import escape_html  # noqa: E402

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


CITY = "130900"  # Cangzhou, the city the synthetic sites are spread over
# FastMarkerCluster's default callback makes AwesomeMarkers icons from a CDN; a plain L.marker
# with a tooltip is the fair like-for-like (ours shows a tooltip too).
BASELINE_CALLBACK = ("function (row) { var m = L.marker(new L.LatLng(row[0], row[1]));"
                     " m.bindTooltip(row[2]); return m; }")


def _boundaries() -> dict:
    from field import geo

    return geo.counties_geojson(CITY)


def baseline_map(sites: list[dict], base_url: str = "/app/static/vendor") -> folium.Map:
    """The same view built the way folium documents for many points."""
    from folium.plugins import FastMarkerCluster

    from field.map.assets import localize

    m = folium.Map(location=[38.3, 116.84], zoom_start=9, tiles=None)
    m.options.update({"max_zoom": 18, "min_zoom": 7})  # markercluster needs a map-level maxZoom
    folium.GeoJson(_boundaries(), name="counties").add_to(m)
    FastMarkerCluster([[s["lat"], s["lon"], escape_html(s["name"])] for s in sites],
                      callback=BASELINE_CALLBACK).add_to(m)
    return localize(m, base_url)


def render_ours(sites: list[dict], base_url: str = "/app/static/vendor") -> str:
    m = build_map(sites, boundaries=_boundaries(), settings={"tiles": "none"}, asset_base_url=base_url)
    return m.get_root().render()


def render_baseline(sites: list[dict]) -> str:
    return baseline_map(sites).get_root().render()


def timed(fn, *args) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]


def _serve(root: Path):  # type: ignore[no-untyped-def]
    """A throwaway static server on 127.0.0.1 (a free port), in a daemon thread."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def _time_in_browser(browser, url: str, timeout_ms: int) -> float:  # type: ignore[no-untyped-def]
    """Seconds from navigation start until marker-cluster icons exist (measured by the page clock)."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith("http://127.0.0.1") else outside.append(r.url))
    try:
        page.goto(url, wait_until="commit", timeout=timeout_ms)
        # the time is taken inside the page on the first frame that has the icons, not after a round trip
        page.wait_for_function(
            "() => { if (!document.querySelector('.marker-cluster, .leaflet-marker-icon')) return false;"
            " window.__drawn = window.__drawn || performance.now(); return true; }",
            timeout=timeout_ms, polling="raf")
        seconds = page.evaluate("() => window.__drawn / 1000")
    finally:
        page.close()
    if outside:
        raise RuntimeError(f"the benchmark page requested non-local URLs: {outside[:3]}")
    return float(seconds)


def browser_bench(sites_n: int, seed: int, baseline_n: int, chromium: str, timeout_s: float = 120) -> dict:
    import shutil
    import tempfile

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="mapbench") as tmp:
        root = Path(tmp)
        shutil.copytree(VENDOR_DIR, root / "vendor")
        sites = make_sites(sites_n, seed)
        t0 = time.perf_counter()
        html = render_ours(sites, "/vendor")
        build_s = time.perf_counter() - t0
        (root / "ours.html").write_text(html, encoding="utf-8")
        (root / "baseline.html").write_text(
            baseline_map(make_sites(baseline_n, seed), "/vendor").get_root().render(), encoding="utf-8")
        httpd = _serve(root)
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
                try:
                    _time_in_browser(browser, f"{url}/ours.html", int(timeout_s * 1000))  # warm the disk cache
                    ours_s = _time_in_browser(browser, f"{url}/ours.html", int(timeout_s * 1000))
                    baseline_s = _time_in_browser(browser, f"{url}/baseline.html", int(timeout_s * 1000))
                finally:
                    browser.close()
        finally:
            httpd.shutdown()
    per_ours, per_base = ours_s / sites_n, baseline_s / max(baseline_n, 1)
    return {"bench": "map_browser", "sites": sites_n, "ours_s": round(ours_s, 3), "goal_s": 5.0,
            "ok": ours_s <= 5.0, "build_s": round(build_s, 3), "html_bytes": len(html.encode("utf-8")),
            "baseline_sites": baseline_n, "baseline_s": round(baseline_s, 3),
            "ratio_per_site": round(per_base / per_ours, 1)}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=None, help="10,000 by default; 100,000 with --browser")
    ap.add_argument("--browser", action="store_true", help="time drawing in headless Chromium")
    ap.add_argument("--browser-baseline-sites", type=int, default=None, help="default: --sites")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-baseline", action="store_true", help="skip the FastMarkerCluster map")
    args = ap.parse_args(argv)
    if args.browser:
        n = args.sites or 100_000
        result = browser_bench(n, args.seed, args.browser_baseline_sites or n, args.chromium)
        print(json.dumps(result))
        return result
    args.sites = args.sites or 10_000

    sites = make_sites(args.sites, args.seed)
    render_ours(sites[:10])  # warm-up: template compilation and imports are not per-rerun costs
    runs = [timed(render_ours, sites) for _ in range(max(1, args.repeats))]
    ours_s = statistics.median(t for t, _ in runs)
    ours_bytes = len(runs[-1][1].encode("utf-8"))

    result: dict = {"bench": "map", "sites": args.sites, "ours_s": round(ours_s, 4)}
    if args.no_baseline:
        result.update({"baseline_s": None, "ratio": None})
    else:
        render_baseline(sites[:10])
        base_runs = [timed(render_baseline, sites) for _ in range(max(1, args.repeats))]
        baseline_s = statistics.median(t for t, _ in base_runs)
        result.update({"baseline_s": round(baseline_s, 4), "ratio": round(baseline_s / ours_s, 2),
                       "baseline_bytes": len(base_runs[-1][1].encode("utf-8"))})
    result["ours_bytes"] = ours_bytes
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
