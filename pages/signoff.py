"""验收销号: the supervisor's queue (sign or return), items in 公示 (objections), re-checks due.
Every rule (four eyes, scope, reasons, the chain) is enforced in field.services.signoff.

Rendering only reads: items whose 公示 has ended are closed by `python -m field advance`, not
by whoever happens to open this page. A button's action runs in its own unit of work after the
list is drawn."""

from __future__ import annotations

import streamlit as st

import ui
from field.data.models import Finding, FindingPhoto
from field.domain import clock
from field.domain.vocab import PHOTO_KINDS, STATUS, TRUTHFULNESS
from field.services import findings, queues, signoff
from ui import forms
from ui import queue as ui_queue

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "signoff.sign")
lang = ui.lang()
ss = st.session_state

st.title(ui.t("signoff.title"))
forms.show_done("signoff")


def _done(message: str, finding_id: int) -> None:
    """The decision is committed: say so, with a link to the finding's records (the sign-off
    sheet), and empty the decided record's text boxes."""
    forms.done("signoff", message, page="pages/records.py", label=ui.t("forms.view_record", id=finding_id),
               query_params={"finding": str(finding_id)})


def _record_view(f: Finding, rec) -> None:  # type: ignore[no-untyped-def]
    st.markdown(f"**{ui.t('capture.description')}**: {ui.md(f.description)}")
    if rec.kind == "correction":
        st.warning(ui.t("signoff.is_correction", old=rec.supersedes_id))
    st.markdown(f"**{ui.t('verify.truthfulness')}**: {TRUTHFULNESS.label(rec.truthfulness, lang)}")
    for key, value in (("verify.facts", rec.facts), ("verify.measures", rec.measures),
                       ("verify.accountability", rec.accountability), ("verify.conclusion", rec.conclusion),
                       ("verify.inspectors", "、".join(rec.inspectors or []))):
        if value:
            st.markdown(f"**{ui.t(key)}**: {ui.md(value)}")
    if rec.distance_m is not None and rec.distance_m > signoff.FAR_FROM_SITE_M:
        st.warning(ui.t("signoff.record_far", distance=int(rec.distance_m)))
    links: list[FindingPhoto] = list(f.photos)
    if links:
        cols = st.columns(min(len(links), 4))
        for i, link in enumerate(links):
            flags = "；".join(ui.t(fl["key"], **{k: v for k, v in fl.items() if k != "key"})
                             for fl in link.flags or [] if fl.get("key") != "photo.no_time")
            cols[i % len(cols)].image(ui.photo(link.photo.thumb_path),
                                      caption=PHOTO_KINDS.label(link.kind, lang) + (f" ⚠ {flags}" if flags else ""))


def queue_tab() -> None:
    clicked: tuple[str, int, str] | None = None
    with rt.read() as s:
        authors = queues.authors(s, user, "signoff")
    flt = ui_queue.controls("sq", user, authors=authors, statuses=ui_queue.ALL_STATUSES, default_sort="oldest")
    with rt.read() as s:
        page = queues.signoff_queue(s, user, flt)
        if not page.total:
            st.info(ui.t("signoff.empty") if flt == ui_queue.unfiltered(flt) else ui.t("queue.none"))
            return
        ui_queue.pager("sq", page)
        for item in page.items:
            f, rec = item["finding"], item["record"]
            title = f"#{f.id} {ui.md(f.site.name)} · {clock.local(item['since']):%Y-%m-%d}"
            if item["deadline"]:
                title += f" · {ui.t('queue.deadline', date=item['deadline'].isoformat())}"
            if item["overdue"]:
                title += f" · ⚠ {ui.t('signoff.overdue')}"
            with st.expander(title, expanded=len(page.items) <= 3):
                _record_view(f, rec)
                if item["own"]:
                    st.warning(ui.t("signoff.own_record"))
                opinion = st.text_input(ui.t("signoff.opinion"), key=f"op_{rec.id}")
                reason = st.text_input(ui.t("signoff.reason"), key=f"reason_{rec.id}")
                c1, c2 = st.columns(2)
                if c1.button(ui.t("signoff.sign"), key=f"sign_{rec.id}", type="primary", width="stretch"):
                    clicked = ("sign", rec.id, opinion)
                if c2.button(ui.t("signoff.return"), key=f"return_{rec.id}", width="stretch",
                             disabled=rec.kind == "correction"):
                    clicked = ("return", rec.id, reason)
    if clicked is None:
        return
    what, record_id, text = clicked
    with ui.action() as act:
        if what == "sign":
            so = signoff.sign(act.session, user, record_id, text, settings=rt.settings)
            fid = so.finding_id
            status = findings.get_finding(act.session, user, fid).status
            done = ui.t("forms.signed", id=fid, status=STATUS.label(status, lang))
        else:
            fid = signoff.return_for_rework(act.session, user, record_id, text).finding_id
            done = ui.t("forms.returned", id=fid)
    if act.ok:  # committed: only now is it true
        _done(done, fid)
        for k in (f"op_{record_id}", f"reason_{record_id}"):
            ss.pop(k, None)
        st.rerun()


def notice_tab() -> None:
    clicked: tuple[int, str] | None = None
    with rt.read() as s:
        items = signoff.in_notice(s, user)
        if not items:
            st.info(ui.t("signoff.notice_empty"))
            return
        for f in items:
            with st.expander(f"#{f.id} {ui.md(f.site.name)} · {ui.t('signoff.notice_until')} {f.notice_ends_on:%Y-%m-%d}"):
                st.markdown(ui.md(f.description))
                reason = st.text_input(ui.t("signoff.objection_reason"), key=f"obj_{f.id}")
                if st.button(ui.t("signoff.objection"), key=f"objbtn_{f.id}"):
                    clicked = (f.id, reason)
    if clicked is None:
        return
    with ui.action() as act:
        signoff.object_during_notice(act.session, user, *clicked)
    if act.ok:
        _done(ui.t("forms.objected", id=clicked[0]), clicked[0])
        ss.pop(f"obj_{clicked[0]}", None)
        st.rerun()


def recheck_tab() -> None:
    today = clock.today_local()
    with rt.read() as s:
        rows = [{"#": f.id, ui.t("capture.site_name"): f.site.name, ui.t("map.status"): STATUS.label(f.status, lang),
                 ui.t("verify.recheck_due"): f.recheck_due_on.isoformat() if f.recheck_due_on else "",
                 ui.t("signoff.overdue"): bool(f.recheck_due_on and f.recheck_due_on < today)}
                for f in signoff.due_rechecks(s, user)]
    if not rows:
        st.info(ui.t("verify.recheck_none"))
        return
    st.dataframe(rows, hide_index=True, width="stretch")


t1, t2, t3 = st.tabs([ui.t("signoff.tab_queue"), ui.t("signoff.tab_notice"), ui.t("signoff.tab_recheck")])
with t1:
    queue_tab()
with t2:
    notice_tab()
with t3:
    recheck_tab()
