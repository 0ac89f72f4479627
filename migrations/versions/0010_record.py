"""an accountable record: new values in the history, corrections beside decisions

- `case_history.current_enc`: the values after a change (encrypted under the case's
  key, like the values before).
- `non_punishment.corrects_id` and `correction_reason_enc`: a correction of a
  consideration is a new, dated entry beside the one it corrects; the original and its
  decision stay as they were.
- `identification_decision.corrects_id` and `correction_reason_enc`: the same for
  formal identification decisions.

Revision ID: 0010_record
Revises: 0009_audit
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010_record"
down_revision: str | None = "0009_audit"
branch_labels = None
depends_on = None

CORRECTED = ("non_punishment", "identification_decision")


def upgrade() -> None:
    with op.batch_alter_table("case_history") as batch:
        batch.add_column(sa.Column("current_enc", sa.LargeBinary(), nullable=True))
    for table in CORRECTED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("corrects_id", sa.Uuid(), nullable=True))
            batch.add_column(sa.Column("correction_reason_enc", sa.LargeBinary(), nullable=True))
            batch.create_index(f"ix_{table}_corrects_id", ["corrects_id"])
            batch.create_foreign_key(
                f"fk_{table}_corrects_id_{table}", table, ["corrects_id"], ["id"]
            )


def downgrade() -> None:
    for table in CORRECTED:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_corrects_id_{table}", type_="foreignkey")
            batch.drop_index(f"ix_{table}_corrects_id")
            batch.drop_column("correction_reason_enc")
            batch.drop_column("corrects_id")
    with op.batch_alter_table("case_history") as batch:
        batch.drop_column("current_enc")
