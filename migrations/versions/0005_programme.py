"""the rectification programme: plan fields on problems/measures, weekly reports, evidence files,
accountability records, the reporting unit of a user

Revision ID: 0005
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("problems") as b:
        b.add_column(sa.Column("deadline_text", sa.String(200), nullable=False, server_default=""))
        b.add_column(sa.Column("standing", sa.Boolean(), nullable=False, server_default=sa.false()))
        b.add_column(sa.Column("leader", sa.String(100), nullable=False, server_default=""))
        b.add_column(sa.Column("supervising_unit", sa.String(200), nullable=False, server_default=""))
        b.add_column(sa.Column("plan_key", sa.String(80), nullable=False, server_default=""))
        b.add_column(sa.Column("extra", sa.JSON(), nullable=False, server_default="{}"))
        b.create_index("ix_problems_plan_key", ["plan_key"])
    with op.batch_alter_table("measures") as b:
        b.add_column(sa.Column("deadline_text", sa.String(200), nullable=False, server_default=""))
        b.add_column(sa.Column("standing", sa.Boolean(), nullable=False, server_default=sa.false()))
        b.add_column(sa.Column("start_date", sa.Date(), nullable=True))
        b.add_column(sa.Column("percent", sa.Integer(), nullable=True))
        b.add_column(sa.Column("code", sa.String(40), nullable=False, server_default=""))
        b.add_column(sa.Column("target", sa.Text(), nullable=False, server_default=""))
        b.add_column(sa.Column("leader", sa.String(100), nullable=False, server_default=""))
        b.add_column(sa.Column("supervising_unit", sa.String(200), nullable=False, server_default=""))
        b.add_column(sa.Column("extra", sa.JSON(), nullable=False, server_default="{}"))
    # A measure typed as 长期坚持 before the schedule was computed becomes a standing measure.
    op.execute("UPDATE measures SET standing = true WHERE progress = 'standing'")
    with op.batch_alter_table("users") as b:
        b.add_column(sa.Column("unit", sa.String(200), nullable=False, server_default=""))

    op.create_table(
        "measure_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("done_text", sa.Text(), nullable=False),
        sa.Column("problems_text", sa.Text(), nullable=False),
        sa.Column("reported_by", sa.Integer(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["measure_id"], ["measures.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reported_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_measure_reports_measure_week", "measure_reports", ["measure_id", "week"])
    op.create_index("ix_measure_reports_unit_week", "measure_reports", ["unit", "week"])
    op.create_table(
        "report_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["measure_reports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_files_report_id", "report_files", ["report_id"])
    op.create_index("ix_report_files_sha256", "report_files", ["sha256"])
    op.create_table(
        "accountability_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("problem_id", sa.Integer(), nullable=True),
        sa.Column("person", sa.String(100), nullable=False),
        sa.Column("post", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("measure", sa.String(20), nullable=False),
        sa.Column("fine_yuan", sa.Numeric(14, 2), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("document_no", sa.String(100), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("county_adcode", sa.String(12), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["problem_id"], ["problems.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["county_adcode"], ["counties.adcode"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_accountability_records_case_id", "accountability_records", ["case_id"])
    op.create_index("ix_accountability_records_problem_id", "accountability_records", ["problem_id"])


def downgrade() -> None:
    op.drop_table("accountability_records")
    op.drop_table("report_files")
    op.drop_table("measure_reports")
    with op.batch_alter_table("users") as b:
        b.drop_column("unit")
    with op.batch_alter_table("measures") as b:
        for col in ("extra", "supervising_unit", "leader", "target", "code", "percent", "start_date", "standing",
                    "deadline_text"):
            b.drop_column(col)
    with op.batch_alter_table("problems") as b:
        b.drop_index("ix_problems_plan_key")
        for col in ("extra", "plan_key", "supervising_unit", "leader", "standing", "deadline_text"):
            b.drop_column(col)
