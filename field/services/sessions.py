"""Remembered logins: a random token in an HttpOnly cookie, its SHA-256 in the database.

Streamlit keeps a user's state per websocket; a page reload, a tablet waking up after the
connection dropped, or a new tab starts from nothing. Field staff should not retype a password
for that. The token lives for a working day (`hours`, from the setting FIELD_SESSION_HOURS).

A session must also *end* everywhere when it should: logout, a password change, a disabled
account, an admin's "end sessions". So the token is checked on every Streamlit rerun, not only
when a tab opens (`check`). Asking the database on every click of every tab would cost a query
per rerun, so each process keeps the answer for at most `ttl` seconds (FIELD_SESSION_CHECK_SECONDS)
in `CHECKS`, keyed by the token's digest. An end in this process drops the cached answers at
once (`forget`); other replicas see it at their next check after the interval — the bound the
setting documents.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from field.data.models import LoginSession, User
from field.domain import clock
from field.domain.errors import ValidationError
from field.domain.permissions import require
from field.services import audit

COOKIE = "field_session"
MAX_TOKEN = 200


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _plausible(token: object) -> bool:
    return isinstance(token, str) and 0 < len(token) <= MAX_TOKEN


class TokenCache:
    """Per-process answers to "which user is behind this token digest?", each kept `ttl` seconds.

    The clock is injected (monotonic seconds) so the expiry is tested by moving time, and the
    size is bounded so a flood of made-up tokens cannot grow it without limit (oldest go first).
    A cached `None` (token refused) is kept too, so garbage cookies cost no query per rerun."""

    _MISSING = object()

    def __init__(self, ttl: float = 3.0, *, clock: Callable[[], float] = time.monotonic,
                 max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self._clock = clock
        self._max = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, int | None]] = OrderedDict()

    def get(self, digest: str) -> tuple[bool, int | None]:
        """(found, user id or None); an entry older than `ttl` is not found."""
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return False, None
            if self._clock() - entry[0] >= self.ttl:
                del self._entries[digest]
                return False, None
            return True, entry[1]

    def put(self, digest: str, user_id: int | None) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            self._entries[digest] = (self._clock(), user_id)
            self._entries.move_to_end(digest)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def forget(self, digest: str) -> None:
        with self._lock:
            self._entries.pop(digest, None)

    def forget_user(self, user_id: int) -> None:
        with self._lock:
            for digest in [d for d, (_, uid) in self._entries.items() if uid == user_id]:
                del self._entries[digest]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# The process's cache; its ttl is set from Settings.session_check_seconds at start-up
# (field.runtime.apply_process_settings).
CHECKS = TokenCache()


def start(session: Session, user: User, *, hours: int, now: dt.datetime | None = None) -> tuple[str, dt.datetime]:
    """Create a session lasting `hours` (Settings.session_hours); returns the token for the cookie
    (never stored) and its expiry."""
    now = now or clock.now()
    token = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(hours=hours)
    session.add(LoginSession(token_sha256=_digest(token), user_id=user.id, created_at=now, expires_at=expires))
    session.flush()
    return token, expires


def _usable(user: User | None, now: dt.datetime) -> bool:
    return user is not None and user.is_active and not (user.locked_until and user.locked_until > now)


def resume(session: Session, token: str | None, *, now: dt.datetime | None = None) -> User | None:
    """The user behind a cookie, or None if it is unknown, expired, revoked, or the user is
    disabled or locked. Always asks the database (see `check` for the cached form)."""
    if not _plausible(token):
        return None
    assert token is not None
    now = now or clock.now()
    row = session.scalar(select(LoginSession).where(LoginSession.token_sha256 == _digest(token)))
    if row is None or row.revoked or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    return user if _usable(user, now) else None


def check(session: Session, token: str | None, *, now: dt.datetime | None = None,
          cache: TokenCache | None = None) -> User | None:
    """`resume`, answered from the process cache when it was asked less than `ttl` seconds ago.

    The user row itself is always re-read (one primary-key query), so a changed role applies at
    once; only the session row's verdict is cached."""
    if not _plausible(token):
        return None
    assert token is not None
    cache = CHECKS if cache is None else cache
    now = now or clock.now()
    digest = _digest(token)
    found, user_id = cache.get(digest)
    if found:
        user = session.get(User, user_id) if user_id is not None else None
        if _usable(user, now):
            return user
        if user_id is not None:  # disabled or locked since: stop trusting the cached answer
            cache.forget(digest)
        return None
    user = resume(session, token, now=now)
    cache.put(digest, user.id if user is not None else None)
    return user


def forget(token: str | None) -> None:
    """Drop this process's cached answer for a token (after a logout has been committed)."""
    if _plausible(token):
        assert token is not None
        CHECKS.forget(_digest(token))


def end(session: Session, token: str | None, user: User | None = None) -> None:
    """Log out one browser: revoke its token (and forget it in this process at once)."""
    if _plausible(token):
        assert token is not None
        session.execute(update(LoginSession).where(LoginSession.token_sha256 == _digest(token))
                        .values(revoked=True))
        CHECKS.forget(_digest(token))
    if user is not None:
        audit.record(session, user, "user", user.id, "logout")
    session.flush()


def end_all(session: Session, user: User, *, keep: str | None = None) -> int:
    """Sign a user out everywhere (password change, account disabled), except the browser whose
    token is `keep` (the one changing its own password); returns how many sessions ended."""
    stmt = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.revoked.is_(False))
    if _plausible(keep):
        assert keep is not None
        stmt = stmt.where(LoginSession.token_sha256 != _digest(keep))
    result = session.execute(stmt.values(revoked=True))
    ended = getattr(result, "rowcount", 0) or 0  # a CursorResult for an UPDATE
    CHECKS.forget_user(user.id)
    session.flush()
    return int(ended)


def end_sessions(session: Session, actor: User | None, user: User) -> int:
    """An admin ends every open session of `user` (a lost tablet, a suspected stolen login).
    `actor=None` is the operator at the command line."""
    if actor is not None:
        require(actor, "user.manage", check_county=False)
    ended = end_all(session, user)
    audit.record(session, actor, "user", user.id, "end_sessions", after={"ended": ended})
    session.flush()
    return ended


def end_sessions_of(session: Session, actor: User | None, username: str) -> int:
    """`end_sessions` for the user with this username (the command line names users)."""
    user = session.scalar(select(User).where(func.lower(User.username) == (username or "").strip().lower()))
    if user is None:
        raise ValidationError("sessions.unknown_user", field="username", username=username)
    return end_sessions(session, actor, user)


def active_counts(session: Session, *, now: dt.datetime | None = None) -> dict[int, int]:
    """Open (unrevoked, unexpired) sessions per user id, for the admin's user list."""
    now = now or clock.now()
    rows = session.execute(
        select(LoginSession.user_id, func.count())
        .where(LoginSession.revoked.is_(False), LoginSession.expires_at > now)
        .group_by(LoginSession.user_id))
    return {int(uid): int(n) for uid, n in rows}
