"""用户管理: admins create users and set roles and county scope (checked again in field.services.auth)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import select

import ui
from field import geo
from field.data.models import User
from field.domain.errors import FieldError
from field.domain.vocab import ROLES
from field.services import auth

rt = ui.runtime()
user = ui.require_user()
ui.guard(user, "user.manage")
lang = ui.lang()

st.title(ui.t("users.title"))
with rt.session() as s:
    users = list(s.scalars(select(User).order_by(User.id)))
    st.dataframe([{
        ui.t("login.username"): u.username, ui.t("users.display_name"): u.display_name,
        ui.t("users.role"): ROLES.label(u.role, lang),
        ui.t("map.county"): ui.t("common.all") if u.all_counties else ",".join(u.county_scope),
        "active": u.is_active} for u in users], width="stretch", hide_index=True)

counties = {c.adcode: c.label(lang) for c in geo.counties()}
with st.form("new_user", clear_on_submit=True):
    st.subheader(ui.t("users.create"))
    username = st.text_input(ui.t("login.username"))
    name = st.text_input(ui.t("users.display_name"))
    password = st.text_input(ui.t("login.password"), type="password")
    role = st.selectbox(ui.t("users.role"), ROLES.codes, format_func=lambda c: ROLES.label(c, lang))
    scope = st.multiselect(ui.t("users.counties"), list(counties), format_func=lambda c: counties[c])
    if st.form_submit_button(ui.t("common.save"), type="primary"):
        with rt.session() as s:
            try:
                actor = s.get(User, user.id)
                created = auth.create_user(s, actor, username=username, password=password, role=role,
                                           counties=scope or ["*"], display_name=name)
                s.commit()
                st.success(ui.t("users.created", username=ui.md(created.username)))
            except FieldError as exc:
                s.rollback()
                ui.show_error(exc)
