"""failed logins counted per (username, client address)

Revision ID: 0007
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username_key", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        # the login's lookup; also the admin unlock's (by username_key, its leading column)
        sa.UniqueConstraint("username_key", "client", name="uq_login_failure"),
    )
    # the sweep that forgets old counts
    op.create_index("ix_login_failures_last", "login_failures", ["last_failure_at"])


def downgrade() -> None:
    op.drop_table("login_failures")
