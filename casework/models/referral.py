"""Referrals of a case from one organisation to another."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.clock import utcnow
from casework.crypto.fields import EncryptedField, TextCodec
from casework.models.base import Base, UuidPrimaryKey
from casework.models.case import Case
from casework.models.organisation import Organisation


class ReferralState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Referral(UuidPrimaryKey, Base):
    """A request that another organisation join the support of a child.

    The reasons describe the child, so they are encrypted under the case's key; the
    state, organisations and dates are workflow and stay plain.
    """

    __tablename__ = "referral"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    from_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    to_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=ReferralState.PENDING)
    consent: Mapped[str] = mapped_column(String(32))  # [lists.consent]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    reason_enc: Mapped[bytes] = mapped_column(LargeBinary)
    decision_reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    case: Mapped[Case] = relationship()
    from_organisation: Mapped[Organisation] = relationship(foreign_keys=[from_organisation_id])
    to_organisation: Mapped[Organisation] = relationship(foreign_keys=[to_organisation_id])

    reason = EncryptedField("reason_enc", TextCodec())
    decision_reason = EncryptedField("decision_reason_enc", TextCodec())

    def __init__(self, case: Case, reason: str, **kwargs: Any) -> None:
        super().__init__(case=case, case_id=case.id, **kwargs)
        self.reason = reason

    def data_key(self, version: int | None = None) -> tuple[bytes, int]:
        return self.case.data_key(version)
