"""操作日志: the append-only audit trail, newest first (`audit.recent` refuses other roles)."""

from __future__ import annotations

import streamlit as st

import ui
from field.domain import clock
from field.services import audit

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "audit.view")

st.title(ui.t("audit.title"))
with rt.read() as s:
    events = audit.recent(s, user, limit=500)
    st.dataframe([{"#": e.id, "time": clock.local(e.at).strftime("%Y-%m-%d %H:%M:%S"), "who": e.actor_name,
                   "entity": f"{e.entity} {e.entity_id}", "action": e.action, "reason": e.reason,
                   "after": str(e.after or "")[:200]} for e in events], width="stretch", hide_index=True)
