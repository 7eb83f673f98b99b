"""`POST /auth/login` and `POST /auth/logout`: the session cookie is set and cleared by the
server, HttpOnly, so no script in the page (nor an injected one) can read or steal it.

Streamlit talks to the browser over a websocket, which cannot set cookies; so the login form is a
plain HTML form posting here. The route checks the credentials with `auth.authenticate`, starts
a session, sets `field_session` (HttpOnly, SameSite=Strict, Path=/, Secure when
FIELD_BEHIND_TLS says a TLS proxy is in front) and redirects back to the page the user asked
for; the new Streamlit session reads the cookie from `st.context.cookies`. A refusal redirects
with the message's key (and its numbers) in the query — never the password or the username.

CSRF: SameSite=Strict keeps the cookie off cross-site requests, and both routes refuse a POST
whose Origin (or, without one, Referer) is not this host, so another site cannot log a browser
in to an account of its choosing, nor out.
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from field import i18n
from field.config import Settings
from field.domain.clientaddr import client_address
from field.domain.errors import FieldError
from field.runtime import Runtime, open_runtime
from field.services import auth, sessions

log = logging.getLogger(__name__)

LOGIN_PATH = "/auth/login"
LOGOUT_PATH = "/auth/logout"
ERROR_PARAM = "login_error"
# The refusal's key and the numbers its message needs (attempts left, minutes locked).
REFUSAL_PARAMS = (ERROR_PARAM, "remaining", "minutes")
_NEXT = re.compile(r"^/[A-Za-z0-9_\-/]*$")


def safe_next(value: object) -> str:
    """Only a page of this app (`/map?county=130903`), never another host (`//evil`, `https://…`).
    The query is kept: a map link shared at a meeting opens its view after the login."""
    parts = urlsplit(str(value or "/"))
    if parts.scheme or parts.netloc or not _NEXT.match(parts.path) or parts.path.startswith("//"):
        return "/"
    return parts.path + (f"?{parts.query}" if parts.query else "")


def with_query(target: str, extra: dict[str, str]) -> str:
    """`target` with `extra` set in its query, and no earlier refusal left in it."""
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in REFUSAL_PARAMS and k not in extra]
    query += list(extra.items())
    return parts.path + (f"?{urlencode(query)}" if query else "")


def same_origin(request: Request, *, behind_tls: bool) -> bool:
    """Did this POST come from a page of this app? (Origin, or Referer when a browser omits it.)"""
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    if not source or source == "null":
        return False
    parts = urlsplit(source)
    host = request.headers.get("host", "")
    schemes = {"https"} if behind_tls else {request.url.scheme}
    return bool(host) and parts.netloc.lower() == host.lower() and parts.scheme in schemes


def client_host(request: Request) -> str:
    return request.client.host if request.client else ""


class AuthRoutes:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._rt: Runtime | None = None
        self._lock = threading.Lock()

    def runtime(self) -> Runtime:
        """Opened at the first login (the server may start before its database answers)."""
        with self._lock:
            if self._rt is None:
                self._rt = open_runtime(self.settings)
            return self._rt

    def _lang(self, value: object) -> str:
        return str(value) if value in i18n.LANGS else self.settings.default_lang

    def _cookie_args(self) -> dict[str, object]:
        return {"path": "/", "httponly": True, "samesite": "strict", "secure": self.settings.behind_tls}

    def _refused(self, lang: str) -> Response:
        return PlainTextResponse(i18n.t("login.refused_origin", lang), status_code=403)

    def _start(self, username: str, password: str, client: str | None) -> tuple[str, int]:
        # A refused login is a RecordedRefusal: the unit of work keeps its failure count.
        with auth.login_admission(), self.runtime().uow() as s:
            user = auth.authenticate(s, username, password, client=client)
            token, _ = sessions.start(s, user, hours=self.settings.session_hours)
        return token, self.settings.session_hours * 3600

    def _end(self, token: str | None) -> None:
        with self.runtime().uow() as s:
            sessions.end(s, token, sessions.resume(s, token))
        sessions.forget(token)  # after the commit, so no rerun in between re-caches it as valid

    async def login(self, request: Request) -> Response:
        form = await request.form()
        lang = self._lang(form.get("lang"))
        if not same_origin(request, behind_tls=self.settings.behind_tls):
            log.warning("cross-origin login refused from %s", client_host(request))
            return self._refused(lang)
        target = safe_next(form.get("next"))
        query: dict[str, str] = {"lang": lang} if form.get("lang") in i18n.LANGS else {}
        client = client_address(client_host(request), dict(request.headers), self.settings.trusted_proxies)
        try:
            token, max_age = await run_in_threadpool(
                self._start, str(form.get("username") or ""), str(form.get("password") or ""), client)
        except FieldError as exc:
            query[ERROR_PARAM] = exc.key
            query.update({k: str(v) for k, v in exc.params.items() if k in REFUSAL_PARAMS and isinstance(v, int)})
            return RedirectResponse(with_query(target, query), status_code=303)
        response = RedirectResponse(with_query(target, query), status_code=303)
        response.set_cookie(sessions.COOKIE, token, max_age=max_age, **self._cookie_args())  # type: ignore[arg-type]
        return response

    async def logout(self, request: Request) -> Response:
        form = await request.form()
        lang = self._lang(form.get("lang"))
        if not same_origin(request, behind_tls=self.settings.behind_tls):
            return self._refused(lang)
        await run_in_threadpool(self._end, request.cookies.get(sessions.COOKIE))
        response = RedirectResponse(f"/?{urlencode({'lang': lang})}", status_code=303)
        response.delete_cookie(sessions.COOKIE, **self._cookie_args())  # type: ignore[arg-type]
        return response
