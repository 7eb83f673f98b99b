"""Streamlit glue shared by app.py and pages/: runtime, current user, language, messages.

This is the only package besides the pages that imports streamlit; everything it does is
presentation. Permissions are enforced by the services in `field/`, which raise on refusal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlencode

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from field import i18n
from field.data.models import User
from field.data.uow import Session
from field.domain.errors import FieldError
from field.runtime import Runtime, open_runtime
from field.services import sessions
from web.auth import ERROR_PARAM, LOGIN_PATH, LOGOUT_PATH, REFUSAL_PARAMS, safe_next


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
    """The logged-in user, checked on every run: the session token (the HttpOnly cookie that
    `web.auth` set, which the browser sends with the websocket) must still be valid, so a logout
    in another tab, a password change, a disabled account or an admin's "end sessions" logs this
    tab out at its next interaction (within FIELD_SESSION_CHECK_SECONDS on other replicas; see
    `sessions.check`). The user row is re-read too, so a changed role applies at once.

    `session_state["session_token"]` is consulted when the cookie is absent: only server code can
    set it (the page tests log in that way, since AppTest has no cookies)."""
    cookie = st.context.cookies.get(sessions.COOKIE)
    token = (cookie if isinstance(cookie, str) else None) or st.session_state.get("session_token")
    user = None
    if token:
        with runtime().read() as s:
            user = sessions.check(s, token)
            if user is not None:
                s.expunge(user)
    if user is None:
        if st.session_state.pop("user_id", None) is not None:
            st.session_state["_session_over"] = True  # the login page says why
        return None
    st.session_state["user_id"] = user.id
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


# A grey 4×3 PNG shown in place of a photo the store cannot give right now (missing, or the
# bucket unreachable): the page still renders, and `verify` reports a missing original.
_NO_PHOTO = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000040000000308020000003b9639910000001449444154789c633c71e2"
    "04030c30312001140e005754025e8651bbc40000000049454e44ae426082")


def photo(relative: str) -> bytes:
    """A stored photo's bytes for `st.image`, read through this process (the page has already
    asked a scoped service for the row, so the user's permissions decided), or a placeholder."""
    try:
        return runtime().store.read(relative)
    except (FileNotFoundError, FieldError):
        return _NO_PHOTO


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
    from field.domain.permissions import can, role_refusal

    if not can(user, action):
        show_error(role_refusal(action, user.role))
        st.stop()


_FORM_CSS = """
<style>
.field-login { display: flex; flex-direction: column; gap: 0.9rem; max-width: 34rem; padding: 1.2rem 1.4rem 1.4rem;
  border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; font-family: inherit; }
.field-login h3 { margin: 0 0 0.2rem; font-size: 1.5rem; font-weight: 600; }
.field-login label { display: flex; flex-direction: column; gap: 0.35rem; font-size: 1.05rem; }
.field-login input { min-height: 2.8rem; font-size: 1.05rem; padding: 0 0.75rem; border-radius: 0.5rem;
  border: 1px solid rgba(49, 51, 63, 0.2); background: #f0f2f6; font-family: inherit; }
.field-login button, .field-logout button { min-height: 3rem; font-size: 1.05rem; border-radius: 0.5rem;
  cursor: pointer; font-family: inherit; touch-action: manipulation; }
.field-login button { width: 100%; border: 1px solid #ff4b4b; background: #ff4b4b; color: #fff; }
.field-logout button { width: 100%; border: 1px solid rgba(49, 51, 63, 0.2); background: #fff; color: inherit; }
</style>
"""


def login_form(next_path: str = "/") -> None:
    """The login form: a plain HTML form posting to `web.auth` (`/auth/login`), because only an
    HTTP response can set an HttpOnly cookie — a Streamlit widget talks over the websocket.
    Same labels and tablet-sized fields as the app's own widgets."""
    st.html(f"""{_FORM_CSS}
<form class="field-login" method="post" action="{LOGIN_PATH}">
  <h3>{escape(t("login.title"))}</h3>
  <label for="field-username">{escape(t("login.username"))}
    <input id="field-username" name="username" type="text" autocomplete="username" required></label>
  <label for="field-password">{escape(t("login.password"))}
    <input id="field-password" name="password" type="password" autocomplete="current-password" required></label>
  <input type="hidden" name="next" value="{escape(_here(next_path))}">
  <input type="hidden" name="lang" value="{escape(lang())}">
  <button type="submit">{escape(t("login.submit"))}</button>
</form>""")


def _here(path: str) -> str:
    """The page asked for, with its query (a shared map view) but without an earlier refusal."""
    kept = [(k, v) for k in st.query_params if k not in REFUSAL_PARAMS for v in st.query_params.get_all(k)]
    return safe_next(f"{path}?{urlencode(kept)}" if kept else path)


def login_refusal() -> str | None:
    """The message of the refused login `web.auth` redirected back with (`?login_error=`), in
    the user's language; only `auth.*` keys of the catalog and numeric parameters are taken."""
    key = st.query_params.get(ERROR_PARAM)
    if not key or not key.startswith("auth.") or key not in i18n.catalog():
        return None
    params = {k: int(v) for k, v in st.query_params.items() if k in REFUSAL_PARAMS[1:] and v.isdigit()}
    try:
        return t(key, **params)
    except (KeyError, IndexError, ValueError):
        return t("auth.bad_credentials_unknown")


def logout_button() -> None:
    """Log out by a POST to `/auth/logout`, which ends the session and clears the HttpOnly cookie."""
    st.html(f"""{_FORM_CSS}
<form class="field-logout" method="post" action="{LOGOUT_PATH}">
  <input type="hidden" name="lang" value="{escape(lang())}">
  <button type="submit">{escape(t("logout"))}</button>
</form>""")
