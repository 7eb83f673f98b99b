"""signatures keyed outside the database: Ed25519 signature and key id on sign-offs and
verification records, and the status and county a sign-off vouches for

Revision ID: 0006
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("signoffs") as batch:
        batch.add_column(sa.Column("signed_status", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("signed_county", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("signature", sa.String(length=100), nullable=True))
    with op.batch_alter_table("verifications") as batch:
        batch.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("signature", sa.String(length=100), nullable=True))
    # the verification statement lists the photos a record brought
    op.create_index("ix_finding_photos_verification", "finding_photos", ["verification_id"])


def downgrade() -> None:
    op.drop_index("ix_finding_photos_verification", table_name="finding_photos")
    with op.batch_alter_table("verifications") as batch:
        batch.drop_column("signature")
        batch.drop_column("key_id")
    with op.batch_alter_table("signoffs") as batch:
        batch.drop_column("signature")
        batch.drop_column("key_id")
        batch.drop_column("signed_county")
        batch.drop_column("signed_status")
