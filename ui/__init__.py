"""Streamlit glue shared by app.py and pages/: runtime, current user, language, messages.

This is the only package besides the pages that imports streamlit; everything it does is
presentation. Permissions are enforced by the services in `field/`, which raise on refusal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from field import i18n
from field.data.models import User
from field.data.uow import Session
from field.domain.errors import FieldError
from field.runtime import Runtime, open_runtime
from field.services import sessions


@st.cache_resource(show_spinner=False)
def _runtime() -> Runtime:
    return open_runtime()


def runtime() -> Runtime:
    return _runtime()


def lang() -> str:
    if "lang" not in st.session_state:
        qp = st.query_params.get("lang")
        st.session_state["lang"] = qp if qp in i18n.LANGS else runtime().settings.default_lang
    return str(st.session_state["lang"])


def t(key: str, **params: Any) -> str:
    return i18n.t(key, lang(), **params)


def current_user() -> User | None:
    """The logged-in user, re-read on every run so a disabled account or changed role applies at once.
    A new Streamlit session (reload, reconnect) resumes from the remembered-login cookie."""
    uid = st.session_state.get("user_id")
    if uid is None:
        token = st.context.cookies.get(sessions.COOKIE)
        if not token:
            return None
        with runtime().read() as s:
            resumed = sessions.resume(s, token)
            if resumed is None:
                return None
            st.session_state["user_id"] = uid = resumed.id
            st.session_state["session_token"] = token
    with runtime().read() as s:
        user = s.get(User, uid)
        if user is None or not user.is_active:
            st.session_state.pop("user_id", None)
            return None
        s.expunge(user)
        return user


def require_user() -> User:
    user = current_user()
    if user is None:
        st.warning(i18n.t("perm.login_required", lang()))
        st.stop()
    return user


def error_text(exc: BaseException) -> str:
    return i18n.error_text(exc, lang())


def show_error(exc: BaseException) -> None:
    st.error(error_text(exc))


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def md(text: Any) -> str:
    """Escape user text for st.markdown: no links, images or HTML may come from what people type
    (an image link would make tablets fetch from outside the intranet)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text if text is not None else ""))


@dataclass
class Action:
    """What `action()` hands the page: the unit of work's session, and how the action ended."""

    session: Session
    error: FieldError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@contextmanager
def action(*, inline: bool = False, quiet: bool = False) -> Iterator[Action]:
    """One user action = one unit of work. Commits when the block ends normally; a `FieldError`
    rolls back and becomes the message in the user's language — shown at once, or with
    `inline=True` kept for `field_error()` to show next to its form field after a rerun, or with
    `quiet=True` only kept in `act.error` for a page that words it itself (a refused photo is
    named in the upload list) — and the page carries on (check `act.ok`). Any other exception
    is a bug and propagates.

    `st.rerun()` / `st.stop()` inside the block end the script only after the commit, so a
    page can never lose a write by rerunning too early."""
    control: BaseException | None = None
    act: Action | None = None
    try:
        with runtime().uow() as session:
            act = Action(session=session)
            try:
                yield act
            except ScriptControlException as exc:  # rerun/stop: commit first, then obey
                control = exc
    except FieldError as exc:
        if act is None:
            raise
        act.error = exc
        if quiet:
            pass
        elif inline:
            set_field_error(exc)
        else:
            st.error(error_text(exc))
    # A refusal shown on this run must not be wiped by the rerun the block asked for; an inline
    # one is kept in the session state for the rerun to show next to its field.
    if control is not None and (act is None or act.ok or inline):
        raise control


def field_errors() -> dict[str, str]:
    return st.session_state.setdefault("_field_errors", {})


def set_field_error(exc: FieldError) -> None:
    errs = field_errors()
    errs.clear()
    errs[exc.field or "_form"] = error_text(exc)


def field_error(name: str) -> None:
    """Show the message that belongs next to one form field, if any."""
    msg = field_errors().get(name)
    if msg:
        st.error(msg, icon="⚠️")


TABLET_CSS = """
<style>
/* Large touch targets for gloved or hurried fingers on tablets. */
.stButton button, .stFormSubmitButton button, .stDownloadButton button { min-height: 3rem; font-size: 1.05rem; }
div[data-baseweb="select"] > div, .stTextInput input, .stNumberInput input { min-height: 2.8rem; font-size: 1.05rem; }
.stRadio label, .stCheckbox label { font-size: 1.05rem; }
section.main > div.block-container { padding-top: 1.5rem; }
</style>
"""


def tablet_css() -> None:
    st.markdown(TABLET_CSS, unsafe_allow_html=True)


def guard(user: User, action: str) -> None:
    """Tell a user up front that their role cannot use this page. The services refuse anyway;
    this only spares them filling in a form that would be rejected."""
    from field.domain.permissions import can

    if not can(user, action):
        st.error(i18n.t("perm.role", lang(), action=action))
        st.stop()


def remember_login(user: User) -> None:
    """Start a remembered session; the cookie is written by `write_pending_cookie` on the next run."""
    with runtime().uow() as s:
        token, expires = sessions.start(s, user, hours=runtime().settings.session_hours)
    st.session_state["session_token"] = token
    st.session_state["_cookie"] = (token, int((expires - sessions.clock.now()).total_seconds()))


def forget_login() -> None:
    token = st.session_state.pop("session_token", None)
    uid = st.session_state.pop("user_id", None)
    with runtime().uow() as s:
        sessions.end(s, token, s.get(User, uid) if uid else None)
    st.session_state["_cookie"] = ("", 0)


def write_pending_cookie() -> None:
    """Set or clear the login cookie from a zero-height component (same origin as the app)."""
    pending = st.session_state.pop("_cookie", None)
    if pending is None:
        return
    import json

    import streamlit.components.v1 as components

    token, max_age = pending
    secure = "; secure" if st.context.url and st.context.url.startswith("https") else ""
    cookie = f"{sessions.COOKIE}={token}; path=/; max-age={max_age}; samesite=strict{secure}"
    components.html(f"<script>document.cookie = {json.dumps(cookie)};</script>", height=0)
