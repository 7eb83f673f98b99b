"""现场记录: log a finding on a tablet held in one hand. Layout only; rules live in field/.

What the page guarantees, and how:
- A quick path of at most 8 taps for the common finding (GPS granted, one type, a photo, a
  sentence): device GPS is asked for the moment the form opens, with the other ways to locate
  (map pin, typed coordinates, photo EXIF) one tap away beside it; the types and severity start
  from the user's last finding (`findings.last_choices`); the photo uploader opens the tablet's
  camera or gallery in one tap; the site is named from the description unless a name is typed;
  the submit button sits in a bar pinned to the bottom (`st.bottom`), on screen without scrolling. Everything else (site
  name, address, sub-type, linking a site or case, photo kind, in-page camera) is the full path,
  in one expander.
- Early words: as soon as a point is set, what the submit would refuse or flag is said next to
  the point, in the user's language and with county names (`findings.check_location`).
- Nothing typed is lost: the form is saved server-side (`field.services.drafts`) at the end of every run in
  which its content changed, and restored on the first run of a new session (reload, crash, new
  login). Photos are stored the moment they arrive; the draft keeps their ids.
- One finding per submit: the idempotency token lives in the draft and in the session, and is
  replaced only together with the widget "generation" (`cap_gen`, part of every widget key). A
  second tap that arrives after the first submit refers to widgets of the old generation and is
  ignored; one that interrupts the first run re-sends the same token and gets the same finding.
  A successful submit starts a fresh generation: an empty form, the success note and a link.
- Four ways to locate (device GPS, map pin, typed, photo EXIF), the source stored with the point.
- Duplicates are shown once the location is known; one tap links the new finding as a repeat.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import folium
import streamlit as st
from streamlit_folium import st_folium

import ui
from field import geo, i18n
from field import photos as photo_pipeline
from field.data.models import Photo
from field.domain import clock
from field.domain.errors import ValidationError
from field.domain.vocab import LOCATION_SOURCES, PHOTO_KINDS, POLLUTION_TYPES, SEVERITY, STATUS
from field.i18n.units import distance_words, short_name
from field.map import sitedata
from field.map.assets import localize, static_base_url
from field.map.build import build_shell
from field.map.datalayer import filter_group
from field.services import drafts, duplicates, findings
from field.services.findings import MAX_PHOTOS_PER_FINDING, MapFilter, store_photo
from ui.geolocation import geolocation, is_fix

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "finding.create")
lang = ui.lang()
ss = st.session_state

METHODS = ("gps", "map", "typed", "photo")
GPS_ERRORS = ("denied", "unavailable", "timeout", "unsupported", "insecure")
NAME_CHARS = 24  # a file name in a caption or a button: shortened in the stem, never in the extension

# The action bar is in `st.bottom`, Streamlit's own container pinned to the bottom of the main
# area (the one st.chat_input uses): the form scrolls under it, so 提交问题 is one tap away at
# 768x1024 and 1280x800 whatever is open above it. (`position: sticky` on a keyed container does
# not stick: its parent block is exactly as tall as the bar, so there is nothing to stick within.)
ACTION_BAR_CSS = """
<style>
.st-key-cap_actions [data-testid="stCaptionContainer"] { margin: 0; }
</style>
"""


# --------------------------------------------------------------------------- state helpers

def k(name: str) -> str:
    """Widget key of the current form generation (a new generation gives fresh, empty widgets).
    The first form of a session keeps the plain `cap_<name>` keys."""
    gen = ss.get("cap_gen", 0)
    return f"cap_{name}" if gen == 0 else f"cap{gen}_{name}"


def _photo_entry(p: Photo, kind: str) -> dict[str, Any]:
    return {"id": p.id, "thumb": p.thumb_path, "name": p.original_name, "kind": kind,
            "exif_lon": p.exif_lon, "exif_lat": p.exif_lat,
            "taken_at": p.taken_at.isoformat() if p.taken_at else None}


def _reset_form(*, done_id: int | None = None) -> None:
    """A fresh form. No Streamlit calls in here: it runs between the commit and the rerun."""
    ss["cap_gen"] = ss.get("cap_gen", 0) + 1
    ss["cap_token"] = drafts.new_token()
    for name in ("cap_locs", "cap_photos", "cap_site", "cap_case", "cap_repeat_of", "cap_seen",
                 "cap_gps_error", "cap_saved_fp", "cap_defaults"):
        ss.pop(name, None)
    ui.field_errors().clear()
    if done_id is not None:
        ss["cap_done"] = done_id


def _restore(state: drafts.DraftState) -> None:
    """Put a stored draft back into the widgets (before they are drawn) and the page state."""
    d = state.data
    ss["cap_token"] = state.client_token or drafts.new_token()
    for name in ("site_name", "address", "description", "subtype"):
        ss[k(name)] = str(d.get(name) or "")
    ss[k("lon")], ss[k("lat")] = str(d.get("lon_text") or ""), str(d.get("lat_text") or "")
    ss[k("types")] = [t for t in d.get("types") or [] if t in POLLUTION_TYPES]
    if d.get("severity") in SEVERITY:
        ss[k("severity")] = d["severity"]
    if d.get("method") in METHODS:
        ss[k("method")] = d["method"]
    ss[k("gcj")] = bool(d.get("gcj"))
    locs = d.get("locs") or {}
    ss["cap_locs"] = {m: v for m, v in locs.items() if m in METHODS and isinstance(v, dict)}
    ss["cap_site"] = d.get("site") if isinstance(d.get("site"), dict) else None
    ss["cap_case"] = d.get("case") if isinstance(d.get("case"), dict) else None
    ss["cap_repeat_of"] = d.get("repeat_of_id")
    kinds = d.get("photo_kinds") or {}
    with rt.read() as s:
        ss["cap_photos"] = [_photo_entry(p, str(kinds.get(str(p.id)) or "before"))
                            for p in drafts.draft_photos(s, user, state)]


if not ss.get("cap_loaded"):
    ss["cap_loaded"] = True
    with rt.read() as s:
        restored = drafts.load_draft(s, user)
    if restored is not None:
        _restore(restored)
        ss["cap_notice"] = "restored"
if "cap_token" not in ss:
    ss["cap_token"] = drafts.new_token()
_prefill = ss.pop("cap_prefill_site", None)  # "follow up on this site" from 我的任务
if isinstance(_prefill, dict) and not ss.get("cap_site"):
    ss["cap_site"], ss["cap_repeat_of"] = _prefill, None
ss.setdefault("cap_locs", {})
ss.setdefault("cap_photos", [])
# A new form starts from the user's last finding (types, severity); a restored draft keeps its own.
if "cap_defaults" not in ss:
    with rt.read() as s:
        last = findings.last_choices(s, user)
    ss["cap_defaults"] = {"types": last.types if last else [], "severity": last.severity if last else "minor"}
# Defaults through session state only (a widget given both a default and a state value warns).
for _name, _default in (("types", list(ss["cap_defaults"]["types"])), ("severity", ss["cap_defaults"]["severity"]),
                        ("method", "gps"), ("photo_kind", "before")):
    ss.setdefault(k(_name), _default)


# --------------------------------------------------------------------------- callbacks (run before the page)

def _set_loc(method: str, lon: float, lat: float, accuracy: float | None = None, *, choose: bool = False) -> None:
    """Keep a point per method (switching back and forth loses nothing). `choose` also switches
    the method control, which only a callback may do (it runs before the control is drawn)."""
    ss["cap_locs"][method] = {"lon": round(float(lon), 7), "lat": round(float(lat), 7), "source": method,
                              "accuracy_m": accuracy}
    if choose:
        ss[k("method")] = method


def _on_gps(value: dict[str, Any]) -> None:
    """One GPS attempt, before the run it causes: the whole run already knows the point."""
    if is_fix(value):
        acc = value.get("accuracy_m")
        _set_loc("gps", value["lon"], value["lat"], float(acc) if acc is not None else None)
        ss.pop("cap_gps_error", None)
    else:
        ss["cap_gps_error"] = str(value.get("error") or "unavailable")


def _use_photo_location(photo_id: int) -> None:
    p = next((p for p in ss["cap_photos"] if p["id"] == photo_id), None)
    if p and p.get("exif_lon") is not None and p.get("exif_lat") is not None:
        _set_loc("photo", p["exif_lon"], p["exif_lat"], choose=True)


def _link_site(site: dict[str, Any], repeat_of: int | None = None, case: dict[str, Any] | None = None) -> None:
    ss["cap_site"] = site
    ss["cap_repeat_of"] = repeat_of
    if case and not ss.get("cap_case"):
        ss["cap_case"] = case


def _unlink_site() -> None:
    ss["cap_site"] = None
    ss["cap_repeat_of"] = None


def _link_case(case: dict[str, Any] | None) -> None:
    ss["cap_case"] = case


def _remove_photo(photo_id: int) -> None:
    ss["cap_photos"] = [p for p in ss["cap_photos"] if p["id"] != photo_id]


def _discard() -> None:
    with ui.action() as act:
        drafts.discard_draft(act.session, user)
    if act.ok:
        _reset_form()


def _ingest(files: list[Any], kind: str) -> bool:
    """Store photos the moment they arrive (by hash, once); True when one was added. The uploader
    keeps its list across reruns (a multi-file upload may even arrive over several runs), so each
    file is handled once by its file_id; a refused file is reported by name while it stays in the
    list, and everything else, typed text and the other photos, stays as it is."""
    seen: dict[str, dict[str, Any]] = ss.setdefault("cap_seen", {})
    added = False
    for up in files:
        if up.file_id in seen:
            continue
        name = up.name or "camera.jpg"
        if len(ss["cap_photos"]) >= MAX_PHOTOS_PER_FINDING:
            seen[up.file_id] = {"error": ui.t("capture.photo_refused", name=ui.md(short_name(name, NAME_CHARS)),
                                              reason=ui.error_text(ValidationError(
                                                  "photo.too_many", field="photos", max=MAX_PHOTOS_PER_FINDING)))}
            continue
        with ui.action(quiet=True) as act:  # the refusal is named in the list, not at the top
            entry = _photo_entry(store_photo(act.session, user, up.getvalue(), name, rt.store), kind)
        if act.error is not None:
            seen[up.file_id] = {"error": ui.t("capture.photo_refused", name=ui.md(short_name(name, NAME_CHARS)),
                                              reason=ui.error_text(act.error))}
            continue
        seen[up.file_id] = {"id": entry["id"]}
        if all(p["id"] != entry["id"] for p in ss["cap_photos"]):
            ss["cap_photos"].append(entry)
            added = True
    return added


def _refusals(files: list[Any]) -> None:
    seen = ss.get("cap_seen", {})
    for up in files:
        if "error" in seen.get(up.file_id, {}):
            st.error(seen[up.file_id]["error"], icon="⚠️")


# --------------------------------------------------------------------------- header

st.html(ACTION_BAR_CSS)
st.title(ui.t("capture.title"))
with st.container(key="cap_notices"):  # they come and go; what follows keeps its place
    if ss.get("cap_done"):
        # Kept for the session (the next form's GPS fix reruns the page at once): "which number was
        # that?" is the first question after a submit.
        st.success(ui.t("capture.created", id=ss["cap_done"]), icon="✅")
        st.page_link("pages/my_work.py", label=ui.t("nav.my_work"), icon="📋")
    if ss.pop("cap_notice", None) == "restored":
        st.info(ui.t("capture.draft_restored"), icon="📝")

linked_site: dict[str, Any] | None = ss.get("cap_site")
linked_case: dict[str, Any] | None = ss.get("cap_case")
with st.container(key="cap_linked"):
    if linked_site or linked_case:
        with st.container(border=True):
            if linked_site:
                c1, c2 = st.columns([3, 1], vertical_alignment="center")
                repeat = ss.get("cap_repeat_of")
                c1.markdown(ui.t("capture.linked_site", name=ui.md(linked_site.get("name", "")))
                            + (f"  \n{ui.t('capture.repeat_of', id=repeat)}" if repeat else ""))
                c2.button(ui.t("capture.unlink"), key=k("unlink_site"), width="stretch", on_click=_unlink_site)
                ui.field_error("site")
            if linked_case:
                c1, c2 = st.columns([3, 1], vertical_alignment="center")
                c1.markdown(ui.t("capture.linked_case", case_no=ui.md(linked_case.get("case_no", ""))))
                c2.button(ui.t("capture.unlink"), key=k("unlink_case"), width="stretch", on_click=_link_case,
                          args=(None,))
                ui.field_error("case")

# --------------------------------------------------------------------------- location (quick path: GPS on open)

# In a container of its own: the GPS answer (a warning) or another method changes what is inside,
# not the position of what follows, so an open 更多信息 and what is typed in it survive it.
with st.container(key="cap_location"):
    location: dict[str, Any] | None = None
    method = "map"
    if linked_site:
        location = {"lon": linked_site.get("lon"), "lat": linked_site.get("lat"), "source": "site"}
    else:
        # The fallbacks stay in view next to the GPS button: a refused or slow fix is one tap from a pin.
        method = st.segmented_control(ui.t("capture.location"), METHODS, key=k("method"), required=True,
                                      format_func=lambda c: i18n.t(f"capture.method_{c}", lang)) or "gps"
        locs: dict[str, dict[str, Any]] = ss["cap_locs"]
        if method == "gps":
            gps_loc = locs.get("gps")
            geolocation(key=k("gps"), auto=None if gps_loc else str(ss.get("cap_gen", 0)), has_fix=gps_loc is not None,
                        on_attempt=_on_gps,
                        labels={key: ui.t(f"capture.gps_{key}") for key in ("button", "again", "busy", "fix", "hint",
                                                                              *GPS_ERRORS)})
            if ss.get("cap_gps_error"):
                err = ss["cap_gps_error"]
                st.warning(ui.t(f"capture.gps_{err}" if err in GPS_ERRORS else "capture.gps_unavailable")
                           + " " + ui.t("capture.gps_fallback"), icon="📡")
            location = locs.get("gps")
        elif method == "map":
            st.caption(ui.t("capture.map_hint"))
            pin = locs.get("map")
            known = pin or next((v for v in locs.values() if v), None)
            b = geo.city_bounds()
            centre = (known["lat"], known["lon"]) if known else ((b[1] + b[3]) / 2, (b[0] + b[2]) / 2)
            province = geo.region_level() == "province"  # a province: a wider first view
            # Without tiles (the intranet default) the context for placing a pin is what the app ships:
            # county boundaries and names, and the existing sites as landmarks (from /map/data).
            pin_map = build_shell(data_url=sitedata.data_url(st.get_option("server.baseUrlPath") or ""), settings=rt.settings, lang=lang, center=centre,
                                  zoom=15 if known else (7 if province else 9), landmarks=True, show_legend=False,
                                  asset_base_url=static_base_url(st.get_option("server.baseUrlPath") or ""))
            if pin:
                folium.CircleMarker((pin["lat"], pin["lon"]), radius=10, color="#D55E00", fill=True,
                                    fill_opacity=0.9).add_to(pin_map)
                localize(pin_map, static_base_url(st.get_option("server.baseUrlPath") or ""))
            with rt.read() as rs:
                landmarks = sitedata.site_data(rs, user, settings=rt.settings)
            out = st_folium(pin_map, height=360, use_container_width=True, returned_objects=["last_clicked"],
                            key=k("pin_map"),
                            feature_group_to_add=filter_group({**sitedata.filter_spec(MapFilter()), "v": landmarks.etag}))
            clicked = (out or {}).get("last_clicked")
            if clicked and (not pin or (round(clicked["lat"], 7), round(clicked["lng"], 7)) != (pin["lat"], pin["lon"])):
                try:
                    lon, lat = geo.validate_lonlat(clicked["lng"], clicked["lat"])
                    _set_loc("map", lon, lat)
                    st.rerun()
                except geo.CoordinateError as exc:
                    st.error(ui.error_text(exc), icon="⚠️")
            location = locs.get("map")
        elif method == "typed":
            c1, c2 = st.columns(2)
            lon_text = c1.text_input(ui.t("capture.lon"), key=k("lon"), placeholder="116.8386 / 116°50′19″E")
            lat_text = c2.text_input(ui.t("capture.lat"), key=k("lat"), placeholder="38.3037 / 38°18′13″N")
            gcj = st.toggle(ui.t("capture.gcj"), key=k("gcj"))
            if lon_text.strip() or lat_text.strip():
                try:
                    lon = geo.parse_coordinate(lon_text, "lon")
                    lat = geo.parse_coordinate(lat_text, "lat")
                    if gcj:
                        lon, lat = geo.gcj02_to_wgs84(lon, lat)
                    location = {"lon": round(lon, 7), "lat": round(lat, 7), "source": "typed", "accuracy_m": None}
                except geo.CoordinateError as exc:
                    st.error(ui.error_text(exc), icon="⚠️")
        else:  # photo
            with_gps = [p for p in ss["cap_photos"] if p.get("exif_lon") is not None and p.get("exif_lat") is not None]
            if not with_gps:
                st.caption(ui.t("capture.photo_loc_none"))
            for p in with_gps:
                st.button(ui.t("capture.use_this_photo", name=ui.md(short_name(p["name"], NAME_CHARS))),
                          key=k(f"ploc_{p['id']}"), width="stretch", on_click=_use_photo_location, args=(p["id"],))
            location = locs.get("photo")

        # Photo EXIF GPS: offered, never forced — only while no location is set.
        if location is None:
            offer = next((p for p in ss["cap_photos"] if p.get("exif_lon") is not None and p.get("exif_lat") is not None),
                         None)
            if offer is not None:
                st.button(ui.t("capture.use_photo_location", name=ui.md(short_name(offer["name"], NAME_CHARS))),
                          key=k("offer_photo_loc"), icon="📷", width="stretch", on_click=_use_photo_location,
                          args=(offer["id"],))

        if location is not None:
            county = geo.county_of(location["lon"], location["lat"])
            acc = location.get("accuracy_m")
            st.info(ui.t("capture.located", lon=location["lon"], lat=location["lat"],
                         source=LOCATION_SOURCES.label(location["source"], lang),
                         county=county.label(lang) if county else ui.t(geo.outside_key("common.outside")))
                    + (" · " + ui.t("capture.accuracy", acc=distance_words(acc, lang)) if acc is not None else ""),
                    icon="📍")
            # What the submit would refuse or flag, said now, next to the point.
            for note in findings.check_location(user, location["lon"], location["lat"], acc):
                st.warning(note.message(lang), icon="⚠️")
        ui.field_error("location")

# --------------------------------------------------------------------------- duplicates

with st.container(key="cap_nearby"):
    if location is not None and not linked_site:
        with rt.read() as s:
            nearby = duplicates.nearby_open_findings(s, user, location["lon"], location["lat"])
        if nearby:
            with st.container(border=True):
                st.markdown(f"**{ui.t('capture.nearby_title', n=len(nearby), r=distance_words(duplicates.NEARBY_RADIUS_M, lang))}**")
                for nf in nearby[:5]:
                    c1, c2 = st.columns([3, 1], vertical_alignment="center")
                    c1.markdown(f"#{nf.finding_id} **{ui.md(nf.site_name)}** · {STATUS.label(nf.status, lang)} · "
                                f"{distance_words(nf.distance_m, lang)}  \n{ui.md(nf.description[:80])}")
                    c2.button(ui.t("capture.link_repeat"), key=k(f"rep_{nf.finding_id}"), width="stretch",
                              on_click=_link_site,
                              args=({"id": nf.site_id, "name": nf.site_name, "address": nf.address,
                                     "lon": location["lon"], "lat": location["lat"]}, nf.finding_id,
                                    {"id": nf.case_id, "case_no": nf.case_no} if nf.case_id else None))

# --------------------------------------------------------------------------- what (quick path)

types = st.pills(ui.t("capture.types"), POLLUTION_TYPES.codes, selection_mode="multi", key=k("types"),
                 format_func=lambda c: POLLUTION_TYPES.label(c, lang))
ui.field_error("pollution_types")
severity = st.segmented_control(ui.t("capture.severity"), SEVERITY.codes, key=k("severity"), required=True,
                                format_func=lambda c: SEVERITY.label(c, lang)) or "minor"
ui.field_error("severity")
description = st.text_area(ui.t("capture.description"), key=k("description"), height=96, max_chars=5000,
                           placeholder=ui.t("capture.description_hint"))
ui.field_error("description")

# --------------------------------------------------------------------------- photos (quick path: one tap to the camera)

photos_header = st.empty()  # filled below, once this run's uploads are counted
# The tablet's file picker offers the camera and the gallery: the camera is one tap away.
uploads = list(st.file_uploader(ui.t("capture.photos_quick"), type=["jpg", "jpeg", "png", "heic", "heif"],
                                accept_multiple_files=True, key=k("up")) or [])
_ingest(uploads, str(ss.get(k("photo_kind")) or "before"))
_refusals(uploads)
ui.field_error("photos")
photo_grid = st.container()

# --------------------------------------------------------------------------- full path

if not linked_site:
    filled = any(str(ss.get(k(n)) or "").strip() for n in ("site_name", "address", "subtype"))
else:
    filled = bool(str(ss.get(k("subtype")) or "").strip())
with st.expander(ui.t("capture.more"), expanded=filled or bool(ui.field_errors().get("site_name")), key="cap_more"):
    if not linked_site:
        site_name = st.text_input(ui.t("capture.site_name"), key=k("site_name"), max_chars=200,
                                  placeholder=ui.t("capture.site_name_hint"))
        ui.field_error("site_name")
        address = st.text_input(ui.t("capture.address"), key=k("address"), max_chars=300)
    else:
        site_name, address = ss.get(k("site_name"), ""), ss.get(k("address"), "")
    subtype = st.text_input(ui.t("capture.subtype"), key=k("subtype"), max_chars=100)

    st.markdown(f"**{ui.t('capture.link_existing')}**")
    query = st.text_input(ui.t("capture.search"), key=k("search"), placeholder=ui.t("capture.search_hint"))
    if query.strip():
        with rt.read() as s:
            site_hits = duplicates.search_sites(s, user, query)
            case_hits = duplicates.search_cases(s, user, query)
        if not site_hits and not case_hits:
            st.caption(ui.t("capture.search_none"))
        for h in site_hits:
            c1, c2 = st.columns([3, 1], vertical_alignment="center")
            c1.markdown(f"🏭 **{ui.md(h.name)}**  \n{ui.md(h.address)}")
            c2.button(ui.t("capture.use_site"), key=k(f"site_{h.site_id}"), width="stretch", on_click=_link_site,
                      args=({"id": h.site_id, "name": h.name, "address": h.address, "lon": h.lon, "lat": h.lat},))
        for c in case_hits:
            c1, c2 = st.columns([3, 1], vertical_alignment="center")
            c1.markdown(f"📄 **{ui.md(c.case_no)}**  \n{ui.md(c.content[:80])}")
            c2.button(ui.t("capture.use_case"), key=k(f"case_{c.case_id}"), width="stretch", on_click=_link_case,
                      args=({"id": c.case_id, "case_no": c.case_no},))

    kind = st.segmented_control(ui.t("capture.photo_kind"), PHOTO_KINDS.codes, key=k("photo_kind"), required=True,
                                format_func=lambda c: PHOTO_KINDS.label(c, lang)) or "before"
    use_camera = st.toggle(ui.t("capture.camera_on"), key=k("camera_on"))
    shot = st.camera_input(ui.t("capture.camera"), key=k("cam")) if use_camera else None
    shots = [shot] if shot is not None else []
    if _ingest(shots, kind):
        st.rerun()  # the new photo belongs in the grid above
    _refusals(shots)

similar_text = " ".join(x for x in (site_name, address, description[:200]) if x.strip())
if not linked_case and (location is not None or linked_site) and len(similar_text.strip()) >= 4:
    with rt.read() as s:
        similar = duplicates.similar_cases(s, user, text=similar_text, limit=5)
    if similar:
        with st.container(border=True):
            st.markdown(f"**{ui.t('capture.similar_cases', n=len(similar))}**")
            for c in similar:
                c1, c2 = st.columns([3, 1], vertical_alignment="center")
                c1.markdown(f"📄 **{ui.md(c.case_no)}** · {c.score:.0%}  \n{ui.md(c.content[:80])}")
                c2.button(ui.t("capture.use_case"), key=k(f"sim_{c.case_id}"), width="stretch", on_click=_link_case,
                          args=({"id": c.case_id, "case_no": c.case_no},))

# --------------------------------------------------------------------------- the photo grid (filled now that all arrived)

photos_header.markdown(f"**{ui.t('capture.photos_title', n=len(ss['cap_photos']), max=MAX_PHOTOS_PER_FINDING)}**")
if ss["cap_photos"]:
    flag_place = location if location and location.get("lon") is not None else None
    now = clock.now()
    per_row = 4
    with photo_grid:
        for start in range(0, len(ss["cap_photos"]), per_row):
            row = st.columns(per_row)
            for col, p in zip(row, ss["cap_photos"][start:start + per_row], strict=False):
                with col:
                    st.image(ui.photo(p["thumb"]), width="stretch")
                    st.caption(f"{PHOTO_KINDS.label(p['kind'], lang)} · {ui.md(short_name(p['name'], NAME_CHARS))}")
                    taken = dt.datetime.fromisoformat(p["taken_at"]) if p.get("taken_at") else None
                    flags = photo_pipeline.evidence_flags(
                        p.get("exif_lon"), p.get("exif_lat"), taken,
                        flag_place["lon"] if flag_place else None, flag_place["lat"] if flag_place else None, now)
                    for f in flags:
                        if f.severity == "warning":
                            st.caption(f"⚠️ {f.message(lang)}")
                    st.button(ui.t("capture.remove_photo"), key=k(f"rm_{p['id']}"), width="stretch",
                              on_click=_remove_photo, args=(p["id"],))

# --------------------------------------------------------------------------- save draft, submit

data: dict[str, Any] = {
    "site_name": site_name, "address": address, "description": description, "types": list(types or []),
    "subtype": subtype, "severity": severity, "method": method,
    "lon_text": ss.get(k("lon"), ""), "lat_text": ss.get(k("lat"), ""), "gcj": bool(ss.get(k("gcj"))),
    "locs": ss["cap_locs"],
    "location": None if linked_site else location,
    "site": linked_site, "site_id": linked_site.get("id") if linked_site else None,
    "case": linked_case, "case_id": linked_case.get("id") if linked_case else None,
    "repeat_of_id": ss.get("cap_repeat_of") if linked_site else None,
    "photo_kinds": {str(p["id"]): p["kind"] for p in ss["cap_photos"]},
    "client_token": ss["cap_token"],
}
photo_ids = [p["id"] for p in ss["cap_photos"]]
fingerprint = json.dumps([data, photo_ids], sort_keys=True, ensure_ascii=False, default=str)
# A form holding only what it started with (the remembered types and severity, the GPS fix that
# came by itself) is not a draft, else every visit would leave one; a form emptied by hand
# removes the draft it had saved, so a reload does not bring back what was deliberately deleted.
is_empty = not (any(str(data[n]).strip() for n in ("site_name", "address", "description", "subtype",
                                                   "lon_text", "lat_text"))
                or data["types"] != ss["cap_defaults"]["types"] or any(m != "gps" for m in data["locs"])
                or linked_site or linked_case or photo_ids)
if fingerprint != ss.get("cap_saved_fp"):
    with ui.action() as act:
        if not is_empty:
            drafts.save_draft(act.session, user, data, photo_ids)
        elif ss.get("cap_saved_fp"):
            drafts.discard_draft(act.session, user)
    if act.ok:
        ss["cap_saved_fp"] = fingerprint

with st.bottom, st.container(key="cap_actions"):
    ui.field_error("_form")
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    submitted = c1.button(ui.t("capture.submit"), type="primary", width="stretch", key=k("submit"))
    with c2.popover(ui.t("capture.discard"), width="stretch"):
        st.caption(ui.t("capture.discard_confirm"))
        st.button(ui.t("capture.discard_yes"), key=k("discard"), on_click=_discard, width="stretch")
    if ss.get("cap_saved_fp") == fingerprint and not is_empty:
        st.caption(ui.t("capture.draft_saved"))

if submitted:
    ui.field_errors().clear()
    with ui.action(inline=True) as act:  # a refusal is shown next to the field it names
        drafts.save_draft(act.session, user, data, photo_ids)  # no write unless the autosave above failed
        done_id = drafts.submit_draft(act.session, user).id
    if act.ok:
        _reset_form(done_id=done_id)
    st.rerun()
