"""One holder at a time across processes and machines: a PostgreSQL advisory lock, or a file lock
beside the SQLite database.

Scheduled work (`field.services.jobs`) must run once however many replicas carry a timer. The
lock lives where every replica already meets: the database. On PostgreSQL that is
`pg_try_advisory_lock` on a connection held for the whole run — the server releases it if the
holder dies (its connection drops), so a killed scheduler never leaves a stale lock behind. The
key is derived from the lock's name and the current schema, so two installations sharing one
server (or the test suite's schema per test) do not block each other. SQLite has no such thing,
and every process using it is on one machine by definition, so `flock` on a file next to the
database file does the same (the kernel drops it when the process dies). Both are *try* locks:
a second scheduler does not queue behind the first, it says so and exits.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, text


def _pg_key(schema: str, name: str) -> int:
    """A signed 64-bit key (what `pg_try_advisory_lock(bigint)` takes) from schema and name."""
    digest = hashlib.sha256(f"{schema}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def wait_in_transaction(conn: Connection, name: str) -> None:
    """Block until this transaction holds the lock `name` (PostgreSQL only; released at commit).
    Replicas started together run their migrations one after another this way, the later ones
    finding the schema already current."""
    if conn.dialect.name == "postgresql":
        schema = conn.scalar(text("SELECT current_schema()")) or ""
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _pg_key(schema, name)})


def lock_file(engine: Engine, name: str, fallback_dir: Path) -> Path:
    """`<database file>.<name>.lock`, or in `fallback_dir` for an in-memory database."""
    database = engine.url.database
    if database and database != ":memory:":
        return Path(f"{database}.{name}.lock")
    return fallback_dir / f"{name}.lock"


@contextlib.contextmanager
def try_hold(engine: Engine, name: str, *, fallback_dir: Path) -> Iterator[bool]:
    """Yield True while this process holds the lock `name`, False at once if another holds it."""
    if engine.dialect.name == "postgresql":
        with _pg_try_hold(engine, name) as held:
            yield held
    else:
        with _file_try_hold(lock_file(engine, name, fallback_dir)) as held:
            yield held


@contextlib.contextmanager
def _pg_try_hold(engine: Engine, name: str) -> Iterator[bool]:
    # AUTOCOMMIT: the lock is session-level; no transaction is left idle for the whole run.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        schema = conn.scalar(text("SELECT current_schema()")) or ""
        key = _pg_key(schema, name)
        held = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}))
        try:
            yield held
        finally:
            if held:
                try:
                    conn.scalar(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                except Exception:
                    # Never return a connection that may still hold the lock to the pool.
                    conn.invalidate()
                    raise


@contextlib.contextmanager
def _file_try_hold(path: Path) -> Iterator[bool]:
    path.parent.mkdir(parents=True, exist_ok=True)
    # flock locks belong to the open file description: two opens conflict even in one process.
    with path.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
