"""报告: 每周一汇总、半月一调度、每月一报告 — the same choices as `python -m field report`, a
download of the .docx and its .xlsx annex, the archive of every report filed, and the 议定事项
(decisions) of each 调度会, recorded on the dispatch pack the meeting used."""

from __future__ import annotations

import datetime as dt

import streamlit as st

import ui
from field import geo, reports
from field.domain import clock
from field.domain.permissions import can
from field.domain.scope import Scope
from field.domain.vocab import DECISION_STATUS, DECISION_STORED
from field.reports import figures
from field.services import decisions

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "report.generate")
lang = ui.lang()
ss = st.session_state

st.title(ui.t("reports.title"))
scope = Scope.of(user)
# a province deployment offers its cities as well as the counties (field.domain.scope)
county_labels = {k: v for k, v in geo.unit_labels(lang).items() if scope.contains(k)}
province = geo.region_level() == "province"
whole = geo.region_key("report.scope_city")
c1, c2, c3 = st.columns(3)
kind = c1.selectbox(ui.t("reports.kind"), list(figures.KINDS), format_func=lambda k: ui.t(f"report.kind.{k}"),
                    key="rep_kind")
day = c2.date_input(ui.t("reports.date"), value=clock.today_local(), key="rep_date")
county = c3.selectbox(ui.t("reports.county"), [""] + list(county_labels),
                      format_func=lambda c: county_labels.get(c, ui.t(whole)) if c else
                      ui.t(whole), key="rep_county")
level = (st.radio(ui.t("map.level"), ("city", "county"), format_func=lambda v: ui.t(f"map.level_{v}"),
                  horizontal=True, key="rep_level") if province else "county")

if st.button(ui.t("reports.generate"), key="rep_go", type="primary"):
    with ui.action() as act:
        made = reports.generate(act.session, user, kind, day if isinstance(day, dt.date) else clock.today_local(),
                                settings=rt.settings, county=county or None, lang=lang, level=level)
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
                       ui.t("reports.col.scope"): ui.t(whole) if r.scope == ["*"] else
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

# --- 议定事项: the decisions of a 调度会, recorded on the pack it met on ------------------------------
if can(user, "decision.record") or can(user, "decision.report"):
    st.subheader(ui.t("decisions.title"))
    with rt.read() as s:
        packs = [r for r in reports.list_archive(s, user) if r.kind == "dispatch"]
    if not packs:
        st.info(ui.t("decisions.no_pack"))
    else:
        pack_id = st.selectbox(ui.t("decisions.pack"), [r.id for r in packs], key="dec_pack",
                               format_func=lambda i: next(f"#{r.id} {r.period_start} – {r.period_end}"
                                                          for r in packs if r.id == i))
        if can(user, "decision.record"):
            with st.form("dec_form", clear_on_submit=True):
                what = st.text_area(ui.t("decisions.content"), key="dec_content")
                f1, f2, f3, f4 = st.columns(4)
                unit = f1.text_input(ui.t("decisions.unit"), key="dec_unit")
                person = f2.text_input(ui.t("decisions.person"), key="dec_person")
                deadline = f3.date_input(ui.t("decisions.deadline"), value=None, key="dec_deadline")
                case_ref = f4.number_input(ui.t("decisions.case_no"), min_value=0, step=1, value=0, key="dec_case")
                ui.field_error("_form")
                if st.form_submit_button(ui.t("decisions.record"), type="primary"):
                    with ui.action() as act:
                        decisions.record(act.session, user, pack_id, decisions.DecisionInput(
                            what, unit, deadline if isinstance(deadline, dt.date) else None, person=person,
                            case_id=int(case_ref) or None))
                    if act.ok:
                        st.success(ui.t("decisions.recorded"))
        with rt.read() as s:
            made_there = decisions.for_pack(s, user, pack_id)
        if not made_there:
            st.info(ui.t("decisions.empty"))
        else:
            today = clock.today_local()
            st.dataframe([{ui.t("reports.col.id"): d.id, ui.t("decisions.content"): d.content,
                           ui.t("decisions.unit"): d.unit, ui.t("decisions.person"): d.person,
                           ui.t("decisions.deadline"): d.deadline,
                           ui.t("decisions.status"): DECISION_STATUS.label(
                               decisions.state(d.status, d.deadline, today), lang),
                           ui.t("decisions.note"): d.progress_text} for d in made_there],
                         width="stretch", hide_index=True, key="dec_table")
            with st.form("dec_update"):
                u1, u2 = st.columns([1, 1])
                pick_d = u1.selectbox(ui.t("decisions.pick"), [d.id for d in made_there], key="dec_pick",
                                      format_func=lambda i: next(f"#{d.id} {d.content[:30]}" for d in made_there
                                                                 if d.id == i))
                new_status = u2.selectbox(ui.t("decisions.status"), list(DECISION_STORED), key="dec_status",
                                          format_func=lambda c: DECISION_STATUS.label(c, lang))
                note = st.text_input(ui.t("decisions.note"), key="dec_note")
                if st.form_submit_button(ui.t("decisions.save")):
                    with ui.action() as act:
                        decisions.report(act.session, user, pick_d, new_status, note)
                    if act.ok:
                        st.rerun()  # the table above shows the new status
