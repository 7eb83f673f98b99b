"""The statutory working-day calendar used for 公示 (issue: 10 working days ignored 调休)."""

from __future__ import annotations

import datetime as dt

from field.domain.calendar import WorkCalendar

D = dt.date


def test_spring_festival_2026_counts_make_up_saturdays_and_skips_the_holiday_week() -> None:
    cal = WorkCalendar()
    assert cal.is_workday(D(2026, 2, 14))  # Saturday, a make-up workday (调休)
    assert cal.is_workday(D(2026, 2, 28))  # Saturday, a make-up workday
    assert not cal.is_workday(D(2026, 2, 17))  # 春节, a Tuesday
    assert not cal.is_workday(D(2026, 2, 23))  # Monday, a day off moved from 2026-02-28
    # Weekdays-minus-holidays said 2026-02-24; the statutory calendar says 2026-03-02.
    assert cal.add_working_days(D(2026, 2, 10), 10) == D(2026, 3, 2)


def test_ordinary_weeks_skip_weekends_only() -> None:
    cal = WorkCalendar()
    assert cal.add_working_days(D(2026, 11, 6), 1) == D(2026, 11, 9)  # Friday -> Monday
    assert cal.add_working_days(D(2026, 11, 2), 10) == D(2026, 11, 16)
    assert cal.add_working_days(D(2026, 11, 2), 0) == D(2026, 11, 2)


def test_national_day_week() -> None:
    cal = WorkCalendar()
    assert [cal.is_workday(D(2026, 10, d)) for d in range(1, 11)] == [
        False, False, False, False, False, False, False, True, True, True]  # 10-10 (Sat) is a make-up day


def test_overrides_win_over_the_package_for_years_it_does_not_know_yet() -> None:
    cal = WorkCalendar(extra_holidays=["2026-11-10"], extra_workdays=["2026-11-14", D(2026, 2, 17)])
    assert not cal.is_workday(D(2026, 11, 10))  # a Tuesday declared off
    assert cal.is_workday(D(2026, 11, 14))  # a Saturday declared a workday
    assert cal.is_workday(D(2026, 2, 17))  # workdays win over every holiday
    assert cal.add_working_days(D(2026, 11, 9), 2) == D(2026, 11, 12)
