"""The one source of "now", so tests (and the 公示 end-to-end test) can move time.

`FIELD_FAKE_NOW` (ISO datetime, UTC if no zone) pins the clock for a whole app process;
unit tests pass `now=` to services instead.
"""

from __future__ import annotations

import datetime as dt
import os

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")


def now() -> dt.datetime:
    fake = os.environ.get("FIELD_FAKE_NOW")
    if fake:
        value = dt.datetime.fromisoformat(fake)
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.now(dt.UTC)


def today_local(at: dt.datetime | None = None) -> dt.date:
    """Deadlines and 公示 periods are counted in China's calendar days, not UTC ones."""
    return (at or now()).astimezone(CHINA_TZ).date()


def local(at: dt.datetime) -> dt.datetime:
    return at.astimezone(CHINA_TZ)
