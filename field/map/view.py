"""The review map: every site as one compact clustered layer, county boundaries, legend.

Why it is built this way:
- A folium.Marker per site renders ~1 KB of JS each and takes seconds for 10,000 sites, so the
  sites travel as ONE JSON blob (flat coordinate array, small-int statuses, names in their own
  array) and one JS loop creates the Leaflet markers in the browser.
- Folium does not escape popup/tooltip text and Leaflet inserts tooltip strings as HTML. Every
  user string that reaches the page goes through `escape_html` (it is displayed as HTML) and
  then through `escape_js_text`/`_json_for_script` (it sits inside a <script>), so no payload
  can close the script tag, break a JS string or template literal, or inject markup.
- The map must work on intranets: no tiles by default (boundaries alone still give context),
  vendored Leaflet (`field.map.assets.localize`), and tile URLs only when an admin configured them.
- AMap tiles are GCJ-02: points and boundaries are shifted for display only; stored data stay
  WGS-84.

Click → site id (for `streamlit_folium.st_folium`): each marker carries
`feature.properties.site_id`, so `result["last_active_drawing"]["properties"]["site_id"]` holds
the id of the last clicked marker, and `result["last_object_clicked"]` holds its exact displayed
lat/lng. `clicked_site_ids(result, m.field_site_lookup)` combines both (lat/lng lookup, id used
to pick among co-located sites) and is what pages should call. Pass
`returned_objects=["last_object_clicked", "last_active_drawing"]` to `st_folium` so panning and
zooming do not rerun the page. A click on a county returns its feature (properties adcode,
name) in `last_active_drawing` too.
"""

from __future__ import annotations

import datetime as dt
import html as _html
import json
import logging
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import folium
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import MarkerCluster
from folium.template import Template

from field.domain.vocab import OPEN_STATUSES, POLLUTION_TYPES, STATUS
from field.map.assets import DEFAULT_BASE_URL, localize
from field.services.findings import MapFilter

log = logging.getLogger(__name__)

# Cangzhou city centre; used only when there is nothing to fit the view to.
DEFAULT_CENTER = (38.30, 116.84)
DEFAULT_ZOOM = 9
# A city map never needs the whole country: every zoom level costs markercluster a grid per
# marker, so the range is what makes 100k sites draw in seconds (bench/map.py --browser).
MIN_ZOOM, MAX_ZOOM = 7, 18
FIT_MAX_ZOOM = 15
COORD_DECIMALS = 6  # ~0.1 m; also what Leaflet's toGeoJSON() keeps
BOUNDARY_DECIMALS = 5  # ~1 m; far below a screen pixel at city zoom, halves boundary bytes
# Neutral dark grey: every hue of the Okabe-Ito palette is taken by a status, and a coloured
# fill would hide the markers of that status.
CHOROPLETH_COLOUR = "#303030"
DEFAULT_PIN, PRESENTATION_PIN = 18, 26  # px; a projector at the back of a meeting room needs bigger marks
COUNTY_KIND = "county"  # feature.properties.kind of a county polygon, tells a county click from a site click
# What st_folium should send back: clicks only, so pan and zoom never rerun the page.
RETURNED_OBJECTS: tuple[str, ...] = ("last_object_clicked", "last_active_drawing")
UNKNOWN_COLOUR = "#999999"

# JS integer code of each status = its position in vocab.STATUS; one extra slot for codes the
# vocabulary does not know (old data), drawn grey so they are visible rather than dropped.
STATUS_CODES: tuple[str, ...] = tuple(STATUS.codes)
UNKNOWN_STATUS = "_unknown"
_STATUS_INDEX = {code: i for i, code in enumerate(STATUS_CODES)}
_UNKNOWN_INDEX = len(STATUS_CODES)

_TEXT: dict[str, dict[str, str]] = {
    "legend_title": {"zh": "状态", "en": "Status"},
    "unknown": {"zh": "未知状态", "en": "Unknown status"},
    "review_number": {"zh": "审图号：", "en": "Map review no.: "},
    "open_findings": {"zh": "未办结问题", "en": "Open findings"},
    "osm": {"zh": "© OpenStreetMap 贡献者", "en": "© OpenStreetMap contributors"},
    "tianditu": {"zh": "天地图", "en": "Tianditu"},
    "amap": {"zh": "© 高德地图", "en": "© AutoNavi (AMap)"},
}

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TIANDITU_URL = (
    "http://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)
AMAP_URL = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"


def _t(key: str, lang: str) -> str:
    entry = _TEXT[key]
    return entry["en"] if lang == "en" else entry["zh"]


# --- escaping --------------------------------------------------------------------------------

def escape_html(s: Any) -> str:
    """HTML-escape, plus backtick and `$`, for text that Leaflet/folium will insert as HTML.

    Backtick and `$` are escaped as well because folium pastes some HTML into JS template
    literals, where `` ` `` ends the literal and `${` starts code; braces because branca
    re-compiles every folium element's output as a Jinja template, where `{{ … }}` would run
    on the server."""
    text = _html.escape("" if s is None else str(s), quote=True)
    for ch, rep in _HTML_EXTRA:  # str.replace is several times faster than translate here
        if ch in text:
            text = text.replace(ch, rep)
    return text


_HTML_EXTRA = (("`", "&#96;"), ("$", "&#36;"), ("{", "&#123;"), ("}", "&#125;"))
_JS_TEXT_TABLE: dict[int, str] = {c: f"\\u{c:04x}" for c in range(0x20)}
_JS_TEXT_TABLE.update(
    {
        ord("\\"): "\\\\",
        ord('"'): '\\"',
        ord("'"): "\\'",
        ord("`"): "\\u0060",
        ord("$"): "\\u0024",
        ord("<"): "\\u003c",
        ord(">"): "\\u003e",
        ord("&"): "\\u0026",
        ord("{"): "\\u007b",
        ord("}"): "\\u007d",
        ord("\n"): "\\n",
        ord("\r"): "\\r",
        ord("\t"): "\\t",
        0x2028: "\\u2028",
        0x2029: "\\u2029",
    }
)
_JSON_SCRIPT_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("`", "\\u0060"),
    ("$", "\\u0024"),
    ("'", "\\u0027"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


_JINJA_OPENERS = (("{{", "{\\u007b"), ("{%", "{\\u0025"), ("{#", "{\\u0023"))


def escape_js_text(s: Any) -> str:
    """Text safe between the quotes of any JS string literal ('…', "…" or `…`) inside <script>.

    Escapes quotes, backslashes, newlines, backtick and `$` (no `${` interpolation),
    `< > &` as \\u escapes so `</script>` or `<!--` can never appear in the page, and braces so
    no Jinja delimiter survives (see `escape_html`)."""
    text = "" if s is None else str(s)
    return text.translate(_JS_TEXT_TABLE)


def js_string(s: Any) -> str:
    """A complete double-quoted JS string literal for `s` (see `escape_js_text`)."""
    return '"' + escape_js_text(s) + '"'


def _json_for_script(obj: Any) -> str:
    """Compact JSON that is also safe to paste inside <script> and template literals.

    The characters escaped can only occur inside JSON strings, so escaping them in the whole
    document never touches the structure. Likewise `{{`, `{%` and `{#` (Jinja openers) cannot
    occur structurally (an object's `{` is followed by `"` or `}`), so breaking them is safe."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for ch, rep in _JSON_SCRIPT_ESCAPES:
        if ch in text:
            text = text.replace(ch, rep)
    if "{" in text:
        for opener, safe in _JINJA_OPENERS:
            text = text.replace(opener, safe)
    return text


# --- status shapes and legend ---------------------------------------------------------------

def _star_path() -> str:
    pts = []
    for k in range(10):
        r = 9.2 if k % 2 == 0 else 3.9
        a = -math.pi / 2 + k * math.pi / 5
        pts.append(f"{10 + r * math.cos(a):.1f} {10.8 + r * math.sin(a):.1f}")
    return "M" + " ".join(pts) + "Z"


# 20x20 viewBox; filled with the status colour, white outline for contrast on any background.
SHAPE_PATHS: dict[str, str] = {
    "circle": '<circle cx="10" cy="10" r="7.5"/>',
    "square": '<rect x="3" y="3" width="14" height="14"/>',
    "diamond": '<path d="M10 1 19 10 10 19 1 10Z"/>',
    "triangle": '<path d="M10 1.5 19 17.5H1Z"/>',
    "check": '<path d="M1.5 10.5 5 7 8 10 15.5 2.5 19 6 8 17Z"/>',
    "cross": '<path d="M4.5 1.5 10 7 15.5 1.5 18.5 4.5 13 10 18.5 15.5 15.5 18.5 10 13 4.5 18.5 '
    '1.5 15.5 7 10 1.5 4.5Z"/>',
    "star": f'<path d="{_star_path()}"/>',
}


def shape_svg(shape: str, colour: str, size: int = 18) -> str:
    """Inline SVG for a status marker; the shape is the cue that does not rely on colour."""
    body = SHAPE_PATHS.get(shape, SHAPE_PATHS["circle"])
    return (
        f'<svg width="{int(size)}" height="{int(size)}" viewBox="0 0 20 20" aria-hidden="true">'
        f'<g fill="{escape_html(colour)}" stroke="#fff" stroke-width="1.4" '
        f'stroke-linejoin="round">{body}</g></svg>'
    )


def _status_style(index: int, lang: str) -> dict[str, str]:
    if index < len(STATUS_CODES):
        term = STATUS[STATUS_CODES[index]]
        return {"code": term.code, "label": term.label(lang), "colour": term.colour, "shape": term.shape}
    return {"code": UNKNOWN_STATUS, "label": _t("unknown", lang), "colour": UNKNOWN_COLOUR, "shape": "circle"}


def legend_items(counts: Mapping[str, int] | None, lang: str = "zh") -> list[dict[str, Any]]:
    """One entry per vocabulary status (always all, in vocabulary order, zero counts included,
    so the legend does not change shape between filters), plus an "unknown" entry when counts
    hold codes the vocabulary does not know. Labels and SVG are HTML-safe for st.markdown."""
    counts = dict(counts or {})
    items: list[dict[str, Any]] = []
    for i, code in enumerate(STATUS_CODES):
        style = _status_style(i, lang)
        items.append({**style, "label": escape_html(style["label"]), "count": int(counts.get(code, 0)),
                      "open": code in OPEN_STATUSES, "svg": shape_svg(style["shape"], style["colour"])})
    unknown = sum(int(v) for k, v in counts.items() if k not in _STATUS_INDEX)
    if unknown:
        style = _status_style(_UNKNOWN_INDEX, lang)
        items.append({**style, "label": escape_html(style["label"]), "count": unknown, "open": False,
                      "svg": shape_svg(style["shape"], style["colour"])})
    return items


def legend_html(items: Sequence[Mapping[str, Any]], lang: str = "zh") -> str:
    """The on-map legend box (all parts already escaped by `legend_items`)."""
    rows = "".join(
        f'<div class="fs-legend-row">{it["svg"]}<span>{it["label"]}</span>'
        f'<span class="fs-legend-n">{int(it["count"])}</span></div>'
        for it in items
    )
    return f'<div class="fs-legend-title">{escape_html(_t("legend_title", lang))}</div>{rows}'


# --- site records ------------------------------------------------------------------------------

def _column(sites: Any, name: str, n: int) -> list[Any]:
    if name in sites.columns:
        return sites[name].tolist()
    return [None] * n


def _site_columns(sites: Any) -> tuple[list, list, list, list, list, list]:
    """(ids, lons, lats, statuses, names, case_nos) from a DataFrame or a list of dicts."""
    if hasattr(sites, "columns"):  # pandas.DataFrame, without importing pandas here
        n = len(sites)
        return tuple(_column(sites, c, n) for c in ("id", "lon", "lat", "status", "name", "case_no"))  # type: ignore[return-value]
    rows = list(sites or [])
    return (
        [r.get("id") for r in rows],
        [r.get("lon") for r in rows],
        [r.get("lat") for r in rows],
        [r.get("status") for r in rows],
        [r.get("name") for r in rows],
        [r.get("case_no") for r in rows],
    )


def _finite(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _json_id(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if hasattr(v, "item"):  # numpy scalar
        v = v.item()
        if isinstance(v, (int, str)):
            return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return str(v)


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


def _gcj_converter() -> Callable[[float, float], tuple[float, float]]:
    """Imported lazily: field.geo pulls in shapely, and only AMap tiles need the shift."""
    from field.geo import wgs84_to_gcj02

    return wgs84_to_gcj02


# --- map elements ------------------------------------------------------------------------------

class _RawText(Element):
    """Text emitted verbatim. branca's MacroElement wraps each rendered macro in a new Element,
    i.e. compiles it as a Jinja template: slow for a 0.7 MB data blob, and a site name holding
    `{{ ... }}` would be executed on the server."""

    def __init__(self, text: str):
        super().__init__()
        self._name = "RawText"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class _RawMacro(MacroElement):
    """MacroElement whose header/html/script output is not re-templated (see `_RawText`)."""

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("render the map's Figure, not a detached element")
        module = self._template.module
        for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = getattr(module, part, None)
            if macro is not None:
                target.add_child(_RawText(str(macro(self, kwargs))), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class SiteLayer(JSCSSMixin, _RawMacro):
    """All sites as one L.markerClusterGroup filled from one embedded JSON blob.

    Data layout (`p` flat [lon, lat, status, ...], `n` tooltip HTML, `i` ids) keeps 10,000 sites
    around 0.5 MB; the 8 divIcons are created once and shared by all markers."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .fs-pin{background:none;border:none;filter:drop-shadow(0 0 1px rgba(0,0,0,.7));}
        .fs-pin svg{display:block;}
        .fs-cluster div{background:rgba(45,55,72,.82);color:#fff;border-radius:50%;
          width:32px;height:32px;margin:4px;text-align:center;font:600 12px/32px sans-serif;}
        .fs-cluster{background:rgba(45,55,72,.25);border-radius:50%;}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.markerClusterGroup({
            // One blocking addLayers on a group already on the map: clustered once. Filling the group
            // before adding it made markercluster queue every marker with a linear hasLayer check
            // and cluster them again on add: 8.4 s to the first drawn cluster at 100k sites, now 4.2 s
            // (bench/map.py --browser).
            chunkedLoading: false, showCoverageOnHover: false, maxClusterRadius: 45,
            spiderfyOnMaxZoom: true,
            iconCreateFunction: function (c) {
                return L.divIcon({html: "<div>" + c.getChildCount() + "</div>",
                                  className: "marker-cluster fs-cluster", iconSize: [40, 40]});
            }
        });
        (function (layer) {
            var D = {{ this.data_js }};
            var S = {{ this.styles_js }};
            var icons = S.map(function (s) {
                return L.divIcon({className: "fs-pin", html: s.h, iconSize: [{{ this.pin }}, {{ this.pin }}],
                                  iconAnchor: [{{ this.pin // 2 }}, {{ this.pin // 2 }}],
                                  tooltipAnchor: [0, -{{ this.pin // 2 }}]});
            });
            var p = D.p, n = D.n, ids = D.i, out = new Array(n.length);
            for (var j = 0, k = 0; j < n.length; j++, k += 3) {
                var m = L.marker([p[k + 1], p[k]], {icon: icons[p[k + 2]]});
                m._fsj = j;
                out[j] = m;
            }
            // Tooltip and GeoJSON feature are made on first hover/click, not for every marker up
            // front: 100,000 tooltip objects cost seconds before the first cluster is drawn. Our
            // handlers are bound before streamlit-folium's, so the feature exists when it reads it.
            function prepare(m) {
                if (m._fsj === undefined || m.feature) return;
                var j = m._fsj, s = p[3 * j + 2];
                m.feature = {type: "Feature", properties: {site_id: ids[j], status: S[s].c}};
                m.bindTooltip(n[j] + "<br>" + S[s].t, {direction: "top"});
            }
            layer.on("mouseover", function (e) { if (!e.layer.feature) { prepare(e.layer); e.layer.openTooltip(); } });
            layer.on("click", function (e) { prepare(e.layer); });
            layer.addLayers(out);
        })({{ this.get_name() }}.addTo({{ this._parent.get_name() }}));
        {% endmacro %}
        """
    )

    # Same names and CDN URLs as folium.plugins.MarkerCluster, so `localize` maps them exactly
    # like the plugin's (and an un-localized map is visibly remote, which the tests rely on).
    default_js = list(MarkerCluster.default_js)
    default_css = list(MarkerCluster.default_css)

    def __init__(self, data_js: str, styles_js: str, bounds: list[list[float]] | None, pin: int = 18):
        super().__init__()
        self._name = "SiteLayer"
        self.data_js = data_js
        self.styles_js = styles_js
        self.pin = int(pin)
        self._bounds = bounds

    def _get_self_bounds(self) -> list[list[float | None]]:
        return self._bounds or [[None, None], [None, None]]



class BoundaryLayer(_RawMacro):
    """County polygons with escaped tooltips; fill opacity encodes open findings per county.

    Written as plain L.geoJSON instead of folium.GeoJson because folium's GeoJsonTooltip puts
    property values into innerHTML unescaped."""

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

    def __init__(self, data_js: str, fill: str, bounds: list[list[float]] | None):
        super().__init__()
        self._name = "BoundaryLayer"
        self.data_js = data_js
        self.fill_js = js_string(fill)
        self._bounds = bounds

    def _get_self_bounds(self) -> list[list[float | None]]:
        return self._bounds or [[None, None], [None, None]]


class HtmlControl(_RawMacro):
    """A Leaflet control showing pre-escaped HTML (legend, attribution and 审图号)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .fs-box{background:rgba(255,255,255,.9);padding:4px 8px;border-radius:4px;
          box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.5 sans-serif;color:#222;}
        .fs-legend-row{display:flex;align-items:center;gap:6px;}
        .fs-legend-n{margin-left:auto;padding-left:10px;font-variant-numeric:tabular-nums;}
        .fs-legend-title{font-weight:600;margin-bottom:2px;}
        .fs-attrib{font-size:11px;color:#333;max-width:60vw;}
        .fs-large{font-size:20px;line-height:1.45;padding:8px 12px;}
        .fs-large svg{width:26px;height:26px;}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position_js }}});
        {{ this.get_name() }}.onAdd = function () {
            var d = L.DomUtil.create("div", {{ this.class_js }});
            d.innerHTML = {{ this.html_js }};
            L.DomEvent.disableClickPropagation(d);
            return d;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, safe_html: str, position: str, css_class: str):
        super().__init__()
        self._name = "HtmlControl"
        self.html_js = js_string(safe_html)
        self.position_js = js_string(position)
        self.class_js = js_string("fs-box " + css_class)


class MapBackground(_RawMacro):
    """Plain light background, so a map without tiles reads as paper, not as a loading error."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>#{{ this._parent.get_name() }}.leaflet-container{background:#f4f3ef;}</style>
        {% endmacro %}
        """
    )


# --- tiles -----------------------------------------------------------------------------------

def _setting(settings: Any, name: str, default: str = "") -> str:
    if settings is None:
        return default
    if isinstance(settings, Mapping):
        return str(settings.get(name, default) or default)
    return str(getattr(settings, name, default) or default)


def _usable_tile_url(url: str) -> bool:
    """An admin-typed XYZ template: http(s), protocol-relative or same-host path, and nothing
    that could break out of the JS string or be evaluated by folium's Jinja pass."""
    if not url or not (url.startswith(("http://", "https://", "//", "/"))):
        return False
    return not any(bad in url for bad in ("{{", "{%", "{#", '"', "'", "`", "<", ">", "\\", " "))


def _add_tiles(m: folium.Map, settings: Any, lang: str) -> tuple[str, str]:
    """Add the configured tile layers; return (effective mode, attribution text, unescaped)."""
    mode = _setting(settings, "tiles", "none").strip().lower() or "none"
    url = _setting(settings, "tile_url").strip()
    attribution = _setting(settings, "tile_attribution").strip()
    common = {"max_zoom": MAX_ZOOM, "min_zoom": MIN_ZOOM}

    if mode == "osm":
        attribution = attribution or _t("osm", lang)
        folium.TileLayer(OSM_URL, attr=escape_html(attribution), name="osm", **common).add_to(m)
    elif mode == "tianditu":
        key = _setting(settings, "tianditu_key").strip()
        if not key:
            log.warning("FIELD_TILES=tianditu but FIELD_TIANDITU_KEY is empty: drawing without tiles")
            return "none", attribution
        attribution = attribution or _t("tianditu", lang)
        tk = quote(key, safe="")
        for layer, overlay in (("vec", False), ("cva", True)):
            folium.TileLayer(
                TIANDITU_URL.format(layer=layer, key=tk), attr=escape_html(attribution),
                name=f"tianditu_{layer}", subdomains="01234567", overlay=overlay, **common,
            ).add_to(m)
    elif mode == "custom":
        if not _usable_tile_url(url):
            log.warning("FIELD_TILES=custom but FIELD_TILE_URL is empty or unusable: drawing without tiles")
            return "none", attribution
        folium.TileLayer(url, attr=escape_html(attribution or "-"), name="custom", **common).add_to(m)
    elif mode == "amap":
        if url and not _usable_tile_url(url):
            log.warning("FIELD_TILE_URL is unusable: drawing AMap tiles from the public server")
            url = ""
        attribution = attribution or _t("amap", lang)
        folium.TileLayer(url or AMAP_URL, attr=escape_html(attribution), name="amap",
                         subdomains="1234", **common).add_to(m)
    else:
        if mode != "none":
            log.warning("unknown FIELD_TILES=%r: drawing without tiles", mode)
        mode = "none"
    return mode, attribution


# --- boundaries ------------------------------------------------------------------------------

def _map_coords(coords: Any, fn: Callable[[float, float], tuple[float, float]], nd: int,
                box: list[float]) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        lon, lat = fn(float(coords[0]), float(coords[1]))
        box[0], box[1] = min(box[0], lat), min(box[1], lon)
        box[2], box[3] = max(box[2], lat), max(box[3], lon)
        return [round(lon, nd), round(lat, nd)]
    return [_map_coords(c, fn, nd, box) for c in coords]


def _boundary_features(boundaries: Mapping[str, Any], counts: Mapping[str, int] | None, lang: str,
                       shift: Callable[[float, float], tuple[float, float]] | None,
                       focus: Iterable[str] = ()) -> tuple[dict, list[list[float]] | None]:
    """County features for `BoundaryLayer` and the bounds to fit: the `focus` counties' when any
    is given and found (a map filtered to one county zooms to it), else all of them."""
    fn = shift or (lambda lon, lat: (lon, lat))
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
        adcode = _text(props.get("adcode"))
        name = _text(props.get("name_en") if lang == "en" and props.get("name_en") else props.get("name"))
        tip = f"<b>{escape_html(name)}</b>"
        fo = 0.04
        if counts:
            n = int(counts.get(adcode, counts.get(_text(props.get("name")), 0)) or 0)
            tip += f"<br>{escape_html(_t('open_findings', lang))}: {n}"
            # sqrt keeps small counts visible next to one big county
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


# --- the map ---------------------------------------------------------------------------------

class SiteLookup(Mapping):
    """(lat, lng) as displayed -> site ids there; built on first use, because most reruns of a
    page never receive a click and the index costs as much as encoding the layer."""

    def __init__(self, flat: list[float | int], ids: list[Any]):
        self._flat = flat
        self._ids = ids
        self._index: dict[tuple[float, float], list[Any]] | None = None

    def _built(self) -> dict[tuple[float, float], list[Any]]:
        if self._index is None:
            index: dict[tuple[float, float], list[Any]] = {}
            flat = self._flat
            for j, sid in enumerate(self._ids):
                index.setdefault((flat[3 * j + 1], flat[3 * j]), []).append(sid)
            self._index = index
        return self._index

    def __getitem__(self, key: tuple[float, float]) -> list[Any]:
        return self._built()[key]

    def __iter__(self) -> Iterator[tuple[float, float]]:
        return iter(self._built())

    def __len__(self) -> int:
        return len(self._built())


def _encode_sites(sites: Any, shift: Callable[[float, float], tuple[float, float]] | None
                  ) -> tuple[str, Counter, SiteLookup, list[list[float]] | None, int]:
    """The one JSON blob of the site layer. Hot path for 10,000+ sites: keep the loop lean."""
    ids, lons, lats, statuses, names, case_nos = _site_columns(sites)
    flat: list[float | int] = []
    tips: list[str] = []
    out_ids: list[Any] = []
    codes: list[str] = []
    status_index = _STATUS_INDEX
    isfinite = math.isfinite
    nd = COORD_DECIMALS
    skipped = 0
    for sid, lon_v, lat_v, status, name, case_no in zip(ids, lons, lats, statuses, names, case_nos,
                                                        strict=True):
        try:
            lon, lat = float(lon_v), float(lat_v)
        except (TypeError, ValueError):
            skipped += 1
            continue
        if not (isfinite(lon) and isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            skipped += 1
            continue
        if shift is not None:
            lon, lat = shift(lon, lat)
        code = status if type(status) is str else _text(status)
        codes.append(code)
        flat += (round(lon, nd), round(lat, nd), status_index.get(code, _UNKNOWN_INDEX))
        label = name if type(name) is str and name else (_text(name) or _text(case_no) or _text(sid))
        tips.append(escape_html(label))
        out_ids.append(sid if type(sid) is int or type(sid) is str else _json_id(sid))
    bounds = None
    if tips:
        lon_s, lat_s = flat[0::3], flat[1::3]
        bounds = [[min(lat_s), min(lon_s)], [max(lat_s), max(lon_s)]]
    data_js = _json_for_script({"p": flat, "n": tips, "i": out_ids})
    return data_js, Counter(codes), SiteLookup(flat, out_ids), bounds, skipped


def _styles_js(lang: str, pin: int = 18) -> str:
    styles = []
    for i in range(len(STATUS_CODES) + 1):
        st = _status_style(i, lang)
        styles.append({"c": st["code"], "t": escape_html(st["label"]),
                       "h": shape_svg(st["shape"], st["colour"], pin)})
    return _json_for_script(styles)


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
) -> folium.Map:
    """The review map for `sites` (list of dicts or DataFrame with id, lon, lat [WGS-84], status,
    name, case_no; other columns ignored).

    `settings` is a `field.config.Settings` (or any object/mapping with tiles, tile_url,
    tianditu_key, tile_attribution, map_review_number). `choropleth_counts` maps county adcode
    (or county name) to open findings. `center` is (lat, lon) in WGS-84; without it the view
    fits the boundaries, else the sites, else Cangzhou.

    Extra attributes set on the returned map for the page: `field_site_lookup` (for
    `clicked_site_ids`), `field_status_counts`, `field_skipped` (sites without usable
    coordinates), `field_tiles` (tile mode actually used).

    `presentation=True` draws larger pins and a larger legend for a projector;
    `focus_counties` (adcodes) makes the initial view fit those counties."""
    lang = "en" if lang == "en" else "zh"
    m = folium.Map(
        location=list(center) if center else list(DEFAULT_CENTER),
        zoom_start=zoom or DEFAULT_ZOOM,
        tiles=None,
        attribution_control=False,
        control_scale=True,
    )
    # markercluster needs a map-level maxZoom; folium only gives one to its default tile layer
    m.options.update({"max_zoom": MAX_ZOOM, "min_zoom": MIN_ZOOM})
    m.add_child(MapBackground())
    mode, attribution = _add_tiles(m, settings, lang)
    shift = _gcj_converter() if mode == "amap" else None
    if shift is not None and center:
        lon, lat = shift(float(center[1]), float(center[0]))
        m.location = [lat, lon]

    fit: list[list[float]] | None = None
    if boundaries:
        data, bbox = _boundary_features(boundaries, choropleth_counts, lang, shift, focus_counties)
        if data["features"]:
            m.add_child(BoundaryLayer(_json_for_script(data), CHOROPLETH_COLOUR, bbox))
            fit = bbox

    data_js, counts, lookup, site_bounds, skipped = _encode_sites(sites, shift)
    pin = PRESENTATION_PIN if presentation else DEFAULT_PIN
    m.add_child(SiteLayer(data_js, _styles_js(lang, pin), site_bounds, pin))
    fit = fit or site_bounds
    if center is None and fit is not None:
        m.fit_bounds(fit, max_zoom=FIT_MAX_ZOOM)  # one site alone would zoom to street level

    if show_legend:
        m.add_child(HtmlControl(legend_html(legend_items(counts, lang), lang), "topright",
                                "fs-legend fs-large" if presentation else "fs-legend"))
    review = _setting(settings, "map_review_number").strip()
    parts = [escape_html(attribution)] if attribution and mode != "none" else []
    if review:
        parts.append(escape_html(_t("review_number", lang) + review))
    if parts:
        m.add_child(HtmlControl(" | ".join(parts), "bottomleft", "fs-attrib"))

    m.field_site_lookup = lookup  # type: ignore[attr-defined]
    m.field_status_counts = dict(counts)  # type: ignore[attr-defined]
    m.field_skipped = skipped  # type: ignore[attr-defined]
    m.field_tiles = mode  # type: ignore[attr-defined]
    if localize_assets:
        localize(m, asset_base_url)
    return m


def clicked_site_ids(result: Mapping[str, Any] | None,
                     lookup: Mapping[tuple[float, float], list]) -> list[Any]:
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
    lat, lng = _finite(obj.get("lat")), _finite(obj.get("lng"))
    if lat is None or lng is None:
        return []
    return list(lookup.get((round(lat, COORD_DECIMALS), round(lng, COORD_DECIMALS)), []))


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
    adcode = _text(props.get("adcode")).strip()
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
    lat, lng = _finite(obj.get("lat")), _finite(obj.get("lng"))
    if lat is None or lng is None:
        return None
    drawing = result.get("last_active_drawing")
    props = drawing.get("properties") if isinstance(drawing, Mapping) else None
    ident = ""
    if isinstance(props, Mapping):
        ident = _text(props.get("site_id", props.get("adcode", "")))
    return f"{lat:.9f},{lng:.9f},{ident}"


# --- the view in the URL ---------------------------------------------------------------------

MAX_QUERY_TEXT = 200
QUERY_KEYS: tuple[str, ...] = ("status", "county", "type", "batch", "key", "overdue", "from", "to", "q")


def _values(params: Mapping[str, Any], key: str) -> list[str]:
    """All values of `key`; accepts {k: [v, ...]}, {k: v} and Streamlit's QueryParamsProxy."""
    getter = getattr(params, "get_all", None)
    raw = getter(key) if callable(getter) else params.get(key, [])
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    out: list[str] = []
    for v in raw:
        for part in str(v).split(","):  # a hand-typed "?status=pending,rectifying" works too
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def _first(params: Mapping[str, Any], key: str) -> str:
    getter = getattr(params, "get_all", None)
    raw = getter(key) if callable(getter) else params.get(key)
    if isinstance(raw, (list, tuple)):
        raw = raw[0] if raw else ""
    return "" if raw is None else str(raw)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def filter_from_query(params: Mapping[str, Any], *, counties: Iterable[str] | None = None) -> MapFilter:
    """The map filter a URL asks for. Unknown codes, bad numbers and bad dates are dropped (a
    link typed by hand or cut short must still open a map, not an error); lists come out in a
    canonical order so equal views give equal cache keys and equal URLs."""
    known_counties = set(counties) if counties is not None else None
    wanted_status = set(_values(params, "status"))
    wanted_types = set(_values(params, "type"))
    batches = sorted({int(b) for b in _values(params, "batch") if b.isdigit() and 0 < int(b) < 10_000})
    county_list = sorted({c for c in _values(params, "county")
                          if known_counties is None or c in known_counties})
    text = _first(params, "q")  # free text may hold commas: not split like the code lists
    d_from = next((d for d in map(_date, _values(params, "from")) if d), None)
    d_to = next((d for d in map(_date, _values(params, "to")) if d), None)
    if d_from and d_to and d_from > d_to:
        d_from, d_to = d_to, d_from
    return MapFilter(
        statuses=tuple(c for c in STATUS.codes if c in wanted_status),
        counties=tuple(county_list),
        types=tuple(c for c in POLLUTION_TYPES.codes if c in wanted_types),
        batches=tuple(batches),
        key_attention=(_values(params, "key") or [""])[0] in ("1", "true", "yes"),
        overdue=(_values(params, "overdue") or [""])[0] in ("1", "true", "yes"),
        date_from=d_from,
        date_to=d_to,
        text=text.strip()[:MAX_QUERY_TEXT],
    )


def filter_to_query(flt: MapFilter) -> dict[str, list[str]]:
    """URL query for a filter (empty parts left out), the inverse of `filter_from_query`."""
    out: dict[str, list[str]] = {
        "status": [c for c in STATUS.codes if c in set(flt.statuses)],
        "county": sorted(set(flt.counties)),
        "type": [c for c in POLLUTION_TYPES.codes if c in set(flt.types)],
        "batch": [str(b) for b in sorted(set(flt.batches))],
        "key": ["1"] if flt.key_attention else [],
        "overdue": ["1"] if flt.overdue else [],
        "from": [flt.date_from.isoformat()] if flt.date_from else [],
        "to": [flt.date_to.isoformat()] if flt.date_to else [],
        "q": [flt.text.strip()[:MAX_QUERY_TEXT]] if flt.text and flt.text.strip() else [],
    }
    return {k: v for k, v in out.items() if v}


def filter_key(flt: MapFilter) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A hashable, canonical form of a filter (MapFilter itself is an unhashable dataclass)."""
    return tuple((k, tuple(v)) for k, v in sorted(filter_to_query(flt).items()))
