"""Accounts: argon2 password hashes, lockout after repeated failures, user management.

There is no default password anywhere: the first admin comes from `python -m field
create-user` or from the settings FIELD_ADMIN_USER / FIELD_ADMIN_PASSWORD on first start.
"""

from __future__ import annotations

import datetime as dt
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from field.data.models import County, User
from field.domain import clock
from field.domain.errors import FieldError, RecordedRefusal, ValidationError
from field.domain.permissions import require
from field.domain.vocab import ROLES
from field.services import audit, sessions

MAX_FAILED = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 8
_USERNAME = re.compile(r"^[A-Za-z0-9_.\-]{2,64}$")

def _make_hasher(profile: str = "argon2") -> PasswordHasher:
    # "cheap" is for the test suite only (hundreds of users are created there); the settings
    # refuse it outside test mode, and the default is argon2-cffi's recommended profile.
    if profile == "cheap":
        from argon2.profiles import CHEAPEST

        return PasswordHasher.from_parameters(CHEAPEST)
    return PasswordHasher()


_profile = "argon2"
_hasher = _make_hasher()
# Verifying against a real hash for unknown users keeps response time from revealing which
# usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing-only")


def use_password_hash(profile: str) -> None:
    """Switch the hashing profile for this process (Settings.password_hash, set at start-up)."""
    global _profile, _hasher, _DUMMY_HASH
    if profile == _profile:
        return
    _profile, _hasher = profile, _make_hasher(profile)
    _DUMMY_HASH = _hasher.hash("not-a-real-password-for-timing-only")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _check_password(password: str, min_len: int = MIN_PASSWORD) -> None:
    if len(password) < min_len:
        raise ValidationError("auth.password_short", field="password", min=min_len)


def _validate_scope(session: Session, counties: list[str]) -> list[str]:
    if not counties or "*" in counties or counties == ["all"]:
        return ["*"]
    known = set(session.scalars(select(County.adcode)))
    if known:
        unknown = [c for c in counties if c not in known]
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
) -> User:
    """`actor=None` is only for the CLI and first-start bootstrap, which run as the operator."""
    if actor is not None:
        require(actor, "user.manage", check_county=False)
    username = username.strip()
    if not _USERNAME.match(username):
        raise ValidationError("auth.bad_username", field="username")
    if role not in ROLES:
        raise ValidationError("auth.bad_role", field="role", role=role)
    _check_password(password)
    if session.scalar(select(User).where(func.lower(User.username) == username.lower())):
        raise ValidationError("auth.user_exists", field="username", username=username)
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        county_scope=_validate_scope(session, counties or ["*"]),
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user", user.id, "create",
                 after={"username": username, "role": role, "counties": user.county_scope})
    return user


def authenticate(session: Session, username: str, password: str, *, now: dt.datetime | None = None) -> User:
    """Return the user or raise FieldError: auth.bad_credentials (with attempts left) or auth.locked.

    A wrong password is a `RecordedRefusal`: the failed-login count and the lock-out it may
    cause are kept by the unit of work although the call raises, or five guesses would never lock."""
    now = now or clock.now()
    user = session.scalar(select(User).where(func.lower(User.username) == (username or "").strip().lower()))
    if user is None or not user.is_active:
        try:
            _hasher.verify(_DUMMY_HASH, password or "")
        except VerificationError:
            pass
        raise FieldError("auth.bad_credentials_unknown")
    if user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise FieldError("auth.locked", minutes=minutes)
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILED:
            user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
            user.failed_logins = 0
            audit.record(session, user, "user", user.id, "locked", reason="too many failed logins", at=now)
            session.flush()
            raise RecordedRefusal("auth.locked", minutes=LOCK_MINUTES) from None
        session.flush()
        raise RecordedRefusal("auth.bad_credentials", remaining=MAX_FAILED - user.failed_logins) from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, user, "user", user.id, "login", at=now)
    session.flush()
    return user


def set_password(session: Session, actor: User | None, user: User, password: str) -> None:
    if actor is not None and actor.id != user.id:
        require(actor, "user.manage", check_county=False)
    _check_password(password)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    sessions.end_all(session, user)  # a new password signs the user out everywhere
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
