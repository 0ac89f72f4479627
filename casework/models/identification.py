"""How a child was identified: identification events (with police-only investigation
details) and the formal identification decisions that follow."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.crypto.fields import DateCodec, EncryptedField, TextCodec
from casework.models.base import Base
from casework.models.codecs import BoolCodec, JsonListCodec
from casework.models.record import CaseRecord, Versioned
from casework.models.user import User


class IdentificationEvent(Versioned, CaseRecord, Base):
    """One identification of the child [identification]; a case may have several."""

    __tablename__ = "identification_event"

    recorded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    identified_on_enc: Mapped[bytes] = mapped_column(LargeBinary)
    jurisdiction_enc: Mapped[bytes] = mapped_column(LargeBinary)
    actor_type_enc: Mapped[bytes] = mapped_column(LargeBinary)
    context_enc: Mapped[bytes] = mapped_column(LargeBinary)
    indicators_enc: Mapped[bytes] = mapped_column(LargeBinary)
    exploitation_types_enc: Mapped[bytes] = mapped_column(LargeBinary)
    ict_facilitated_enc: Mapped[bytes] = mapped_column(LargeBinary)
    recruitment_method_enc: Mapped[bytes] = mapped_column(LargeBinary)
    narrative_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    recorded_by: Mapped[User] = relationship()

    identified_on = EncryptedField("identified_on_enc", DateCodec())
    jurisdiction = EncryptedField("jurisdiction_enc", TextCodec())
    actor_type = EncryptedField("actor_type_enc", TextCodec())
    context = EncryptedField("context_enc", TextCodec())
    indicators = EncryptedField("indicators_enc", JsonListCodec())
    exploitation_types = EncryptedField("exploitation_types_enc", JsonListCodec())
    ict_facilitated = EncryptedField("ict_facilitated_enc", BoolCodec())
    recruitment_method = EncryptedField("recruitment_method_enc", TextCodec())
    narrative = EncryptedField("narrative_enc", TextCodec())


class InvestigationDetail(Versioned, CaseRecord, Base):
    """The police investigation behind an identification [investigation]."""

    __tablename__ = "investigation_detail"

    identification_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("identification_event.id"), unique=True
    )
    reference_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    suspects_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    evidence_notes_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    reference = EncryptedField("reference_enc", TextCodec())
    suspects = EncryptedField("suspects_enc", TextCodec())
    evidence_notes = EncryptedField("evidence_notes_enc", TextCodec())


class IdentificationDecision(Versioned, CaseRecord, Base):
    """A formal identification stage [identification]: presumed, reasonable grounds,
    conclusive grounds. Assistance never waits for it, nor for the child's cooperation."""

    __tablename__ = "identification_decision"

    stage_enc: Mapped[bytes] = mapped_column(LargeBinary)
    decision_maker_enc: Mapped[bytes] = mapped_column(LargeBinary)
    decided_on_enc: Mapped[bytes] = mapped_column(LargeBinary)
    outcome_enc: Mapped[bytes] = mapped_column(LargeBinary)
    assistance_unconditional_enc: Mapped[bytes] = mapped_column(LargeBinary)
    # A decision is never changed: a correction is a new decision naming it.
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("identification_decision.id"), index=True
    )
    correction_reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    stage = EncryptedField("stage_enc", TextCodec())
    decision_maker = EncryptedField("decision_maker_enc", TextCodec())
    decided_on = EncryptedField("decided_on_enc", DateCodec())
    outcome = EncryptedField("outcome_enc", TextCodec())
    assistance_unconditional = EncryptedField("assistance_unconditional_enc", BoolCodec())
    correction_reason = EncryptedField("correction_reason_enc", TextCodec())
