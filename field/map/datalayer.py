"""The review map's site layer drawn in the browser from the app's data route, and the filter
message that changes what it shows without re-sending the map.

`SiteDataLayer` holds no data: it fetches `GET /map/data?v=<etag>` (field/map/sitedata.py,
web/mapdata.py) once per data version (the version is named in the filter message, so new data
do not change the document either) with the session cookie, draws the county polygons and
names from it, and clusters the sites with the vendored supercluster: only the clusters and
markers of the current view exist as Leaflet layers, so 100,000 sites cost one index build, not
100,000 markers. A cluster is coloured by the worst open status it holds and shows its count.

A filter change reaches the layer as streamlit-folium's `feature_group_to_add`
(`filter_group`): a tiny script calling `window.fsApplySpec(spec)`, evaluated in the existing
map; the map document itself stays byte-identical, so Streamlit re-sends it as a cached
reference and the iframe keeps its map.

Clicks are reported by this layer itself (`report`), at once and with a click count, instead of
through streamlit-folium's debounced handler: the first tap on a touch screen opens the detail
panel, and tapping the same site again after clearing it counts as a new click. The layer's own
Leaflet layers refuse streamlit-folium's click handler (`guard`), so one tap is one rerun.

Every user string (site and county names) reaches the DOM through `textContent` or a `title`
attribute set with `setAttribute`, never as HTML.
"""

from __future__ import annotations

from typing import Any

import folium
from folium.elements import JSCSSMixin
from folium.template import Template

from field.map.assets import DEFAULT_BASE_URL, VENDORED
from field.map.elements import Bounds, RawMacro, self_bounds
from field.map.escape import json_for_script

# Our own element, so its default is the vendored copy itself: no CDN address to rewrite.
SUPERCLUSTER_JS = ("supercluster", f"{DEFAULT_BASE_URL}/{VENDORED['supercluster']}")
CLUSTER_RADIUS_PX = 60
CLUSTER_MAX_ZOOM = 16  # above it every site stands alone (the map goes to 18)


class SiteDataLayer(JSCSSMixin, RawMacro):
    """Sites and counties fetched from `config["url"]`; see the module docstring.

    `config`: url, S (styles_js table, parsed), labels (status labels, unescaped), pin (px),
    present (projector sizes), landmarks (draw only: no clicks, for the pin map of the capture
    page), open_label (text before a county's open count)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .fs-pin{background:none;border:none;filter:drop-shadow(0 0 1px rgba(0,0,0,.7));}
        .fs-pin svg{display:block;}
        .fs-cluster{background:rgba(45,55,72,.25);border-radius:50%;}
        .fs-cluster div{color:#fff;border-radius:50%;width:32px;height:32px;margin:4px;text-align:center;
          font:600 12px/32px sans-serif;text-shadow:0 0 2px #000,0 0 1px #000;
          box-shadow:0 0 0 2px rgba(255,255,255,.85);}
        .fs-present .fs-cluster div{width:44px;height:44px;font:700 17px/44px sans-serif;margin:3px;}
        .fs-county-label{background:none;border:none;white-space:nowrap;pointer-events:none;}
        .fs-county-label span{display:inline-block;transform:translate(-50%,-50%);font:600 13px sans-serif;
          color:#222;text-shadow:0 0 3px #fff,0 0 2px #fff,0 0 1px #fff;}
        .fs-present .fs-county-label span{font-size:20px;}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function (map) {
            var CFG = {{ this.config_js }};
            var S = CFG.S, PIN = CFG.pin, LABELS = CFG.labels, LAND = !!CFG.landmarks;
            if (CFG.present) map.getContainer().classList.add("fs-present");
            var icons = S.map(function (s) {
                return L.divIcon({className: "fs-pin", html: s.h, iconSize: [PIN, PIN],
                                  iconAnchor: [PIN / 2, PIN / 2]});
            });
            var byRank = {}, neutral = S[S.length - 1];
            S.forEach(function (s) { if (s.r > 0) byRank[s.r] = s; });
            var D = null, index = null, spec = {}, shown = [], counties = null, lastFit = null;
            var loadedV = null, loadingV = null;
            var group = guard(L.layerGroup()).addTo(map);
            var api = window.fsSites = {ready: false, count: 0, seq: 0, error: null,
                                        ids: function () { return shown.map(function (j) { return D.i[j]; }); },
                                        leaves: function (cid) {
                                            return index.getLeaves(cid, Infinity).map(function (f) {
                                                return S[D.s[f.properties.j]].c;
                                            });
                                        },
                                        at: function (id) {
                                            var j = D ? D.i.indexOf(id) : -1;
                                            return j < 0 || D.x[j] === null ? null : [D.y[j], D.x[j]];
                                        }};

            // streamlit-folium binds its own (debounced) click handler to every layer on the map
            // when a filter message arrives; our layers report clicks themselves, once.
            function guard(layer) {
                var on = layer.on;
                layer.on = function (types, fn, ctx) {
                    if ((types === "click" || types === "mouseover") && fn && !fn.fs) return this;
                    return on.call(this, types, fn, ctx);
                };
                return layer;
            }
            function own(fn) { fn.fs = true; return fn; }

            function report(latlng, feature) {
                var g = window.__GLOBAL_DATA__;
                if (LAND || !g || !window.Streamlit) return;
                g.last_object_clicked = {lat: latlng.lat, lng: latlng.lng};
                g.last_object_clicked_count = (g.last_object_clicked_count || 0) + 1;
                g.last_active_drawing = feature;
                var now = {last_object_clicked: g.last_object_clicked, last_active_drawing: feature,
                           last_object_clicked_count: g.last_object_clicked_count};
                var prev = g.previous_data || {}, data = {};
                (g.returned_objects || Object.keys(now)).forEach(function (k) {
                    data[k] = Object.prototype.hasOwnProperty.call(now, k) ? now[k] : prev[k];
                });
                g.previous_data = data;
                window.Streamlit.setComponentValue(data);
            }

            function keep(f) {
                var n = D.n, out = [], j;
                var sOn = f.s && f.s.length, sSet = {};
                (f.s || []).forEach(function (v) { sSet[v] = 1; });
                var cOn = f.c && f.c.length, cSet = {};
                (f.c || []).forEach(function (code) { var k = D.cc.indexOf(code); if (k >= 0) cSet[k] = 1; });
                var bOn = f.b && f.b.length, bSet = {};
                (f.b || []).forEach(function (v) { bSet[v] = 1; });
                var mask = f.t || 0, qOn = f.q !== null && f.q !== undefined, qSet = new Set(f.q || []);
                var d0 = f.d0, d1 = f.d1;
                for (j = 0; j < n; j++) {
                    if (sOn && !sSet[D.s[j]]) continue;
                    if (cOn && !cSet[D.c[j]]) continue;
                    if (mask && !(D.t[j] & mask)) continue;
                    if (bOn && !bSet[D.b[j]]) continue;
                    if (f.k && !D.k[j]) continue;
                    if (f.o && !D.o[j]) continue;
                    if (d0 !== null && d0 !== undefined && D.d[j] < d0) continue;
                    if (d1 !== null && d1 !== undefined && D.d[j] > d1) continue;
                    if (qOn && !qSet.has(D.i[j])) continue;
                    out.push(j);
                }
                return out;
            }

            function legend(idx) {
                var counts = S.map(function () { return 0; });
                idx.forEach(function (j) { counts[D.s[j]]++; });
                S.forEach(function (s, k) {
                    var el = document.querySelector('.fs-legend-row[data-code="' + s.c + '"] .fs-legend-n');
                    if (el) el.textContent = String(counts[k]);
                });
            }

            function build(idx) {
                var pts = [];
                idx.forEach(function (j) {
                    if (D.x[j] === null || D.y[j] === null) return;
                    pts.push({type: "Feature", geometry: {type: "Point", coordinates: [D.x[j], D.y[j]]},
                              properties: {j: j, w: S[D.s[j]].r}});
                });
                index = new Supercluster({
                    radius: {{ this.radius }}, maxZoom: {{ this.cluster_max_zoom }}, minZoom: 0,
                    map: function (p) { return {w: p.w, o: p.w > 0 ? 1 : 0}; },
                    reduce: function (a, p) { if (p.w > a.w) a.w = p.w; a.o += p.o; }
                });
                index.load(pts);
                return pts.length;
            }

            function siteMarker(c) {
                var j = c.properties.j, s = D.s[j], ll = [c.geometry.coordinates[1], c.geometry.coordinates[0]];
                var m = guard(L.marker(ll, {icon: icons[s], interactive: !LAND, keyboard: false}));
                m.feature = {type: "Feature", properties: {site_id: D.i[j], status: S[s].c}};
                m.on("add", own(function () {
                    if (!m._icon) return;
                    m._icon.setAttribute("data-site", String(D.i[j]));
                    m._icon.setAttribute("title", D.nm[j] + " · " + LABELS[s]);
                }));
                if (!LAND) {
                    m.on("click", own(function (e) {
                        if (e.originalEvent) L.DomEvent.stop(e.originalEvent);
                        report(m.getLatLng(), {type: "Feature", properties: {site_id: D.i[j], status: S[s].c},
                                                geometry: {type: "Point", coordinates: [ll[1], ll[0]]}});
                    }));
                }
                return m;
            }

            function clusterMarker(c) {
                var p = c.properties, w = byRank[p.w] || neutral, ll = [c.geometry.coordinates[1], c.geometry.coordinates[0]];
                var div = document.createElement("div");
                div.style.background = w.k;
                div.setAttribute("data-worst", p.w > 0 ? w.c : "");
                div.setAttribute("data-open", String(p.o));
                div.setAttribute("data-cluster", String(p.cluster_id));
                div.setAttribute("title", p.o + " / " + p.point_count);
                div.textContent = String(p.point_count);
                var size = CFG.present ? 50 : 40;
                var m = guard(L.marker(ll, {icon: L.divIcon({html: div, className: "marker-cluster fs-cluster",
                                                             iconSize: [size, size]}),
                                            interactive: !LAND, keyboard: false}));
                if (!LAND) {
                    m.on("click", own(function (e) {
                        if (e.originalEvent) L.DomEvent.stop(e.originalEvent);
                        var z = Math.min(index.getClusterExpansionZoom(p.cluster_id), map.getMaxZoom());
                        map.setView(ll, Math.max(z, map.getZoom() + 1));
                    }));
                }
                return m;
            }

            function render() {
                if (!index) return;
                var b = map.getBounds().pad(0.2), z = Math.round(map.getZoom());
                var cl = index.getClusters([Math.max(-180, b.getWest()), Math.max(-85, b.getSouth()),
                                            Math.min(180, b.getEast()), Math.min(85, b.getNorth())], z);
                group.clearLayers();
                for (var k = 0; k < cl.length; k++) {
                    group.addLayer(cl[k].properties.cluster ? clusterMarker(cl[k]) : siteMarker(cl[k]));
                }
            }

            function fitTo(codes) {
                var key = codes.join(",");
                if (!counties || key === lastFit) return;
                lastFit = key;
                var bounds = null;
                counties.eachLayer(function (l) {
                    if (!codes.length || codes.indexOf(l.feature.properties.adcode) >= 0) {
                        bounds = bounds ? bounds.extend(l.getBounds()) : L.latLngBounds(l.getBounds().getSouthWest(),
                                                                                         l.getBounds().getNorthEast());
                    }
                });
                if (bounds && (codes.length || !CFG.keep_view)) map.fitBounds(bounds, {maxZoom: 15, animate: false});
            }

            function apply(f) {
                spec = f || {};
                if (spec.v && spec.v !== loadedV) { load(spec.v); return; }
                if (!D) return;
                // how long each step took (ms), for bench/map_app.py: where a filter's time goes
                var t0 = performance.now(), idx = keep(spec), t1 = performance.now();
                var drawn = build(idx), t2 = performance.now();
                shown = idx.filter(function (j) { return D.x[j] !== null; });
                legend(idx);
                fitTo(spec.c || []);
                render();
                api.ms = {keep: t1 - t0, cluster: t2 - t1, draw: performance.now() - t2};
                api.count = drawn;
                api.seq += 1;
                api.ready = true;
            }

            // The data of one version, fetched once (the browser's HTTP cache keeps it); a newer
            // version named by a later filter message replaces it without touching the view.
            function load(v) {
                if (v === loadingV) return;
                loadingV = v;
                fetch(CFG.url + "?v=" + encodeURIComponent(v), {credentials: "same-origin"}).then(function (r) {
                    if (!r.ok) throw new Error("HTTP " + r.status);
                    return r.json();
                }).then(function (data) {
                    if (loadingV !== v) return;
                    D = data;
                    loadedV = v;
                    var first = !counties;
                    if (counties) { map.removeLayer(counties); labels.clearLayers(); }
                    drawCounties(D.counties);
                    if (first) { labels.addTo(map); fitTo([]); }
                    apply(spec);
                }).catch(function (err) { api.error = String(err); loadingV = null; });
            }

            function drawCounties(fc) {
                counties = guard(L.geoJSON(fc, {
                    interactive: !LAND,
                    style: function (f) {
                        return {color: "#4a4a4a", weight: 1.2, opacity: 0.9, fillColor: "#303030",
                                fillOpacity: f.properties.fo};
                    },
                    onEachFeature: function (f, l) {
                        guard(l);
                        var p = f.properties, name = CFG.lang === "en" ? p.en : p.zh;
                        if (!LAND) {
                            var tip = document.createElement("span"), b = document.createElement("b");
                            b.textContent = name;
                            tip.appendChild(b);
                            tip.appendChild(document.createElement("br"));
                            tip.appendChild(document.createTextNode(CFG.open_label + ": " + p.n));
                            l.bindTooltip(tip, {sticky: true});
                            l.on("click", own(function (e) {
                                report(e.latlng, {type: "Feature", properties: {kind: p.kind, adcode: p.adcode},
                                                  geometry: {type: f.geometry.type, coordinates: []}});
                            }));
                        }
                        if (p.lx !== null && p.ly !== null) {
                            var span = document.createElement("span");
                            span.textContent = name;
                            L.marker([p.ly, p.lx], {icon: L.divIcon({className: "fs-county-label", html: span,
                                                                     iconSize: [0, 0]}),
                                                    interactive: false, keyboard: false}).addTo(labels);
                        }
                    }
                })).addTo(map);
                counties.bringToBack();
            }

            var labels = guard(L.layerGroup());
            window.fsApplySpec = apply;
            map.on("moveend", own(render));
            if (window.__fsPendingSpec) apply(window.__fsPendingSpec);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    default_js = [SUPERCLUSTER_JS]
    default_css: list[tuple[str, str]] = []

    def __init__(self, config: dict[str, Any], bounds: Bounds | None = None) -> None:
        super().__init__()
        self._name = "SiteDataLayer"
        self.config_js = json_for_script(config)
        self.radius = CLUSTER_RADIUS_PX
        self.cluster_max_zoom = CLUSTER_MAX_ZOOM
        self._bounds = bounds

    def _get_self_bounds(self) -> list[list[float | None]]:
        return self_bounds(self._bounds)


class FilterMessage(RawMacro):
    """The filter spec for `SiteDataLayer`: stored until the layer exists, applied after."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (s) {
            if (window.fsApplySpec) { window.fsApplySpec(s); } else { window.__fsPendingSpec = s; }
        })({{ this.spec_js }});
        {% endmacro %}
        """
    )

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__()
        self._name = "FilterMessage"
        self.spec_js = json_for_script(spec)


def filter_group(spec: dict[str, Any]) -> folium.FeatureGroup:
    """What the page passes as `st_folium(..., feature_group_to_add=...)` for one filter; `spec` is
    `sitedata.filter_spec(...)` plus `v`, the ETag of the data version the page counted on."""
    group = folium.FeatureGroup(name="fs_filter", control=False)
    group.add_child(FilterMessage(spec))
    return group
