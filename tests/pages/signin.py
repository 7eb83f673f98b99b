"""Log an AppTest in the way the browser is: with a session token (AppTest has no cookies, so
the token goes where `ui.current_user` looks when there is no cookie)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

import ui
from field.data.models import User
from field.runtime import Runtime
from field.services import sessions


def sign_in(at: AppTest, user_id: int, rt: Runtime | None = None) -> AppTest:
    runtime = rt or ui.runtime()
    with runtime.uow() as s:
        user = s.get(User, user_id)
        assert user is not None
        token, _ = sessions.start(s, user, hours=1)
    at.session_state["session_token"] = token
    return at
