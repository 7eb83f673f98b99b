"""indexes the work queues need (待我验收, My work)

The sign-off queue picks each finding's newest verification record among the submitted ones;
without an index on verifications it scans the table for each page (and joins it per finding).
My work across authors sorts findings by creation time (ix_findings_created_at, since 0011).

Revision ID: 0018
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index, table, columns): kept equal to the Index() entries in field/data/models.py
INDEXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ix_verifications_finding_kind", "verifications", ("finding_id", "kind")),
    ("ix_verifications_state_kind", "verifications", ("state", "kind")),
)


def upgrade() -> None:
    for name, table, cols in INDEXES:
        op.create_index(name, table, list(cols))


def downgrade() -> None:
    for name, table, _cols in reversed(INDEXES):
        op.drop_index(name, table_name=table)
