"""keys, blind indexes, rotation and erasure

Check values of key-encryption keys, the wrapped blind-index root key, the blind index,
previous case data keys during a rotation, rotation runs, erasure records; an index on
team membership by case and user, for search. The case table itself is not altered: an
erased case keeps an empty wrapped key.

Downgrading refuses while a data-key rotation is under way: its previous keys would be
lost with their table.

Revision ID: 0008_crypto
Revises: 0007_support
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_crypto"
down_revision: str | None = "0007_support"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kek_version",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("check_value", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_kek_version")),
    )
    op.create_table(
        "index_key",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_index_key")),
    )
    op.create_table(
        "key_rotation_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("cursor", sa.String(length=64), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_rotation_run")),
    )
    op.create_table(
        "blind_index",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("row_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("token", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_blind_index_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blind_index")),
    )
    with op.batch_alter_table("blind_index", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_blind_index_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_blind_index_field_token", ["field", "token", "case_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_blind_index_row_id"), ["row_id"], unique=False)

    op.create_table(
        "case_erasure",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
        sa.Column("erased_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_erasure_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_erasure")),
    )
    op.create_table(
        "previous_case_key",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("dek_version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("wrapped_dek", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_previous_case_key_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("case_id", "dek_version", name=op.f("pk_previous_case_key")),
    )
    # An index alone: no table is rebuilt, so rows referencing the table do not matter.
    op.create_index("ix_team_membership_case_user", "team_membership", ["case_id", "user_id"])


def downgrade() -> None:
    bind = op.get_bind()
    if bind.scalar(sa.text("SELECT count(*) FROM previous_case_key")):
        raise RuntimeError("a data-key rotation is under way: finish it before downgrading")

    op.drop_index("ix_team_membership_case_user", table_name="team_membership")
    op.drop_table("previous_case_key")
    op.drop_table("case_erasure")
    with op.batch_alter_table("blind_index", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blind_index_row_id"))
        batch_op.drop_index("ix_blind_index_field_token")
        batch_op.drop_index(batch_op.f("ix_blind_index_case_id"))

    op.drop_table("blind_index")
    op.drop_table("key_rotation_run")
    op.drop_table("index_key")
    op.drop_table("kek_version")
