"""The one source of "now", so tests (and the 公示 end-to-end test) can move time.

A test can pin the clock for a whole app process (`FIELD_FAKE_NOW`, honoured only with
`FIELD_TEST_MODE=1`): `field.runtime.open_runtime` hands the parsed setting to `set_fake_now`,
so this module never reads the environment. Unit tests pass `now=` to services instead.
"""

from __future__ import annotations

import datetime as dt

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")


_fake: dt.datetime | None = None


def set_fake_now(at: dt.datetime | None) -> None:
    """Pin (or, with None, release) the clock for this process; naive times are taken as UTC."""
    global _fake
    _fake = at if at is None or at.tzinfo else at.replace(tzinfo=dt.UTC)


def now() -> dt.datetime:
    return _fake if _fake is not None else dt.datetime.now(dt.UTC)


def today_local(at: dt.datetime | None = None) -> dt.date:
    """Deadlines and 公示 periods are counted in China's calendar days, not UTC ones."""
    return (at or now()).astimezone(CHINA_TZ).date()


def local(at: dt.datetime) -> dt.datetime:
    return at.astimezone(CHINA_TZ)
