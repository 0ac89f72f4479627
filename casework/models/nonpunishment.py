"""Non-punishment consideration: an alleged offence, its link to the exploitation, the
trafficking assessment, and the prosecution decision that must come after it."""

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


class Link(StrEnum):
    YES = "yes"
    NO = "no"
    UNCLEAR = "unclear"


class NonPunishment(UuidPrimaryKey, Base):
    """One consideration per alleged offence.

    Criminal-offence data (GDPR Art. 10): category, stage, link, rationale, assessor,
    outcome and reasons are encrypted. Offence, stage and outcome are codes of
    config/codes.toml ([lists.offence], [lists.non_punishment_stage] and
    [lists.non_punishment_outcome]). The dates and the override flag are workflow: the
    rule "assessment before decision" and the flag to auditors are read from them.
    """

    __tablename__ = "non_punishment"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    created_by_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    assessed_on: Mapped[date | None]
    decided_on: Mapped[date | None]
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    # A decision recorded without a completed assessment: flagged, and kept flagged.
    # A decided entry never changes again; a correction is a new entry naming it.
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("non_punishment.id"), index=True
    )
    decided_without_assessment: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    offence_enc: Mapped[bytes] = mapped_column(LargeBinary)
    stage_enc: Mapped[bytes] = mapped_column(LargeBinary)
    link_enc: Mapped[bytes] = mapped_column(LargeBinary)
    rationale_enc: Mapped[bytes] = mapped_column(LargeBinary)
    assessor_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    decision_maker_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    outcome_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    departure_reasons_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    override_reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    clear_record_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    correction_reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    case: Mapped[Case] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    offence = EncryptedField("offence_enc", TextCodec())
    stage = EncryptedField("stage_enc", TextCodec())
    link = EncryptedField("link_enc", TextCodec())
    rationale = EncryptedField("rationale_enc", TextCodec())
    assessor = EncryptedField("assessor_enc", TextCodec())
    decision_maker = EncryptedField("decision_maker_enc", TextCodec())
    outcome = EncryptedField("outcome_enc", TextCodec())
    departure_reasons = EncryptedField("departure_reasons_enc", TextCodec())
    override_reason = EncryptedField("override_reason_enc", TextCodec())
    clear_record = EncryptedField("clear_record_enc", TextCodec())
    correction_reason = EncryptedField("correction_reason_enc", TextCodec())

    def __init__(self, case: Case, **kwargs: Any) -> None:
        plain = {k: kwargs.pop(k) for k in list(kwargs) if not self._encrypted(k)}
        super().__init__(case=case, case_id=case.id, **plain)
        for name, value in kwargs.items():
            setattr(self, name, value)

    @classmethod
    def _encrypted(cls, name: str) -> bool:
        return isinstance(getattr(cls, name, None), EncryptedField)

    def data_key(self, version: int | None = None) -> tuple[bytes, int]:
        return self.case.data_key(version)
