"""break-glass reviews and refused attempts

- `break_glass_verdict`: an auditor's review of one break-glass use, justified or not,
  with a note encrypted under the case's key; one per use.
- `break_glass_refusal`: a refused break-glass attempt, with what was typed sealed
  under the key-encryption key (there may be no case, hence no case key).

Revision ID: 0013_breakglass
Revises: 0012_onechild
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0013_breakglass"
down_revision: str | None = "0012_onechild"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "break_glass_verdict",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("grant_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("reviewer_id", sa.Uuid(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.Column("justified", sa.Boolean(), nullable=False),
        sa.Column("note_enc", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["break_glass_grant.id"],
            name="fk_break_glass_verdict_grant_id_break_glass_grant",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name="fk_break_glass_verdict_case_id_case_file"
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["user_account.id"],
            name="fk_break_glass_verdict_reviewer_id_user_account",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_break_glass_verdict"),
        sa.UniqueConstraint("grant_id", name="uq_break_glass_verdict_grant_id"),
    )
    op.create_index("ix_break_glass_verdict_case_id", "break_glass_verdict", ["case_id"])
    op.create_table(
        "break_glass_refusal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
        sa.Column("refusal", sa.String(length=32), nullable=False),
        sa.Column("attempt_enc", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name="fk_break_glass_refusal_user_id_user_account"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_break_glass_refusal"),
    )
    op.create_index("ix_break_glass_refusal_user_id", "break_glass_refusal", ["user_id"])
    op.create_index("ix_break_glass_refusal_attempted_at", "break_glass_refusal", ["attempted_at"])


def downgrade() -> None:
    op.drop_table("break_glass_refusal")
    op.drop_table("break_glass_verdict")
