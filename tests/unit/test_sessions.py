"""Remembered logins: resume, expiry, revocation, disabled and locked accounts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from field.data.models import LoginSession
from field.services import sessions

T0 = dt.datetime(2026, 6, 1, 1, 0, tzinfo=dt.UTC)


def test_resume_until_expiry(session, users) -> None:
    token, expires = sessions.start(session, users["field"], hours=12, now=T0)
    assert expires == T0 + dt.timedelta(hours=12)
    assert sessions.resume(session, token, now=T0 + dt.timedelta(hours=11)).username == "field"
    assert sessions.resume(session, token, now=T0 + dt.timedelta(hours=12)) is None
    # only a digest is stored, never the token itself
    row = session.scalars(select(LoginSession)).one()
    assert token not in row.token_sha256 and len(row.token_sha256) == 64


def test_logout_revokes_and_garbage_is_refused(session, users) -> None:
    token, _ = sessions.start(session, users["viewer"], hours=12, now=T0)
    sessions.end(session, token, users["viewer"])
    assert sessions.resume(session, token, now=T0) is None
    assert sessions.resume(session, "", now=T0) is None
    assert sessions.resume(session, "x" * 500, now=T0) is None
    assert sessions.resume(session, "not-a-token", now=T0) is None


def test_disabled_or_locked_user_cannot_resume(session, users) -> None:
    token, _ = sessions.start(session, users["field"], hours=12, now=T0)
    users["field"].locked_until = T0 + dt.timedelta(minutes=15)
    session.commit()
    assert sessions.resume(session, token, now=T0 + dt.timedelta(minutes=1)) is None
    users["field"].locked_until = None
    users["field"].is_active = False
    session.commit()
    assert sessions.resume(session, token, now=T0 + dt.timedelta(minutes=1)) is None
    users["field"].is_active = True
    sessions.end_all(session, users["field"])
    session.commit()
    assert sessions.resume(session, token, now=T0 + dt.timedelta(minutes=1)) is None
