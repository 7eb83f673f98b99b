"""indexes the map, my-findings and scope reads need

The review map joins findings to sites and filters by county scope; the capture page lists a
user's own findings since a date; the map's data version asks for the newest `updated_at`.
Without these, each of those reads scans its table (my_findings p95 1.2-1.4 s at 100k).

Revision ID: 0010
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index, table, columns): kept equal to the Index() entries in field/data/models.py
INDEXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ix_sites_county_adcode", "sites", ("county_adcode",)),
    ("ix_findings_site_id", "findings", ("site_id",)),
    ("ix_findings_updated_at", "findings", ("updated_at",)),
    ("ix_findings_author_created", "findings", ("author_id", "created_at")),
)


def upgrade() -> None:
    # ix_findings_status exists since 0001
    for name, table, cols in INDEXES:
        op.create_index(name, table, list(cols))


def downgrade() -> None:
    for name, table, _cols in reversed(INDEXES):
        op.drop_index(name, table_name=table)
