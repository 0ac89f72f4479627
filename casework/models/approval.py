"""Changes of accounts that one administrator asks for and a second one approves."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.clock import utcnow
from casework.models.base import Base, UuidPrimaryKey
from casework.models.user import User


class ApprovalKind(StrEnum):
    NEW_ACCOUNT = "new_account"  # an account whose role reads cases or administers
    ROLE_CHANGE = "role_change"  # to a role that reads cases or administers
    FACTOR_RESET = "factor_reset"  # of an administrator
    ACTIVATION = "activation"  # an administrator's account switched on or off
    PROFESSION = "profession"  # a profession that opens clinical notes


class ApprovalState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class PendingApproval(UuidPrimaryKey, Base):
    __tablename__ = "pending_approval"

    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    requested_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What is asked for: a role and organisation, an account's new status, or (for a
    # profession) the profession, an actor type, in `role`.
    role: Mapped[str] = mapped_column(String(32), default="")
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    active: Mapped[bool | None]
    # A new account's enrolment code, held by the requester; the approver gets the link.
    code_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    state: Mapped[str] = mapped_column(String(16), default=ApprovalState.PENDING)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]

    subject: Mapped[User] = relationship(foreign_keys=[subject_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])


class UserNotice(UuidPrimaryKey, Base):
    """Something done to a person's account that they are told at their next sign-in."""

    __tablename__ = "user_notice"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime | None]
