"""The site layer: every site as one compact clustered layer.

A folium.Marker per site renders ~1 KB of JS each and takes seconds for 10,000 sites, so the
sites travel as ONE JSON blob (flat coordinate array, small-int statuses, names in their own
array) and one JS loop creates the Leaflet markers in the browser. `encode_sites` is that blob
and the hot path: keep its loop lean (bench/map.py measures it).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from folium.elements import JSCSSMixin
from folium.plugins import MarkerCluster
from folium.template import Template

from field.map.elements import Bounds, RawMacro, self_bounds
from field.map.escape import escape_html, json_for_script
from field.map.legend import STATUS_INDEX, UNKNOWN_INDEX
from field.map.tiles import Shift
from field.map.values import as_text, json_id

COORD_DECIMALS = 6  # ~0.1 m; also what Leaflet's toGeoJSON() keeps
DEFAULT_PIN, PRESENTATION_PIN = 18, 26  # px; a projector at the back of a meeting room needs bigger marks

_SITE_FIELDS = ("id", "lon", "lat", "status", "name", "case_no")


class SiteLookup(Mapping[tuple[float, float], list[Any]]):
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


class EncodedSites(NamedTuple):
    data_js: str  # the JSON blob, script-safe
    counts: Counter[str]  # status code -> sites drawn
    lookup: SiteLookup
    bounds: Bounds | None  # of the drawn sites, None when none was drawn
    skipped: int  # sites without usable coordinates


def _site_columns(sites: Any) -> list[list[Any]]:
    """[ids, lons, lats, statuses, names, case_nos] from a DataFrame or a list of dicts."""
    if hasattr(sites, "columns"):  # pandas.DataFrame, without importing pandas here
        n = len(sites)
        return [sites[c].tolist() if c in sites.columns else [None] * n for c in _SITE_FIELDS]
    rows = list(sites or [])
    return [[r.get(c) for r in rows] for c in _SITE_FIELDS]


def encode_sites(sites: Any, shift: Shift | None) -> EncodedSites:
    """The one JSON blob of the site layer. Hot path for 10,000+ sites: keep the loop lean."""
    ids, lons, lats, statuses, names, case_nos = _site_columns(sites)
    flat: list[float | int] = []
    tips: list[str] = []
    out_ids: list[Any] = []
    codes: list[str] = []
    status_index = STATUS_INDEX
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
        code = status if type(status) is str else as_text(status)
        codes.append(code)
        flat += (round(lon, nd), round(lat, nd), status_index.get(code, UNKNOWN_INDEX))
        label = name if type(name) is str and name else (as_text(name) or as_text(case_no) or as_text(sid))
        tips.append(escape_html(label))
        out_ids.append(sid if type(sid) is int or type(sid) is str else json_id(sid))
    bounds = None
    if tips:
        lon_s, lat_s = flat[0::3], flat[1::3]
        bounds = [[min(lat_s), min(lon_s)], [max(lat_s), max(lon_s)]]
    data_js = json_for_script({"p": flat, "n": tips, "i": out_ids})
    return EncodedSites(data_js, Counter(codes), SiteLookup(flat, out_ids), bounds, skipped)


class SiteLayer(JSCSSMixin, RawMacro):
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
          width:32px;height:32px;margin:4px;text-align:center;font:600 12px/32px sans-serif;
          text-shadow:0 0 2px #000,0 0 1px #000;box-shadow:0 0 0 2px rgba(255,255,255,.85);}
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
            spiderfyOnMaxZoom: true
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
            // A cluster is coloured by the worst open status among its sites (S[s].r ranks them,
            // S[s].k is a checked #rrggbb) and shows its count: readable from the back of a meeting
            // room. Only numbers and checked colours reach the HTML.
            layer.options.iconCreateFunction = function (c) {
                var kids = c.getAllChildMarkers(), w = S[S.length - 1], open = 0;  // last: rank 0, neutral
                for (var i = 0; i < kids.length; i++) {
                    var j = kids[i]._fsj;
                    if (j === undefined) continue;
                    var st = S[p[3 * j + 2]];
                    if (st.r > 0) open++;
                    if (st.r > w.r) w = st;
                }
                var n = c.getChildCount();
                return L.divIcon({
                    html: '<div style="background:' + w.k + '" data-worst="' + (w.r > 0 ? w.c : "") +
                          '" data-open="' + open + '" title="' + open + " / " + n + '">' + n + "</div>",
                    className: "marker-cluster fs-cluster", iconSize: [40, 40]});
            };
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

    def __init__(self, data_js: str, styles_js: str, bounds: Bounds | None, pin: int = DEFAULT_PIN):
        super().__init__()
        self._name = "SiteLayer"
        self.data_js = data_js
        self.styles_js = styles_js
        self.pin = int(pin)
        self._bounds = bounds

    def _get_self_bounds(self) -> list[list[float | None]]:
        return self_bounds(self._bounds)
