"""The review map: every site as one compact clustered layer over county boundaries, with a legend.

Where each decision lives (import from the module that owns it):
- `build`      assembles the folium map (view, zoom range, order of the parts) -> `build_map`
- `tiles`      which base tiles from the settings, attribution, 审图号, the GCJ-02 display shift
- `choropleth` county polygons, shaded by open findings
- `layers`     the site layer: all sites as one JSON blob drawn by one JS loop
- `legend`     how a status is drawn (SVG shape and colour) and the legend that explains it
- `clicks`     what an `st_folium` click result means (site ids, county, once-only signature)
- `query`      the map filter to and from the URL
- `escape`     user text made safe for HTML, JS strings and <script> JSON (folium escapes nothing)
- `elements`   the folium element base that emits our output verbatim, and the small controls
- `values`     loose row values (NaN, numpy scalars) as numbers, text and ids; shared with exports
- `assets`     vendored Leaflet, so the map works on an intranet without CDNs

Nothing here imports Streamlit; user-visible strings are in `field/i18n/map.py`.
"""
