"""The auditor's review of break-glass uses: every use waits in a queue until an auditor
records whether it was justified, with a note. The review is itself audited, and nobody
reviews their own use. A use whose case was erased since stays in the queue and is
reviewed like any other (who, when, reference, and the reason sealed under the KEK)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.access.caller import Caller
from casework.access.errors import CaseNotFound, InvalidInput, NotPermitted
from casework.access.guard import deny, require
from casework.access.permissions import Permission
from casework.audit.events import Action, record
from casework.crypto.aead import FieldIntegrityError
from casework.models.breakglass import BreakGlassGrant, BreakGlassVerdict
from casework.models.case import CaseStatus

NOTE_MAX = 2000
QUEUE_LIMIT = 200


@dataclass(frozen=True)
class WaitingUse:
    """A break-glass use waiting for its review."""

    grant_id: uuid.UUID
    username: str
    display_name: str
    case_ref: str
    opened_at: datetime
    reason: str | None
    own: bool
    verdict: bool = False
    # The case was erased since: the use stays reviewable, its reason sealed under the KEK.
    erased: bool = False


def _use(grant: BreakGlassGrant, caller: Caller, verdict: bool = False) -> WaitingUse:
    return WaitingUse(
        grant_id=grant.id,
        username=grant.user.username,
        display_name=grant.user.display_name,
        case_ref=grant.case.reference,
        opened_at=grant.opened_at,
        reason=_reason(grant),
        own=grant.user_id == caller.user.id,
        verdict=verdict,
        erased=grant.case.status == CaseStatus.ERASED,
    )


def _grant(session: Session, caller: Caller, grant_id: uuid.UUID) -> BreakGlassGrant:
    """The use, whatever became of its case since: an erased case's uses stay
    reviewable."""
    require(session, caller, Permission.AUDIT_READ)
    grant = session.get(BreakGlassGrant, grant_id)
    if grant is None:
        deny(session, caller)
        raise CaseNotFound(str(grant_id))
    return grant


def waiting_use(session: Session, caller: Caller, grant_id: uuid.UUID) -> WaitingUse:
    """One use, for its review page (audited as a read of the log)."""
    grant = _grant(session, caller, grant_id)
    reviewed = session.scalar(
        select(BreakGlassVerdict.id).where(BreakGlassVerdict.grant_id == grant.id)
    )
    use = _use(grant, caller, verdict=reviewed is not None)
    record(
        session,
        Action.AUDIT_READ,
        caller.actor,
        case_ref=grant.case.reference,
        context=caller.context,
    )
    session.commit()
    return use


def review_queue(session: Session, caller: Caller) -> list[WaitingUse]:
    """Break-glass uses no auditor has reviewed yet, oldest first (audited as a read)."""
    require(session, caller, Permission.AUDIT_READ)
    reviewed = select(BreakGlassVerdict.grant_id)
    grants = session.scalars(
        select(BreakGlassGrant)
        .where(BreakGlassGrant.id.not_in(reviewed))
        .order_by(BreakGlassGrant.opened_at)
        .limit(QUEUE_LIMIT)
    ).all()
    waiting = [_use(g, caller) for g in grants]
    record(session, Action.AUDIT_READ, caller.actor, context=caller.context)
    session.commit()
    return waiting


def _reason(grant: BreakGlassGrant) -> str | None:
    try:
        return grant.readable_reason()
    except FieldIntegrityError:
        return None  # damaged: logged by the field, shown as no reason


def review_use(
    session: Session, caller: Caller, grant_id: uuid.UUID, justified: bool | None, note: str
) -> None:
    """Record an auditor's review of one use. Refused (audited) for one's own use."""
    grant = _grant(session, caller, grant_id)
    if grant.user_id == caller.user.id:
        deny(session, caller, grant.case)
        raise NotPermitted(Permission.AUDIT_READ)
    note = note.strip()
    if justified is None:
        session.rollback()
        raise InvalidInput("justified", _l("Choose whether the use was justified."))
    if not note or len(note) > NOTE_MAX:
        session.rollback()
        raise InvalidInput("note", _l("Write a note of at most %(max)d characters.", max=NOTE_MAX))
    if session.scalar(select(BreakGlassVerdict.id).where(BreakGlassVerdict.grant_id == grant.id)):
        session.rollback()
        raise InvalidInput("justified", _l("Another auditor reviewed this use meanwhile."))
    session.add(BreakGlassVerdict(grant, note, reviewer_id=caller.user.id, justified=justified))
    record(
        session,
        Action.BREAKGLASS_REVIEW,
        caller.actor,
        case_ref=grant.case.reference,
        context=caller.context,
        subject=grant.user.username,
    )
    try:
        session.commit()
    except IntegrityError:  # another auditor's review won the race
        session.rollback()
        raise InvalidInput(
            "justified", _l("Another auditor reviewed this use meanwhile.")
        ) from None
