"""GET /healthz: 200 when the database answers, 503 (with the catalog's message) when it does not.

The routes of `web/` are served by a real uvicorn on a free port, as `serve.py` serves them next
to Streamlit (the whole st.App is started by the E2E harness, which waits on this route).
"""

from __future__ import annotations

import dataclasses
import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette

import web
from field import i18n
from field.config import Settings, load_settings
from field.services.health import DatabaseProbe

DOWN = "postgresql+psycopg://u:secret@127.0.0.1:1/nope"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serve(settings: Settings) -> Iterator[str]:
    app = Starlette(routes=web.routes(settings), middleware=web.middleware(settings))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    while not started.wait(0.05):  # uvicorn sets .started once it listens
        if server.started or not thread.is_alive():
            break
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 - local URL
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_health_is_200_when_the_database_answers(rt) -> None:
    with _serve(rt.settings) as base:
        assert _get(f"{base}/healthz") == (200, {"ok": True, "db": "ok"})


def test_health_is_503_with_a_message_when_the_database_is_down() -> None:
    down = dataclasses.replace(load_settings(), database_url=DOWN)
    with _serve(down) as base:
        status, body = _get(f"{base}/healthz")
    assert status == 503 and body["ok"] is False and body["db"] == "unavailable"
    assert body["error"] == i18n.t("db.health_down", down.default_lang)
    assert "secret" not in json.dumps(body) and "127.0.0.1" not in json.dumps(body)  # details stay in the log


def test_probe_reports_why_without_the_password() -> None:
    probe = DatabaseProbe(DOWN)
    problem = probe.problem()
    assert problem and "FIELD_DATABASE_URL" in problem and "secret" not in problem
    probe.close()
    assert DatabaseProbe("sqlite:///:memory:").problem() is None
