"""Can this process reach its database right now? (for `GET /healthz`, see `web/health.py`)

The probe keeps one small engine of its own, made on first use, so a health check neither waits
for nor disturbs the app's runtime (migrations, county loading) and never holds a session.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine

from field.data import db


class DatabaseProbe:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def problem(self) -> str | None:
        """None when `SELECT 1` answers, else why not (names FIELD_DATABASE_URL, password hidden)."""
        with self._lock:
            if self._engine is None:
                self._engine = db.make_engine(self.database_url)
            engine = self._engine
        try:
            db.check_connection(engine)
        except db.DatabaseUnavailable as exc:
            return str(exc)
        return None

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
