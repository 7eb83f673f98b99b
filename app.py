"""Entry point: page config, database check, login gate, and the navigation of `ui.nav`
(a page is offered when the user's role may perform the action it names)."""

from __future__ import annotations

import streamlit as st

import ui
from field import i18n
from field.config import SettingsError
from field.data.db import DatabaseUnavailable
from field.domain.vocab import ROLES
from field.services import auth
from ui import nav

st.set_page_config(page_title="督察整改", page_icon="🗺️", layout="wide", initial_sidebar_state="auto")
ui.tablet_css()

try:
    rt = ui.runtime()
except (DatabaseUnavailable, SettingsError) as exc:
    st.error(i18n.error_text(exc, "zh"))
    st.error(i18n.error_text(exc, "en"))
    st.stop()

lang = ui.lang()


def _language_switch() -> None:
    choice = st.sidebar.radio(ui.t("app.lang"), ["zh", "en"], index=0 if lang == "zh" else 1, horizontal=True,
                              format_func=lambda c: "中文" if c == "zh" else "English", key="lang_switch")
    if choice != st.session_state["lang"]:
        st.session_state["lang"] = choice
        st.rerun()


def _login() -> None:
    st.title(ui.t("app.title"))
    with rt.read() as s:
        if not auth.has_users(s):
            st.info(ui.t("login.no_users"))
    with st.form("login", clear_on_submit=False):
        st.subheader(ui.t("login.title"))
        username = st.text_input(ui.t("login.username"), autocomplete="username")
        password = st.text_input(ui.t("login.password"), type="password", autocomplete="current-password")
        submitted = st.form_submit_button(ui.t("login.submit"), type="primary", width="stretch")
    if submitted:
        # A refused login keeps its failure count for the lock-out (see auth.authenticate).
        with ui.action() as act:
            user = auth.authenticate(act.session, username, password)
        if not act.ok:
            return
        st.session_state["user_id"] = user.id
        st.session_state["lang"] = st.session_state.get("lang", user.lang or lang)
        ui.remember_login(user)
        st.rerun()


_language_switch()
ui.write_pending_cookie()
user = ui.current_user()
if user is None:
    st.navigation([st.Page(_login, title=ui.t("login.title"), icon="🔑")], position="hidden").run()
    st.stop()

pages = [st.Page(p.path, title=ui.t(p.title_key), icon=p.icon, url_path=p.url_path) for p in nav.pages_for(user)]

with st.sidebar:
    st.caption(ui.t("user.badge", name=ui.md(user.display_name or user.username),
                    role=ROLES.label(user.role, lang)))
    if st.button(ui.t("logout"), width="stretch"):
        ui.forget_login()
        st.rerun()

st.navigation(pages).run()
