"""领导小组看板: the headline figures for the meeting screen (1920×1080) and a supervisor's tablet.

Every number comes from `field.reports.figures.compute`, the module the weekly / dispatch /
monthly reports print from, for the same period rule and scope: the screen and the paper can
never disagree, and there is no second counting code here. The page only lays them out —
metrics in rows of three (wide enough for a projector, still three across at 768 px on a
tablet), Altair bar charts through Streamlit, and the overdue list.

The filter is the map's (`ui.mapfilter.widgets`, the same widgets and `MapFilter`, without the
map's dates and free text: the period stands for them), applied inside `figures.compute`'s SQL.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

import ui
from field import geo
from field.domain import clock
from field.domain.errors import FieldError
from field.domain.scope import Scope
from field.domain.vocab import POLLUTION_TYPES, STATUS
from field.reports import figures
from field.services import ledgers
from ui import mapfilter

DASH_CSS = """
<style>
/* readable from the back of a meeting room: big figures, labels that wrap instead of cutting */
[data-testid="stMetricValue"] { font-size: clamp(2rem, 3.2vw, 3.4rem); }
[data-testid="stMetricLabel"] p { font-size: clamp(1rem, 1.3vw, 1.4rem); white-space: normal; }
</style>
"""

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "report.generate")
lang = ui.lang()
st.markdown(DASH_CSS, unsafe_allow_html=True)

st.title(ui.t("dash.title"))
scope = Scope.of(user)
# counties, or (a province deployment) cities and counties: the map's choice
county_labels = {k: v for k, v in geo.unit_labels(lang).items() if scope.contains(k)}
c1, c2 = st.columns(2)
kind = c1.radio(ui.t("dash.period"), list(figures.KINDS), format_func=lambda k: ui.t(f"dash.kind.{k}"),
                horizontal=True, key="dash_kind")
day = c2.date_input(ui.t("reports.date"), value=clock.today_local(), key="dash_date")
with rt.read() as s:
    batch_options = ledgers.batches(s, user)
with st.expander(ui.t("map.filters")):
    flt = mapfilter.widgets("dash_f_", county_labels, batch_options, lang, dates_and_text=False)
name = lambda c: county_labels.get(c, c) if c else ui.t("report.scope_city")  # noqa: E731

with rt.read() as s:
    try:
        fig = figures.compute(s, user, kind, day if isinstance(day, dt.date) else clock.today_local(),
                              feedback_days=rt.settings.feedback_days, flt=flt)
    except FieldError as exc:  # e.g. a county outside the scope, named in the user's language
        ui.show_error(exc)
        st.stop()

st.caption(ui.t("dash.period_line", start=fig.period_start, end=fig.period_end,
                version=fig.data_version.get("digest", "")))
if fig.empty:
    st.info(ui.t("report.no_data"))


def _rate(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}%"


def metrics(items: list[tuple[str, str | int]]) -> None:
    for start in range(0, len(items), 3):
        cols = st.columns(3)
        for col, (label, value) in zip(cols, items[start:start + 3], strict=False):
            col.metric(label, value, border=True)


st.subheader(ui.t("report.h.cases"))
metrics([(ui.t("dash.m.cases"), fig.cases_total), (ui.t("dash.m.closed_rate"), _rate(fig.closed_rate)),
         (ui.t("dash.m.on_time_rate"), _rate(fig.on_time_rate)),
         (ui.t("dash.m.closed_in_period"), fig.cases_closed_in_period), (ui.t("dash.m.overdue"), fig.cases_overdue),
         (ui.t("dash.m.feedback_late"), fig.cases_feedback_late)])
st.subheader(ui.t("dash.h.findings"))
metrics([(ui.t("dash.m.findings"), fig.findings_total), (ui.t("dash.m.findings_new"), fig.findings_new),
         (ui.t("dash.m.findings_closed"), fig.findings_closed_in_period), (ui.t("dash.m.rebound"), fig.rebound),
         (ui.t("dash.m.waiting", days=fig.wait_days), fig.waiting_signoff),
         (ui.t("dash.m.behind"), fig.measures_groups.get("behind", 0))])
st.subheader(ui.t("report.h.accountability"))
metrics([(ui.t("dash.m.acc_people"), fig.acc_people), (ui.t("dash.m.acc_talks"), fig.acc_talks),
         (ui.t("dash.m.acc_fines"), fig.acc_fines_wan)])

left, right = st.columns(2)
with left:
    st.subheader(ui.t("dash.h.by_status"))
    status_df = pd.DataFrame([{"status": STATUS.label(c, lang), "n": fig.findings_by_status.get(c, 0),
                               "colour": STATUS[c].colour or "#888888"} for c in STATUS.codes])
    st.altair_chart(alt.Chart(status_df).mark_bar().encode(
        x=alt.X("n:Q", title=ui.t("report.c.count")), y=alt.Y("status:N", sort=None, title=None),
        color=alt.Color("colour:N", scale=None), tooltip=["status", "n"]), width="stretch")
with right:
    st.subheader(ui.t("dash.h.by_county"))
    counties = sorted(set(fig.cases_by_county) | set(fig.findings_by_county))
    county_df = pd.DataFrame([{"county": name(c), "what": what, "n": src.get(c, 0)} for c in counties
                              for what, src in ((ui.t("report.c.cases"), fig.cases_by_county),
                                                (ui.t("report.c.findings"), fig.findings_by_county))])
    if not county_df.empty:
        st.altair_chart(alt.Chart(county_df).mark_bar().encode(
            x=alt.X("n:Q", title=ui.t("report.c.count")), y=alt.Y("county:N", title=None),
            yOffset="what:N", color=alt.Color("what:N", title=None), tooltip=["county", "what", "n"]),
            width="stretch")

left, right = st.columns(2)
with left:
    st.subheader(ui.t("dash.h.by_type"))
    type_df = pd.DataFrame([{"type": POLLUTION_TYPES.label(c, lang), "what": what, "n": src.get(c, 0)}
                            for c in POLLUTION_TYPES.codes if c in fig.cases_by_type or c in fig.findings_by_type
                            for what, src in ((ui.t("report.c.cases"), fig.cases_by_type),
                                              (ui.t("report.c.findings"), fig.findings_by_type))])
    if not type_df.empty:
        st.altair_chart(alt.Chart(type_df).mark_bar().encode(
            x=alt.X("n:Q", title=ui.t("report.c.count")), y=alt.Y("type:N", sort=None, title=None),
            yOffset="what:N", color=alt.Color("what:N", title=None), tooltip=["type", "what", "n"]),
            width="stretch")
with right:
    st.subheader(ui.t("dash.h.by_batch"))
    batch_keys = sorted(set(fig.cases_by_batch) | set(fig.findings_by_batch), key=lambda b: (b != "", int(b or 0)))
    batch_name = lambda b: ui.t("map.batch_n", n=b) if b else ui.t("dash.no_batch")  # noqa: E731
    batch_df = pd.DataFrame([{"batch": batch_name(b), "what": what, "n": src.get(b, 0)} for b in batch_keys
                             for what, src in ((ui.t("report.c.cases"), fig.cases_by_batch),
                                               (ui.t("report.c.findings"), fig.findings_by_batch))])
    if not batch_df.empty:
        st.altair_chart(alt.Chart(batch_df).mark_bar().encode(
            x=alt.X("n:Q", title=ui.t("report.c.count")), y=alt.Y("batch:N", sort=None, title=None),
            yOffset="what:N", color=alt.Color("what:N", title=None), tooltip=["batch", "what", "n"]),
            width="stretch")

st.subheader(ui.t("report.h.trend"))
trend_df = pd.DataFrame([{"week": x["week"], "what": what, "n": x[key]} for x in fig.trend
                         for what, key in ((ui.t("report.c.new_cases"), "cases_new"),
                                           (ui.t("report.c.new_findings"), "findings_new"))])
if not trend_df.empty:
    st.altair_chart(alt.Chart(trend_df).mark_line(point=True).encode(
        x=alt.X("week:N", title=ui.t("report.c.week")), y=alt.Y("n:Q", title=ui.t("report.c.count")),
        color=alt.Color("what:N", title=None), tooltip=["week", "what", "n"]), width="stretch")

st.subheader(ui.t("report.t.overdue"))
if fig.overdue_cases:
    st.dataframe([{ui.t("report.c.unit"): c.unit, ui.t("report.c.person"): c.person,
                   ui.t("report.c.deadline"): c.deadline, ui.t("report.c.case_no"): c.case_no,
                   ui.t("report.c.county"): name(c.county or ""), ui.t("report.c.content"): c.content}
                  for c in sorted(fig.overdue_cases, key=lambda c: (c.deadline or dt.date.min, c.case_no))],
                 width="stretch", hide_index=True)
else:
    st.info(ui.t("report.none"))
