"""现场核查: field staff write verification records (核查记录) with after-photos, re-checks (复查)
of closed items, and corrections of signed records (a new record; the signed one stays frozen)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import ui
from field.data.models import Finding, Verification
from field.domain import clock
from field.domain.errors import FieldError
from field.domain.permissions import in_scope
from field.domain.vocab import STATUS, TRUTHFULNESS
from field.services import signoff
from field.services.findings import store_photo

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "verification.create")
lang = ui.lang()
ss = st.session_state

st.title(ui.t("verify.title"))
if ss.get("verify_done"):
    st.success(ss.pop("verify_done"))


def _clear(prefix: str) -> None:
    for k in [k for k in ss.keys() if str(k).startswith(prefix)]:
        del ss[k]


def _store_uploads(s, uploads) -> list[int]:  # type: ignore[no-untyped-def]
    return [store_photo(s, user, up.getvalue(), up.name, rt.store).id for up in uploads or []]


def _fail(s, exc: Exception) -> None:  # type: ignore[no-untyped-def]
    s.rollback()
    if isinstance(exc, FieldError):
        ui.set_field_error(exc)
    else:  # a refused photo (field.photos.PhotoError): the typed text stays in the widgets
        ui.field_errors().clear()
        ui.field_errors()["photos"] = ui.error_text(exc)
    st.rerun()


def record_form() -> None:
    with rt.session() as s:
        candidates = [f for f in s.scalars(
            select(Finding).where(Finding.status.in_(("pending", "rectifying", "reopened")))
            .options(selectinload(Finding.site)).order_by(Finding.id.desc()).limit(500))
            if in_scope(user, f.site.county_adcode)]
        options = {f.id: f"#{f.id} {f.site.name} · {STATUS.label(f.status, lang)}" for f in candidates}
    if not options:
        st.info(ui.t("verify.none"))
        return
    preselect = st.query_params.get("finding")
    ids = list(options)
    index = ids.index(int(preselect)) if preselect and preselect.isdigit() and int(preselect) in ids else 0
    finding_id = st.selectbox(ui.t("verify.pick"), ids, index=index, format_func=lambda i: options[i],
                              key="ver_pick")
    truth = st.radio(ui.t("verify.truthfulness"), TRUTHFULNESS.codes, horizontal=True, key="ver_truth",
                     format_func=lambda c: TRUTHFULNESS.label(c, lang))
    ui.field_error("truthfulness")
    facts = st.text_area(ui.t("verify.facts"), key="ver_facts")
    ui.field_error("facts")
    measures = st.text_area(ui.t("verify.measures"), key="ver_measures")
    accountability = st.text_input(ui.t("verify.accountability"), key="ver_accountability")
    conclusion = st.text_input(ui.t("verify.conclusion"), key="ver_conclusion")
    inspectors = st.text_input(ui.t("verify.inspectors"), value=user.display_name, key="ver_inspectors")
    uploads = st.file_uploader(ui.t("verify.after_photos"), type=["jpg", "jpeg", "png", "heic", "heif"],
                               accept_multiple_files=True, key="ver_photos")
    ui.field_error("photos")
    if st.button(ui.t("verify.submit"), type="primary", width="stretch", key="ver_submit"):
        ui.field_errors().clear()
        with rt.session() as s:
            try:
                record = signoff.write_verification(s, user, finding_id, signoff.VerificationInput(
                    truthfulness=truth, facts=facts, measures=measures, accountability=accountability,
                    conclusion=conclusion, inspectors=inspectors.replace("，", ",").split(","),
                    after_photo_ids=_store_uploads(s, uploads)))
                s.commit()
                status = s.get(Finding, record.finding_id).status
            except (FieldError, ValueError) as exc:
                _fail(s, exc)
        ss["verify_done"] = ui.t("verify.created", status=STATUS.label(status, lang))
        _clear("ver_")
        st.rerun()
    ui.field_error("_form")


def recheck_form() -> None:
    with rt.session() as s:
        due = signoff.due_rechecks(s, user)
        options = {f.id: f"#{f.id} {f.site.name} · {ui.t('verify.recheck_due')} {f.recheck_due_on:%Y-%m-%d}"
                   for f in due}
    if not options:
        st.info(ui.t("verify.recheck_none"))
        return
    finding_id = st.selectbox(ui.t("verify.pick"), list(options), format_func=lambda i: options[i], key="rc_pick")
    rebound = st.radio(ui.t("verify.recheck_result"), [False, True], horizontal=True, key="rc_rebound",
                       format_func=lambda b: ui.t("verify.rebound") if b else ui.t("verify.no_rebound"))
    facts = st.text_area(ui.t("verify.facts"), key="rc_facts")
    uploads = st.file_uploader(ui.t("detail.photos"), type=["jpg", "jpeg", "png", "heic", "heif"],
                               accept_multiple_files=True, key="rc_photos")
    if st.button(ui.t("verify.recheck_submit"), type="primary", width="stretch", key="rc_submit"):
        with rt.session() as s:
            try:
                signoff.record_recheck(s, user, finding_id, rebound=rebound, facts=facts,
                                       photo_ids=_store_uploads(s, uploads))
                s.commit()
                status = s.get(Finding, finding_id).status
            except (FieldError, ValueError) as exc:
                s.rollback()
                st.error(ui.error_text(exc))
                return
        ss["verify_done"] = ui.t("verify.created", status=STATUS.label(status, lang))
        _clear("rc_")
        st.rerun()


def correction_form() -> None:
    with rt.session() as s:
        signed = [v for v in s.scalars(select(Verification).where(Verification.state == "signed")
                                       .order_by(Verification.id.desc()).limit(300))
                  if in_scope(user, s.get(Finding, v.finding_id).site.county_adcode)]
        options = {v.id: f"#{v.finding_id} · {ui.t('verify.record')} {v.id} · "
                         f"{clock.local(v.created_at):%Y-%m-%d} · {TRUTHFULNESS.label(v.truthfulness, lang)}"
                   for v in signed}
        originals = {v.id: v for v in signed}
    if not options:
        st.info(ui.t("verify.correct_none"))
        return
    st.caption(ui.t("verify.correct_hint"))
    vid = st.selectbox(ui.t("verify.record"), list(options), format_func=lambda i: options[i], key="cor_pick")
    old = originals[vid]
    truth = st.radio(ui.t("verify.truthfulness"), TRUTHFULNESS.codes, horizontal=True, key=f"cor_truth_{vid}",
                     index=TRUTHFULNESS.codes.index(old.truthfulness),
                     format_func=lambda c: TRUTHFULNESS.label(c, lang))
    facts = st.text_area(ui.t("verify.facts"), value=old.facts, key=f"cor_facts_{vid}")
    measures = st.text_area(ui.t("verify.measures"), value=old.measures, key=f"cor_measures_{vid}")
    conclusion = st.text_input(ui.t("verify.conclusion"), value=old.conclusion, key=f"cor_conclusion_{vid}")
    reason = st.text_input(ui.t("verify.correct_reason"), key=f"cor_reason_{vid}")
    if st.button(ui.t("verify.correct_submit"), type="primary", width="stretch", key="cor_submit"):
        with rt.session() as s:
            try:
                signoff.write_correction(s, user, vid, signoff.VerificationInput(
                    truthfulness=truth, facts=facts, measures=measures, accountability=old.accountability,
                    conclusion=conclusion, inspectors=list(old.inspectors or [])), reason=reason)
                s.commit()
            except FieldError as exc:
                s.rollback()
                st.error(ui.error_text(exc))
                return
        ss["verify_done"] = ui.t("verify.correct_done")
        _clear("cor_")
        st.rerun()


tab_verify, tab_recheck, tab_correct = st.tabs([ui.t("verify.tab_verify"), ui.t("verify.tab_recheck"),
                                                ui.t("verify.tab_correct")])
with tab_verify:
    record_form()
with tab_recheck:
    recheck_form()
with tab_correct:
    correction_form()
