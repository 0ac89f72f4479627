"""tasks, reminder marks, notifications and their mail outbox, missing-child episodes

A case has at most one open missing episode: a partial unique index on the case where
the episode's end is not yet recorded, on both dialects.

Revision ID: 0014_today
Revises: 0013_breakglass
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_today"
down_revision: str | None = "0014_statistics"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_email_choice",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("by_email", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_email_choice_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_notification_email_choice")),
    )
    op.create_table(
        "notification_setting",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("email_address", sa.String(length=254), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_setting_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_setting")),
    )
    op.create_table(
        "case_task",
        sa.Column("assignee_id", sa.Uuid(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=True),
        sa.Column("rule_key", sa.String(length=64), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Uuid(), nullable=True),
        sa.Column("title_enc", sa.LargeBinary(), nullable=False),
        sa.Column("notes_enc", sa.LargeBinary(), nullable=True),
        sa.Column("cancel_reason_enc", sa.LargeBinary(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user_account.id"], name=op.f("fk_case_task_assignee_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_task_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["user_account.id"],
            name=op.f("fk_case_task_closed_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_case_task_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_task")),
        sa.UniqueConstraint("rule_key", name=op.f("uq_case_task_rule_key")),
    )
    with op.batch_alter_table("case_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_task_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_task_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_task_due_on"), ["due_on"], unique=False)

    op.create_table(
        "missing_episode",
        sa.Column("reported_by_id", sa.Uuid(), nullable=False),
        sa.Column("found_recorded_at", sa.DateTime(), nullable=True),
        sa.Column("found_recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("last_seen_at_enc", sa.LargeBinary(), nullable=False),
        sa.Column("last_seen_where_enc", sa.LargeBinary(), nullable=True),
        sa.Column("circumstances_enc", sa.LargeBinary(), nullable=True),
        sa.Column("police_informed_at_enc", sa.LargeBinary(), nullable=True),
        sa.Column("police_reference_enc", sa.LargeBinary(), nullable=True),
        sa.Column("found_at_enc", sa.LargeBinary(), nullable=True),
        sa.Column("found_where_enc", sa.LargeBinary(), nullable=True),
        sa.Column("found_by_enc", sa.LargeBinary(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_missing_episode_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["found_recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_missing_episode_found_recorded_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"],
            ["user_account.id"],
            name=op.f("fk_missing_episode_reported_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missing_episode")),
    )
    with op.batch_alter_table("missing_episode", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_missing_episode_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "uq_missing_episode_open",
            ["case_id"],
            unique=True,
            sqlite_where=sa.text("found_recorded_at IS NULL"),
            postgresql_where=sa.text("found_recorded_at IS NULL"),
        )

    op.create_table(
        "notification",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("key", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_notification_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_notification_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("key", name=op.f("uq_notification_key")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notification_user_id"), ["user_id"], unique=False)

    op.create_table(
        "reminder_mark",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_reminder_mark_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_mark")),
        sa.UniqueConstraint("key", name=op.f("uq_reminder_mark_key")),
    )
    with op.batch_alter_table("reminder_mark", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_mark_case_id"), ["case_id"], unique=False)

    op.create_table(
        "mail_outbox",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("notification_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("failed_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notification.id"],
            name=op.f("fk_mail_outbox_notification_id_notification"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_mail_outbox_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
        sa.UniqueConstraint("notification_id", name=op.f("uq_mail_outbox_notification_id")),
    )
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mail_outbox_next_attempt_at"), ["next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_mail_outbox_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_outbox_user_id"))
        batch_op.drop_index(batch_op.f("ix_mail_outbox_next_attempt_at"))

    op.drop_table("mail_outbox")
    with op.batch_alter_table("reminder_mark", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_mark_case_id"))

    op.drop_table("reminder_mark")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_user_id"))
        batch_op.drop_index(batch_op.f("ix_notification_case_id"))

    op.drop_table("notification")
    with op.batch_alter_table("missing_episode", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_missing_episode_open",
            sqlite_where=sa.text("found_recorded_at IS NULL"),
            postgresql_where=sa.text("found_recorded_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_missing_episode_case_id"))

    op.drop_table("missing_episode")
    with op.batch_alter_table("case_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_task_due_on"))
        batch_op.drop_index(batch_op.f("ix_case_task_case_id"))
        batch_op.drop_index(batch_op.f("ix_case_task_assignee_id"))

    op.drop_table("case_task")
    op.drop_table("notification_setting")
    op.drop_table("notification_email_choice")
