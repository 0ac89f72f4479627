"""Break-glass: emergency, read-only, time-limited access to a case outside one's team."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.caller import Caller
from casework.access.errors import CaseErased, CaseNotFound, InvalidInput
from casework.access.guard import require
from casework.access.permissions import Permission
from casework.access.policy import current_policy
from casework.access.reach import active_membership
from casework.audit.events import Action, Outcome, record
from casework.casefile.today.notify import BREAK_GLASS, case_leads, notify
from casework.casefile.work import finishing
from casework.clock import utcnow
from casework.crypto.keyring import current_keyring
from casework.models.breakglass import REFUSAL_PURPOSE, BreakGlassGrant, BreakGlassRefusal
from casework.models.case import Case, CaseStatus

UNKNOWN_CASE = "unknown_case"
ERASED_CASE = "erased_case"
REASON_MIN = 20
REASON_MAX = 1000


def ensure_may_break_glass(session: Session, caller: Caller) -> None:
    require(session, caller, Permission.BREAKGLASS_USE)


def open_break_glass(session: Session, caller: Caller, reference: str, reason: str) -> uuid.UUID:
    """Grant the caller read-only access to the case with `reference` for a limited time.

    The attempt is audited whether or not the case exists; a caller already on the team
    needs no grant and gets none.
    """
    ensure_may_break_glass(session, caller)
    reason = reason.strip()
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise InvalidInput(
            "reason",
            _l("Give the reason in %(min)d to %(max)d characters.", min=REASON_MIN, max=REASON_MAX),
        )
    case = session.scalar(select(Case).where(Case.reference == reference.strip().upper()))
    if case is None:
        _refused(session, caller, reference, reason, UNKNOWN_CASE)
        record(
            session,
            Action.BREAKGLASS_OPEN,
            caller.actor,
            outcome=Outcome.DENIED,
            context=caller.context,
        )
        session.commit()
        raise CaseNotFound(reference)
    if case.status == CaseStatus.ERASED:
        # An erased case holds nothing to read: no grant, the attempt kept as refused.
        _refused(session, caller, reference, reason, ERASED_CASE)
        record(
            session,
            Action.BREAKGLASS_OPEN,
            caller.actor,
            outcome=Outcome.DENIED,
            case_ref=case.reference,
            context=caller.context,
        )
        session.commit()
        raise CaseErased(case.reference)
    if active_membership(session, case.id, caller.user.id) is not None:
        session.rollback()
        return case.id
    with finishing(session):
        # Every use is a grant of its own, with its own reason and its own review, even
        # while an earlier grant still runs.
        hours = current_app.config["CASEWORK"].break_glass_hours
        now = utcnow()
        session.add(
            BreakGlassGrant(
                case,
                reason,
                user_id=caller.user.id,
                opened_at=now,
                expires_at=now + timedelta(hours=hours),
            )
        )
        notify(session, BREAK_GLASS.code, case, case_leads(session, case.id))
        record(
            session,
            Action.BREAKGLASS_OPEN,
            caller.actor,
            case_ref=case.reference,
            field_groups=current_policy().readable_groups(caller.role),
            context=caller.context,
        )
    return case.id


def _refused(session: Session, caller: Caller, reference: str, reason: str, why: str) -> None:
    """Keep a refused attempt for the auditors: who, when, why, and what was typed,
    sealed under the key-encryption key (the reference may name no case, or a child)."""
    refusal = BreakGlassRefusal(user_id=caller.user.id, attempted_at=utcnow(), refusal=why)
    typed = json.dumps({"reference": reference.strip(), "reason": reason}, ensure_ascii=False)
    refusal.attempt_enc = current_keyring().seal_secret(
        REFUSAL_PURPOSE, str(refusal.id), typed.encode()
    )
    session.add(refusal)
