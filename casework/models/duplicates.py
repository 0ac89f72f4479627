"""One child, one case: possible duplicates found across teams, links between cases that
are about the same child, and the two leads' agreement to merge them.

None of these rows holds anything about the child: they name cases by id, and pages show
only the cases' references.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.clock import utcnow
from casework.models.base import Base, UuidPrimaryKey


class SameChildState(StrEnum):
    OPEN = "open"
    LINKED = "linked"
    DISMISSED = "dismissed"


class PossibleSameChild(UuidPrimaryKey, Base):
    """A case opened that may be about the child of an existing case the person opening
    it may not see. Shown to the existing case's lead and to the coordinators of the
    region the new case was opened in (`region`), as the two references only."""

    __tablename__ = "possible_same_child"

    new_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    existing_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    region: Mapped[str] = mapped_column(String(100), index=True)
    found_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default=SameChildState.OPEN)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (UniqueConstraint("new_case_id", "existing_case_id"),)


class CaseLink(UuidPrimaryKey, Base):
    """Two cases about the same child. `first_case_id` is the smaller id, so that a pair
    is one row whichever side linked it."""

    __tablename__ = "case_link"

    first_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    second_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    linked_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("first_case_id", "second_case_id"),)

    def other(self, case_id: uuid.UUID) -> uuid.UUID:
        return self.second_case_id if case_id == self.first_case_id else self.first_case_id


class MergeAgreement(UuidPrimaryKey, Base):
    """One lead's agreement that `merged_case_id` be merged into `survivor_case_id`, for
    the case the lead leads (`case_id`). A merge needs both cases' agreements to the same
    direction, each by the case's lead at the time of the merge."""

    __tablename__ = "merge_agreement"

    link_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_link.id"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"))
    survivor_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"))
    merged_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"))
    agreed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    agreed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("link_id", "case_id"),)


class CaseMerge(Base):
    """A case merged into another: the merged case is a stub (status "merged", no key)
    pointing to the survivor, which holds all its records now."""

    __tablename__ = "case_merge"

    merged_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), primary_key=True)
    survivor_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
