"""Coordinates and county boundaries: everything the app knows about *where*.

Why this module exists:
- Phones give WGS-84, AMap tiles and AMap-derived data use GCJ-02. Mixing them puts a site in the
  wrong street (50-500 m off), so the app stores WGS-84 and converts only at the edges.
- People type coordinates in many hand-written forms (度分秒, full-width signs, decimal commas);
  rejecting them or, worse, silently misreading them loses field evidence.
- A case is filed under a county (行政区域). Deciding the county from a photo's GPS position must be
  fast (bulk imports, map filters) and deterministic on shared borders, so the same point never
  lands in two ledgers.

The boundaries are read lazily from `geodata/<adcode>.geojson` (built by `geodata/build.py`) and
cached; importing this module costs nothing beyond the standard library. Never import streamlit
here: the core package must run in CLI tools and tests without it.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from field.i18n.geo import MESSAGES

if TYPE_CHECKING:  # pragma: no cover - typing only
    import geopandas
    import numpy as np

GEODATA_DIR = Path(__file__).resolve().parents[2] / "geodata"
EARTH_RADIUS_M = 6371008.8  # IUGG mean radius: the usual choice for haversine distances

# --- messages ------------------------------------------------------------------------------------


_AXIS_WORDS = {
    "lon": {"axis_zh": "经度", "axis_en": "longitude"},
    "lat": {"axis_zh": "纬度", "axis_en": "latitude"},
}


class GeoError(ValueError):
    """Base error carrying a stable message key, so the UI can translate it and tests can match it."""

    def __init__(self, key: str, **params: Any):
        self.key = key
        self.params = params
        super().__init__(key)

    def message(self, lang: str = "zh") -> str:
        entry = MESSAGES.get(self.key)
        if entry is None:
            return self.key
        template = entry.get(lang) or entry["zh"]
        try:
            return template.format(**self.params)
        except (KeyError, IndexError):
            return template

    def __str__(self) -> str:
        return self.message("zh")


class CoordinateError(GeoError):
    """A coordinate that cannot be read or is outside the valid range."""


class BoundaryDataError(GeoError):
    """The committed boundary file is missing or unusable: a deployment problem, not a user's."""


def _axis_params(axis: str) -> dict[str, str]:
    return dict(_AXIS_WORDS.get(axis, {"axis_zh": axis, "axis_en": axis}))


# --- GCJ-02 <-> WGS-84 -----------------------------------------------------------------------------
# The published GCJ-02 forward formula (Krasovsky ellipsoid constants). It has no closed-form
# inverse, so gcj02_to_wgs84 iterates the forward transform until it reproduces the input.

_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323
_INVERSE_TOLERANCE_DEG = 1e-9  # far below 1e-7 deg (~1 cm); costs one or two extra iterations
_INVERSE_MAX_ITER = 30


def out_of_china(lon: float, lat: float) -> bool:
    """The standard rectangular test; points outside it are not shifted by GCJ-02."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _gcj_delta(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 105.0, lat - 35.0
    sx = math.sqrt(abs(x))
    common = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx + common
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx + common
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * math.pi
    magic = 1.0 - _GCJ_EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_GCJ_A / sqrtmagic * math.cos(radlat) * math.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """For display on AMap (GCJ-02) tiles only; stored positions stay WGS-84."""
    if out_of_china(lon, lat):
        return float(lon), float(lat)
    dlon, dlat = _gcj_delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Precise inverse: the textbook one-step inverse is off by up to ~2 m, too much for evidence."""
    if out_of_china(lon, lat):
        return float(lon), float(lat)
    wlon, wlat = lon, lat
    for _ in range(_INVERSE_MAX_ITER):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = glon - lon, glat - lat
        wlon, wlat = wlon - elon, wlat - elat
        if abs(elon) < _INVERSE_TOLERANCE_DEG and abs(elat) < _INVERSE_TOLERANCE_DEG:
            break
    return wlon, wlat


def _gcj_delta_array(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    x, y = lon - 105.0, lat - 35.0
    sx = np.sqrt(np.abs(x))
    pi = np.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx + common
    dlat = dlat + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat = dlat + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx + common
    dlon = dlon + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon = dlon + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * pi
    magic = 1.0 - _GCJ_EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrtmagic) * pi)
    dlon = (dlon * 180.0) / (_GCJ_A / sqrtmagic * np.cos(radlat) * pi)
    return dlon, dlat


def gcj02_to_wgs84_array(coords: np.ndarray) -> np.ndarray:
    """Vectorised precise inverse for an (N, 2) lon/lat array: converting boundary files vertex by
    vertex in Python would be slow, and `shapely.transform` hands us exactly this shape."""
    import numpy as np

    coords = np.asarray(coords, dtype=float)
    lon, lat = coords[:, 0], coords[:, 1]
    inside = ~((lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271))
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(_INVERSE_MAX_ITER):
        dlon, dlat = _gcj_delta_array(wlon, wlat)
        elon = np.where(inside, wlon + dlon - lon, 0.0)
        elat = np.where(inside, wlat + dlat - lat, 0.0)
        wlon, wlat = wlon - elon, wlat - elat
        if np.all(np.abs(elon) < _INVERSE_TOLERANCE_DEG) and np.all(np.abs(elat) < _INVERSE_TOLERANCE_DEG):
            break
    return np.column_stack([wlon, wlat])


# --- distances and validation ----------------------------------------------------------------------


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Haversine on a sphere: within 0.5 % of the ellipsoid, plenty for "is the photo at the site"."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2.0) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


_LIMITS = {"lon": 180.0, "lat": 90.0}


def _check_value(value: Any, axis: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise CoordinateError("coord.not_a_number", value=repr(value), **_axis_params(axis)) from None
    if not math.isfinite(number):
        raise CoordinateError("coord.not_a_number", value=repr(value), **_axis_params(axis))
    limit = _LIMITS[axis]
    if not -limit <= number <= limit:
        raise CoordinateError(
            "coord.out_of_range", value=number, low=-limit, high=limit, **_axis_params(axis)
        )
    return number


def validate_lonlat(lon: Any, lat: Any) -> tuple[float, float]:
    """Reject NaN, infinities and out-of-range values before they reach the database, where a NaN
    would silently break every spatial filter. Returns the values as floats."""
    return _check_value(lon, "lon"), _check_value(lat, "lat")


# --- parsing hand-written coordinates ----------------------------------------------------------------

_AXIS_ALIASES = {
    "lon": "lon", "lng": "lon", "long": "lon", "longitude": "lon", "x": "lon", "经度": "lon",
    "lat": "lat", "latitude": "lat", "y": "lat", "纬度": "lat",
}
_HEMI_WORDS = [  # longest first, so 北纬 wins over 北
    ("东经", "E"), ("西经", "W"), ("北纬", "N"), ("南纬", "S"),
    ("东", "E"), ("西", "W"), ("北", "N"), ("南", "S"),
]
_HEMI_AXIS = {"E": "lon", "W": "lon", "N": "lat", "S": "lat"}
_NUM = r"\d+(?:\.\d+)?"
_TOKEN = re.compile(rf"\s*({_NUM})\s*([°'\"]?)\s*")
_UNITS = {"°": 0, "'": 1, '"': 2}


def _normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).strip()  # full-width digits, letters, ＂＇，．－ and spaces
    for src, dst in (
        ("′′", '"'), ("''", '"'), ("″", '"'), ("”", '"'), ("“", '"'), ("秒", '"'),
        ("′", "'"), ("’", "'"), ("‘", "'"), ("´", "'"), ("`", "'"), ("分", "'"),
        ("º", "°"), ("˚", "°"), ("度", "°"),
        ("−", "-"), ("–", "-"), ("—", "-"),
    ):
        s = s.replace(src, dst)
    return s


def _strip_hemisphere(s: str) -> tuple[str, str | None]:
    for word, hemi in _HEMI_WORDS:
        if s.startswith(word):
            return s[len(word):].strip(), hemi
        if s.endswith(word):
            return s[: -len(word)].strip(), hemi
    upper = s.upper()
    if upper[:1] in _HEMI_AXIS:
        return s[1:].strip(), upper[0]
    if upper[-1:] in _HEMI_AXIS:
        return s[:-1].strip(), upper[-1]
    return s, None


def _dms_value(body: str, original: str, axis: str) -> float | None:
    """Degrees from "D", "D M", "D M S" with or without °'" marks; None if it is not such a text."""
    pos, tokens = 0, []
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if m is None or m.end() == pos:
            return None
        tokens.append((m.group(1), m.group(2)))
        pos = m.end()
    if not 1 <= len(tokens) <= 3:
        return None
    parts: list[float] = [0.0, 0.0, 0.0]
    last_unit = -1
    for i, (number, mark) in enumerate(tokens):
        unit = _UNITS[mark] if mark else last_unit + 1
        if unit <= last_unit or unit > 2 or (i == 0 and unit != 0):
            return None
        if "." in number and i != len(tokens) - 1:
            return None  # only the last component may carry decimals: 38°18.2' yes, 38.5°18' no
        parts[unit] = float(number)
        last_unit = unit
    degrees, minutes, seconds = parts
    if minutes >= 60:
        raise CoordinateError("coord.minutes_range", value=minutes, text=original, **_axis_params(axis))
    if seconds >= 60:
        raise CoordinateError("coord.seconds_range", value=seconds, text=original, **_axis_params(axis))
    return degrees + minutes / 60.0 + seconds / 3600.0


def parse_coordinate(text: str, axis: str) -> float:
    """Read a longitude or latitude as people write it in the field and in scanned ledgers.

    Accepts decimal degrees (dot or comma decimal), D M S with °'" or 度分秒 marks (also full-width),
    plain space-separated "116 50 19", and hemisphere letters or words before or after (N/S/E/W,
    北纬/东经...). W and S give negative values. Anything else raises CoordinateError, because a
    guessed coordinate is worse than none.
    """
    axis_key = _AXIS_ALIASES.get(str(axis).strip().lower())
    if axis_key is None:
        raise CoordinateError("coord.bad_axis", axis=axis)
    params = _axis_params(axis_key)
    original = "" if text is None else str(text)
    s = _normalise(original)
    if not s:
        raise CoordinateError("coord.empty", **params)

    s, hemi = _strip_hemisphere(s)
    if hemi is not None and _HEMI_AXIS[hemi] != axis_key:
        raise CoordinateError("coord.hemisphere_axis", hemisphere=hemi, text=original, **params)
    sign = 1.0
    if s and s[0] in "+-":
        if s[0] == "-":
            sign = -1.0
            if hemi is not None:
                raise CoordinateError("coord.sign_conflict", text=original, **params)
        s = s[1:].strip()
    if hemi in ("W", "S"):
        sign = -1.0

    if re.fullmatch(r"\d+,\d+", s):  # "116,8386": a decimal comma, common in European locales
        s = s.replace(",", ".")
    s = s.replace(",", " ").strip()
    if not s:
        raise CoordinateError("coord.unparseable", text=original, **params)

    value = _dms_value(s, original, axis_key)
    if value is None:
        raise CoordinateError("coord.unparseable", text=original, **params)
    value *= sign
    limit = _LIMITS[axis_key]
    if not -limit <= value <= limit:
        raise CoordinateError("coord.out_of_range", value=value, low=-limit, high=limit, **params)
    return value


# --- county boundaries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class County:
    adcode: str
    name: str
    name_en: str

    def label(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


_LINEAR_SCAN_MAX = 64  # above this many units, county_of switches to the STRtree


class Boundaries:
    """The counties of one city with a spatial index, built once and shared.

    Geometries are prepared once, so a point lookup takes microseconds; querying many points at
    once (`counties_of`) goes through an STRtree in C, which is what bulk photo imports need.
    """

    def __init__(self, adcode: str, counties: list[County], geometries: list[Any], raw_geojson: str,
                 city: County | None = None):
        import numpy as np
        import shapely

        order = sorted(range(len(counties)), key=lambda i: counties[i].adcode)
        self.adcode = adcode
        self.counties: tuple[County, ...] = tuple(counties[i] for i in order)
        self.geometries = np.array([geometries[i] for i in order], dtype=object)
        for g in self.geometries:
            shapely.prepare(g)
        self.tree = shapely.STRtree(self.geometries)
        self.city = city
        self._raw_geojson = raw_geojson
        self._bounds = tuple(float(v) for v in shapely.total_bounds(self.geometries))
        self._boxes: list[list[float]] = shapely.bounds(self.geometries).tolist()

    def __len__(self) -> int:
        return len(self.counties)

    def county_of(self, lon: float, lat: float) -> County | None:
        """Points on a shared border belong to the county with the smallest adcode, so a point
        is never counted twice and the answer does not depend on file order.

        A city has a handful of counties, so a plain scan of their bounding boxes followed by a
        prepared point-in-polygon test beats an STRtree query (whose per-call overhead is ~10x
        larger); the tree is used for cities with many units and by `counties_of`.
        """
        import shapely

        try:
            x, y = float(lon), float(lat)
        except (TypeError, ValueError):
            return None
        if not (math.isfinite(x) and math.isfinite(y)):
            return None
        if len(self._boxes) > _LINEAR_SCAN_MAX:
            hits = self.tree.query(shapely.Point(x, y), predicate="intersects")
            return self.counties[int(min(hits))] if len(hits) else None
        geometries = self.geometries
        for i, (x0, y0, x1, y1) in enumerate(self._boxes):  # in adcode order: first hit wins
            if x0 <= x <= x1 and y0 <= y <= y1 and shapely.intersects_xy(geometries[i], x, y):
                return self.counties[i]
        return None

    def counties_of(self, lons: Any, lats: Any) -> list[County | None]:
        """Bulk version of county_of, same border rule, one C call for all points."""
        import numpy as np
        import shapely

        lons = np.asarray(lons, dtype=float)
        lats = np.asarray(lats, dtype=float)
        finite = np.isfinite(lons) & np.isfinite(lats)
        points = shapely.points(np.where(finite, lons, 0.0), np.where(finite, lats, 0.0))
        points[~finite] = None
        point_idx, geom_idx = self.tree.query(points, predicate="intersects")
        best = np.full(len(points), -1, dtype=np.int64)
        if len(point_idx):
            # the smallest geometry index (= smallest adcode) per point
            order = np.lexsort((geom_idx, point_idx))
            p_sorted, g_sorted = point_idx[order], geom_idx[order]
            first = np.ones(len(p_sorted), dtype=bool)
            first[1:] = p_sorted[1:] != p_sorted[:-1]
            best[p_sorted[first]] = g_sorted[first]
        return [self.counties[i] if i >= 0 else None for i in best.tolist()]

    def bounds(self) -> tuple[float, float, float, float]:
        return self._bounds  # type: ignore[return-value]

    def geojson(self) -> dict:
        """A fresh dict each call: callers (map layers) add styling properties and must not alter
        the cached copy."""
        return json.loads(self._raw_geojson)

    def to_geodataframe(self) -> geopandas.GeoDataFrame:
        import geopandas

        return geopandas.GeoDataFrame(
            {
                "adcode": [c.adcode for c in self.counties],
                "name": [c.name for c in self.counties],
                "name_en": [c.name_en for c in self.counties],
            },
            geometry=list(self.geometries),
            crs="EPSG:4326",
        )


def _configured_adcode(adcode: str | None) -> str:
    if adcode:
        return str(adcode)
    # The environment wins in load_settings too; checking it first keeps county_of() in a loop
    # from re-reading secrets.toml on every call.
    env = os.environ.get("FIELD_CITY_ADCODE")
    if env:
        return env
    return _settings_adcode()


@functools.lru_cache(maxsize=1)
def _settings_adcode() -> str:
    from field.config import load_settings

    return load_settings().city_adcode


def clear_cache() -> None:
    """Forget loaded boundaries and the configured adcode (tests, or after rebuilding geodata)."""
    _settings_adcode.cache_clear()
    _load.cache_clear()


def boundary_path(adcode: str, directory: Path | None = None) -> Path:
    return (directory or GEODATA_DIR) / f"{adcode}.geojson"


@functools.lru_cache(maxsize=8)
def _load(adcode: str, directory: str) -> Boundaries:
    from shapely.geometry import shape

    path = boundary_path(adcode, Path(directory))
    if not path.is_file():
        raise BoundaryDataError("geo.boundaries_missing", path=str(path), adcode=adcode)
    raw = path.read_text(encoding="utf-8")
    try:
        data = json.loads(raw)
        features = data["features"]
        counties = [
            County(str(f["properties"]["adcode"]), str(f["properties"]["name"]),
                   str(f["properties"].get("name_en") or ""))
            for f in features
        ]
        geometries = [shape(f["geometry"]) for f in features]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BoundaryDataError("geo.boundaries_invalid", path=str(path), reason=str(exc)) from exc
    if not counties:
        raise BoundaryDataError("geo.boundaries_invalid", path=str(path), reason="no features")
    city = None
    meta = data.get("city")
    if isinstance(meta, dict) and meta.get("adcode"):
        city = County(str(meta["adcode"]), str(meta.get("name", "")), str(meta.get("name_en", "")))
    return Boundaries(adcode, counties, geometries, raw, city)


def load_counties(adcode: str | None = None, directory: Path | None = None) -> Boundaries:
    """Counties of the configured city (FIELD_CITY_ADCODE) unless an adcode is given; cached."""
    return _load(_configured_adcode(adcode), str(directory or GEODATA_DIR))


def county_of(lon: float, lat: float, adcode: str | None = None) -> County | None:
    """The county (WGS-84 input) containing the point, or None outside the city."""
    return load_counties(adcode).county_of(lon, lat)


def counties_of(lons: Any, lats: Any, adcode: str | None = None) -> list[County | None]:
    return load_counties(adcode).counties_of(lons, lats)


def in_city(lon: float, lat: float, adcode: str | None = None) -> bool:
    """Whether a WGS-84 point lies in the city; the union of its counties by construction."""
    return county_of(lon, lat, adcode) is not None


def counties(adcode: str | None = None) -> list[County]:
    return list(load_counties(adcode).counties)


def counties_geojson(adcode: str | None = None) -> dict:
    return load_counties(adcode).geojson()


def city_bounds(adcode: str | None = None) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) in WGS-84, for fitting the map view."""
    return load_counties(adcode).bounds()


def city_info(adcode: str | None = None) -> County | None:
    """The city itself (adcode, name, name_en) as recorded by the build script, if present."""
    return load_counties(adcode).city
