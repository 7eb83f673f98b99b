"""每周填报: a responsible unit reports weekly on its measures (stage, percentage, what was done,
problems met, evidence files), sees each measure's computed 序时进度 and its report history;
case officers also see which units have not reported, or reported late. The rules (whose
measures, late or not, 序时进度) live in field.services.progress and field.domain.schedule."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

import ui
from field.domain import clock
from field.domain.permissions import can
from field.domain.vocab import DECISION_STATUS, DECISION_STORED, MEASURE_PROGRESS, REPORT_STAGES
from field.services import decisions, ledgers, progress
from ui import forms

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "measure.report")
lang = ui.lang()
ss = st.session_state
store = progress.EvidenceStore(rt.settings.data_dir)

st.title(ui.t("progress.ui.title"))
if user.role == "unit":
    st.caption(ui.t("progress.ui.unit", unit=ui.md(user.unit or "-")))
if ss.get("progress_msg"):
    st.success(ss.pop("progress_msg"))

now = clock.now()
today = now.astimezone(clock.CHINA_TZ).date()
this_week = progress.week_of(today)

with rt.read() as s:
    measures = progress.measures_for(s, user)
    rows = [{
        "id": m.id,
        ui.t("progress.ui.col_problem"): f"{m.problem.code} {m.problem.title[:40]}",
        ui.t("progress.ui.col_measure"): m.content[:80],
        ui.t("progress.ui.col_unit"): m.responsible_unit or m.lead_unit,
        ui.t("progress.ui.col_deadline"): m.deadline_text or (m.deadline.isoformat() if m.deadline else ""),
        ui.t("progress.ui.col_stage"): REPORT_STAGES.label(m.progress, lang),
        ui.t("progress.ui.col_percent"): m.percent,
        ui.t("progress.ui.col_schedule"): MEASURE_PROGRESS.label(ledgers.schedule_status(m, today), lang),
    } for m in measures]
    labels = {m.id: f"{m.problem.code}-{m.code or m.seq} {m.content[:50]}" for m in measures}
    last = {m.id: (m.progress, m.percent) for m in measures}

if not rows:
    st.info(ui.t("progress.ui.nothing"))
else:
    st.dataframe(pd.DataFrame(rows).drop(columns=["id"]), hide_index=True, width="stretch", key="progress_table")
    mid = st.selectbox(ui.t("progress.ui.pick"), list(labels), format_func=lambda i: labels[i], key="progress_pick")
    stage0, percent0 = last[mid]
    # Kept on a refusal (nothing typed is lost); a fresh form after a saved report.
    n = ss.setdefault("progress_form_n", 0)
    with st.form(f"progress_report_{mid}_{n}"):
        a, b, c = st.columns(3)
        week = a.date_input(ui.t("progress.ui.week"), value=this_week, max_value=today, key=f"progress_week_{n}")
        codes = REPORT_STAGES.codes
        stage = b.selectbox(ui.t("progress.ui.stage"), codes, index=codes.index(stage0) if stage0 in codes else 0,
                            format_func=lambda code: REPORT_STAGES.label(code, lang), key=f"progress_stage_{n}")
        percent = c.number_input(ui.t("progress.ui.percent"), min_value=0, max_value=100, step=5,
                                 value=int(percent0 or 0), key=f"progress_percent_{n}")
        done = st.text_area(ui.t("progress.ui.done"), key=f"progress_done_{n}")
        problems_met = st.text_area(ui.t("progress.ui.problems"), key=f"progress_problems_{n}")
        files = st.file_uploader(ui.t("progress.ui.files"), accept_multiple_files=True, key=f"progress_files_{n}")
        if st.form_submit_button(ui.t("progress.ui.submit"), type="primary"):
            data = progress.ReportInput(stage=stage, percent=int(percent), done_text=done,
                                        problems_text=problems_met, week=week,
                                        files=[(f.name, f.getvalue()) for f in files or []])
            with ui.action() as act:
                report = progress.submit_report(act.session, user, mid, data, store)
                ss["progress_form_n"] = n + 1
                ss["progress_msg"] = ui.t("progress.ui.submitted_late" if report.late else "progress.ui.submitted")
                st.rerun()

    st.subheader(ui.t("progress.ui.history"))
    with rt.read() as s:
        hist = [{
            ui.t("progress.ui.col_week"): r.week, ui.t("progress.ui.col_at"):
                r.reported_at.astimezone(clock.CHINA_TZ).strftime("%Y-%m-%d %H:%M") if r.reported_at.tzinfo
                else r.reported_at.strftime("%Y-%m-%d %H:%M"),
            ui.t("progress.ui.col_stage"): REPORT_STAGES.label(r.stage, lang),
            ui.t("progress.ui.col_percent"): r.percent,
            ui.t("progress.ui.col_late"): ui.t("progress.ui.late_mark") if r.late else "",
            ui.t("progress.ui.col_done"): r.done_text, ui.t("progress.ui.col_problems"): r.problems_text,
            ui.t("progress.ui.col_files"): "、".join(f"{f.filename} ({f.sha256[:12]})" for f in r.files),
        } for r in reversed(progress.history(s, user, mid))]
    if hist:
        st.dataframe(pd.DataFrame(hist), hide_index=True, width="stretch", key="progress_history")
    else:
        st.caption(ui.t("progress.ui.no_history"))

# --- 议定事项: the unit's word on what the last 调度会 decided for it (officers use the Reports page)
if user.role == "unit" and can(user, "decision.report"):
    st.subheader(ui.t("progress.ui.decisions"))
    forms.show_done("unit_dec")
    with rt.read() as s:
        mine = decisions.open_for(s, user)
    if not mine:
        st.info(ui.t("progress.ui.no_decisions"))
    else:
        st.dataframe(pd.DataFrame([{
            ui.t("reports.col.id"): d.id, ui.t("progress.ui.col_meeting"): d.meeting_on,
            ui.t("decisions.content"): d.content, ui.t("decisions.unit"): d.unit,
            ui.t("decisions.person"): d.person, ui.t("decisions.deadline"): d.deadline,
            ui.t("decisions.status"): DECISION_STATUS.label(decisions.state(d.status, d.deadline, today), lang),
            ui.t("decisions.note"): d.progress_text,
        } for d in mine]), hide_index=True, width="stretch", key="unit_dec_table")
        names = {d.id: f"#{d.id} {d.content[:40]}" for d in mine}
        with st.form(forms.key("unit_dec", "unit_dec_form")):
            d1, d2 = st.columns(2)
            pick = d1.selectbox(ui.t("decisions.pick"), list(names), format_func=lambda i: names[i],
                                key=forms.key("unit_dec", "unit_dec_pick"))
            new_status = d2.selectbox(ui.t("decisions.status"), list(DECISION_STORED), index=1,  # in progress
                                      key=forms.key("unit_dec", "unit_dec_status"),
                                      format_func=lambda c: DECISION_STATUS.label(c, lang))
            note = st.text_area(ui.t("decisions.note"), key=forms.key("unit_dec", "unit_dec_note"))
            if st.form_submit_button(ui.t("progress.ui.decision_submit"), type="primary"):
                with ui.action() as act:
                    saved = decisions.report(act.session, user, pick, new_status, note)
                    label = DECISION_STATUS.label(saved.status, lang)
                if act.ok:
                    forms.reset("unit_dec", "unit_dec_")
                    forms.done("unit_dec", ui.t("progress.ui.decision_saved", id=pick, status=label))
                    st.rerun()

if user.role != "unit" and can(user, "progress.view"):
    st.subheader(ui.t("progress.ui.missing_title"))
    # The last week whose due time has passed, unless this week's has already.
    default_week = this_week if now > progress.due_at(this_week) else this_week - dt.timedelta(days=7)
    week = st.date_input(ui.t("progress.ui.missing_week"), value=default_week, max_value=today,
                         key="progress_missing_week")
    week = progress.week_of(week)
    st.caption(ui.t("progress.ui.due", due=f"{progress.due_at(week):%Y-%m-%d %H:%M}"))
    with rt.read() as s:
        statuses = progress.missing_reports(s, user, week)
    if not statuses:
        st.success(ui.t("progress.ui.all_in"))
    else:
        st.dataframe(pd.DataFrame([{
            ui.t("progress.ui.col_unit"): u.unit, ui.t("progress.ui.col_missing"): len(u.missing),
            ui.t("progress.ui.col_late_n"): len(u.late),
            ui.t("progress.ui.col_which"): "；".join(labels.get(i, str(i))[:30] for i in u.missing),
        } for u in statuses]), hide_index=True, width="stretch", key="progress_missing")
