"""我的任务: the field user's own findings of today and this week, with thumbnails."""

from __future__ import annotations

import datetime as dt

import streamlit as st

import ui
from field import clock
from field.findings import my_findings
from field.vocab import STATUS

rt = ui.runtime()
user = ui.require_user()
lang = ui.lang()

st.title(ui.t("my.title"))
now = clock.now()
start_today = dt.datetime.combine(clock.today_local(now), dt.time(), clock.CHINA_TZ)
start_week = start_today - dt.timedelta(days=start_today.weekday())
with rt.session() as s:
    rows = my_findings(s, user, since=start_week)
    for label, items in ((ui.t("my.today"), [f for f in rows if f.created_at >= start_today]),
                         (ui.t("my.week"), [f for f in rows if f.created_at < start_today])):
        st.subheader(f"{label} ({len(items)})")
        if not items:
            st.caption(ui.t("my.empty"))
        for f in items:
            term = STATUS[f.status]
            with st.container(border=True):
                c1, c2 = st.columns([3, 2])
                c1.markdown(f"**#{f.id} {ui.md(f.site.name)}** · :{'gray'}[{term.label(lang)}]  \n"
                            f"{ui.md(f.description[:120])}")
                thumbs = [p.photo.thumb_path for p in f.photos][:3]
                if thumbs:
                    c2.image([str(rt.store.abspath(t)) for t in thumbs], width=90)
                if f.status in ("pending", "rectifying", "reopened"):
                    c1.page_link("pages/verify.py", label=ui.t("nav.verify"), icon="🔍",
                                 query_params={"finding": str(f.id)})
