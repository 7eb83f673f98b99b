"""Entry point: page config, database check, login gate, and the navigation of `ui.nav`
(a page is offered when the user's role may perform the action it names)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

import ui
from field import i18n
from field.config import SettingsError
from field.data.db import DatabaseUnavailable
from field.domain.vocab import ROLES
from field.services import auth
from ui import nav, zh

st.set_page_config(page_title="督察整改", page_icon="🗺️", layout="wide", initial_sidebar_state="auto")
ui.tablet_css()

try:
    rt = ui.runtime()
except (DatabaseUnavailable, SettingsError) as exc:
    st.error(i18n.error_text(exc, "zh"))
    st.error(i18n.error_text(exc, "en"))
    st.stop()

lang = ui.lang()
zh.widget_texts(lang)
KNOWN = {p.url_path for p in nav.PAGES}


def _language_switch() -> None:
    choice = st.sidebar.radio(ui.t("app.lang"), ["zh", "en"], index=0 if lang == "zh" else 1, horizontal=True,
                              format_func=lambda c: "中文" if c == "zh" else "English", key="lang_switch")
    if choice != st.session_state["lang"]:
        st.session_state["lang"] = choice
        st.rerun()


def _login(next_path: str) -> None:
    st.title(ui.t("app.title"))
    if st.session_state.pop("_session_over", False):
        st.info(ui.t("sessions.over"))
    with rt.read() as s:
        if not auth.has_users(s):
            st.info(ui.t("login.no_users"))
    refusal = ui.login_refusal()
    if refusal:
        st.error(refusal)
    ui.login_form(next_path)


def _login_at(next_path: str) -> Callable[[], None]:
    """The login page, remembering which page was asked for: after the login (a POST to
    /auth/login and a redirect) the browser lands on it."""
    def run() -> None:
        _login(next_path)
    run.__name__ = "login_" + (next_path.strip("/") or "home")
    return run


def _no_access(page: nav.NavPage, first: nav.NavPage | None) -> Callable[[], None]:
    """A page of the app this role lacks, opened by its address: say so in the user's language
    (Streamlit would show its English "Page not found" dialog)."""
    def run() -> None:
        assert user is not None
        st.error(ui.t("nav.no_access", role=ROLES.label(user.role, lang), page=ui.t(page.title_key)))
        if first is not None:
            st.page_link(first.path, label=ui.t("nav.go_first", page=ui.t(first.title_key)), icon=first.icon)
    run.__name__ = "no_access_" + page.url_path
    return run


_language_switch()
user = ui.current_user()
if user is None:
    # Every page address leads to the login form (hidden from the menu), then back to that page.
    home = st.Page(_login_at("/"), title=ui.t("login.title"), icon="🔑", default=True)
    st.navigation([home]
                  + [st.Page(_login_at("/" + p.url_path), title=ui.t(p.title_key), icon=p.icon,
                             url_path=p.url_path, visibility="hidden") for p in nav.PAGES]
                  + zh.unknown_pages(KNOWN, lang, home),
                  position="hidden").run()
    st.stop()

mine = nav.pages_for(user)
first = mine[0] if mine else None
pages = [st.Page(p.path, title=ui.t(p.title_key), icon=p.icon, url_path=p.url_path) if p in mine
         else st.Page(_no_access(p, first), title=ui.t(p.title_key), icon=p.icon, url_path=p.url_path,
                      visibility="hidden")
         for p in nav.PAGES]
if first is not None:  # a role lands on its first page
    pages.insert(0, pages.pop(nav.PAGES.index(first)))

with st.sidebar:
    st.caption(ui.t("user.badge", name=ui.md(user.display_name or user.username),
                    role=ROLES.label(user.role, lang)))
    ui.logout_button()

if not pages:  # st.navigation needs a page: a role given no action yet gets a sentence, not a crash
    st.info(ui.t("app.no_pages"))
    st.stop()
# expanded: an admin has more pages than Streamlit shows before its English "View more" button
st.navigation(pages + zh.unknown_pages(KNOWN, lang, pages[0]), expanded=True).run()
