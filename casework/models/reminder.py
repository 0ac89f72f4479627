"""Marks left by the reminder rules for things no task fits (a referral waiting on a
region, a case without a lead). Workflow facts only: the rule, the case, the date."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.clock import utcnow
from casework.models.base import Base, UuidPrimaryKey


class ReminderMark(UuidPrimaryKey, Base):
    __tablename__ = "reminder_mark"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    rule: Mapped[str] = mapped_column(String(40))
    due_on: Mapped[date]
    # A hash of rule, subject and due date: a rule marks the same thing once.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by the run that finds the rule no longer holds (the referral was decided ...).
    resolved_at: Mapped[datetime | None]
