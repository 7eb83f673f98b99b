"""问题地图: sites coloured by status, filters kept in the URL, a detail panel beside the map."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import func, select
from streamlit_folium import st_folium

import ui
from field import audit, clock, geo, signoff
from field.findings import MapFilter, get_finding, map_rows, status_counts
from field.mapview import build_map, clicked_site_ids, legend_items
from field.models import Finding
from field.vocab import OPEN_STATUSES, PHOTO_KINDS, POLLUTION_TYPES, STATUS

rt = ui.runtime()
user = ui.require_user()
lang = ui.lang()
qp = st.query_params


def _multi(name: str) -> list[str]:
    return [v for v in qp.get_all(name) if v]


st.title(ui.t("map.title"))
county_labels = {c.adcode: c.label(lang) for c in geo.counties()}
with st.expander(ui.t("map.filters"), expanded=bool(list(qp.keys()))):
    c1, c2, c3 = st.columns(3)
    statuses = c1.multiselect(ui.t("map.status"), STATUS.codes, default=[s for s in _multi("status") if s in STATUS],
                              format_func=lambda c: STATUS.label(c, lang), key="f_status")
    counties = c2.multiselect(ui.t("map.county"), list(county_labels),
                              default=[c for c in _multi("county") if c in county_labels],
                              format_func=lambda c: county_labels[c], key="f_county")
    types = c3.multiselect(ui.t("map.types"), POLLUTION_TYPES.codes,
                           default=[t for t in _multi("type") if t in POLLUTION_TYPES],
                           format_func=lambda c: POLLUTION_TYPES.label(c, lang), key="f_type")
    c4, c5, c6 = st.columns(3)
    text = c4.text_input(ui.t("map.text"), value=qp.get("q", ""), key="f_text")
    key_only = c5.checkbox(ui.t("map.key_attention"), value=qp.get("key") == "1", key="f_key")
    overdue = c6.checkbox(ui.t("map.overdue"), value=qp.get("overdue") == "1", key="f_overdue")

# The URL carries the view, so a link reopens the same map at the next meeting.
state = {"status": statuses, "county": counties, "type": types, "q": text,
         "key": "1" if key_only else "", "overdue": "1" if overdue else ""}
new_qp = {k: v for k, v in state.items() if v}
if "lang" in qp:
    new_qp["lang"] = qp["lang"]
if {k: qp.get_all(k) for k in qp.keys()} != {k: v if isinstance(v, list) else [v] for k, v in new_qp.items()}:
    qp.from_dict(new_qp)

flt = MapFilter(statuses=tuple(statuses), counties=tuple(counties), types=tuple(types), text=text,
                key_attention=key_only, overdue=overdue)


@st.cache_resource(max_entries=32, show_spinner=False)
def _cached_map(_rows: list, key: tuple, lang: str):  # type: ignore[no-untyped-def]
    rows = _rows
    open_counts: dict[str, int] = {}
    for r in rows:
        if r["status"] in OPEN_STATUSES and r["county"]:
            open_counts[r["county"]] = open_counts.get(r["county"], 0) + 1
    return build_map(rows, boundaries=geo.counties_geojson(), settings=rt.settings, lang=lang,
                     choropleth_counts=open_counts)


with rt.session() as s:
    signoff.advance_notices(s, settings=rt.settings)
    version = tuple(s.execute(select(func.count(Finding.id), func.max(Finding.updated_at))).one())
    rows = map_rows(s, user, flt)
scope = tuple(user.county_scope or [])
fmap = _cached_map(rows, (flt, scope, version, rt.settings.tiles), lang)
counts = status_counts(rows)

left, right = st.columns([3, 2], gap="medium")
with left:
    st.caption(ui.t("map.count", n=len(rows)))
    result = st_folium(fmap, height=560, use_container_width=True,
                       returned_objects=["last_object_clicked", "last_active_drawing"], key="review_map")
    legend = legend_items(counts, lang)
    st.dataframe([{ui.t("map.legend"): f"{i['label']}", "n": i.get("count", 0)} for i in legend],
                 hide_index=True, width="stretch")
with right:
    st.subheader(ui.t("map.detail"))
    ids = clicked_site_ids(result, fmap.field_site_lookup)
    if not ids:
        st.caption(ui.t("map.click_hint"))
    else:
        with rt.session() as s:
            for fid in ids[:5]:
                f = get_finding(s, user, int(fid))
                st.markdown(f"**#{f.id} {ui.md(f.site.name)}** · {STATUS.label(f.status, lang)}",
                            help=ui.md(f.site.address))
                st.write(f.description)
                st.caption(" · ".join(POLLUTION_TYPES.label(t, lang) for t in f.pollution_types)
                           + (f" · {f.subtype}" if f.subtype else ""))
                if f.case:
                    st.markdown(f"{ui.t('detail.case_no')}: `{ui.md(f.case.case_no)}`")
                deadline = f.deadline or (f.case.deadline if f.case else None)
                if deadline:
                    st.markdown(f"{ui.t('detail.deadline')}: {deadline:%Y-%m-%d}")
                if f.responsible_unit:
                    st.markdown(f"{ui.t('detail.unit')}: {ui.md(f.responsible_unit)}")
                if f.photos:
                    cols = st.columns(min(len(f.photos), 3))
                    for i, link in enumerate(f.photos[:6]):
                        cols[i % len(cols)].image(str(rt.store.abspath(link.photo.thumb_path)),
                                                  caption=PHOTO_KINDS.label(link.kind, lang))
                with st.expander(ui.t("detail.history")):
                    for e in audit.history(s, "finding", f.id):
                        st.caption(f"{clock.local(e.at):%Y-%m-%d %H:%M} · {ui.md(e.actor_name)} · {e.action} "
                                   f"{ui.md(e.reason)}")
