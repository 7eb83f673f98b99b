"""County boundaries, shaded by open findings: the context every map has, even without tiles.

Drawn as plain L.geoJSON instead of folium.GeoJson because folium's GeoJsonTooltip puts property
values into innerHTML unescaped. Each polygon is tagged `kind: county` so a click on it can be
told from a click on a site (`field.map.clicks.clicked_county`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from folium.template import Template

from field.i18n import t
from field.map.elements import Bounds, RawMacro, self_bounds
from field.map.escape import escape_html, js_string
from field.map.tiles import Shift
from field.map.values import as_text

# Neutral dark grey: every hue of the Okabe-Ito palette is taken by a status, and a coloured
# fill would hide the markers of that status.
CHOROPLETH_COLOUR = "#303030"
BOUNDARY_DECIMALS = 5  # ~1 m; far below a screen pixel at city zoom, halves boundary bytes
COUNTY_KIND = "county"  # feature.properties.kind of a county polygon, tells a county click from a site click


def _map_coords(coords: Any, fn: Shift, nd: int, box: list[float]) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        lon, lat = fn(float(coords[0]), float(coords[1]))
        box[0], box[1] = min(box[0], lat), min(box[1], lon)
        box[2], box[3] = max(box[2], lat), max(box[3], lon)
        return [round(lon, nd), round(lat, nd)]
    return [_map_coords(c, fn, nd, box) for c in coords]


def boundary_features(boundaries: Mapping[str, Any], counts: Mapping[str, int] | None, lang: str,
                      shift: Shift | None, focus: Iterable[str] = ()) -> tuple[dict[str, Any], Bounds | None]:
    """County features for `BoundaryLayer` and the bounds to fit: the `focus` counties' when any
    is given and found (a map filtered to one county zooms to it), else all of them.

    `counts` maps adcode (or county name) to open findings; the fill opacity grows with the
    square root of the count, so small counts stay visible next to one big county."""
    fn: Shift = shift or (lambda lon, lat: (lon, lat))
    box = [math.inf, math.inf, -math.inf, -math.inf]
    focus_set = {str(a) for a in focus}
    focus_box = [math.inf, math.inf, -math.inf, -math.inf]
    counts = counts or {}
    peak = max((int(v) for v in counts.values()), default=0)
    features = []
    for f in boundaries.get("features", []):
        geom = f.get("geometry")
        if not geom or "coordinates" not in geom:
            continue
        props = f.get("properties") or {}
        adcode = as_text(props.get("adcode"))
        name = as_text(props.get("name_en") if lang == "en" and props.get("name_en") else props.get("name"))
        tip = f"<b>{escape_html(name)}</b>"
        fo = 0.04
        if counts:
            n = int(counts.get(adcode, counts.get(as_text(props.get("name")), 0)) or 0)
            tip += f"<br>{escape_html(t('mapview.open_findings', lang))}: {n}"
            fo = round(0.05 + 0.4 * math.sqrt(n / peak), 3) if peak else 0.05
        own = [math.inf, math.inf, -math.inf, -math.inf]
        features.append({
            "type": "Feature",
            "properties": {"kind": COUNTY_KIND, "adcode": adcode, "name": name, "tip": tip, "fo": fo},
            "geometry": {"type": geom["type"],
                         "coordinates": _map_coords(geom["coordinates"], fn, BOUNDARY_DECIMALS, own)},
        })
        targets = (box, focus_box) if adcode in focus_set else (box,)
        for b in targets:
            b[0], b[1] = min(b[0], own[0]), min(b[1], own[1])
            b[2], b[3] = max(b[2], own[2]), max(b[3], own[3])
    if math.isfinite(focus_box[0]):
        box = focus_box
    bounds = [[box[0], box[1]], [box[2], box[3]]] if math.isfinite(box[0]) else None
    return {"type": "FeatureCollection", "features": features}, bounds


class BoundaryLayer(RawMacro):
    """County polygons with escaped tooltips; fill opacity encodes open findings per county."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data_js }}, {
            style: function (f) {
                return {color: "#4a4a4a", weight: 1.2, opacity: 0.9,
                        fillColor: {{ this.fill_js }}, fillOpacity: f.properties.fo};
            },
            onEachFeature: function (f, l) { l.bindTooltip(f.properties.tip, {sticky: true}); }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, data_js: str, fill: str, bounds: Bounds | None):
        super().__init__()
        self._name = "BoundaryLayer"
        self.data_js = data_js
        self.fill_js = js_string(fill)
        self._bounds = bounds

    def _get_self_bounds(self) -> list[list[float | None]]:
        return self_bounds(self._bounds)
