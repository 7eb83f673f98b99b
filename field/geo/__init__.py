"""Coordinates and county boundaries: everything the app knows about *where*.

Where each thing is decided:

- `gcj02` — the GCJ-02 <-> WGS-84 shift. The app stores WGS-84 and converts only at the edges
  (AMap tiles and AMap-derived data use GCJ-02; mixing them puts a site 50-500 m off);
- `coords` — a coordinate as a number: valid range (`validate_lonlat`), hand-written text such as
  度分秒 (`parse_coordinate`), distances (`distance_m`);
- `boundaries` — the region's (a city's or a province's) county and city boundaries and which
  county a point is in (one county on a shared border, the smallest adcode);
- `errors` — `GeoError` and its subclasses, keyed `FieldError`s with text in field/i18n/geo.py.

Importing the package costs nothing beyond the standard library and the message catalog:
numpy, shapely and geopandas load on first use. Never import streamlit here: the core package
must run in CLI tools and tests without it.
"""

from __future__ import annotations

from field.geo.boundaries import (
    GEODATA_DIR,
    LEVELS,
    Boundaries,
    County,
    boundary_path,
    cities,
    cities_geojson,
    city_bounds,
    city_code,
    city_info,
    city_of,
    clear_cache,
    counties,
    counties_geojson,
    counties_of,
    county_of,
    in_city,
    in_region,
    is_province,
    load_counties,
    outside_key,
    region_info,
    region_key,
    region_level,
    region_level_or_none,
    unit_code_of,
    unit_labels,
    units,
    units_geojson,
    use_city,
)
from field.geo.coords import EARTH_RADIUS_M, distance_m, parse_coordinate, validate_lonlat
from field.geo.errors import BoundaryDataError, CoordinateError, GeoError
from field.geo.gcj02 import gcj02_to_wgs84, gcj02_to_wgs84_array, out_of_china, wgs84_to_gcj02

__all__ = [
    "EARTH_RADIUS_M", "GEODATA_DIR", "LEVELS",
    "cities", "cities_geojson", "city_code", "city_of", "in_region", "is_province", "outside_key", "region_info",
    "region_key", "region_level", "region_level_or_none", "unit_code_of", "unit_labels", "units", "units_geojson",
    "Boundaries", "BoundaryDataError", "CoordinateError", "County", "GeoError",
    "boundary_path", "city_bounds", "city_info", "clear_cache", "counties", "counties_geojson", "counties_of",
    "county_of", "distance_m", "gcj02_to_wgs84", "gcj02_to_wgs84_array", "in_city", "load_counties",
    "out_of_china", "parse_coordinate", "use_city", "validate_lonlat", "wgs84_to_gcj02",
]
