"""报告: 每周一汇总、半月一调度、每月一报告 — the same choices as `python -m field report`, a
download of the .docx and its .xlsx annex, and the archive of every report filed."""

from __future__ import annotations

import datetime as dt

import streamlit as st

import ui
from field import geo, reports
from field.domain import clock
from field.domain.scope import Scope
from field.reports import figures

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "report.generate")
lang = ui.lang()
ss = st.session_state

st.title(ui.t("reports.title"))
scope = Scope.of(user)
county_labels = {c.adcode: c.label(lang) for c in geo.counties() if scope.contains(c.adcode)}
c1, c2, c3 = st.columns(3)
kind = c1.selectbox(ui.t("reports.kind"), list(figures.KINDS), format_func=lambda k: ui.t(f"report.kind.{k}"),
                    key="rep_kind")
day = c2.date_input(ui.t("reports.date"), value=clock.today_local(), key="rep_date")
county = c3.selectbox(ui.t("reports.county"), [""] + list(county_labels),
                      format_func=lambda c: county_labels.get(c, ui.t("report.scope_city")) if c else
                      ui.t("report.scope_city"), key="rep_county")

if st.button(ui.t("reports.generate"), key="rep_go", type="primary"):
    with ui.action() as act:
        made = reports.generate(act.session, user, kind, day if isinstance(day, dt.date) else clock.today_local(),
                                settings=rt.settings, county=county or None, lang=lang)
        ss["rep_made"] = {"name": made.archive.filename, "docx": made.docx, "xlsx": made.xlsx}
    if act.ok:
        st.success(ui.t("reports.done", name=ui.md(ss["rep_made"]["name"])))

made_now = ss.get("rep_made")
if made_now:
    d1, d2 = st.columns(2)
    d1.download_button(ui.t("reports.download_docx"), made_now["docx"], file_name=made_now["name"],
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       key="rep_dl_docx", on_click="ignore")
    d2.download_button(ui.t("reports.download_xlsx"), made_now["xlsx"],
                       file_name=made_now["name"].removesuffix(".docx") + ".xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="rep_dl_xlsx", on_click="ignore")

st.subheader(ui.t("reports.archive"))
with rt.read() as s:
    filed = reports.list_archive(s, user)
    if not filed:
        st.info(ui.t("reports.archive_empty"))
    else:
        st.dataframe([{ui.t("reports.col.id"): r.id, ui.t("reports.col.kind"): ui.t(f"report.kind.{r.kind}"),
                       ui.t("reports.col.period"): f"{r.period_start} – {r.period_end}",
                       ui.t("reports.col.scope"): ui.t("report.scope_city") if r.scope == ["*"] else
                       "、".join(county_labels.get(c, c) for c in r.scope),
                       ui.t("reports.col.author"): r.author_name,
                       ui.t("reports.col.at"): clock.local(r.created_at).strftime("%Y-%m-%d %H:%M"),
                       ui.t("reports.col.sha"): r.sha256[:16],
                       ui.t("reports.col.version"): (r.data_version or {}).get("digest", "")}
                      for r in filed], width="stretch", hide_index=True)
        pick = st.selectbox(ui.t("reports.col.id"), [r.id for r in filed], key="rep_pick",
                            format_func=lambda i: next(f"#{r.id} {r.filename}" for r in filed if r.id == i))
        row = next(r for r in filed if r.id == pick)
        st.download_button(ui.t("reports.download_docx"),
                           reports.archived_file(s, user, row.id, rt.settings.data_dir), file_name=row.filename,
                           mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                           key="rep_dl_archived", on_click="ignore")
