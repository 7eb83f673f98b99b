"""Log an AppTest in the way the browser is: with a session token (AppTest has no cookies, so
the token goes where `ui.current_user` looks when there is no cookie). `page_runtime` is the
app's runtime on a throw-away SQLite database, as the page tests start it."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import ui
from field.data.models import User
from field.runtime import Runtime, open_runtime
from field.services import sessions


def sign_in(at: AppTest, user_id: int, rt: Runtime | None = None) -> AppTest:
    runtime = rt or ui.runtime()
    with runtime.uow() as s:
        user = s.get(User, user_id)
        assert user is not None
        token, _ = sessions.start(s, user, hours=1)
    at.session_state["session_token"] = token
    return at


ROOT = Path(__file__).resolve().parents[2]


def page_runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> Runtime:
    """The runtime `ui.runtime()` will open in an AppTest: a database and data folder under
    `tmp_path`, the extra `FIELD_*` settings in `env` (e.g. FIELD_FAKE_NOW), run from the repo
    root, Streamlit's resource cache emptied so no earlier test's runtime is reused."""
    monkeypatch.setenv("FIELD_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("FIELD_DATA_DIR", str(tmp_path / "data"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(ROOT)
    st.cache_resource.clear()
    return open_runtime()
