"""Every mapped table: the one place that knows all the model modules.

Models live in several modules (cases and findings, ledgers and the programme, OpenRosa, the
report archive); Alembic's autogenerate, the backup and the restore must all see every table, so
they ask here instead of each importing a list of modules that drifts.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.orm import configure_mappers

from field.data import ledger_models, odk_models, report_models  # noqa: F401  (register their tables)
from field.data.models import Base

metadata = Base.metadata


def tables() -> list[Table]:
    """All tables, parents before children (the order a restore inserts in)."""
    return list(metadata.sorted_tables)


def configure() -> None:
    """Resolve every relationship now, with every model module imported.

    SQLAlchemy configures mappers on first use, in whatever thread gets there first. A replica's
    first OpenRosa request did so while a page run in another thread was still importing
    `ledger_models` (`Problem` defined, `Measure` not yet): "name 'Measure' is not defined", and
    from then on every request of that process failed with "One or more mappers failed to
    initialize". Called where sessions are made (`db.session_factory`) and where the server's
    routes are built (`web.routes`, at start-up, before any request or page run)."""
    configure_mappers()
