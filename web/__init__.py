"""HTTP routes and middleware served next to the Streamlit app (see `serve.py`).

Streamlit owns `/`, `/_stcore/`, `/media/`, `/component/` and `/static/`; everything here lives
beside them in the same process and port. Like `ui/`, this is an entry layer: a route parses
the request, calls `field/`, and renders the answer — it holds no rules of its own. Routes
(the HttpOnly login of `web.auth`; later OpenRosa endpoints, data endpoints for the map) are
added to `routes()`, cross-cutting concerns (the security headers of `web.security`) to
`middleware()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from field.config import Settings
from field.data import schema
from web import mapdata, odk
from web.auth import LOGIN_PATH, LOGOUT_PATH, AuthRoutes
from web.health import Health
from web.security import SecurityHeaders

if TYPE_CHECKING:
    from field.runtime import Runtime


def routes(settings: Settings, runtime: Runtime | None = None) -> list[BaseRoute]:
    """`runtime` is for tests that already opened one; the app's routes open their own on first use.
    The mappers are configured here, in the main thread before the server serves (`schema.configure`)."""
    schema.configure()
    login = AuthRoutes(settings)
    return [
        Route("/healthz", Health(settings).endpoint, methods=["GET"]),
        Route(LOGIN_PATH, login.login, methods=["POST"]),
        Route(LOGOUT_PATH, login.logout, methods=["POST"]),
        *odk.routes(settings, runtime),
        *mapdata.routes(settings, runtime),
    ]


def middleware(settings: Settings) -> list[Middleware]:
    return [Middleware(SecurityHeaders, settings=settings)]
