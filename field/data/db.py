"""Engine, sessions and migrations.

SQLite is the embedded default (WAL so readers never block the one writer, foreign keys on,
a busy timeout so two tablets saving at once wait instead of failing); PostgreSQL is reached
through psycopg 3 with the same models. Migrations are Alembic's, run on start and by the CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from field.config import PROJECT_ROOT
from field.data import lengths, locks


class DatabaseUnavailable(RuntimeError):
    """Raised at start-up with a message naming the setting to fix."""

    key = "db.unavailable"

    def __init__(self, url: str, detail: str):
        self.url = _redact(url)
        self.detail = detail
        super().__init__(
            f"Cannot open the database {self.url} (setting FIELD_DATABASE_URL): {detail}"
        )




def _redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is reported as given
        return url


def _normalise_url(url: str) -> str:
    # A plain postgresql:// URL would pick psycopg2, which we do not ship.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str) -> Engine:
    url = _normalise_url(url)
    if url.startswith("sqlite"):
        db_path = make_url(url).database
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "savepoint")
        def _sqlite_begin_before_savepoint(conn: Any, _name: Any) -> None:
            # sqlite3's legacy transaction mode sends BEGIN only before INSERT/UPDATE/DELETE. A
            # SAVEPOINT sent first would open the transaction itself, and its RELEASE would then
            # COMMIT it: a service's savepoint (signoff.sign) would commit behind the unit of
            # work's back. Opening the transaction first keeps the savepoint nested in it.
            dbapi_conn = conn.connection.dbapi_connection
            if dbapi_conn is not None and not dbapi_conn.in_transaction:
                dbapi_conn.execute("BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})


def check_connection(engine: Engine) -> None:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as exc:
        detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
        raise DatabaseUnavailable(str(engine.url), detail) from exc


def alembic_config(engine: Engine) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; safe to call on every start (a schema already at
    the head costs one read of the version table, not an Alembic run)."""
    check_connection(engine)
    if schema_is_current(engine):
        return
    with engine.begin() as conn:
        locks.wait_in_transaction(conn, "field-migrate")  # replicas starting together: one at a time
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def schema_is_current(engine: Engine) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    heads = ScriptDirectory.from_config(alembic_config(engine)).get_heads()
    return set(current) == set(heads)


def table_names(engine: Engine) -> list[str]:
    return inspect(engine).get_table_names()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    from field.data import schema  # every model module, imported before any mapper is configured

    schema.configure()
    return lengths.install(sessionmaker(engine, expire_on_commit=False))
