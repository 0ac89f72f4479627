"""statistics: the statistics key and one de-identified statistical record per case

The record is sealed under the statistics key (itself sealed by the KEK); only the link
to the case (NULL once the case is erased) and the times are plain. Existing cases get
their records from `casework stats backfill`.

Revision ID: 0014_statistics
Revises: 0013_breakglass
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_statistics"
down_revision: str | None = "0013_breakglass"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "statistics_key",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_statistics_key")),
    )
    op.create_table(
        "statistical_record",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_statistical_record_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statistical_record")),
        sa.UniqueConstraint("case_id", name=op.f("uq_statistical_record_case_id")),
    )


def downgrade() -> None:
    op.drop_table("statistical_record")
    op.drop_table("statistics_key")
