"""The audit log: one row per read, change, search, login, denial ... and the signed
checkpoints of its head. Both tables are append-only (triggers made by migration 0009).

No personal data of a child is ever stored here: the case is named by its
pseudonymous reference, field groups by name, never by value.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.models.base import Base


class AuditEvent(Base):
    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64), default="", index=True)
    actor_role: Mapped[str] = mapped_column(String(32), default="")
    organisation: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(32), index=True)
    case_ref: Mapped[str] = mapped_column(String(32), default="", index=True)
    field_groups: Mapped[str] = mapped_column(String(255), default="")
    outcome: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str] = mapped_column(String(64), default="")
    client_addr: Mapped[str] = mapped_column(String(64), default="")
    # Whom an administrative action concerned (a user name), never a child.
    subject: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)


class AuditCheckpoint(Base):
    """The head of the chain (sequence number and hash) at a moment, signed with the
    Ed25519 key held outside the database. See casework/audit/checkpoints.py."""

    __tablename__ = "audit_checkpoint"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    event_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    signed_at: Mapped[datetime]
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
