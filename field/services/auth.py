"""Accounts: argon2 password hashes, a growing delay after failed logins, user management.

There is no default password anywhere: the first admin comes from `python -m field
create-user` or from the settings FIELD_ADMIN_USER / FIELD_ADMIN_PASSWORD on first start.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from field.data import lengths
from field.data.models import County, LoginFailure, User
from field.domain import clock, passwords
from field.domain.errors import FieldError, RecordedRefusal, ValidationError
from field.domain.permissions import require
from field.domain.scope import covers, level_of
from field.domain.vocab import ROLES
from field.services import audit, sessions

FREE_FAILURES = 4  # wrong passwords from one address before any delay
BASE_DELAY = dt.timedelta(minutes=1)  # the first delay; each further failure doubles it
MAX_DELAY = dt.timedelta(minutes=15)
FORGET_AFTER = dt.timedelta(days=1)  # a count with no failure for this long starts again
USERNAME_MAX = 64
CLIENT_MAX = 64
_USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")

def _make_hasher(profile: str = "argon2") -> PasswordHasher:
    # "cheap" is for the test suite only (hundreds of users are created there); the settings
    # refuse it outside test mode, and the default is argon2-cffi's recommended profile.
    if profile == "cheap":
        from argon2.profiles import CHEAPEST

        return PasswordHasher.from_parameters(CHEAPEST)
    return PasswordHasher()


# Each argon2 hash or check holds `memory_cost` (argon2-cffi's default profile, RFC 9106 low
# memory: 64 MiB, t=3, p=4) while it runs, and the login route runs them in a thread pool of 40.
# Fifty tablets logging in at once after a replica restart would then ask for 40 x 64 MiB =
# 2.5 GiB per process. Hashing waits for one of HASH_SLOTS instead, so a process never holds more
# than HASH_SLOTS x 64 MiB = 256 MiB for passwords however many log in; the others queue for a
# fraction of a second each (the hash is CPU-bound: more slots than cores would not be faster).
# The parameters themselves stay at the recommended strength. Measured by bench/load.py.
HASH_SLOTS = 4
_slots = threading.BoundedSemaphore(HASH_SLOTS)
_admitted = threading.BoundedSemaphore(HASH_SLOTS)


@contextmanager
def login_admission() -> Iterator[None]:
    """Entry points wrap a login's unit of work in this, so the logins queued for a hash slot
    wait here, before they take a database connection: fifty at once then hold HASH_SLOTS
    connections instead of exhausting the pool (seen as HTTP 500s in bench/load.py)."""
    with _admitted:
        yield


class _BoundedHasher:
    """The hasher's three calls, each waiting for a slot (see HASH_SLOTS)."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self.inner = hasher

    def hash(self, password: str) -> str:
        with _slots:
            return self.inner.hash(password)

    def verify(self, hashed: str, password: str) -> bool:
        with _slots:
            return self.inner.verify(hashed, password)

    def check_needs_rehash(self, hashed: str) -> bool:
        return self.inner.check_needs_rehash(hashed)


_profile = "argon2"
_hasher = _BoundedHasher(_make_hasher())
# Verifying against a real hash for unknown users keeps response time from revealing which
# usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing-only")


def use_password_hash(profile: str) -> None:
    """Switch the hashing profile for this process (Settings.password_hash, set at start-up)."""
    global _profile, _hasher, _DUMMY_HASH
    if profile == _profile:
        return
    _profile, _hasher = profile, _BoundedHasher(_make_hasher(profile))
    _DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing-only")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _check_password(password: str, *user_inputs: str) -> None:
    passwords.check(password, user_inputs=[u for u in user_inputs if u])


def _validate_scope(session: Session, counties: list[str]) -> list[str]:
    """A scope entry is a known county, or a city or province with at least one known county in
    it (`130900`, `130000`: see `field.domain.scope`); anything else is refused by name."""
    if not counties or "*" in counties or counties == ["all"]:
        return ["*"]
    counties = [c.strip() for c in counties if c.strip()]
    known = set(session.scalars(select(County.adcode)))
    if known:
        unknown = [c for c in counties
                   if c not in known and (level_of(c) == "county" or not any(covers(c, k) for k in known))]
        if unknown:
            raise ValidationError("auth.unknown_county", field="counties", counties=",".join(unknown))
    return sorted(set(counties))


def create_user(
    session: Session,
    actor: User | None,
    *,
    username: str,
    password: str,
    role: str,
    counties: list[str] | None = None,
    display_name: str = "",
    password_hash: str | None = None,
) -> User:
    """`actor=None` is only for the CLI and first-start bootstrap, which run as the operator.
    `password_hash`: `hash_password(password)` computed beforehand (the demo seed hashes its
    users' passwords in parallel threads); the password is checked all the same."""
    if actor is not None:
        require(actor, "user.manage", check_county=False)
    username = username.strip()
    if not _USERNAME.match(username):
        raise ValidationError("auth.bad_username", field="username")
    if role not in ROLES:
        raise ValidationError("auth.bad_role", field="role", role=role)
    lengths.check_values(User, display_name=display_name)
    _check_password(password, username, display_name)
    if session.scalar(select(User).where(func.lower(User.username) == username.lower())):
        raise ValidationError("auth.user_exists", field="username", username=username)
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        county_scope=_validate_scope(session, counties or ["*"]),
        password_hash=password_hash or hash_password(password),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user", user.id, "create",
                 after={"username": username, "role": role, "counties": user.county_scope})
    return user


def _backoff(failures: int) -> dt.timedelta | None:
    """How long (user, address) must wait after its `failures`-th failure in a row: nothing
    for the first FREE_FAILURES (typos), then doubling from BASE_DELAY up to MAX_DELAY."""
    if failures <= FREE_FAILURES:
        return None
    return min(BASE_DELAY * 2 ** (failures - FREE_FAILURES - 1), MAX_DELAY)


def _minutes(delta: dt.timedelta) -> int:
    return max(1, -(-int(delta.total_seconds()) // 60))


def authenticate(session: Session, username: str, password: str, *, client: str | None = None,
                 now: dt.datetime | None = None) -> User:
    """Return the user or raise FieldError `auth.bad_credentials` or `auth.locked`.

    Both keys come with the same words whether or not the username exists (and a dummy hash
    is verified for unknown names), so the login form cannot be used to learn who has an
    account. Failures are counted per (typed username, `client` address) with a growing delay
    (`_backoff`): a stranger guessing a supervisor's password slows down only the stranger's
    address, and the supervisor still logs in from their own. `client` is the address from
    `field.domain.clientaddr.client_address` (None when unknown: such logins share one count).

    A failure is a `RecordedRefusal`: the count and the delay it may start are kept by the
    unit of work although the call raises, or guesses would never be slowed."""
    now = now or clock.now()
    key = (username or "").strip().lower()[:USERNAME_MAX]
    where = (client or "")[:CLIENT_MAX]
    guard = session.scalar(select(LoginFailure).where(LoginFailure.username_key == key,
                                                      LoginFailure.client == where))
    if guard is not None and guard.locked_until and guard.locked_until > now:
        raise FieldError("auth.locked", minutes=_minutes(guard.locked_until - now))
    user = session.scalar(select(User).where(func.lower(User.username) == key)) if key else None
    ok = False
    if user is None or not user.is_active:
        try:
            _hasher.verify(_DUMMY_HASH, password or "")
        except VerificationError:
            pass
    else:
        try:
            ok = _hasher.verify(user.password_hash, password or "")
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    if not ok:
        _count_failure(session, guard, key, where, user if user is not None and user.is_active else None, now)
    assert user is not None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if guard is not None:
        session.delete(guard)
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, user, "user", user.id, "login", at=now)
    session.flush()
    return user


def _count_failure(session: Session, guard: LoginFailure | None, key: str, client: str,
                   user: User | None, now: dt.datetime) -> NoReturn:
    if guard is None:
        guard = LoginFailure(username_key=key, client=client, failures=0, last_failure_at=now)
        session.add(guard)
    elif guard.last_failure_at < now - FORGET_AFTER:
        guard.failures = 0
    guard.failures += 1
    guard.last_failure_at = now
    delay = _backoff(guard.failures)
    guard.locked_until = now + delay if delay else None
    session.flush()
    # old counts of other names and addresses are forgotten here, so the table stays small
    session.execute(delete(LoginFailure).where(LoginFailure.last_failure_at < now - FORGET_AFTER,
                                               LoginFailure.id != guard.id))
    if delay and user is not None and guard.failures == FREE_FAILURES + 1:
        audit.record(session, user, "user", user.id, "locked", reason="too many failed logins",
                     after={"client": client}, at=now)
    session.flush()
    if delay:
        raise RecordedRefusal("auth.locked", minutes=_minutes(delay))
    raise RecordedRefusal("auth.bad_credentials")


def unlock(session: Session, actor: User | None, username: str) -> int:
    """Forget every failed-login count of `username` (all addresses); returns how many were
    cleared. `actor=None` is the CLI, which runs as the operator."""
    if actor is not None:
        require(actor, "user.manage", check_county=False)
    key = username.strip().lower()
    user = session.scalar(select(User).where(func.lower(User.username) == key))
    if user is None:
        raise ValidationError("auth.unknown_user", field="username", username=username)
    guards = list(session.scalars(select(LoginFailure).where(LoginFailure.username_key == key)))
    for guard in guards:
        session.delete(guard)
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, actor, "user", user.id, "unlock", before={"addresses": len(guards)})
    session.flush()
    return len(guards)


def set_password(session: Session, actor: User | None, user: User, password: str, *,
                 keep_token: str | None = None) -> None:
    """A new password signs the user out everywhere — a thief's session too — except the browser
    whose session token is `keep_token` (the user changing their own password stays in)."""
    if actor is not None and actor.id != user.id:
        require(actor, "user.manage", check_county=False)
    _check_password(password, user.username, user.display_name)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    sessions.end_all(session, user, keep=keep_token if actor is not None and actor.id == user.id else None)
    audit.record(session, actor, "user", user.id, "set_password")


def update_user(
    session: Session, actor: User, user: User, *, role: str | None = None,
    counties: list[str] | None = None, is_active: bool | None = None, display_name: str | None = None,
) -> None:
    require(actor, "user.manage", check_county=False)
    before = {"role": user.role, "counties": user.county_scope, "active": user.is_active}
    if role is not None:
        if role not in ROLES:
            raise ValidationError("auth.bad_role", field="role", role=role)
        user.role = role
    if counties is not None:
        user.county_scope = _validate_scope(session, counties)
    if is_active is not None:
        if user.id == actor.id and not is_active:
            raise ValidationError("auth.cannot_disable_self")
        user.is_active = is_active
        if not is_active:
            sessions.end_all(session, user)
    if display_name is not None:
        lengths.check_values(User, display_name=display_name)
        user.display_name = display_name
    audit.record(session, actor, "user", user.id, "update", before=before,
                 after={"role": user.role, "counties": user.county_scope, "active": user.is_active})


def bootstrap_admin(session: Session, username: str, password: str) -> User | None:
    """On first start with no users, create the admin named by the settings FIELD_ADMIN_USER /
    FIELD_ADMIN_PASSWORD (passed in as `username`, `password`)."""
    if session.scalar(select(func.count()).select_from(User)):
        return None
    username = username.strip()
    if not username or not password:
        return None
    user = create_user(session, None, username=username, password=password, role="admin",
                       display_name="管理员")
    return user


def has_users(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))


def list_users(session: Session, actor: User) -> list[User]:
    """Every account, for the admin's user list; refused to anyone without "user.manage"."""
    require(actor, "user.manage", check_county=False)
    return list(session.scalars(select(User).order_by(User.id)))
