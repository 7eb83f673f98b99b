"""我的任务: the field user's open findings (their own by default, this week by default), with
status and thumbnails, searched, filtered, sorted and paged by `field.services.queues.my_work`.

Each open card opens (one tap) to add photos, before or after, straight onto the finding
(`findings.attach_photo`, which stores the evidence flags and enforces the 20-photo limit), or
to start a follow-up finding on the same site in the capture screen. A closed finding is no task:
it is listed only when a status filter asks for it, and without those actions.
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
from field.odk import devices
from field.photos import flag_text as flag_message
from field.services import queues
from field.services.findings import MAX_PHOTOS_PER_FINDING, attach_photo, get_finding, store_photo
from ui import queue as ui_queue

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


def _card(f: Finding, overdue: bool) -> None:
    term = STATUS[f.status]
    with st.container(border=True):
        c1, c2 = st.columns([3, 2])
        local = clock.local(f.created_at)
        c1.markdown(f"**#{f.id} {ui.md(f.site.name)}** · :{'orange' if f.status in OPEN_STATUSES else 'gray'}"
                    f"[{term.label(lang)}]{' · ⚠ ' + ui.t('signoff.overdue') if overdue else ''}  \n"
                    f"{local:%m-%d %H:%M} · "
                    f"{'、'.join(POLLUTION_TYPES.label(t, lang) for t in f.pollution_types)}  \n"
                    f"{ui.md(f.description[:120])}")
        links = list(f.photos)
        if links:
            c2.image([ui.photo(p.photo.thumb_path) for p in links[:4]], width=90,
                     caption=[PHOTO_KINDS.label(p.kind, lang) for p in links[:4]])
            flagged = [flag_message(fl["key"], {k: v for k, v in fl.items() if k != "key"}, lang)
                       for p in links for fl in (p.flags or []) if fl.get("key") in ("photo.far_from_site",
                                                                                      "photo.time_far_from_visit")]
            for msg in dict.fromkeys(flagged):
                c2.caption(f"⚠️ {msg}")
        c2.caption(ui.t("my.photo_count", n=len(links), max=MAX_PHOTOS_PER_FINDING))
        if not may_add or not queues.is_task(f.status):  # a closed finding takes no more work
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


def _base_url() -> str:
    """The app's address as the tablet reaches it: FIELD_PUBLIC_URL, else the address this page was opened at."""
    configured = rt.settings.public_url.strip()
    if configured:
        return configured
    from urllib.parse import urlsplit

    url = urlsplit(st.context.url or "")
    return f"{url.scheme}://{url.netloc}" if url.scheme and url.netloc else ""


def _odk_devices() -> None:
    """The tablet's ODK Collect settings QR (a new device token, shown once) and this user's devices."""
    with st.expander(ui.t("odk.ui.device_title"), expanded="my_odk_qr" in ss or "my_odk_msg" in ss):
        st.caption(ui.t("odk.ui.device_intro"))
        if ss.get("my_odk_msg"):
            st.success(ss.pop("my_odk_msg"))
        label = st.text_input(ui.t("odk.ui.device_label"), key="my_odk_label", max_chars=devices.MAX_LABEL)
        if st.button(ui.t("odk.ui.device_issue"), key="my_odk_issue"):
            base = _base_url()
            if not base:
                st.error(ui.t("odk.ui.no_base_url"))
            else:
                with ui.action() as act:
                    issued = devices.issue(act.session, user, user, label)
                    url = issued.server_url(base)
                    ss["my_odk_qr"] = {"url": url, "payload": devices.settings_payload(url, lang=lang)}
        shown = ss.get("my_odk_qr")
        if shown:
            st.image(devices.qr_png(shown["payload"]), width=280)
            st.caption(ui.t("odk.ui.device_url"))
            st.code(shown["url"], language=None)
        with rt.read() as s:
            mine = [d for d in devices.list_devices(s, user, user) if d.active]
            lines = [(d.id, d.label or f"#{d.id}", clock.local(d.created_at), d.last_seen_at) for d in mine]
        if lines:
            st.markdown(f"**{ui.t('odk.ui.devices')}**")
        for device_id, dlabel, created, seen in lines:
            c1, c2 = st.columns([4, 1])
            c1.caption(ui.t("odk.ui.device_line", label=ui.md(dlabel), created=f"{created:%Y-%m-%d %H:%M}",
                            seen=f"{clock.local(seen):%m-%d %H:%M}" if seen else "-"))
            if c2.button(ui.t("odk.ui.revoke"), key=f"my_odk_revoke_{device_id}"):
                with ui.action() as act:
                    devices.revoke(act.session, user, device_id)
                    ss.pop("my_odk_qr", None)
                    ss["my_odk_msg"] = ui.t("odk.ui.revoked", label=ui.md(dlabel))
                    st.rerun()


if ss.get("cap_prefill_site"):
    st.switch_page("pages/capture.py")

if can(user, "odk.device"):
    _odk_devices()

with rt.read() as s:
    authors = queues.authors(s, user, "my_work")
flt = ui_queue.controls("mw", user, authors=authors, statuses=ui_queue.ALL_STATUSES, default_sort="newest",
                        default_author_me=True, since={"week": start_week, "today": start_today, "all": None})
with rt.read() as s:
    page = queues.my_work(s, user, flt)
    if not page.total:
        st.caption(ui.t("my.empty"))
    else:
        ui_queue.pager("mw", page)
    for item in page.items:
        _card(item["finding"], item["overdue"])
