"""Tasks on a case: something a team member is to do by a date. The title, notes and
a cancellation's reason are case content, so they are encrypted under the case's key;
who, when and the state are workflow."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.crypto.fields import EncryptedField, TextCodec
from casework.models.base import Base
from casework.models.record import CaseRecord, Versioned
from casework.models.user import User


class TaskState(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class CaseTask(Versioned, CaseRecord, Base):
    __tablename__ = "case_task"

    assignee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    # None for a task a reminder rule created.
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    due_on: Mapped[date] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(16), default=TaskState.OPEN)
    # The reminder rule that created the task (a code from config/reminders.toml), and
    # its key: a hash of rule, case and due date, unique, so a rule never repeats itself.
    rule: Mapped[str | None] = mapped_column(String(40))
    rule_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    title_enc: Mapped[bytes] = mapped_column(LargeBinary)
    notes_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    cancel_reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])

    title = EncryptedField("title_enc", TextCodec())
    notes = EncryptedField("notes_enc", TextCodec())
    cancel_reason = EncryptedField("cancel_reason_enc", TextCodec())

    @property
    def is_open(self) -> bool:
        return self.state == TaskState.OPEN
