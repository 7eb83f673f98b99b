"""离线数据导入: an ODK Central, KoboToolbox or QField export, previewed, then imported.

The preview says per row what importing would do (new, already imported, to review and why)
and stores nothing; the import runs the same rows through `field.odk.offline.run`, which makes
each finding as an OpenRosa submission would (this user as the author). A file is re-read on
import rather than kept from the preview, and the import is offered only for the file that was
previewed.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from field.odk import offline, submissions

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "finding.create")
lang = ui.lang()
ss = st.session_state

st.title(ui.t("offline.ui.title"))
st.caption(ui.t("offline.ui.intro"))
upload = st.file_uploader(ui.t("offline.ui.file"), type=["zip", "xlsx", "csv", "gpkg"], key="off_file")
extra = st.file_uploader(ui.t("offline.ui.attachments"), type=["zip"], key="off_attachments")
signature = (upload.file_id, extra.file_id if extra else None) if upload is not None else None


def _read() -> offline.Parsed:
    assert upload is not None
    return offline.read(upload.getvalue(), upload.name, attachments=extra.getvalue() if extra else None)


def _show(result: dict[str, object]) -> None:
    for w in result["warnings"]:  # type: ignore[attr-defined]
        st.warning(ui.md(w))
    st.markdown(ui.md(result["summary"]))
    st.dataframe(pd.DataFrame(result["table"]), hide_index=True, width="stretch")


if st.button(ui.t("offline.ui.preview"), disabled=upload is None, key="off_preview"):
    ss.pop("off_done", None)
    ss.pop("off_checked", None)
    with ui.action() as act:
        parsed = _read()
        reports = offline.preview(act.session, user, parsed)
        ss["off_checked"] = {"signature": signature, "summary": offline.summary(parsed, reports, lang),
                             "table": offline.table(reports, lang),
                             "warnings": [ui.error_text(w) for w in parsed.warnings]}

checked = ss.get("off_checked")
if checked and checked["signature"] == signature:
    _show(checked)
    if st.button(ui.t("offline.ui.import"), type="primary", key="off_import"):
        with ui.action() as act:
            parsed = _read()
            reports = offline.run(act.session, user, parsed, submissions.Stores.under(rt.store))
            ss["off_done"] = {"summary": offline.summary(parsed, reports, lang), "table": offline.table(reports, lang),
                              "warnings": []}
        if act.ok:
            ss.pop("off_checked", None)
            st.rerun()

if ss.get("off_done"):
    st.success(ui.t("offline.ui.done"))
    _show(ss["off_done"])
