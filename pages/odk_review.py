"""离线提交审核: submissions from ODK Collect or an offline import that could not become a finding.

The reviewer sees the submission as it came (answers, photos kept by hash, why it was refused,
where it came from), corrects the site, types or location, leaves out photos the pipeline
refused, and accepts it — the finding is then made by the device user through the same
service as the OpenRosa route — or rejects it with a reason. `field.odk.submissions` checks
the role and the reviewer's counties and writes the audit event; this page lays it out.
"""

from __future__ import annotations

import streamlit as st

import ui
from field.data.odk_models import OdkSubmission
from field.domain import clock
from field.domain.errors import FieldError
from field.domain.vocab import POLLUTION_TYPES, SEVERITY
from field.odk import submissions

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "odk.review")
lang = ui.lang()
ss = st.session_state
stores = submissions.Stores.under(rt.store)

st.title(ui.t("odk.ui.review_title"))
if ss.get("rv_msg"):
    st.success(ss.pop("rv_msg"))

def _origin(row: OdkSubmission) -> str:
    if row.device is not None:
        return ui.t("odk.ui.from_device", label=row.device.label or f"#{row.device.id}")
    return ui.t("odk.ui.from_file", source=ui.t(f"offline.source.{row.source}"), file=row.source_file)


with rt.read() as s:
    queue = submissions.review_queue(s, user)
    if not queue:
        st.info(ui.t("odk.ui.review_empty"))
        st.stop()
    labels = {}
    for row in queue:
        try:
            site = submissions.answers(row).site_name
        except FieldError:
            site = ""
        labels[row.id] = f"#{row.id} · {clock.local(row.received_at):%m-%d %H:%M} · {site or '-'} · {row.user.username}"
    picked = st.selectbox(ui.t("odk.ui.pick"), list(labels), format_func=lambda i: labels[i], key="rv_pick")
    row = next(r for r in queue if r.id == picked)
    inst = submissions.answers(row)
    with st.container(border=True):
        st.markdown(f"**{ui.md(labels[row.id])}**  \n{ui.md(_origin(row))} · {ui.md(row.instance_id)}")
        reason = submissions.reason_text(row, lang)
        if row.state == "partial":
            st.warning(ui.t("odk.ui.partial", parts=row.parts))
        elif reason:
            st.error(ui.t("odk.ui.reason", reason=ui.md(reason)), icon="⚠️")
        near = (row.suggestions or {}).get("nearby") or []
        if near:
            st.caption(ui.t("odk.ui.nearby", ids="、".join(f"#{n['finding']}" for n in near)))
        for att in submissions.attachments(row, stores):
            if att.data is None:
                st.caption(ui.t("odk.ui.photo_missing", name=ui.md(att.name)))
            elif att.viewable:
                st.image(att.data, caption=att.name, width=240)
            else:
                st.caption(ui.t("odk.ui.photo_unreadable", name=ui.md(att.name)))

sid = row.id
with st.form(f"rv_fix_{sid}"):
    site_name = st.text_input(ui.t("odk.ui.site_name"), value=inst.site_name, key=f"rv_{sid}_site")
    address = st.text_input(ui.t("odk.ui.address"), value=inst.address, key=f"rv_{sid}_address")
    known = [t for t in inst.pollution_types if t in POLLUTION_TYPES]
    types = st.multiselect(ui.t("odk.ui.types"), POLLUTION_TYPES.codes, default=known, key=f"rv_{sid}_types",
                           format_func=lambda c: POLLUTION_TYPES.label(c, lang))
    severity = st.selectbox(ui.t("odk.ui.severity"), SEVERITY.codes, key=f"rv_{sid}_severity",
                            index=SEVERITY.codes.index(inst.severity) if inst.severity in SEVERITY else 0,
                            format_func=lambda c: SEVERITY.label(c, lang))
    description = st.text_area(ui.t("odk.ui.description"), value=inst.description, key=f"rv_{sid}_description")
    case_no = st.text_input(ui.t("odk.ui.case_no"), value=inst.case_no, key=f"rv_{sid}_case_no")
    location = st.text_input(ui.t("odk.ui.location"), value=inst.location, key=f"rv_{sid}_location",
                             help=ui.t("odk.ui.location_help"))
    drop = st.multiselect(ui.t("odk.ui.drop_photos"), inst.images, key=f"rv_{sid}_drop")
    accept = st.form_submit_button(ui.t("odk.ui.accept"), type="primary")

if accept:
    wanted = {"site_name": site_name, "address": address, "pollution_types": types, "severity": severity,
              "description": description, "case_no": case_no, "location": location}
    original = {k: getattr(inst, k) for k in wanted}
    fixes = {k: v for k, v in wanted.items() if v != original[k]}
    with ui.action() as act:
        finding = submissions.accept(act.session, user, sid, fixes, drop_photos=tuple(drop), stores=stores)
        ss["rv_msg"] = ui.t("odk.ui.accepted", id=sid, finding=finding.id)
        st.rerun()

with st.form(f"rv_reject_{sid}"):
    why = st.text_input(ui.t("odk.ui.reject_reason"), key=f"rv_{sid}_why")
    reject = st.form_submit_button(ui.t("odk.ui.reject"))
if reject:
    with ui.action() as act:
        submissions.reject(act.session, user, sid, why)
        ss["rv_msg"] = ui.t("odk.ui.rejected", id=sid)
        st.rerun()
