"""Evidence notes: how a photo's EXIF place and time compare with the site and the visit.

Mismatches are recorded as notes (`Flag`), never as rejections: a genuine photo with a bad GPS
fix must still be keepable, and a human decides what the note means. What counts as "taken far
from the site" or "long before or after the visit" is decided here (the defaults of
`evidence_flags`); the sentences are in the catalog (`field/i18n/photos.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from field.domain.clock import CHINA_TZ
from field.geo import distance_m
from field.i18n import t
from field.i18n.units import distance_words, span_words


@dataclass(frozen=True)
class Flag:
    """An evidence note attached to a photo; `severity` is "warning" or "info"."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    severity: str = "warning"

    def message(self, lang: str = "zh") -> str:
        return flag_text(self.key, self.params, lang)


def flag_text(key: str, params: Mapping[str, Any] | None = None, lang: str = "zh") -> str:
    """The sentence for an evidence note, also one stored as {"key": …, **params} on a photo link.

    The stored params stay raw numbers (metres, hours) so that old notes keep their meaning; the
    wording ("约 8204 公里", "about 18 years") is made when shown (`field.i18n.units`)."""
    values = dict(params or {})
    if isinstance(values.get("distance_m"), int | float):
        values["distance"] = distance_words(float(values["distance_m"]), lang)
    if isinstance(values.get("hours"), int | float):
        values["span"] = span_words(float(values["hours"]), lang)
    return t(key, lang, **values)


def _aware(dt: datetime, local_tz: tzinfo) -> datetime:
    return dt if dt.tzinfo is not None and dt.utcoffset() is not None else dt.replace(tzinfo=local_tz)


def evidence_flags(
    photo_lon: float | None,
    photo_lat: float | None,
    photo_time: datetime | None,
    site_lon: float | None,
    site_lat: float | None,
    visit_time: datetime | None,
    max_distance_m: float = 200,
    max_time_delta: timedelta = timedelta(days=1),
    *,
    local_tz: tzinfo = CHINA_TZ,
) -> list[Flag]:
    """Notes on how a photo's EXIF place/time compare with the site and the visit.

    Coordinates are WGS-84 (convert GCJ-02 site points first, or 50–500 m of offset will look
    like a far photo). Naive datetimes are read in `local_tz`. Missing site or visit data
    produces no note: there is nothing to compare with, and that is not the photo's fault.
    """
    flags: list[Flag] = []
    if photo_lon is None or photo_lat is None:
        flags.append(Flag("photo.no_gps", {}, "info"))
    elif site_lon is not None and site_lat is not None:
        d = distance_m(photo_lon, photo_lat, site_lon, site_lat)
        if d > max_distance_m:
            flags.append(Flag("photo.far_from_site", {"distance_m": int(round(d))}))
    if photo_time is None:
        flags.append(Flag("photo.no_time", {}, "info"))
    elif visit_time is not None:
        delta = abs(_aware(photo_time, local_tz) - _aware(visit_time, local_tz))
        if delta > max_time_delta:
            hours = delta.total_seconds() / 3600
            flags.append(
                Flag("photo.time_far_from_visit", {"hours": int(round(hours)), "days": round(hours / 24, 1)})
            )
    return flags
