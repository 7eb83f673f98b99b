"""The map view in the URL: a `MapFilter` to and from query parameters.

The URL is the source of truth for the review map's view (a link pasted into the meeting chat
reopens it), so parsing is forgiving and the output canonical: see `filter_from_query`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from field.domain.vocab import POLLUTION_TYPES, STATUS
from field.services.findings import MapFilter

MAX_QUERY_TEXT = 200
QUERY_KEYS: tuple[str, ...] = ("status", "county", "type", "batch", "key", "overdue", "from", "to", "q")

def _values(params: Mapping[str, Any], key: str) -> list[str]:
    """All values of `key`; accepts {k: [v, ...]}, {k: v} and Streamlit's QueryParamsProxy."""
    getter = getattr(params, "get_all", None)
    raw = getter(key) if callable(getter) else params.get(key, [])
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    out: list[str] = []
    for v in raw:
        for part in str(v).split(","):  # a hand-typed "?status=pending,rectifying" works too
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def _first(params: Mapping[str, Any], key: str) -> str:
    getter = getattr(params, "get_all", None)
    raw = getter(key) if callable(getter) else params.get(key)
    if isinstance(raw, (list, tuple)):
        raw = raw[0] if raw else ""
    return "" if raw is None else str(raw)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def filter_from_query(params: Mapping[str, Any], *, counties: Iterable[str] | None = None) -> MapFilter:
    """The map filter a URL asks for. Unknown codes, bad numbers and bad dates are dropped (a
    link typed by hand or cut short must still open a map, not an error); lists come out in a
    canonical order so equal views give equal cache keys and equal URLs."""
    known_counties = set(counties) if counties is not None else None
    wanted_status = set(_values(params, "status"))
    wanted_types = set(_values(params, "type"))
    batches = sorted({int(b) for b in _values(params, "batch") if b.isdigit() and 0 < int(b) < 10_000})
    county_list = sorted({c for c in _values(params, "county")
                          if known_counties is None or c in known_counties})
    text = _first(params, "q")  # free text may hold commas: not split like the code lists
    d_from = next((d for d in map(_date, _values(params, "from")) if d), None)
    d_to = next((d for d in map(_date, _values(params, "to")) if d), None)
    if d_from and d_to and d_from > d_to:
        d_from, d_to = d_to, d_from
    return MapFilter(
        statuses=tuple(c for c in STATUS.codes if c in wanted_status),
        counties=tuple(county_list),
        types=tuple(c for c in POLLUTION_TYPES.codes if c in wanted_types),
        batches=tuple(batches),
        key_attention=(_values(params, "key") or [""])[0] in ("1", "true", "yes"),
        overdue=(_values(params, "overdue") or [""])[0] in ("1", "true", "yes"),
        date_from=d_from,
        date_to=d_to,
        text=text.strip()[:MAX_QUERY_TEXT],
    )


def filter_to_query(flt: MapFilter) -> dict[str, list[str]]:
    """URL query for a filter (empty parts left out), the inverse of `filter_from_query`."""
    out: dict[str, list[str]] = {
        "status": [c for c in STATUS.codes if c in set(flt.statuses)],
        "county": sorted(set(flt.counties)),
        "type": [c for c in POLLUTION_TYPES.codes if c in set(flt.types)],
        "batch": [str(b) for b in sorted(set(flt.batches))],
        "key": ["1"] if flt.key_attention else [],
        "overdue": ["1"] if flt.overdue else [],
        "from": [flt.date_from.isoformat()] if flt.date_from else [],
        "to": [flt.date_to.isoformat()] if flt.date_to else [],
        "q": [flt.text.strip()[:MAX_QUERY_TEXT]] if flt.text and flt.text.strip() else [],
    }
    return {k: v for k, v in out.items() if v}


def filter_key(flt: MapFilter) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A hashable, canonical form of a filter (MapFilter itself is an unhashable dataclass)."""
    return tuple((k, tuple(v)) for k, v in sorted(filter_to_query(flt).items()))
