"""Device GPS for Streamlit: declares the hand-written component in `components/geolocation/`.

The component is plain HTML + JS (no build step, no CDN) so it works on an intranet. It calls
`navigator.geolocation.getCurrentPosition` with `enableHighAccuracy: true` and returns one JSON
object per attempt: a fix `{lon, lat, accuracy_m, ts, secure}` or a failure `{error, message, ts,
secure}` where error is denied / unavailable / timeout / unsupported / insecure. Browsers only
allow geolocation in a secure context (https or localhost); the component says so when not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit.components.v1 as components

COMPONENT_DIR = Path(__file__).resolve().parent.parent / "components" / "geolocation"
ACCURACY_WARN_M = 50.0

_component = components.declare_component("geolocation", path=str(COMPONENT_DIR))


def geolocation(*, key: str, labels: dict[str, str], auto: str | None = None, has_fix: bool = False,
                timeout_s: float = 20.0) -> dict[str, Any] | None:
    """Render the GPS button; returns the latest attempt (fix or error) or None before any.

    `auto` is a token: when it changes the component acquires at once (e.g. when the user picks
    "device GPS"); None waits for a tap.
    """
    value = _component(key=key, labels=labels, auto=auto or "", has_fix=has_fix, warn_m=ACCURACY_WARN_M,
                       timeout_ms=int(timeout_s * 1000), default=None)
    return value if isinstance(value, dict) else None


def is_fix(value: dict[str, Any] | None) -> bool:
    """A usable fix: numeric lon/lat and no error."""
    if not value or value.get("error"):
        return False
    try:
        float(value["lon"]), float(value["lat"])
    except (KeyError, TypeError, ValueError):
        return False
    return True
