"""案件督办: import 交办件 batches with a preview, the case list with deadline flags and bulk
responsibility, problems and measures, and the ledgers with .xlsx downloads. All rules live in
field.caseimport / field.services.ledgers; this page only lays them out."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

import ui
from field import caseimport as cases
from field.data.ledger_models import Problem
from field.data.models import Case, County
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


def _progress_bar():  # type: ignore[no-untyped-def]
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
    batch = c1.number_input(ui.t("cases.ui.batch"), min_value=0, max_value=999, value=0, step=1, key="cases_batch")
    handed = c2.date_input(ui.t("cases.ui.handed_over"), value=None, key="cases_handed")
    if st.button(ui.t("cases.ui.preview"), disabled=upload is None, key="cases_preview"):
        ss.pop("cases_parsed", None)
        progress = _progress_bar()
        try:
            parsed = cases.parse_file(upload.getvalue(), upload.name, batch=int(batch) or None,
                                      handed_over=handed, progress=progress)
            with rt.session() as s:
                cases.preview_import(s, user, parsed)
            ss["cases_parsed"] = parsed
        except FieldError as exc:
            ui.show_error(exc)
    parsed: cases.ParsedFile | None = ss.get("cases_parsed")
    if parsed is None:
        return
    st.info(_summary_text(cases.summarise(parsed)))
    for w in parsed.warnings:
        st.warning(w.text(lang))
    table = pd.DataFrame([{
        ui.t("cases.ui.col_row"): r.row_no,
        ui.t("cases.ui.col_status"): ui.t("cases.status." + r.status),
        ui.t("cases.ui.col_action"): ui.t("cases.action." + (r.action or "skip")),
        ui.t("detail.case_no"): r.values.get("case_no", ""),
        ui.t("map.county"): r.values.get("region_text", ""),
        ui.t("map.types"): r.values.get("pollution_text", ""),
        ui.t("cases.ui.col_reasons"): "；".join(i.text(lang) for i in (*r.rejected, *r.warnings)),
        ui.t("cases.ui.col_changed"): ", ".join(r.changed),
    } for r in parsed.rows])
    st.dataframe(table, hide_index=True, width="stretch")
    if st.button(ui.t("cases.ui.apply"), type="primary", key="cases_apply"):
        progress = _progress_bar()
        with rt.session() as s:
            try:
                summary = cases.apply_import(s, user, parsed, progress=progress)
                s.commit()
            except FieldError as exc:
                s.rollback()
                ui.show_error(exc)
                return
        ss.pop("cases_parsed", None)
        ss["cases_msg"] = ui.t("cases.ui.done", summary=_summary_text(summary))
        st.rerun()


def cases_tab() -> None:
    with rt.session() as s:
        batch_list = cases.batches(s)
    c1, c2, c3 = st.columns(3)
    batch = c1.selectbox(ui.t("map.batch"), [None, *batch_list], key="cases_f_batch",
                         format_func=lambda b: ui.t("common.all") if b is None else f"第{b}批")
    flag = c2.selectbox(ui.t("cases.ui.filter_flag"), [None, "overdue", "due_soon"], key="cases_f_flag",
                        format_func=lambda f: ui.t("common.all") if f is None else ui.t("cases.flag." + f))
    text = c3.text_input(ui.t("map.text"), key="cases_f_text")
    key_only = st.checkbox(ui.t("map.key_attention"), key="cases_f_key")
    with rt.session() as s:
        rows = cases.list_cases(s, user, batch=batch, flag=flag, text=text, key_only=key_only, limit=5000)
    if not rows:
        st.info(ui.t("cases.ui.nothing"))
        return
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
        lead = a.text_input("牵头单位" if lang == "zh" else "Lead unit")
        unit = b.text_input(ui.t("detail.unit"))
        coop = a.text_input("配合单位" if lang == "zh" else "Co-operating units")
        person = b.text_input("责任人" if lang == "zh" else "Person responsible")
        phone = a.text_input("联系电话" if lang == "zh" else "Phone")
        deadline = b.date_input(ui.t("detail.deadline"), value=None)
        if st.form_submit_button(ui.t("common.save"), type="primary"):
            with rt.session() as s:
                try:
                    n = cases.assign_responsibility(s, user, picked, lead_unit=lead or None,
                                                    responsible_unit=unit or None, coop_unit=coop or None,
                                                    person=person or None, phone=phone or None, deadline=deadline)
                    s.commit()
                except FieldError as exc:
                    s.rollback()
                    ui.show_error(exc)
                    return
            ss["cases_msg"] = ui.t("cases.ui.assigned", n=n)
            st.rerun()


def problems_tab() -> None:
    with rt.session() as s:
        problems = ledgers.list_problems(s, user)
        counties = {c.adcode: c.name for c in s.query(County).order_by(County.adcode)}
        for p in problems:
            s.expunge(p)
    editable = can(user, "case.edit")
    if editable:
        with st.expander(ui.t("cases.ui.new_problem")), st.form("problem_new", clear_on_submit=True):
            title = st.text_area("整改问题" if lang == "zh" else "Problem")
            a, b = st.columns(2)
            code = a.text_input("问题编号" if lang == "zh" else "Problem no.")
            aspect = b.text_input("方面" if lang == "zh" else "Aspect")
            target = st.text_input("整改目标" if lang == "zh" else "Target")
            county = a.selectbox(ui.t("map.county"), [None, *counties],
                                 format_func=lambda c: ui.t("cases.ui.city_wide") if c is None else counties[c])
            deadline = b.date_input(ui.t("detail.deadline"), value=None)
            lead = a.text_input("牵头单位" if lang == "zh" else "Lead unit")
            unit = b.text_input(ui.t("detail.unit"))
            person = a.text_input("责任人" if lang == "zh" else "Person responsible")
            phone = b.text_input("联系电话" if lang == "zh" else "Phone")
            if st.form_submit_button(ui.t("common.save"), type="primary"):
                with rt.session() as s:
                    try:
                        ledgers.create_problem(s, user, ledgers.ProblemInput(
                            title=title, code=code, aspect=aspect, target=target, county_adcode=county,
                            deadline=deadline, lead_unit=lead, responsible_unit=unit, responsible_person=person,
                            responsible_phone=phone))
                        s.commit()
                    except FieldError as exc:
                        s.rollback()
                        ui.show_error(exc)
                        return
                ss["cases_msg"] = ui.t("common.saved")
                st.rerun()
    today = clock.today_local()
    for p in problems:
        with st.expander(f"{p.code} {p.title[:60]}"):
            st.markdown(ui.md(p.target))
            if p.measures:
                st.dataframe(pd.DataFrame([{
                    "#": m.seq, "整改措施" if lang == "zh" else "Measure": m.content,
                    ui.t("detail.unit"): m.responsible_unit or p.responsible_unit,
                    ui.t("detail.deadline"): m.deadline,
                    "进展" if lang == "zh" else "Progress": MEASURE_PROGRESS.label(m.progress, lang),
                    ui.t("cases.ui.filter_flag"): ui.t("cases.flag." + f) if (f := cases.deadline_flag(
                        m.deadline, today, done=m.progress in ("rectified", "closed", "standing"))) else "",
                } for m in p.measures]), hide_index=True, width="stretch")
            if editable:
                _measure_forms(p)


def _measure_forms(p: Problem) -> None:
    with st.form(f"measure_new_{p.id}", clear_on_submit=True):
        st.caption(ui.t("cases.ui.new_measure"))
        content = st.text_area("整改措施" if lang == "zh" else "Measure", key=f"m_content_{p.id}")
        a, b = st.columns(2)
        unit = a.text_input(ui.t("detail.unit"), key=f"m_unit_{p.id}")
        deadline = b.date_input(ui.t("detail.deadline"), value=None, key=f"m_deadline_{p.id}")
        if st.form_submit_button(ui.t("common.save")):
            with rt.session() as s:
                try:
                    ledgers.add_measure(s, user, p.id, ledgers.MeasureInput(content=content, responsible_unit=unit,
                                                                            deadline=deadline))
                    s.commit()
                except FieldError as exc:
                    s.rollback()
                    ui.show_error(exc)
                    return
            st.rerun()
    if p.measures:
        with st.form(f"measure_progress_{p.id}"):
            st.caption(ui.t("cases.ui.update_progress"))
            mid = st.selectbox("#", [m.id for m in p.measures], key=f"mp_pick_{p.id}",
                               format_func=lambda i: next(f"{m.seq}. {m.content[:40]}" for m in p.measures
                                                          if m.id == i))
            progress = st.selectbox("进展" if lang == "zh" else "Progress", MEASURE_PROGRESS.codes,
                                    format_func=lambda c: MEASURE_PROGRESS.label(c, lang), key=f"mp_val_{p.id}")
            note = st.text_input("目前进展情况及存在问题" if lang == "zh" else "Progress and issues", key=f"mp_note_{p.id}")
            link = st.text_input(ui.t("cases.ui.link_case"), key=f"mp_link_{p.id}")
            if st.form_submit_button(ui.t("common.save")):
                with rt.session() as s:
                    try:
                        changes = {"progress": progress}
                        if note:
                            changes["progress_text"] = note
                        ledgers.update_measure(s, user, mid, **changes)
                        if link.strip():
                            case_ids = [c.id for c in s.query(Case).filter(Case.case_no == link.strip())]
                            if not case_ids:
                                raise FieldError("ledger.case_not_found", id=link.strip())
                            for cid in case_ids:
                                ledgers.link_case(s, user, p.id, cid)
                        s.commit()
                    except FieldError as exc:
                        s.rollback()
                        ui.show_error(exc)
                        return
                ss["cases_msg"] = ui.t("common.saved")
                st.rerun()


def ledgers_tab() -> None:
    if not can(user, "ledger.export"):
        st.info(ui.t("perm.role", action="ledger.export"))
        return
    with rt.session() as s:
        batch_list = cases.batches(s)
    a, b = st.columns(2)
    kind = a.selectbox(ui.t("cases.ui.kind"), list(ledgers.KINDS), key="led_kind",
                       format_func=lambda k: ui.t(ledgers.KINDS[k]))
    batch = b.selectbox(ui.t("map.batch"), [None, *batch_list], key="led_batch",
                        format_func=lambda x: ui.t("common.all") if x is None else f"第{x}批",
                        disabled=kind not in ("public", "petitions"))
    if kind not in ("public", "petitions"):
        batch = None
    with rt.session() as s:
        try:
            led = ledgers.build_ledger(s, user, kind, lang=lang, batch=batch)
        except FieldError as exc:
            ui.show_error(exc)
            return
    st.caption(ui.t("cases.ui.rows", n=len(led.rows)))
    st.dataframe(pd.DataFrame(led.rows[:2000], columns=led.headers(lang)), hide_index=True, width="stretch")
    if st.button(ui.t("cases.ui.export"), key="led_export"):
        progress = _progress_bar()
        with rt.session() as s:
            try:
                ss["led_file"] = (f"{led.title}-{dt.date.today():%Y%m%d}.xlsx",
                                  ledgers.export_xlsx(s, user, kind, lang=lang, batch=batch, progress=progress))
                s.commit()
            except FieldError as exc:
                s.rollback()
                ui.show_error(exc)
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
