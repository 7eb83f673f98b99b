"""County boundaries of the configured region: loading them and deciding which county a point is in.

A case is filed under a county (行政区域). Deciding the county from a photo's GPS position must be
fast (bulk imports, map filters) and deterministic on shared borders, so the same point never
lands in two ledgers.

The boundaries are read lazily from `geodata/<adcode>.geojson` (built by `geodata/build.py`) and
cached. Which region is a setting (`Settings.city_adcode`): callers pass it as `adcode`. The app's
entry point also registers it once with `use_city`, for callers that do not have the settings at
hand yet; nothing here reads the environment or the settings file.

The region is one city (`130900`, the default) or a whole province (`130000`). A province file
holds every county of the province, and `<adcode>_cities.geojson` its city outlines; a county's
city is the code sharing its first four digits (`130902` -> `130900`), the same prefix rule
`field.domain.scope` applies to users. Everything that works on counties works unchanged on a
province; `level="city"` in `units`/`units_geojson`/`unit_of` groups by city instead.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from field.geo.errors import BoundaryDataError

if TYPE_CHECKING:  # pragma: no cover - typing only
    import geopandas

GEODATA_DIR = Path(__file__).resolve().parents[2] / "geodata"

LEVELS = ("county", "city")  # what statistics can be grouped by (`units`, `unit_of`)


def is_province(adcode: str) -> bool:
    """`XX0000` is a province; `XXYY00` a city (municipalities are deployed as `XX0100`)."""
    return len(adcode) == 6 and adcode.isdigit() and adcode[2:] == "0000"


def city_code(county_adcode: str) -> str:
    """The city a county belongs to: the code sharing its first four digits."""
    return county_adcode[:4] + "00"


def unit_code_of(county_adcode: str, level: str = "county") -> str:
    """The adcode a county is counted under at `level` ("county": itself, "city": its city)."""
    return city_code(county_adcode) if _level(level) == "city" else county_adcode


@dataclass(frozen=True)
class County:
    """A county, or a city or province (the same three fields): anything a map shades by."""

    adcode: str
    name: str
    name_en: str

    def label(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name

    @property
    def city_adcode(self) -> str:
        return city_code(self.adcode)


_LINEAR_SCAN_MAX = 64  # above this many units, county_of switches to the STRtree


class Boundaries:
    """The counties of one city with a spatial index, built once and shared.

    Geometries are prepared once, so a point lookup takes microseconds; querying many points at
    once (`counties_of`) goes through an STRtree in C, which is what bulk photo imports need.
    """

    def __init__(self, adcode: str, counties: list[County], geometries: list[Any], raw_geojson: str,
                 city: County | None = None, cities: list[County] | None = None,
                 directory: Path | None = None):
        import numpy as np
        import shapely

        order = sorted(range(len(counties)), key=lambda i: counties[i].adcode)
        self.adcode = adcode
        self.counties: tuple[County, ...] = tuple(counties[i] for i in order)
        self.geometries = np.array([geometries[i] for i in order], dtype=object)
        for g in self.geometries:
            shapely.prepare(g)
        self.tree = shapely.STRtree(self.geometries)
        self.city = city  # the region itself: the city, or the province
        self.level = "province" if is_province(adcode) else "city"
        if cities is None:
            cities = [city] if city is not None else []
        self.cities: tuple[County, ...] = tuple(sorted(cities, key=lambda c: c.adcode))
        self._city_by_code = {c.adcode: c for c in self.cities}
        self._directory = directory or GEODATA_DIR
        self._cities_raw: str | None = None
        self._raw_geojson = raw_geojson
        x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(self.geometries))
        self._bounds = (x0, y0, x1, y1)
        self._box_array = shapely.bounds(self.geometries)
        self._boxes: list[list[float]] = self._box_array.tolist()

    def __len__(self) -> int:
        return len(self.counties)

    def county_of(self, lon: float, lat: float) -> County | None:
        """Points on a shared border belong to the county with the smallest adcode, so a point
        is never counted twice and the answer does not depend on file order.

        A city has a handful of counties, so a plain scan of their bounding boxes followed by a
        prepared point-in-polygon test beats an STRtree query (whose per-call overhead is ~10x
        larger); a province's boxes are compared in one numpy step; the tree serves `counties_of`.
        """
        import numpy as np
        import shapely

        try:
            x, y = float(lon), float(lat)
        except (TypeError, ValueError):
            return None
        if not (math.isfinite(x) and math.isfinite(y)):
            return None
        if len(self._boxes) > _LINEAR_SCAN_MAX:
            # a province: one numpy comparison of all bounding boxes, then the prepared polygons
            # in adcode order (a single-point STRtree query costs more than this whole test)
            b = self._box_array
            for i in np.flatnonzero((b[:, 0] <= x) & (x <= b[:, 2]) & (b[:, 1] <= y) & (y <= b[:, 3])).tolist():
                if shapely.intersects_xy(self.geometries[i], x, y):
                    return self.counties[i]
            return None
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
        xs, ys = np.where(finite, lons, 0.0), np.where(finite, lats, 0.0)
        points = shapely.points(xs, ys)
        points[~finite] = None
        # bounding boxes from the tree, then the prepared polygons: ~7x faster on a province than
        # `query(points, predicate="intersects")`, which tests unprepared points (bench/geo_province.py)
        point_idx, geom_idx = self.tree.query(points)
        inside = shapely.intersects_xy(self.geometries[geom_idx], xs[point_idx], ys[point_idx])
        point_idx, geom_idx = point_idx[inside], geom_idx[inside]
        best = np.full(len(points), -1, dtype=np.int64)
        if len(point_idx):
            # the smallest geometry index (= smallest adcode) per point
            order = np.lexsort((geom_idx, point_idx))
            p_sorted, g_sorted = point_idx[order], geom_idx[order]
            first = np.ones(len(p_sorted), dtype=bool)
            first[1:] = p_sorted[1:] != p_sorted[:-1]
            best[p_sorted[first]] = g_sorted[first]
        return [self.counties[i] if i >= 0 else None for i in best.tolist()]

    def city_of(self, lon: float, lat: float) -> County | None:
        """The city containing the point (in a city deployment: the city), None outside."""
        county = self.county_of(lon, lat)
        return None if county is None else self.city_of_county(county.adcode)

    def city_of_county(self, county_adcode: str | None) -> County | None:
        if not county_adcode:
            return None
        if self.level == "city":
            return self.city
        return self._city_by_code.get(city_code(county_adcode))

    def units(self, level: str = "county") -> tuple[County, ...]:
        """The counties, or the cities (`level="city"`), that statistics are grouped by."""
        return self.cities if _level(level) == "city" else self.counties

    def unit_code(self, county_adcode: str | None, level: str = "county") -> str | None:
        """The adcode a county's rows are counted under at `level` (None stays None)."""
        if not county_adcode or _level(level) == "county":
            return county_adcode
        city = self.city_of_county(county_adcode)
        return city.adcode if city is not None else unit_code_of(county_adcode, level)

    def cities_geojson(self) -> dict[str, Any]:
        """The city outlines (a province's `_cities` file; a city's `_city` outline), fresh copy."""
        if self._cities_raw is None:
            name = f"{self.adcode}_cities.geojson" if self.level == "province" else f"{self.adcode}_city.geojson"
            path = self._directory / name
            if not path.is_file():
                raise BoundaryDataError("geo.boundaries_missing", path=str(path), adcode=self.adcode)
            self._cities_raw = path.read_text(encoding="utf-8")
        return json.loads(self._cities_raw)

    def units_geojson(self, level: str = "county") -> dict[str, Any]:
        return self.cities_geojson() if _level(level) == "city" else self.geojson()

    def bounds(self) -> tuple[float, float, float, float]:
        return self._bounds

    def geojson(self) -> dict[str, Any]:
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


def _level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    return level


_city: str | None = None  # set by use_city(); see the module docstring


def use_city(adcode: str) -> None:
    """Register the deployment's city (Settings.city_adcode) for lookups that name no adcode.

    TODO(structure): pages (users, capture, map) and `findings.locate` still call without an
    adcode; once they pass `rt.settings.city_adcode`, make `adcode` required and drop this.
    """
    global _city
    _city = str(adcode)


def _city_adcode(adcode: str | None) -> str:
    if adcode:
        return str(adcode)
    if _city is None:
        raise BoundaryDataError("geo.no_city")
    return _city


def clear_cache() -> None:
    """Forget loaded boundaries (tests, or after rebuilding geodata)."""
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
    def unit(meta: Any) -> County | None:
        if isinstance(meta, dict) and meta.get("adcode"):
            return County(str(meta["adcode"]), str(meta.get("name", "")), str(meta.get("name_en", "")))
        return None

    city = unit(data.get("region")) or unit(data.get("city"))  # a province file names a region
    cities = None
    if is_province(adcode):
        cities = [c for c in (unit(m) for m in data.get("cities") or []) if c is not None]
        if not cities:
            raise BoundaryDataError("geo.boundaries_invalid", path=str(path), reason="no cities")
    return Boundaries(adcode, counties, geometries, raw, city, cities, Path(directory))


def load_counties(adcode: str | None = None, directory: Path | None = None) -> Boundaries:
    """Counties of the city `adcode` (Settings.city_adcode; the `use_city` one if None); cached."""
    return _load(_city_adcode(adcode), str(directory or GEODATA_DIR))


def county_of(lon: float, lat: float, adcode: str | None = None) -> County | None:
    """The county (WGS-84 input) containing the point, or None outside the city."""
    return load_counties(adcode).county_of(lon, lat)


def counties_of(lons: Any, lats: Any, adcode: str | None = None) -> list[County | None]:
    return load_counties(adcode).counties_of(lons, lats)


def in_city(lon: float, lat: float, adcode: str | None = None) -> bool:
    """Whether a WGS-84 point lies in the region (city or province); the union of its counties."""
    return county_of(lon, lat, adcode) is not None


in_region = in_city


def city_of(lon: float, lat: float, adcode: str | None = None) -> County | None:
    return load_counties(adcode).city_of(lon, lat)


def cities(adcode: str | None = None) -> list[County]:
    """The cities of the region: all of a province's, or the one city."""
    return list(load_counties(adcode).cities)


def cities_geojson(adcode: str | None = None) -> dict[str, Any]:
    return load_counties(adcode).cities_geojson()


def units(level: str = "county", adcode: str | None = None) -> list[County]:
    return list(load_counties(adcode).units(level))


def units_geojson(level: str = "county", adcode: str | None = None) -> dict[str, Any]:
    return load_counties(adcode).units_geojson(level)


def region_level_or_none() -> str | None:
    """The registered region's level, or None when nothing is registered (scripts, some tests)."""
    return None if _city is None else region_level()


def region_level(adcode: str | None = None) -> str:
    """"city" or "province": whether grouping by city means anything here."""
    return "province" if is_province(_city_adcode(adcode)) else "city"


def counties(adcode: str | None = None) -> list[County]:
    return list(load_counties(adcode).counties)


def counties_geojson(adcode: str | None = None) -> dict[str, Any]:
    return load_counties(adcode).geojson()


def city_bounds(adcode: str | None = None) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) in WGS-84, for fitting the map view."""
    return load_counties(adcode).bounds()


def unit_labels(lang: str = "zh", adcode: str | None = None) -> dict[str, str]:
    """A label for every unit a filter or a user's scope can name, in adcode order: a city's
    counties as today; in a province its cities and their counties, qualified by the city
    (沧州市 新华区 and 石家庄市 新华区 are two counties)."""
    b = load_counties(adcode)
    if b.level == "city":
        return {c.adcode: c.label(lang) for c in b.counties}
    labels: dict[str, str] = {}
    for c in sorted((*b.cities, *b.counties), key=lambda u: (u.city_adcode, u.adcode != u.city_adcode, u.adcode)):
        city = b.city_of_county(c.adcode)
        if city is None or city.adcode == c.adcode:
            labels[c.adcode] = c.label(lang)
        else:
            labels[c.adcode] = f"{c.label(lang)}, {city.label(lang)}" if lang == "en" else f"{city.name} {c.name}"
    return labels


def outside_key(key: str, adcode: str | None = None) -> str:
    """The catalog key for "outside the region": `key` (市外) for a city, `key + "_province"`
    (省外) for a province. Without a registered region the city wording stays."""
    if adcode is None and _city is None:
        return key
    return key + "_province" if is_province(_city_adcode(adcode)) else key


def city_info(adcode: str | None = None) -> County | None:
    """The region itself (the city, or the province) as recorded by the build script, if present."""
    return load_counties(adcode).city


region_info = city_info
region_key = outside_key  # any catalog key with a `_province` variant
