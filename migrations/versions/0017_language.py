"""a user's language and time zone; an organisation's country; a session's last search

Revision ID: 0017_language
Revises: 0016_accounts
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_language"
down_revision: str | None = "0015_today"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column("country", sa.String(length=2), nullable=True))
    with op.batch_alter_table("user_session") as batch:
        batch.add_column(sa.Column("search_enc", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.drop_column("search_enc")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("country")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("time_zone")
        batch.drop_column("language")
