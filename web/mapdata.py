"""`GET /map/data?v=<etag>`: the review map's sites and counties for the logged-in user's scope,
as gzip'd compact JSON columns (field/map/sitedata.py), fetched by the map in the browser.

The credential is the HttpOnly session cookie `POST /auth/login` set: it is checked against the
database (`sessions.check`, as every Streamlit rerun does), no cookie or a dead session is 401,
a user without `finding.view` 403. The scope is applied in SQL (`findings.map_columns`), and the
cache is keyed by scope, so one user's body can never be served to another scope.

Caching: the body is built once per (scope, data version, day, tile mode) and shared by every
session; the ETag is its hash. The page asks with `v=<etag>` of the version it rendered: when that
is the current version the answer may be kept a day (`private`: never by a shared proxy), and a
repeat ask with If-None-Match costs a 304.
"""

from __future__ import annotations

import gzip
import logging
import threading
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from field import i18n
from field.config import Settings
from field.domain.permissions import can, role_refusal
from field.map import sitedata
from field.services import sessions

if TYPE_CHECKING:
    from field.runtime import Runtime

log = logging.getLogger(__name__)

DATA_PATH = sitedata.DATA_PATH
JSON_TYPE = "application/json; charset=utf-8"


class MapData:
    def __init__(self, settings: Settings, runtime: Runtime | None = None,
                 cache: sitedata.SiteDataCache | None = None) -> None:
        self.settings = settings
        self.cache = cache or sitedata.CACHE
        self._rt = runtime
        self._lock = threading.Lock()

    def runtime(self) -> Runtime:
        """Opened on first use, so the process starts (and /healthz answers) without the database."""
        with self._lock:
            if self._rt is None:
                from field.runtime import open_runtime

                self._rt = open_runtime(self.settings)
            return self._rt

    def _load(self, token: str | None) -> tuple[int, sitedata.SiteData | None]:
        with self.runtime().read() as s:
            user = sessions.check(s, token)
            if user is None:
                return 401, None
            if not can(user, "finding.view"):
                return 403, None
            return 200, sitedata.site_data(s, user, settings=self.settings, cache=self.cache)

    async def endpoint(self, request: Request) -> Response:
        lang = self.settings.default_lang
        status, data = await run_in_threadpool(self._load, request.cookies.get(sessions.COOKIE))
        if data is None:
            text = (i18n.t("perm.login_required", lang) if status == 401
                    else i18n.error_text(role_refusal("finding.view"), lang))
            return Response(text, status_code=status, media_type="text/plain; charset=utf-8",
                            headers={"Cache-Control": "no-store"})
        etag = f'"{data.etag}"'
        current = request.query_params.get("v") == data.etag
        headers = {"ETag": etag, "Vary": "Cookie",
                   "Cache-Control": "private, max-age=86400" if current else "private, no-cache"}
        if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", "").lower():
            return Response(data.body, media_type=JSON_TYPE, headers={**headers, "Content-Encoding": "gzip"})
        return Response(gzip.decompress(data.body), media_type=JSON_TYPE, headers=headers)


def routes(settings: Settings, runtime: Runtime | None = None,
           cache: sitedata.SiteDataCache | None = None) -> list[BaseRoute]:
    return [Route(DATA_PATH, MapData(settings, runtime, cache).endpoint, methods=["GET"])]
