"""Emergency ("break-glass") access to a case by someone outside its team."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.clock import utcnow
from casework.crypto.fields import EncryptedField, TextCodec
from casework.models.base import Base, UuidPrimaryKey
from casework.models.case import Case
from casework.models.user import User


class BreakGlassGrant(UuidPrimaryKey, Base):
    """Read-only, time-limited access with a stated reason.

    The reason may mention the child, so it is encrypted under the case's key like
    any case content, and erased with it.
    """

    __tablename__ = "break_glass_grant"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    reason_enc: Mapped[bytes] = mapped_column(LargeBinary)

    case: Mapped[Case] = relationship()
    user: Mapped[User] = relationship()

    reason = EncryptedField("reason_enc", TextCodec())

    def __init__(self, case: Case, reason: str, **kwargs: Any) -> None:
        super().__init__(case=case, case_id=case.id, **kwargs)
        self.reason = reason

    def data_key(self, version: int | None = None) -> tuple[bytes, int]:
        return self.case.data_key(version)

    def is_active_at(self, moment: datetime) -> bool:
        return self.opened_at <= moment < self.expires_at
