"""Amounts in words a reader takes in at a glance: distances in m/km, time differences in
minutes/hours/days (then months, years), file names shortened without cutting the extension.

The sentences that hold these amounts keep raw numbers in their stored params (metres, hours),
so an old note keeps its meaning; the words are made here, when it is shown, in the reader's
language. One place, so the capture page, the evidence notes and the lists all say "约 8 公里"
the same way instead of "8204349 米".
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "unit.m": {"zh": "{n} 米", "en": "{n} m"},
    "unit.km": {"zh": "约 {n} 公里", "en": "about {n} km"},
    "unit.minutes": {"zh": "{n} 分钟", "en": "{n} minutes"},
    "unit.hours": {"zh": "{n} 小时", "en": "{n} hours"},
    "unit.days": {"zh": "{n} 天", "en": "{n} days"},
    "unit.months": {"zh": "约 {n} 个月", "en": "about {n} months"},
    "unit.years": {"zh": "约 {n} 年", "en": "about {n} years"},
}

ELLIPSIS = "…"


def _t(key: str, lang: str, **params: object) -> str:
    from field.i18n import t  # this module is itself part of the catalog field.i18n loads

    return t(key, lang, **params)


def distance_words(metres: float, lang: str = "zh") -> str:
    """"12 米", "约 1.5 公里", "约 8204 公里": whole metres below 1 km, then km (one decimal below 10)."""
    if metres < 999.5:
        return _t("unit.m", lang, n=int(round(metres)))
    km = metres / 1000
    n = f"{km:.1f}" if km < 9.95 else (f"{round(km):,}" if lang == "en" else str(round(km)))
    return _t("unit.km", lang, n=n)


def span_words(hours: float, lang: str = "zh") -> str:
    """A time difference: minutes below an hour, hours up to three days (what a reviewer compares
    with a visit), then days, months and years."""
    hours = abs(hours)
    if hours < 1:
        return _t("unit.minutes", lang, n=max(1, int(round(hours * 60))) if hours > 0 else 0)
    if hours <= 72:
        return _t("unit.hours", lang, n=int(round(hours)))
    days = hours / 24
    if days < 60:
        return _t("unit.days", lang, n=int(round(days)))
    if days < 730:
        return _t("unit.months", lang, n=int(round(days / 30.44)))
    return _t("unit.years", lang, n=int(round(days / 365.25)))


def short_name(name: str, max_chars: int = 24) -> str:
    """A file name that fits `max_chars`, shortened in the middle of its stem so the extension
    stays whole: `short_name("HMD_Nokia_8.3_5G.heic", 16)` is "HMD_N….3_5G.heic", never "HMD_Nokia_8.3_5G.hei"
    (the extension is what tells a reviewer a HEIF from a JPEG)."""
    name = str(name or "")
    if len(name) <= max_chars:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 5:  # no extension worth keeping: cut at the end
        return name[: max(1, max_chars - 1)] + ELLIPSIS
    tail = "." + ext
    room = max_chars - len(tail) - len(ELLIPSIS)
    if room < 2:
        return stem[:1] + ELLIPSIS + tail
    head = (room + 1) // 2
    back = room - head
    return stem[:head] + ELLIPSIS + (stem[-back:] if back else "") + tail
