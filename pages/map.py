"""问题地图 for the dispatch meeting: sites by status, filters kept in the URL, county click filters,
a detail panel beside the map, presentation mode for the projector, exports of the current view.

The URL is the source of truth for the view (a link pasted into the meeting chat reopens it); the
widgets own the state between reruns, and are reloaded from the URL only when the URL changed
from outside (first open, a pasted link). Pan and zoom never rerun this page: st_folium returns
clicks only. The rows and the map are cached by (filter, scope, data version), so a rerun that
changes nothing rebuilds nothing; the map and its detail panel are one `st.fragment`, so a click
on a site reruns them, not the filters and the exports. Exports are built when a button is
pressed (deferred downloads), never on a rerun. The cached map is shared by every session, and
st_folium writes ids into the map it renders, so each run renders its own shallow copy.
"""

from __future__ import annotations

import copy
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

import ui
from field import geo
from field.domain import clock, workflow
from field.domain.errors import FieldError
from field.domain.permissions import can
from field.domain.scope import Scope
from field.domain.vocab import OPEN_STATUSES, PHOTO_KINDS, POLLUTION_TYPES, STATUS
from field.exports import mapexport
from field.map import sitedata
from field.map.build import build_shell
from field.map.clicks import RETURNED_OBJECTS, click_signature, clicked_county, clicked_site_id
from field.map.datalayer import filter_group
from field.map.escape import escape_html
from field.map.legend import STATUS_CODES, UNKNOWN_STATUS, legend_items
from field.map.query import filter_from_query, filter_key, filter_to_query
from field.services import audit, ledgers
from field.services.findings import MapFilter, get_finding, map_rows
from ui import mapfilter, nav

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "finding.view")
lang = ui.lang()
qp = st.query_params
ss = st.session_state

scope = Scope.of(user)
# cities and counties in a province deployment (a filter or a click may name either), else counties
county_labels = {k: v for k, v in geo.unit_labels(lang).items() if scope.contains(k)}
province = geo.region_level() == "province"


def _url_state() -> dict[str, list[str]]:
    return {k: list(qp.get_all(k)) for k in qp.keys() if k != "lang"}


# --- URL -> widgets (only when the URL changed from outside) -------------------------------------
url_now = _url_state()
if ss.get("_map_qs") != url_now:
    flt0 = filter_from_query(qp, counties=county_labels)
    ss["f_status"], ss["f_county"], ss["f_type"] = list(flt0.statuses), list(flt0.counties), list(flt0.types)
    ss["f_batch"], ss["f_key"], ss["f_overdue"] = list(flt0.batches), flt0.key_attention, flt0.overdue
    ss["f_from"], ss["f_to"], ss["f_text"] = flt0.date_from, flt0.date_to, flt0.text
    ss["f_present"] = qp.get("present") == "1"
    fid = qp.get("finding", "")
    ss["map_selected"] = [int(fid)] if fid.isdigit() else []
if "_pending_county" in ss:  # a county click of the previous run, applied before the widget exists
    ss["f_county"] = [ss.pop("_pending_county")]

# Reading only: closing findings whose 公示 has ended is `python -m field advance`, not this page.
with rt.read() as s:
    batch_options = ledgers.batches(s, user)
for b in ss.get("f_batch", []):
    if b not in batch_options:
        batch_options.append(b)

present = st.toggle(ui.t("map.present"), key="f_present")
if not present:
    st.title(ui.t("map.title"))

url_filters = bool(set(url_now) - {"present", "finding"})
with st.expander(ui.t("map.filters"), expanded=url_filters and not present):
    flt = mapfilter.widgets("f_", county_labels, batch_options, lang)
    # what the shading and the per-unit counts group by: a province by city unless asked otherwise
    level = (st.radio(ui.t("map.level"), ("city", "county"), format_func=lambda v: ui.t(f"map.level_{v}"),
                      horizontal=True, key="f_level") if province else "county")

today = clock.today_local()
scope_key = (user.role, tuple(sorted(user.county_scope or [])) if not user.all_counties else ("*",))
present_css = (
    "<style>"
    "[data-testid='stSidebar'],[data-testid='stSidebarCollapsedControl'],[data-testid='stHeader'],"
    "[data-testid='stSidebarNav']{display:none !important;}"
    "section.main .block-container, [data-testid='stMainBlockContainer']{max-width:100%;"
    "padding:0.4rem 1rem;}"
    "[data-testid='stMain'] p, [data-testid='stMain'] li, [data-testid='stMain'] label{font-size:1.3rem;}"
    ".fs-tables{display:flex;gap:1rem;align-items:flex-start;} .fs-tables table{flex:1 1 0;}"
    ".fs-counts{font-size:1.5rem;} .fs-counts td{padding:1px 6px !important;}"
    "</style>"
)
# Tablet portrait: the map takes the whole width, the statistics and the detail panel go below it.
tablet_css = (
    "<style>@media (max-width: 1000px) and (orientation: portrait){"
    ".st-key-fs_map_row [data-testid='stHorizontalBlock']{flex-wrap:wrap;}"
    ".st-key-fs_map_row [data-testid='stColumn']{width:100% !important;flex:1 1 100% !important;min-width:100%;}"
    "}</style>"
)


@st.cache_resource(max_entries=16, show_spinner=False)
def _cached_rows(fkey: tuple, skey: tuple, etag: str, _flt: MapFilter, _user: Any) -> list[dict[str, Any]]:
    """Rows of a view with a free-text search (the text is matched on the server); keyed by
    canonical filter, scope and data version (args with _ are not hashed)."""
    with rt.read() as s:
        return map_rows(s, _user, _flt, today=today)


def _rows_now() -> list[dict[str, Any]]:
    """Every row of this view, read when an export button is pressed (never on a rerun)."""
    with rt.read() as s:
        return map_rows(s, user, flt, today=today)


def _asset_base() -> str:
    from field.map.assets import static_base_url

    return static_base_url(st.get_option("server.baseUrlPath") or "")


def _data_url() -> str:
    return sitedata.data_url(st.get_option("server.baseUrlPath") or "")


@st.cache_resource(max_entries=8, show_spinner=False)
def _cached_shell(lang: str, present: bool, tiles: str, data_url: str, asset_base: str):  # type: ignore[no-untyped-def]
    """The map document: constant for a language and a mode, whatever the filter or the data."""
    return build_shell(data_url=data_url, settings=rt.settings, lang=lang, presentation=present,
                       city_bounds=geo.city_bounds(), asset_base_url=asset_base)


fkey = filter_key(flt)


class View:
    """What one run of the map fragment shows: the data version, the filter spec sent to the
    browser, and the counts of the rows the spec keeps (from the same columns)."""

    def __init__(self) -> None:
        with rt.read() as s:
            self.data = sitedata.site_data(s, user, settings=rt.settings, today=today)
        text_ids = None
        if flt.text.strip():
            text_ids = [r["id"] for r in _cached_rows(fkey, scope_key, self.data.etag, flt, user)]
        self.spec = {**sitedata.filter_spec(flt, text_ids), "v": self.data.etag}
        self.idx = self.data.select(self.spec)
        d = self.data
        self.counts = {code: 0 for code in STATUS.codes}
        self.overdue = 0
        self.per_county: dict[str, int] = {}
        open_idx = sitedata.OPEN_INDEXES
        for j in self.idx:
            si = d.status[j]
            code = STATUS_CODES[si] if si < len(STATUS_CODES) else UNKNOWN_STATUS
            self.counts[code] = self.counts.get(code, 0) + 1
            self.overdue += d.overdue[j]
            if si in open_idx:
                key = d.county_codes[d.county[j]]
                self.per_county[key] = self.per_county.get(key, 0) + 1
        self._ids: set[int] | None = None

    @property
    def ids(self) -> set[int]:
        if self._ids is None:
            self._ids = {self.data.ids[j] for j in self.idx}
        return self._ids


def _summary_html(view: View) -> str:
    """Counts per status with the map's shapes, and open findings per county; every part escaped."""
    items = legend_items(view.counts, lang)
    total = len(view.idx)
    body = "".join(
        f'<tr data-status="{escape_html(it["code"])}"><td>{it["svg"]}</td><td>{it["label"]}</td>'
        f'<td class="n">{int(it["count"])}</td></tr>' for it in items)
    body += (f'<tr class="total"><td></td><td><b>{escape_html(ui.t("map.total"))}</b></td>'
             f'<td class="n"><b>{total}</b></td></tr>'
             f'<tr class="overdue"><td></td><td>{escape_html(ui.t("map.overdue_n"))}</td>'
             f'<td class="n">{view.overdue}</td></tr>')
    per_county: dict[str, int] = {}  # open findings per county, or per city in a province's city view
    for k, n in view.per_county.items():
        key = geo.unit_code_of(k, level) if k else ""
        per_county[key] = per_county.get(key, 0) + n
    county_rows = "".join(
        f'<tr data-county="{escape_html(k)}"><td>{escape_html(county_labels.get(k, ui.t(geo.outside_key("common.outside"))))}</td>'
        f'<td class="n">{n}</td></tr>'
        for k, n in sorted(per_county.items(), key=lambda kv: (-kv[1], kv[0])))
    style = ("<style>.fs-counts{border-collapse:collapse;width:100%;margin-bottom:.6rem;}"
             ".fs-counts td{padding:2px 6px;border-bottom:1px solid rgba(128,128,128,.25);vertical-align:middle;}"
             ".fs-counts td.n{text-align:right;font-variant-numeric:tabular-nums;}"
             ".fs-counts svg{display:block;}</style>")
    return (f'{style}<div class="fs-tables"><table class="fs-counts" id="fs-status-counts" data-total="{total}">'
            f'<caption style="text-align:left;font-weight:600">{escape_html(ui.t("map.summary"))}</caption>'
            f'{body}</table>'
            f'<table class="fs-counts" id="fs-county-counts"><caption style="text-align:left;font-weight:600">'
            f'{escape_html(ui.t(f"map.by_{level}"))}</caption>{county_rows}</table></div>')


def _next_steps(fid: int, status: str) -> list[tuple[nav.NavPage, str, dict[str, str] | None]]:
    """The links of the detail panel: what the state machine allows from this status, offered
    when the user's role may open the page that does it (the page's action in `ui.nav`)."""
    steps: list[tuple[str, str, dict[str, str] | None]] = []
    if workflow.can_verify(status):  # a check (verify) or a rectification report (submit)
        steps.append(("pages/verify.py", "detail.go_verify", {"finding": str(fid)}))
    if "sign" in workflow.allowed_events(status):
        steps.append(("pages/signoff.py", "detail.go_signoff", None))
    return [(nav.page(path), label, params) for path, label, params in steps if can(user, nav.page(path).action)]


def _detail(fid: int) -> None:
    """The panel beside the map: everything the meeting asks about one finding, and what this
    user's role can do next (links only; the target pages enforce the permissions)."""
    with rt.read() as s:
        try:
            f = get_finding(s, user, fid)
        except FieldError as exc:
            ui.show_error(exc)
            return
        case = f.case
        term = STATUS[f.status] if f.status in STATUS else None
        with st.container(border=True, key=f"detail_{fid}"):
            st.markdown(f"#### #{f.id} {ui.md(f.site.name)}")
            if term is not None:
                badge = legend_items({f.status: 1}, lang)[STATUS.codes.index(f.status)]
                st.markdown(f'<span style="display:inline-flex;gap:6px;align-items:center">{badge["svg"]}'
                            f'<b>{escape_html(term.label(lang))}</b></span>', unsafe_allow_html=True)
            deadline = f.deadline or (case.deadline if case else None)
            late = bool(deadline and deadline < today and f.status in OPEN_STATUSES)
            facts = [
                ("detail.county", county_labels.get(f.site.county_adcode or "", ui.t(geo.outside_key("common.outside")))),
                ("detail.address", f.site.address),
                ("detail.case_no", case.case_no if case else ""),
                ("detail.batch", ui.t("map.batch_n", n=case.batch) if case and case.batch else ""),
                ("detail.key_attention", ui.t("map.key_attention") if case and case.key_attention else ""),
                ("detail.unit", f.responsible_unit or (case.responsible_unit if case else "")),
                ("detail.deadline", f"{deadline:%Y-%m-%d}" + (f" ⚠ {ui.t('detail.overdue')}" if late else "")
                 if deadline else ""),
                ("detail.types", "、".join(POLLUTION_TYPES.label(t, lang) for t in f.pollution_types)
                 + (f"（{f.subtype}）" if f.subtype else "")),
            ]
            st.markdown("\n".join(f"- **{ui.t(k)}**：{ui.md(v)}" for k, v in facts if v))
            st.markdown(f"**{ui.t('detail.description')}**：{ui.md(f.description)}")
            links = list(f.photos)
            if links:
                cols = st.columns(3)
                for i, link in enumerate(links[:6]):
                    cols[i % 3].image(ui.photo(link.photo.thumb_path),
                                      caption=PHOTO_KINDS.label(link.kind, lang))
            else:
                st.caption(ui.t("detail.no_photos"))
            st.markdown(f"**{ui.t('detail.actions')}**")
            steps = _next_steps(f.id, f.status)
            for target, label, params in steps:
                st.page_link(target.path, label=ui.t(label), icon=target.icon, query_params=params)
            if not steps:
                st.caption(ui.t("detail.no_actions"))
            with st.expander(ui.t("detail.history"), expanded=present):
                for e in audit.history(s, "finding", f.id):
                    st.caption(f"{clock.local(e.at):%Y-%m-%d %H:%M} · {ui.md(e.actor_name)} · {ui.md(e.action)} "
                               f"{ui.md(e.reason)}")


def _render_copy() -> Any:
    """A copy of the shared cached map document for this run: st_folium writes ids into the map
    it renders and adds the filter message to it; the document is small (no data)."""
    return copy.deepcopy(_cached_shell(lang, present, rt.settings.tiles, _data_url(), _asset_base()))


def _write_url(selected: list[int]) -> None:
    """Widgets -> URL (the filter of the last full run, the selection of this run)."""
    new_qp: dict[str, list[str]] = dict(filter_to_query(flt))
    if present:
        new_qp["present"] = ["1"]
    if selected:
        new_qp["finding"] = [str(selected[0])]
    if _url_state() != new_qp:
        lang_qp = qp.get("lang")
        qp.from_dict({**new_qp, **({"lang": lang_qp} if lang_qp else {})})
    ss["_map_qs"] = new_qp


refresh = rt.settings.map_refresh_seconds if present and rt.settings.map_refresh_seconds > 0 else None


@st.fragment(run_every=refresh)
def _map_and_detail() -> None:
    """The map, the summary and the detail panel: a click on the map reruns only this, and in
    presentation mode it re-reads the data by itself every FIELD_MAP_REFRESH_SECONDS."""
    view = View()
    with st.container(key="fs_map_row"):
        left, right = st.columns([2, 1] if present else [3, 2], gap="medium")
    with left:
        if not present:
            st.caption(ui.t("map.count", n=len(view.idx)) + " · " + ui.t("map.county_hint"))
        result = st_folium(_render_copy(), height=960 if present else 600, use_container_width=True,
                           returned_objects=list(RETURNED_OBJECTS), key="review_map",
                           feature_group_to_add=filter_group(view.spec))

    # --- clicks: each new click acts once (st_folium keeps returning the last one) ---------------
    sig = click_signature(result)
    if sig and sig != ss.get("_map_click"):
        ss["_map_click"] = sig
        sid = clicked_site_id(result)
        if sid is not None and sid in view.ids:
            ss["map_selected"] = [sid]
        elif sid is None:
            county = clicked_county(result)
            if county in county_labels and list(ss.get("f_county", [])) != [county]:
                ss["_pending_county"] = county
                ss["map_selected"] = []
                st.rerun()  # the filter widgets change: the whole page

    chosen = list(ss.get("map_selected", []))
    selected = [i for i in chosen if i in view.ids] if chosen else []
    with right:
        st.markdown(_summary_html(view), unsafe_allow_html=True)
        if chosen and not selected:
            st.caption(ui.t("map.not_visible"))
        if selected:
            for fid in selected:
                _detail(int(fid))
            if st.button(ui.t("map.clear"), key="fs_clear"):
                ss["map_selected"] = []
                _write_url([])
                st.rerun(scope="fragment")
        elif not present:
            st.caption(ui.t("map.click_hint"))
    _write_url(selected)


st.markdown(tablet_css + (present_css if present else ""), unsafe_allow_html=True)
_map_and_detail()

# --- exports of exactly this view, built only when a button is pressed (deferred downloads) ------
if not present:
    with st.expander(ui.t("map.export")):
        stamp = f"{today:%Y%m%d}"
        e1, e2, e3 = st.columns(3)
        names = dict(county_labels)
        e1.download_button(ui.t("map.export_geojson"),
                           lambda: mapexport.to_geojson(_rows_now(), lang=lang, county_names=names),
                           file_name=f"sites_{stamp}.geojson", mime="application/geo+json", key="dl_geojson",
                           on_click="ignore")
        e2.download_button(ui.t("map.export_csv"),
                           lambda: mapexport.to_csv(_rows_now(), lang=lang, county_names=names),
                           file_name=f"sites_{stamp}.csv", mime="text/csv", key="dl_csv", on_click="ignore")
        e3.download_button(ui.t("map.export_png"),
                           lambda: mapexport.png_map([{"lon": r["lon"], "lat": r["lat"], "status": r["status"]}
                                                      for r in _rows_now()], geo.units_geojson(level), lang=lang)[0],
                           file_name=f"map_{stamp}.png", mime="image/png", key="dl_png", on_click="ignore")
