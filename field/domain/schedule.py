"""序时进度: is a measure where it should be by now? One rule, computed, never typed.

Inputs are what the plan and the weekly reports give: the start date (plan published or the
measure's own start), the deadline (or "standing" for 长期坚持), the last reported stage
(vocab.REPORT_STAGES) and percentage. The answer is a code of vocab.MEASURE_PROGRESS.

The rule, in order (first match wins):

1. stage 完成销号 -> closed; stage 完成整改 or 100 % -> rectified (done early is simply done).
2. a standing measure (长期坚持) -> standing: it has no end to be measured against.
3. the deadline has passed and it is not done -> behind (overdue never looks benign,
   even if nobody reported anything).
4. nothing reported (no stage beyond 尚未启动 and 0 %/no percentage) -> not_started.
5. no start date or no deadline: the elapsed share of time is unknown, so a measure under way
   counts as on schedule (达到序时进度) until a deadline says otherwise.
6. otherwise expected = the elapsed share of [start, deadline] in whole per cent (floored);
   reported < expected -> behind; reported >= expected + AHEAD_MARGIN -> ahead; else on_schedule.
   Before the start date any progress is ahead.

A legacy stage typed before this rule (behind / on_schedule / ahead) counts as "in progress".
"""

from __future__ import annotations

import datetime as dt

AHEAD_MARGIN = 10  # percentage points above the time elapsed that count as 超过序时进度

_LEGACY_IN_PROGRESS = {"behind", "on_schedule", "ahead", "in_progress"}


def expected_percent(start: dt.date, deadline: dt.date, today: dt.date) -> int:
    """Share of the time from start to deadline that has passed, in whole per cent (0..100)."""
    if deadline <= start:
        return 100 if today >= deadline else 0
    share = (today - start).days / (deadline - start).days
    return max(0, min(100, int(share * 100)))


def status(*, today: dt.date, start: dt.date | None, deadline: dt.date | None, standing: bool,
           stage: str | None, percent: int | None) -> str:
    """The MEASURE_PROGRESS code for one measure today (see the module docstring)."""
    stage = stage or "not_started"
    if stage == "closed":
        return "closed"
    if stage == "rectified" or (percent is not None and percent >= 100):
        return "rectified"
    if standing or stage == "standing":
        return "standing"
    if deadline is not None and today > deadline:
        return "behind"
    started = stage in _LEGACY_IN_PROGRESS or bool(percent)
    if not started:
        return "not_started"
    if start is None or deadline is None:
        return "on_schedule"
    if today < start:
        return "ahead"
    done = percent or 0
    expected = expected_percent(start, deadline, today)
    if done < expected:
        return "behind"
    if done >= expected + AHEAD_MARGIN:
        return "ahead"
    return "on_schedule"
