"""The review map assembled: tiles, county boundaries, the site layer, legend and attribution.

This module decides the view (centre, zoom range, what the initial view fits) and the order of
the parts; each part is decided in its own module (`tiles`, `choropleth`, `layers`, `legend`),
and `assets.localize` makes the result work without internet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import folium

from field.map.assets import DEFAULT_BASE_URL, localize
from field.map.choropleth import CHOROPLETH_COLOUR, BoundaryLayer, boundary_features
from field.map.elements import Bounds, HtmlControl, MapBackground
from field.map.escape import json_for_script
from field.map.layers import DEFAULT_PIN, PRESENTATION_PIN, SiteLayer, SiteLookup, encode_sites
from field.map.legend import legend_html, legend_items, styles_js
from field.map.tiles import add_tiles, attribution_html, display_shift

# Cangzhou city centre; used only when there is nothing to fit the view to.
DEFAULT_CENTER = (38.30, 116.84)
DEFAULT_ZOOM = 9
# A city map never needs the whole country: every zoom level costs markercluster a grid per
# marker, so the range is what makes 100k sites draw in seconds (bench/map.py --browser).
MIN_ZOOM, MAX_ZOOM = 7, 18
FIT_MAX_ZOOM = 15


class ReviewMap(folium.Map):
    """A folium.Map that also carries what the page needs from the build (set by `build_map`):
    `field_site_lookup` (for `clicks.clicked_site_ids`), `field_status_counts`, `field_skipped`
    (sites without usable coordinates) and `field_tiles` (tile mode actually used)."""

    field_site_lookup: SiteLookup
    field_status_counts: dict[str, int]
    field_skipped: int
    field_tiles: str


def build_map(
    sites: Iterable[Mapping[str, Any]] | Any,
    *,
    boundaries: Mapping[str, Any] | None,
    settings: Any,
    lang: str = "zh",
    choropleth_counts: Mapping[str, int] | None = None,
    center: Sequence[float] | None = None,
    zoom: int | None = None,
    show_legend: bool = True,
    presentation: bool = False,
    focus_counties: Iterable[str] = (),
    localize_assets: bool = True,
    asset_base_url: str = DEFAULT_BASE_URL,
) -> ReviewMap:
    """The review map for `sites` (list of dicts or DataFrame with id, lon, lat [WGS-84], status,
    name, case_no; other columns ignored).

    `settings` is a `field.config.Settings` (or any object/mapping with tiles, tile_url,
    tianditu_key, tile_attribution, map_review_number). `choropleth_counts` maps county adcode
    (or county name) to open findings. `center` is (lat, lon) in WGS-84; without it the view
    fits the boundaries, else the sites, else Cangzhou.

    `presentation=True` draws larger pins and a larger legend for a projector;
    `focus_counties` (adcodes) makes the initial view fit those counties."""
    lang = "en" if lang == "en" else "zh"
    m = ReviewMap(
        location=list(center) if center else list(DEFAULT_CENTER),
        zoom_start=zoom or DEFAULT_ZOOM,
        tiles=None,
        attribution_control=False,
        control_scale=True,
    )
    # markercluster needs a map-level maxZoom; folium only gives one to its default tile layer
    m.options.update({"max_zoom": MAX_ZOOM, "min_zoom": MIN_ZOOM})
    m.add_child(MapBackground())
    mode, attribution = add_tiles(m, settings, lang, (MIN_ZOOM, MAX_ZOOM))
    shift = display_shift(mode)
    if shift is not None and center:
        lon, lat = shift(float(center[1]), float(center[0]))
        m.location = [lat, lon]

    fit: Bounds | None = None
    if boundaries:
        data, bbox = boundary_features(boundaries, choropleth_counts, lang, shift, focus_counties)
        if data["features"]:
            m.add_child(BoundaryLayer(json_for_script(data), CHOROPLETH_COLOUR, bbox))
            fit = bbox

    encoded = encode_sites(sites, shift)
    pin = PRESENTATION_PIN if presentation else DEFAULT_PIN
    m.add_child(SiteLayer(encoded.data_js, styles_js(lang, pin), encoded.bounds, pin))
    fit = fit or encoded.bounds
    if center is None and fit is not None:
        m.fit_bounds(fit, max_zoom=FIT_MAX_ZOOM)  # one site alone would zoom to street level

    if show_legend:
        m.add_child(HtmlControl(legend_html(legend_items(encoded.counts, lang), lang), "topright",
                                "fs-legend fs-large" if presentation else "fs-legend"))
    attrib = attribution_html(settings, mode, attribution, lang)
    if attrib:
        m.add_child(HtmlControl(attrib, "bottomleft", "fs-attrib"))

    m.field_site_lookup = encoded.lookup
    m.field_status_counts = dict(encoded.counts)
    m.field_skipped = encoded.skipped
    m.field_tiles = mode
    if localize_assets:
        localize(m, asset_base_url)
    return m
