"""整改时限 as written and as a date: one reading rule, shown in the preview, never a silent guess.

Plans write deadlines as text ("2022年底前", "2023年6月底前", "立即整改、长期坚持", "持续推进",
"2025年"). The text is always kept verbatim; `read_deadline` adds the date it means, whether the
measure is standing (长期坚持), the rule that produced the date (an i18n key the preview shows
next to the row, so a reader can check the reading) and a warning when the text cannot be read
with certainty. Ambiguous text (two dates, "立即整改" alone, words we do not know) gets no date
and a warning: a wrong deadline would make a measure look on time or overdue when it is not.

| text                         | date        | standing | rule            |
|------------------------------|-------------|----------|-----------------|
| 2022年底前 / 2022年年底       | 2022-12-31  | no       | year_end        |
| 2025年 / 2025年前            | 2025-12-31  | no       | year            |
| 2023年6月底前 / 2023年6月     | 2023-06-30  | no       | month_end       |
| 2023年6月15日前 / 2023-06-15  | 2023-06-15  | no       | day             |
| 2023年上半年 / 下半年         | 06-30/12-31 | no       | half            |
| 2023年第三季度 / 三季度末      | 09-30       | no       | quarter         |
| 立即整改、长期坚持 / 持续推进  | none        | yes      | standing        |
| 2022年底前完成，长期坚持       | 2022-12-31  | yes      | year_end        |
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

STANDING_WORDS = ("长期坚持", "持续推进", "长期推进", "常态化", "长期开展", "持续开展", "长期")
_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

_DAY = re.compile(r"(20\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")
_MONTH = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月(?:份)?(?:底|末)?")
_HALF = re.compile(r"(20\d{2})\s*年\s*(上|下)半年")
_QUARTER = re.compile(r"(20\d{2})\s*年\s*(?:第)?([一二三四1-4])\s*季度")
_YEAR_END = re.compile(r"(20\d{2})\s*年\s*(?:年)?(?:底|末)")
_YEAR = re.compile(r"(20\d{2})\s*年")


@dataclass(frozen=True)
class Deadline:
    text: str  # verbatim
    date: dt.date | None
    standing: bool
    rule: str  # plan.rule.* key: how the date was read (shown in the preview)
    warning: str | None = None  # plan.w_deadline_* key when the text could not be read for certain


def _month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def _dates(text: str) -> list[tuple[dt.date, str]]:
    """Every date the text names, with the rule for each, earliest match types first."""
    found: list[tuple[dt.date, str]] = []
    rest = text
    for pattern, rule in ((_DAY, "day"), (_MONTH, "month_end"), (_HALF, "half"), (_QUARTER, "quarter"),
                          (_YEAR_END, "year_end"), (_YEAR, "year")):
        for m in pattern.finditer(rest):
            y = int(m.group(1))
            try:
                if rule == "day":
                    d = dt.date(y, int(m.group(2)), int(m.group(3)))
                elif rule == "month_end":
                    d = _month_end(y, int(m.group(2)))
                elif rule == "half":
                    d = dt.date(y, 6, 30) if m.group(2) == "上" else dt.date(y, 12, 31)
                elif rule == "quarter":
                    d = _month_end(y, _CN_NUM[m.group(2)] * 3)
                else:
                    d = dt.date(y, 12, 31)
            except ValueError:
                continue
            found.append((d, rule))
        rest = pattern.sub(" ", rest)  # a matched date is not read again by a looser pattern
    return found


def read_deadline(value: Any) -> Deadline:
    """Read one 整改时限 cell (text, or a date cell from Excel)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return Deadline(value.isoformat(), value, False, "plan.rule.date_cell")
    text = str(value or "").strip()
    if not text:
        return Deadline("", None, False, "plan.rule.none")
    flat = re.sub(r"\s+", "", text)
    standing = any(w in flat for w in STANDING_WORDS)
    dates = _dates(flat)
    if len({d for d, _ in dates}) > 1:
        return Deadline(text, None, standing, "plan.rule.none", "plan.w_deadline_several")
    if dates:
        return Deadline(text, dates[0][0], standing, "plan.rule." + dates[0][1])
    if standing:
        return Deadline(text, None, True, "plan.rule.standing")
    return Deadline(text, None, False, "plan.rule.none", "plan.w_deadline_unreadable")
