"""案件督办: import 交办件 batches with a preview, the case list with deadline flags and bulk
responsibility, problems and measures, and the ledgers with .xlsx downloads. All rules live in
field.caseimport / field.services.ledgers; this page only lays them out."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

import ui
from field import caseimport as cases
from field import planimport
from field.data.ledger_models import Problem
from field.domain import clock
from field.domain.errors import FieldError
from field.domain.permissions import can, role_refusal
from field.domain.vocab import ACCOUNTABILITY_MEASURES, MEASURE_PROGRESS, POLLUTION_TYPES, REPORT_STAGES
from field.services import accountability, ledgers

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "case.list")
lang = ui.lang()
ss = st.session_state

st.title(ui.t("cases.ui.title"))
for key in ("cases_msg", "plan_msg", "acc_msg"):
    if ss.get(key):
        st.success(ss.pop(key))


def _progress_bar() -> Callable[[float, str], None]:
    bar = st.progress(0.0)

    def update(fraction: float, _stage: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0))

    return update


def _summary_text(summary: cases.ImportSummary) -> str:
    return ui.t("cases.ui.summary", **summary.as_dict())


def import_tab() -> None:
    if not can(user, "case.import"):
        st.info(ui.error_text(role_refusal("case.import", user.role)))
        return
    upload = st.file_uploader(ui.t("cases.ui.file"), type=["xlsx", "csv"], key="cases_file")
    c1, c2 = st.columns(2)
    batch = c1.text_input(ui.t("cases.ui.batch"), key="cases_batch")
    handed = c2.date_input(ui.t("cases.ui.handed_over"), value=None, key="cases_handed")
    inspection = c1.text_input(ui.t("cases.ui.inspection"), value=rt.settings.inspection, key="cases_inspection")
    confirm_date = c2.checkbox(ui.t("cases.ui.confirm_date"), key="cases_confirm_date")
    clear_blanks = st.checkbox(ui.t("cases.ui.clear_blanks"), key="cases_clear_blanks")
    if st.button(ui.t("cases.ui.preview"), disabled=upload is None, key="cases_preview"):
        ss.pop("cases_parsed", None)
        progress = _progress_bar()
        try:
            parsed = cases.parse_file(upload.getvalue(), upload.name, batch=batch.strip() or None,
                                      handed_over=handed, accept_suggested_date=confirm_date,
                                      inspection=inspection.strip() or None,
                                      default_inspection=rt.settings.inspection, progress=progress,
                                      feedback_days=rt.settings.feedback_days, city_adcode=rt.settings.city_adcode)
            with rt.read() as s:
                cases.preview_import(s, user, parsed, clear_blanks=clear_blanks)
            ss["cases_parsed"] = parsed
        except FieldError as exc:
            ui.show_error(exc)
    parsed: cases.ParsedFile | None = ss.get("cases_parsed")
    if parsed is None:
        return
    st.info(_summary_text(cases.summarise(parsed)))
    if parsed.inspection:
        st.caption(ui.t("cases.ui.inspection_from", source=ui.t("cases.ui.source." + parsed.inspection_source))
                   + f"：{parsed.inspection}")
    if parsed.handed_over is None and parsed.suggested_date is not None:
        st.caption(ui.t("cases.ui.suggested_date", date=parsed.suggested_date.isoformat()))
    for w in parsed.warnings:
        st.warning(w.text(lang))

    def action(r: cases.ParsedRow) -> str:
        return ui.t("cases.action.republished") if r.republished and r.action == "update" else \
            ui.t("cases.action." + (r.action or "skip"))

    def shown(v: object) -> str:
        text = "" if v is None else str(v)
        return text if len(text) <= 30 else text[:29] + "…"

    table = pd.DataFrame([{
        ui.t("cases.ui.col_row"): r.row_no,
        ui.t("cases.ui.col_status"): ui.t("cases.status." + r.status),
        ui.t("cases.ui.col_action"): action(r),
        ui.t("cases.ui.col_identity"): ui.t("cases.identity." + r.identity),
        ui.t("detail.case_no"): r.values.get("case_no", "") or r.key,
        ui.t("map.county"): r.values.get("region_text", ""),
        ui.t("map.types"): r.values.get("pollution_text", ""),
        ui.t("cases.ui.col_reasons"): "；".join(i.text(lang) for i in (*r.rejected, *r.warnings)),
        ui.t("cases.ui.col_changes"): "；".join(
            [f"{f}: {shown(old)} → {shown(new)}" for f, (old, new) in r.changes.items()]
            + ([f"batches + {'、'.join(str(b) for b in r.new_batches)}"] if r.action == "update" and r.new_batches
               else [])),
    } for r in parsed.rows])
    st.dataframe(table, hide_index=True, width="stretch")
    if st.button(ui.t("cases.ui.apply"), type="primary", key="cases_apply"):
        progress = _progress_bar()
        with ui.action() as act:
            summary = cases.apply_import(act.session, user, parsed, progress=progress)
        if act.ok:
            ss.pop("cases_parsed", None)
            ss["cases_msg"] = ui.t("cases.ui.done", summary=_summary_text(summary))
            st.rerun()


def _plan_summary_text(summary: planimport.PlanSummary) -> str:
    return ui.t("plan.ui.summary", **summary.as_dict())


def plan_tab() -> None:
    """Upload -> preview (each row's action, warnings and how its deadline was read) -> confirm."""
    if not can(user, "plan.import"):
        st.info(ui.error_text(role_refusal("plan.import", user.role)))
        return
    upload = st.file_uploader(ui.t("plan.ui.file"), type=["xlsx", "csv"], key="plan_file")
    if st.button(ui.t("plan.ui.preview"), disabled=upload is None, key="plan_preview"):
        ss.pop("plan_parsed", None)
        with ui.action() as act:  # a dry run: parses and compares, writes nothing
            parsed, _summary = planimport.import_plan(act.session, user, upload.getvalue(), upload.name,
                                                      dry_run=True)
        if act.ok:
            ss["plan_parsed"] = parsed
    plan: planimport.ParsedPlan | None = ss.get("plan_parsed")
    if plan is None:
        return
    st.info(_plan_summary_text(planimport.summarise(plan)))
    for w in plan.warnings:
        st.warning(w.text(lang))
    table = pd.DataFrame([{
        ui.t("plan.ui.col_row"): r.row_no,
        ui.t("cases.ui.col_status"): ui.t("cases.status." + r.status),
        ui.t("plan.ui.col_action"): ui.t("plan.action." + (r.action or "skip")),
        ui.t("plan.ui.col_aspect"): r.problem.get("aspect", ""),
        ui.t("plan.ui.col_problem"): r.problem.get("title", "")[:60],
        ui.t("plan.ui.col_measure"): r.measure.get("content", "")[:80],
        ui.t("plan.ui.col_unit"): r.measure.get("lead_unit") or r.measure.get("responsible_unit", ""),
        ui.t("plan.ui.col_deadline_text"): r.deadline.text if r.deadline else "",
        ui.t("plan.ui.col_deadline"): (r.deadline.date.isoformat() if r.deadline and r.deadline.date
                                       else ui.t("plan.ui.standing") if r.deadline and r.deadline.standing
                                       else ""),
        ui.t("plan.ui.col_rule"): ui.t(r.deadline.rule) if r.deadline else "",
        ui.t("plan.ui.col_reasons"): "；".join(i.text(lang) for i in (*r.rejected, *r.warnings)),
        ui.t("plan.ui.col_changed"): ", ".join(r.changed),
    } for r in plan.rows])
    st.dataframe(table, hide_index=True, width="stretch", key="plan_table")
    if st.button(ui.t("plan.ui.apply"), type="primary", key="plan_apply"):
        with ui.action() as act:
            summary = planimport.apply_plan(act.session, user, plan)
        if act.ok:
            ss.pop("plan_parsed", None)
            ss["plan_msg"] = ui.t("plan.ui.done", summary=_plan_summary_text(summary))
            st.rerun()


def _batch_label(batch: int | None) -> str:
    return ui.t("common.all") if batch is None else ui.t("map.batch_n", n=batch)


def cases_tab() -> None:
    with rt.read() as s:
        batch_list = ledgers.batches(s, user)
    c1, c2, c3 = st.columns(3)
    batch = c1.selectbox(ui.t("map.batch"), [None, *batch_list], key="cases_f_batch", format_func=_batch_label)
    flag = c2.selectbox(ui.t("cases.ui.filter_flag"), [None, "overdue", "due_soon"], key="cases_f_flag",
                        format_func=lambda f: ui.t("common.all") if f is None else ui.t("cases.flag." + f))
    text = c3.text_input(ui.t("map.text"), key="cases_f_text")
    key_only = st.checkbox(ui.t("map.key_attention"), key="cases_f_key")
    with rt.read() as s:
        rows = cases.list_cases(s, user, batch=batch, flag=flag, text=text, key_only=key_only, limit=5000)
        ids = [r.case.id for r in rows]
        df = pd.DataFrame([{
            ui.t("detail.case_no"): r.case.case_no, ui.t("map.batch"): r.case.batch,
            ui.t("map.county"): r.case.region_text,
            ui.t("map.types"): r.case.pollution_text or "、".join(POLLUTION_TYPES.label(t, lang)
                                                                 for t in r.case.pollution_types),
            ui.t("cases.ui.filter_flag"): ui.t("cases.flag." + r.flag) if r.flag else "",
            ui.t("detail.unit"): r.case.responsible_unit, ui.t("detail.deadline"): r.case.deadline,
            "⭐": "⭐" if r.case.key_attention else "",
            ui.t("capture.description"): r.case.content[:80],
        } for r in rows])
    if not ids:
        st.info(ui.t("cases.ui.nothing"))
        return
    event = st.dataframe(df, hide_index=True, width="stretch", on_select="rerun", selection_mode="multi-row",
                         key="cases_table")
    picked = [ids[i] for i in (event.selection.rows if event else [])]
    if not can(user, "case.edit"):
        return
    if not picked:
        st.caption(ui.t("cases.ui.select_hint"))
        return
    with st.form("cases_assign"):
        st.subheader(ui.t("cases.ui.assign", n=len(picked)))
        a, b = st.columns(2)
        lead = a.text_input(ui.t("cases.form.lead_unit"))
        unit = b.text_input(ui.t("detail.unit"))
        coop = a.text_input(ui.t("cases.form.coop_unit"))
        person = b.text_input(ui.t("cases.form.person"))
        phone = a.text_input(ui.t("cases.form.phone"))
        deadline = b.date_input(ui.t("detail.deadline"), value=None)
        if st.form_submit_button(ui.t("common.save"), type="primary"):
            with ui.action() as act:
                n = cases.assign_responsibility(act.session, user, picked, lead_unit=lead or None,
                                                responsible_unit=unit or None, coop_unit=coop or None,
                                                person=person or None, phone=phone or None, deadline=deadline)
            if act.ok:
                ss["cases_msg"] = ui.t("cases.ui.assigned", n=n)
                st.rerun()


def problems_tab() -> None:
    editable = can(user, "case.edit")
    if editable:
        with rt.read() as s:
            counties = ledgers.county_names(s, lang)
        with st.expander(ui.t("cases.ui.new_problem")), st.form("problem_new", clear_on_submit=True):
            title = st.text_area(ui.t("cases.form.problem"))
            a, b = st.columns(2)
            code = a.text_input(ui.t("cases.form.problem_code"))
            aspect = b.text_input(ui.t("cases.form.aspect"))
            target = st.text_input(ui.t("cases.form.target"))
            county = a.selectbox(ui.t("map.county"), [None, *counties],
                                 format_func=lambda c: ui.t("cases.ui.city_wide") if c is None else counties[c])
            deadline = b.date_input(ui.t("detail.deadline"), value=None)
            lead = a.text_input(ui.t("cases.form.lead_unit"))
            unit = b.text_input(ui.t("detail.unit"))
            person = a.text_input(ui.t("cases.form.person"))
            phone = b.text_input(ui.t("cases.form.phone"))
            if st.form_submit_button(ui.t("common.save"), type="primary"):
                with ui.action() as act:
                    ledgers.create_problem(act.session, user, ledgers.ProblemInput(
                        title=title, code=code, aspect=aspect, target=target, county_adcode=county,
                        deadline=deadline, lead_unit=lead, responsible_unit=unit, responsible_person=person,
                        responsible_phone=phone))
                if act.ok:
                    ss["cases_msg"] = ui.t("common.saved")
                    st.rerun()
    today = clock.today_local()
    # Drawn inside the read: the problems' measures are loaded objects of this session.
    with rt.read() as s:
        for p in ledgers.list_problems(s, user):
            with st.expander(f"{ui.md(p.code)} {ui.md(p.title[:60])}"):
                st.markdown(ui.md(p.target))
                if p.measures:
                    st.dataframe(pd.DataFrame([{
                        "#": m.seq, ui.t("cases.form.measure"): m.content,
                        ui.t("detail.unit"): m.responsible_unit or p.responsible_unit,
                        ui.t("detail.deadline"): m.deadline,
                        ui.t("plan.ui.col_deadline_text"): m.deadline_text,
                        ui.t("plan.ui.stage"): REPORT_STAGES.label(m.progress, lang),
                        ui.t("plan.ui.schedule"): MEASURE_PROGRESS.label(ledgers.schedule_status(m, today), lang),
                        ui.t("cases.ui.filter_flag"): ui.t("cases.flag." + f) if (f := cases.deadline_flag(
                            m.deadline, today, done=m.progress in ("rectified", "closed", "standing"))) else "",
                    } for m in p.measures]), hide_index=True, width="stretch")
                if editable:
                    _measure_forms(p)


def _measure_forms(p: Problem) -> None:
    with st.form(f"measure_new_{p.id}", clear_on_submit=True):
        st.caption(ui.t("cases.ui.new_measure"))
        content = st.text_area(ui.t("cases.form.measure"), key=f"m_content_{p.id}")
        a, b = st.columns(2)
        unit = a.text_input(ui.t("detail.unit"), key=f"m_unit_{p.id}")
        deadline = b.date_input(ui.t("detail.deadline"), value=None, key=f"m_deadline_{p.id}")
        if st.form_submit_button(ui.t("common.save")):
            with ui.action() as act:
                ledgers.add_measure(act.session, user, p.id, ledgers.MeasureInput(content=content,
                                                                                  responsible_unit=unit,
                                                                                  deadline=deadline))
            if not act.ok:
                return
            st.rerun()
    if p.measures:
        with st.form(f"measure_progress_{p.id}"):
            st.caption(ui.t("cases.ui.update_progress"))
            mid = st.selectbox("#", [m.id for m in p.measures], key=f"mp_pick_{p.id}",
                               format_func=lambda i: next(f"{m.seq}. {m.content[:40]}" for m in p.measures
                                                          if m.id == i))
            # The stage only: 序时进度 follows from it and the dates (field.domain.schedule).
            progress = st.selectbox(ui.t("plan.ui.stage"), REPORT_STAGES.codes,
                                    format_func=lambda c: REPORT_STAGES.label(c, lang), key=f"mp_val_{p.id}")
            note = st.text_input(ui.t("cases.form.progress_text"), key=f"mp_note_{p.id}")
            link = st.text_input(ui.t("cases.ui.link_case"), key=f"mp_link_{p.id}")
            if st.form_submit_button(ui.t("common.save")):
                changes = {"progress": progress}
                if note:
                    changes["progress_text"] = note
                with ui.action() as act:
                    ledgers.update_measure(act.session, user, mid, **changes)
                    if link.strip():
                        ledgers.link_case_no(act.session, user, p.id, link)
                if act.ok:
                    ss["cases_msg"] = ui.t("common.saved")
                    st.rerun()


def ledgers_tab() -> None:
    if not can(user, "ledger.export"):
        st.info(ui.error_text(role_refusal("ledger.export", user.role)))
        return
    with rt.read() as s:
        batch_list = ledgers.batches(s, user)
    a, b = st.columns(2)
    kind = a.selectbox(ui.t("cases.ui.kind"), list(ledgers.KINDS), key="led_kind",
                       format_func=lambda k: ui.t(ledgers.KINDS[k]))
    batch = b.selectbox(ui.t("map.batch"), [None, *batch_list], key="led_batch",
                        format_func=_batch_label,
                        disabled=kind not in ("public", "petitions"))
    if kind not in ("public", "petitions"):
        batch = None
    with rt.read() as s:
        try:
            led = ledgers.build_ledger(s, user, kind, lang=lang, batch=batch)
        except FieldError as exc:
            ui.show_error(exc)
            return
    st.caption(ui.t("cases.ui.rows", n=len(led.rows)))
    st.dataframe(pd.DataFrame(led.table(lang, limit=2000)), hide_index=True, width="stretch")  # typed columns
    if st.button(ui.t("cases.ui.export"), key="led_export"):
        progress = _progress_bar()
        with ui.action() as act:
            data = ledgers.export_xlsx(act.session, user, kind, lang=lang, batch=batch, progress=progress)
        if act.ok:
            ss["led_file"] = (f"{led.title}-{clock.today_local():%Y%m%d}.xlsx", data)
    if ss.get("led_file"):
        name, data = ss["led_file"]
        st.download_button(ui.t("cases.ui.download", name=ui.md(name)), data, file_name=name, key="led_download",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _record_fields(prefix: str, pre: accountability.RecordInput | None = None) -> accountability.RecordInput:
    """The fields of one record (inside a form), pre-filled from a suggestion when given."""
    pre = pre or accountability.RecordInput(measure=ACCOUNTABILITY_MEASURES.codes[0], person="")
    a, b = st.columns(2)
    person = a.text_input(ui.t("acc.ui.person"), value=pre.person, key=f"{prefix}_person")
    post = b.text_input(ui.t("acc.ui.post"), value=pre.post, key=f"{prefix}_post")
    unit = a.text_input(ui.t("acc.ui.unit"), value=pre.unit, key=f"{prefix}_unit")
    codes = ACCOUNTABILITY_MEASURES.codes
    measure = b.selectbox(ui.t("acc.ui.measure"), codes, index=codes.index(pre.measure), key=f"{prefix}_measure",
                          format_func=lambda c: ACCOUNTABILITY_MEASURES.label(c, lang))
    fine = a.text_input(ui.t("acc.ui.fine"), value="" if pre.fine_yuan is None else str(pre.fine_yuan),
                        key=f"{prefix}_fine")
    decided = b.date_input(ui.t("acc.ui.date"), value=None, key=f"{prefix}_date")
    doc = a.text_input(ui.t("acc.ui.document"), key=f"{prefix}_doc")
    return accountability.RecordInput(measure=measure, person=person, post=post, unit=unit, case_id=pre.case_id,
                                      problem_id=pre.problem_id, fine_yuan=fine.strip() or None,
                                      decided_on=decided, document_no=doc, source_text=pre.source_text)


def _save_record(data: accountability.RecordInput) -> None:
    with ui.action() as act:
        accountability.add_record(act.session, user, data)
    if act.ok:
        ss["acc_msg"] = ui.t("acc.ui.saved")
        st.rerun()


def accountability_tab() -> None:
    if not can(user, "accountability.view"):
        st.info(ui.error_text(role_refusal("accountability.view", user.role)))
        return
    with rt.read() as s:
        records = accountability.list_records(s, user)
        problems = {p.id: f"{p.code} {p.title[:40]}" for p in ledgers.list_problems(s, user)}
        rows = [{
            ui.t("acc.ui.person"): r.person, ui.t("acc.ui.post"): r.post, ui.t("acc.ui.unit"): r.unit,
            ui.t("acc.ui.measure"): ACCOUNTABILITY_MEASURES.label(r.measure, lang),
            ui.t("acc.ui.fine"): float(r.fine_yuan) if r.fine_yuan is not None else None,
            ui.t("acc.ui.date"): r.decided_on, ui.t("acc.ui.document"): r.document_no,
            ui.t("acc.ui.case"): r.case.case_no if r.case_id and r.case else "",
            ui.t("acc.ui.problem"): problems.get(r.problem_id, "") if r.problem_id else "",
            ui.t("acc.ui.source"): r.source_text[:80],
        } for r in records]
    st.subheader(accountability.counts(records).sentence(lang))
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="acc_table")
    else:
        st.info(ui.t("acc.ui.none"))
    if not can(user, "accountability.edit"):
        return
    with st.expander(ui.t("acc.ui.from_case"), expanded=bool(ss.get("acc_prefill"))):
        c1, c2 = st.columns([3, 1])
        case_no = c1.text_input(ui.t("acc.ui.case_no"), key="acc_case_no")
        if c2.button(ui.t("acc.ui.lookup"), key="acc_lookup"):
            ss.pop("acc_prefill", None)
            with ui.action() as act:
                found = accountability.prefill_from_case(act.session, user, case_no)
            if act.ok:
                ss["acc_prefill"] = found
        for c in ss.get("acc_prefill") or []:
            st.markdown("**" + ui.md(ui.t("acc.ui.case_head", case_no=c.case_no, batch=c.batch or "-")) + "**")
            if not c.text:
                st.caption(ui.t("acc.ui.no_text"))
            else:
                st.markdown("> " + ui.md(c.text))
            suggestions = c.suggestions or [accountability.RecordInput(
                measure=ACCOUNTABILITY_MEASURES.codes[0], person="", case_id=c.case_id, source_text=c.text)]
            for n, pre in enumerate(suggestions, 1):
                with st.form(f"acc_case_{c.case_id}_{n}"):
                    st.caption(ui.t("acc.ui.suggested", n=n))
                    data = _record_fields(f"acc_c{c.case_id}_{n}", pre)
                    if st.form_submit_button(ui.t("acc.ui.confirm"), type="primary"):
                        _save_record(data)
    if problems:
        with st.expander(ui.t("acc.ui.new_for_problem")), st.form("acc_problem", clear_on_submit=True):
            pid = st.selectbox(ui.t("acc.ui.problem"), list(problems), format_func=lambda i: problems[i],
                               key="acc_p_pick")
            data = _record_fields("acc_p", accountability.RecordInput(
                measure=ACCOUNTABILITY_MEASURES.codes[0], person="", problem_id=pid))
            if st.form_submit_button(ui.t("acc.ui.confirm"), type="primary"):
                _save_record(data)


t_import, t_plan, t_cases, t_problems, t_ledgers, t_acc = st.tabs([
    ui.t("cases.ui.tab_import"), ui.t("plan.ui.tab"), ui.t("cases.ui.tab_cases"), ui.t("cases.ui.tab_problems"),
    ui.t("cases.ui.tab_ledgers"), ui.t("acc.ui.tab")])
with t_import:
    import_tab()
with t_plan:
    plan_tab()
with t_cases:
    cases_tab()
with t_problems:
    problems_tab()
with t_ledgers:
    ledgers_tab()
with t_acc:
    accountability_tab()
