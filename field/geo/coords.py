"""A coordinate as a number: the valid range, reading it from hand-written text, distances.

People type coordinates in many hand-written forms (度分秒, full-width signs, decimal commas);
rejecting them or, worse, silently misreading them loses field evidence. A value that cannot be
read raises `CoordinateError` naming the axis in the user's language (`coord.axis.*`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from field.geo.errors import CoordinateError
from field.i18n import CatalogKey

EARTH_RADIUS_M = 6371008.8  # IUGG mean radius: the usual choice for haversine distances
_AXIS_WORD = {"lon": CatalogKey("coord.axis.lon"), "lat": CatalogKey("coord.axis.lat")}


def _axis_params(axis: str) -> dict[str, str]:
    return {"axis": _AXIS_WORD.get(axis, axis)}


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Haversine on a sphere: within 0.5 % of the ellipsoid, plenty for "is the photo at the site"."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2.0) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


_LIMITS = {"lon": 180.0, "lat": 90.0}


def _check_value(value: Any, axis: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise CoordinateError("coord.not_a_number", value=repr(value), **_axis_params(axis)) from None
    if not math.isfinite(number):
        raise CoordinateError("coord.not_a_number", value=repr(value), **_axis_params(axis))
    limit = _LIMITS[axis]
    if not -limit <= number <= limit:
        raise CoordinateError(
            "coord.out_of_range", value=number, low=-limit, high=limit, **_axis_params(axis)
        )
    return number


def validate_lonlat(lon: Any, lat: Any) -> tuple[float, float]:
    """Reject NaN, infinities and out-of-range values before they reach the database, where a NaN
    would silently break every spatial filter. Returns the values as floats."""
    return _check_value(lon, "lon"), _check_value(lat, "lat")


# --- parsing hand-written coordinates ----------------------------------------------------------------

_AXIS_ALIASES = {
    "lon": "lon", "lng": "lon", "long": "lon", "longitude": "lon", "x": "lon", "经度": "lon",
    "lat": "lat", "latitude": "lat", "y": "lat", "纬度": "lat",
}
_HEMI_WORDS = [  # longest first, so 北纬 wins over 北
    ("东经", "E"), ("西经", "W"), ("北纬", "N"), ("南纬", "S"),
    ("东", "E"), ("西", "W"), ("北", "N"), ("南", "S"),
]
_HEMI_AXIS = {"E": "lon", "W": "lon", "N": "lat", "S": "lat"}
_NUM = r"\d+(?:\.\d+)?"
_TOKEN = re.compile(rf"\s*({_NUM})\s*([°'\"]?)\s*")
_UNITS = {"°": 0, "'": 1, '"': 2}


def _normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).strip()  # full-width digits, letters, ＂＇，．－ and spaces
    for src, dst in (
        ("′′", '"'), ("''", '"'), ("″", '"'), ("”", '"'), ("“", '"'), ("秒", '"'),
        ("′", "'"), ("’", "'"), ("‘", "'"), ("´", "'"), ("`", "'"), ("分", "'"),
        ("º", "°"), ("˚", "°"), ("度", "°"),
        ("−", "-"), ("–", "-"), ("—", "-"),
    ):
        s = s.replace(src, dst)
    return s


def _strip_hemisphere(s: str) -> tuple[str, str | None]:
    for word, hemi in _HEMI_WORDS:
        if s.startswith(word):
            return s[len(word):].strip(), hemi
        if s.endswith(word):
            return s[: -len(word)].strip(), hemi
    upper = s.upper()
    if upper[:1] in _HEMI_AXIS:
        return s[1:].strip(), upper[0]
    if upper[-1:] in _HEMI_AXIS:
        return s[:-1].strip(), upper[-1]
    return s, None


def _dms_value(body: str, original: str, axis: str) -> float | None:
    """Degrees from "D", "D M", "D M S" with or without °'" marks; None if it is not such a text."""
    pos, tokens = 0, []
    while pos < len(body):
        m = _TOKEN.match(body, pos)
        if m is None or m.end() == pos:
            return None
        tokens.append((m.group(1), m.group(2)))
        pos = m.end()
    if not 1 <= len(tokens) <= 3:
        return None
    parts: list[float] = [0.0, 0.0, 0.0]
    last_unit = -1
    for i, (number, mark) in enumerate(tokens):
        unit = _UNITS[mark] if mark else last_unit + 1
        if unit <= last_unit or unit > 2 or (i == 0 and unit != 0):
            return None
        if "." in number and i != len(tokens) - 1:
            return None  # only the last component may carry decimals: 38°18.2' yes, 38.5°18' no
        parts[unit] = float(number)
        last_unit = unit
    degrees, minutes, seconds = parts
    if minutes >= 60:
        raise CoordinateError("coord.minutes_range", value=minutes, text=original, **_axis_params(axis))
    if seconds >= 60:
        raise CoordinateError("coord.seconds_range", value=seconds, text=original, **_axis_params(axis))
    return degrees + minutes / 60.0 + seconds / 3600.0


def parse_coordinate(text: str, axis: str) -> float:
    """Read a longitude or latitude as people write it in the field and in scanned ledgers.

    Accepts decimal degrees (dot or comma decimal), D M S with °'" or 度分秒 marks (also full-width),
    plain space-separated "116 50 19", and hemisphere letters or words before or after (N/S/E/W,
    北纬/东经...). W and S give negative values. Anything else raises CoordinateError, because a
    guessed coordinate is worse than none.
    """
    axis_key = _AXIS_ALIASES.get(str(axis).strip().lower())
    if axis_key is None:
        raise CoordinateError("coord.bad_axis", axis=axis)
    params = _axis_params(axis_key)
    original = "" if text is None else str(text)
    s = _normalise(original)
    if not s:
        raise CoordinateError("coord.empty", **params)

    s, hemi = _strip_hemisphere(s)
    if hemi is not None and _HEMI_AXIS[hemi] != axis_key:
        raise CoordinateError("coord.hemisphere_axis", hemisphere=hemi, text=original, **params)
    sign = 1.0
    if s and s[0] in "+-":
        if s[0] == "-":
            sign = -1.0
            if hemi is not None:
                raise CoordinateError("coord.sign_conflict", text=original, **params)
        s = s[1:].strip()
    if hemi in ("W", "S"):
        sign = -1.0

    if re.fullmatch(r"\d+,\d+", s):  # "116,8386": a decimal comma, common in European locales
        s = s.replace(",", ".")
    s = s.replace(",", " ").strip()
    if not s:
        raise CoordinateError("coord.unparseable", text=original, **params)

    value = _dms_value(s, original, axis_key)
    if value is None:
        raise CoordinateError("coord.unparseable", text=original, **params)
    value *= sign
    limit = _LIMITS[axis_key]
    if not -limit <= value <= limit:
        raise CoordinateError("coord.out_of_range", value=value, low=-limit, high=limit, **params)
    return value
