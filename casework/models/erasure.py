"""The record that a case was erased: when, by whom, for which coded reason.

The reason is a code, not free text, so that an erasure record can never carry what
the erasure destroyed."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.clock import utcnow
from casework.models.base import Base


class ErasureReason(StrEnum):
    RETENTION_EXPIRED = "retention_expired"
    OPENED_IN_ERROR = "opened_in_error"
    DUPLICATE = "duplicate"
    DATA_SUBJECT_REQUEST = "data_subject_request"
    COURT_ORDER = "court_order"


class CaseErasure(Base):
    __tablename__ = "case_erasure"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
