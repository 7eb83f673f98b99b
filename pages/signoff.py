"""验收销号: the supervisor's queue; sign or return for rework (the rules are in field.signoff)."""

from __future__ import annotations

import streamlit as st

import ui
from field import clock, signoff
from field.errors import FieldError
from field.models import FindingPhoto
from field.vocab import PHOTO_KINDS, STATUS, TRUTHFULNESS

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "signoff.sign")
lang = ui.lang()
ss = st.session_state

st.title(ui.t("signoff.title"))
for key in ("signoff_msg",):
    if ss.get(key):
        st.success(ss.pop(key))

with rt.session() as s:
    signoff.advance_notices(s, settings=rt.settings)
    try:
        items = signoff.queue(s, user)
    except FieldError as exc:
        ui.show_error(exc)
        st.stop()
    if not items:
        st.info(ui.t("signoff.empty"))
        st.stop()
    for item in items:
        f, rec = item["finding"], item["record"]
        title = f"#{f.id} {f.site.name} · {clock.local(item['since']):%Y-%m-%d}"
        if item["overdue"]:
            title += f" · ⚠ {ui.t('signoff.overdue')}"
        with st.expander(title, expanded=len(items) <= 3):
            st.markdown(f"**{ui.t('capture.description')}**: {ui.md(f.description)}")
            st.markdown(f"**{ui.t('verify.truthfulness')}**: {TRUTHFULNESS.label(rec.truthfulness, lang)}")
            st.markdown(f"**{ui.t('verify.facts')}**: {ui.md(rec.facts)}")
            st.markdown(f"**{ui.t('verify.measures')}**: {ui.md(rec.measures)}")
            st.markdown(f"**{ui.t('verify.conclusion')}**: {ui.md(rec.conclusion)}")
            st.markdown(f"**{ui.t('verify.inspectors')}**: {ui.md('、'.join(rec.inspectors or []))}")
            links: list[FindingPhoto] = list(f.photos)
            if links:
                cols = st.columns(min(len(links), 4))
                for i, link in enumerate(links):
                    cols[i % len(cols)].image(str(rt.store.abspath(link.photo.thumb_path)),
                                              caption=PHOTO_KINDS.label(link.kind, lang))
            if item["own"]:
                st.warning(ui.t("signoff.own_record"))
            opinion = st.text_input(ui.t("signoff.opinion"), key=f"op_{rec.id}")
            reason = st.text_input(ui.t("signoff.reason"), key=f"reason_{rec.id}")
            c1, c2 = st.columns(2)
            if c1.button(ui.t("signoff.sign"), key=f"sign_{rec.id}", type="primary", width="stretch"):
                try:
                    so = signoff.sign(s, user, rec.id, opinion, settings=rt.settings)
                    status = s.get(type(f), so.finding_id).status
                    ss["signoff_msg"] = ui.t("signoff.signed", status=STATUS.label(status, lang))
                    st.rerun()
                except FieldError as exc:
                    s.rollback()
                    ui.show_error(exc)
            if c2.button(ui.t("signoff.return"), key=f"return_{rec.id}", width="stretch"):
                try:
                    signoff.return_for_rework(s, user, rec.id, reason)
                    ss["signoff_msg"] = ui.t("signoff.returned")
                    st.rerun()
                except FieldError as exc:
                    s.rollback()
                    ui.show_error(exc)
