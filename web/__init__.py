"""HTTP routes and middleware served next to the Streamlit app (see `serve.py`).

Streamlit owns `/`, `/_stcore/`, `/media/`, `/component/` and `/static/`; everything here lives
beside them in the same process and port. Like `ui/`, this is an entry layer: a route parses
the request, calls `field/`, and renders the answer — it holds no rules of its own. Later
routes (an HttpOnly login, OpenRosa endpoints for offline clients, data endpoints for the map)
are added to `routes()`, cross-cutting concerns to `middleware()`.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from field.config import Settings
from web.health import Health


def routes(settings: Settings) -> list[BaseRoute]:
    return [Route("/healthz", Health(settings).endpoint, methods=["GET"])]


def middleware(settings: Settings) -> list[Middleware]:
    return []
