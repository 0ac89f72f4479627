"""The case's lifecycle: each change of status, by whom, and why."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.crypto.fields import EncryptedField, TextCodec
from casework.models.base import Base
from casework.models.record import CaseRecord
from casework.models.user import User


class CaseStatusChange(CaseRecord, Base):
    """Statuses are workflow data; the reasons for closing and reopening are content."""

    __tablename__ = "case_status_change"

    changed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    note_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    changed_by: Mapped[User] = relationship()

    reason = EncryptedField("reason_enc", TextCodec())
    note = EncryptedField("note_enc", TextCodec())
