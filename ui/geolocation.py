"""Device GPS for Streamlit: the hand-written component in `components/geolocation/`, mounted
with Streamlit's current component API (`st.components.v2`).

Plain HTML + CSS + an ES module, read from disk and registered inline: no build step, no CDN, no
iframe (the v1 `declare_component` iframe protocol is on its way out), so it works on an
intranet. The module calls `navigator.geolocation.getCurrentPosition` with
`enableHighAccuracy: true` and sets one state value per attempt: a fix `{lon, lat, accuracy_m, ts,
secure}` or a failure `{error, message, ts, secure}` where error is denied / unavailable /
timeout / unsupported / insecure. Browsers only allow geolocation in a secure context (https or
localhost); the component says so when not. Streamlit loads the inline module from a `blob:`
URL, which the page CSP allows (`web/security.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from field.services.findings import ACCURACY_WARN_M

COMPONENT_DIR = Path(__file__).resolve().parent.parent / "components" / "geolocation"

_component = st.components.v2.component(
    "field_geolocation",
    html=(COMPONENT_DIR / "geolocation.html").read_text("utf-8"),
    css=(COMPONENT_DIR / "geolocation.css").read_text("utf-8"),
    js=(COMPONENT_DIR / "geolocation.js").read_text("utf-8"),
)


def geolocation(*, key: str, labels: dict[str, str], on_attempt: Callable[[dict[str, Any]], None],
                auto: str | None = None, has_fix: bool = False, timeout_s: float = 20.0) -> None:
    """Render the GPS button; `on_attempt(value)` runs once per attempt (a fix or an error).

    Normally it runs as the component's change callback, before the page's next run, so all the
    page draws in that run already knows the point; an attempt that landed while a run was still
    going (its callback skipped) is caught when the component is drawn. `auto` is a token: when
    it is new the component acquires at once (a new form opening on device GPS); None waits for
    a tap.
    """
    seen = f"_gps_seen_{key}"

    def _handle(value: Any) -> None:
        if isinstance(value, dict) and value.get("ts") != st.session_state.get(seen):
            st.session_state[seen] = value.get("ts")
            on_attempt(value)

    def _arrived() -> None:
        state = st.session_state.get(key)
        _handle(state.get("attempt") if hasattr(state, "get") else None)

    result = _component(key=key, data={"labels": labels, "auto": auto or "", "has_fix": has_fix,
                                       "warn_m": ACCURACY_WARN_M, "timeout_ms": int(timeout_s * 1000)},
                        on_attempt_change=_arrived, height="content")
    _handle(result.get("attempt") if hasattr(result, "get") else None)


def is_fix(value: dict[str, Any] | None) -> bool:
    """A usable fix: numeric lon/lat and no error."""
    if not value or value.get("error"):
        return False
    try:
        float(value["lon"]), float(value["lat"])
    except (KeyError, TypeError, ValueError):
        return False
    return True
