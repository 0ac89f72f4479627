"""Recording audit events in the caller's transaction.

Appends are serialised so concurrent writers never fork the chain: PostgreSQL takes a
transaction-scoped advisory lock; SQLite transactions begin IMMEDIATE (see db.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from casework.access.permissions import FieldGroup
from casework.audit.chain import GENESIS_HASH, event_hash
from casework.audit.checkpoints import after_append
from casework.models.audit import AuditCheckpoint, AuditEvent
from casework.models.base import utcnow

# An arbitrary constant naming the audit-append lock among advisory locks.
AUDIT_LOCK_KEY = 0x0CA5E_A0D17
# Pseudonymous case references (CW-2026-7KX4QM): the only way an event names a case.
CASE_REF_PATTERN = re.compile(r"[A-Z0-9]{1,12}-[0-9]{4}-[0-9A-Z]{6}")


class Action(StrEnum):
    CASE_CREATE = "case.create"
    CASE_READ = "case.read"
    CASE_LIST = "case.list"
    CASE_UPDATE = "case.update"
    CASE_ERASE = "case.erase"
    SEARCH = "search"
    EXPORT = "export"
    ACCESS_DENIED = "access.denied"
    BREAKGLASS_OPEN = "breakglass.open"
    TEAM_CHANGE = "team.change"
    LOGIN_SUCCESS = "login.success"
    LOGIN_FAILURE = "login.failure"
    LOGOUT = "logout"
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    KEY_ROTATE = "key.rotate"
    AUDIT_READ = "audit.read"
    AUDIT_VERIFY = "audit.verify"
    AUDIT_CHECKPOINT = "audit.checkpoint"


class Outcome(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    FAILED = "failed"  # the action ran and found a fault (a chain verification that failed)


@dataclass(frozen=True)
class Actor:
    """Who acts, as the log records it: names of staff and organisations, no child data."""

    username: str = ""
    role: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    client_addr: str = ""


def lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})


@dataclass(frozen=True)
class Head:
    """The newest event, and the newest checkpoint as of it."""

    seq: int
    hash: bytes
    checkpoint_seq: int | None
    checkpoint_at: datetime | None


def chain_head(session: Session) -> Head | None:
    """Read with the chain lock held, in one round trip: the lock is held until commit,
    so every statement under it delays every other writer."""
    checkpoint = select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)
    row = session.execute(
        select(
            AuditEvent.seq,
            AuditEvent.hash,
            checkpoint.with_only_columns(AuditCheckpoint.seq).scalar_subquery(),
            checkpoint.with_only_columns(AuditCheckpoint.signed_at).scalar_subquery(),
        )
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    return Head(row[0], bytes(row[1]), row[2], row[3]) if row else None


def record(
    session: Session,
    action: Action,
    actor: Actor,
    *,
    outcome: Outcome = Outcome.ALLOWED,
    case_ref: str = "",
    field_groups: Iterable[str] = (),
    context: RequestContext | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction (not committed)."""
    context = context or RequestContext()
    groups = _field_group_names(field_groups)
    if case_ref and not CASE_REF_PATTERN.fullmatch(case_ref):
        raise ValueError("an audit event names a case by its reference only")
    session.flush()  # the caller's pending changes go first, before the lock is taken
    lock_chain(session)
    head = chain_head(session)
    event = AuditEvent(
        seq=head.seq + 1 if head else 1,
        occurred_at=utcnow(),
        actor=actor.username,
        actor_role=actor.role,
        organisation=actor.organisation,
        action=str(action),
        case_ref=case_ref,
        field_groups=groups,
        outcome=str(outcome),
        request_id=context.request_id,
        client_addr=context.client_addr,
        prev_hash=head.hash if head else GENESIS_HASH,
    )
    event.hash = event_hash(event)
    # A plain INSERT: the event is never changed, so it needs no place in the session.
    session.execute(insert(AuditEvent).values({c: getattr(event, c) for c in _COLUMNS}))
    after_append(session, event.seq, event.hash, head)
    return event


_COLUMNS = tuple(c.key for c in AuditEvent.__table__.columns)


def _field_group_names(field_groups: Iterable[str]) -> str:
    """Names from the closed list of field groups, never a value: no free text can
    carry a child's data into the log, which must outlive an erased case."""
    names = sorted({str(g) for g in field_groups})
    unknown = [n for n in names if n not in FieldGroup._value2member_map_]
    if unknown:
        raise ValueError(f"not field group names: {len(unknown)} refused")
    return ",".join(names)
