"""offline imports: a submission may come from an export file (ODK Central, KoboToolbox, QField)
instead of a device, so `device_id` is optional and `source` / `source_file` say where it came from

Revision ID: 0013
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("odk_submissions") as batch:
        batch.alter_column("device_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("source", sa.String(length=10), nullable=False, server_default="collect"))
        batch.add_column(sa.Column("source_file", sa.String(length=200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("odk_submissions") as batch:
        batch.drop_column("source_file")
        batch.drop_column("source")
        batch.alter_column("device_id", existing_type=sa.Integer(), nullable=False)
