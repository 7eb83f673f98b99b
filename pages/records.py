"""档案导出: find a finding (by number, 受理编号 or site name, within the user's counties) and
download its 核查验收单 PDFs and its 一案一档 zip. The QR code on a printed sheet links here
(`?finding=ID&record=VID`). Scope and permission are enforced again by the services."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import streamlit as st

import ui
from field.data.models import User
from field.domain import clock
from field.domain.errors import FieldError
from field.domain.vocab import STATUS, TRUTHFULNESS
from field.exports import dossier, sheets
from field.reports import ReportStore
from field.services import signoff
from field.services.findings import MapFilter, get_finding, map_rows

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "dossier.export")
lang = ui.lang()
qp = st.query_params
MAX_CHOICES = 50

st.title(ui.t("records.title"))


def _base_url() -> str:
    """Where the QR code should point: FIELD_PUBLIC_URL when set (reverse proxies, intranet
    names), otherwise the address this browser used."""
    configured = rt.settings.public_url.strip()
    if configured:
        return configured.rstrip("/")
    parts = urlsplit(str(getattr(st.context, "url", "") or ""))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _deferred(make: Callable[..., bytes], *args: object, **kwargs: object) -> Callable[[], bytes]:
    """Build the file only when the button is pressed, in its own read-only session (Streamlit
    runs the callable on another thread); the service checks the user's permission again there."""
    user_id = user.id

    def run() -> bytes:
        with rt.read() as s:
            actor = s.get(User, user_id)
            return make(s, actor, *args, rt.store, pdf_font=rt.settings.pdf_font, **kwargs)

    return run


font = sheets.font_status(rt.settings.pdf_font)
if not font["found"]:
    st.error(ui.t("sheet.no_cjk_font", env=sheets.FONT_ENV))

query = st.text_input(ui.t("records.search"), value=qp.get("finding", ""), key="records_q").strip()
with rt.read() as s:
    try:
        rows = map_rows(s, user, MapFilter(text="" if query.lstrip("#F").isdigit() else query))
    except FieldError as exc:
        ui.show_error(exc)
        st.stop()
    if query.lstrip("#Ff").isdigit():
        wanted = int(query.lstrip("#Ff"))
        rows = [r for r in rows if r["id"] == wanted] or [r for r in rows if str(wanted) in r["case_no"]]
    rows = sorted(rows, key=lambda r: r["id"], reverse=True)
    if not rows:
        st.info(ui.t("records.none"))
        st.stop()
    if len(rows) > MAX_CHOICES:
        st.caption(ui.t("records.more", n=MAX_CHOICES))
    choices = {r["id"]: r for r in rows[:MAX_CHOICES]}
    fid = st.selectbox(ui.t("records.pick"), list(choices), key="records_pick", format_func=lambda i: (
        f"#{i} {choices[i]['name']} · {choices[i]['case_no'] or '—'} · {STATUS.label(choices[i]['status'], lang)}"))

    try:
        finding = get_finding(s, user, int(fid))
    except FieldError as exc:
        ui.show_error(exc)
        st.stop()
    st.markdown(f"**#{finding.id} {ui.md(finding.site.name)}** · {STATUS.label(finding.status, lang)}")
    st.caption(ui.md(finding.description[:300]))
    base_url = _base_url()
    reports_dir = ReportStore(rt.settings.data_dir).root  # the dispatch packs 议定事项 were made on

    st.download_button(ui.t("records.dossier"), _deferred(dossier.case_dossier, finding.id, lang=lang,
                                                          base_url=base_url, reports_dir=reports_dir),
                       file_name=dossier.dossier_filename(f"F{finding.id}"), mime="application/zip",
                       on_click="ignore", type="primary", icon="🗂️", key=f"dossier_{finding.id}")
    if finding.case_id is not None:
        st.download_button(ui.t("records.case_dossier"), _deferred(dossier.case_dossier, f"C{finding.case_id}",
                                                                   lang=lang, base_url=base_url,
                                                                   reports_dir=reports_dir),
                           file_name=dossier.dossier_filename(f"C{finding.case_id}"), mime="application/zip",
                           on_click="ignore", icon="📁", key=f"case_dossier_{finding.case_id}")

    if not finding.verifications:
        st.info(ui.t("records.no_records"))
    highlight = qp.get("record", "")
    decisions = signoff.latest_signoffs(s, user, finding)
    for rec in reversed(finding.verifications):
        so = decisions.get(rec.id)
        if so is None:
            state = ui.t("records.unsigned")
        else:
            who = so.signer.display_name or so.signer.username
            when = clock.local(so.signed_at).strftime("%Y-%m-%d %H:%M")
            state = ui.t("records.signed" if so.decision == "approve" else "records.returned", who=ui.md(who),
                         when=when, code=sheets.verification_code(so.chain_hash))
        with st.container(border=True):
            mark = "➡️ " if highlight == str(rec.id) else ""
            st.markdown(f"{mark}**V{rec.id}** · {clock.local(rec.created_at):%Y-%m-%d %H:%M} · "
                        f"{TRUTHFULNESS.label(rec.truthfulness, lang)} · {state}")
            st.download_button(ui.t("records.sheet"), _deferred(sheets.verification_sheet, rec.id, lang=lang,
                                                                base_url=base_url),
                               file_name=f"sheet_F{finding.id}_V{rec.id}.pdf", mime="application/pdf",
                               on_click="ignore", icon="📄", disabled=not font["found"], key=f"sheet_{rec.id}")
if font["found"]:
    # the font's file path is for the operator, not the reader of the page: it goes in the tooltip
    st.caption(ui.t("records.font"), help=ui.md(font["path"]))
