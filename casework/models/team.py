"""Support team membership: what grants a user access to a case."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.codes.named import ActorType
from casework.models.base import Base, UuidPrimaryKey
from casework.models.case import Case
from casework.models.user import User


class TeamRole(StrEnum):
    LEAD = "lead"
    MEMBER = "member"


# Actor types ([lists.actor_type] in config/codes.toml) that open a case's clinical notes
# (the health field group): a member reads them only while their account's profession
# is that actor type.
CLINICAL_ACTOR_TYPES = frozenset({ActorType.HEALTH, ActorType.CHILD_PSYCHIATRY})


class TeamMembership(UuidPrimaryKey, Base):
    __tablename__ = "team_membership"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    actor_type: Mapped[str] = mapped_column(String(32))  # [lists.actor_type]
    role_in_team: Mapped[str] = mapped_column(String(16), default=TeamRole.MEMBER)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    # When the member first opened the case after being added; None shows it as new.
    seen_at: Mapped[datetime | None]
    # Who added the member, and in which role: the lead sees additions by coordinators.
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    added_by_role: Mapped[str] = mapped_column(String(32), default="", server_default="")

    case: Mapped[Case] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])

    # "Is this user on this case's team?", asked per case by search: without it, a
    # planner may walk all of a user's memberships for every candidate case.
    __table_args__ = (Index("ix_team_membership_case_user", "case_id", "user_id"),)

    def is_active_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day < self.ends_on)

    def opens_clinical_notes(self) -> bool:
        """Whether the member reads clinical notes: a clinical actor type that the
        member's profession, as their account records it now, still fits. Withdrawing
        the profession closes the notes at once."""
        return self.actor_type in CLINICAL_ACTOR_TYPES and self.user.profession == self.actor_type
