"""Remembered logins: resume, expiry, revocation, disabled and locked accounts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

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


# --- sessions end when they should (issue #11, attack 4) ------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_token_cache_expires_after_ttl() -> None:
    clock = FakeClock()
    cache = sessions.TokenCache(ttl=3, clock=clock)
    cache.put("d1", 7)
    cache.put("d2", None)
    assert cache.get("d1") == (True, 7) and cache.get("d2") == (True, None)
    clock.t += 2.9
    assert cache.get("d1") == (True, 7)
    clock.t += 0.1
    assert cache.get("d1") == (False, None) and cache.get("d2") == (False, None)


def test_token_cache_is_bounded_and_forgets() -> None:
    cache = sessions.TokenCache(ttl=60, clock=FakeClock(), max_entries=2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("c", 1)
    assert cache.get("a") == (False, None)  # the oldest went first
    cache.forget_user(1)
    assert cache.get("c") == (False, None) and cache.get("b") == (True, 2)
    cache.forget("b")
    assert cache.get("b") == (False, None)
    off = sessions.TokenCache(ttl=0)
    off.put("x", 1)
    assert off.get("x") == (False, None)  # ttl 0: every check asks the database


def test_check_asks_the_database_at_most_once_per_interval(session, users) -> None:
    """Another replica's cache: a logout elsewhere applies once its interval has passed."""
    clock = FakeClock()
    replica = sessions.TokenCache(ttl=3, clock=clock)
    token, _ = sessions.start(session, users["field"], hours=12, now=T0)
    session.commit()
    assert sessions.check(session, token, now=T0, cache=replica).username == "field"
    # ended by a process that does not share this cache (the revocation goes to the database only)
    session.execute(update(LoginSession).values(revoked=True))
    session.commit()
    assert sessions.check(session, token, now=T0, cache=replica).username == "field"  # within 3 s
    clock.t += 3
    assert sessions.check(session, token, now=T0, cache=replica) is None  # next check after it
    assert sessions.check(session, "garbage", now=T0, cache=replica) is None


def test_disabling_applies_at_once_even_when_cached(session, users) -> None:
    from field.services import auth

    cache = sessions.TokenCache(ttl=60, clock=FakeClock())
    token, _ = sessions.start(session, users["field"], hours=12, now=T0)
    session.commit()
    assert sessions.check(session, token, now=T0, cache=cache) is not None
    auth.update_user(session, users["admin"], users["field"], is_active=False)
    session.commit()
    assert sessions.check(session, token, now=T0, cache=cache) is None


def test_logout_in_this_process_applies_at_once(session, users) -> None:
    sessions.CHECKS.clear()
    token, _ = sessions.start(session, users["viewer"], hours=12, now=T0)
    session.commit()
    assert sessions.check(session, token, now=T0) is not None  # now cached in CHECKS
    sessions.end(session, token, users["viewer"])
    session.commit()
    assert sessions.check(session, token, now=T0) is None


def test_password_change_ends_the_other_sessions(session, users) -> None:
    from field.services import auth

    sessions.CHECKS.clear()
    mine, _ = sessions.start(session, users["field"], hours=12, now=T0)
    thief, _ = sessions.start(session, users["field"], hours=12, now=T0)
    session.commit()
    assert sessions.check(session, thief, now=T0) is not None
    auth.set_password(session, users["field"], users["field"], "a new long passphrase", keep_token=mine)
    session.commit()
    assert sessions.check(session, thief, now=T0) is None
    assert sessions.check(session, mine, now=T0).username == "field"
    # an admin setting it ends them all, the admin's own token is no exemption for the user's
    auth.set_password(session, users["admin"], users["field"], "another long passphrase", keep_token=mine)
    session.commit()
    assert sessions.check(session, mine, now=T0) is None


def test_admin_ends_sessions_and_others_may_not(session, users) -> None:
    import pytest

    from field.data.models import AuditEvent
    from field.domain.errors import FieldError

    sessions.CHECKS.clear()
    t1, _ = sessions.start(session, users["super"], hours=12)
    t2, _ = sessions.start(session, users["super"], hours=12)
    session.commit()
    assert sessions.active_counts(session)[users["super"].id] == 2
    with pytest.raises(FieldError) as refused:
        sessions.end_sessions(session, users["super2"], users["super"])
    assert refused.value.key == "perm.role"
    session.rollback()
    assert sessions.end_sessions(session, users["admin"], users["super"]) == 2
    session.commit()
    assert sessions.check(session, t1) is None and sessions.check(session, t2) is None
    assert users["super"].id not in sessions.active_counts(session)
    assert session.scalars(select(AuditEvent.action).where(AuditEvent.action == "end_sessions")).all()
    with pytest.raises(FieldError) as unknown:
        sessions.end_sessions_of(session, None, "nobody")
    assert unknown.value.key == "sessions.unknown_user"


def test_cli_end_sessions(rt, users, session, capsys, monkeypatch) -> None:
    from field import cli

    token, _ = sessions.start(session, users["viewer"], hours=12)
    session.commit()
    monkeypatch.setattr(cli, "_runtime", lambda: rt)
    assert cli.main(["--lang", "en", "end-sessions", "--username", "viewer"]) == 0
    assert "Ended 1 open sessions of viewer" in capsys.readouterr().out
    sessions.CHECKS.clear()
    with rt.read() as s:
        assert sessions.resume(s, token) is None
    assert cli.main(["--lang", "en", "end-sessions", "--username", "ghost"]) == 1
    assert "There is no user named ghost" in capsys.readouterr().err
