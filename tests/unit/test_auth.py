"""Accounts: argon2 hashes, lockout, roles; run on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from field.config import load_settings
from field.data.models import AuditEvent, User
from field.domain.errors import FieldError, PermissionDenied, ValidationError
from field.services import auth
from tests.conftest import PASSWORD


def test_password_is_argon2_and_never_stored_plain(session, users) -> None:
    u = users["field"]
    assert u.password_hash.startswith("$argon2")
    assert PASSWORD not in u.password_hash


def test_login_ok_and_audited(session, users) -> None:
    user = auth.authenticate(session, "FIELD", PASSWORD)  # usernames are case-insensitive
    assert user.id == users["field"].id
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "login", AuditEvent.actor_id == user.id))


def test_wrong_password_counts_down_then_locks_for_15_minutes(session, users) -> None:
    t0 = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
    remaining = []
    for i in range(4):
        with pytest.raises(FieldError) as e:
            auth.authenticate(session, "viewer", "wrong", now=t0 + dt.timedelta(seconds=i))
        assert e.value.key == "auth.bad_credentials"
        remaining.append(e.value.params["remaining"])
    assert remaining == [4, 3, 2, 1]
    with pytest.raises(FieldError) as e:
        auth.authenticate(session, "viewer", "wrong", now=t0 + dt.timedelta(seconds=5))
    assert e.value.key == "auth.locked"
    # even the right password is refused while locked
    with pytest.raises(FieldError) as e:
        auth.authenticate(session, "viewer", PASSWORD, now=t0 + dt.timedelta(minutes=14))
    assert e.value.key == "auth.locked"
    assert auth.authenticate(session, "viewer", PASSWORD, now=t0 + dt.timedelta(minutes=16)).username == "viewer"


def test_failed_logins_and_the_lockout_are_kept_although_the_login_raises(rt, users) -> None:
    """authenticate() only flushes; its refusals are RecordedRefusals, so the page's unit of
    work commits the count (and the lock) before showing the message."""
    t0 = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
    keys = []
    for i in range(5):
        with pytest.raises(FieldError) as e, rt.uow() as s:
            auth.authenticate(s, "viewer", "wrong", now=t0 + dt.timedelta(seconds=i))
        keys.append(e.value.key)
        if i == 0:
            with rt.read() as s:
                assert s.scalar(select(User.failed_logins).where(User.username == "viewer")) == 1
    assert keys == ["auth.bad_credentials"] * 4 + ["auth.locked"]
    with rt.read() as s:
        viewer = s.scalar(select(User).where(User.username == "viewer"))
        assert viewer.locked_until is not None
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "locked", AuditEvent.actor_id == viewer.id))
    with pytest.raises(FieldError) as e, rt.uow() as s:
        auth.authenticate(s, "viewer", PASSWORD, now=t0 + dt.timedelta(minutes=14))
    assert e.value.key == "auth.locked"


def test_unknown_user_gets_the_same_kind_of_refusal(session, users) -> None:
    with pytest.raises(FieldError) as e:
        auth.authenticate(session, "nobody", "x")
    assert e.value.key == "auth.bad_credentials_unknown"


def test_only_admin_creates_users(session, users) -> None:
    with pytest.raises(PermissionDenied):
        auth.create_user(session, users["supervisor" if "supervisor" in users else "super"], username="x1",
                         password=PASSWORD, role="field")
    made = auth.create_user(session, users["admin"], username="x2", password=PASSWORD, role="field",
                            counties=["130903"])
    assert made.county_scope == ["130903"]


@pytest.mark.parametrize("kwargs,key", [
    ({"username": "a b", "password": PASSWORD, "role": "field"}, "auth.bad_username"),
    ({"username": "ok_name", "password": "short", "role": "field"}, "auth.password_short"),
    ({"username": "ok_name", "password": PASSWORD, "role": "boss"}, "auth.bad_role"),
    ({"username": "field", "password": PASSWORD, "role": "field"}, "auth.user_exists"),
    ({"username": "ok_name", "password": PASSWORD, "role": "field", "counties": ["999999"]}, "auth.unknown_county"),
])
def test_bad_user_input(session, users, kwargs, key) -> None:
    with pytest.raises(ValidationError) as e:
        auth.create_user(session, None, **kwargs)
    assert e.value.key == key


def test_bootstrap_admin_only_on_empty_db(session, monkeypatch) -> None:
    monkeypatch.setenv("FIELD_ADMIN_USER", "boss")
    monkeypatch.setenv("FIELD_ADMIN_PASSWORD", "a very long secret")
    s = load_settings()
    made = auth.bootstrap_admin(session, s.admin_user, s.admin_password)
    assert made is not None and made.role == "admin"
    assert auth.bootstrap_admin(session, s.admin_user, s.admin_password) is None  # never a second time
    assert session.scalar(select(User).where(User.username == "boss")) is not None
