"""The de-identified statistical record kept per case, and the key it is sealed under.

A statistical record holds coded and coarsened values only (year and quarter, age band,
codes, day counts), sealed as one blob under the statistics key: a key of its own,
wrapped by the key-encryption key, never a case's key. Erasing a case destroys the
case's key and so leaves the statistical record readable; the record is then cut loose
from its case (`case_id` set to NULL), or deleted when STATISTICS_ERASE_WITH_CASE is on.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from casework.clock import utcnow
from casework.models.base import Base, UuidPrimaryKey


class StatisticsKey(Base):
    """The statistics key, sealed by the KEK (a KEK rotation rewraps it)."""

    __tablename__ = "statistics_key"
    __kek_sealed__ = {"wrapped_key": ("statistics", "version")}  # noqa: RUF012

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatisticalRecord(UuidPrimaryKey, Base):
    """One case's de-identified statistical record, sealed under the statistics key.

    Only the case link and the times are plain; every value, even the year, is in
    `sealed`. The link is NULL once the case is erased."""

    __tablename__ = "statistical_record"

    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("case_file.id"), unique=True, nullable=True
    )
    key_version: Mapped[int] = mapped_column(default=1)
    # Raised by one at every rewrite, so readers that keep counts see what changed.
    version: Mapped[int] = mapped_column(default=1)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
