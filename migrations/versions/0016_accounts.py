"""accounts: professions, who made and changed an account, second-admin approvals,
notices, reset links, who added a team member

Enrolment links issued before this revision keep working: their purpose becomes
"enrol" and they need no code.

Revision ID: 0016_accounts
Revises: 0015_today
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_accounts"
down_revision: str | None = "0015_today"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE, not a batch rebuild: every other table refers to user_account,
    # so SQLite could not drop and recreate it. The two account references are ids
    # without a foreign key for the same reason (an account is never deleted).
    op.add_column("user_account", sa.Column("profession", sa.String(length=32), nullable=True))
    op.add_column("user_account", sa.Column("created_by_id", sa.Uuid(), nullable=True))
    op.add_column("user_account", sa.Column("changed_by_id", sa.Uuid(), nullable=True))
    with op.batch_alter_table("team_membership", schema=None) as batch_op:
        batch_op.add_column(sa.Column("added_by_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("added_by_role", sa.String(length=32), nullable=False, server_default="")
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_team_membership_added_by_id_user_account"),
            "user_account",
            ["added_by_id"],
            ["id"],
        )
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purpose", sa.String(length=16), nullable=False, server_default="enrol")
        )
        batch_op.add_column(sa.Column("code_hash", sa.LargeBinary(length=32), nullable=True))
        batch_op.add_column(sa.Column("password_proven_at", sa.DateTime(), nullable=True))
    op.create_table(
        "pending_approval",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("code_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["user_account.id"],
            name=op.f("fk_pending_approval_subject_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_pending_approval_requested_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_pending_approval_decided_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_pending_approval_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_approval")),
    )
    with op.batch_alter_table("pending_approval", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_approval_subject_id"), ["subject_id"], unique=False
        )
    op.create_table(
        "user_notice",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_user_notice_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_notice")),
    )
    with op.batch_alter_table("user_notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_notice_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_notice_user_id"))
    op.drop_table("user_notice")
    with op.batch_alter_table("pending_approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_approval_subject_id"))
    op.drop_table("pending_approval")
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.drop_column("password_proven_at")
        batch_op.drop_column("code_hash")
        batch_op.drop_column("purpose")
    with op.batch_alter_table("team_membership", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_team_membership_added_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("added_by_role")
        batch_op.drop_column("added_by_id")
    op.drop_column("user_account", "changed_by_id")
    op.drop_column("user_account", "created_by_id")
    op.drop_column("user_account", "profession")
