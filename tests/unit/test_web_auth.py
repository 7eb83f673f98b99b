"""The HttpOnly login routes and the security headers, served by a real uvicorn (as serve.py
serves them next to Streamlit): cookie flags, the refusal redirect, cross-origin POSTs refused,
logout ending the session, the CSP naming the configured tile host."""

from __future__ import annotations

import dataclasses
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from field.services import auth, sessions
from tests.conftest import PASSWORD
from tests.unit.test_health import _serve
from web.auth import safe_next
from web.security import policies


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _post(url: str, data: dict[str, str], headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
    req = urllib.request.Request(url, data=urlencode(data).encode(), headers=headers, method="POST")
    try:
        with _opener.open(req, timeout=10) as resp:
            return resp.status, dict(resp.headers.items()), resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read().decode()


@pytest.fixture
def server(settings, users):  # type: ignore[no-untyped-def]
    with _serve(dataclasses.replace(settings, behind_tls=False)) as base:
        yield base


def _origin(base: str) -> dict[str, str]:
    return {"Origin": base, "Content-Type": "application/x-www-form-urlencoded"}


def _cookie(headers: dict[str, str]) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    jar.load(headers.get("set-cookie", ""))
    return jar


def test_login_sets_an_httponly_strict_cookie_and_redirects_back(server, rt) -> None:
    status, headers, _ = _post(server + "/auth/login",
                               {"username": "field", "password": PASSWORD, "next": "/map", "lang": "en"},
                               _origin(server))
    assert status == 303 and headers["location"] == "/map?lang=en"
    raw = headers["set-cookie"].lower()
    assert "httponly" in raw and "samesite=strict" in raw and "path=/" in raw and "secure" not in raw
    token = _cookie(headers)[sessions.COOKIE].value
    with rt.read() as s:
        assert sessions.resume(s, token).username == "field"


def test_wrong_password_redirects_with_the_key_never_the_password(server) -> None:
    status, headers, _ = _post(server + "/auth/login",
                               {"username": "field", "password": "wrong horse", "next": "/capture"},
                               _origin(server))
    assert status == 303 and "set-cookie" not in headers
    where = urlsplit(headers["location"])
    # a second refusal replaces the first in the query, the page's own query is kept
    _, again, _ = _post(server + "/auth/login", {"username": "field", "password": "wrong",
                                                 "next": "/map?county=130903&login_error=auth.locked"},
                        _origin(server))
    assert parse_qs(urlsplit(again["location"]).query) == {
        "county": ["130903"], "login_error": ["auth.bad_credentials"]}  # one message: no count that tells a known user
    assert where.path == "/capture" and "wrong" not in headers["location"]
    query = parse_qs(where.query)
    assert query["login_error"][0].startswith("auth.")


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Referer": "http://evil.example/page"},
    {"Origin": "null"},
    {},  # neither header: refused too
])
def test_cross_origin_login_is_refused(server, rt, headers) -> None:
    status, answer, body = _post(server + "/auth/login", {"username": "field", "password": PASSWORD},
                                 {**headers, "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403 and "set-cookie" not in answer
    assert "本系统" in body  # the catalog's message, in the default language
    with rt.read() as s:  # not even a failed-login count: the credentials were never checked
        assert auth.authenticate(s, "field", PASSWORD).failed_logins == 0


def test_a_same_origin_referer_is_enough(server) -> None:
    status, headers, _ = _post(server + "/auth/login", {"username": "viewer", "password": PASSWORD},
                               {"Referer": server + "/", "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303 and sessions.COOKIE in _cookie(headers)


def test_logout_ends_the_session_and_clears_the_cookie(server, rt) -> None:
    _, headers, _ = _post(server + "/auth/login", {"username": "super", "password": PASSWORD}, _origin(server))
    token = _cookie(headers)[sessions.COOKIE].value
    with rt.read() as s:
        assert sessions.check(s, token) is not None  # cached as valid in this process
    cookie = {"Cookie": f"{sessions.COOKIE}={token}"}
    status, _, _ = _post(server + "/auth/logout", {}, {**cookie, "Origin": "http://evil.example"})
    assert status == 403
    with rt.read() as s:
        assert sessions.check(s, token) is not None  # a cross-site logout changed nothing
    status, headers, _ = _post(server + "/auth/logout", {"lang": "zh"}, {**_origin(server), **cookie})
    assert status == 303 and headers["location"] == "/?lang=zh"
    cleared = _cookie(headers)[sessions.COOKIE]
    assert cleared.value == "" and "httponly" in headers["set-cookie"].lower()
    with rt.read() as s:
        assert sessions.check(s, token) is None  # at once in this process, cache or not


def test_secure_cookie_behind_tls(settings, users) -> None:
    with _serve(dataclasses.replace(settings, behind_tls=True)) as base:
        host = urlsplit(base).netloc
        # behind the proxy the browser's origin is https; plain http from the page is refused
        status, headers, _ = _post(base + "/auth/login", {"username": "field", "password": PASSWORD},
                                   {"Origin": f"https://{host}", "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 303 and "secure" in headers["set-cookie"].lower()
        status, _, _ = _post(base + "/auth/login", {"username": "field", "password": PASSWORD}, _origin(base))
        assert status == 403


@pytest.mark.parametrize("value, expected", [
    ("/map", "/map"), ("/", "/"), ("", "/"), (None, "/"), ("//evil.example/x", "/"),
    ("https://evil.example/", "/"), ("/map?county=130903&status=open", "/map?county=130903&status=open"),
    ("/\\evil", "/"), ("javascript:alert(1)", "/"),
])
def test_next_stays_on_this_app(value, expected) -> None:
    assert safe_next(value) == expected


def test_security_headers_on_every_response(server) -> None:
    with urllib.request.urlopen(server + "/healthz", timeout=10) as resp:
        headers = resp.headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "default-src 'self'" in csp and "'unsafe-eval'" not in csp
    assert "object-src 'none'" in csp and "form-action 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_csp_names_the_configured_tile_host_only(settings) -> None:
    page, frame = policies(dataclasses.replace(settings, tiles="tianditu", tianditu_key="k"))
    assert "img-src 'self' data: blob: http://*.tianditu.gov.cn;" in page + ";"
    page, frame = policies(dataclasses.replace(settings, tiles="none"))
    assert "tianditu" not in page and "openstreetmap" not in frame
    assert "'unsafe-eval'" in frame and "'unsafe-eval'" not in page  # only st_folium's frame evaluates
