"""用户管理: admins create users and set roles and county scope (checked again in field.services.auth)."""

from __future__ import annotations

import streamlit as st

import ui
from field import geo
from field.domain.vocab import ROLES
from field.services import auth, sessions

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "user.manage")
lang = ui.lang()

st.title(ui.t("users.title"))
with rt.read() as s:
    accounts = auth.list_users(s, user)
    open_sessions = sessions.active_counts(s)
    st.dataframe([{
        ui.t("login.username"): u.username, ui.t("users.display_name"): u.display_name,
        ui.t("users.role"): ROLES.label(u.role, lang),
        ui.t("map.county"): ui.t("common.all") if u.all_counties else ",".join(u.county_scope),
        "active": u.is_active, ui.t("sessions.open"): open_sessions.get(u.id, 0)} for u in accounts],
        width="stretch", hide_index=True)
    names = {u.id: u.username for u in accounts}

# A lost tablet or a suspected stolen login: every session of the user ends, in every tab.
with st.form("end_sessions"):
    target = st.selectbox(ui.t("sessions.pick_user"), list(names), format_func=lambda i: names[i],
                          key="end_sessions_user")
    if st.form_submit_button(ui.t("sessions.end_button")):
        with ui.action() as act:
            ended = sessions.end_sessions_of(act.session, user, names[target])
        if act.ok:
            st.success(ui.t("sessions.ended", username=ui.md(names[target]), n=ended))

# a province deployment offers the province, its cities and their counties (field.domain.scope)
counties = geo.unit_labels(lang)
region = geo.region_info()
if geo.region_level() == "province" and region is not None:
    counties = {region.adcode: region.label(lang), **counties}
with st.form("new_user", clear_on_submit=True):
    st.subheader(ui.t("users.create"))
    username = st.text_input(ui.t("login.username"))
    name = st.text_input(ui.t("users.display_name"))
    password = st.text_input(ui.t("login.password"), type="password")
    role = st.selectbox(ui.t("users.role"), ROLES.codes, format_func=lambda c: ROLES.label(c, lang))
    scope = st.multiselect(ui.t(geo.region_key("users.counties")), list(counties), format_func=lambda c: counties[c],
                           placeholder=ui.t("queue.choose"))
    if st.form_submit_button(ui.t("common.save"), type="primary"):
        with ui.action() as act:
            created = auth.create_user(act.session, user, username=username, password=password, role=role,
                                       counties=scope or ["*"], display_name=name)
            created_name = created.username
        if act.ok:
            st.success(ui.t("users.created", username=ui.md(created_name)))
