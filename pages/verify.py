"""现场核查: field staff write the verification record (核查记录) with after-photos."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import ui
from field import signoff
from field.errors import FieldError
from field.findings import store_photo
from field.models import Finding
from field.permissions import in_scope
from field.vocab import STATUS, TRUTHFULNESS

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "verification.create")
lang = ui.lang()
ss = st.session_state

st.title(ui.t("verify.title"))
if ss.get("verify_done"):
    st.success(ss.pop("verify_done"))

with rt.session() as s:
    candidates = [f for f in s.scalars(
        select(Finding).where(Finding.status.in_(("pending", "rectifying", "reopened")))
        .options(selectinload(Finding.site)).order_by(Finding.id.desc()).limit(500))
        if in_scope(user, f.site.county_adcode)]
    options = {f.id: f"#{f.id} {f.site.name} · {STATUS.label(f.status, lang)}" for f in candidates}
if not options:
    st.info(ui.t("verify.none"))
    st.stop()

preselect = st.query_params.get("finding")
ids = list(options)
index = ids.index(int(preselect)) if preselect and preselect.isdigit() and int(preselect) in ids else 0
finding_id = st.selectbox(ui.t("verify.pick"), ids, index=index, format_func=lambda i: options[i], key="ver_pick")

truth = st.radio(ui.t("verify.truthfulness"), TRUTHFULNESS.codes, horizontal=True, key="ver_truth",
                 format_func=lambda c: TRUTHFULNESS.label(c, lang))
facts = st.text_area(ui.t("verify.facts"), key="ver_facts")
ui.field_error("facts")
measures = st.text_area(ui.t("verify.measures"), key="ver_measures")
accountability = st.text_input(ui.t("verify.accountability"), key="ver_accountability")
conclusion = st.text_input(ui.t("verify.conclusion"), key="ver_conclusion")
inspectors = st.text_input(ui.t("verify.inspectors"), value=user.display_name, key="ver_inspectors")
uploads = st.file_uploader(ui.t("verify.after_photos"), type=["jpg", "jpeg", "png", "heic", "heif"],
                           accept_multiple_files=True, key="ver_photos")
ui.field_error("photos")
ui.field_error("truthfulness")

if st.button(ui.t("verify.submit"), type="primary", width="stretch", key="ver_submit"):
    ui.field_errors().clear()
    with rt.session() as s:
        try:
            photo_ids = [store_photo(s, user, up.getvalue(), up.name, rt.store).id for up in uploads or []]
            record = signoff.write_verification(s, user, finding_id, signoff.VerificationInput(
                truthfulness=truth, facts=facts, measures=measures, accountability=accountability,
                conclusion=conclusion, inspectors=[x for x in inspectors.replace("，", ",").split(",")],
                after_photo_ids=photo_ids))
            s.commit()
            status = s.get(Finding, record.finding_id).status
        except (FieldError, ValueError) as exc:
            s.rollback()
            if isinstance(exc, FieldError):
                ui.set_field_error(exc)
            else:
                ui.field_errors()["photos"] = ui.error_text(exc)
            st.rerun()
    ss["verify_done"] = ui.t("verify.created", status=STATUS.label(status, lang))
    for k in [k for k in ss.keys() if str(k).startswith("ver_")]:
        del ss[k]
    st.rerun()
ui.field_error("_form")
