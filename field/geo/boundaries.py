"""County boundaries of the configured city: loading them and deciding which county a point is in.

A case is filed under a county (行政区域). Deciding the county from a photo's GPS position must be
fast (bulk imports, map filters) and deterministic on shared borders, so the same point never
lands in two ledgers.

The boundaries are read lazily from `geodata/<adcode>.geojson` (built by `geodata/build.py`) and
cached. Which city is a setting (`Settings.city_adcode`): callers pass it as `adcode`. The app's
entry point also registers it once with `use_city`, for callers that do not have the settings at
hand yet; nothing here reads the environment or the settings file.
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
        x0, y0, x1, y1 = (float(v) for v in shapely.total_bounds(self.geometries))
        self._bounds = (x0, y0, x1, y1)
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
    city = None
    meta = data.get("city")
    if isinstance(meta, dict) and meta.get("adcode"):
        city = County(str(meta["adcode"]), str(meta.get("name", "")), str(meta.get("name_en", "")))
    return Boundaries(adcode, counties, geometries, raw, city)


def load_counties(adcode: str | None = None, directory: Path | None = None) -> Boundaries:
    """Counties of the city `adcode` (Settings.city_adcode; the `use_city` one if None); cached."""
    return _load(_city_adcode(adcode), str(directory or GEODATA_DIR))


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


def counties_geojson(adcode: str | None = None) -> dict[str, Any]:
    return load_counties(adcode).geojson()


def city_bounds(adcode: str | None = None) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) in WGS-84, for fitting the map view."""
    return load_counties(adcode).bounds()


def city_info(adcode: str | None = None) -> County | None:
    """The city itself (adcode, name, name_en) as recorded by the build script, if present."""
    return load_counties(adcode).city
