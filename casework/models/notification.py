"""Notifications and the mail outbox. A notification names a kind, a person and (for
most kinds) a case; it never holds anything of the case's content. An outbox row asks
for one e-mail to its person; the e-mail is written when it is sent and says only how
many new items wait in Casework, with a link."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.clock import utcnow
from casework.models.base import Base, UuidPrimaryKey


class Notification(UuidPrimaryKey, Base):
    __tablename__ = "notification"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # Set by callers that may repeat themselves (a rule, a retried job): unique, so the
    # same event notifies once.
    key: Mapped[str | None] = mapped_column(String(64), unique=True)


class NotificationSetting(Base):
    """A person's e-mail address for notifications, and whether to use it at all."""

    __tablename__ = "notification_setting"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    email_address: Mapped[str] = mapped_column(String(254), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class EmailChoice(Base):
    """A person's own choice for one kind, where it differs from the kind's default."""

    __tablename__ = "notification_email_choice"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    by_email: Mapped[bool]


class OutboxMessage(UuidPrimaryKey, Base):
    """One notification to send by e-mail. Written in the transaction of the change that
    caused it; sent by `casework notifications send`, which retries with back-off."""

    __tablename__ = "mail_outbox"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    notification_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notification.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]
    # Given up after the last attempt; the reason stays in last_error.
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(200), default="")
