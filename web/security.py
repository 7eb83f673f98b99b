"""Security headers on every HTTP response: a Content-Security-Policy, frame-ancestors, nosniff,
a referrer policy.

The CSP allows this app's own origin plus the tile hosts the admin configured
(`field.map.tiles.tile_origins`), and only the inline code Streamlit and folium cannot run
without, as narrowly as they allow:

* styles: `'unsafe-inline'` — Streamlit's emotion CSS-in-JS and folium write `style` attributes
  and `<style>` elements at run time, with no nonce hook;
* scripts of the app's page: `'self'` plus the hash of the one inline script in Streamlit's
  `index.html` (read from the installed file, so a Streamlit upgrade keeps working), plus
  `blob:` — Streamlit imports an `st.components.v2` component's inline module (our GPS button)
  from a blob URL it makes itself; only script already running on the page can make one, so
  injected markup gains nothing from it;
* scripts of component frames (`/component/...`: st_folium's map):
  `'unsafe-inline' 'unsafe-eval'`, because streamlit-folium evaluates folium's generated map
  script. Those documents are ours and Streamlit's, served from this origin, and the frame
  cannot reach other hosts (connect-src and img-src are the same list).

Components render in same-origin iframes, so `frame-ancestors 'self'` (not 'none') and
`frame-src 'self'`; no other site may frame the app (clickjacking).
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from field.config import Settings
from field.map.tiles import tile_origins

COMPONENT_PREFIX = "/component/"


def _streamlit_inline_hashes() -> list[str]:
    """CSP hashes of the inline `<script>` elements of Streamlit's own index.html."""
    import streamlit

    index = Path(streamlit.__file__).parent / "static" / "index.html"
    try:
        html = index.read_text("utf-8")
    except OSError:
        return []
    bodies = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S)
    return [f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in bodies]


def policies(settings: Settings) -> tuple[str, str]:
    """(CSP of the app's pages, CSP of component frames)."""
    tiles = " ".join(tile_origins(settings))
    common = [
        "default-src 'self'",
        f"img-src 'self' data: blob: {tiles}".rstrip(),
        "style-src 'self' 'unsafe-inline'",
        "font-src 'self' data:",
        "connect-src 'self'",
        "media-src 'self' blob: data:",
        "worker-src 'self' blob:",
        "frame-src 'self' blob: data:",
        "frame-ancestors 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
    page = ["script-src 'self' blob: " + " ".join(_streamlit_inline_hashes())]
    frame = ["script-src 'self' 'unsafe-inline' 'unsafe-eval'"]
    return "; ".join(common + page).replace("  ", " "), "; ".join(common + frame)


class SecurityHeaders:
    """Pure ASGI middleware (no body buffering, websockets untouched) adding the headers."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        page, frame = policies(settings)
        base = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
                "X-Frame-Options": "SAMEORIGIN"}
        self.page_headers = {**base, "Content-Security-Policy": page}
        self.frame_headers = {**base, "Content-Security-Policy": frame}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.frame_headers if str(scope.get("path", "")).startswith(COMPONENT_PREFIX) else self.page_headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
