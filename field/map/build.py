"""The review map assembled: tiles, county boundaries, the site layer, legend and attribution.

This module decides the view (centre, zoom range, what the initial view fits) and the order of
the parts; each part is decided in its own module (`tiles`, `choropleth`, `layers`, `legend`),
and `assets.localize` makes the result work without internet.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import folium

from field.i18n import t
from field.map.assets import DEFAULT_BASE_URL, localize
from field.map.choropleth import CHOROPLETH_COLOUR, BoundaryLayer, boundary_features
from field.map.datalayer import SiteDataLayer
from field.map.elements import Bounds, HtmlControl, MapBackground
from field.map.escape import json_for_script
from field.map.layers import DEFAULT_PIN, PRESENTATION_PIN, SiteLayer, SiteLookup, encode_sites
from field.map.legend import legend_html, legend_items, status_labels, styles_js
from field.map.tiles import add_tiles, attribution_html, display_shift


def fit_at_once(m: folium.Map, bounds: Bounds, max_zoom: int) -> None:
    """`m.fit_bounds`, without the zoom animation folium's FitBounds leaves on.

    The map opens at `zoom_start`; an animated fit to a different zoom (the city on a 1920-px
    screen is one level closer than the default) keeps Leaflet "animating" for its 250 ms, and
    Leaflet silently drops every setView in that window: the data layer's county fit, a link's
    view, a test's or a user's first move."""
    fit = folium.map.FitBounds(bounds, max_zoom=max_zoom)
    fit.options["animate"] = False
    m.add_child(fit)

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
        fit_at_once(m, fit, FIT_MAX_ZOOM)  # max: one site alone would zoom to street level

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


def build_shell(
    *,
    data_url: str,
    settings: Any,
    lang: str = "zh",
    presentation: bool = False,
    city_bounds: Sequence[float] | None = None,
    center: Sequence[float] | None = None,
    zoom: int | None = None,
    landmarks: bool = False,
    show_legend: bool = True,
    localize_assets: bool = True,
    asset_base_url: str = DEFAULT_BASE_URL,
) -> ReviewMap:
    """The review map as a constant document: tiles, legend and attribution, and a
    `SiteDataLayer` that fetches the sites and counties from `data_url` (field/map/datalayer.py).
    It depends only on the arguments, never on a filter, so a filter change re-sends nothing.

    `city_bounds` is (min_lon, min_lat, max_lon, max_lat) in WGS-84 (`geo.city_bounds()`): the
    first view, before the county polygons arrive; `center` (lat, lon) and `zoom` replace it.
    `landmarks=True` draws the sites and counties without taking clicks (the capture page's pin
    map: with no tiles they are the context for placing a pin, and a click there places it)."""
    lang = "en" if lang == "en" else "zh"
    m = ReviewMap(location=list(center) if center else list(DEFAULT_CENTER), zoom_start=zoom or DEFAULT_ZOOM,
                  tiles=None,
                  attribution_control=False, control_scale=True)
    m.options.update({"max_zoom": MAX_ZOOM, "min_zoom": MIN_ZOOM})
    m.add_child(MapBackground())
    mode, attribution = add_tiles(m, settings, lang, (MIN_ZOOM, MAX_ZOOM))
    shift = display_shift(mode)
    fit: Bounds | None = None
    if city_bounds:
        x0, y0, x1, y1 = (float(v) for v in city_bounds)
        if shift is not None:
            x0, y0 = shift(x0, y0)
            x1, y1 = shift(x1, y1)
        fit = [[y0, x0], [y1, x1]]
    pin = PRESENTATION_PIN if presentation else DEFAULT_PIN
    config = {"url": data_url, "S": json.loads(styles_js(lang, pin)), "labels": status_labels(lang), "pin": pin,
              "present": bool(presentation), "landmarks": bool(landmarks), "lang": lang,
              "open_label": t("mapview.open_findings", lang), "keep_view": bool(landmarks)}
    m.add_child(SiteDataLayer(config, fit))
    if fit is not None and center is None:
        fit_at_once(m, fit, FIT_MAX_ZOOM)
    if show_legend:
        m.add_child(HtmlControl(legend_html(legend_items({}, lang), lang), "topright",
                                "fs-legend fs-large" if presentation else "fs-legend"))
    attrib = attribution_html(settings, mode, attribution, lang)
    if attrib:
        m.add_child(HtmlControl(attrib, "bottomleft", "fs-attrib"))
    m.field_site_lookup = SiteLookup([], [])
    m.field_status_counts = {}
    m.field_skipped = 0
    m.field_tiles = mode
    if localize_assets:
        localize(m, asset_base_url)
    return m
