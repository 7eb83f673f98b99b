"""议定事项 (dispatch meeting decisions) and the index the weekly missing-reports query needs

`progress.missing_reports` now reads a week's reports in one query (`WHERE week = ?`); neither
existing index on measure_reports leads with `week`.

Revision ID: 0012
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dispatch_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("report_archive.id"), nullable=False),
        sa.Column("meeting_on", sa.Date(), nullable=False),
        sa.Column("county_adcode", sa.String(12), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("person", sa.String(100), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("progress_text", sa.Text(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("measure_id", sa.Integer(), sa.ForeignKey("measures.id"), nullable=True),
        sa.Column("site_id", sa.Integer(), sa.ForeignKey("sites.id"), nullable=True),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_dispatch_decisions_meeting", "dispatch_decisions", ["meeting_on"])
    op.create_index("ix_dispatch_decisions_report", "dispatch_decisions", ["report_id"])
    op.create_index("ix_measure_reports_week", "measure_reports", ["week"])


def downgrade() -> None:
    op.drop_index("ix_measure_reports_week", "measure_reports")
    op.drop_index("ix_dispatch_decisions_report", "dispatch_decisions")
    op.drop_index("ix_dispatch_decisions_meeting", "dispatch_decisions")
    op.drop_table("dispatch_decisions")
