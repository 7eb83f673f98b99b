"""The two reference pages of bench/map_app.py, served by a second `streamlit run` in the same run.

`?page=floor`: one checkbox and one line of text - Streamlit's own round trip (the floor no page
of ours can beat). `?page=baseline`: the review map as folium documents it for many points -
county boundaries as folium.GeoJson plus `FastMarkerCluster` with a plain marker callback, through
st_folium, assets served locally - built from the same database rows on every run, behind a
one-field form so its first draw is timed from its submit click (or, with `&go=1`, drawn as the
page opens, for the open-to-drawn comparison with the app's map).

Not part of the app: bench/map_app.py runs a copy of this file from a temp directory whose
`static/` links to the app's vendored Leaflet.
"""

from __future__ import annotations

import os

import folium
import streamlit as st
from folium.plugins import FastMarkerCluster
from sqlalchemy import create_engine, text
from streamlit_folium import st_folium

from field import geo
from field.map.assets import localize, static_base_url

st.set_page_config(layout="wide")
page = st.query_params.get("page", "floor")

if page == "floor":
    on = st.checkbox("floor")
    st.markdown(f'<div id="floor-state">{"on" if on else "off"}</div>', unsafe_allow_html=True)
    st.stop()

CALLBACK = "function (row) { return L.marker(new L.LatLng(row[0], row[1])); }"

with st.form("go"):
    st.text_input("go", key="go_text")
    go = st.form_submit_button("go")
if go or st.session_state.get("went") or st.query_params.get("go") == "1":  # ?go=1: drawn on open
    st.session_state["went"] = True
    geo.use_city(os.environ.get("FIELD_CITY_ADCODE", "130900"))
    engine = create_engine(os.environ["FIELD_DATABASE_URL"])
    with engine.connect() as conn:
        data = [[lat, lon] for lat, lon in conn.execute(text(
            "SELECT s.lat, s.lon FROM findings f JOIN sites s ON s.id = f.site_id ORDER BY f.id"))]
    engine.dispose()
    m = folium.Map(location=[38.3, 116.84], zoom_start=9, tiles=None)
    m.options.update({"max_zoom": 18, "min_zoom": 7})  # markercluster needs it; folium gives it to tiles only
    folium.GeoJson(geo.counties_geojson(), name="counties").add_to(m)
    FastMarkerCluster(data, callback=CALLBACK).add_to(m)
    localize(m, static_base_url(st.get_option("server.baseUrlPath") or ""))
    st_folium(m, height=600, use_container_width=True, returned_objects=["last_object_clicked"], key="base")
