"""现场核查: field staff write verification records (核查记录) with after-photos, re-checks (复查)
of closed items, and corrections of signed records (a new record; the signed one stays frozen)."""

from __future__ import annotations

import streamlit as st

import ui
from field.domain import clock
from field.domain.vocab import STATUS, TRUTHFULNESS
from field.services import signoff
from field.services.findings import store_photo
from ui import forms

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "verification.create")
lang = ui.lang()
ss = st.session_state

st.title(ui.t("verify.title"))
forms.show_done("verify")


def _succeeded(form: str, prefix: str, message: str, finding_id: int) -> None:
    """Empty the form (new widget keys, the preselected finding dropped) and say what was made,
    with a link to it."""
    forms.reset(form, prefix)
    if "finding" in st.query_params:
        del st.query_params["finding"]
    forms.done("verify", message, page="pages/map.py", label=ui.t("forms.view_finding", id=finding_id),
               query_params={"finding": str(finding_id)})


def _store_uploads(s, uploads) -> list[int]:  # type: ignore[no-untyped-def]
    return [store_photo(s, user, up.getvalue(), up.name, rt.store).id for up in uploads or []]


def record_form() -> None:
    with rt.read() as s:
        options = {f.id: f"#{f.id} {f.site.name} · {STATUS.label(f.status, lang)}"
                   for f in signoff.verifiable(s, user)}
    if not options:
        st.info(ui.t("verify.none"))
        return
    preselect = st.query_params.get("finding")
    ids = list(options)
    index = ids.index(int(preselect)) if preselect and preselect.isdigit() and int(preselect) in ids else 0
    finding_id = st.selectbox(ui.t("verify.pick"), ids, index=index, format_func=lambda i: options[i],
                              key=forms.key("ver", "ver_pick"))
    truth = st.radio(ui.t("verify.truthfulness"), TRUTHFULNESS.codes, horizontal=True, key=forms.key("ver", "ver_truth"),
                     format_func=lambda c: TRUTHFULNESS.label(c, lang))
    ui.field_error("truthfulness")
    facts = st.text_area(ui.t("verify.facts"), key=forms.key("ver", "ver_facts"))
    ui.field_error("facts")
    measures = st.text_area(ui.t("verify.measures"), key=forms.key("ver", "ver_measures"))
    accountability = st.text_input(ui.t("verify.accountability"), key=forms.key("ver", "ver_accountability"))
    conclusion = st.text_input(ui.t("verify.conclusion"), key=forms.key("ver", "ver_conclusion"))
    inspectors = st.text_input(ui.t("verify.inspectors"), value=user.display_name, key=forms.key("ver", "ver_inspectors"))
    uploads = st.file_uploader(ui.t("verify.after_photos"), type=["jpg", "jpeg", "png", "heic", "heif"],
                               accept_multiple_files=True, key=forms.key("ver", "ver_photos"))
    ui.field_error("photos")
    if st.button(ui.t("verify.submit"), type="primary", width="stretch", key=forms.key("ver", "ver_submit")):
        ui.field_errors().clear()
        # A refused photo or record: the message goes next to its field, the typed text stays.
        with ui.action(inline=True) as act:
            record = signoff.write_verification(act.session, user, finding_id, signoff.VerificationInput(
                truthfulness=truth, facts=facts, measures=measures, accountability=accountability,
                conclusion=conclusion, inspectors=inspectors.replace("，", ",").split(","),
                after_photo_ids=_store_uploads(act.session, uploads)))
            status = record.finding.status
        if act.ok:
            _succeeded("ver", "ver_", ui.t("forms.verified", id=finding_id, status=STATUS.label(status, lang)),
                       finding_id)
        st.rerun()
    ui.field_error("_form")


def recheck_form() -> None:
    with rt.read() as s:
        options = {f.id: f"#{f.id} {f.site.name} · {ui.t('verify.recheck_due')} {f.recheck_due_on:%Y-%m-%d}"
                   for f in signoff.due_rechecks(s, user)}
    if not options:
        st.info(ui.t("verify.recheck_none"))
        return
    finding_id = st.selectbox(ui.t("verify.pick"), list(options), format_func=lambda i: options[i], key=forms.key("rc", "rc_pick"))
    rebound = st.radio(ui.t("verify.recheck_result"), [False, True], horizontal=True, key=forms.key("rc", "rc_rebound"),
                       format_func=lambda b: ui.t("verify.rebound") if b else ui.t("verify.no_rebound"))
    facts = st.text_area(ui.t("verify.facts"), key=forms.key("rc", "rc_facts"))
    uploads = st.file_uploader(ui.t("detail.photos"), type=["jpg", "jpeg", "png", "heic", "heif"],
                               accept_multiple_files=True, key=forms.key("rc", "rc_photos"))
    if st.button(ui.t("verify.recheck_submit"), type="primary", width="stretch", key=forms.key("rc", "rc_submit")):
        with ui.action() as act:
            record = signoff.record_recheck(act.session, user, finding_id, rebound=rebound, facts=facts,
                                            photo_ids=_store_uploads(act.session, uploads), settings=rt.settings)
            status = record.finding.status
        if act.ok:
            _succeeded("rc", "rc_", ui.t("forms.rechecked", id=finding_id, status=STATUS.label(status, lang)),
                       finding_id)
            st.rerun()


def correction_form() -> None:
    with rt.read() as s:
        signed = [{"id": v.id, "finding_id": v.finding_id, "created_at": v.created_at,
                   "truthfulness": v.truthfulness, "facts": v.facts, "measures": v.measures,
                   "conclusion": v.conclusion, "accountability": v.accountability,
                   "inspectors": list(v.inspectors or [])} for v in signoff.correctable(s, user)]
    options = {v["id"]: f"#{v['finding_id']} · {ui.t('verify.record')} {v['id']} · "
                        f"{clock.local(v['created_at']):%Y-%m-%d} · {TRUTHFULNESS.label(v['truthfulness'], lang)}"
               for v in signed}
    originals = {v["id"]: v for v in signed}
    if not options:
        st.info(ui.t("verify.correct_none"))
        return
    st.caption(ui.t("verify.correct_hint"))
    vid = st.selectbox(ui.t("verify.record"), list(options), format_func=lambda i: options[i], key=forms.key("cor", "cor_pick"))
    old = originals[vid]
    truth = st.radio(ui.t("verify.truthfulness"), TRUTHFULNESS.codes, horizontal=True, key=forms.key("cor", f"cor_truth_{vid}"),
                     index=TRUTHFULNESS.codes.index(old["truthfulness"]),
                     format_func=lambda c: TRUTHFULNESS.label(c, lang))
    facts = st.text_area(ui.t("verify.facts"), value=old["facts"], key=forms.key("cor", f"cor_facts_{vid}"))
    measures = st.text_area(ui.t("verify.measures"), value=old["measures"], key=forms.key("cor", f"cor_measures_{vid}"))
    conclusion = st.text_input(ui.t("verify.conclusion"), value=old["conclusion"], key=forms.key("cor", f"cor_conclusion_{vid}"))
    reason = st.text_input(ui.t("verify.correct_reason"), key=forms.key("cor", f"cor_reason_{vid}"))
    if st.button(ui.t("verify.correct_submit"), type="primary", width="stretch", key=forms.key("cor", "cor_submit")):
        with ui.action() as act:
            signoff.write_correction(act.session, user, vid, signoff.VerificationInput(
                truthfulness=truth, facts=facts, measures=measures, accountability=old["accountability"],
                conclusion=conclusion, inspectors=old["inspectors"]), reason=reason)
        if act.ok:
            _succeeded("cor", "cor_", ui.t("forms.corrected", id=old["finding_id"]), old["finding_id"])
            st.rerun()


tab_verify, tab_recheck, tab_correct = st.tabs([ui.t("verify.tab_verify"), ui.t("verify.tab_recheck"),
                                                ui.t("verify.tab_correct")])
with tab_verify:
    record_form()
with tab_recheck:
    recheck_form()
with tab_correct:
    correction_form()
