"""The support plan: measures, and the child's views on them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.clock import utcnow
from casework.crypto.fields import EncryptedField, TextCodec
from casework.models.base import Base, UuidPrimaryKey
from casework.models.case import Case
from casework.models.organisation import Organisation


class MeasureStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"
    STOPPED = "stopped"


class _CaseContent:
    """Rows whose encrypted fields use their case's data key."""

    case: Case

    def data_key(self, version: int | None = None) -> tuple[bytes, int]:
        return self.case.data_key(version)


class SupportMeasure(_CaseContent, UuidPrimaryKey, Base):
    __tablename__ = "support_measure"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    measure_type: Mapped[str] = mapped_column(String(32))  # [lists.measure_type]
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    status: Mapped[str] = mapped_column(String(16), default=MeasureStatus.PLANNED)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    review_on: Mapped[date | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)
    details_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The health field group: written and read by health professionals on the team only.
    clinical_notes_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    case: Mapped[Case] = relationship()
    provider: Mapped[Organisation] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    details = EncryptedField("details_enc", TextCodec())
    clinical_notes = EncryptedField("clinical_notes_enc", TextCodec())

    def __init__(self, case: Case, **kwargs: Any) -> None:
        super().__init__(case=case, case_id=case.id, **kwargs)


class ChildViews(_CaseContent, UuidPrimaryKey, Base):
    """What the child said, on a given day, about the help offered."""

    __tablename__ = "child_views"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    heard_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    language_enc: Mapped[bytes] = mapped_column(LargeBinary)
    informed_format_enc: Mapped[bytes] = mapped_column(LargeBinary)
    views_enc: Mapped[bytes] = mapped_column(LargeBinary)
    perceives_benefit_enc: Mapped[bytes] = mapped_column(LargeBinary)
    engagement_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    trusted_adult_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    case: Mapped[Case] = relationship()
    responses: Mapped[list[MeasureResponse]] = relationship(back_populates="views")

    language = EncryptedField("language_enc", TextCodec())
    informed_format = EncryptedField("informed_format_enc", TextCodec())
    views = EncryptedField("views_enc", TextCodec())
    perceives_benefit = EncryptedField("perceives_benefit_enc", TextCodec())
    engagement = EncryptedField("engagement_enc", TextCodec())
    trusted_adult = EncryptedField("trusted_adult_enc", TextCodec())

    def __init__(self, case: Case, **kwargs: Any) -> None:
        super().__init__(case=case, case_id=case.id)
        for name, value in kwargs.items():
            setattr(self, name, value)


class MeasureResponse(UuidPrimaryKey, Base):
    """The child's acceptance of one measure. A decline schedules a re-offer: the date
    is workflow (plain), whether the child declined is the child's view (encrypted)."""

    __tablename__ = "measure_response"

    # The case, kept here too so key rotation and erasure find the row by its case.
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    views_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("child_views.id"), index=True)
    measure_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("support_measure.id"), index=True)
    reoffer_on: Mapped[date | None]
    acceptance_enc: Mapped[bytes] = mapped_column(LargeBinary)
    reasons_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    views: Mapped[ChildViews] = relationship(back_populates="responses")
    measure: Mapped[SupportMeasure] = relationship()

    acceptance = EncryptedField("acceptance_enc", TextCodec())  # [lists.acceptance]
    reasons = EncryptedField("reasons_enc", TextCodec())

    def __init__(self, views: ChildViews, measure: SupportMeasure, **kwargs: Any) -> None:
        super().__init__(
            views=views,
            views_id=views.id,
            case_id=views.case_id,
            measure=measure,
            measure_id=measure.id,
        )
        for name, value in kwargs.items():
            setattr(self, name, value)

    def data_key(self, version: int | None = None) -> tuple[bytes, int]:
        return self.views.case.data_key(version)
