"""Accounts: argon2 hashes, lockout, roles; run on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from field import i18n
from field.config import load_settings
from field.data.models import AuditEvent, LoginFailure, User
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


T0 = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
STRANGER, OWN = "203.0.113.9", "10.1.2.3"


def test_wrong_passwords_slow_down_the_address_with_a_growing_delay(session, users) -> None:
    keys = []
    for i in range(4):
        with pytest.raises(FieldError) as e:
            auth.authenticate(session, "viewer", "wrong", client=STRANGER, now=T0 + dt.timedelta(seconds=i))
        keys.append((e.value.key, e.value.params))
    assert keys == [("auth.bad_credentials", {})] * 4  # no "attempts left": that would reveal the account
    with pytest.raises(FieldError) as e:
        auth.authenticate(session, "viewer", "wrong", client=STRANGER, now=T0 + dt.timedelta(seconds=5))
    assert (e.value.key, e.value.params) == ("auth.locked", {"minutes": 1})
    # even the right password is refused from that address while it waits
    with pytest.raises(FieldError) as e:
        auth.authenticate(session, "viewer", PASSWORD, client=STRANGER, now=T0 + dt.timedelta(seconds=30))
    assert e.value.key == "auth.locked"
    delays = []
    t = T0 + dt.timedelta(minutes=2)
    for _ in range(6):  # each further failure doubles the wait, up to the cap
        with pytest.raises(FieldError) as e:
            auth.authenticate(session, "viewer", "wrong", client=STRANGER, now=t)
        delays.append(e.value.params["minutes"])
        t += dt.timedelta(minutes=e.value.params["minutes"], seconds=1)
    assert delays == [2, 4, 8, 15, 15, 15]
    assert auth.authenticate(session, "viewer", PASSWORD, client=STRANGER, now=t).username == "viewer"


def test_a_stranger_cannot_lock_the_real_user_out_of_their_own_address(session, users) -> None:
    for i in range(10):
        with pytest.raises(FieldError):
            auth.authenticate(session, "super", "wrong", client=STRANGER, now=T0 + dt.timedelta(seconds=i))
    assert auth.authenticate(session, "super", PASSWORD, client=OWN, now=T0 + dt.timedelta(seconds=11)).username == "super"
    with pytest.raises(FieldError) as e:  # the stranger still waits
        auth.authenticate(session, "super", PASSWORD, client=STRANGER, now=T0 + dt.timedelta(seconds=12))
    assert e.value.key == "auth.locked"


def test_failed_logins_and_the_delay_are_kept_although_the_login_raises(rt, users) -> None:
    """authenticate() only flushes; its refusals are RecordedRefusals, so the page's unit of
    work commits the count (and the delay) before showing the message."""
    keys = []
    for i in range(5):
        with pytest.raises(FieldError) as e, rt.uow() as s:
            auth.authenticate(s, "viewer", "wrong", client=STRANGER, now=T0 + dt.timedelta(seconds=i))
        keys.append(e.value.key)
        if i == 0:
            with rt.read() as s:
                assert s.scalar(select(LoginFailure.failures).where(LoginFailure.username_key == "viewer")) == 1
    assert keys == ["auth.bad_credentials"] * 4 + ["auth.locked"]
    with rt.read() as s:
        viewer = s.scalar(select(User).where(User.username == "viewer"))
        assert s.scalar(select(LoginFailure.locked_until).where(LoginFailure.username_key == "viewer")) is not None
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "locked", AuditEvent.actor_id == viewer.id))
    with pytest.raises(FieldError) as e, rt.uow() as s:
        auth.authenticate(s, "viewer", PASSWORD, client=STRANGER, now=T0 + dt.timedelta(seconds=50))
    assert e.value.key == "auth.locked"


def test_unknown_user_and_wrong_password_get_the_same_answers(session, users) -> None:
    """Enumeration: the same key, parameters and delays whether or not the account exists."""
    def answers(name: str) -> list[tuple[str, dict]]:
        out = []
        for i in range(6):
            with pytest.raises(FieldError) as e:
                auth.authenticate(session, name, "wrong", client=STRANGER, now=T0 + dt.timedelta(seconds=i))
            out.append((e.value.key, e.value.params))
        return out

    known, unknown = answers("viewer"), answers("nobody")
    assert known == unknown
    assert known[0] == ("auth.bad_credentials", {})
    users["field"].is_active = False  # a disabled account answers like an unknown one
    session.flush()
    assert answers("field") == unknown
    assert i18n.t("auth.bad_credentials", "en") == "Wrong username or password."


def test_admin_unlock_clears_every_address(rt, users) -> None:
    for client in (STRANGER, OWN):
        for i in range(5):
            with pytest.raises(FieldError), rt.uow() as s:
                auth.authenticate(s, "viewer", "wrong", client=client, now=T0 + dt.timedelta(seconds=i))
    with rt.uow() as s:
        with pytest.raises(PermissionDenied):
            auth.unlock(s, s.get(User, users["field"].id), "viewer")
    with rt.uow() as s:
        assert auth.unlock(s, s.get(User, users["admin"].id), "VIEWER") == 2
    with rt.uow() as s:
        assert auth.authenticate(s, "viewer", PASSWORD, client=OWN, now=T0 + dt.timedelta(seconds=9)).username == "viewer"
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "unlock"))
    with pytest.raises(ValidationError) as e, rt.uow() as s:
        auth.unlock(s, None, "nobody")
    assert e.value.key == "auth.unknown_user"


def test_cli_unlock(rt, users, monkeypatch, capsys) -> None:
    from field import cli

    for i in range(5):
        with pytest.raises(FieldError), rt.uow() as s:
            auth.authenticate(s, "viewer", "wrong", client=STRANGER, now=T0 + dt.timedelta(seconds=i))
    monkeypatch.setattr(cli, "_runtime", lambda: rt)
    assert cli.main(["--lang", "en", "users", "--unlock", "viewer"]) == 0
    assert "viewer" in capsys.readouterr().out
    with rt.read() as s:
        assert s.scalar(select(func.count()).select_from(LoginFailure)) == 0
    assert cli.main(["--lang", "en", "users", "--unlock", "nobody"]) == 1


@pytest.mark.parametrize("password,key", [
    ("aaaaaaaa", "auth.password_repeated"), ("12345678", "auth.password_common"),
    ("password", "auth.password_common"), ("short", "auth.password_short"),
])
def test_weak_passwords_are_refused_on_create_and_change(session, users, password, key) -> None:
    with pytest.raises(ValidationError) as e:
        auth.create_user(session, None, username="newbie", password=password, role="field")
    assert (e.value.key, e.value.field) == (key, "password")
    with pytest.raises(ValidationError) as e:
        auth.set_password(session, None, users["field"], password)
    assert e.value.key == key


def test_the_username_is_not_a_password(session, users) -> None:
    with pytest.raises(ValidationError):
        auth.create_user(session, None, username="zhangwei", password="zhangwei2024", role="field",
                         display_name="张伟")


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
