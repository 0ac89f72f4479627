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
down_revision: str | None = "0016_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD/DROP COLUMN (SQLite has both since 3.35): a batch copy of organisation
    # would drop a table that other tables' foreign keys point at.
    op.add_column("user_account", sa.Column("language", sa.String(length=8), nullable=True))
    op.add_column("user_account", sa.Column("time_zone", sa.String(length=64), nullable=True))
    op.add_column("organisation", sa.Column("country", sa.String(length=2), nullable=True))
    op.add_column("user_session", sa.Column("search_enc", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column("user_session", "search_enc")
    op.drop_column("organisation", "country")
    op.drop_column("user_account", "time_zone")
    op.drop_column("user_account", "language")
