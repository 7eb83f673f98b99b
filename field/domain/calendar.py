"""Working days of the statutory calendar, for 公示 periods and other deadlines in 工作日.

China moves working days around its holidays (调休): the Spring Festival week is off, and one
or two Saturdays or Sundays nearby become working days. Counting "weekdays minus holidays"
gets 2026's 公示 wrong by a week, so the calendar comes from the maintained `holidays`
package, which publishes each year's State Council notice as data, including the make-up
workdays (`weekend_workdays`). A deployment can still correct it before the package knows a
year: `FIELD_HOLIDAYS` adds days off, `FIELD_WORKDAYS` adds working days (both win over the
package, workdays over holidays when a date is in both).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

import holidays as holidays_pkg


def _dates(values: Iterable[str | dt.date]) -> frozenset[dt.date]:
    return frozenset(dt.date.fromisoformat(v) if isinstance(v, str) else v for v in values)


@lru_cache(maxsize=64)
def _statutory(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    cn = holidays_pkg.country_holidays("CN", years=year)
    days_off = frozenset(d for d in cn if d.year == year)
    make_up = frozenset(d for d in cn.weekend_workdays if d.year == year)
    return days_off, make_up


class WorkCalendar:
    """Answers "is this a working day?" for the People's Republic's statutory calendar."""

    def __init__(self, extra_holidays: Iterable[str | dt.date] = (),
                 extra_workdays: Iterable[str | dt.date] = ()) -> None:
        self.extra_holidays = _dates(extra_holidays)
        self.extra_workdays = _dates(extra_workdays)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        days_off, make_up = _statutory(day.year)
        if day in make_up:
            return True
        return day.weekday() < 5 and day not in days_off

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The `days`-th working day after `start` (start itself never counts): the last day of
        a 公示 of `days` working days that begins the day after signing."""
        current, left = start, days
        while left > 0:
            current += dt.timedelta(days=1)
            if self.is_workday(current):
                left -= 1
        return current
