"""`GET /healthz`: is this process up *and* can it reach its database?

Streamlit's own `/_stcore/health` answers "ok" while the database is down, which is the one
failure an operator (or a load balancer, or the E2E harness) most needs to see. This route runs
`SELECT 1` on every call: 200 `{"ok": true, "db": "ok"}`, or 503 with the catalog's message.
The reason (host, driver error) goes to the server log only, since the route needs no login.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from field import i18n
from field.config import Settings
from field.services.health import DatabaseProbe

log = logging.getLogger(__name__)


class Health:
    def __init__(self, settings: Settings) -> None:
        self.lang = settings.default_lang
        self.probe = DatabaseProbe(settings.database_url)

    async def endpoint(self, request: Request) -> JSONResponse:
        problem = await run_in_threadpool(self.probe.problem)  # the driver blocks; keep the loop free
        if problem is None:
            return JSONResponse({"ok": True, "db": "ok"})
        log.warning("health check failed: %s", problem)
        return JSONResponse({"ok": False, "db": "unavailable", "error": i18n.t("db.health_down", self.lang)},
                            status_code=503)
