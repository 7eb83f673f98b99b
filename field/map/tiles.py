"""The base map under our layers, from the admin's settings: which tiles, their attribution, the
审图号 (map review number), and the display shift the tiles need.

The map must work on intranets, so there are no tiles by default (county boundaries alone still
give context) and tile URLs only when an admin configured them (`FIELD_TILES`: none / osm /
tianditu / custom / amap). A mode that cannot work (no Tianditu key, an unusable custom URL)
falls back to no tiles with a log line rather than a broken map. AMap tiles are GCJ-02, so the
points and boundaries are shifted for display only; stored data stay WGS-84.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import folium

from field.i18n import t
from field.map.escape import escape_html

log = logging.getLogger(__name__)

Shift = Callable[[float, float], tuple[float, float]]  # (lon, lat) WGS-84 -> (lon, lat) as displayed

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TIANDITU_URL = (
    "http://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)
AMAP_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"


def setting(settings: Any, name: str, default: str = "") -> str:
    """One map setting as text, from a `field.config.Settings`, any object or a mapping (tests
    and the benchmark pass dicts); empty or missing gives `default`."""
    if settings is None:
        return default
    if isinstance(settings, Mapping):
        return str(settings.get(name, default) or default)
    return str(getattr(settings, name, default) or default)


def usable_tile_url(url: str) -> bool:
    """An admin-typed XYZ template: http(s), protocol-relative or same-host path, and nothing
    that could break out of the JS string or be evaluated by folium's Jinja pass."""
    if not url or not (url.startswith(("http://", "https://", "//", "/"))):
        return False
    return not any(bad in url for bad in ("{{", "{%", "{#", '"', "'", "`", "<", ">", "\\", " "))


def add_tiles(m: folium.Map, settings: Any, lang: str, zoom_range: tuple[int, int]) -> tuple[str, str]:
    """Add the configured tile layers; return (effective mode, attribution text, unescaped)."""
    mode = setting(settings, "tiles", "none").strip().lower() or "none"
    url = setting(settings, "tile_url").strip()
    attribution = setting(settings, "tile_attribution").strip()
    min_zoom, max_zoom = zoom_range

    if mode == "osm":
        attribution = attribution or t("mapview.attribution_osm", lang)
        folium.TileLayer(OSM_URL, attr=escape_html(attribution), name="osm",
                         max_zoom=max_zoom, min_zoom=min_zoom).add_to(m)
    elif mode == "tianditu":
        key = setting(settings, "tianditu_key").strip()
        if not key:
            log.warning("FIELD_TILES=tianditu but FIELD_TIANDITU_KEY is empty: drawing without tiles")
            return "none", attribution
        attribution = attribution or t("mapview.attribution_tianditu", lang)
        tk = quote(key, safe="")
        for layer, overlay in (("vec", False), ("cva", True)):
            folium.TileLayer(
                TIANDITU_URL.format(layer=layer, key=tk), attr=escape_html(attribution),
                name=f"tianditu_{layer}", subdomains="01234567", overlay=overlay,
                max_zoom=max_zoom, min_zoom=min_zoom,
            ).add_to(m)
    elif mode == "custom":
        if not usable_tile_url(url):
            log.warning("FIELD_TILES=custom but FIELD_TILE_URL is empty or unusable: drawing without tiles")
            return "none", attribution
        folium.TileLayer(url, attr=escape_html(attribution or "-"), name="custom",
                         max_zoom=max_zoom, min_zoom=min_zoom).add_to(m)
    elif mode == "amap":
        if url and not usable_tile_url(url):
            log.warning("FIELD_TILE_URL is unusable: drawing AMap tiles from the public server")
            url = ""
        attribution = attribution or t("mapview.attribution_amap", lang)
        folium.TileLayer(url or AMAP_URL, attr=escape_html(attribution), name="amap",
                         subdomains="1234", max_zoom=max_zoom, min_zoom=min_zoom).add_to(m)
    else:
        if mode != "none":
            log.warning("unknown FIELD_TILES=%r: drawing without tiles", mode)
        mode = "none"
    return mode, attribution


def gcj_converter() -> Shift:
    """Imported lazily: field.geo pulls in shapely, and only AMap tiles need the shift."""
    from field.geo import wgs84_to_gcj02

    return wgs84_to_gcj02


def display_shift(mode: str) -> Shift | None:
    """The coordinate shift the effective tile `mode` needs (None: draw WGS-84 as stored)."""
    return gcj_converter() if mode == "amap" else None


def attribution_html(settings: Any, mode: str, attribution: str, lang: str) -> str:
    """The bottom-left line, escaped: tile attribution (when tiles are drawn) and the 审图号
    (whenever configured, a published map of China must show it); "" when there is neither."""
    review = setting(settings, "map_review_number").strip()
    parts = [escape_html(attribution)] if attribution and mode != "none" else []
    if review:
        parts.append(escape_html(t("mapview.review_number", lang) + review))
    return " | ".join(parts)


def _origin_of(template: str) -> str | None:
    """The CSP source of one XYZ template: `scheme://host[:port]`, a `{s}` subdomain as `*`;
    None for a same-host path (covered by 'self') or a template we would not draw."""
    if not usable_tile_url(template) or template.startswith("/") and not template.startswith("//"):
        return None
    rest = template.split("//", 1)[1]
    scheme = template.split("//", 1)[0].rstrip(":")
    host = rest.split("/", 1)[0].split("?", 1)[0]
    first, dot, others = host.partition(".")
    if "{s}" in first:  # t{s}.tianditu.gov.cn: CSP wildcards stand for a whole leftmost label
        host = "*" + dot + others
    if not host or "{" in host or "}" in host:
        return None
    return f"{scheme}://{host}" if scheme else host


def tile_origins(settings: Any) -> tuple[str, ...]:
    """Where the configured base map loads its tiles from, for the Content-Security-Policy
    (web/security.py): exactly the hosts `add_tiles` would draw from, nothing when there are none."""
    mode = setting(settings, "tiles", "none").strip().lower() or "none"
    url = setting(settings, "tile_url").strip()
    if mode == "osm":
        templates = [OSM_URL]
    elif mode == "tianditu":
        templates = ["http://t{s}.tianditu.gov.cn/"] if setting(settings, "tianditu_key").strip() else []
    elif mode == "custom":
        templates = [url]
    elif mode == "amap":
        templates = [url if url and usable_tile_url(url) else AMAP_URL]
    else:
        templates = []
    return tuple(o for o in (_origin_of(tpl) for tpl in templates) if o)
