"""操作日志: the append-only audit trail, newest first."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import select

import ui
from field.data.models import AuditEvent
from field.domain import clock

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "audit.view")

st.title(ui.t("audit.title"))
with rt.session() as s:
    events = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(500)).all()
    st.dataframe([{"#": e.id, "time": clock.local(e.at).strftime("%Y-%m-%d %H:%M:%S"), "who": e.actor_name,
                   "entity": f"{e.entity} {e.entity_id}", "action": e.action, "reason": e.reason,
                   "after": str(e.after or "")[:200]} for e in events], width="stretch", hide_index=True)
