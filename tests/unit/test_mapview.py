"""The review map: escaping of hostile text, no remote assets, legend, GCJ-02 shift, size/speed."""

from __future__ import annotations

import ast
import html as html_lib
import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import folium
import pandas as pd
import pytest

from field.domain.vocab import STATUS
from field.map import assets as mapassets
from field.map import clicks, elements, legend, tiles
from field.map import query as mapquery
from field.map.assets import external_urls, local_asset_urls, localize, vendored_path
from field.map.build import build_map
from field.map.clicks import clicked_site_ids
from field.map.escape import escape_html, escape_js_text
from field.map.legend import legend_items

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "`${alert(2)}`",
    "</script><script>alert(3)</script>",
    "\"'><svg onload=alert(4)>",
    "{{ 'ss' ~ 'ti' ~ 7*7 }}{% for x in 'ab' %}Q{{ x }}{% endfor %}",
    "line\nbreak\u2028sep",
]
PAYLOAD = "".join(HOSTILE)
SSTI_RESULTS = ("ssti49", "QaQb")  # what the Jinja payload would print if a template evaluated it


def county_fc(name: str = "新华区", adcode: str = "130902") -> dict:
    ring = [[116.80, 38.28], [116.90, 38.28], [116.90, 38.36], [116.80, 38.36], [116.80, 38.28]]
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"adcode": adcode, "name": name, "name_en": name},
             "geometry": {"type": "Polygon", "coordinates": [ring]}},
        ],
    }


def make_sites(n: int, seed: int = 3, hostile: bool = False) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        text = PAYLOAD if hostile else f"站点{i}"
        out.append({
            "id": f"{i}{PAYLOAD}" if hostile else i,
            "lon": rng.uniform(115.7, 117.8),
            "lat": rng.uniform(37.5, 38.9),
            "status": STATUS.codes[i % len(STATUS.codes)],
            "name": text, "county": text, "types": [text], "title": text, "description": text,
            "case_no": text, "unit": text,
        })
    return out


def site_blob(html: str) -> dict:
    """The single JSON blob of the site layer, parsed back."""
    found = re.findall(r"var D = (\{.*?\});\n", html)
    assert len(found) == 1, "expected exactly one site data blob"
    return json.loads(found[0])


def render(m: folium.Map) -> str:
    return m.get_root().render()


# --- escaping ------------------------------------------------------------------------------

@pytest.fixture
def hostile_html() -> str:
    settings = {"tiles": "osm", "tile_attribution": PAYLOAD, "map_review_number": PAYLOAD}
    sites = make_sites(20, hostile=True) + [{"id": 99, "lon": 116.5, "lat": 38.0, "status": PAYLOAD,
                                             "name": PAYLOAD}]
    m = build_map(sites, boundaries=county_fc(PAYLOAD, PAYLOAD), settings=settings,
                  choropleth_counts={PAYLOAD: 3})
    return render(m)


def test_hostile_strings_never_reach_the_page_raw(hostile_html: str) -> None:
    assert "<img src=x onerror" not in hostile_html
    assert "<svg onload" not in hostile_html
    assert "<script>alert" not in hostile_html
    # every </script> closes a real <script>: the payload did not add one
    assert hostile_html.count("</script>") == len(re.findall(r"<script\b", hostile_html))
    assert "`" not in hostile_html
    assert "${" not in hostile_html
    assert "{{" not in hostile_html and "{%" not in hostile_html
    assert not any(r in hostile_html for r in SSTI_RESULTS)
    assert "\u2028" not in hostile_html


def js_literals(html: str, prefix: str) -> list[str]:
    """Decode the double-quoted JS string literals assigned after `prefix` in the page."""
    found = re.findall(re.escape(prefix) + r'"((?:[^"\\]|\\.)*)"', html)
    return [json.loads('"' + lit.replace("\\'", "'") + '"') for lit in found]


def test_escaped_data_still_decodes_to_the_original_text(hostile_html: str) -> None:
    blob = site_blob(hostile_html)
    # tooltips are inserted with innerHTML by Leaflet: after JS decoding they must be inert HTML
    assert "<" not in blob["n"][0] and html_lib.unescape(blob["n"][0]) == PAYLOAD
    assert blob["i"][0] == f"0{PAYLOAD}"  # ids travel as data, never as markup
    controls = js_literals(hostile_html, "d.innerHTML = ")
    assert len(controls) == 2  # legend + attribution/审图号
    attribution = controls[1]
    assert "<img" not in attribution and attribution.count("<") == 0
    assert html_lib.unescape(attribution).count(PAYLOAD) == 2  # tile attribution + review number


def test_element_output_is_not_evaluated_as_a_template() -> None:
    """branca compiles a MacroElement's rendered output as Jinja; ours must emit it verbatim."""

    class Probe(elements.RawMacro):
        _template = folium.template.Template("{% macro script(this, kwargs) %}{{ this.text }}{% endmacro %}")

    m = folium.Map(tiles=None)
    probe = Probe()
    probe.text = "var probe = '{{ 6*7 }}';"
    m.add_child(probe)
    assert "var probe = '{{ 6*7 }}';" in render(m)


def test_the_check_catches_a_naive_folium_tooltip() -> None:
    """Proves the assertions above can fail: folium itself does not escape tooltip text."""
    m = folium.Map(tiles=None)
    folium.Marker([38.0, 116.5], tooltip=HOSTILE[0]).add_to(m)
    assert "<img src=x onerror" in render(m)


def test_escape_html_and_escape_js_text() -> None:
    assert escape_html(PAYLOAD).count("<") == 0
    for ch in "<>`${}\"'":
        assert ch not in escape_html(ch * 3)
    assert html_lib.unescape(escape_html(PAYLOAD)) == PAYLOAD
    js = escape_js_text(PAYLOAD)
    for bad in ("<", ">", "`", "${", "{{", "\n", "\u2028", "&"):
        assert bad not in js
    assert re.search(r"(?<!\\)[\"']", js) is None, "every quote is backslash-escaped"
    assert escape_html(None) == "" and escape_js_text(None) == ""


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
def test_escape_js_text_round_trips_through_a_real_js_engine() -> None:
    lit = escape_js_text(PAYLOAD)
    script = f"process.stdout.write(JSON.stringify([\"{lit}\", '{lit}', `{lit}`]))"
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=30, check=True)
    assert json.loads(out.stdout) == [PAYLOAD, PAYLOAD, PAYLOAD]


# --- no remote assets ------------------------------------------------------------------------

def test_no_external_urls_with_no_tiles_after_localize() -> None:
    html = render(build_map(make_sites(50), boundaries=county_fc(), settings={"tiles": "none"}))
    assert external_urls(html) == []
    assert local_asset_urls(html), "the map must still load Leaflet, from the vendor dir"


def test_external_urls_found_when_localize_is_skipped() -> None:
    m = build_map(make_sites(5), boundaries=None, settings={"tiles": "none"}, localize_assets=False)
    urls = external_urls(render(m))
    assert any("leaflet" in u and u.endswith(".js") for u in urls)
    assert any(u.startswith("https://") for u in urls)


def test_external_urls_detects_each_reference_kind() -> None:
    page = (
        '<script src="https://a.example/x.js"></script><link rel="stylesheet" href="//b.example/y.css">'
        '<img src=http://c.example/i.png><style>.x{background:url("https://d.example/bg.png")}'
        '@import "https://e.example/z.css";</style><div style="background:url(//f.example/q.png)"></div>'
        '<script>L.tileLayer("https://g.example/{z}/{x}/{y}.png", {})</script>'
        '<a href="https://h.example/">a link is not a request</a><script src="/app/static/x.js"></script>'
    )
    hosts = {re.sub(r"^(https?:)?//", "", u).split("/")[0] for u in external_urls(page)}
    assert hosts == {"a.example", "b.example", "c.example", "d.example", "e.example", "f.example",
                     "g.example"}


def test_configured_tiles_are_the_only_remote_references() -> None:
    osm = external_urls(render(build_map([], boundaries=None, settings={"tiles": "osm"})))
    assert osm == [tiles.OSM_URL]
    tdt = external_urls(render(build_map([], boundaries=None,
                                         settings={"tiles": "tianditu", "tianditu_key": "k&y"})))
    assert len(tdt) == 2
    assert all(u.startswith("http://t{s}.tianditu.gov.cn/") and u.endswith("tk=k%26y") for u in tdt)
    assert {"vec_w", "cva_w"} == {u.split("/")[3].split("?")[0] for u in tdt}
    # tianditu without a key falls back to no tiles rather than requesting without tk=
    m = build_map([], boundaries=None, settings={"tiles": "tianditu"})
    assert external_urls(render(m)) == [] and m.field_tiles == "none"


def test_vendored_files_referenced_by_the_page_exist() -> None:
    m = build_map(make_sites(10), boundaries=county_fc(), settings={"tiles": "none"})
    html = render(m)
    urls = local_asset_urls(html)
    assert {u.rsplit(".", 1)[-1] for u in urls} == {"js", "css"}
    for url in urls:
        path = vendored_path(url)
        assert path is not None and path.is_file() and path.stat().st_size > 0, url
    # streamlit-folium ignores the <script> tags and sends each element's default_js/css instead
    for el in mapassets._walk(m):
        for _, url in list(getattr(el, "default_js", [])) + list(getattr(el, "default_css", [])):
            path = vendored_path(url)
            assert path is not None and path.is_file(), url


def test_vendored_css_loads_nothing_remote_and_has_licences() -> None:
    for css in mapassets.VENDOR_DIR.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        remote = [u for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", text) if mapassets.is_remote(u)]
        assert remote == [], css
        for rel in re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
            if not rel.startswith(("data:", "#")):  # "#default#VML" is an old-IE behavior
                assert (css.parent / rel).is_file(), (css, rel)
    for pkg in {p.split("/")[0] for p in mapassets.VENDORED.values()}:
        assert any(f.name.upper().startswith(("LICENSE", "MIT-LICEN")) for f in
                   (mapassets.VENDOR_DIR / pkg).iterdir()), pkg


def test_localize_keeps_jquery_only_when_a_popup_needs_it() -> None:
    m = folium.Map(tiles=None)
    assert "code.jquery.com" in " ".join(external_urls(render(m)))
    localize(m)
    assert "jquery" not in render(m)

    m = folium.Map(tiles=None)
    folium.Marker([38, 116], popup=folium.Popup("x")).add_to(m)
    localize(m)
    html = render(m)
    assert external_urls(html) == []
    assert any(u.endswith("jquery/jquery.min.js") for u in local_asset_urls(html))


def test_localize_refuses_unvendored_libraries() -> None:
    m = folium.Map(tiles=None)
    folium.Marker([38, 116], icon=folium.Icon(icon="info")).add_to(m)
    with pytest.raises(mapassets.UnvendoredAssetError):
        localize(m)


def test_streamlit_folium_payload_is_local_and_keeps_the_data() -> None:
    sf = pytest.importorskip("streamlit_folium")
    m = build_map(make_sites(30, hostile=True), boundaries=county_fc(), settings={"tiles": "none"})
    render(m)
    script = sf._get_map_string(m)
    header = sf._get_header(m)
    assert external_urls(header) == [] and "<img src=x onerror" not in script
    assert "var map_div = L.map(" in script and "L.markerClusterGroup" in script
    assert len(site_blob(script)["n"]) == 30


def test_core_modules_do_not_import_streamlit() -> None:
    code = ("import sys, pkgutil, importlib, field.map\n"
            "for m in pkgutil.iter_modules(field.map.__path__): importlib.import_module('field.map.' + m.name)\n"
            "import field.exports.mapexport\n"
            "print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "False"


def test_map_and_export_code_hold_no_inline_chinese() -> None:
    """User-visible text of the map and its exports lives in field/i18n/map.py (zh and en): a
    Chinese string literal in the code (docstrings aside) is a label that bypassed the catalog."""
    root = Path(__file__).resolve().parents[2] / "field"
    cjk = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
    found = []
    for path in [*sorted((root / "map").glob("*.py")), root / "exports" / "mapexport.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and n.body
                      and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        found += [f"{path.name}:{n.lineno}" for n in ast.walk(tree)
                  if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
                  and cjk.search(n.value)]
    assert found == []


# --- legend ----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_legend_lists_every_status_with_its_count(lang: str) -> None:
    counts = {code: i * 2 for i, code in enumerate(STATUS.codes)}
    items = legend_items(counts, lang)
    assert [it["code"] for it in items] == STATUS.codes
    for it in items:
        term = STATUS[it["code"]]
        assert it["count"] == counts[it["code"]]
        assert it["label"] == escape_html(term.label(lang))
        assert it["colour"] == term.colour and it["shape"] == term.shape
        assert term.colour in it["svg"]
    assert len({it["svg"] for it in items}) == len(items), "each status needs its own shape/colour"


def test_legend_adds_unknown_codes_and_the_map_counts_them() -> None:
    sites = make_sites(14) + [{"id": "x", "lon": 116.5, "lat": 38.1, "status": "legacy"}]
    m = build_map(sites, boundaries=None, settings={"tiles": "none"})
    items = legend_items(m.field_status_counts, "en")
    assert items[-1]["code"] == legend.UNKNOWN_STATUS and items[-1]["count"] == 1
    assert sum(it["count"] for it in items) == len(sites)
    assert legend_items({}, "zh")[-1]["code"] == STATUS.codes[-1]


# --- coordinates -----------------------------------------------------------------------------

def test_amap_tiles_shift_points_and_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_shift(lon: float, lat: float) -> tuple[float, float]:
        return lon + 0.0051, lat - 0.0023

    monkeypatch.setattr(tiles, "gcj_converter", lambda: fake_shift)
    sites = make_sites(5)
    plain = site_blob(render(build_map(sites, boundaries=None, settings={"tiles": "none"})))["p"]
    m = build_map(sites, boundaries=county_fc(), settings={"tiles": "amap"})
    html = render(m)
    shifted = site_blob(html)["p"]
    for j, s in enumerate(sites):
        assert plain[3 * j: 3 * j + 2] == [round(s["lon"], 6), round(s["lat"], 6)]
        assert shifted[3 * j: 3 * j + 2] == [round(s["lon"] + 0.0051, 6), round(s["lat"] - 0.0023, 6)]
    assert "[116.8051,38.2777]" in html  # first boundary vertex, shifted the same way
    assert m.field_tiles == "amap"


def test_amap_uses_the_real_gcj02_offset() -> None:
    geo = pytest.importorskip("field.geo")
    site = {"id": 1, "lon": 116.838, "lat": 38.304, "status": "pending", "name": "x"}
    blob = site_blob(render(build_map([site], boundaries=None, settings={"tiles": "amap"})))
    lon, lat = geo.wgs84_to_gcj02(site["lon"], site["lat"])
    assert blob["p"][:2] == [round(lon, 6), round(lat, 6)]
    assert abs(blob["p"][0] - site["lon"]) + abs(blob["p"][1] - site["lat"]) > 1e-3  # >100 m apart


def test_click_maps_back_to_the_site_id() -> None:
    sites = make_sites(40)
    sites.append({**sites[7], "id": "twin"})  # same point as site 7
    m = build_map(sites, boundaries=None, settings={"tiles": "none"})
    s = sites[3]
    clicked = {"last_object_clicked": {"lat": round(s["lat"], 6), "lng": round(s["lon"], 6)}}
    assert clicked_site_ids(clicked, m.field_site_lookup) == [3]
    twin = {"lat": round(sites[7]["lat"], 6), "lng": round(sites[7]["lon"], 6)}
    assert sorted(map(str, clicked_site_ids({"last_object_clicked": twin}, m.field_site_lookup))) == ["7", "twin"]
    picked = {"last_object_clicked": twin, "last_active_drawing": {"properties": {"site_id": "twin"}}}
    assert clicked_site_ids(picked, m.field_site_lookup) == ["twin"]
    assert clicked_site_ids({"last_object_clicked": {"lat": 1.0, "lng": 2.0}}, m.field_site_lookup) == []
    # A spiderfied marker reports its moved position, Chromium the mouse position: the feature decides
    mouse = {"last_object_clicked": {"lat": s["lat"] + 3e-3, "lng": s["lon"] - 2e-3},
             "last_active_drawing": {"type": "Feature", "properties": {"site_id": 3},
                                     "geometry": {"type": "Point", "coordinates": [s["lon"] - 2e-3,
                                                                                   s["lat"] + 3e-3]}}}
    assert clicked_site_ids(mouse, m.field_site_lookup) == [3]
    stale = {**mouse, "last_active_drawing": {"properties": {"site_id": "not-on-this-map"}}}
    assert clicked_site_ids(stale, m.field_site_lookup) == []
    assert clicked_site_ids(None, m.field_site_lookup) == []


def test_bad_coordinates_are_skipped_not_drawn() -> None:
    sites = make_sites(3) + [{"id": "a", "lon": None, "lat": 38}, {"id": "b", "lon": "x", "lat": 38},
                             {"id": "c", "lon": float("nan"), "lat": 38}, {"id": "d", "lon": 500, "lat": 38}]
    m = build_map(sites, boundaries=None, settings={"tiles": "none"})
    assert m.field_skipped == 4
    assert site_blob(render(m))["i"] == [0, 1, 2]


def test_dataframe_and_records_give_the_same_layer() -> None:
    sites = make_sites(25)
    a = site_blob(render(build_map(sites, boundaries=None, settings={"tiles": "none"})))
    b = site_blob(render(build_map(pd.DataFrame(sites), boundaries=None, settings={"tiles": "none"})))
    assert a == b


def test_choropleth_opacity_grows_with_open_findings() -> None:
    fc = county_fc("A", "1")
    fc["features"] += county_fc("B", "2")["features"] + county_fc("C", "3")["features"]
    html = render(build_map([], boundaries=fc, settings={"tiles": "none"},
                            choropleth_counts={"1": 0, "2": 4, "3": 16}))
    fo = [float(x) for x in re.findall(r'"fo":([0-9.]+)', html)]
    assert len(fo) == 3 and fo[0] < fo[1] < fo[2]


# --- size and speed --------------------------------------------------------------------------

def test_large_layer_is_one_element_not_one_marker_per_site() -> None:
    m = build_map(make_sites(5000), boundaries=county_fc(), settings={"tiles": "none"})
    elements = list(mapassets._walk(m))
    assert sum(isinstance(el, folium.Marker) for el in elements) == 0
    assert len(elements) < 20
    assert len(site_blob(render(m))["n"]) == 5000


def test_ten_thousand_sites_stay_under_one_megabyte() -> None:
    # Speed is measured by bench/map.py (a ratio against FastMarkerCluster), never asserted here.
    sites = make_sites(10_000)
    name = "沧州市某某化工有限公司第十二号厂区"  # realistic zh name length
    for s in sites:
        s["name"] = name
    html = render(build_map(sites, boundaries=None, settings={"tiles": "none"}))
    assert len(html.encode("utf-8")) <= 1_000_000
    assert len(site_blob(html)["n"]) == 10_000


def test_custom_tile_url_is_used_only_when_it_is_a_plain_url() -> None:
    intranet = "/tiles/{z}/{x}/{y}.png"
    m = build_map([], boundaries=None, settings={"tiles": "custom", "tile_url": intranet})
    html = render(m)
    assert m.field_tiles == "custom"
    assert re.search(r'L\.tileLayer\(\s*"' + re.escape(intranet) + '"', html)
    assert external_urls(html) == []  # same-host tiles are not remote
    for bad in ('https://x/{z}/{x}/{y}.png");alert(1);//', "https://x/{{ 7*7 }}/{z}", "javascript:alert(1)"):
        m = build_map([], boundaries=None, settings={"tiles": "custom", "tile_url": bad})
        assert m.field_tiles == "none" and "L.tileLayer" not in render(m)


# --- issue 4: the brief's XSS payloads, county clicks, the view in the URL, AMap reference -------

BRIEF_PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "`${alert(1)}`",
    "{{7*7}}",
    '"><svg onload=alert(1)>',
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("payload", BRIEF_PAYLOADS)
def test_each_brief_payload_is_inert_in_every_field(payload: str) -> None:
    """Site name, description, 受理编号, unit, address and county name all carry the payload."""
    sites = [{"id": i, "lon": 116.8 + i / 50, "lat": 38.3, "status": "pending", "name": payload,
              "description": payload, "case_no": payload, "unit": payload, "address": payload}
             for i in range(3)]
    sites.append({"id": 9, "lon": 116.9, "lat": 38.31, "status": "pending", "name": "", "case_no": payload})
    html = render(build_map(sites, boundaries=county_fc(payload, "130903"), settings={"tiles": "none"},
                            choropleth_counts={"130903": 2}))
    for raw in ("<img src=x", "<script>alert", "<svg onload", "${", "`", "{{7*7}}"):
        assert raw not in html, raw
    assert html.count("</script>") == len(re.findall(r"<script\b", html))
    blob = site_blob(html)
    # decoded, the tooltips are the payload itself (not "49"): text, never evaluated
    assert {html_lib.unescape(t) for t in blob["n"]} == {payload}  # name, and case_no when unnamed
    # javascript: can only matter in an href/src; we never build links from user text
    assert not re.search(r"""(?:href|src)\s*=\s*["']?javascript:""", html, re.IGNORECASE)


def test_county_features_are_tagged_and_a_county_click_maps_to_its_adcode() -> None:
    m = build_map(make_sites(5), boundaries=county_fc(), settings={"tiles": "none"})
    html = render(m)
    assert '"kind":"county","adcode":"130902"' in html
    polygon = {"type": "Feature", "properties": {"kind": "county", "adcode": "130902", "name": "新华区"},
               "geometry": {"type": "Polygon", "coordinates": [[[116.8, 38.28], [116.9, 38.28], [116.9, 38.36]]]}}
    result = {"last_object_clicked": {"lat": 38.31, "lng": 116.85}, "last_active_drawing": polygon}
    assert clicks.clicked_county(result) == "130902"
    assert clicked_site_ids(result, m.field_site_lookup) == []


def test_a_marker_click_is_never_a_county_click() -> None:
    sites = make_sites(5)
    m = build_map(sites, boundaries=county_fc(), settings={"tiles": "none"})
    s = sites[2]
    marker = {"type": "Feature", "properties": {"site_id": 2, "status": s["status"]},
              "geometry": {"type": "Point", "coordinates": [round(s["lon"], 6), round(s["lat"], 6)]}}
    result = {"last_object_clicked": {"lat": round(s["lat"], 6), "lng": round(s["lon"], 6)},
              "last_active_drawing": marker}
    assert clicked_site_ids(result, m.field_site_lookup) == [2]
    assert clicks.clicked_county(result) is None
    # a marker whose properties also hold an adcode still is not a county; nor is a cluster click
    marker["properties"].update({"kind": "county", "adcode": "130902"})
    assert clicks.clicked_county(result) is None
    cluster = {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [116.8, 38.3]}}
    assert clicks.clicked_county({"last_active_drawing": cluster}) is None
    assert clicks.clicked_county(None) is None


def test_click_signature_changes_per_click_and_not_per_rerun() -> None:
    a = {"last_object_clicked": {"lat": 38.3, "lng": 116.8},
         "last_active_drawing": {"properties": {"kind": "county", "adcode": "130902"}}}
    b = {"last_object_clicked": {"lat": 38.31, "lng": 116.8}, "last_active_drawing": a["last_active_drawing"]}
    assert clicks.click_signature(a) == clicks.click_signature(json.loads(json.dumps(a)))
    assert clicks.click_signature(a) != clicks.click_signature(b)
    assert clicks.click_signature({"last_object_clicked": None}) is None


def test_filter_url_round_trip() -> None:
    import datetime as dt

    from field.services.findings import MapFilter

    flt = MapFilter(statuses=("rectifying", "pending"), counties=("130903", "130902"), types=("noise", "air"),
                    batches=(12, 3), key_attention=True, overdue=True, date_from=dt.date(2024, 5, 1),
                    date_to=dt.date(2024, 6, 30), text="宏达, 化工 ")
    query = mapquery.filter_to_query(flt)
    assert query == {"status": ["pending", "rectifying"], "county": ["130902", "130903"], "type": ["air", "noise"],
                     "batch": ["3", "12"], "key": ["1"], "overdue": ["1"], "from": ["2024-05-01"],
                     "to": ["2024-06-30"], "q": ["宏达, 化工"]}
    back = mapquery.filter_from_query(query)
    assert mapquery.filter_to_query(back) == query
    assert back.text == "宏达, 化工" and back.batches == (3, 12)
    assert mapquery.filter_key(back) == mapquery.filter_key(flt)
    assert mapquery.filter_to_query(MapFilter()) == {}


def test_filter_from_query_drops_bad_values() -> None:
    flt = mapquery.filter_from_query({"status": ["pending", "<script>"], "county": ["130903", "x"],
                                     "batch": ["-1", "abc", "7"], "from": "2024-13-01", "to": "2024-01-01",
                                     "key": "0", "q": "x" * 500}, counties=["130903"])
    assert flt.statuses == ("pending",) and flt.counties == ("130903",) and flt.batches == (7,)
    assert flt.date_from is None and flt.date_to == dt_date(2024, 1, 1)
    assert flt.key_attention is False and len(flt.text) == mapquery.MAX_QUERY_TEXT
    swapped = mapquery.filter_from_query({"from": "2024-06-01", "to": "2024-05-01"})
    assert (swapped.date_from, swapped.date_to) == (dt_date(2024, 5, 1), dt_date(2024, 6, 1))


def dt_date(y: int, m: int, d: int):  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.date(y, m, d)


def test_amap_point_lands_within_a_metre_of_the_reference() -> None:
    """WGS (116.404, 39.915) -> GCJ (116.41024449916938, 39.91640428150164), a published pair."""
    from field.geo import distance_m

    site = {"id": 1, "lon": 116.404, "lat": 39.915, "status": "pending", "name": "天安门"}
    blob = site_blob(render(build_map([site], boundaries=None, settings={"tiles": "amap"})))
    assert distance_m(blob["p"][0], blob["p"][1], 116.41024449916938, 39.91640428150164) < 1.0
    assert distance_m(blob["p"][0], blob["p"][1], site["lon"], site["lat"]) > 100  # the shift happened


def test_no_tiles_still_draws_boundaries_and_sites() -> None:
    html = render(build_map(make_sites(4), boundaries=county_fc(), settings={"tiles": "none"}))
    assert "L.tileLayer" not in html
    assert "L.geoJSON(" in html and len(site_blob(html)["i"]) == 4


def test_focus_counties_fit_the_view_to_them() -> None:
    fc = county_fc()
    far = {"type": "Feature", "properties": {"adcode": "130983", "name": "黄骅市"},
           "geometry": {"type": "Polygon", "coordinates": [[[117.2, 38.2], [117.6, 38.2], [117.6, 38.6],
                                                            [117.2, 38.2]]]}}
    fc["features"].append(far)
    html_all = render(build_map([], boundaries=fc, settings={"tiles": "none"}))
    html_one = render(build_map([], boundaries=fc, settings={"tiles": "none"}, focus_counties=["130983"]))
    assert "[[38.2, 116.8], [38.6, 117.6]]" in html_all
    assert "[[38.2, 117.2], [38.6, 117.6]]" in html_one


def test_presentation_mode_uses_larger_marks() -> None:
    normal = render(build_map(make_sites(3), boundaries=None, settings={"tiles": "none"}))
    big = render(build_map(make_sites(3), boundaries=None, settings={"tiles": "none"}, presentation=True))
    assert "iconSize: [18, 18]" in normal and "iconSize: [26, 26]" in big
    assert "fs-large" in big and 'fs-legend fs-large' not in normal


def test_clusters_take_the_worst_open_status_colour() -> None:
    """Each status carries a cluster rank and a checked #rrggbb colour; the cluster icon JS picks
    the highest rank among its markers and writes only that colour, its code and numbers."""
    from field.map.build import build_map as _build
    from field.map.legend import CLUSTER_NEUTRAL, CLUSTER_RANK, STATUS_CODES, styles_js

    styles = json.loads(styles_js("zh"))
    assert len(styles) == len(STATUS_CODES) + 1
    by_code = {s["c"]: s for s in styles}
    assert by_code["reopened"]["r"] > by_code["pending"]["r"] > by_code["rectifying"]["r"] \
        > by_code["awaiting_signoff"]["r"] > 0
    for code in ("closed", "public_notice", "unfounded", "_unknown"):
        assert by_code[code]["r"] == 0 and by_code[code]["k"] == CLUSTER_NEUTRAL
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", s["k"]) for s in styles)
    assert styles[-1]["r"] == 0  # the JS starts from the last entry: neutral until an open status is seen
    assert set(CLUSTER_RANK) <= set(STATUS_CODES)
    html = _build([{"id": 1, "lon": 116.84, "lat": 38.3, "status": "pending", "name": "<b>x</b>"}],
                  boundaries=None, settings={"tiles": "none"}).get_root().render()
    assert "iconCreateFunction" in html and "data-worst" in html and "<b>x</b>" not in html
