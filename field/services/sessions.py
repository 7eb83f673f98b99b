"""Remembered logins: a random token in a browser cookie, its SHA-256 in the database.

Streamlit keeps a user's state per websocket; a page reload, a tablet waking up after the
connection dropped, or a new tab starts from nothing. Field staff should not retype a password
for that. The token lives for a working day (`hours`, from the setting FIELD_SESSION_HOURS), is
revoked on logout, and stops working at once when the account is disabled or locked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from field.data.models import LoginSession, User
from field.domain import clock
from field.services import audit

COOKIE = "field_session"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user: User, *, hours: int, now: dt.datetime | None = None) -> tuple[str, dt.datetime]:
    """Create a session lasting `hours` (Settings.session_hours); returns the token for the cookie
    (never stored) and its expiry."""
    now = now or clock.now()
    token = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(hours=hours)
    session.add(LoginSession(token_sha256=_digest(token), user_id=user.id, created_at=now, expires_at=expires))
    session.flush()
    return token, expires


def resume(session: Session, token: str | None, *, now: dt.datetime | None = None) -> User | None:
    """The user behind a cookie, or None if it is unknown, expired, revoked, or the user is
    disabled or locked."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    now = now or clock.now()
    row = session.scalar(select(LoginSession).where(LoginSession.token_sha256 == _digest(token)))
    if row is None or row.revoked or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active or (user.locked_until and user.locked_until > now):
        return None
    return user


def end(session: Session, token: str | None, user: User | None = None) -> None:
    if token:
        session.execute(update(LoginSession).where(LoginSession.token_sha256 == _digest(token))
                        .values(revoked=True))
    if user is not None:
        audit.record(session, user, "user", user.id, "logout")
    session.flush()


def end_all(session: Session, user: User) -> None:
    """Sign a user out everywhere (password change, account disabled)."""
    session.execute(update(LoginSession).where(LoginSession.user_id == user.id).values(revoked=True))
