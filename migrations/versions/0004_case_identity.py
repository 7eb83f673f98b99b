"""case identity within an inspection; every batch a case was published in; every county

Revision ID: 0004
Revises: 0005 (chained after main's 0005_programme when main was merged)

A case was (受理编号, batch); it becomes (inspection, case_key) so a republished case updates the
stored one. Existing rows keep their data: each becomes inspection "" with its normalised
受理编号 as key (a number stored twice under two batches keeps the later copies apart with
"@batch", so nothing is merged without a person looking), one `case_batches` row for its batch
and one `case_counties` row for its county.
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(case_no: str) -> str:
    return re.sub(r"\s+", "", case_no or "").rstrip("*＊").upper()


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as b:
        b.add_column(sa.Column("inspection", sa.String(length=100), nullable=False, server_default=""))
        b.add_column(sa.Column("case_key", sa.String(length=80), nullable=False, server_default=""))
        b.add_column(sa.Column("identity", sa.String(length=8), nullable=False, server_default="case_no"))
        b.add_column(sa.Column("handed_over_source", sa.String(length=10), nullable=False, server_default=""))
        b.add_column(sa.Column("receive_text", sa.String(length=50), nullable=False, server_default=""))
        b.alter_column("receive_method", existing_type=sa.String(length=2), type_=sa.String(length=10),
                       existing_nullable=True)
        b.drop_constraint("uq_case_no_batch", type_="unique")
    with op.batch_alter_table("case_results", schema=None) as b:
        b.add_column(sa.Column("closure_text", sa.String(length=50), nullable=False, server_default=""))

    op.create_table(
        "case_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("batch", sa.Integer(), nullable=False),
        sa.Column("batch_text", sa.String(length=50), nullable=False),
        sa.Column("seq", sa.String(length=20), nullable=False),
        sa.Column("section", sa.String(length=20), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("reception_window", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "batch", name="uq_case_batch"),
    )
    op.create_index("ix_case_batches_case_id", "case_batches", ["case_id"])
    op.create_index("ix_case_batches_batch", "case_batches", ["batch"])
    op.create_table(
        "case_counties",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("county_adcode", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["county_adcode"], ["counties.adcode"]),
        sa.PrimaryKeyConstraint("case_id", "county_adcode"),
    )
    op.create_index("ix_case_counties_county", "case_counties", ["county_adcode"])

    conn = op.get_bind()
    cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("case_no", sa.String),
                     sa.column("batch", sa.Integer), sa.column("case_key", sa.String),
                     sa.column("county_adcode", sa.String), sa.column("created_at", sa.DateTime))
    batches = sa.table("case_batches", sa.column("case_id", sa.Integer), sa.column("batch", sa.Integer),
                       sa.column("batch_text", sa.String), sa.column("seq", sa.String),
                       sa.column("section", sa.String), sa.column("reception_window", sa.String),
                       sa.column("filename", sa.String), sa.column("imported_at", sa.DateTime))
    counties = sa.table("case_counties", sa.column("case_id", sa.Integer), sa.column("county_adcode", sa.String))
    seen: set[str] = set()
    for cid, case_no, batch, county, created in conn.execute(
            sa.select(cases.c.id, cases.c.case_no, cases.c.batch, cases.c.county_adcode, cases.c.created_at)
            .order_by(cases.c.id)).all():
        key = _key(case_no)
        if key in seen:
            key = f"{key}@{batch}"
        seen.add(key)
        conn.execute(cases.update().where(cases.c.id == cid).values(case_key=key))
        if batch is not None:
            conn.execute(batches.insert().values(case_id=cid, batch=batch, batch_text="", seq="", section="",
                                                 reception_window="", filename="", imported_at=created))
        if county is not None:
            conn.execute(counties.insert().values(case_id=cid, county_adcode=county))

    with op.batch_alter_table("cases", schema=None) as b:
        b.create_unique_constraint("uq_case_identity", ["inspection", "case_key"])
        b.create_index("ix_cases_batch", ["batch"])


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as b:
        b.drop_index("ix_cases_batch")
        b.drop_constraint("uq_case_identity", type_="unique")
    op.drop_index("ix_case_counties_county", table_name="case_counties")
    op.drop_table("case_counties")
    op.drop_index("ix_case_batches_batch", table_name="case_batches")
    op.drop_index("ix_case_batches_case_id", table_name="case_batches")
    op.drop_table("case_batches")
    with op.batch_alter_table("case_results", schema=None) as b:
        b.drop_column("closure_text")
    with op.batch_alter_table("cases", schema=None) as b:
        b.drop_column("receive_text")
        b.drop_column("handed_over_source")
        b.drop_column("identity")
        b.drop_column("case_key")
        b.drop_column("inspection")
        b.alter_column("receive_method", existing_type=sa.String(length=10), type_=sa.String(length=2),
                       existing_nullable=True)
        b.create_unique_constraint("uq_case_no_batch", ["case_no", "batch"])
