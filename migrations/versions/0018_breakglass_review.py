"""break-glass uses stay reviewable after erasure: the reason and the review's note
sealed under the key-encryption key

Revision ID: 0018_breakglass_review
Revises: 0017_language
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_breakglass_review"
down_revision: str | None = "0017_language"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("break_glass_grant", sa.Column("reason_sealed", sa.LargeBinary(), nullable=True))
    # A use reviewed after its case was erased keeps its note sealed, not under the
    # destroyed case key. (Batch mode: SQLite alters a column's nullability by copying
    # the table; nothing points at break_glass_verdict.)
    with op.batch_alter_table("break_glass_verdict", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note_sealed", sa.LargeBinary(), nullable=True))
        batch_op.alter_column("note_enc", existing_type=sa.LargeBinary(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("break_glass_verdict", schema=None) as batch_op:
        batch_op.alter_column("note_enc", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column("note_sealed")
    op.drop_column("break_glass_grant", "reason_sealed")
