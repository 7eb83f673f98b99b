"""现场记录: log a finding on a tablet. Layout only; validation and permissions live in field/."""

from __future__ import annotations

import uuid

import folium
import streamlit as st
from streamlit_folium import st_folium

import ui
from field import geo
from field.errors import FieldError
from field.findings import FindingInput, Location, create_finding, store_photo
from field.mapassets import localize
from field.vocab import POLLUTION_TYPES, SEVERITY

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "finding.create")
lang = ui.lang()
ss = st.session_state

st.title(ui.t("capture.title"))
if "capture_token" not in ss:
    ss["capture_token"] = uuid.uuid4().hex  # idempotency key: a double tap or retry makes one finding
if ss.get("capture_done"):
    st.success(ss.pop("capture_done"))

site_name = st.text_input(ui.t("capture.site_name"), key="cap_site_name")
ui.field_error("site_name")
address = st.text_input(ui.t("capture.address"), key="cap_address")
description = st.text_area(ui.t("capture.description"), key="cap_description", height=120)
ui.field_error("description")
cols = st.columns([2, 1])
types = cols[0].multiselect(ui.t("capture.types"), POLLUTION_TYPES.codes, key="cap_types",
                            format_func=lambda c: POLLUTION_TYPES.label(c, lang))
severity = cols[1].radio(ui.t("capture.severity"), SEVERITY.codes, key="cap_severity", horizontal=True,
                         format_func=lambda c: SEVERITY.label(c, lang))
ui.field_error("pollution_types")
subtype = st.text_input(ui.t("capture.subtype"), key="cap_subtype")

st.subheader(ui.t("capture.location"))
method = st.radio(ui.t("capture.loc_method"), ["typed", "map"], key="cap_loc_method", horizontal=True,
                  format_func=lambda c: {"typed": "输入坐标" if lang == "zh" else "Type coordinates",
                                         "map": "地图选点" if lang == "zh" else "Map pin"}[c])
location: Location | None = None
if method == "typed":
    c1, c2 = st.columns(2)
    lon_text = c1.text_input(ui.t("capture.lon"), key="cap_lon", placeholder="116.8386 / 116°50′19″E")
    lat_text = c2.text_input(ui.t("capture.lat"), key="cap_lat", placeholder="38.3037 / 38°18′13″N")
    gcj = st.checkbox(ui.t("capture.gcj"), key="cap_gcj")
    if lon_text.strip() or lat_text.strip():
        try:
            lon = geo.parse_coordinate(lon_text, "lon")
            lat = geo.parse_coordinate(lat_text, "lat")
            if gcj:
                lon, lat = geo.gcj02_to_wgs84(lon, lat)
            location = Location(lon, lat, "typed")
        except geo.CoordinateError as exc:
            st.error(ui.error_text(exc), icon="⚠️")
else:
    st.caption(ui.t("capture.map_hint"))
    b = geo.city_bounds()
    centre = ss.get("cap_pin") or ((b[1] + b[3]) / 2, (b[0] + b[2]) / 2)
    pin_map = folium.Map(location=centre, zoom_start=9 if "cap_pin" not in ss else 15, tiles=None,
                         control_scale=True)
    folium.GeoJson(geo.counties_geojson(), style_function=lambda _f: {"color": "#555", "weight": 1,
                                                                       "fillOpacity": 0.03}).add_to(pin_map)
    if "cap_pin" in ss:
        folium.CircleMarker(ss["cap_pin"], radius=9, color="#D55E00", fill=True, fill_opacity=0.9).add_to(pin_map)
    localize(pin_map)
    out = st_folium(pin_map, height=380, use_container_width=True, returned_objects=["last_clicked"],
                    key="cap_pin_map")
    clicked = (out or {}).get("last_clicked")
    if clicked and (clicked["lat"], clicked["lng"]) != tuple(ss.get("cap_pin") or ()):
        ss["cap_pin"] = (round(clicked["lat"], 7), round(clicked["lng"], 7))
        st.rerun()
    if "cap_pin" in ss:
        location = Location(ss["cap_pin"][1], ss["cap_pin"][0], "map")
ui.field_error("location")
if location is not None:
    county = geo.county_of(location.lon, location.lat)
    st.info(ui.t("capture.located", lon=location.lon, lat=location.lat,
                 source=ui.md(method), county=county.label(lang) if county else ui.t("common.outside")))
    if county is None:
        st.warning(ui.t("capture.outside_warning"))

uploads = st.file_uploader(ui.t("capture.photos"), type=["jpg", "jpeg", "png", "heic", "heif"],
                           accept_multiple_files=True, key="cap_photos")
# Photos are stored the moment they arrive (by hash, once): a refused file is reported by name
# and everything else, typed text and the other photos, stays as it is.
processed: dict[str, dict] = ss.setdefault("cap_processed", {})
for up in uploads or []:
    if up.file_id in processed:
        continue
    with rt.session() as s:
        try:
            photo = store_photo(s, user, up.getvalue(), up.name, rt.store)
            s.commit()
            processed[up.file_id] = {"id": photo.id, "thumb": photo.thumb_path, "name": up.name}
        except (FieldError, ValueError) as exc:
            processed[up.file_id] = {"error": ui.t("capture.photo_refused", name=ui.md(up.name),
                                                   reason=ui.error_text(exc))}
current = [processed[up.file_id] for up in uploads or []]
photo_ids = [p["id"] for p in current if "id" in p]
for p in current:
    if "error" in p:
        st.error(p["error"], icon="⚠️")
if photo_ids:
    thumbs = st.columns(min(len(photo_ids), 6))
    for i, p in enumerate([p for p in current if "id" in p]):
        thumbs[i % len(thumbs)].image(str(rt.store.abspath(p["thumb"])), caption=p["name"][:24])
ui.field_error("photos")

if st.button(ui.t("capture.submit"), type="primary", width="stretch", key="cap_submit"):
    ui.field_errors().clear()
    with rt.session() as s:
        try:
            finding = create_finding(s, user, FindingInput(
                description=description, pollution_types=types, location=location, site_name=site_name,
                address=address, subtype=subtype, severity=severity, client_token=ss["capture_token"],
                photo_ids=photo_ids))
            s.commit()
        except FieldError as exc:
            s.rollback()
            ui.set_field_error(exc)
            st.rerun()
    ss["capture_done"] = ui.t("capture.created", id=finding.id)
    for k in [k for k in ss.keys() if str(k).startswith("cap_")]:
        del ss[k]
    ss.pop("capture_token", None)
    st.rerun()
if "_form" in ui.field_errors():
    ui.field_error("_form")
