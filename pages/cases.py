"""案件督办: import 交办件 batches with a preview, the case list with deadline flags and bulk
responsibility, problems and measures, and the ledgers with .xlsx downloads. All rules live in
field.caseimport / field.services.ledgers; this page only lays them out."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

import ui
from field import caseimport as cases
from field.data.ledger_models import Problem
from field.domain import clock
from field.domain.errors import FieldError
from field.domain.permissions import can
from field.domain.vocab import MEASURE_PROGRESS, POLLUTION_TYPES
from field.services import ledgers

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "case.list")
lang = ui.lang()
ss = st.session_state

st.title(ui.t("cases.ui.title"))
for key in ("cases_msg",):
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
        st.info(ui.t("perm.role", action="case.import"))
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
            with st.expander(f"{p.code} {p.title[:60]}"):
                st.markdown(ui.md(p.target))
                if p.measures:
                    st.dataframe(pd.DataFrame([{
                        "#": m.seq, ui.t("cases.form.measure"): m.content,
                        ui.t("detail.unit"): m.responsible_unit or p.responsible_unit,
                        ui.t("detail.deadline"): m.deadline,
                        ui.t("cases.form.progress"): MEASURE_PROGRESS.label(m.progress, lang),
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
            progress = st.selectbox(ui.t("cases.form.progress"), MEASURE_PROGRESS.codes,
                                    format_func=lambda c: MEASURE_PROGRESS.label(c, lang), key=f"mp_val_{p.id}")
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
        st.info(ui.t("perm.role", action="ledger.export"))
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
        st.download_button(ui.t("cases.ui.download", name=name), data, file_name=name, key="led_download",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


t_import, t_cases, t_problems, t_ledgers = st.tabs([ui.t("cases.ui.tab_import"), ui.t("cases.ui.tab_cases"),
                                                    ui.t("cases.ui.tab_problems"), ui.t("cases.ui.tab_ledgers")])
with t_import:
    import_tab()
with t_cases:
    cases_tab()
with t_problems:
    problems_tab()
with t_ledgers:
    ledgers_tab()
