"""What a click on the map means, read from the value `streamlit_folium.st_folium` returns.

Each marker carries `feature.properties.site_id`, so `result["last_active_drawing"]["properties"]
["site_id"]` holds the id of the last clicked marker, and `result["last_object_clicked"]` holds
its exact displayed lat/lng. `clicked_site_ids(result, m.field_site_lookup)` combines both
(lat/lng lookup, id used to pick among co-located sites) and is what pages should call. Pass
`returned_objects=RETURNED_OBJECTS` to `st_folium` so panning and zooming do not rerun the page.
A click on a county returns its feature (properties kind, adcode, name) in `last_active_drawing`
too (`clicked_county`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from field.map.choropleth import COUNTY_KIND
from field.map.layers import COORD_DECIMALS
from field.map.values import as_text, finite

# What st_folium should send back: clicks only, so pan and zoom never rerun the page. The count
# makes a second click on the same site (after clearing the panel) a new click.
RETURNED_OBJECTS: tuple[str, ...] = ("last_object_clicked", "last_active_drawing", "last_object_clicked_count")


def clicked_site_ids(result: Mapping[str, Any] | None,
                     lookup: Mapping[tuple[float, float], list[Any]]) -> list[Any]:
    """Site ids under the last clicked marker, from an `st_folium(...)` return value.

    The clicked marker's own feature (`last_active_drawing.properties.site_id`) decides when it
    names a site of this map: its coordinates cannot be trusted, because markercluster moves a
    spiderfied marker (and Chromium may report the mouse position as `last_object_clicked`).
    Without a site feature, an exact (lat, lng) lookup of the click is the fallback; several
    sites can share a point. A click on a county or on empty map returns []."""
    if not result:
        return []
    drawing = result.get("last_active_drawing") or {}
    props = drawing.get("properties") if isinstance(drawing, Mapping) else None
    if isinstance(props, Mapping) and "site_id" in props:
        if any(props["site_id"] in ids for ids in lookup.values()):
            return [props["site_id"]]
    obj = result.get("last_object_clicked") or {}
    lat, lng = finite(obj.get("lat")), finite(obj.get("lng"))
    if lat is None or lng is None:
        return []
    return list(lookup.get((round(lat, COORD_DECIMALS), round(lng, COORD_DECIMALS)), []))


def clicked_site_id(result: Mapping[str, Any] | None) -> Any:
    """The site id a click on the data layer reported (`field.map.datalayer`), or None for a
    county, a cluster or no click; the page checks it against the rows of its view."""
    if not result:
        return None
    drawing = result.get("last_active_drawing")
    props = drawing.get("properties") if isinstance(drawing, Mapping) else None
    if isinstance(props, Mapping) and "site_id" in props:
        sid = props["site_id"]
        return sid if isinstance(sid, (int, str)) and not isinstance(sid, bool) else None
    return None


def clicked_county(result: Mapping[str, Any] | None) -> str | None:
    """The adcode of the county polygon last clicked, from an `st_folium(...)` return value.

    Only a feature tagged `kind: county` by `BoundaryLayer` counts, and only a polygon: a marker
    click (properties `site_id`), a cluster click (no properties) or a click on empty map never
    reads as a county, so clicking a site can never filter the map to the county underneath."""
    if not result:
        return None
    drawing = result.get("last_active_drawing")
    if not isinstance(drawing, Mapping):
        return None
    props = drawing.get("properties")
    geometry = drawing.get("geometry")
    if not isinstance(props, Mapping) or "site_id" in props or props.get("kind") != COUNTY_KIND:
        return None
    if not isinstance(geometry, Mapping) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return None
    adcode = as_text(props.get("adcode")).strip()
    return adcode or None


def click_signature(result: Mapping[str, Any] | None) -> str | None:
    """A value that changes with every new click, so a page acts on a click once.

    streamlit-folium returns the *last* click on every rerun; a page that filtered to a county
    on that click would otherwise re-apply the filter after the user cleared it. The exact
    click position (mouse position for polygons) plus the feature identity is the signature."""
    if not result:
        return None
    obj = result.get("last_object_clicked")
    if not isinstance(obj, Mapping):
        return None
    lat, lng = finite(obj.get("lat")), finite(obj.get("lng"))
    if lat is None or lng is None:
        return None
    drawing = result.get("last_active_drawing")
    props = drawing.get("properties") if isinstance(drawing, Mapping) else None
    ident = ""
    if isinstance(props, Mapping):
        ident = as_text(props.get("site_id", props.get("adcode", "")))
    count = result.get("last_object_clicked_count")
    return f"{lat:.9f},{lng:.9f},{ident}" + (f",{count}" if isinstance(count, int) else "")
