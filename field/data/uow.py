"""The unit of work: one transaction per user action, committed in exactly one place.

Services change objects and `flush()`; they never commit or roll back. The entry point (a
page through `ui.action()`, a CLI command, a test) opens one unit of work per action:

    with rt.uow() as session:
        signoff.sign(session, user, record_id, opinion)

Leaving the block normally commits; any exception rolls everything back, so a refusal half-way
through an action never leaves half of it written. Two refinements keep that rule honest:

* A `RecordedRefusal` is a refusal whose bookkeeping must survive it (a failed login counts
  towards the lock-out): the unit of work commits what the service wrote, then re-raises.
* A commit that loses a race (a unique or version conflict, SQLite's "database is locked")
  becomes `ConflictError("db.busy")`, a message the user can act on, instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from field.domain.errors import ConflictError, RecordedRefusal


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    with factory() as session:
        try:
            yield session
        except RecordedRefusal:
            session.commit()
            raise
        except BaseException:
            session.rollback()
            raise
        try:
            session.commit()
        except (IntegrityError, StaleDataError, OperationalError) as exc:
            session.rollback()
            raise ConflictError("db.busy") from exc


@contextmanager
def read_only(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for reads: never committed. Closing it (not rolling back) ends the transaction
    and detaches what was loaded with its values intact, so a page may draw rows after the block."""
    with factory() as session:
        yield session
