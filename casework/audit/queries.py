"""Reading the audit log for people: filtered, newest first, a page at a time.

Pages are cut by sequence number (keyset), not by offset, so the hundredth page of a
million events costs what the first does.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from casework.audit.events import Action
from casework.models.audit import AuditCheckpoint, AuditEvent
from casework.models.organisation import Organisation

PAGE_SIZE = 50


@dataclass(frozen=True)
class EventFilter:
    actor: str = ""
    organisation: str = ""
    case_ref: str = ""
    action: str = ""
    outcome: str = ""
    since: datetime | None = None  # inclusive, UTC
    until: datetime | None = None  # exclusive, UTC
    # Events by these roles are left out (the lead's view leaves out the auditors').
    hide_roles: frozenset[str] = frozenset()

    def conditions(self) -> list[ColumnElement[bool]]:
        e = AuditEvent
        found: list[ColumnElement[bool]] = []
        for column, value in (
            (e.actor, self.actor),
            (e.organisation, self.organisation),
            (e.case_ref, self.case_ref),
            (e.action, self.action),
            (e.outcome, self.outcome),
        ):
            if value:
                found.append(column == value)
        if self.since is not None:
            found.append(e.occurred_at >= self.since)
        if self.until is not None:
            found.append(e.occurred_at < self.until)
        if self.hide_roles:
            found.append(e.actor_role.not_in(sorted(self.hide_roles)))
        return found


@dataclass(frozen=True)
class PageRequest:
    before: int | None = None  # show events older than this sequence number
    after: int | None = None  # or newer than this one
    size: int = PAGE_SIZE


@dataclass(frozen=True)
class EventRow:
    seq: int
    occurred_at: datetime
    actor: str
    actor_role: str
    organisation: str
    action: str
    case_ref: str
    field_groups: tuple[str, ...]
    outcome: str
    request_id: str
    subject: str
    client_addr: str
    event_hash: str


@dataclass(frozen=True)
class EventPage:
    rows: list[EventRow]
    total: int
    newer: int | None  # pass as `after` for the page of newer events
    older: int | None  # pass as `before` for the page of older events


def _row(e: AuditEvent) -> EventRow:
    return EventRow(
        seq=e.seq,
        occurred_at=e.occurred_at,
        actor=e.actor,
        actor_role=e.actor_role,
        organisation=e.organisation,
        action=e.action,
        case_ref=e.case_ref,
        field_groups=tuple(g for g in e.field_groups.split(",") if g),
        outcome=e.outcome,
        request_id=e.request_id,
        subject=e.subject,
        client_addr=e.client_addr,
        event_hash=bytes(e.hash).hex(),
    )


def page(session: Session, where: EventFilter, request: PageRequest) -> EventPage:
    conditions = where.conditions()
    query = select(AuditEvent).where(*conditions)
    if request.after is not None:
        query = query.where(AuditEvent.seq > request.after).order_by(AuditEvent.seq)
        events = list(session.scalars(query.limit(request.size)))[::-1]
    else:
        if request.before is not None:
            query = query.where(AuditEvent.seq < request.before)
        events = list(session.scalars(query.order_by(AuditEvent.seq.desc()).limit(request.size)))
    newer = older = None
    if events:
        if _any(session, conditions, AuditEvent.seq > events[0].seq):
            newer = events[0].seq
        if _any(session, conditions, AuditEvent.seq < events[-1].seq):
            older = events[-1].seq
    return EventPage([_row(e) for e in events], count(session, where), newer, older)


def _any(
    session: Session, conditions: list[ColumnElement[bool]], more: ColumnElement[bool]
) -> bool:
    return bool(session.scalar(select(exists().where(*conditions, more))))


def matching(session: Session, where: EventFilter, limit: int) -> list[EventRow]:
    """Up to `limit` matching events, oldest first (for export)."""
    query = select(AuditEvent).where(*where.conditions()).order_by(AuditEvent.seq)
    return [_row(e) for e in session.scalars(query.limit(limit))]


def count(session: Session, where: EventFilter) -> int:
    query = select(func.count()).select_from(AuditEvent).where(*where.conditions())
    return session.scalar(query) or 0


def organisation_names(session: Session) -> dict[str, str]:
    """Organisation names by the id the log records (the UUID as text)."""
    return {str(i): n for i, n in session.execute(select(Organisation.id, Organisation.name))}


def _grant_of(session: Session, row: EventRow) -> Any:
    from casework.models.breakglass import BreakGlassGrant
    from casework.models.case import Case
    from casework.models.user import User

    return session.scalar(
        select(BreakGlassGrant)
        .join(Case, Case.id == BreakGlassGrant.case_id)
        .join(User, User.id == BreakGlassGrant.user_id)
        .where(
            Case.reference == row.case_ref,
            User.username == row.actor,
            BreakGlassGrant.opened_at <= row.occurred_at,
        )
        .order_by(BreakGlassGrant.opened_at.desc())
        .limit(1)
    )


def _refusal_of(session: Session, row: EventRow) -> Any:
    from casework.models.breakglass import BreakGlassRefusal
    from casework.models.user import User

    return session.scalar(
        select(BreakGlassRefusal)
        .join(User, User.id == BreakGlassRefusal.user_id)
        .where(User.username == row.actor, BreakGlassRefusal.attempted_at <= row.occurred_at)
        .order_by(BreakGlassRefusal.attempted_at.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class BreakGlassUse:
    """What the log's break-glass event leaves out: the reason typed, and the review."""

    reason: str | None
    grant_id: uuid.UUID | None = None
    justified: bool | None = None


def breakglass_uses(session: Session, rows: list[EventRow]) -> dict[int, BreakGlassUse]:
    """The reason typed for each break-glass event, by sequence number, and for a use
    the auditors' review of it.

    Reasons are free text written by the person breaking the glass, so they are kept
    beside the log, not in it, which must hold no free text: with the grant, encrypted
    under the case's key (each use has its own grant and reason), or for a refused
    attempt sealed under the key-encryption key. A grant or refusal is matched by user
    (and case), made in the same transaction as its event. An erased case's reasons were
    sealed under the key-encryption key by the erasure.
    """
    from casework.crypto.aead import FieldIntegrityError
    from casework.models.breakglass import BreakGlassVerdict

    uses: dict[int, BreakGlassUse] = {}
    for row in rows:
        if row.action != Action.BREAKGLASS_OPEN:
            continue
        try:
            if row.outcome != "allowed":
                refusal = _refusal_of(session, row)
                uses[row.seq] = BreakGlassUse(refusal_reason(refusal) if refusal else None)
                continue
            grant = _grant_of(session, row)
            if grant is None:
                continue
            verdict = session.scalar(
                select(BreakGlassVerdict.justified).where(BreakGlassVerdict.grant_id == grant.id)
            )
            uses[row.seq] = BreakGlassUse(grant.readable_reason(), grant.id, verdict)
        except FieldIntegrityError:
            continue  # erased, or damaged: logged by the field, shown as no reason
    return uses


def refusal_reason(refusal: Any) -> str | None:
    """The reason typed in a refused break-glass attempt."""
    from casework.crypto.keyring import current_keyring
    from casework.models.breakglass import REFUSAL_PURPOSE

    sealed = current_keyring().open_secret(REFUSAL_PURPOSE, str(refusal.id), refusal.attempt_enc)
    reason: str = json.loads(sealed)["reason"]
    return reason


@dataclass(frozen=True)
class ChainStatus:
    head_seq: int | None
    head_at: datetime | None
    head_hash: str | None
    last_checkpoint_seq: int | None
    last_checkpoint_at: datetime | None
    last_verification: EventRow | None
    key_id: str

    @property
    def unsigned_events(self) -> int:
        return (self.head_seq or 0) - (self.last_checkpoint_seq or 0)


def chain_status(session: Session, key_id: str) -> ChainStatus:
    head = session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    checkpoint = session.scalar(
        select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)
    )
    verification = session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == Action.AUDIT_VERIFY)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    return ChainStatus(
        head_seq=head.seq if head else None,
        head_at=head.occurred_at if head else None,
        head_hash=bytes(head.hash).hex() if head else None,
        last_checkpoint_seq=checkpoint.seq if checkpoint else None,
        last_checkpoint_at=checkpoint.signed_at if checkpoint else None,
        last_verification=_row(verification) if verification else None,
        key_id=key_id,
    )


def breakglass_unreviewed(session: Session) -> int:
    """Break-glass uses no auditor has given a verdict on yet."""
    from casework.models.breakglass import BreakGlassGrant, BreakGlassVerdict

    reviewed = exists().where(BreakGlassVerdict.grant_id == BreakGlassGrant.id)
    return session.scalar(select(func.count(BreakGlassGrant.id)).where(~reviewed)) or 0
