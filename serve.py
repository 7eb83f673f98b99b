"""The one entry point: `app.py` as an ASGI application (Streamlit's `st.App`) with our routes.

    streamlit run serve.py [--server.port 8501 --server.address 0.0.0.0]   # what scripts/run.sh does

`streamlit run` sees the `st.App` below and serves it with uvicorn (its documented way, keeping
every `--server.*` flag and `.streamlit/config.toml`); `uvicorn serve:app` works too. Streamlit
still runs `app.py` for every browser session exactly as before; `web.routes()` adds our HTTP
routes next to it (`GET /healthz`, later a login and data endpoints) and `web.middleware()`
wraps every request. Settings are loaded here first, so a refused setting (a test hook outside
test mode) stops the server before it listens, with the message in both languages.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

import web
from field import i18n
from field.config import SettingsError, load_settings

try:
    settings = load_settings()
except SettingsError as exc:
    for lang in i18n.LANGS:
        print(i18n.error_text(exc, lang), file=sys.stderr)
    raise SystemExit(2) from None

app = st.App(Path(__file__).resolve().parent / "app.py",
             routes=web.routes(settings), middleware=web.middleware(settings))
