"""The running application's shared resources, built once per process.

The Streamlit app wraps `open_runtime` in `st.cache_resource`; the CLI and tests call it
directly. Opening runs migrations and loads the county table, so a fresh clone needs nothing
but the start command. It is also where the settings reach the two process-wide parts that
cannot take them as parameters on every call: the clock (`FIELD_FAKE_NOW`) and the password
hasher (`FIELD_PASSWORD_HASH`), both test hooks that `load_settings` allows only in test mode.

Opening also makes sure the installation signing key exists (`field.trust.keys.ensure`: created
on the first start, mode 600) and hands every session the trust context that signs and
checkpoints (`field.trust.context`). A key that is unreadable does not stop the app: reading
goes on, and signing refuses with `signing.bad_key`, naming the file.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from field import geo
from field.config import Settings, load_settings
from field.data import db, uow
from field.domain import clock
from field.domain.errors import FieldError
from field.photos import PhotoStore
from field.photos.store import LocalPhotoStore, open_store
from field.services import auth, findings, sessions
from field.trust import context, keys

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: PhotoStore
    trust: context.Trust

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
    store = photo_store(settings)
    try:
        keys.ensure(settings.key_file)
    except (FieldError, OSError):
        log.exception("signing key %s unusable: signing is refused until it is fixed", settings.key_file)
    trust = context.Trust(key_file=settings.key_file, store=store)
    context.install(sessions, engine, trust)
    with uow.unit_of_work(sessions) as session:
        findings.sync_counties(session, settings.city_adcode)
    with uow.unit_of_work(sessions) as session:
        auth.bootstrap_admin(session, settings.admin_user, settings.admin_password)
    return Runtime(settings=settings, engine=engine, sessions=sessions, store=store, trust=trust)


def photo_store(settings: Settings, spec: str | None = None) -> PhotoStore:
    """The store `FIELD_PHOTO_STORE` (or `spec`) names. A local folder is created now; a bucket
    is not contacted until first used, so the app starts (and reads) while S3 is down."""
    store = open_store(settings.photo_store if spec is None else spec, default_folder=settings.photo_dir,
                       s3=settings.s3_options())
    if isinstance(store, LocalPhotoStore):
        store.root.mkdir(parents=True, exist_ok=True)
    return store


def apply_process_settings(settings: Settings) -> None:
    """Hand the settings to the process-wide clock and password hasher (test hooks included)."""
    clock.set_fake_now(settings.fake_now)
    auth.use_password_hash(settings.password_hash)
    sessions.CHECKS.ttl = settings.session_check_seconds
