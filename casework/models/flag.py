"""Flags on a case: things the whole team must notice, raised by hand or by a rule."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.crypto.fields import EncryptedField, TextCodec
from casework.models.base import Base
from casework.models.record import CaseRecord, Versioned
from casework.models.user import User


class CaseFlag(Versioned, CaseRecord, Base):
    """Kind and text are case content (a "non-punishment" flag says the child is
    suspected of an offence), so they are encrypted; who and when are workflow."""

    __tablename__ = "case_flag"

    raised_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    automatic: Mapped[bool] = mapped_column(default=False)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    kind_enc: Mapped[bytes] = mapped_column(LargeBinary)
    text_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    resolution_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    kind = EncryptedField("kind_enc", TextCodec())
    text = EncryptedField("text_enc", TextCodec())
    resolution = EncryptedField("resolution_enc", TextCodec())

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
