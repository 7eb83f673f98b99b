"""Loose row values (pandas NaN, numpy scalars, strings from old imports) as the map draws them.

Rows reach the map and its exports from SQL, from DataFrames and from hand-built dicts, so one
place decides what counts as a usable number, as empty text and as a JSON-able id; the map
layer and `field.exports.mapexport` must agree, or a site drawn on the map would be missing
from the export (or the other way round).
"""

from __future__ import annotations

import math
from typing import Any


def finite(v: Any) -> float | None:
    """`v` as a float, or None for anything that is not a finite number (None, "", NaN, inf, "abc")."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def as_text(v: Any) -> str:
    """`v` as display text; None and NaN (pandas' missing value) are empty, not "None"/"nan"."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


def json_id(v: Any) -> Any:
    """A site id as plain JSON (int or str): numpy scalars and integral floats (a pandas column
    with a gap turns ints into floats) come back as the int the database holds."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if hasattr(v, "item"):  # numpy scalar
        v = v.item()
        if isinstance(v, (int, str)):
            return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return str(v)
