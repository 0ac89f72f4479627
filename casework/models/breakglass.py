"""Emergency ("break-glass") access to a case by someone outside its team."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String
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


class BreakGlassVerdict(UuidPrimaryKey, Base):
    """An auditor's review of one break-glass use: justified or not, with a note.

    The note is about the case, so it is encrypted under the case's key."""

    __tablename__ = "break_glass_verdict"

    grant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("break_glass_grant.id"), unique=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    justified: Mapped[bool]
    note_enc: Mapped[bytes] = mapped_column(LargeBinary)

    grant: Mapped[BreakGlassGrant] = relationship()
    case: Mapped[Case] = relationship()
    reviewer: Mapped[User] = relationship()

    note = EncryptedField("note_enc", TextCodec())

    def __init__(self, grant: BreakGlassGrant, note: str, **kwargs: Any) -> None:
        super().__init__(
            grant=grant, grant_id=grant.id, case=grant.case, case_id=grant.case_id, **kwargs
        )
        self.note = note

    def data_key(self, version: int | None = None) -> tuple[bytes, int]:
        return self.case.data_key(version)


# What a refused attempt's sealed record is bound to (Keyring.seal_secret).
REFUSAL_PURPOSE = "breakglass-refusal"


class BreakGlassRefusal(UuidPrimaryKey, Base):
    """A break-glass attempt that was refused: why, and what was typed.

    The reference and reason typed belong to no case (there may be none) and may name a
    child, so they are sealed under the key-encryption key, bound to this row."""

    __tablename__ = "break_glass_refusal"
    __kek_sealed__ = {"attempt_enc": (REFUSAL_PURPOSE, "id")}  # noqa: RUF012

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Why it was refused: a code ("unknown_case").
    refusal: Mapped[str] = mapped_column(String(32))
    attempt_enc: Mapped[bytes] = mapped_column(LargeBinary)

    user: Mapped[User] = relationship()
