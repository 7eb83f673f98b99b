"""index login sessions by user: every session of a user ends at once (logout everywhere,
password change, an admin's "end sessions")

Revision ID: 0009
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_login_sessions_user_id", "login_sessions", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_login_sessions_user_id", table_name="login_sessions")
