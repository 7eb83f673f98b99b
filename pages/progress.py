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
from field.domain.vocab import MEASURE_PROGRESS, REPORT_STAGES
from field.services import ledgers, progress

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
