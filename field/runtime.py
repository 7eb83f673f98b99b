"""The running application's shared resources, built once per process.

The Streamlit app wraps `open_runtime` in `st.cache_resource`; the CLI and tests call it
directly. Opening runs migrations and loads the county table, so a fresh clone needs nothing
but the start command. It is also where the settings reach the two process-wide parts that
cannot take them as parameters on every call: the clock (`FIELD_FAKE_NOW`) and the password
hasher (`FIELD_PASSWORD_HASH`), both test hooks that `load_settings` allows only in test mode.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from field import geo
from field.config import Settings, load_settings
from field.data import db, uow
from field.domain import clock
from field.photos import PhotoStore
from field.services import auth, findings


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: PhotoStore

    def uow(self) -> AbstractContextManager[Session]:
        """One unit of work: commits on success, rolls back on any error (`field.data.uow`)."""
        return uow.unit_of_work(self.sessions)

    def read(self) -> AbstractContextManager[Session]:
        """A session for reads only; nothing it changes is committed."""
        return uow.read_only(self.sessions)

    def session(self) -> Session:
        """A bare session, for tests and scripts that manage the transaction themselves."""
        return self.sessions()


def open_runtime(settings: Settings | None = None, *, migrate: bool = True) -> Runtime:
    """Connect, migrate, load counties (and register the city with `field.geo`), bootstrap the first
    admin from the settings.

    Raises `config.SettingsError` for a bad setting, `db.DatabaseUnavailable` naming
    FIELD_DATABASE_URL when the database cannot be reached.
    """
    settings = settings or load_settings()
    apply_process_settings(settings)
    geo.use_city(settings.city_adcode)
    engine = db.make_engine(settings.database_url)
    db.check_connection(engine)
    if migrate:
        db.migrate(engine)
    sessions = db.session_factory(engine)
    settings.photo_dir.mkdir(parents=True, exist_ok=True)
    with uow.unit_of_work(sessions) as session:
        findings.sync_counties(session, settings.city_adcode)
    with uow.unit_of_work(sessions) as session:
        auth.bootstrap_admin(session, settings.admin_user, settings.admin_password)
    return Runtime(settings=settings, engine=engine, sessions=sessions, store=PhotoStore(settings.photo_dir))


def apply_process_settings(settings: Settings) -> None:
    """Hand the settings to the process-wide clock and password hasher (test hooks included)."""
    clock.set_fake_now(settings.fake_now)
    auth.use_password_hash(settings.password_hash)
