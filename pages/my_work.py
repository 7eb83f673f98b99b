"""我的任务: the field user's own findings of today and this week, with status and thumbnails.

Each card opens (one tap) to add photos, before or after, straight onto the finding
(`findings.attach_photo`, which stores the evidence flags and enforces the 20-photo limit), or
to start a follow-up finding on the same site in the capture screen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

import ui
from field.data.models import Finding
from field.domain import clock, workflow
from field.domain.permissions import can
from field.domain.vocab import OPEN_STATUSES, PHOTO_KINDS, POLLUTION_TYPES, STATUS
from field.photos import flag_text as flag_message
from field.services.findings import (
    MAX_PHOTOS_PER_FINDING,
    attach_photo,
    get_finding,
    my_findings,
    store_photo,
)

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "finding.create")
lang = ui.lang()
ss = st.session_state

st.title(ui.t("my.title"))
now = clock.now()
start_today = dt.datetime.combine(clock.today_local(now), dt.time(), clock.CHINA_TZ)
start_week = start_today - dt.timedelta(days=start_today.weekday())
may_add = can(user, "photo.add")


def _follow_up(site: dict[str, Any]) -> None:
    """Hand the site to the capture screen, which links it unless the form already has one."""
    ss["cap_prefill_site"] = site


def _add_photos(finding_id: int, uploads: list[Any], kind: str) -> list[str]:
    """Store and attach each file; returns per file "" or the reason it was refused (the rest are kept)."""
    results = []
    for up in uploads:
        with ui.action(quiet=True) as act:  # one file, one unit of work: a refusal keeps the others
            finding = get_finding(act.session, user, finding_id)
            photo = store_photo(act.session, user, up.getvalue(), up.name, rt.store)
            attach_photo(act.session, user, finding, photo, kind)
        results.append("" if act.error is None else
                       ui.t("capture.photo_refused", name=ui.md(up.name), reason=ui.error_text(act.error)))
    return results


def _card(f: Finding) -> None:
    term = STATUS[f.status]
    with st.container(border=True):
        c1, c2 = st.columns([3, 2])
        local = clock.local(f.created_at)
        c1.markdown(f"**#{f.id} {ui.md(f.site.name)}** · :{'orange' if f.status in OPEN_STATUSES else 'gray'}"
                    f"[{term.label(lang)}]  \n{local:%m-%d %H:%M} · "
                    f"{'、'.join(POLLUTION_TYPES.label(t, lang) for t in f.pollution_types)}  \n"
                    f"{ui.md(f.description[:120])}")
        links = list(f.photos)
        if links:
            c2.image([str(rt.store.abspath(p.photo.thumb_path)) for p in links[:4]], width=90,
                     caption=[PHOTO_KINDS.label(p.kind, lang) for p in links[:4]])
            flagged = [flag_message(fl["key"], {k: v for k, v in fl.items() if k != "key"}, lang)
                       for p in links for fl in (p.flags or []) if fl.get("key") in ("photo.far_from_site",
                                                                                      "photo.time_far_from_visit")]
            for msg in dict.fromkeys(flagged):
                c2.caption(f"⚠️ {msg}")
        c2.caption(ui.t("my.photo_count", n=len(links), max=MAX_PHOTOS_PER_FINDING))
        if not may_add:
            return
        with st.expander(ui.t("my.add"), expanded=ss.get("my_open") == f.id):
            kind = st.segmented_control(ui.t("capture.photo_kind"), PHOTO_KINDS.codes, key=f"my_kind_{f.id}",
                                        default="after" if f.status != "pending" else "before", required=True,
                                        format_func=lambda c: PHOTO_KINDS.label(c, lang)) or "before"
            ups = st.file_uploader(ui.t("capture.photos"), type=["jpg", "jpeg", "png", "heic", "heif"],
                                   accept_multiple_files=True, key=f"my_up_{f.id}")
            # Each file once, by file_id: a multi-file upload may arrive over several runs.
            seen: dict[str, str] = ss.setdefault(f"my_seen_{f.id}", {})
            fresh = [up for up in ups or [] if up.file_id not in seen]
            if fresh:
                for up, err in zip(fresh, _add_photos(f.id, fresh, kind), strict=True):
                    seen[up.file_id] = err
                ss["my_open"] = f.id
                st.rerun()
            for up in ups or []:
                if seen.get(up.file_id):
                    st.error(seen[up.file_id], icon="⚠️")
            if f.status in OPEN_STATUSES:
                st.button(ui.t("my.follow_up_here"), key=f"my_follow_{f.id}", width="stretch",
                          on_click=_follow_up, args=({"id": f.site.id, "name": f.site.name, "address": f.site.address,
                                                      "lon": f.site.lon, "lat": f.site.lat},))
            if workflow.can_verify(f.status):  # a task only while a verification record is still due
                st.page_link("pages/verify.py", label=ui.t("nav.verify"), icon="🔍",
                             query_params={"finding": str(f.id)})


if ss.get("cap_prefill_site"):
    st.switch_page("pages/capture.py")

with rt.read() as s:
    rows = my_findings(s, user, since=start_week)
    for label, items in ((ui.t("my.today"), [f for f in rows if f.created_at >= start_today]),
                         (ui.t("my.week"), [f for f in rows if f.created_at < start_today])):
        st.subheader(f"{label} ({len(items)})")
        if not items:
            st.caption(ui.t("my.empty"))
        for f in items:
            _card(f)
