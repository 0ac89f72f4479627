"""one child, one case

Possible same-child items found across teams, links between cases, merge agreements,
and the pointer from a merged case (a stub, status "merged") to the case it was merged
into. The case table itself is not altered. The blind
index gains terms (aliases, document numbers, romanisations) without a schema change:
`casework keys reindex` adds them for existing cases.

Revision ID: 0012_onechild
Revises: 0011_audit_append
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_onechild"
down_revision: str | None = "0011_audit_append"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "possible_same_child",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("new_case_id", sa.Uuid(), nullable=False),
        sa.Column("existing_case_id", sa.Uuid(), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["new_case_id"],
            ["case_file.id"],
            name=op.f("fk_possible_same_child_new_case_id_case_file"),
        ),
        sa.ForeignKeyConstraint(
            ["existing_case_id"],
            ["case_file.id"],
            name=op.f("fk_possible_same_child_existing_case_id_case_file"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_possible_same_child_decided_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_possible_same_child")),
        sa.UniqueConstraint(
            "new_case_id", "existing_case_id", name=op.f("uq_possible_same_child_new_case_id")
        ),
    )
    for column in ("new_case_id", "existing_case_id", "region"):
        op.create_index(op.f(f"ix_possible_same_child_{column}"), "possible_same_child", [column])
    op.create_table(
        "case_link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("first_case_id", sa.Uuid(), nullable=False),
        sa.Column("second_case_id", sa.Uuid(), nullable=False),
        sa.Column("linked_by_id", sa.Uuid(), nullable=False),
        sa.Column("linked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["first_case_id"], ["case_file.id"], name=op.f("fk_case_link_first_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["second_case_id"], ["case_file.id"], name=op.f("fk_case_link_second_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["linked_by_id"],
            ["user_account.id"],
            name=op.f("fk_case_link_linked_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_link")),
        sa.UniqueConstraint(
            "first_case_id", "second_case_id", name=op.f("uq_case_link_first_case_id")
        ),
    )
    op.create_index(op.f("ix_case_link_first_case_id"), "case_link", ["first_case_id"])
    op.create_index(op.f("ix_case_link_second_case_id"), "case_link", ["second_case_id"])
    op.create_table(
        "merge_agreement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("link_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("survivor_case_id", sa.Uuid(), nullable=False),
        sa.Column("merged_case_id", sa.Uuid(), nullable=False),
        sa.Column("agreed_by_id", sa.Uuid(), nullable=False),
        sa.Column("agreed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"], ["case_link.id"], name=op.f("fk_merge_agreement_link_id_case_link")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_merge_agreement_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["survivor_case_id"],
            ["case_file.id"],
            name=op.f("fk_merge_agreement_survivor_case_id_case_file"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_case_id"],
            ["case_file.id"],
            name=op.f("fk_merge_agreement_merged_case_id_case_file"),
        ),
        sa.ForeignKeyConstraint(
            ["agreed_by_id"],
            ["user_account.id"],
            name=op.f("fk_merge_agreement_agreed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_agreement")),
        sa.UniqueConstraint("link_id", "case_id", name=op.f("uq_merge_agreement_link_id")),
    )
    op.create_index(op.f("ix_merge_agreement_link_id"), "merge_agreement", ["link_id"])
    op.create_table(
        "case_merge",
        sa.Column("merged_case_id", sa.Uuid(), nullable=False),
        sa.Column("survivor_case_id", sa.Uuid(), nullable=False),
        sa.Column("merged_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_case_id"],
            ["case_file.id"],
            name=op.f("fk_case_merge_merged_case_id_case_file"),
        ),
        sa.ForeignKeyConstraint(
            ["survivor_case_id"],
            ["case_file.id"],
            name=op.f("fk_case_merge_survivor_case_id_case_file"),
        ),
        sa.PrimaryKeyConstraint("merged_case_id", name=op.f("pk_case_merge")),
    )
    op.create_index(op.f("ix_case_merge_survivor_case_id"), "case_merge", ["survivor_case_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_merge_agreement_link_id"), table_name="merge_agreement")
    op.drop_table("merge_agreement")
    op.drop_index(op.f("ix_case_link_second_case_id"), table_name="case_link")
    op.drop_index(op.f("ix_case_link_first_case_id"), table_name="case_link")
    op.drop_table("case_link")
    for column in ("region", "existing_case_id", "new_case_id"):
        op.drop_index(op.f(f"ix_possible_same_child_{column}"), table_name="possible_same_child")
    op.drop_table("possible_same_child")
    op.drop_index(op.f("ix_case_merge_survivor_case_id"), table_name="case_merge")
    op.drop_table("case_merge")
