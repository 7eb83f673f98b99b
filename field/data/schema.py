"""Every mapped table: the one place that knows all the model modules.

Models live in several modules (cases and findings, ledgers and the programme, OpenRosa, the
report archive); Alembic's autogenerate, the backup and the restore must all see every table, so
they ask here instead of each importing a list of modules that drifts.
"""

from __future__ import annotations

from sqlalchemy import Table

from field.data import ledger_models, odk_models, report_models  # noqa: F401  (register their tables)
from field.data.models import Base

metadata = Base.metadata


def tables() -> list[Table]:
    """All tables, parents before children (the order a restore inserts in)."""
    return list(metadata.sorted_tables)
