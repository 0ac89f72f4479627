"""Recording audit events in the caller's transaction.

Appends are serialised so concurrent writers never fork the chain: PostgreSQL takes a
transaction-scoped advisory lock; SQLite transactions begin IMMEDIATE (see db.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from casework.audit.chain import GENESIS_HASH, event_hash
from casework.models.audit import AuditEvent
from casework.models.base import utcnow

# An arbitrary constant naming the audit-append lock among advisory locks.
AUDIT_LOCK_KEY = 0x0CA5E_A0D17


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
    REFERRAL_CREATE = "referral.create"
    REFERRAL_DECIDE = "referral.decide"
    # A prosecution decision recorded without a completed trafficking assessment.
    NONPUNISHMENT_OVERRIDE = "nonpunishment.override"
    LOGIN_SUCCESS = "login.success"
    LOGIN_FAILURE = "login.failure"
    LOGOUT = "logout"
    LOGIN_LOCKOUT = "login.lockout"
    REAUTH = "reauth"
    SESSION_END = "session.end"
    SECOND_FACTOR_CHANGE = "second_factor.change"
    ENROLMENT_ISSUE = "enrolment.issue"
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    KEY_ROTATE = "key.rotate"
    AUDIT_READ = "audit.read"
    AUDIT_VERIFY = "audit.verify"
    AUDIT_CHECKPOINT = "audit.checkpoint"
    CASE_STATUS = "case.status"
    FLAG_RAISE = "flag.raise"
    FLAG_RESOLVE = "flag.resolve"


class Outcome(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"


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


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})


def record(
    session: Session,
    action: Action,
    actor: Actor,
    *,
    outcome: Outcome = Outcome.ALLOWED,
    case_ref: str = "",
    field_groups: Iterable[str] = (),
    context: RequestContext | None = None,
    subject: str = "",
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction (not committed)."""
    context = context or RequestContext()
    _lock(session)
    head = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    event = AuditEvent(
        seq=head.seq + 1 if head else 1,
        occurred_at=utcnow(),
        actor=actor.username,
        actor_role=actor.role,
        organisation=actor.organisation,
        action=str(action),
        case_ref=case_ref,
        field_groups=",".join(sorted(set(field_groups))),
        outcome=str(outcome),
        request_id=context.request_id,
        client_addr=context.client_addr,
        subject=subject,
        prev_hash=head.hash if head else GENESIS_HASH,
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    return event
