"""Key material the database holds, none of it usable without the key-encryption key:
check values of the KEKs it has known, the wrapped blind-index root key, data keys of
cases whose rotation is under way, and a record of each rotation run."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.clock import utcnow
from casework.models.base import Base


class KekVersion(Base):
    """A KEK this database has been encrypted under. The check value is a constant sealed
    by that KEK: at start-up the configured key must open it, or Casework refuses."""

    __tablename__ = "kek_version"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    check_value: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by `casework keys rotate-kek` once nothing is wrapped by this version any more.
    retired_at: Mapped[datetime | None]


class IndexKey(Base):
    """The blind-index root key, wrapped by the current KEK."""

    __tablename__ = "index_key"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PreviousCaseKey(Base):
    """A case's older data key, kept only while its rows are re-encrypted to the new one."""

    __tablename__ = "previous_case_key"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), primary_key=True)
    dek_version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    wrapped_dek: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeyRotationRun(Base):
    """One run of `casework keys rotate-kek` or `rotate-dek --all`; an unfinished run is
    resumed from its cursor (the last case id done) by the next invocation."""

    __tablename__ = "key_rotation_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    cursor: Mapped[str] = mapped_column(String(64), default="")
    done: Mapped[int] = mapped_column(default=0)
